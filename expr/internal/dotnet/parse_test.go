// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // FormatTime(result, "o", "")
	}{
		{"2018-03-15", "2018-03-15T00:00:00.0000000"},
		{"2018-03-15T13:00", "2018-03-15T13:00:00.0000000"},
		{"2018-03-15T13:27:36Z", "2018-03-15T13:27:36.0000000Z"},
		{"2018-01-01T08:00:00.0000000Z", "2018-01-01T08:00:00.0000000Z"},
		{"2018-03-15T13:00:00.1234567+05:30", "2018-03-15T13:00:00.1234567+05:30"},
		{"2018-03-15T13:00:00.5-08:00", "2018-03-15T13:00:00.5000000-08:00"},
		{"2018-03-15T13:00:00.123456789-0800", "2018-03-15T13:00:00.1234567-08:00"},
		{"2018-03-15T13:00:00+01", "2018-03-15T13:00:00.0000000+01:00"},
		{"2018-03-15 13:00:00", "2018-03-15T13:00:00.0000000"},
		{"  2018-03-15T13:00:00Z  ", "2018-03-15T13:00:00.0000000Z"},
		{"2024-02-29", "2024-02-29T00:00:00.0000000"},
		{"Mon, 15 Jan 2018 13:00:00 GMT", "2018-01-15T13:00:00.0000000Z"},
		{"03/15/2018 13:00:00", "2018-03-15T13:00:00.0000000"},
		{"03/15/2018", "2018-03-15T00:00:00.0000000"},
		{"01/01/2018 00:00:00", "2018-01-01T00:00:00.0000000"},
		{"3/5/2018 1:05 PM", "2018-03-05T13:05:00.0000000"},
		{"03/15/2018 12:00:00 AM", "2018-03-15T00:00:00.0000000"},
		{"15 January 2018", "2018-01-15T00:00:00.0000000"},
		{"2018/03/15 13:00:00", "2018-03-15T13:00:00.0000000"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTime(tt.in)
			if err != nil {
				t.Fatalf("ParseTime(%q): %v", tt.in, err)
			}
			s, err := FormatTime(got, "o", "")
			if err != nil {
				t.Fatal(err)
			}
			if s != tt.want {
				t.Errorf("ParseTime(%q) = %s, want %s", tt.in, s, tt.want)
			}
		})
	}
}

func TestParseTimeLocation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want *time.Location
	}{
		{"2018-03-15T13:00:00Z", time.UTC},
		{"2018-03-15T13:00:00", Unspecified},
		{"03/15/2018", Unspecified},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTime(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Location() != tt.want {
				t.Errorf("ParseTime(%q).Location() = %v, want %v", tt.in, got.Location(), tt.want)
			}
		})
	}
	t.Run("unspecified is treated as UTC", func(t *testing.T) {
		t.Parallel()
		a, _ := ParseTime("2018-03-15T13:00:00")
		b, _ := ParseTime("2018-03-15T13:00:00Z")
		if !a.Equal(b) {
			t.Errorf("%v and %v differ", a, b)
		}
	})
}

func TestParseTimeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
	}{
		{"", `parsing timestamp "": empty timestamp`},
		{"not a date", `parsing timestamp "not a date": unexpected "not" at offset 0`},
		{"2018-02-30", "day 30 out of range for 2018-02"},
		{"2019-02-29", "day 29 out of range for 2019-02"},
		{"2018-13-01", "month 13 out of range"},
		{"2018-03-15T25:00:00", "hour 25 out of range"},
		{"13/15/2018", "month 13 out of range"},
		{"03/15", "want a date of three numbers, have 2"},
		{"2018-03-15T13:00:00+25:00", `parsing timestamp "2018-03-15T13:00:00+25:00"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseTime(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseTime(%q) error = %v, want it to contain %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestParseTimeExact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, format, culture string
		want                      string
	}{
		// From shared/corpus/wdl/functions.json (parseDateTime).
		{"corpus fr-fr short date", "20/10/2014", "", "fr-fr", "2014-10-20T00:00:00.0000000"},
		{"corpus fr-FR month name", "20 octobre 2010", "", "fr-FR", "2010-10-20T00:00:00.0000000"},
		{"corpus es-es day name", "martes 20 octubre 2020", "", "es-es", "2020-10-20T00:00:00.0000000"},
		{"corpus ddMMyyyy", "21052019", "ddMMyyyy", "fr-fr", "2019-05-21T00:00:00.0000000"},
		{"corpus yyyyMMdd", "20190521", "yyyyMMdd", "fr-fr", "2019-05-21T00:00:00.0000000"},
		{"corpus escaped h", "10/20/2014 15h", `MM/dd/yyyy HH\h`, "en-US", "2014-10-20T15:00:00.0000000"},

		{"lenient en-US", "10/20/2014", "", "en-US", "2014-10-20T00:00:00.0000000"},
		{"lenient de-DE", "20.10.2014 13:45", "", "de-DE", "2014-10-20T13:45:00.0000000"},
		{"lenient de-DE month", "20. Oktober 2014", "", "de-DE", "2014-10-20T00:00:00.0000000"},
		{"lenient ja-JP", "2014/10/20", "", "ja-JP", "2014-10-20T00:00:00.0000000"},
		{"lenient sv-SE", "2014-10-20 08:00", "", "sv-SE", "2014-10-20T08:00:00.0000000"},
		{"lenient pt-BR de", "20 de outubro de 2014", "", "pt-BR", "2014-10-20T00:00:00.0000000"},
		{"lenient iso", "2014-10-20T08:00:00Z", "", "fr-FR", "2014-10-20T08:00:00.0000000Z"},
		{"lenient two-digit year", "20/10/14", "", "fr-FR", "2014-10-20T00:00:00.0000000"},
		{"lenient two-digit year 1900s", "20/10/87", "", "fr-FR", "1987-10-20T00:00:00.0000000"},

		{"standard D", "Tuesday, January 2, 2018", "D", "", "2018-01-02T00:00:00.0000000"},
		{"standard d de-DE", "02.01.2018", "d", "de-DE", "2018-01-02T00:00:00.0000000"},
		{"standard o", "2018-01-02T10:00:00.5000000+01:00", "o", "", "2018-01-02T10:00:00.5000000+01:00"},
		{"standard o utc", "2018-01-02T10:00:00.0000000Z", "o", "", "2018-01-02T10:00:00.0000000Z"},
		{"standard r", "Tue, 02 Jan 2018 15:04:05 GMT", "r", "de-DE", "2018-01-02T15:04:05.0000000"},
		{"abbreviated month fr-FR", "2 janv. 2018", "d MMM yyyy", "fr-FR", "2018-01-02T00:00:00.0000000"},
		{"month name case-insensitive", "2 JANUARY 2018", "d MMMM yyyy", "", "2018-01-02T00:00:00.0000000"},
		{"12-hour clock", "01/02/2018 3:04 PM", "MM/dd/yyyy h:mm tt", "", "2018-01-02T15:04:00.0000000"},
		{"12 AM", "01/02/2018 12:30 AM", "MM/dd/yyyy hh:mm tt", "", "2018-01-02T00:30:00.0000000"},
		{"fraction F", "10:00:00.25", "yyyy HH:mm:ss.FFF", "", ""},
		{"offset zzz", "2018-01-02 10:00 -05:00", "yyyy-MM-dd HH:mm zzz", "", "2018-01-02T10:00:00.0000000-05:00"},
		{"K empty", "2018-01-02 10:00", "yyyy-MM-dd HH:mmK", "", "2018-01-02T10:00:00.0000000"},
		{"quoted literal", "Year 2018 day 5", "'Year' yyyy 'day' d", "", "2018-01-05T00:00:00.0000000"},
		{"leap day", "29/02/2024", "dd/MM/yyyy", "en-GB", "2024-02-29T00:00:00.0000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTimeExact(tt.in, tt.format, tt.culture)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("ParseTimeExact(%q, %q, %q) = %v, want an error", tt.in, tt.format, tt.culture, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTimeExact(%q, %q, %q): %v", tt.in, tt.format, tt.culture, err)
			}
			s, _ := FormatTime(got, "o", "")
			if s != tt.want {
				t.Errorf("ParseTimeExact(%q, %q, %q) = %s, want %s", tt.in, tt.format, tt.culture, s, tt.want)
			}
		})
	}
}

func TestParseTimeExactErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, format, culture string
		want                      string
	}{
		{"unknown culture", "2018", "yyyy", "zz-ZZ", `unsupported culture "zz-ZZ"`},
		{"too few digits", "2018-1-02", "yyyy-MM-dd", "", "want 2 digits of month at offset 5"},
		{"literal mismatch", "2018/01/02", "yyyy-MM-dd", "", `want '-' at offset 4`},
		{"trailing text", "2018-01-02x", "yyyy-MM-dd", "", `unexpected "x" at offset 10`},
		{"wrong weekday", "Monday, January 2, 2018", "D", "", "day of week Monday does not match the date 2018-01-02"},
		{"bad month name", "2 Foo 2018", "d MMMM yyyy", "", "want a month name at offset 2"},
		{"invalid date", "31/02/2018", "dd/MM/yyyy", "fr-FR", "day 31 out of range for 2018-02"},
		{"unterminated quote", "x", "'x", "", "unterminated quote"},
		{"lenient garbage", "20 foo 2014", "", "fr-FR", `unexpected "foo" at offset 3`},
		{"names the input", "nope", "yyyy", "", `parsing timestamp "nope" with format "yyyy"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseTimeExact(tt.in, tt.format, tt.culture)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseTimeExact(%q, %q, %q) error = %v, want it to contain %q", tt.in, tt.format, tt.culture, err, tt.want)
			}
		})
	}
}
