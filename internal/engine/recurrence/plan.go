// SPDX-License-Identifier: Apache-2.0

package recurrence

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/junction-run/junction/expr"
)

// Frequencies and their interval limits. Source: Microsoft Learn, "Schedule
// and run recurring workflows with the Recurrence trigger in Azure Logic
// Apps" and "Schema reference for trigger and action types" (recurrence
// interval: Month 1-16, Week 1-71, Day 1-500, Hour 1-12,000, Minute
// 1-72,000, Second 1-9,999,999), matching /work/shared/reference/WDL.md.
var frequencies = []struct {
	name string
	max  int
	unit int64 // seconds, for the absolute frequencies
}{
	{"Second", 9_999_999, 1},
	{"Minute", 72_000, 60},
	{"Hour", 12_000, 3600},
	{"Day", 500, 0},
	{"Week", 71, 0},
	{"Month", 16, 0},
}

var weekDayNames = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// lastUnix is 9999-12-31T23:59:59Z. No occurrence lies beyond it, which keeps
// every computation in range and every search finite.
const lastUnix = 253402300799

// Bounds on the periods a search visits. A Day or Week period with a
// schedule always has an occurrence, so a few periods suffice; a Month
// period can be empty (monthDays [31] in April), but with interval ≤ 16 the
// months visited repeat their month-of-year within 12 periods and reach a
// leap February within 9 years, so 128 periods cover every schedule that
// can fire at all.
const (
	maxScanShort = 8
	maxScanMonth = 128
)

type frequency int

const (
	second frequency = iota
	minute
	hour
	day
	week
	month
)

// Plan is a compiled recurrence. Its methods are pure and safe for
// concurrent use. Times it returns are in the recurrence's location.
type Plan struct {
	freq     frequency
	interval int64
	z        zone
	start    int64 // first instant an occurrence may fall on (Unix seconds)
	end      int64 // last instant, lastUnix without endTime
	anchor   int64 // Due's window start for a trigger that never fired
	simple   bool  // no schedule: period 0 holds exactly start

	step int64 // Second, Minute, Hour: seconds between occurrences

	base      int64   // Day: start day; Week: Monday of the start week; Month: y*12+m-1 of the start
	weekDays  uint8   // Week: bit i = weekday i (Monday = 0)
	monthDays []int64 // Month: as given; nil = the start's day, clamped
	startDom  int64   // Month: the start's day of month
	tods      []int64 // seconds after local midnight, sorted, unique
}

