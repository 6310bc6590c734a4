// SPDX-License-Identifier: Apache-2.0

package connector

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// String returns the parameter name as text: "" when it is absent or null,
// a string as it is, a number in its shortest plain form (as JavaScript
// prints it), a bool as true or false, and any other value JSON-encoded.
func (in Input) String(name string) string {
	switch v := in.Parameters[name].(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return formatFloat(v)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strconv.FormatBool(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
}

// formatFloat writes f as encoding/json and JavaScript do: the shortest
// form that reads back the same, with an exponent only below 1e-6 or from
// 1e21 on.
func formatFloat(f float64) string {
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// 1e-07 becomes 1e-7.
		if n := len(s); n >= 4 && s[n-4] == 'e' && s[n-3] == '-' && s[n-2] == '0' {
			s = s[:n-2] + s[n-1:]
		}
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// Bool returns the boolean parameter name, or def when it is absent, null
// or a blank string. It takes a bool or a string that is, trimmed and in any
// case, true, t or 1, or false, f or 0 (what [strconv.ParseBool] takes).
// Anything else is a [KindBadRequest] error.
func (in Input) Bool(name string, def bool) (bool, error) {
	return boolOf(in.Parameters[name], def, "parameter", name)
}

// boolOf is [Input.Bool] and [Connection.Bool] of a value; what and name
// name it in the error.
func boolOf(v any, def bool, what, name string) (bool, error) {
	switch v := v.(type) {
	case nil:
		return def, nil
	case bool:
		return v, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "":
			return def, nil
		case "true", "t", "1":
			return true, nil
		case "false", "f", "0":
			return false, nil
		}
	}
	return false, Errorf(KindBadRequest, "%s %s must be true or false", what, name)
}

// Int returns the integer parameter name, or def when it is absent, null or
// a blank string; def is not checked against the bounds. It takes an int,
// an int64, a float64 or [json.Number] with an integral value, or a string
// of decimal digits (trimmed, with an optional sign). A value that is not an
// integer, or is outside lo..hi, is a [KindBadRequest] error.
func (in Input) Int(name string, def, lo, hi int) (int, error) {
	return intOf(in.Parameters[name], def, lo, hi, "parameter", name)
}

// intOf is [Input.Int] and [Connection.Int] of a value; what and name name
// it in the error.
func intOf(v any, def, lo, hi int, what, name string) (int, error) {
	if s, ok := v.(string); ok && strings.TrimSpace(s) == "" {
		v = nil
	}
	if v == nil {
		return def, nil
	}
	n, err := intValue(v)
	switch {
	case errors.Is(err, strconv.ErrRange):
		// An integer too large for int is outside any bounds.
	case err != nil:
		return 0, Errorf(KindBadRequest, "%s %s must be an integer", what, name)
	case n >= lo && n <= hi:
		return n, nil
	}
	return 0, Errorf(KindBadRequest, "%s %s must be between %d and %d", what, name, lo, hi)
}

// Bool returns the boolean connection parameter name, as [Input.Bool]
// reads an operation parameter.
func (c Connection) Bool(name string, def bool) (bool, error) {
	return boolOf(c.Values[name], def, "connection parameter", name)
}

// Int returns the integer connection parameter name, as [Input.Int] reads
// an operation parameter.
func (c Connection) Int(name string, def, lo, hi int) (int, error) {
	return intOf(c.Values[name], def, lo, hi, "connection parameter", name)
}

// intValue converts v to an int. The error is [strconv.ErrRange] for an
// integer that int cannot hold and [strconv.ErrSyntax] for anything that is
// not an integer.
func intValue(v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		if int64(int(x)) != x {
			return 0, strconv.ErrRange
		}
		return int(x), nil
	case float64:
		return floatInt(x)
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 0)
		if err == nil || errors.Is(err, strconv.ErrRange) {
			return int(n), err
		}
		// 1e3 and 10.0 are integers too, as they are when decoded to float64.
		f, err := x.Float64()
		if errors.Is(err, strconv.ErrRange) {
			return 0, strconv.ErrRange
		} else if err != nil {
			return 0, strconv.ErrSyntax
		}
		return floatInt(f)
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 0)
		return int(n), err
	}
	return 0, strconv.ErrSyntax
}

// floatInt converts an integral f to an int.
func floatInt(f float64) (int, error) {
	switch {
	case f != math.Trunc(f): // NaN too
		return 0, strconv.ErrSyntax
	case f < math.MinInt || f >= -math.MinInt: // ±Inf too
		return 0, strconv.ErrRange
	}
	return int(f), nil
}
