// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"math"
	"strings"
	"testing"
)

// Variables, not constants: Go folds 0.1+0.2 to exactly 0.3.
var tenth, fifth = 0.1, 0.2

func TestFormatFloat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		v       float64
		format  string
		culture string
		want    string
	}{
		// From shared/corpus/wdl/functions.json.
		{"corpus grouped en-US", 1234567890, "#,##0.00", "en-US", "1,234,567,890.00"},
		{"corpus grouped is-IS", 1234567890, "#,##0.00", "is-IS", "1.234.567.890,00"},
		{"corpus currency default", 17.35, "C2", "", "$17.35"},
		{"corpus currency is-IS", 17.35, "C2", "is-IS", "17,35 kr"},

		// Standard formats.
		{"C default precision", 1234.5, "C", "en-US", "$1,234.50"},
		{"C negative en-US", -1234.5, "C", "en-US", "-$1,234.50"},
		{"C0 rounds", 2.5, "C0", "", "$3"},
		{"c de-DE", 1234.5, "c", "de-DE", "1.234,50 €"},
		{"C negative de-DE", -1234.5, "C", "de-DE", "-1.234,50 €"},
		{"C fr-FR", 1234.5, "C", "fr-FR", "1\u202f234,50 €"},
		{"C en-GB", 1234.5, "C", "en-GB", "£1,234.50"},
		{"C nl-NL", -1234.5, "C", "nl-NL", "€ -1.234,50"},
		{"C pt-BR", 1234.5, "C", "pt-BR", "R$ 1.234,50"},
		{"C negative pt-BR", -1234.5, "C", "pt-BR", "-R$ 1.234,50"},
		{"C sv-SE", -1234.5, "C", "sv-SE", "\u22121\u00a0234,50 kr"},
		{"C ja-JP no decimals", 1234.5, "C", "ja-JP", "￥1,235"},
		{"C es-ES", 1234.5, "C", "es-ES", "1.234,50 €"},
		{"C it-IT", 1234.5, "C", "it-IT", "1.234,50 €"},
		{"C invariant", -1234.5, "C", "iv", "(¤1,234.50)"},
		{"E default", 1234.5678, "E", "", "1.234568E+003"},
		{"e2 negative exponent", 0.000123, "e2", "", "1.23e-004"},
		{"E0", 12345, "E0", "", "1E+004"},
		{"E de-DE", 1234.5678, "E2", "de-DE", "1,23E+003"},
		{"E zero", 0, "E2", "", "0.00E+000"},
		{"F default", 1234.5678, "F", "", "1234.57"},
		{"F0 half away from zero", 2.5, "F0", "", "3"},
		{"F0 negative half", -2.5, "F0", "", "-3"},
		{"F2 exact tie", 0.125, "F2", "", "0.13"},
		{"F2 below tie", 1.005, "F2", "", "1.00"},
		{"F20 exact digits", 0.1, "F20", "", "0.10000000000000000555"},
		{"F2 negative zero", -0.001, "F2", "", "-0.00"},
		{"F3 de-DE", 1.5, "F3", "de-DE", "1,500"},
		{"N default", 1234567.891, "N", "", "1,234,567.89"},
		{"N0", 1234567.5, "N0", "", "1,234,568"},
		{"N2 fr-FR", 1234.5678, "N2", "fr-FR", "1\u202f234,57"},
		{"N2 de-DE negative", -1234.5678, "N2", "de-DE", "-1.234,57"},
		{"N2 sv-SE negative", -1234.5678, "N2", "sv-SE", "\u22121\u00a0234,57"},
		{"N small", 0.5, "N3", "", "0.500"},
		{"N big", 1e21, "N0", "", "1,000,000,000,000,000,000,000"},
		{"P default", 0.1234, "P", "", "12.34%"},
		{"P1", 0.12345, "P1", "", "12.3%"},
		{"P negative en-US", -0.5, "P0", "", "-50%"},
		{"P fr-FR", 0.5, "P0", "fr-FR", "50 %"},
		{"P negative de-DE", -0.25, "P1", "de-DE", "-25,0 %"},
		{"P invariant", 0.5, "P0", "iv", "50 %"},
		{"G default", 1234.5678, "G", "", "1234.5678"},
		{"empty format is G", 0.1, "", "", "0.1"},
		{"G shortest round trip", tenth + fifth, "G", "", "0.30000000000000004"},
		{"R", 1.0 / 3, "R", "", "0.3333333333333333"},
		{"r lower exponent", 1e-7, "r", "", "1e-07"},
		{"G 1e15 scientific", 1e15, "G", "", "1E+15"},
		{"G 1e14 plain", 1e14, "G", "", "100000000000000"},
		{"G small plain", 0.0001, "G", "", "0.0001"},
		{"G small scientific", 0.00001, "G", "", "1E-05"},
		{"G big", 123456789012345680, "G", "", "1.2345678901234568E+17"},
		{"G max float", math.MaxFloat64, "G", "", "1.7976931348623157E+308"},
		{"G tiny float", 5e-324, "G", "", "5E-324"},
		{"G3", 1234.5678, "G3", "", "1.23E+03"},
		{"G5", 1234.5678, "G5", "", "1234.6"},
		{"G de-DE", 1234.5, "G", "de-DE", "1234,5"},
		{"G negative", -60, "G", "", "-60"},
		{"G negative zero", math.Copysign(0, -1), "G", "", "-0"},
		{"NaN", math.NaN(), "N2", "", "NaN"},
		{"infinity", math.Inf(1), "N2", "", "∞"},
		{"negative infinity", math.Inf(-1), "C", "", "-∞"},
		{"infinity invariant", math.Inf(1), "G", "iv", "Infinity"},

		// Custom formats.
		{"custom zero padding", 12.3, "00000.000", "", "00012.300"},
		{"custom hashes", 12.3, "#####.###", "", "12.3"},
		{"custom hash zero", 0, "#", "", ""},
		{"custom zero", 0, "0", "", "0"},
		{"custom grouping", 12345.678, "#,#.##", "", "12,345.68"},
		{"custom grouping de-DE", 1234567.891, "#,##0.00", "de-DE", "1.234.567,89"},
		{"custom grouping fr-FR", 1234567.891, "#,##0.00", "fr-FR", "1\u202f234\u202f567,89"},
		{"custom scaling", 1234567, "#,##0,,M", "", "1M"},
		{"custom scaling thousand", 1234567, "#,##0,.0K", "", "1,234.6K"},
		{"custom comma after point ignored", 1234567, "#,##0.0,K", "", "1,234,567.0K"},
		{"custom percent", 0.5, "0%", "", "50%"},
		{"custom per mille", 0.5, "0.00‰", "", "500.00‰"},
		{"custom exponent plus", 123.456, "0.0E+00", "", "1.2E+02"},
		{"custom exponent minus sign only", 123.456, "0.###e-0", "", "1.235e2"},
		{"custom exponent negative", 0.00123, "0.0E+0", "", "1.2E-3"},
		{"custom exponent bare", 1234, "0E0", "", "1E3"},
		{"custom E not exponent", 5, "0 E", "", "5 E"},
		{"custom literals", 42, "'n='0\\#", "", "n=42#"},
		{"custom double quotes", 42, `"x"0"y"`, "", "x42y"},
		{"custom sections negative", -5, "0;(0);zero", "", "(5)"},
		{"custom sections zero", 0, "0;(0);zero", "", "zero"},
		{"custom sections rounds to zero", -0.4, "0;(0);zero", "", "zero"},
		{"custom sections positive", 5.5, "0;(0);zero", "", "6"},
		{"custom empty negative section", -5, "0;;zero", "", "-5"},
		{"custom two sections", -1234.5, "#,##0.00;[#,##0.00]", "", "[1,234.50]"},
		{"custom negative zero", -0.001, "0.00", "", "-0.00"},
		{"custom double rounding to 15 digits", 1.005, "0.00", "", "1.01"},
		{"custom 15 significant digits", tenth + fifth, "0.00000000000000000", "", "0.30000000000000000"},
		{"custom half away", 0.5, "0", "", "1"},
		{"custom half away negative", -1.5, "0", "", "-2"},
		{"custom no digits", 5, "abc", "", "abc"},
		{"custom big", 1e20, "#,##0", "", "100,000,000,000,000,000,000"},
		{"custom tiny", 1e-10, "0.00", "", "0.00"},
		{"custom decimal only", 0.25, ".00", "", ".25"},
		{"custom is-IS", 1234.5, "#,##0.0", "is-IS", "1.234,5"},
		{"custom ja-JP", 1234.5, "#,##0.0", "ja-JP", "1,234.5"},
		{"custom it-IT", 1234.5, "#,##0.0", "it-IT", "1.234,5"},
		{"custom nl-NL", 1234.5, "#,##0.0", "nl-NL", "1.234,5"},
		{"custom es-ES", 1234.5, "#,##0.0", "es-ES", "1.234,5"},
		{"custom pt-BR", 1234.5, "#,##0.0", "pt-BR", "1.234,5"},
		{"custom en-GB", 1234.5, "#,##0.0", "en-GB", "1,234.5"},
		{"custom sv-SE negative", -1234.5, "#,##0.0", "sv-SE", "\u22121\u00a0234,5"},
		{"culture case-insensitive", 1.5, "F1", "DE-de", "1,5"},
		{"neutral culture", 1.5, "F1", "fr", "1,5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := FormatFloat(tt.v, tt.format, tt.culture)
			if err != nil {
				t.Fatalf("FormatFloat(%v, %q, %q): %v", tt.v, tt.format, tt.culture, err)
			}
			if got != tt.want {
				t.Errorf("FormatFloat(%v, %q, %q) = %q, want %q", tt.v, tt.format, tt.culture, got, tt.want)
			}
		})
	}
}

