// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"fmt"
	"strconv"
	"strings"
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
// "PT1H", "P2W" or "-PT5M". Only the last component may have a fraction,
// and only the clock components (hours, minutes, seconds) may have one.
func ParseISODuration(s string) (Duration, error) {
	var d Duration
	rest := s
	if strings.HasPrefix(rest, "-") {
		d.Negative = true
		rest = rest[1:]
	} else if strings.HasPrefix(rest, "+") {
		rest = rest[1:]
	}
	if !strings.HasPrefix(rest, "P") && !strings.HasPrefix(rest, "p") {
		return Duration{}, fmt.Errorf("duration %q does not start with \"P\"", s)
	}
	rest = rest[1:]
	if rest == "" {
		return Duration{}, fmt.Errorf("duration %q has no components", s)
	}
	inTime, any, fracSeen := false, false, false
	order := "YMWD"
	for rest != "" {
		if rest[0] == 'T' || rest[0] == 't' {
			if inTime {
				return Duration{}, fmt.Errorf("duration %q has a second \"T\"", s)
			}
			inTime, order = true, "HMS"
			rest = rest[1:]
			if rest == "" {
				return Duration{}, fmt.Errorf("duration %q has no time components after \"T\"", s)
			}
			continue
		}
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.' || rest[i] == ',') {
			i++
		}
		if i == 0 || i == len(rest) {
			return Duration{}, fmt.Errorf("duration %q: want a number and a designator at %q", s, rest)
		}
		if fracSeen {
			return Duration{}, fmt.Errorf("duration %q: only the last component may have a fraction", s)
		}
		num := strings.ReplaceAll(rest[:i], ",", ".")
		unit := rest[i] &^ 0x20 // upper case
		rest = rest[i+1:]
		k := strings.IndexByte(order, unit)
		if k < 0 {
			return Duration{}, fmt.Errorf("duration %q: unexpected designator %q", s, string(unit))
		}
		order = order[k+1:]
		any = true
		frac := strings.Contains(num, ".")
		fracSeen = frac
		if !inTime {
			if frac {
				return Duration{}, fmt.Errorf("duration %q: fraction in a calendar component", s)
			}
			n, err := strconv.Atoi(num)
			if err != nil {
				return Duration{}, fmt.Errorf("duration %q: bad number %q", s, num)
			}
			switch unit {
			case 'Y':
				d.Years = n
			case 'M':
				d.Months = n
			case 'W':
				d.Weeks = n
			case 'D':
				d.Days = n
			}
			continue
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil || num[0] == '.' || num[len(num)-1] == '.' {
			return Duration{}, fmt.Errorf("duration %q: bad number %q", s, num)
		}
		unitDur := map[byte]time.Duration{'H': time.Hour, 'M': time.Minute, 'S': time.Second}[unit]
		if f*float64(unitDur) > float64(1<<62) {
			return Duration{}, fmt.Errorf("duration %q is too long", s)
		}
		// Round to the 100ns tick .NET keeps.
		d.Clock += time.Duration(f*float64(unitDur)/100+0.5) * 100
	}
	if !any {
		return Duration{}, fmt.Errorf("duration %q has no components", s)
	}
	return d, nil
}

// AddTo returns t plus d: calendar parts first (years, then months, with
// the day clamped to the end of the month as .NET AddMonths does), then
// weeks and days on the calendar, then the clock part.
func (d Duration) AddTo(t time.Time) time.Time {
	sign := 1
	if d.Negative {
		sign = -1
	}
	if months := sign * (d.Years*12 + d.Months); months != 0 {
		y, m, day := t.Date()
		total := int(m) - 1 + months
		ny, nm := y+total/12, total%12
		if nm < 0 {
			nm += 12
			ny--
		}
		day = min(day, daysIn(ny, time.Month(nm+1)))
		hh, mm, ss := t.Clock()
		t = time.Date(ny, time.Month(nm+1), day, hh, mm, ss, t.Nanosecond(), t.Location())
	}
	if days := sign * (d.Weeks*7 + d.Days); days != 0 {
		t = t.AddDate(0, 0, days)
	}
	return t.Add(time.Duration(sign) * d.Clock)
}

// String returns d in ISO 8601 form, "PT0S" for zero.
func (d Duration) String() string {
	var sb strings.Builder
	if d.Negative {
		sb.WriteByte('-')
	}
	sb.WriteByte('P')
	for _, p := range []struct {
		n int
		u byte
	}{{d.Years, 'Y'}, {d.Months, 'M'}, {d.Weeks, 'W'}, {d.Days, 'D'}} {
		if p.n != 0 {
			sb.WriteString(strconv.Itoa(p.n))
			sb.WriteByte(p.u)
		}
	}
	c := d.Clock
	if c < 0 {
		c = -c
	}
	if c != 0 {
		sb.WriteByte('T')
		if h := c / time.Hour; h > 0 {
			fmt.Fprintf(&sb, "%dH", h)
		}
		if m := c % time.Hour / time.Minute; m > 0 {
			fmt.Fprintf(&sb, "%dM", m)
		}
		if s := c % time.Minute; s > 0 {
			sec := strconv.FormatFloat(s.Seconds(), 'f', -1, 64)
			sb.WriteString(sec)
			sb.WriteByte('S')
		}
	}
	if sb.Len() == 1 || d.Negative && sb.Len() == 2 {
		return "PT0S"
	}
	return sb.String()
}
