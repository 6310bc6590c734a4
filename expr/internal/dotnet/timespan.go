// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"errors"
	"time"
)

// FormatTimeSpan formats d like TimeSpan.ToString(format) with the
// invariant culture: "c" (also "t", "T" and ""), "g", "G" and custom
// formats such as "hh\:mm" or "%d". Precision is one tick (100ns); finer
// parts of d are truncated.
func FormatTimeSpan(d time.Duration, format string) (string, error) {
	return "", errors.New("not implemented")
}

// ParseTimeSpan parses TimeSpan text like TimeSpan.Parse with the invariant
// culture: "[-][d.]hh:mm[:ss[.fffffff]]" and a bare number of days.
func ParseTimeSpan(s string) (time.Duration, error) {
	return 0, errors.New("not implemented")
}
