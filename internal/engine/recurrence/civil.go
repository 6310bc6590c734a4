// SPDX-License-Identifier: Apache-2.0

package recurrence

import (
	"math"
	"time"
)

// Wall-clock times are handled as "naive" seconds: the Unix time the local
// date and time would have if the zone were UTC. Days are naive seconds
// divided by 86400, counted from 1970-01-01.

const secondsPerDay = 86400

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// daysFromCivil returns the day number of a proleptic Gregorian date
// (Howard Hinnant's days_from_civil).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int64) int64 {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// weekday returns 0 for Monday through 6 for Sunday.
func weekday(day int64) int64 { return floorMod(day+3, 7) }

// zone answers wall-clock questions about one location.
type zone struct {
	loc      *time.Location
	fixed    bool  // the location has a single offset
	fixedOff int64 // that offset, in seconds
}

func newZone(loc *time.Location) zone {
	z := zone{loc: loc}
	s, e := time.Unix(0, 0).In(loc).ZoneBounds()
	if s.IsZero() && e.IsZero() {
		_, off := time.Unix(0, 0).In(loc).Zone()
		z.fixed, z.fixedOff = true, int64(off)
	}
	return z
}

// wall returns the naive local time of the instant u.
func (z zone) wall(u int64) int64 {
	if z.fixed {
		return u + z.fixedOff
	}
	_, off := time.Unix(u, 0).In(z.loc).Zone()
	return u + int64(off)
}

// resolve returns the earliest instant whose local time is at least the
// naive time w. For an ordinary local time that is the one instant showing
// it; for a time repeated when clocks fall back, its first occurrence; for a
// time skipped when clocks spring forward, the transition instant (the first
// valid time after the gap). resolve is non-decreasing in w.
func (z zone) resolve(w int64) int64 {
	if z.fixed {
		return w - z.fixedOff
	}
	_, o := time.Unix(w, 0).In(z.loc).Zone()
	t := time.Unix(w-int64(o), 0).In(z.loc)
	_, o1 := t.Zone()
	s1, e1 := t.ZoneBounds()
	lo1, hi1 := bound(s1, math.MinInt64), bound(e1, math.MaxInt64)
	u := w - int64(o1)
	// Far from a transition the instant is unique; skip the neighbours.
	if (lo1 == math.MinInt64 || u-lo1 >= 2*secondsPerDay) && (hi1 == math.MaxInt64 || hi1-u >= 2*secondsPerDay) {
		return u
	}
	best := int64(math.MaxInt64)
	consider := func(lo, hi int64, off int) {
		c := w - int64(off)
		if c >= hi {
			return
		}
		if c < lo {
			c = lo
		}
		if c < best {
			best = c
		}
	}
	consider(lo1, hi1, o1)
	if !s1.IsZero() {
		q := s1.Add(-time.Second)
		_, o0 := q.Zone()
		s0, _ := q.ZoneBounds()
		consider(bound(s0, math.MinInt64), lo1, o0)
	}
	if !e1.IsZero() {
		_, o2 := e1.Zone()
		_, e2 := e1.ZoneBounds()
		consider(hi1, bound(e2, math.MaxInt64), o2)
	}
	if best == math.MaxInt64 {
		return u
	}
	return best
}

func bound(t time.Time, def int64) int64 {
	if t.IsZero() {
		return def
	}
	return t.Unix()
}
