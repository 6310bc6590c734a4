// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"strings"
	"testing"
	"time"
)

func TestParseISODuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Duration
		str  string
	}{
		{"P1Y2M3DT4H5M6.5S", Duration{Years: 1, Months: 2, Days: 3, Clock: 4*time.Hour + 5*time.Minute + 6500*time.Millisecond}, "P1Y2M3DT4H5M6.5S"},
		{"PT1H", Duration{Clock: time.Hour}, "PT1H"},
		{"P2W", Duration{Weeks: 2}, "P2W"},
		{"-PT5M", Duration{Clock: 5 * time.Minute, Negative: true}, "-PT5M"},
		{"P1D", Duration{Days: 1}, "P1D"},
		{"PT0S", Duration{}, "PT0S"},
		{"PT1.5H", Duration{Clock: 90 * time.Minute}, "PT1H30M"},
		{"PT0,5S", Duration{Clock: 500 * time.Millisecond}, "PT0.5S"},
		{"PT0.0000001S", Duration{Clock: 100 * time.Nanosecond}, "PT0.0000001S"},
		{"P1M", Duration{Months: 1}, "P1M"},
		{"PT36H", Duration{Clock: 36 * time.Hour}, "PT36H"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseISODuration(tt.in)
			if err != nil {
				t.Fatalf("ParseISODuration(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseISODuration(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if s := got.String(); s != tt.str {
				t.Errorf("String() = %q, want %q", s, tt.str)
			}
		})
	}
}

func TestParseISODurationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", `does not start with "P"`},
		{"1D", `does not start with "P"`},
		{"P", "has no components"},
		{"PT", `no time components after "T"`},
		{"P1H", `unexpected designator "H"`},
		{"PT1D", `unexpected designator "D"`},
		{"P1D2Y", `unexpected designator "Y"`},
		{"P1.5D", "fraction in a calendar component"},
		{"PT1.5H2M", "only the last component may have a fraction"},
		{"P1", "want a number and a designator"},
		{"PTT1H", `second "T"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseISODuration(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseISODuration(%q) error = %v, want it to contain %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestDurationAddTo(t *testing.T) {
	t.Parallel()
	ny, err := LoadLocation("Eastern Standard Time")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dur  string
		from time.Time
		want time.Time
	}{
		{"one day", "P1D", time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2018, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"month clamps to end", "P1M", time.Date(2018, 1, 31, 0, 0, 0, 0, time.UTC), time.Date(2018, 2, 28, 0, 0, 0, 0, time.UTC)},
		{"month clamps in leap year", "P1M", time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"year from leap day", "P1Y", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(2025, 2, 28, 0, 0, 0, 0, time.UTC)},
		{"negative month across year", "-P2M", time.Date(2018, 1, 31, 0, 0, 0, 0, time.UTC), time.Date(2017, 11, 30, 0, 0, 0, 0, time.UTC)},
		{"weeks", "P2W", time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2018, 1, 15, 0, 0, 0, 0, time.UTC)},
		{"clock", "PT4H5M6.5S", time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2018, 1, 1, 4, 5, 6, 500000000, time.UTC)},
		{"negative clock", "-PT5M", time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2017, 12, 31, 23, 55, 0, 0, time.UTC)},
		{"all parts", "P1Y2M3DT4H", time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2019, 3, 4, 4, 0, 0, 0, time.UTC)},
		// A calendar day across the spring-forward gap keeps the wall clock.
		{"day across DST", "P1D", time.Date(2018, 3, 10, 12, 0, 0, 0, ny), time.Date(2018, 3, 11, 12, 0, 0, 0, ny)},
		// 24 clock hours across the gap moves the wall clock by an hour.
		{"hours across DST", "PT24H", time.Date(2018, 3, 10, 12, 0, 0, 0, ny), time.Date(2018, 3, 11, 13, 0, 0, 0, ny)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := ParseISODuration(tt.dur)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.AddTo(tt.from); !got.Equal(tt.want) {
				t.Errorf("%s.AddTo(%v) = %v, want %v", tt.dur, tt.from, got, tt.want)
			}
		})
	}
}
