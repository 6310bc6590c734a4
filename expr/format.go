// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TypeName returns the Logic Apps name of the type of v, as used in error
// messages: Null, Boolean, Integer, Float, Decimal, String, Binary, Array,
// Object.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "Null"
	case bool:
		return "Boolean"
	case int64:
		return "Integer"
	case float64:
		return "Float"
	case Decimal:
		return "Decimal"
	case string:
		return "String"
	case []byte:
		return "Binary"
	case []any:
		return "Array"
	case *Object:
		return "Object"
	}
	return "Unknown"
}

// Stringify converts a value to text the way interpolation ("@{...}") and
// string() do: strings as they are, null as "", booleans as True/False,
// numbers in invariant culture (.NET round-trip form), binary content as its
// text, arrays and objects as compact JSON.
func Stringify(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		if v {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return FormatFloat(v)
	case Decimal:
		return v.Text
	case []byte:
		return string(v)
	case *Object:
		if b, ok := contentBytes(v); ok {
			return string(b)
		}
	}
	return string(AppendJSON(nil, v))
}

// FormatFloat formats f like .NET's Double.ToString() in the invariant
// culture: the shortest round-trip digits, in scientific notation ("1E+15",
// "1E-05") when the exponent is -5 or less, or 15 or more.
func FormatFloat(f float64) string {
	return string(appendFloat(nil, f, false))
}

func appendFloat(b []byte, f float64, jsonStyle bool) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	case f == 0:
		if jsonStyle {
			return append(b, "0.0"...)
		}
		return append(b, '0')
	}
	exp := 0
	if a := math.Abs(f); a != 0 {
		// Exponent of the shortest decimal form.
		s := strconv.FormatFloat(a, 'e', -1, 64)
		i := strings.IndexByte(s, 'e')
		exp, _ = strconv.Atoi(s[i+1:])
	}
	if exp < -4 || exp >= 15 {
		start := len(b)
		b = strconv.AppendFloat(b, f, 'e', -1, 64)
		for i := start; i < len(b); i++ {
			if b[i] == 'e' {
				b[i] = 'E'
			}
		}
		return b
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 64)
	if jsonStyle && !strings.ContainsRune(string(b[start:]), '.') {
		b = append(b, ".0"...)
	}
	return b
}

// AppendJSON appends the compact JSON encoding of v to b, the way the
// runtime serializes values: keys in order, no HTML escaping, floats with a
// fraction, binary as a content object {"$content-type":
// "application/octet-stream", "$content": "<base64>"}.
func AppendJSON(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return appendJSONString(b, FormatFloat(v))
		}
		return appendFloat(b, v, true)
	case Decimal:
		return append(b, v.Text...)
	case string:
		return appendJSONString(b, v)
	case []byte:
		b = append(b, `{"$content-type":"application/octet-stream","$content":`...)
		b = appendJSONString(b, base64.StdEncoding.EncodeToString(v))
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSON(b, e)
		}
		return append(b, ']')
	case *Object:
		b = append(b, '{')
		for i, k := range v.Keys() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			e, _ := v.Get(k)
			b = AppendJSON(b, e)
		}
		return append(b, '}')
	}
	return appendJSONString(b, "<unsupported value>")
}

const hexDigits = "0123456789abcdef"

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// contentBytes returns the decoded content of a binary content object
// {"$content-type": "...", "$content": "<base64>"}.
func contentBytes(o *Object) ([]byte, bool) {
	if o.Len() < 2 {
		return nil, false
	}
	c, ok := o.Get("$content")
	if !ok {
		return nil, false
	}
	if _, ok := o.Get("$content-type"); !ok {
		return nil, false
	}
	s, ok := c.(string)
	if !ok {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return b, true
}

// contentType returns the $content-type of a content object.
func contentType(o *Object) string {
	ct, _ := o.Get("$content-type")
	s, _ := ct.(string)
	return s
}

// newContent returns a binary content object.
func newContent(ctype string, data []byte) *Object {
	o := NewObject(2)
	o.Set("$content-type", ctype)
	o.Set("$content", base64.StdEncoding.EncodeToString(data))
	return o
}
