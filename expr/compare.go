// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"bytes"
	"math"
	"strings"
)

// numKind orders numeric types for promotion: int < float < decimal.
type numKind int

const (
	notNum numKind = iota
	kInt
	kFloat
	kDec
)

func kindOf(v any) numKind {
	switch v.(type) {
	case int64:
		return kInt
	case float64:
		return kFloat
	case Decimal:
		return kDec
	}
	return notNum
}

func toFloat(v any) float64 {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	case Decimal:
		d, err := parseDec(v.Text)
		if err != nil {
			return math.NaN()
		}
		return d.float()
	}
	return math.NaN()
}

func toDec(v any) (*dec, error) {
	switch v := v.(type) {
	case int64:
		return decFromInt(v), nil
	case float64:
		return decFromFloat(v)
	case Decimal:
		return parseDec(v.Text)
	}
	return nil, errDecOver
}

// compareNum compares two numbers; ok is false for incomparable (NaN).
func compareNum(a, b any) (int, bool) {
	ka, kb := kindOf(a), kindOf(b)
	switch {
	case ka == kInt && kb == kInt:
		x, y := a.(int64), b.(int64)
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	case ka == kDec || kb == kDec:
		x, err1 := toDec(a)
		y, err2 := toDec(b)
		if err1 != nil || err2 != nil {
			break
		}
		return decCmp(x, y), true
	}
	x, y := toFloat(a), toFloat(b)
	switch {
	case x < y:
		return -1, true
	case x > y:
		return 1, true
	case x == y:
		return 0, true
	}
	return 0, false
}

// Equal reports whether two values are equal the way equals() decides:
// numbers by value across integer, float and decimal; true equals 1 and
// false equals 0; null equals ""; strings case-sensitively; arrays and
// objects deeply (object keys in any order).
func Equal(a, b any) bool {
	if a == nil {
		if s, ok := b.(string); ok {
			return s == ""
		}
		return b == nil
	}
	if b == nil {
		return Equal(b, a)
	}
	if kindOf(a) != notNum && kindOf(b) != notNum {
		c, ok := compareNum(a, b)
		return ok && c == 0
	}
	switch x := a.(type) {
	case bool:
		switch y := b.(type) {
		case bool:
			return x == y
		case int64:
			return x && y == 1 || !x && y == 0
		}
		return false
	case int64, float64, Decimal:
		if y, ok := b.(bool); ok {
			return Equal(y, a)
		}
		return false
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Object:
		y, ok := b.(*Object)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for _, k := range x.Keys() {
			xv, _ := x.Get(k)
			yv, found := y.Get(k)
			if !found || !Equal(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

// compareValues orders two values for greater()/less()/sort(): numbers with
// numbers, strings with strings (ordinal), booleans with booleans; null
// counts as "". ok is false when the types cannot be compared.
func compareValues(a, b any) (int, bool) {
	if a == nil {
		a = ""
	}
	if b == nil {
		b = ""
	}
	if kindOf(a) != notNum && kindOf(b) != notNum {
		return compareNum(a, b)
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0, true
			case !x:
				return -1, true
			}
			return 1, true
		}
	}
	return 0, false
}

// valueSet is a set of values under [Equal], with hashing for scalars so
// union() and intersection() of large arrays stay linear.
type valueSet struct {
	keys   map[scalarKey]struct{}
	others []any // arrays, objects, decimals, binary
}

type scalarKey struct {
	kind byte // 'n' number, 's' string, 'z' null
	num  float64
	str  string
}

// key returns the hash key of v; ok is false for values compared by scan.
// Numbers and booleans share a key space because equals(true, 1) holds.
func (valueSet) key(v any) (scalarKey, bool) {
	switch v := v.(type) {
	case nil:
		// Collections keep null and "" apart (only comparisons equate them).
		return scalarKey{kind: 'z'}, true
	case string:
		return scalarKey{kind: 's', str: v}, true
	case int64:
		if v > 1<<53 || v < -(1<<53) {
			return scalarKey{}, false
		}
		return scalarKey{kind: 'n', num: float64(v)}, true
	case float64:
		if v != v {
			return scalarKey{}, false
		}
		return scalarKey{kind: 'n', num: v}, true
	case bool:
		if v {
			return scalarKey{kind: 'n', num: 1}, true
		}
		return scalarKey{kind: 'n', num: 0}, true
	}
	return scalarKey{}, false
}

func (s *valueSet) has(v any) bool {
	if k, ok := s.key(v); ok {
		if _, found := s.keys[k]; found {
			return true
		}
		// A scalar can still equal a decimal or a big integer.
	}
	for _, o := range s.others {
		if Equal(o, v) {
			return true
		}
	}
	return false
}

func (s *valueSet) add(v any) {
	if k, ok := s.key(v); ok {
		if s.keys == nil {
			s.keys = make(map[scalarKey]struct{})
		}
		s.keys[k] = struct{}{}
		return
	}
	s.others = append(s.others, v)
}
