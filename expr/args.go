// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Argument helpers. Each returns an error in Logic Apps wording naming the
// function and the parameter.

func (s *state) str(args []any, i int) (string, error) {
	if v, ok := args[i].(string); ok {
		return v, nil
	}
	return "", s.argErr(i, "a string", args[i])
}

// strOrNull accepts a string and treats null as "".
func (s *state) strOrNull(args []any, i int) (string, error) {
	switch v := args[i].(type) {
	case string:
		return v, nil
	case nil:
		return "", nil
	}
	return "", s.argErr(i, "a string", args[i])
}

func (s *state) integer(args []any, i int) (int64, error) {
	switch v := args[i].(type) {
	case int64:
		return v, nil
	case float64:
		if v == float64(int64(v)) && v >= -9.2e18 && v <= 9.2e18 {
			return int64(v), nil
		}
	}
	return 0, s.argErr(i, "an integer", args[i])
}

func (s *state) boolean(args []any, i int) (bool, error) {
	if v, ok := args[i].(bool); ok {
		return v, nil
	}
	return false, s.argErr(i, "a boolean", args[i])
}

func (s *state) array(args []any, i int) ([]any, error) {
	if v, ok := args[i].([]any); ok {
		return v, nil
	}
	return nil, s.argErr(i, "an array", args[i])
}

func (s *state) object(args []any, i int) (*Object, error) {
	if v, ok := args[i].(*Object); ok && v != nil {
		return v, nil
	}
	return nil, s.argErr(i, "an object", args[i])
}

// optStr returns optional string argument i, or def when absent or null.
func (s *state) optStr(args []any, i int, def string) (string, error) {
	if i >= len(args) || args[i] == nil {
		return def, nil
	}
	return s.str(args, i)
}

// Strings are indexed in UTF-16 code units, as .NET does; these helpers
// take the fast path for ASCII.

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func toUTF16(s string) []uint16 { return utf16.Encode([]rune(s)) }

func fromUTF16(u []uint16) string { return string(utf16.Decode(u)) }

// strLen returns the length of s in UTF-16 code units.
func strLen(s string) int {
	if isASCII(s) {
		return len(s)
	}
	n := 0
	for _, r := range s {
		if r >= 0x10000 && r <= utf8.MaxRune {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// substr returns s[start:end] in UTF-16 units; bounds must be valid.
func substr(s string, start, end int) string {
	if isASCII(s) {
		return s[start:end]
	}
	return fromUTF16(toUTF16(s)[start:end])
}

// foldUnits returns s as lower-cased UTF-16 units, for case-insensitive
// searches that report UTF-16 positions.
func foldUnits(s string) []uint16 {
	if isASCII(s) {
		u := make([]uint16, len(s))
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			u[i] = uint16(c)
		}
		return u
	}
	u := toUTF16(s)
	for i, c := range u {
		if c < 0xD800 || c > 0xDFFF {
			r := []rune(strings.ToLower(string(rune(c))))
			if len(r) == 1 && r[0] < 0x10000 {
				u[i] = uint16(r[0])
			}
		}
	}
	return u
}

// unitsString packs UTF-16 units two bytes each so the standard library's
// fast substring search can be used; matches at odd offsets are skipped.
func unitsString(u []uint16) string {
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c>>8), byte(c)
	}
	return string(b)
}

func indexUnits(h, n []uint16, from int) int {
	if from > len(h) {
		return -1
	}
	return indexPacked(unitsString(h), unitsString(n), from)
}

// indexPacked finds the first even-aligned match of ns in hs at or after
// unit from, returning a unit index.
func indexPacked(hs, ns string, from int) int {
	for off := 2 * from; off <= len(hs); {
		i := strings.Index(hs[off:], ns)
		if i < 0 {
			return -1
		}
		if (off+i)%2 == 0 {
			return (off + i) / 2
		}
		off += i + 1
	}
	return -1
}

func lastIndexUnits(h, n []uint16) int {
	return lastIndexPacked(unitsString(h), unitsString(n), len(h))
}

// lastIndexPacked finds the last even-aligned match of ns that ends at or
// before unit end, returning a unit index.
func lastIndexPacked(hs, ns string, end int) int {
	e := 2 * end
	for e >= 0 {
		i := strings.LastIndex(hs[:e], ns)
		if i < 0 {
			return -1
		}
		if i%2 == 0 {
			return i / 2
		}
		e = i + len(ns) - 1
	}
	return -1
}

func equalUnits(a, b []uint16) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
