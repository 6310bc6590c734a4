// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseISODuration parses an ISO 8601 duration (PnYnMnWnDTnHnMnS). Years
// and months count as 365 and 30 days.
func parseISODuration(s string) (time.Duration, error) {
	orig := s
	s = strings.ToUpper(strings.TrimSpace(s))
	if !strings.HasPrefix(s, "P") || len(s) < 2 {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration", orig)
	}
	s = s[1:]
	var d float64
	inTime := false
	num := ""
	for _, c := range s {
		switch {
		case c == 'T':
			inTime = true
		case c >= '0' && c <= '9' || c == '.' || c == ',':
			if c == ',' {
				c = '.'
			}
			num += string(c)
		default:
			n, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, fmt.Errorf("%q is not an ISO 8601 duration", orig)
			}
			num = ""
			var unit time.Duration
			switch {
			case c == 'Y' && !inTime:
				unit = 365 * 24 * time.Hour
			case c == 'M' && !inTime:
				unit = 30 * 24 * time.Hour
			case c == 'W' && !inTime:
				unit = 7 * 24 * time.Hour
			case c == 'D' && !inTime:
				unit = 24 * time.Hour
			case c == 'H' && inTime:
				unit = time.Hour
			case c == 'M' && inTime:
				unit = time.Minute
			case c == 'S' && inTime:
				unit = time.Second
			default:
				return 0, fmt.Errorf("%q is not an ISO 8601 duration", orig)
			}
			d += n * float64(unit)
		}
	}
	if num != "" {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration", orig)
	}
	return time.Duration(d), nil
}
