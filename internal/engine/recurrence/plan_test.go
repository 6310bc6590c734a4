// SPDX-License-Identifier: Apache-2.0

package recurrence

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// anchor2025 is an anchor for plans whose recurrence has a startTime.
var anchor2025 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	req.NoError(tb, err)
	return t
}

// series returns the first n occurrences after after, in RFC 3339 with the
// plan's offset, stopping early when Next reports false.
func series(tb testing.TB, p *Plan, after time.Time, n int) []string {
	tb.Helper()
	var out []string
	for range n {
		t, ok := p.Next(after)
		if !ok {
			break
		}
		req.True(tb, t.After(after), "Next(%s) = %s is not after it", after, t)
		out = append(out, t.Format(time.RFC3339))
		after = t
	}
	return out
}

func TestNext(t *testing.T) {
	t.Parallel()
	pst := "Pacific Standard Time"
	cet := "W. Europe Standard Time"
	tests := []struct {
		name  string
		rec   Recurrence
		after string // default: one second before the start
		want  []string
	}{
		{
			name:  "every 15 minutes",
			rec:   Recurrence{Frequency: "Minute", Interval: 15, StartTime: "2025-01-01T00:00:00Z"},
			after: "2025-01-01T00:07:00Z",
			want:  []string{"2025-01-01T00:15:00Z", "2025-01-01T00:30:00Z", "2025-01-01T00:45:00Z"},
		},
		{
			name: "seconds from start",
			rec:  Recurrence{Frequency: "second", Interval: 30, StartTime: "2025-01-01T00:00:10Z"},
			want: []string{"2025-01-01T00:00:10Z", "2025-01-01T00:00:40Z", "2025-01-01T00:01:10Z"},
		},
		{
			name: "hours are absolute across spring forward",
			rec:  Recurrence{Frequency: "Hour", Interval: 5, StartTime: "2025-03-08T22:00:00", TimeZone: pst},
			want: []string{"2025-03-08T22:00:00-08:00", "2025-03-09T04:00:00-07:00", "2025-03-09T09:00:00-07:00"},
		},
		{
			name: "hours are absolute across fall back",
			rec:  Recurrence{Frequency: "Hour", Interval: 1, StartTime: "2025-11-02T00:30:00", TimeZone: pst},
			want: []string{"2025-11-02T00:30:00-07:00", "2025-11-02T01:30:00-07:00", "2025-11-02T01:30:00-08:00", "2025-11-02T02:30:00-08:00"},
		},
		{
			name: "US daily 02:30 spring forward fires after the gap",
			rec:  Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-03-07T02:30:00", TimeZone: pst},
			want: []string{"2025-03-07T02:30:00-08:00", "2025-03-08T02:30:00-08:00", "2025-03-09T03:00:00-07:00", "2025-03-10T02:30:00-07:00"},
		},
		{
			name: "US daily 01:30 fall back fires once",
			rec:  Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-11-01T01:30:00", TimeZone: pst},
			want: []string{"2025-11-01T01:30:00-07:00", "2025-11-02T01:30:00-07:00", "2025-11-03T01:30:00-08:00"},
		},
		{
			name: "US schedule 02:30 spring forward",
			rec: Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-03-08T00:00:00", TimeZone: pst,
				Schedule: &Schedule{Hours: []int{2}, Minutes: []int{15, 30}}},
			want: []string{"2025-03-08T02:15:00-08:00", "2025-03-08T02:30:00-08:00", "2025-03-09T03:00:00-07:00", "2025-03-10T02:15:00-07:00"},
		},
		{
			name: "US schedule 01:30 fall back",
			rec: Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-11-01T12:00:00", TimeZone: "America/Los_Angeles",
				Schedule: &Schedule{Hours: []int{1}, Minutes: []int{30}}},
			want: []string{"2025-11-02T01:30:00-07:00", "2025-11-03T01:30:00-08:00"},
		},
		{
			name: "EU daily 02:30 spring forward",
			rec:  Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-03-29T02:30:00", TimeZone: cet},
			want: []string{"2025-03-29T02:30:00+01:00", "2025-03-30T03:00:00+02:00", "2025-03-31T02:30:00+02:00"},
		},
		{
			name: "EU daily 02:30 fall back",
			rec: Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-10-25T00:00:00", TimeZone: cet,
				Schedule: &Schedule{Hours: []int{2}, Minutes: []int{30}}},
			want: []string{"2025-10-25T02:30:00+02:00", "2025-10-26T02:30:00+02:00", "2025-10-27T02:30:00+01:00"},
		},
		{
			name: "London 01:30 fall back",
			rec:  Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-10-25T01:30:00", TimeZone: "Europe/London"},
			want: []string{"2025-10-25T01:30:00+01:00", "2025-10-26T01:30:00+01:00", "2025-10-27T01:30:00Z"},
		},
		{
			name: "Santiago spring forward at midnight",
			rec:  Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-09-05T00:30:00", TimeZone: "America/Santiago"},
			want: []string{"2025-09-05T00:30:00-04:00", "2025-09-06T00:30:00-04:00", "2025-09-07T01:00:00-03:00", "2025-09-08T00:30:00-03:00"},
		},
		{
			name: "Lord Howe half-hour gap",
			rec:  Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-10-04T02:15:00", TimeZone: "Australia/Lord_Howe"},
			want: []string{"2025-10-04T02:15:00+10:30", "2025-10-05T02:30:00+11:00", "2025-10-06T02:15:00+11:00"},
		},
		{
			name: "Samoa skipped a whole day",
			rec:  Recurrence{Frequency: "Day", Interval: 1, StartTime: "2011-12-28T10:00:00", TimeZone: "Pacific/Apia"},
			want: []string{"2011-12-28T10:00:00-10:00", "2011-12-29T10:00:00-10:00", "2011-12-31T00:00:00+14:00", "2011-12-31T10:00:00+14:00"},
		},
		{
			name: "fixed-offset zone",
			rec:  Recurrence{Frequency: "Day", Interval: 2, StartTime: "2025-01-01T09:00:00", TimeZone: "India Standard Time"},
			want: []string{"2025-01-01T09:00:00+05:30", "2025-01-03T09:00:00+05:30"},
		},
		{
			name: "start with offset is absolute",
			rec:  Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-01-01T09:00:00+02:00"},
			want: []string{"2025-01-01T07:00:00Z", "2025-01-02T07:00:00Z"},
		},
		{
			name:  "start in Z with a time zone keeps local time across DST",
			rec:   Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-03-08T17:00:00Z", TimeZone: pst},
			after: "2025-03-08T00:00:00Z",
			want:  []string{"2025-03-08T09:00:00-08:00", "2025-03-09T09:00:00-07:00"},
		},
		{
			name:  "start in the past",
			rec:   Recurrence{Frequency: "Day", Interval: 1, StartTime: "2020-01-01T09:00:00Z"},
			after: "2025-06-15T12:00:00Z",
			want:  []string{"2025-06-16T09:00:00Z", "2025-06-17T09:00:00Z"},
		},
		{
			name:  "start in the future",
			rec:   Recurrence{Frequency: "Hour", Interval: 3, StartTime: "2030-01-01T00:00:00Z"},
			after: "2025-06-15T12:00:00Z",
			want:  []string{"2030-01-01T00:00:00Z", "2030-01-01T03:00:00Z"},
		},
		{
			name:  "every 3 days",
			rec:   Recurrence{Frequency: "Day", Interval: 3, StartTime: "2025-01-30T06:00:00Z"},
			after: "2025-02-01T00:00:00Z",
			want:  []string{"2025-02-02T06:00:00Z", "2025-02-05T06:00:00Z"},
		},
		{
			name: "leap day",
			rec:  Recurrence{Frequency: "Day", Interval: 1, StartTime: "2024-02-28T00:00:00Z"},
			want: []string{"2024-02-28T00:00:00Z", "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"},
		},
		{
			name: "every other week",
			rec:  Recurrence{Frequency: "Week", Interval: 2, StartTime: "2025-01-06T09:00:00Z"},
			want: []string{"2025-01-06T09:00:00Z", "2025-01-20T09:00:00Z", "2025-02-03T09:00:00Z"},
		},
		{
			name: "weekdays at 9:00 Pacific",
			rec: Recurrence{Frequency: "Week", Interval: 1, StartTime: "2025-01-01T00:00:00", TimeZone: pst,
				Schedule: &Schedule{WeekDays: []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}, Hours: []int{9}, Minutes: []int{0}}},
			want: []string{"2025-01-01T09:00:00-08:00", "2025-01-02T09:00:00-08:00", "2025-01-03T09:00:00-08:00", "2025-01-06T09:00:00-08:00"},
		},
		{
			name: "every 2 weeks on Mon and Wed at 9:30 and 17:00",
			rec: Recurrence{Frequency: "Week", Interval: 2, StartTime: "2025-01-08T12:00:00Z",
				Schedule: &Schedule{WeekDays: []string{"wednesday", "Monday"}, Hours: []int{17, 9}, Minutes: []int{30, 0}}},
			want: []string{
				"2025-01-08T17:00:00Z", "2025-01-08T17:30:00Z",
				"2025-01-20T09:00:00Z", "2025-01-20T09:30:00Z", "2025-01-20T17:00:00Z", "2025-01-20T17:30:00Z",
				"2025-01-22T09:00:00Z", "2025-01-22T09:30:00Z", "2025-01-22T17:00:00Z", "2025-01-22T17:30:00Z",
				"2025-02-03T09:00:00Z",
			},
		},
		{
			name: "weekly schedule without weekDays uses the start's day",
			rec: Recurrence{Frequency: "Week", Interval: 1, StartTime: "2025-01-08T12:00:00Z",
				Schedule: &Schedule{Hours: []int{8, 20}}},
			want: []string{"2025-01-08T20:00:00Z", "2025-01-15T08:00:00Z", "2025-01-15T20:00:00Z"},
		},
		{
			name: "weekly on Sunday across a year",
			rec: Recurrence{Frequency: "Week", Interval: 1, StartTime: "2025-12-25T00:00:00Z",
				Schedule: &Schedule{WeekDays: []string{"Sunday"}, Hours: []int{0}, Minutes: []int{0}}},
			want: []string{"2025-12-28T00:00:00Z", "2026-01-04T00:00:00Z"},
		},
		{
			name: "every 3 days at 8 and 20",
			rec: Recurrence{Frequency: "Day", Interval: 3, StartTime: "2025-01-01T10:00:00Z",
				Schedule: &Schedule{Hours: []int{8, 20}}},
			want: []string{"2025-01-01T20:00:00Z", "2025-01-04T08:00:00Z", "2025-01-04T20:00:00Z", "2025-01-07T08:00:00Z"},
		},
		{
			name: "minutes only means every hour",
			rec: Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-01-01T10:10:00Z",
				Schedule: &Schedule{Minutes: []int{0, 30}}},
			want: []string{"2025-01-01T10:30:00Z", "2025-01-01T11:00:00Z", "2025-01-01T11:30:00Z"},
		},
		{
			name: "hours only take the start's minute",
			rec: Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-01-01T10:45:00Z",
				Schedule: &Schedule{Hours: []int{6}}},
			want: []string{"2025-01-02T06:45:00Z", "2025-01-03T06:45:00Z"},
		},
		{
			name: "month from the 31st clamps",
			rec:  Recurrence{Frequency: "Month", Interval: 1, StartTime: "2024-01-31T08:00:00Z"},
			want: []string{"2024-01-31T08:00:00Z", "2024-02-29T08:00:00Z", "2024-03-31T08:00:00Z", "2024-04-30T08:00:00Z", "2024-05-31T08:00:00Z"},
		},
		{
			name: "month from the 31st in a common year",
			rec:  Recurrence{Frequency: "Month", Interval: 1, StartTime: "2023-01-31T08:00:00Z"},
			want: []string{"2023-01-31T08:00:00Z", "2023-02-28T08:00:00Z", "2023-03-31T08:00:00Z"},
		},
		{
			name: "quarterly",
			rec:  Recurrence{Frequency: "Month", Interval: 3, StartTime: "2025-01-15T00:00:00Z"},
			want: []string{"2025-01-15T00:00:00Z", "2025-04-15T00:00:00Z", "2025-07-15T00:00:00Z", "2025-10-15T00:00:00Z", "2026-01-15T00:00:00Z"},
		},
		{
			name: "monthDays 31 skips short months",
			rec: Recurrence{Frequency: "Month", Interval: 1, StartTime: "2025-01-01T00:00:00Z",
				Schedule: &Schedule{MonthDays: []int{31}}},
			want: []string{"2025-01-31T00:00:00Z", "2025-03-31T00:00:00Z", "2025-05-31T00:00:00Z", "2025-07-31T00:00:00Z", "2025-08-31T00:00:00Z"},
		},
		{
			name: "monthDays 29 and 30 skip February",
			rec: Recurrence{Frequency: "Month", Interval: 1, StartTime: "2023-01-15T00:00:00Z",
				Schedule: &Schedule{MonthDays: []int{30, 29}}},
			want: []string{"2023-01-29T00:00:00Z", "2023-01-30T00:00:00Z", "2023-03-29T00:00:00Z", "2023-03-30T00:00:00Z"},
		},
		{
			name: "monthDays 29 every February waits for a leap year",
			rec: Recurrence{Frequency: "Month", Interval: 12, StartTime: "2021-02-01T00:00:00Z",
				Schedule: &Schedule{MonthDays: []int{29}}},
			want: []string{"2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z"},
		},
		{
			name: "last day of the month",
			rec: Recurrence{Frequency: "Month", Interval: 1, StartTime: "2024-01-01T00:00:00Z",
				Schedule: &Schedule{MonthDays: []int{-1}}},
			want: []string{"2024-01-31T00:00:00Z", "2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z", "2024-04-30T00:00:00Z"},
		},
		{
			name: "first of the month at 9 Pacific",
			rec: Recurrence{Frequency: "Month", Interval: 1, StartTime: "2025-01-15T00:00:00", TimeZone: pst,
				Schedule: &Schedule{MonthDays: []int{1}, Hours: []int{9}, Minutes: []int{0}}},
			want: []string{"2025-02-01T09:00:00-08:00", "2025-03-01T09:00:00-08:00", "2025-04-01T09:00:00-07:00"},
		},
		{
			name: "endTime is inclusive",
			rec:  Recurrence{Frequency: "Minute", Interval: 30, StartTime: "2025-01-01T00:00:00Z", EndTime: "2025-01-01T01:00:00Z"},
			want: []string{"2025-01-01T00:00:00Z", "2025-01-01T00:30:00Z", "2025-01-01T01:00:00Z"},
		},
		{
			name: "endTime in local time",
			rec: Recurrence{Frequency: "Week", Interval: 1, StartTime: "2025-01-01T00:00:00", EndTime: "2025-01-06T09:00:00", TimeZone: pst,
				Schedule: &Schedule{WeekDays: []string{"Monday", "Friday"}, Hours: []int{9, 10}, Minutes: []int{0}}},
			want: []string{"2025-01-03T09:00:00-08:00", "2025-01-03T10:00:00-08:00", "2025-01-06T09:00:00-08:00"},
		},
		{
			name:  "the year 9999 ends every series",
			rec:   Recurrence{Frequency: "Month", Interval: 16, StartTime: "9999-06-01T00:00:00Z"},
			after: "9999-07-01T00:00:00Z",
			want:  nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := Compile(tc.rec, anchor2025)
			req.NoError(t, err)
			after := p.Start().Add(-time.Second)
			if tc.after != "" {
				after = mustTime(t, tc.after)
			}
			req.Equal(t, tc.want, series(t, p, after, len(tc.want)))
			if tc.rec.EndTime != "" {
				got := series(t, p, after, len(tc.want)+5)
				req.Equal(t, tc.want, got, "the series must stop at endTime")
			}
		})
	}
}

