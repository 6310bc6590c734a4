// SPDX-License-Identifier: Apache-2.0

package recurrence

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/junction-run/junction/expr/value"
	"github.com/junction-run/junction/workflow"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		want Recurrence
		err  string
	}{
		{
			name: "lenient numbers and single values",
			json: `{"Frequency":"week","interval":"2","startTime":"2025-01-06T09:00:00","timeZone":"Pacific Standard Time","endTime":null,
				"schedule":{"hours":[9.0, "17"],"minutes":30,"weekDays":"monday"}}`,
			want: Recurrence{Frequency: "week", Interval: 2, StartTime: "2025-01-06T09:00:00", TimeZone: "Pacific Standard Time",
				Schedule: &Schedule{Hours: []int{9, 17}, Minutes: []int{30}, WeekDays: []string{"monday"}}},
		},
		{
			name: "month days",
			json: `{"frequency":"Month","interval":1,"schedule":{"monthDays":[1,-1]}}`,
			want: Recurrence{Frequency: "Month", Interval: 1, Schedule: &Schedule{MonthDays: []int{1, -1}}},
		},
		{
			name: "not an object",
			json: `"every day"`,
			err:  "recurrence: must be an object, not a string",
		},
		{
			name: "every problem named",
			json: `{"frequency":1,"interval":1.5,"foo":true,"schedule":{"hours":["x", 2],"weekDays":[1],"monthlyOccurrences":[]}}`,
			err: strings.Join([]string{
				"recurrence.frequency: must be a string, not a number",
				"recurrence.interval: 1.5 is not an integer",
				"recurrence.foo: unknown property",
				`recurrence.schedule.hours[0]: "x" is not an integer`,
				"recurrence.schedule.weekDays[0]: must be a string, not a number",
				"recurrence.schedule.monthlyOccurrences: is not supported (use monthDays)",
			}, "\n"),
		},
		{
			name: "schedule must be an object",
			json: `{"frequency":"Day","interval":1,"schedule":[]}`,
			err:  "recurrence.schedule: must be an object, not an array",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := value.Decode([]byte(tc.json))
			req.NoError(t, err)
			got, err := Decode(v)
			if tc.err != "" {
				req.Error(t, err)
				req.Equal(t, tc.err, err.Error())
				var fe *FieldError
				req.True(t, errors.As(err, &fe), "errors.As(*FieldError)")
				return
			}
			req.NoError(t, err)
			req.Equal(t, tc.want, got)
		})
	}
}

func TestDecodeGoMap(t *testing.T) {
	t.Parallel()
	got, err := Decode(map[string]any{"frequency": "Hour", "interval": 3})
	req.NoError(t, err)
	req.Equal(t, Recurrence{Frequency: "Hour", Interval: 3}, got)
}

func TestJSONTags(t *testing.T) {
	t.Parallel()
	r := Recurrence{Frequency: "Week", Interval: 1, StartTime: "2025-01-06T09:00:00", TimeZone: "UTC",
		Schedule: &Schedule{Hours: []int{9}, WeekDays: []string{"Monday"}}}
	b, err := json.Marshal(r)
	req.NoError(t, err)
	req.Equal(t, `{"frequency":"Week","interval":1,"startTime":"2025-01-06T09:00:00","timeZone":"UTC","schedule":{"hours":[9],"weekDays":["Monday"]}}`, string(b))
	v, err := value.Decode(b)
	req.NoError(t, err)
	back, err := Decode(v)
	req.NoError(t, err)
	req.Equal(t, r, back)
}

func TestFromWorkflow(t *testing.T) {
	t.Parallel()
	w := &workflow.Recurrence{Frequency: "Day", Interval: 2, StartTime: "2025-01-01T06:00:00", TimeZone: "UTC",
		Schedule: &workflow.Schedule{Hours: []int64{6, 18}, Minutes: []int64{0}, MonthDays: []int64{1 << 40}}}
	r := FromWorkflow(w)
	req.Equal(t, Recurrence{Frequency: "Day", Interval: 2, StartTime: "2025-01-01T06:00:00", TimeZone: "UTC",
		Schedule: &Schedule{Hours: []int{6, 18}, Minutes: []int{0}, MonthDays: []int{1<<31 - 1}}}, r)
	req.Equal(t, Recurrence{}, FromWorkflow(nil))
	// An out-of-range int64 stays out of range instead of wrapping.
	_, err := Compile(r, anchor2025)
	req.Error(t, err)
	req.True(t, strings.Contains(err.Error(), "recurrence.schedule.monthDays: only allowed with frequency Month"), err.Error())
}

