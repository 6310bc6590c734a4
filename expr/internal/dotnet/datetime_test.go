// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"strings"
	"testing"
	"time"
)

func TestFormatTime(t *testing.T) {
	t.Parallel()
	utc := time.Date(2018, 1, 2, 15, 4, 5, 123456700, time.UTC)
	unspec := AsUnspecified(utc)
	plus530 := utc.In(time.FixedZone("IST", 5*3600+1800))
	minus8 := time.Date(2018, 1, 2, 7, 4, 5, 0, time.FixedZone("", -8*3600))
	morning := time.Date(2016, 1, 31, 9, 5, 7, 0, Unspecified)
	leap := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		t       time.Time
		format  string
		culture string
		want    string
	}{
		// From shared/corpus/wdl/functions.json.
		{"corpus default format", time.Date(2018, 3, 25, 0, 0, 0, 0, time.UTC), "", "", "2018-03-25T00:00:00.0000000Z"},
		{"corpus unspecified o", time.Date(2018, 3, 15, 0, 0, 0, 0, Unspecified), "o", "", "2018-03-15T00:00:00.0000000"},
		{"corpus custom sortable", time.Date(2018, 3, 15, 12, 0, 0, 0, Unspecified), "yyyy-MM-ddTHH:mm:ss", "", "2018-03-15T12:00:00"},
		{"corpus dddd MMMM d", time.Date(2016, 1, 31, 0, 0, 0, 0, Unspecified), "dddd MMMM d", "", "Sunday January 31"},
		{"corpus fr-fr", time.Date(2016, 1, 31, 0, 0, 0, 0, Unspecified), "dddd MMMM d", "fr-fr", "dimanche janvier 31"},
		{"corpus es-es", time.Date(2016, 1, 31, 0, 0, 0, 0, Unspecified), "dddd MMMM d", "es-es", "domingo enero 31"},
		{"corpus D", time.Date(2018, 1, 2, 0, 0, 0, 0, time.UTC), "D", "", "Tuesday, January 2, 2018"},
		{"corpus start of month", time.Date(2018, 3, 1, 0, 0, 0, 0, time.UTC), "yyyy-MM-dd", "", "2018-03-01"},

		// Standard formats.
		{"o utc", utc, "o", "", "2018-01-02T15:04:05.1234567Z"},
		{"O offset", plus530, "O", "", "2018-01-02T20:34:05.1234567+05:30"},
		{"o negative offset", minus8, "o", "", "2018-01-02T07:04:05.0000000-08:00"},
		{"o unspecified", unspec, "o", "", "2018-01-02T15:04:05.1234567"},
		{"r", utc, "r", "", "Tue, 02 Jan 2018 15:04:05 GMT"},
		{"R converts offset to UTC", plus530, "R", "", "Tue, 02 Jan 2018 15:04:05 GMT"},
		{"r ignores culture", utc, "r", "de-DE", "Tue, 02 Jan 2018 15:04:05 GMT"},
		{"s", utc, "s", "", "2018-01-02T15:04:05"},
		{"s keeps offset clock", minus8, "s", "", "2018-01-02T07:04:05"},
		{"u", utc, "u", "", "2018-01-02 15:04:05Z"},
		{"u converts offset", minus8, "u", "", "2018-01-02 15:04:05Z"},
		{"U", utc, "U", "", "Tuesday, January 2, 2018 3:04:05 PM"},
		{"d en-US", utc, "d", "", "1/2/2018"},
		{"D en-US", utc, "D", "en-US", "Tuesday, January 2, 2018"},
		{"f en-US", utc, "f", "", "Tuesday, January 2, 2018 3:04 PM"},
		{"F en-US", utc, "F", "", "Tuesday, January 2, 2018 3:04:05 PM"},
		{"g en-US", utc, "g", "", "1/2/2018 3:04 PM"},
		{"G en-US", utc, "G", "", "1/2/2018 3:04:05 PM"},
		{"m en-US", utc, "m", "", "January 2"},
		{"M en-US", utc, "M", "", "January 2"},
		{"t en-US", utc, "t", "", "3:04 PM"},
		{"T en-US", utc, "T", "", "3:04:05 PM"},
		{"y en-US", utc, "y", "", "January 2018"},
		{"Y en-US", utc, "Y", "", "January 2018"},
		{"d en-GB", utc, "d", "en-GB", "02/01/2018"},
		{"D en-GB", utc, "D", "en-GB", "Tuesday, 2 January 2018"},
		{"t en-GB morning", morning, "T", "en-GB", "09:05:07"},
		{"d de-DE", utc, "d", "de-DE", "02.01.2018"},
		{"F de-DE", utc, "F", "de-DE", "Dienstag, 2. Januar 2018 15:04:05"},
		{"M de-DE", utc, "M", "de-DE", "2. Januar"},
		{"f fr-FR", utc, "f", "fr-FR", "mardi 2 janvier 2018 15:04"},
		{"d fr-FR", utc, "d", "fr-FR", "02/01/2018"},
		{"D es-ES", utc, "D", "es-ES", "martes, 2 de enero de 2018"},
		{"g es-ES", utc, "g", "es-ES", "02/01/2018 15:04"},
		{"T es-ES morning", morning, "T", "es-ES", "9:05:07"},
		{"D it-IT", utc, "D", "it-IT", "martedì 2 gennaio 2018"},
		{"d nl-NL", utc, "d", "nl-NL", "2-1-2018"},
		{"M nl-NL", utc, "M", "nl-NL", "2 januari"},
		{"Y pt-BR", utc, "Y", "pt-BR", "janeiro de 2018"},
		{"D pt-BR", utc, "D", "pt-BR", "terça-feira, 2 de janeiro de 2018"},
		{"d sv-SE", utc, "d", "sv-SE", "2018-01-02"},
		{"D sv-SE", utc, "D", "sv-SE", "tisdag 2 januari 2018"},
		{"D is-IS", utc, "D", "is-IS", "þriðjudagur, 2. janúar 2018"},
		{"d is-IS", utc, "d", "is-IS", "2.1.2018"},
		{"G ja-JP", utc, "G", "ja-JP", "2018/01/02 15:04:05"},
		{"D ja-JP", utc, "D", "ja-JP", "2018年1月2日火曜日"},
		{"d invariant", utc, "d", "iv", "01/02/2018"},
		{"D invariant", utc, "D", "invariant", "Tuesday, 02 January 2018"},

		// Custom specifiers.
		{"yyyy yy y", utc, "yyyy yy y", "", "2018 18 18"},
		{"y single digit", time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC), "%y", "", "5"},
		{"yyyyy pads", utc, "yyyyy", "", "02018"},
		{"year 1 padded", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), "yyyy", "", "0001"},
		{"MMMM MMM MM M", utc, "MMMM MMM MM M", "", "January Jan 01 1"},
		{"dddd ddd dd d", utc, "dddd ddd dd d", "", "Tuesday Tue 02 2"},
		{"HH H hh h", morning, "HH H hh h", "", "09 9 09 9"},
		{"hh at noon", time.Date(2018, 1, 1, 12, 0, 0, 0, time.UTC), "hh tt", "", "12 PM"},
		{"hh at midnight", time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), "hh tt", "", "12 AM"},
		{"mm m ss s", morning, "mm m ss s", "", "05 5 07 7"},
		{"fffffff", utc, "fffffff", "", "1234567"},
		{"fff", utc, "fff", "", "123"},
		{"f", utc, "%f", "", "1"},
		{"FFFFFFF", time.Date(2018, 1, 1, 0, 0, 0, 120000000, time.UTC), "FFFFFFF", "", "12"},
		{"F drops dot", time.Date(2018, 1, 1, 0, 0, 5, 0, time.UTC), "ss.FFF", "", "05"},
		{"t single", utc, "%t", "", "P"},
		{"tt de-DE", utc, "tt", "de-DE", "PM"},
		{"tt en-GB", morning, "h tt", "en-GB", "9 am"},
		{"tt es-ES", utc, "h tt", "es-ES", "3 p.\u00a0m."},
		{"tt ja-JP", morning, "tth時", "ja-JP", "午前9時"},
		{"tt sv-SE", utc, "tt", "sv-SE", "em"},
		{"tt is-IS", utc, "tt", "is-IS", "e.h."},
		{"z zz zzz", plus530, "z zz zzz", "", "+5 +05 +05:30"},
		{"zzz negative", minus8, "zzz", "", "-08:00"},
		{"zzz utc", utc, "zzz", "", "+00:00"},
		{"K utc", utc, "%K", "", "Z"},
		{"K offset", plus530, "'['K']'", "", "[+05:30]"},
		{"K unspecified", unspec, "'['K']'", "", "[]"},
		{"separators from culture", utc, "dd/MM/yyyy HH:mm", "de-DE", "02.01.2018 15:04"},
		{"separators nl-NL", utc, "dd/MM/yyyy", "nl-NL", "02-01-2018"},
		{"quoted literal", utc, "'Year:' yyyy", "", "Year: 2018"},
		{"double-quoted literal", utc, `"d" d`, "", "d 2"},
		{"backslash escape", utc, `H\h mm\m`, "", "15h 04m"},
		{"percent single", utc, "%d", "", "2"},
		{"percent M", utc, "%M", "", "1"},
		{"unknown letters pass through", utc, "yyyy-MM-ddTHH", "", "2018-01-02T15"},
		{"era", utc, "yyyy g", "", "2018 A.D."},
		{"genitive abbreviation with day", utc, "d MMM yyyy", "de-DE", "2 Jan. 2018"},
		{"standalone abbreviation", utc, "MMM yyyy", "de-DE", "Jan 2018"},
		{"leap day", leap, "dddd d MMMM yyyy", "", "Thursday 29 February 2024"},
		{"ja month", utc, "MMMM", "ja-JP", "1月"},
		{"it day", utc, "dddd", "it-IT", "martedì"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := FormatTime(tt.t, tt.format, tt.culture)
			if err != nil {
				t.Fatalf("FormatTime(%v, %q, %q): %v", tt.t, tt.format, tt.culture, err)
			}
			if got != tt.want {
				t.Errorf("FormatTime(%v, %q, %q) = %q, want %q", tt.t, tt.format, tt.culture, got, tt.want)
			}
		})
	}
}