func TestNextWithoutStartTime(t *testing.T) {
	t.Parallel()
	anchor := time.Date(2025, 5, 5, 10, 20, 30, 500_000_000, time.UTC)
	p, err := Compile(Recurrence{Frequency: "Minute", Interval: 10}, anchor)
	req.NoError(t, err)
	req.Equal(t, []string{"2025-05-05T10:20:30Z", "2025-05-05T10:30:30Z"}, series(t, p, anchor.Add(-time.Second), 2))
	next, ok := p.Next(anchor)
	req.True(t, ok)
	req.Equal(t, "2025-05-05T10:30:30Z", next.Format(time.RFC3339))

	// A schedule without startTime takes its period and default time of day
	// from the anchor.
	p, err = Compile(Recurrence{Frequency: "Week", Interval: 2, Schedule: &Schedule{WeekDays: []string{"Friday"}}}, anchor)
	req.NoError(t, err)
	req.Equal(t, []string{"2025-05-09T10:20:30Z", "2025-05-23T10:20:30Z"}, series(t, p, anchor, 2))
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	start := "2025-01-01T00:00:00Z"
	tests := []struct {
		name   string
		rec    Recurrence
		anchor time.Time
		want   []string
	}{
		{"missing frequency", Recurrence{Interval: 1, StartTime: start}, anchor2025,
			[]string{"recurrence.frequency: missing"}},
		{"unknown frequency", Recurrence{Frequency: "Year", Interval: 1, StartTime: start}, anchor2025,
			[]string{`recurrence.frequency: "Year" is not one of Second, Minute, Hour, Day, Week, Month`}},
		{"zero interval", Recurrence{Frequency: "Day", StartTime: start}, anchor2025,
			[]string{"recurrence.interval: 0 is out of range for frequency Day (1-500)"}},
		{"month interval", Recurrence{Frequency: "Month", Interval: 17, StartTime: start}, anchor2025,
			[]string{"recurrence.interval: 17 is out of range for frequency Month (1-16)"}},
		{"week interval", Recurrence{Frequency: "Week", Interval: 72, StartTime: start}, anchor2025,
			[]string{"recurrence.interval: 72 is out of range for frequency Week (1-71)"}},
		{"hour interval", Recurrence{Frequency: "Hour", Interval: 12_001, StartTime: start}, anchor2025,
			[]string{"recurrence.interval: 12001 is out of range for frequency Hour (1-12000)"}},
		{"minute interval", Recurrence{Frequency: "Minute", Interval: 72_001, StartTime: start}, anchor2025,
			[]string{"recurrence.interval: 72001 is out of range for frequency Minute (1-72000)"}},
		{"second interval", Recurrence{Frequency: "Second", Interval: 10_000_000, StartTime: start}, anchor2025,
			[]string{"recurrence.interval: 10000000 is out of range for frequency Second (1-9999999)"}},
		{"hour out of range", Recurrence{Frequency: "Day", Interval: 1, StartTime: start, Schedule: &Schedule{Hours: []int{1, 2, 24}, Minutes: []int{60}}}, anchor2025,
			[]string{"recurrence.schedule.hours[2]: 24 is not an hour (0-23)", "recurrence.schedule.minutes[0]: 60 is not a minute (0-59)"}},
		{"bad day name", Recurrence{Frequency: "Week", Interval: 1, StartTime: start, Schedule: &Schedule{WeekDays: []string{"Monday", "Funday"}}}, anchor2025,
			[]string{`recurrence.schedule.weekDays[1]: "Funday" is not a day name (Monday-Sunday)`}},
		{"bad month days", Recurrence{Frequency: "Month", Interval: 1, StartTime: start, Schedule: &Schedule{MonthDays: []int{0, 32, -32}}}, anchor2025,
			[]string{
				"recurrence.schedule.monthDays[0]: 0 is not a day of the month (1-31, or -1 to -31 from the end)",
				"recurrence.schedule.monthDays[1]: 32 is not a day of the month (1-31, or -1 to -31 from the end)",
				"recurrence.schedule.monthDays[2]: -32 is not a day of the month (1-31, or -1 to -31 from the end)",
			}},
		{"weekDays with Day", Recurrence{Frequency: "Day", Interval: 1, StartTime: start, Schedule: &Schedule{WeekDays: []string{"Monday"}}}, anchor2025,
			[]string{"recurrence.schedule.weekDays: only allowed with frequency Week"}},
		{"monthDays with Week", Recurrence{Frequency: "Week", Interval: 1, StartTime: start, Schedule: &Schedule{MonthDays: []int{1}}}, anchor2025,
			[]string{"recurrence.schedule.monthDays: only allowed with frequency Month"}},
		{"schedule with Hour", Recurrence{Frequency: "Hour", Interval: 1, StartTime: start, Schedule: &Schedule{Minutes: []int{15}}}, anchor2025,
			[]string{"recurrence.schedule.minutes: only allowed with frequency Day, Week or Month"}},
		{"unknown time zone", Recurrence{Frequency: "Day", Interval: 1, StartTime: start, TimeZone: "Mars Standard Time"}, anchor2025,
			[]string{`recurrence.timeZone: "Mars Standard Time" is not a Windows or IANA time zone`}},
		{"bad startTime", Recurrence{Frequency: "Day", Interval: 1, StartTime: "tomorrow"}, anchor2025,
			[]string{`recurrence.startTime: "tomorrow" is not an ISO 8601 date-time such as 2017-09-07T14:00:00`}},
		{"endTime before startTime", Recurrence{Frequency: "Day", Interval: 1, StartTime: start, EndTime: "2024-12-31T23:59:59Z"}, anchor2025,
			[]string{"recurrence.endTime: 2024-12-31T23:59:59Z is before startTime"}},
		{"no start and no anchor", Recurrence{Frequency: "Day", Interval: 1}, time.Time{},
			[]string{"recurrence.startTime: missing, and no anchor time was given"}},
		{"monthDays that never exist", Recurrence{Frequency: "Month", Interval: 12, StartTime: "2025-02-01T00:00:00Z", Schedule: &Schedule{MonthDays: []int{31}}}, anchor2025,
			[]string{"recurrence.schedule.monthDays: no period selected by frequency Month and interval 12 has such a day"}},
		{"monthDays 30 every other month from February", Recurrence{Frequency: "Month", Interval: 12, StartTime: "2025-02-01T00:00:00Z", Schedule: &Schedule{MonthDays: []int{30, -30}}}, anchor2025,
			[]string{"recurrence.schedule.monthDays: no period selected by frequency Month and interval 12 has such a day"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := Compile(tc.rec, tc.anchor)
			req.Error(t, err)
			req.Nil(t, p)
			req.Equal(t, strings.Join(tc.want, "\n"), err.Error())
			var fe *FieldError
			req.True(t, errors.As(err, &fe))
			req.True(t, strings.HasPrefix(fe.Field, "recurrence"))
		})
	}
}

