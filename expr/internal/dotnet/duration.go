// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"errors"
	"time"
)

// Duration is an ISO 8601 duration. Calendar parts (years, months, weeks,
// days) are kept apart from the clock part because their length depends on
// the time they are added to.
type Duration struct {
	Years, Months, Weeks, Days int
	Clock                      time.Duration
	Negative                   bool
}

// ParseISODuration parses an ISO 8601 duration such as "P1Y2M3DT4H5M6.5S",
// "PT1H", "P2W" or "-PT5M".
func ParseISODuration(s string) (Duration, error) {
	return Duration{}, errors.New("not implemented")
}

// AddTo returns t plus d: calendar parts first (years, then months, with
// the day clamped to the end of the month as .NET AddMonths does), then
// weeks and days on the calendar, then the clock part.
func (d Duration) AddTo(t time.Time) time.Time {
	return t
}

// String returns d in ISO 8601 form, "PT0S" for zero.
func (d Duration) String() string {
	return "PT0S"
}
