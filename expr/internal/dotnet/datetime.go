// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"errors"
	"time"
)

// Unspecified is the location of times that carry no offset, the .NET
// DateTimeKind.Unspecified. Its offset is zero. [ParseTime] returns it for
// inputs without an offset, and [FormatTime] prints such times without "Z"
// or an offset. Compare locations with ==.
var Unspecified = time.FixedZone("", 0)

// AsUnspecified returns t's wall clock in the [Unspecified] location, as
// .NET does when it converts a DateTime to another zone and drops the kind.
func AsUnspecified(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), Unspecified)
}

// FormatTime formats t the way .NET formats a DateTime (for [time.UTC] and
// [Unspecified] locations) or a DateTimeOffset (for other locations) with
// the given standard or custom format string in the named culture. The
// empty format means "o"; the empty culture means en-US. It returns an
// error for an unknown culture or an invalid format string.
func FormatTime(t time.Time, format, culture string) (string, error) {
	return "", errors.New("not implemented")
}
