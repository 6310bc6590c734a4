// SPDX-License-Identifier: Apache-2.0

package connector

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestInputString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"absent", absent{}, ""},
		{"null", nil, ""},
		{"empty string", "", ""},
		{"string", " a b ", " a b "},
		{"json.Number", json.Number("12.50"), "12.50"},
		{"json.Number exponent", json.Number("1e3"), "1e3"},
		{"float integral", 42.0, "42"},
		{"float fraction", 2.5, "2.5"},
		{"float negative", -0.125, "-0.125"},
		{"float shortest", 0.1, "0.1"},
		{"float large plain", 1e8, "100000000"},
		{"float 1e20 plain", 1e20, "100000000000000000000"},
		{"float 1e21 exponent", 1e21, "1e+21"},
		{"float small plain", 0.000001, "0.000001"},
		{"float tiny exponent", 1e-7, "1e-7"},
		{"float tiny negative exponent", -2.5e-10, "-2.5e-10"},
		{"float zero", 0.0, "0"},
		{"float negative zero", math.Copysign(0, -1), "-0"},
		{"int", 7, "7"},
		{"int negative", -7, "-7"},
		{"int64", int64(math.MaxInt64), "9223372036854775807"},
		{"int32", int32(-3), "-3"},
		{"uint8", uint8(200), "200"},
		{"true", true, "true"},
		{"false", false, "false"},
		{"array", []any{"a", 1.0}, `["a",1]`},
		{"object", map[string]any{"b": 1.0, "a": "x"}, `{"a":"x","b":1}`},
		{"bytes", []byte("hi"), `"aGk="`},
		{"not JSON", []any{math.NaN()}, "[NaN]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := inputWith("p", tt.value).String("p"); got != tt.want {
				t.Errorf("String() of %#v = %q, want %q", tt.value, got, tt.want)
			}
		})
	}
}

func TestInputBool(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		value   any
		def     bool
		want    bool
		wantErr bool
	}{
		{"absent false", absent{}, false, false, false},
		{"absent true", absent{}, true, true, false},
		{"null", nil, true, true, false},
		{"empty string", "", true, true, false},
		{"blank string", " \t", true, true, false},
		{"true", true, false, true, false},
		{"false", false, true, false, false},
		{"string true", "true", false, true, false},
		{"string false", "false", true, false, false},
		{"string TRUE", "TRUE", false, true, false},
		{"string False", "False", true, false, false},
		{"string mixed case", "tRuE", false, true, false},
		{"string trimmed", " true\n", false, true, false},
		{"string t", "t", false, true, false},
		{"string T", "T", false, true, false},
		{"string f", "f", true, false, false},
		{"string F", "F", true, false, false},
		{"string 1", "1", false, true, false},
		{"string 0", "0", true, false, false},
		{"string yes", "yes", false, false, true},
		{"string no", "no", true, false, true},
		{"string 2", "2", false, false, true},
		{"string on", "on", false, false, true},
		{"number 1", 1.0, false, false, true},
		{"int 0", 0, true, false, true},
		{"json.Number", json.Number("1"), false, false, true},
		{"array", []any{true}, false, false, true},
		{"object", map[string]any{}, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := inputWith("flag", tt.value).Bool("flag", tt.def)
			if tt.wantErr {
				checkBadRequest(t, err, "parameter flag must be true or false")
				return
			}
			if err != nil {
				t.Fatalf("Bool() of %#v: %v", tt.value, err)
			}
			if got != tt.want {
				t.Errorf("Bool() of %#v = %v, want %v", tt.value, got, tt.want)
			}
		})
	}
}

