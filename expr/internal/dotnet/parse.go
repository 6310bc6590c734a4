// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"errors"
	"time"
)

// ParseTime parses a timestamp the way Logic Apps accepts it: ISO 8601 with
// or without an offset or "Z" and with up to 7 fractional digits, a date
// alone ("2018-03-15"), minutes precision ("2018-03-15T13:00"), RFC 1123
// ("Mon, 15 Jan 2018 13:00:00 GMT") and the invariant culture's general
// forms ("03/15/2018 13:00:00", "03/15/2018"). A value with "Z" is returned
// in [time.UTC], a value with an offset in a fixed zone with that offset,
// and a value without offset in [Unspecified].
func ParseTime(s string) (time.Time, error) {
	return time.Time{}, errors.New("not implemented")
}

// ParseTimeExact parses s with a .NET custom or standard date and time
// format in the named culture, like DateTime.ParseExact; it backs
// parseDateTime(timestamp, locale, format). If format is empty, s is parsed
// leniently with the culture's patterns, like DateTime.Parse with a
// culture. The result location follows the rules of [ParseTime].
func ParseTimeExact(s, format, culture string) (time.Time, error) {
	return time.Time{}, errors.New("not implemented")
}