var zones = []string{
	"", "UTC", "Pacific Standard Time", "W. Europe Standard Time", "Europe/London", "GMT Standard Time",
	"Australia/Lord_Howe", "America/Santiago", "India Standard Time", "Pacific/Apia", "Asia/Tehran", "Pacific/Chatham",
}

// randomRecurrence returns a recurrence that is valid except, rarely, for a
// Month schedule that can never fire.
func randomRecurrence(r *rand.Rand) Recurrence {
	f := frequencies[r.IntN(len(frequencies))]
	rec := Recurrence{Frequency: f.name, Interval: 1 + r.IntN(5), TimeZone: zones[r.IntN(len(zones))]}
	if r.IntN(10) == 0 {
		rec.Interval = 1 + r.IntN(f.max)
	}
	start := time.Date(2000+r.IntN(50), time.Month(1+r.IntN(12)), 1+r.IntN(31), r.IntN(24), r.IntN(60), r.IntN(60), 0, time.UTC)
	rec.StartTime = start.Format("2006-01-02T15:04:05")
	if r.IntN(4) == 0 {
		rec.StartTime += "Z"
	}
	if r.IntN(5) == 0 {
		rec.EndTime = start.AddDate(r.IntN(30), r.IntN(12), 0).Format("2006-01-02T15:04:05Z")
	}
	if f.unit != 0 || r.IntN(4) == 0 {
		return rec
	}
	s := &Schedule{}
	for range r.IntN(4) {
		s.Hours = append(s.Hours, r.IntN(24))
	}
	for range r.IntN(4) {
		s.Minutes = append(s.Minutes, r.IntN(60))
	}
	if f.name == "Week" {
		for range r.IntN(4) {
			s.WeekDays = append(s.WeekDays, weekDayNames[r.IntN(7)])
		}
	}
	if f.name == "Month" {
		for range r.IntN(4) {
			d := 1 + r.IntN(31)
			if r.IntN(3) == 0 {
				d = -d
			}
			s.MonthDays = append(s.MonthDays, d)
		}
	}
	rec.Schedule = s
	return rec
}

// TestNextProperties checks, for random recurrences, that Next is strictly
// increasing and terminates, that prev agrees with it, and (in UTC) that it
// matches a brute-force enumeration.
func TestNextProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 2026))
	for i := range 300 {
		rec := randomRecurrence(rng)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			p, err := Compile(rec, anchor2025)
			if err != nil {
				var fe *FieldError
				req.True(t, errors.As(err, &fe) && fe.Field == "recurrence.schedule.monthDays", "%+v: %v", rec, err)
				return
			}
			var got []time.Time
			after := p.Start().Add(-time.Second)
			for range 1000 {
				next, ok := p.Next(after)
				if !ok {
					break
				}
				req.True(t, next.After(after), "%+v: Next(%s) = %s", rec, after, next)
				u := next.Unix()
				back, ok := p.prev(u)
				req.True(t, ok && back == u, "%+v: prev(%s) = %d, %v", rec, next, back, ok)
				if len(got) > 0 {
					back, ok = p.prev(u - 1)
					req.True(t, ok && back == got[len(got)-1].Unix(), "%+v: prev(%s - 1s) = %s, want %s", rec, next, time.Unix(back, 0).UTC(), got[len(got)-1])
				}
				got = append(got, next)
				after = next
			}
			if p.z.fixed && p.z.fixedOff == 0 {
				want := bruteForce(t, rec, p.Start(), min(len(got), 300))
				for j := range want {
					req.True(t, want[j].Equal(got[j]), "%+v: occurrence %d is %s, want %s", rec, j, got[j], want[j])
				}
			}
		})
	}
}