func TestInputInt(t *testing.T) {
	t.Parallel()
	const (
		notInt   = "parameter n must be an integer"
		outside  = "parameter n must be between -10 and 100"
		anything = "parameter n must be between -9223372036854775808 and 9223372036854775807"
	)
	tests := []struct {
		name    string
		value   any
		lo, hi  int
		want    int
		wantErr string
	}{
		{"absent", absent{}, -10, 100, 5, ""},
		{"null", nil, -10, 100, 5, ""},
		{"empty string", "", -10, 100, 5, ""},
		{"blank string", "  ", -10, 100, 5, ""},
		{"default not checked", absent{}, 10, 100, 5, ""},
		{"int", 42, -10, 100, 42, ""},
		{"int low bound", -10, -10, 100, -10, ""},
		{"int high bound", 100, -10, 100, 100, ""},
		{"int below", -11, -10, 100, 0, outside},
		{"int above", 101, -10, 100, 0, outside},
		{"int64", int64(42), -10, 100, 42, ""},
		{"int64 above", int64(1) << 40, -10, 100, 0, outside},
		{"float integral", 42.0, -10, 100, 42, ""},
		{"float negative", -3.0, -10, 100, -3, ""},
		{"float fraction", 2.5, -10, 100, 0, notInt},
		{"float above", 1000.0, -10, 100, 0, outside},
		{"float huge", 1e300, math.MinInt, math.MaxInt, 0, anything},
		{"float 2^63", 9223372036854775808.0, math.MinInt, math.MaxInt, 0, anything},
		{"float -2^63", -9223372036854775808.0, math.MinInt, math.MaxInt, math.MinInt, ""},
		{"float +Inf", math.Inf(1), math.MinInt, math.MaxInt, 0, anything},
		{"float NaN", math.NaN(), math.MinInt, math.MaxInt, 0, notInt},
		{"json.Number", json.Number("42"), -10, 100, 42, ""},
		{"json.Number negative", json.Number("-7"), -10, 100, -7, ""},
		{"json.Number decimal point", json.Number("42.0"), -10, 100, 42, ""},
		{"json.Number exponent", json.Number("1e2"), -10, 100, 100, ""},
		{"json.Number fraction", json.Number("4.2"), -10, 100, 0, notInt},
		{"json.Number above", json.Number("101"), -10, 100, 0, outside},
		{"json.Number beyond int", json.Number("99999999999999999999"), math.MinInt, math.MaxInt, 0, anything},
		{"json.Number beyond float", json.Number("1e400"), math.MinInt, math.MaxInt, 0, anything},
		{"json.Number not a number", json.Number("x"), -10, 100, 0, notInt},
		{"string", "42", -10, 100, 42, ""},
		{"string trimmed", " 42\n", -10, 100, 42, ""},
		{"string plus", "+42", -10, 100, 42, ""},
		{"string minus", "-10", -10, 100, -10, ""},
		{"string leading zeros", "007", -10, 100, 7, ""},
		{"string above", "101", -10, 100, 0, outside},
		{"string beyond int", "99999999999999999999", math.MinInt, math.MaxInt, 0, anything},
		{"string max", "9223372036854775807", math.MinInt, math.MaxInt, math.MaxInt, ""},
		{"string fraction", "4.2", -10, 100, 0, notInt},
		{"string decimal point", "42.0", -10, 100, 0, notInt},
		{"string exponent", "1e2", -10, 100, 0, notInt},
		{"string hex", "0x10", -10, 100, 0, notInt},
		{"string underscore", "1_000", math.MinInt, math.MaxInt, 0, notInt},
		{"string word", "ten", -10, 100, 0, notInt},
		{"bool", true, -10, 100, 0, notInt},
		{"int32", int32(4), -10, 100, 0, notInt},
		{"array", []any{1.0}, -10, 100, 0, notInt},
		{"object", map[string]any{}, -10, 100, 0, notInt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := inputWith("n", tt.value).Int("n", 5, tt.lo, tt.hi)
			if tt.wantErr != "" {
				checkBadRequest(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Int() of %#v: %v", tt.value, err)
			}
			if got != tt.want {
				t.Errorf("Int() of %#v = %d, want %d", tt.value, got, tt.want)
			}
		})
	}
}

// absent stands for a parameter that is not in the map.
type absent struct{}

// inputWith returns an input holding value as parameter name, plus another
// parameter so that the lookup has something to miss.
func inputWith(name string, value any) Input {
	in := Input{Parameters: map[string]any{"other": "x"}}
	if _, ok := value.(absent); !ok {
		in.Parameters[name] = value
	}
	return in
}

func checkBadRequest(t testing.TB, err error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", msg)
	}
	if k := KindOf(err); k != KindBadRequest {
		t.Errorf("kind = %v, want %v (%v)", k, KindBadRequest, err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Message != msg {
		t.Errorf("error = %v, want message %q", err, msg)
	}
}

// TestConnectionBoolInt: connection values read as operation parameters
// are, with errors that say "connection parameter".
func TestConnectionBoolInt(t *testing.T) {
	t.Parallel()
	c := Connection{Values: map[string]any{"tls": "TRUE", "port": json.Number("993"), "bad": "yes", "big": 70000.0}}
	if b, err := c.Bool("tls", false); err != nil || !b {
		t.Errorf("Bool(tls) = %v, %v", b, err)
	}
	if b, err := c.Bool("absent", true); err != nil || !b {
		t.Errorf("Bool(absent) = %v, %v", b, err)
	}
	if _, err := c.Bool("bad", false); err == nil || !strings.HasPrefix(err.Error(), "connection parameter bad must be true or false") || KindOf(err) != KindBadRequest {
		t.Errorf("Bool(bad) error %v", err)
	}
	if n, err := c.Int("port", 0, 0, 65535); err != nil || n != 993 {
		t.Errorf("Int(port) = %v, %v", n, err)
	}
	if _, err := c.Int("big", 0, 0, 65535); err == nil || !strings.HasPrefix(err.Error(), "connection parameter big must be between 0 and 65535") {
		t.Errorf("Int(big) error %v", err)
	}
}
