// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"strings"
	"testing"
	"time"
)

func TestFormatTimeSpan(t *testing.T) {
	t.Parallel()
	long := 1*24*time.Hour + 2*time.Hour + 3*time.Minute + 4*time.Second + 500*time.Millisecond
	tests := []struct {
		name   string
		d      time.Duration
		format string
		want   string
	}{
		{"corpus dateDifference", 1268 * 24 * time.Hour, "c", "1268.00:00:00"},
		{"c", long, "c", "1.02:03:04.5000000"},
		{"empty is c", 2*time.Hour + 3*time.Minute, "", "02:03:00"},
		{"t is c", time.Minute, "t", "00:01:00"},
		{"c negative", -long, "c", "-1.02:03:04.5000000"},
		{"c zero", 0, "c", "00:00:00"},
		{"c truncates below tick", 150 * time.Nanosecond, "c", "00:00:00.0000001"},
		{"g", long, "g", "1:2:03:04.5"},
		{"g no days", 2*time.Hour + 3*time.Minute + 4*time.Second, "g", "2:03:04"},
		{"g negative", -time.Minute, "g", "-0:01:00"},
		{"G", long, "G", "1:02:03:04.5000000"},
		{"G zero", 0, "G", "0:00:00:00.0000000"},
		{"custom hh:mm", long, `hh\:mm`, "02:03"},
		{"custom %d", long, "%d", "1"},
		{"custom dd.hh:mm:ss", long, `dd\.hh\:mm\:ss`, "01.02:03:04"},
		{"custom ddddd", long, "ddddd", "00001"},
		{"custom h m s", long, `%h\ m\ s`, "2 3 4"},
		{"custom fff", long, `ss\.fff`, "04.500"},
		{"custom FFF", long, `ss\.FFF`, "04.5"},
		{"custom quoted", long, `d' days'`, "1 days"},
		{"custom no sign", -long, `hh\:mm`, "02:03"},
		{"max duration", time.Duration(1<<63 - 1), "c", "106751.23:47:16.8547758"},
		{"min duration", time.Duration(-1 << 63), "c", "-106751.23:47:16.8547758"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := FormatTimeSpan(tt.d, tt.format)
			if err != nil {
				t.Fatalf("FormatTimeSpan(%v, %q): %v", tt.d, tt.format, err)
			}
			if got != tt.want {
				t.Errorf("FormatTimeSpan(%v, %q) = %q, want %q", tt.d, tt.format, got, tt.want)
			}
		})
	}
}

func TestFormatTimeSpanErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ format, want string }{
		{"x", `invalid standard time span format "x"`},
		{"hh:mm", `unescaped ':' at position 2`},
		{"hhh", `3 'h' specifiers at position 0, at most 2 allowed`},
		{"ddddddddd", `9 'd' specifiers`},
		{"ffffffff", `8 'f' specifiers`},
		{"'abc", "unterminated quote at position 0"},
		{`hh\`, "backslash at the end"},
		{"%%", "'%' at position 0"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			_, err := FormatTimeSpan(time.Hour, tt.format)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("FormatTimeSpan(%q) error = %v, want it to contain %q", tt.format, err, tt.want)
			}
		})
	}
}

func TestParseTimeSpan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"1.02:03:04.5000000", 26*time.Hour + 3*time.Minute + 4*time.Second + 500*time.Millisecond},
		{"02:03:04", 2*time.Hour + 3*time.Minute + 4*time.Second},
		{"02:03", 2*time.Hour + 3*time.Minute},
		{"5", 5 * 24 * time.Hour},
		{"-5", -5 * 24 * time.Hour},
		{"-00:00:01", -time.Second},
		{"1:02:03:04.5", 26*time.Hour + 3*time.Minute + 4*time.Second + 500*time.Millisecond},
		{"00:00:00.0000001", 100 * time.Nanosecond},
		{" 1268.00:00:00 ", 1268 * 24 * time.Hour},
		{"0:0:0", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTimeSpan(tt.in)
			if err != nil {
				t.Fatalf("ParseTimeSpan(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseTimeSpan(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseTimeSpanErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", "empty"},
		{"abc", "want days or"},
		{"24:00:00", "component out of range"},
		{"00:60", "component out of range"},
		{"00:00:00.12345678", "fraction must have 1 to 7 digits"},
		{"1:2:3:4:5", "want hh:mm or hh:mm:ss"},
		{"1.", "want days or"},
		{"200000.00:00:00", "too long"},
		{"00:x", `bad component "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseTimeSpan(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "parsing time span") {
				t.Errorf("ParseTimeSpan(%q) error = %v, want it to contain %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestTimeSpanRoundTrip(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{0, time.Second, -26 * time.Hour, 1268 * 24 * time.Hour, 123456789 * tick} {
		s, err := FormatTimeSpan(d, "c")
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseTimeSpan(s)
		if err != nil || back != d {
			t.Errorf("ParseTimeSpan(%q) = %v, %v; want %v", s, back, err, d)
		}
	}
}
