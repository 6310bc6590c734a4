// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"errors"
	"time"
	_ "time/tzdata" // The binary must work on hosts without zoneinfo.
)

// LoadLocation returns the location for a Windows time-zone ID such as
// "Pacific Standard Time" (case-insensitive, mapped through the CLDR
// windowsZones "001" territory) or an IANA name such as "Europe/Berlin".
func LoadLocation(name string) (*time.Location, error) {
	return nil, errors.New("not implemented")
}