func TestFormatInt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		v       int64
		format  string
		culture string
		want    string
	}{
		{"corpus grouped", 1234567890, "#,##0.00", "en-US", "1,234,567,890.00"},
		{"G", 12345, "G", "", "12345"},
		{"empty", -12345, "", "", "-12345"},
		{"G2 scientific", 12345, "G2", "", "1.2E+04"},
		{"R treated as G", 42, "R", "", "42"},
		{"D8", 42, "D8", "", "00000042"},
		{"D8 negative", -42, "D8", "", "-00000042"},
		{"d", 42, "d", "", "42"},
		{"D sv-SE negative", -42, "D", "sv-SE", "\u221242"},
		{"X4", 255, "X4", "", "00FF"},
		{"x", 255, "x", "", "ff"},
		{"X negative", -1, "X", "", "FFFFFFFFFFFFFFFF"},
		{"N0", 1234567, "N0", "", "1,234,567"},
		{"N default", 1234567, "N", "", "1,234,567.00"},
		{"N de-DE", -1234567, "N0", "de-DE", "-1.234.567"},
		{"C0", 1234, "C0", "", "$1,234"},
		{"F1", 5, "F1", "", "5.0"},
		{"E", 123456, "E2", "", "1.23E+005"},
		{"P", 1, "P0", "", "100%"},
		{"min int64", math.MinInt64, "N0", "", "-9,223,372,036,854,775,808"},
		{"max int64 D", math.MaxInt64, "D", "", "9223372036854775807"},
		{"custom zero no sign", 0, "0;(0)", "", "0"},
		{"custom negative section", -5, "0;(0)", "", "(5)"},
		{"custom hash zero", 0, "#", "", ""},
		{"custom round to zero section", 4, "0,;neg;zero", "", "zero"},
		{"custom scaling rounds", 1500, "0,", "", "2"},
		{"custom literal", 7, "#' items'", "", "7 items"},
		{"custom exponent", 1234, "0.00e+0", "", "1.23e+3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := FormatInt(tt.v, tt.format, tt.culture)
			if err != nil {
				t.Fatalf("FormatInt(%v, %q, %q): %v", tt.v, tt.format, tt.culture, err)
			}
			if got != tt.want {
				t.Errorf("FormatInt(%v, %q, %q) = %q, want %q", tt.v, tt.format, tt.culture, got, tt.want)
			}
		})
	}
}

func TestFormatNumberErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		float   bool
		format  string
		culture string
		want    string // substring of the error
	}{
		{"D on float", true, "D2", "", `"D2" is only valid for integers`},
		{"X on float", true, "X", "", `"X" is only valid for integers`},
		{"unknown specifier float", true, "Q2", "", `invalid number format specifier "Q"`},
		{"unknown specifier int", false, "K", "", `invalid number format specifier "K"`},
		{"precision limit", true, "N1001", "", `precision 1001 in format "N1001" exceeds the limit of 1000`},
		{"precision limit int", false, "D999999999", "", "exceeds the limit"},
		{"unknown culture float", true, "N2", "xx-YY", `unsupported culture "xx-YY"`},
		{"unknown culture int", false, "N2", "klingon", `unsupported culture "klingon"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var err error
			if tt.float {
				_, err = FormatFloat(1.5, tt.format, tt.culture)
			} else {
				_, err = FormatInt(1, tt.format, tt.culture)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func BenchmarkFormatFloatN2(b *testing.B) {
	for b.Loop() {
		if _, err := FormatFloat(1234567.891, "N2", "en-US"); err != nil {
			b.Fatal(err)
		}
	}
}
