// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"strings"
	"testing"
	"time"
)

func TestLoadLocationAllWindowsZones(t *testing.T) {
	t.Parallel()
	for win, iana := range windowsZones {
		t.Run(win, func(t *testing.T) {
			t.Parallel()
			loc, err := LoadLocation(win)
			if err != nil {
				t.Fatalf("LoadLocation(%q): %v", win, err)
			}
			if loc.String() != iana {
				t.Errorf("LoadLocation(%q) = %s, want %s", win, loc, iana)
			}
		})
	}
}

func TestLoadLocation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		at   time.Time // UTC instant
		want string    // wall clock and offset there
	}{
		// From shared/corpus/wdl/functions.json (convertFromUtc).
		{"Pacific Standard Time", time.Date(2018, 1, 1, 8, 0, 0, 0, time.UTC), "2018-01-01T00:00:00-08:00"},
		{"pacific standard time", time.Date(2018, 7, 1, 8, 0, 0, 0, time.UTC), "2018-07-01T01:00:00-07:00"},
		{"PACIFIC STANDARD TIME", time.Date(2018, 1, 1, 8, 0, 0, 0, time.UTC), "2018-01-01T00:00:00-08:00"},
		{"W. Europe Standard Time", time.Date(2018, 1, 1, 12, 0, 0, 0, time.UTC), "2018-01-01T13:00:00+01:00"},
		{"W. Europe Standard Time", time.Date(2018, 7, 1, 12, 0, 0, 0, time.UTC), "2018-07-01T14:00:00+02:00"},
		{"UTC", time.Date(2018, 7, 1, 12, 0, 0, 0, time.UTC), "2018-07-01T12:00:00Z"},
		{"India Standard Time", time.Date(2018, 7, 1, 12, 0, 0, 0, time.UTC), "2018-07-01T17:30:00+05:30"},
		{"Nepal Standard Time", time.Date(2018, 7, 1, 12, 0, 0, 0, time.UTC), "2018-07-01T17:45:00+05:45"},
		{"AUS Eastern Standard Time", time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), "2018-01-01T11:00:00+11:00"},
		{"Tokyo Standard Time", time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), "2018-01-01T09:00:00+09:00"},
		{"Dateline Standard Time", time.Date(2018, 1, 1, 12, 0, 0, 0, time.UTC), "2018-01-01T00:00:00-12:00"},
		{"Line Islands Standard Time", time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), "2018-01-01T14:00:00+14:00"},
		{"Europe/Berlin", time.Date(2018, 7, 1, 12, 0, 0, 0, time.UTC), "2018-07-01T14:00:00+02:00"},
		{"America/New_York", time.Date(2018, 1, 1, 12, 0, 0, 0, time.UTC), "2018-01-01T07:00:00-05:00"},
		// DST transitions: US spring forward 2018-03-11 at 02:00 local,
		// fall back 2018-11-04 at 02:00 local.
		{"Eastern Standard Time", time.Date(2018, 3, 11, 6, 59, 59, 0, time.UTC), "2018-03-11T01:59:59-05:00"},
		{"Eastern Standard Time", time.Date(2018, 3, 11, 7, 0, 0, 0, time.UTC), "2018-03-11T03:00:00-04:00"},
		{"Eastern Standard Time", time.Date(2018, 11, 4, 5, 30, 0, 0, time.UTC), "2018-11-04T01:30:00-04:00"},
		{"Eastern Standard Time", time.Date(2018, 11, 4, 6, 30, 0, 0, time.UTC), "2018-11-04T01:30:00-05:00"},
		// EU: 2018-03-25 01:00 UTC.
		{"Romance Standard Time", time.Date(2018, 3, 25, 0, 59, 0, 0, time.UTC), "2018-03-25T01:59:00+01:00"},
		{"Romance Standard Time", time.Date(2018, 3, 25, 1, 0, 0, 0, time.UTC), "2018-03-25T03:00:00+02:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.at.Format(time.RFC3339), func(t *testing.T) {
			t.Parallel()
			loc, err := LoadLocation(tt.name)
			if err != nil {
				t.Fatalf("LoadLocation(%q): %v", tt.name, err)
			}
			if got := tt.at.In(loc).Format(time.RFC3339); got != tt.want {
				t.Errorf("%v in %q = %s, want %s", tt.at, tt.name, got, tt.want)
			}
		})
	}
}

func TestLoadLocationErrors(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "Local", "Mars Standard Time", "Europe/Atlantis", "../etc/passwd"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadLocation(name)
			if err == nil || !strings.Contains(err.Error(), "unknown time zone") {
				t.Errorf("LoadLocation(%q) error = %v, want unknown time zone", name, err)
			}
		})
	}
}

// TestConvertExamples reproduces the corpus convertFromUtc/convertToUtc
// examples the way the expr package composes this API.
func TestConvertExamples(t *testing.T) {
	t.Parallel()
	pst, err := LoadLocation("Pacific Standard Time")
	if err != nil {
		t.Fatal(err)
	}
	in, err := ParseTime("2018-01-01T08:00:00.0000000Z")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := FormatTime(AsUnspecified(in.In(pst)), "", ""); got != "2018-01-01T00:00:00.0000000" {
		t.Errorf("convertFromUtc = %q", got)
	}
	if got, _ := FormatTime(AsUnspecified(in.In(pst)), "D", ""); got != "Monday, January 1, 2018" {
		t.Errorf("convertFromUtc D = %q", got)
	}
	local, err := ParseTime("01/01/2018 00:00:00")
	if err != nil {
		t.Fatal(err)
	}
	wall := time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), local.Second(), local.Nanosecond(), pst)
	if got, _ := FormatTime(wall.UTC(), "", ""); got != "2018-01-01T08:00:00.0000000Z" {
		t.Errorf("convertToUtc = %q", got)
	}
}
