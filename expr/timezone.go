// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"time"

	"github.com/junction-run/junction/expr/internal/dotnet"
)

// LoadLocation returns the time zone named by a Windows time-zone id
// ("W. Europe Standard Time", case-insensitive) or an IANA name
// ("Europe/Berlin"), as convertTimeZone() and the Recurrence trigger's
// timeZone accept them. The zone data is built into the binary.
func LoadLocation(name string) (*time.Location, error) { return dotnet.LoadLocation(name) }

// AddISODuration parses an ISO 8601 duration ("PT1H", "P1DT12H", "-PT5M")
// as limit.timeout, retry intervals and Wait accept them, and returns the
// time after adding it to from: months and years are calendar units, so the
// result depends on from.
func AddISODuration(from time.Time, s string) (time.Time, error) {
	d, err := dotnet.ParseISODuration(s)
	if err != nil {
		return time.Time{}, err
	}
	return d.AddTo(from), nil
}