// bruteForce enumerates the first n occurrences of a UTC recurrence with
// the time package, day by day, as an independent check on Plan.
func bruteForce(tb testing.TB, rec Recurrence, start time.Time, n int) []time.Time {
	tb.Helper()
	start = start.UTC()
	iv := rec.Interval
	if rec.Frequency == "Second" || rec.Frequency == "Minute" || rec.Frequency == "Hour" {
		unit := map[string]time.Duration{"Second": time.Second, "Minute": time.Minute, "Hour": time.Hour}[rec.Frequency]
		var out []time.Time
		for k := range n {
			out = append(out, start.Add(time.Duration(k*iv)*unit))
		}
		return out
	}
	s := rec.Schedule
	if s == nil {
		s = &Schedule{}
	}
	type hm struct{ h, m, s int }
	var tods []hm
	switch {
	case len(s.Hours) == 0 && len(s.Minutes) == 0:
		tods = []hm{{start.Hour(), start.Minute(), start.Second()}}
	default:
		hours, minutes := slices.Clone(s.Hours), slices.Clone(s.Minutes)
		if len(hours) == 0 {
			for h := range 24 {
				hours = append(hours, h)
			}
		}
		if len(minutes) == 0 {
			minutes = []int{start.Minute()}
		}
		slices.Sort(hours)
		slices.Sort(minutes)
		for _, h := range slices.Compact(hours) {
			for _, m := range slices.Compact(minutes) {
				tods = append(tods, hm{h, m, 0})
			}
		}
	}
	midnight := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	monday := func(t time.Time) time.Time { return midnight(t).AddDate(0, 0, -(int(t.Weekday())+6)%7) }
	day0 := midnight(start)
	var out []time.Time
	for d := day0; len(out) < n && d.Year() < 10000; d = d.AddDate(0, 0, 1) {
		selected := false
		switch rec.Frequency {
		case "Day":
			selected = int(d.Sub(day0).Hours()/24)%iv == 0
		case "Week":
			weeks := int(monday(d).Sub(monday(day0)).Hours() / 24 / 7)
			name := d.Weekday().String()
			selected = weeks%iv == 0 && (len(s.WeekDays) == 0 && d.Weekday() == start.Weekday() || slices.Contains(s.WeekDays, name))
		case "Month":
			months := (d.Year()*12 + int(d.Month())) - (start.Year()*12 + int(start.Month()))
			dim := time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
			if months%iv == 0 {
				if len(s.MonthDays) == 0 {
					selected = d.Day() == min(start.Day(), dim)
				}
				for _, md := range s.MonthDays {
					if md > 0 && md == d.Day() || md < 0 && dim+md+1 == d.Day() {
						selected = true
					}
				}
			}
		}
		if !selected {
			continue
		}
		for _, tod := range tods {
			o := d.Add(time.Duration(tod.h)*time.Hour + time.Duration(tod.m)*time.Minute + time.Duration(tod.s)*time.Second)
			if o.Before(start) || len(out) == n {
				continue
			}
			out = append(out, o)
		}
	}
	return out
}

func FuzzCompileNext(f *testing.F) {
	for _, seed := range []string{
		`{"frequency":"Minute","interval":15}`,
		`{"frequency":"Day","interval":1,"startTime":"2025-03-09T02:30:00","timeZone":"Pacific Standard Time"}`,
		`{"frequency":"Week","interval":2,"startTime":"2025-01-08T12:00:00Z","schedule":{"weekDays":["Monday","Wednesday"],"hours":[9,17],"minutes":[30,0]}}`,
		`{"frequency":"Month","interval":12,"startTime":"2021-02-01T00:00:00Z","schedule":{"monthDays":[29]}}`,
		`{"frequency":"Month","interval":1,"startTime":"2024-01-31T00:00:00","timeZone":"Australia/Lord_Howe","endTime":"2030-01-01T00:00:00","schedule":{"monthDays":[-1,31],"hours":[2],"minutes":[15]}}`,
		`{"frequency":"Second","interval":9999999,"startTime":"9999-12-31T23:59:59Z"}`,
		`{"frequency":"Day","interval":500,"startTime":"0001-01-01T00:00:00","timeZone":"Pacific/Apia","schedule":{"minutes":[0,59]}}`,
	} {
		f.Add(seed, int64(0))
	}
	f.Fuzz(func(t *testing.T, js string, afterOffset int64) {
		v, err := value.Decode([]byte(js))
		if err != nil {
			return
		}
		rec, err := Decode(v)
		if err != nil {
			return
		}
		p, err := Compile(rec, anchor2025)
		if err != nil {
			return
		}
		after := p.Start().Add(time.Duration(afterOffset%(1<<50)) - time.Second)
		for range 50 {
			next, ok := p.Next(after)
			if !ok {
				break
			}
			if !next.After(after) {
				t.Fatalf("%s: Next(%s) = %s", js, after, next)
			}
			after = next
		}
		p.Due(p.Start(), after.Add(time.Hour))
		p.Due(time.Time{}, after)
	})
}