func TestFormatTimeErrors(t *testing.T) {
	t.Parallel()
	utc := time.Date(2018, 1, 2, 15, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		t       time.Time
		format  string
		culture string
		want    string
	}{
		{"unknown standard", utc, "Q", "", `invalid standard date and time format "Q"`},
		{"lone percent", utc, "%", "", `invalid standard date and time format "%"`},
		{"double percent", utc, "%%d", "", `'%' at position 0`},
		{"too many f", utc, "ffffffff", "", `8 'f' specifiers at position 0`},
		{"too many F", utc, "ss.FFFFFFFF", "", `8 'F' specifiers at position 3`},
		{"unterminated quote", utc, "yyyy 'abc", "", "unterminated quote at position 5"},
		{"trailing backslash", utc, `yyyy\`, "", "backslash at the end"},
		{"unknown culture", utc, "D", "tlh-KL", `unsupported culture "tlh-KL"`},
		{"year out of range", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "o", "", "year 10000 is outside"},
		{"U with offset", utc.In(time.FixedZone("", 3600)), "U", "", `invalid date and time format "U"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := FormatTime(tt.t, tt.format, tt.culture)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("FormatTime(%q) error = %v, want it to contain %q", tt.format, err, tt.want)
			}
		})
	}
}

func BenchmarkFormatTimeO(b *testing.B) {
	t := time.Date(2018, 1, 2, 15, 4, 5, 123456700, time.UTC)
	for b.Loop() {
		if _, err := FormatTime(t, "o", ""); err != nil {
			b.Fatal(err)
		}
	}
}