func TestDue(t *testing.T) {
	t.Parallel()
	every15 := Recurrence{Frequency: "Minute", Interval: 15, StartTime: "2025-01-01T00:00:00Z"}
	tests := []struct {
		name     string
		rec      Recurrence
		anchor   string
		lastFire string
		now      string
		fireAt   string // "" = no fire
		next     string // "" = no next
	}{
		{"on time", every15, "2025-01-01T00:00:00Z", "2025-01-01T00:15:00Z", "2025-01-01T00:30:00Z",
			"2025-01-01T00:30:00Z", "2025-01-01T00:45:00Z"},
		{"early wake-up", every15, "2025-01-01T00:00:00Z", "2025-01-01T00:15:00Z", "2025-01-01T00:20:00Z",
			"", "2025-01-01T00:30:00Z"},
		{"downtime fires once for the latest", every15, "2025-01-01T00:00:00Z", "2025-01-01T00:15:00Z", "2025-01-01T03:07:00Z",
			"2025-01-01T03:00:00Z", "2025-01-01T03:15:00Z"},
		{"first fire at start", every15, "2024-12-31T00:00:00Z", "", "2025-01-01T00:00:00Z",
			"2025-01-01T00:00:00Z", "2025-01-01T00:15:00Z"},
		{"start in the past does not catch up", Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-01-01T09:00:00Z"},
			"2025-06-01T12:00:00Z", "", "2025-06-01T12:00:00Z", "", "2025-06-02T09:00:00Z"},
		{"no startTime fires at once", Recurrence{Frequency: "Hour", Interval: 1},
			"2025-06-01T12:00:00Z", "", "2025-06-01T12:00:00Z", "2025-06-01T12:00:00Z", "2025-06-01T13:00:00Z"},
		{"never fired and down since the anchor", Recurrence{Frequency: "Hour", Interval: 1},
			"2025-06-01T12:00:00Z", "", "2025-06-02T05:30:00Z", "2025-06-02T05:00:00Z", "2025-06-02T06:00:00Z"},
		{"downtime over a weekly schedule", Recurrence{Frequency: "Week", Interval: 1, StartTime: "2025-01-01T00:00:00Z",
			Schedule: &Schedule{WeekDays: []string{"Monday", "Thursday"}, Hours: []int{9}, Minutes: []int{0}}},
			"2025-01-01T00:00:00Z", "2025-01-06T09:00:00Z", "2025-01-21T08:00:00Z", "2025-01-20T09:00:00Z", "2025-01-23T09:00:00Z"},
		{"series ended while down", Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-01-01T09:00:00Z", EndTime: "2025-01-05T12:00:00Z"},
			"2025-01-01T00:00:00Z", "2025-01-02T09:00:00Z", "2025-02-01T00:00:00Z", "2025-01-05T09:00:00Z", ""},
		{"series ended and fired", Recurrence{Frequency: "Day", Interval: 1, StartTime: "2025-01-01T09:00:00Z", EndTime: "2025-01-05T12:00:00Z"},
			"2025-01-01T00:00:00Z", "2025-01-05T09:00:00Z", "2025-02-01T00:00:00Z", "", ""},
		{"monthly over a DST change", Recurrence{Frequency: "Month", Interval: 1, StartTime: "2025-01-10T02:30:00", TimeZone: "Pacific Standard Time",
			Schedule: &Schedule{MonthDays: []int{9}}},
			"2025-01-01T00:00:00Z", "2025-02-09T02:30:00-08:00", "2025-03-09T12:00:00Z", "2025-03-09T03:00:00-07:00", "2025-04-09T02:30:00-07:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := Compile(tc.rec, mustTime(t, tc.anchor))
			req.NoError(t, err)
			var last time.Time
			if tc.lastFire != "" {
				last = mustTime(t, tc.lastFire)
			}
			fireAt, next, fire := p.Due(last, mustTime(t, tc.now))
			req.Equal(t, tc.fireAt != "", fire, "fire")
			if fire {
				req.True(t, mustTime(t, tc.fireAt).Equal(fireAt), "fireAt = %s, want %s", fireAt, tc.fireAt)
			}
			if tc.next == "" {
				req.True(t, next.IsZero(), "next = %s, want none", next)
			} else {
				req.True(t, mustTime(t, tc.next).Equal(next), "next = %s, want %s", next, tc.next)
			}
		})
	}
}

func BenchmarkNextWeekly(b *testing.B) {
	p, err := Compile(Recurrence{Frequency: "Week", Interval: 2, StartTime: "2025-01-06T00:00:00", TimeZone: "Pacific Standard Time",
		Schedule: &Schedule{WeekDays: []string{"Monday", "Wednesday"}, Hours: []int{9, 17}, Minutes: []int{30, 0}}}, anchor2025)
	req.NoError(b, err)
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	t := from
	b.ReportAllocs()
	for b.Loop() {
		var ok bool
		t, ok = p.Next(t)
		if !ok {
			b.Fatal("series ended")
		}
		if t.Year() > 2100 {
			t = from
		}
	}
}
