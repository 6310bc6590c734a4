// SPDX-License-Identifier: Apache-2.0

// Package value is the value model shared by the expression language and
// everything that hands values to it: JSON-like Go values with ordered
// objects, exact integers and decimals.
package value

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Values are plain Go values of these types, and nothing else:
//
//	nil            JSON null
//	bool           JSON true/false
//	int64          an integer (the runtime keeps integers and floats apart: div(11,5) is 2)
//	float64        a floating-point number
//	Decimal        the result of decimal()
//	string         a string
//	[]byte         binary content (base64ToBinary, binary, decodeDataUri ...)
//	[]any          an array
//	*Object        an object; keys keep their insertion order, as Logic Apps does
//
// Decode produces exactly these types from JSON, so values read from a
// definition, a trigger body or a connector response can be passed straight
// to the evaluator.

// Object is a JSON object whose keys keep their insertion order. Lookups by
// key are exact (case-sensitive); use [Object.GetFold] for the
// case-insensitive lookups some functions need. The zero value is an empty
// object ready to use.
type Object struct {
	keys []string
	vals map[string]any
}

// NewObject returns an empty object with room for n keys.
func NewObject(n int) *Object {
	return &Object{keys: make([]string, 0, n), vals: make(map[string]any, n)}
}

// Len returns the number of keys.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.keys)
}

// Keys returns the keys in order. The slice must not be modified.
func (o *Object) Keys() []string {
	if o == nil {
		return nil
	}
	return o.keys
}

// Get returns the value of key and whether it is present.
func (o *Object) Get(key string) (any, bool) {
	if o == nil {
		return nil, false
	}
	v, ok := o.vals[key]
	return v, ok
}

// Set sets key to v; a new key goes last, an existing key keeps its place.
func (o *Object) Set(key string, v any) {
	if o.vals == nil {
		o.vals = make(map[string]any)
	}
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = v
}

// Delete removes key, keeping the order of the others.
func (o *Object) Delete(key string) {
	if o == nil {
		return
	}
	if _, ok := o.vals[key]; !ok {
		return
	}
	delete(o.vals, key)
	for i, k := range o.keys {
		if k == key {
			o.keys = append(o.keys[:i:i], o.keys[i+1:]...)
			break
		}
	}
}

// Clone returns a shallow copy of o.
func (o *Object) Clone() *Object {
	c := NewObject(o.Len())
	for _, k := range o.Keys() {
		c.Set(k, o.vals[k])
	}
	return c
}

// MarshalJSON writes the object with its keys in order.
func (o *Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.Keys() {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a JSON object, keeping key order; nested values get the
// types listed in the package documentation.
func (o *Object) UnmarshalJSON(data []byte) error {
	v, err := Decode(data)
	if err != nil {
		return err
	}
	obj, ok := v.(*Object)
	if !ok {
		return fmt.Errorf("value: JSON value is %T, not an object", v)
	}
	*o = *obj
	return nil
}

// Decode parses one JSON document into a value (see the package
// documentation for the types). Integers that fit in int64 become int64,
// other numbers float64.
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("invalid JSON: data after the value at offset %d", dec.InputOffset())
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := NewObject(4)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				obj.Set(kt.(string), v)
			}
			_, err := dec.Token() // '}'
			return obj, err
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token() // ']'
			return arr, err
		}
		return nil, fmt.Errorf("invalid JSON delimiter %q", t)
	case json.Number:
		return NumberFromJSON(string(t))
	default: // nil, bool, string
		return t, nil
	}
}

// NumberFromJSON converts the text of a JSON number to int64 when it is an
// integer that fits, float64 otherwise.
func NumberFromJSON(s string) (any, error) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("invalid number %q", s)
	}
	return f, nil
}

// FromGo converts a value built by encoding/json (map[string]any, []any,
// float64, json.Number ...) or by Go code (int, map[string]string ...) into
// the value types of this package. Maps have no order, so their keys are
// sorted. Values already of this package's types pass through unchanged.
func FromGo(v any) any {
	switch t := v.(type) {
	case nil, bool, int64, float64, string, []byte, Decimal, *Object:
		return t
	case int:
		return int64(t)
	case int32:
		return int64(t)
	case float32:
		return float64(t)
	case json.Number:
		n, err := NumberFromJSON(string(t))
		if err != nil {
			return string(t)
		}
		return n
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = FromGo(e)
		}
		return out
	case map[string]any:
		obj := NewObject(len(t))
		for _, k := range sortedKeys(t) {
			obj.Set(k, FromGo(t[k]))
		}
		return obj
	case map[string]string:
		obj := NewObject(len(t))
		m := make(map[string]any, len(t))
		for k, s := range t {
			m[k] = s
		}
		for _, k := range sortedKeys(m) {
			obj.Set(k, m[k])
		}
		return obj
	case []string:
		out := make([]any, len(t))
		for i, s := range t {
			out[i] = s
		}
		return out
	default:
		// Anything else goes through JSON, which keeps the result honest.
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Sprint(t)
		}
		d, err := Decode(b)
		if err != nil {
			return fmt.Sprint(t)
		}
		return d
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