// Compile validates r and returns its plan. anchor is the time the trigger
// was created or enabled: a recurrence without startTime starts there, and
// [Plan.Due] counts the occurrences of a trigger that has never fired from
// there on. anchor may be zero only when r has a startTime. Errors are
// [*FieldError] values (or [Errors] when there are several) naming the
// field.
func Compile(r Recurrence, anchor time.Time) (*Plan, error) {
	var errs errorList
	p := &Plan{end: lastUnix, anchor: math.MinInt64}

	freq := -1
	switch {
	case r.Frequency == "":
		errs.add(root+".frequency", "missing")
	default:
		for i, f := range frequencies {
			if strings.EqualFold(strings.TrimSpace(r.Frequency), f.name) {
				freq = i
			}
		}
		if freq < 0 {
			errs.add(root+".frequency", "%q is not one of Second, Minute, Hour, Day, Week, Month", r.Frequency)
		}
	}
	if freq >= 0 {
		f := frequencies[freq]
		p.freq = frequency(freq)
		p.step = f.unit * int64(r.Interval)
		if r.Interval < 1 || r.Interval > f.max {
			errs.add(root+".interval", "%d is out of range for frequency %s (1-%d)", r.Interval, f.name, f.max)
		}
	}
	p.interval = int64(r.Interval)

	loc := time.UTC
	if tz := strings.TrimSpace(r.TimeZone); tz != "" {
		l, err := expr.LoadLocation(tz)
		if err != nil {
			errs.add(root+".timeZone", "%q is not a Windows or IANA time zone", r.TimeZone)
		} else {
			loc = l
		}
	}
	p.z = newZone(loc)

	start, hasStart := int64(0), false
	if s := strings.TrimSpace(r.StartTime); s != "" {
		u, err := parseTime(s, p.z)
		if err != nil {
			errs.add(root+".startTime", "%s", err.Error())
		} else {
			start, hasStart = u, true
		}
	}
	if s := strings.TrimSpace(r.EndTime); s != "" {
		u, err := parseTime(s, p.z)
		if err != nil {
			errs.add(root+".endTime", "%s", err.Error())
		} else {
			p.end = min(u, lastUnix)
			if hasStart && u < start {
				errs.add(root+".endTime", "%s is before startTime", r.EndTime)
			}
		}
	}
	if !anchor.IsZero() {
		p.anchor = anchor.Unix()
	}
	if !hasStart {
		if anchor.IsZero() {
			errs.add(root+".startTime", "missing, and no anchor time was given")
		}
		start = p.anchor
	}
	p.start = start

	p.compileSchedule(r.Schedule, &errs)
	if err := errs.err(); err != nil {
		return nil, err
	}
	if p.freq >= day {
		// Refuse a schedule that can never fire instead of searching for
		// it on every call.
		if _, st := p.next(p.start-1, false); st == exhausted {
			field := root + ".schedule"
			if r.Schedule != nil && len(r.Schedule.MonthDays) > 0 {
				field += ".monthDays"
			}
			return nil, &FieldError{field, fmt.Sprintf("no period selected by frequency %s and interval %d has such a day", frequencies[p.freq].name, p.interval)}
		}
	}
	return p, nil
}

// compileSchedule checks the schedule against the frequency and fills the
// calendar fields of p. p.start and p.freq are set.
func (p *Plan) compileSchedule(s *Schedule, errs *errorList) {
	sp := root + ".schedule"
	if s != nil && len(s.Hours)+len(s.Minutes)+len(s.WeekDays)+len(s.MonthDays) == 0 {
		s = nil
	}
	p.simple = s == nil
	if s == nil {
		s = &Schedule{}
	}
	if p.freq < day {
		for _, f := range []struct {
			name string
			n    int
		}{{"hours", len(s.Hours)}, {"minutes", len(s.Minutes)}, {"weekDays", len(s.WeekDays)}, {"monthDays", len(s.MonthDays)}} {
			if f.n > 0 {
				errs.add(sp+"."+f.name, "only allowed with frequency Day, Week or Month")
			}
		}
		return
	}
	if len(s.WeekDays) > 0 && p.freq != week {
		errs.add(sp+".weekDays", "only allowed with frequency Week")
	}
	if len(s.MonthDays) > 0 && p.freq != month {
		errs.add(sp+".monthDays", "only allowed with frequency Month")
	}
	hours := checkRange(s.Hours, sp+".hours", 0, 23, "an hour", errs)
	minutes := checkRange(s.Minutes, sp+".minutes", 0, 59, "a minute", errs)
	for i, d := range s.MonthDays {
		if d == 0 || d < -31 || d > 31 {
			errs.add(fmt.Sprintf("%s.monthDays[%d]", sp, i), "%d is not a day of the month (1-31, or -1 to -31 from the end)", d)
		}
	}
	for i, n := range s.WeekDays {
		j := slices.IndexFunc(weekDayNames, func(w string) bool { return strings.EqualFold(w, strings.TrimSpace(n)) })
		if j < 0 {
			errs.add(fmt.Sprintf("%s.weekDays[%d]", sp, i), "%q is not a day name (Monday-Sunday)", n)
			continue
		}
		p.weekDays |= 1 << j
	}

	if p.start < -lastUnix || p.start > lastUnix {
		return // reported as a missing start; avoid overflow below
	}
	ws := p.z.wall(p.start)
	sday := floorDiv(ws, secondsPerDay)
	stod := ws - sday*secondsPerDay
	switch p.freq {
	case day:
		p.base = sday
	case week:
		p.base = sday - weekday(sday)
		if p.weekDays == 0 {
			p.weekDays = 1 << weekday(sday)
		}
	case month:
		y, m, d := civilFromDays(sday)
		p.base = y*12 + m - 1
		p.startDom = d
		for _, d := range s.MonthDays {
			p.monthDays = append(p.monthDays, int64(d))
		}
	}
	// Unspecified hours with minutes mean every hour (Azure Scheduler's
	// {"minutes":[0,15,30,45]} is "every 15 minutes"); unspecified minutes
	// mean the start's minute; neither means the start's time of day.
	switch {
	case len(hours) == 0 && len(minutes) == 0:
		p.tods = []int64{stod}
		return
	case len(hours) == 0:
		for h := range 24 {
			hours = append(hours, h)
		}
	case len(minutes) == 0:
		minutes = []int{int(stod / 60 % 60)}
	}
	for _, h := range hours {
		for _, m := range minutes {
			p.tods = append(p.tods, int64(h*3600+m*60))
		}
	}
}

