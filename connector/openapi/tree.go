// SPDX-License-Identifier: Apache-2.0

package openapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// The importer works on an ordered JSON tree: document order matters for
// operations and connection parameters, and decoding into Go maps would
// lose it. A value is nil, bool, json.Number, string, []any or *object.

type member struct {
	key string
	val any
}

// object is a JSON object that keeps its member order.
type object struct {
	members []member
	index   map[string]int // built lazily for large objects
}

const indexThreshold = 12

func (o *object) get(key string) (any, bool) {
	if o == nil {
		return nil, false
	}
	if len(o.members) > indexThreshold {
		if o.index == nil {
			o.index = make(map[string]int, len(o.members))
			for i, m := range o.members {
				o.index[m.key] = i
			}
		}
		i, ok := o.index[key]
		if !ok {
			return nil, false
		}
		return o.members[i].val, true
	}
	for i := len(o.members) - 1; i >= 0; i-- {
		if o.members[i].key == key {
			return o.members[i].val, true
		}
	}
	return nil, false
}

func (o *object) str(key string) string {
	v, _ := o.get(key)
	s, _ := v.(string)
	return s
}

func (o *object) obj(key string) *object {
	v, _ := o.get(key)
	m, _ := v.(*object)
	return m
}

func (o *object) arr(key string) []any {
	v, _ := o.get(key)
	a, _ := v.([]any)
	return a
}

// boolean reads a flag written as a JSON boolean or as the text "true".
func (o *object) boolean(key string) bool {
	v, _ := o.get(key)
	return truthy(v)
}

func truthy(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		b, _ := strconv.ParseBool(t)
		return b
	}
	return false
}

// set replaces or appends a member (used when merging $ref siblings).
func (o *object) set(key string, val any) {
	for i := range o.members {
		if o.members[i].key == key {
			o.members[i].val = val
			return
		}
	}
	o.members = append(o.members, member{key, val})
	o.index = nil
}

// decode parses standard JSON (as jsonc.Standardize returns it) into a tree.
func decode(data []byte) (any, error) {
	d := &decoder{data: data}
	d.skip()
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.skip()
	if d.pos != len(d.data) {
		return nil, d.errorf("unexpected data after the top-level value")
	}
	return v, nil
}

// errDepth guards against stack exhaustion on hostile input.
const maxDepth = 10000

type decoder struct {
	data []byte
	pos  int
}

type offsetError struct {
	off int
	msg string
}

func (e *offsetError) Error() string { return e.msg }

func (d *decoder) errorf(format string, args ...any) error {
	return &offsetError{off: d.pos, msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) skip() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, d.errorf("document nested too deeply")
	}
	if d.pos >= len(d.data) {
		return nil, d.errorf("unexpected end of document")
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		d.pos++
		o := &object{}
		d.skip()
		if d.pos < len(d.data) && d.data[d.pos] == '}' {
			d.pos++
			return o, nil
		}
		for {
			d.skip()
			if d.pos >= len(d.data) || d.data[d.pos] != '"' {
				return nil, d.errorf("expected a member name")
			}
			k, err := d.string()
			if err != nil {
				return nil, err
			}
			d.skip()
			if d.pos >= len(d.data) || d.data[d.pos] != ':' {
				return nil, d.errorf("expected ':'")
			}
			d.pos++
			d.skip()
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			o.members = append(o.members, member{k, v})
			d.skip()
			if d.pos < len(d.data) && d.data[d.pos] == ',' {
				d.pos++
				continue
			}
			if d.pos < len(d.data) && d.data[d.pos] == '}' {
				d.pos++
				return o, nil
			}
			return nil, d.errorf("expected ',' or '}'")
		}
	case c == '[':
		d.pos++
		a := []any{}
		d.skip()
		if d.pos < len(d.data) && d.data[d.pos] == ']' {
			d.pos++
			return a, nil
		}
		for {
			d.skip()
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
			d.skip()
			if d.pos < len(d.data) && d.data[d.pos] == ',' {
				d.pos++
				continue
			}
			if d.pos < len(d.data) && d.data[d.pos] == ']' {
				d.pos++
				return a, nil
			}
			return nil, d.errorf("expected ',' or ']'")
		}
	case c == '"':
		return d.string()
	case c == 't':
		return d.literal("true", true)
	case c == 'f':
		return d.literal("false", false)
	case c == 'n':
		return d.literal("null", nil)
	case c == '-' || (c >= '0' && c <= '9'):
		start := d.pos
		for d.pos < len(d.data) && isNumberByte(d.data[d.pos]) {
			d.pos++
		}
		n := json.Number(d.data[start:d.pos])
		if _, err := strconv.ParseFloat(string(n), 64); err != nil {
			d.pos = start
			return nil, d.errorf("invalid number %q", string(n))
		}
		return n, nil
	default:
		return nil, d.errorf("unexpected character %q", c)
	}
}

func isNumberByte(c byte) bool {
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

func (d *decoder) literal(word string, v any) (any, error) {
	if len(d.data)-d.pos >= len(word) && string(d.data[d.pos:d.pos+len(word)]) == word {
		d.pos += len(word)
		return v, nil
	}
	return nil, d.errorf("invalid literal")
}

func (d *decoder) string() (string, error) {
	start := d.pos
	d.pos++ // opening quote
	escaped := false
	for d.pos < len(d.data) {
		switch c := d.data[d.pos]; {
		case c == '\\':
			escaped = true
			d.pos += 2
		case c == '"':
			d.pos++
			raw := d.data[start:d.pos]
			if !escaped {
				return string(raw[1 : len(raw)-1]), nil
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				d.pos = start
				return "", d.errorf("invalid string: %v", err)
			}
			return s, nil
		case c < 0x20:
			return "", d.errorf("control character in string")
		default:
			d.pos++
		}
	}
	d.pos = start
	return "", d.errorf("unterminated string")
}

// encode writes v as compact JSON, keeping member order.
func encode(v any) json.RawMessage {
	var b []byte
	b = appendValue(b, v)
	return json.RawMessage(b)
}

func appendValue(b []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, t)
	case json.Number:
		return append(b, t...)
	case string:
		return appendString(b, t)
	case []any:
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	case *object:
		b = append(b, '{')
		for i, m := range t.members {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, m.key)
			b = append(b, ':')
			b = appendValue(b, m.val)
		}
		return append(b, '}')
	case float64:
		return strconv.AppendFloat(b, t, 'g', -1, 64)
	case int:
		return strconv.AppendInt(b, int64(t), 10)
	}
	panic(fmt.Sprintf("openapi: cannot encode %T", v)) // programmer error
}

const hexDigits = "0123456789abcdef"

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// plain converts a tree value into plain Go values (map[string]any,
// []any, float64/string/bool), for model fields typed any.
func plain(v any) any {
	switch t := v.(type) {
	case *object:
		m := make(map[string]any, len(t.members))
		for _, mb := range t.members {
			m[mb.key] = plain(mb.val)
		}
		return m
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = plain(e)
		}
		return out
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

var errNotObject = errors.New("document is not a JSON object")

func jsonNumber(s string) json.Number { return json.Number(s) }

func isInfOrNaN(f float64) bool {
	return f != f || f > 1.7976931348623157e308 || f < -1.7976931348623157e308
}

// list returns the members of o; nil-safe.
func (o *object) list() []member {
	if o == nil {
		return nil
	}
	return o.members
}