// checkRange reports out-of-range values and returns the valid ones sorted
// and without duplicates.
func checkRange(vs []int, path string, lo, hi int, what string, errs *errorList) []int {
	var out []int
	for i, v := range vs {
		if v < lo || v > hi {
			errs.add(fmt.Sprintf("%s[%d]", path, i), "%d is not %s (%d-%d)", v, what, lo, hi)
			continue
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Time layouts accepted for startTime and endTime, with and without an
// offset. Logic Apps writes "2017-09-07T14:00:00" or "...Z"; the others
// are the ISO 8601 forms people write by hand.
var (
	layoutsZoned = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04Z07:00"}
	layoutsLocal = []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"}
)

// parseTime parses an ISO 8601 date-time: with "Z" or an offset it is that
// instant; without, it is local time in z. Fractions of a second are
// dropped.
func parseTime(s string, z zone) (int64, error) {
	for _, l := range layoutsZoned {
		if t, err := time.Parse(l, s); err == nil {
			return t.Unix(), nil
		}
	}
	for _, l := range layoutsLocal {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return z.resolve(t.Unix()), nil
		}
	}
	return 0, fmt.Errorf("%q is not an ISO 8601 date-time such as 2017-09-07T14:00:00", s)
}

// Location returns the time zone the plan computes wall-clock times in.
func (p *Plan) Location() *time.Location { return p.z.loc }

// Start returns the first instant an occurrence may fall on: startTime, or
// the anchor when there is none.
func (p *Plan) Start() time.Time { return time.Unix(p.start, 0).In(p.z.loc) }

// Next returns the first occurrence strictly after after. It reports false
// when there is none: after endTime, or after the year 9999. Next does a
// bounded amount of work whatever its input.
func (p *Plan) Next(after time.Time) (time.Time, bool) {
	u, st := p.next(after.Unix(), true)
	if st != found {
		return time.Time{}, false
	}
	return time.Unix(u, 0).In(p.z.loc), true
}

// Due tells the scheduler what to do at now. lastFire is the scheduled time
// of the trigger's last fire, or zero if it has never fired. When at least
// one occurrence lies in (lastFire, now] (in [anchor, now] for a trigger
// that never fired), fire is true and fireAt is the latest of them: missed
// occurrences are coalesced into one fire, not replayed. next is the first
// occurrence after now, zero when the series has ended.
func (p *Plan) Due(lastFire, now time.Time) (fireAt, next time.Time, fire bool) {
	if u, ok := p.prev(now.Unix()); ok {
		if lastFire.IsZero() {
			fire = u >= p.anchor
		} else {
			fire = u > lastFire.Unix()
		}
		if fire {
			fireAt = time.Unix(u, 0).In(p.z.loc)
		}
	}
	next, _ = p.Next(now)
	return fireAt, next, fire
}

type status int

const (
	found     status = iota
	ended            // past endTime or the year 9999
	exhausted        // the search bound was reached without an occurrence
)

// next returns the first occurrence after the instant a (Unix seconds; a
// time with a fraction of a second behaves like its whole second, since
// occurrences fall on whole seconds). With useEnd false it ignores endTime.
func (p *Plan) next(a int64, useEnd bool) (int64, status) {
	end := int64(lastUnix)
	if useEnd {
		end = p.end
	}
	if a >= end {
		return 0, ended
	}
	if a < p.start {
		a = p.start - 1
	}
	if p.freq < day {
		k := floorDiv(a-p.start, p.step) + 1
		if k > (end-p.start)/p.step {
			return 0, ended
		}
		return p.start + k*p.step, found
	}
	wa := p.z.wall(a)
	first := max(p.periodOf(floorDiv(wa, secondsPerDay))-1, 0)
	limit := int64(maxScanShort)
	if p.freq == month {
		limit = maxScanMonth
	}
	for n := first; n < first+limit; n++ {
		pday, mask := p.period(n)
		if pday > lastUnix/secondsPerDay+1 {
			return 0, ended
		}
		for i := int64(0); mask != 0; i, mask = i+1, mask>>1 {
			if mask&1 == 0 {
				continue
			}
			d := pday + i
			if (d+1)*secondsPerDay-1 <= wa {
				continue
			}
			for _, tod := range p.tods {
				w := d*secondsPerDay + tod
				if w <= wa {
					continue
				}
				u := p.z.resolve(w)
				if p.simple && n == 0 {
					u = p.start
				}
				if u <= a || u < p.start {
					continue
				}
				if u > end {
					return 0, ended
				}
				return u, found
			}
		}
	}
	return 0, exhausted
}

// prev returns the latest occurrence at or before the instant b.
func (p *Plan) prev(b int64) (int64, bool) {
	b = min(b, p.end)
	if b < p.start {
		return 0, false
	}
	if p.freq < day {
		return p.start + floorDiv(b-p.start, p.step)*p.step, true
	}
	wb := p.z.wall(b)
	last := p.periodOf(floorDiv(wb, secondsPerDay)) + 1
	limit := int64(maxScanShort)
	if p.freq == month {
		limit = maxScanMonth
	}
	for n := last; n >= 0 && n > last-limit; n-- {
		pday, mask := p.period(n)
		for i := int64(31); i >= 0; i-- {
			if mask&(1<<i) == 0 {
				continue
			}
			d := pday + i
			// Local times two days past b's cannot resolve to b or earlier.
			if d*secondsPerDay > wb+2*secondsPerDay {
				continue
			}
			for j := len(p.tods) - 1; j >= 0; j-- {
				u := p.z.resolve(d*secondsPerDay + p.tods[j])
				if p.simple && n == 0 {
					u = p.start
				}
				if u > b {
					continue
				}
				if u < p.start {
					return 0, false
				}
				return u, true
			}
		}
	}
	return 0, false
}

// periodOf returns the index of the period holding the local day d
// (negative before the first period).
func (p *Plan) periodOf(d int64) int64 {
	switch p.freq {
	case day:
		return floorDiv(d-p.base, p.interval)
	case week:
		return floorDiv(d-p.base, 7*p.interval)
	}
	y, m, _ := civilFromDays(d)
	return floorDiv(y*12+m-1-p.base, p.interval)
}

// period returns the first local day of period n and a mask of its days
// that hold occurrences (bit i = first day + i).
func (p *Plan) period(n int64) (int64, uint32) {
	switch p.freq {
	case day:
		return p.base + n*p.interval, 1
	case week:
		return p.base + n*7*p.interval, uint32(p.weekDays)
	}
	mi := p.base + n*p.interval
	y, m := floorDiv(mi, 12), floorMod(mi, 12)+1
	first := daysFromCivil(y, m, 1)
	dim := daysIn(y, m)
	if p.monthDays == nil {
		return first, 1 << (min(p.startDom, dim) - 1)
	}
	var mask uint32
	for _, d := range p.monthDays {
		if d < 0 {
			d += dim + 1
		}
		if d >= 1 && d <= dim {
			mask |= 1 << (d - 1)
		}
	}
	return first, mask
}
