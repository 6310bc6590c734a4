// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"slices"
	"strings"
)

func init() {
	col := func(name string, min, max int, sig, doc string, fn impl, ex ...Example) {
		register(FuncSpec{Name: name, Category: "collection", MinArgs: min, MaxArgs: max, Signature: sig, Doc: doc, Examples: ex}, fn)
	}
	col("chunk", 2, 2, "chunk(collection, length)", "Splits a string or array into chunks of equal length.", fnChunk,
		Example{Expr: "chunk('abcdefghijklmnopqrstuvwxyz', 10)", Want: `["abcdefghij","klmnopqrst","uvwxyz"]`},
		Example{Expr: "chunk(createArray(1,2,3), 0)", Err: "greater than zero"})
	col("contains", 2, 2, "contains(collection, value)", "Checks whether a string has a substring (case-sensitive), an array an element, or an object a key.", fnContains,
		Example{Expr: "contains('hello world', 'world')", Want: "true"},
		Example{Expr: "contains(createArray(1, 2), 3)", Want: "false"})
	col("empty", 1, 1, "empty(collection)", "Checks whether a string, array or object is empty; null is empty.", fnEmpty,
		Example{Expr: "empty('')", Want: "true"}, Example{Expr: "empty(null)", Want: "true"})
	col("first", 1, 1, "first(collection)", "Returns the first character of a string or the first element of an array.", fnFirst,
		Example{Expr: "first('hello')", Want: `"h"`}, Example{Expr: "first(createArray())", Err: "at least one parameter"})
	col("last", 1, 1, "last(collection)", "Returns the last character of a string or the last element of an array.", fnLast,
		Example{Expr: "last('abcd')", Want: `"d"`})
	col("intersection", 1, -1, "intersection(collection1, collection2, ...)", "Returns the items (or object properties) common to all arrays (or objects).", fnIntersection,
		Example{Expr: "intersection(createArray(1, 2, 3), createArray(101, 2, 1, 10), createArray(6, 8, 1, 2))", Want: "[1,2]"})
	col("union", 1, -1, "union(collection1, collection2, ...)", "Returns the items (or properties) of all arrays (or objects), without duplicates.", fnUnion,
		Example{Expr: "union(createArray(1, 2, 3), createArray(1, 2, 10, 101))", Want: "[1,2,3,10,101]"})
	col("join", 2, 2, "join(collection, delimiter)", "Joins the items of an array into a string.", fnJoin,
		Example{Expr: "join(createArray('a', 'b', 'c'), '.')", Want: `"a.b.c"`})
	col("length", 1, 1, "length(collection)", "Returns the number of characters in a string (UTF-16 units) or items in an array.", fnLength,
		Example{Expr: "length('abcd')", Want: "4"}, Example{Expr: "length(1)", Err: "expects its parameter to be an array or a string"})
	col("reverse", 1, 1, "reverse(collection)", "Reverses the order of the items in an array.", fnReverse,
		Example{Expr: "reverse(createArray(0, 1, 2, 3))", Want: "[3,2,1,0]"})
	col("skip", 2, 2, "skip(collection, count)", "Removes items from the front of an array or string.", fnSkip,
		Example{Expr: "skip(createArray(0, 1, 2, 3), 1)", Want: "[1,2,3]"})
	col("take", 2, 2, "take(collection, count)", "Returns items from the front of an array or string.", fnTake,
		Example{Expr: "take('abcde', 3)", Want: `"abc"`})
	col("sort", 1, 2, "sort(collection, sortBy?)", "Sorts an array of numbers, strings or objects (by the sortBy key).", fnSort,
		Example{Expr: "sort(createArray(2, 1, 0, 3))", Want: "[0,1,2,3]"})
}

func fnChunk(s *state, args []any) (any, error) {
	n, err := s.integer(args, 1)
	if err != nil {
		return nil, err
	}
	if n <= 0 {
		return nil, s.errorf("The template language function 'chunk' expects its second parameter 'length' to be greater than zero. The provided value is '%d'.", n)
	}
	switch v := args[0].(type) {
	case string:
		if isASCII(v) {
			out := []any{}
			for i := 0; i < len(v); i += int(min(n, int64(len(v)))) {
				out = append(out, v[i:min(len(v), i+int(min(n, int64(len(v)))))])
			}
			return out, nil
		}
		u := toUTF16(v)
		out := []any{}
		for i := 0; i < len(u); i += int(min(n, int64(len(u)))) {
			out = append(out, fromUTF16(u[i:min(len(u), i+int(min(n, int64(len(u)))))]))
		}
		return out, nil
	case []any:
		out := []any{}
		step := int(min(n, int64(len(v))))
		for i := 0; i < len(v); i += step {
			out = append(out, slices.Clone(v[i:min(len(v), i+step)]))
		}
		return out, nil
	case nil:
		return []any{}, nil
	}
	return nil, s.argErr(0, "an array or a string", args[0])
}

func fnContains(s *state, args []any) (any, error) {
	switch c := args[0].(type) {
	case string:
		v, ok := args[1].(string)
		if !ok {
			if args[1] == nil {
				return true, nil
			}
			v = Stringify(args[1])
		}
		return strings.Contains(c, v), nil
	case []any:
		for _, e := range c {
			if Equal(e, args[1]) {
				return true, nil
			}
		}
		return false, nil
	case *Object:
		k, ok := args[1].(string)
		if !ok {
			return nil, s.argErr(1, "a string when the first parameter is an object", args[1])
		}
		_, _, found := c.GetFold(k)
		return found, nil
	case nil:
		return false, nil
	}
	return nil, s.argErr(0, "an array, an object or a string", args[0])
}

func fnEmpty(s *state, args []any) (any, error) {
	switch c := args[0].(type) {
	case nil:
		return true, nil
	case string:
		return c == "", nil
	case []any:
		return len(c) == 0, nil
	case *Object:
		return c.Len() == 0, nil
	case []byte:
		return len(c) == 0, nil
	}
	return nil, s.argErr(0, "an array, an object or a string", args[0])
}

func fnFirst(s *state, args []any) (any, error) {
	switch c := args[0].(type) {
	case nil:
		return nil, nil
	case string:
		if c == "" {
			return "", nil
		}
		return substr(c, 0, 1), nil
	case []any:
		if len(c) == 0 {
			return nil, nil
		}
		return c[0], nil
	}
	return nil, s.argErr(0, "an array or a string", args[0])
}

func fnLast(s *state, args []any) (any, error) {
	switch c := args[0].(type) {
	case nil:
		return nil, nil
	case string:
		if c == "" {
			return "", nil
		}
		n := strLen(c)
		return substr(c, n-1, n), nil
	case []any:
		if len(c) == 0 {
			return nil, nil
		}
		return c[len(c)-1], nil
	}
	return nil, s.argErr(0, "an array or a string", args[0])
}

func fnIntersection(s *state, args []any) (any, error) {
	switch first := args[0].(type) {
	case []any:
		sets := make([]valueSet, len(args))
		for i := 1; i < len(args); i++ {
			arr, err := s.array(args, i)
			if err != nil {
				return nil, err
			}
			for _, e := range arr {
				sets[i].add(e)
			}
		}
		out := []any{}
		var seen valueSet
	outer:
		for _, e := range first {
			if seen.has(e) {
				continue
			}
			for i := 1; i < len(args); i++ {
				if err := s.charge(len(sets[i].others)); err != nil {
					return nil, err
				}
				if !sets[i].has(e) {
					continue outer
				}
			}
			seen.add(e)
			out = append(out, e)
		}
		return out, nil
	case *Object:
		out := NewObject(first.Len())
	keys:
		for _, k := range first.Keys() {
			v, _ := first.Get(k)
			for i := 1; i < len(args); i++ {
				o, err := s.object(args, i)
				if err != nil {
					return nil, err
				}
				ov, found := o.Get(k)
				if !found || !Equal(ov, v) {
					continue keys
				}
			}
			out.Set(k, v)
		}
		return out, nil
	}
	return nil, s.argErr(0, "an array or an object", args[0])
}

func fnUnion(s *state, args []any) (any, error) {
	switch args[0].(type) {
	case []any:
		out := []any{}
		var seen valueSet
		for i := range args {
			arr, err := s.array(args, i)
			if err != nil {
				return nil, err
			}
			for _, e := range arr {
				if err := s.charge(len(seen.others)); err != nil {
					return nil, err
				}
				if !seen.has(e) {
					seen.add(e)
					out = append(out, e)
				}
			}
		}
		return out, nil
	case *Object:
		out := NewObject(8)
		for i := range args {
			o, err := s.object(args, i)
			if err != nil {
				return nil, err
			}
			for _, k := range o.Keys() {
				v, _ := o.Get(k)
				out.Set(k, v)
			}
		}
		return out, nil
	}
	return nil, s.argErr(0, "an array or an object", args[0])
}

func fnJoin(s *state, args []any) (any, error) {
	arr, err := s.array(args, 0)
	if err != nil {
		return nil, err
	}
	sep, err := s.strOrNull(args, 1)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for i, e := range arr {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(Stringify(e))
	}
	return b.String(), nil
}

func fnLength(s *state, args []any) (any, error) {
	switch c := args[0].(type) {
	case string:
		return int64(strLen(c)), nil
	case []any:
		return int64(len(c)), nil
	case []byte:
		return int64(len(c)), nil
	case *Object:
		if b, ok := contentBytes(c); ok {
			return int64(len(b)), nil
		}
	}
	return nil, s.argErr(0, "an array or a string", args[0])
}

func fnReverse(s *state, args []any) (any, error) {
	switch c := args[0].(type) {
	case []any:
		out := slices.Clone(c)
		slices.Reverse(out)
		if out == nil {
			out = []any{}
		}
		return out, nil
	case nil:
		return nil, nil
	}
	return nil, s.argErr(0, "an array", args[0])
}

func fnSkip(s *state, args []any) (any, error) {
	n, err := s.integer(args, 1)
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, s.errorf("The template language function 'skip' expects its second parameter 'count' to be a non-negative integer. The provided value is '%d'.", n)
	}
	switch c := args[0].(type) {
	case []any:
		if n >= int64(len(c)) {
			return []any{}, nil
		}
		return slices.Clone(c[n:]), nil
	case string:
		l := int64(strLen(c))
		if n >= l {
			return "", nil
		}
		return substr(c, int(n), int(l)), nil
	case nil:
		return []any{}, nil
	}
	return nil, s.argErr(0, "an array or a string", args[0])
}

func fnTake(s *state, args []any) (any, error) {
	n, err := s.integer(args, 1)
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, s.errorf("The template language function 'take' expects its second parameter 'count' to be a non-negative integer. The provided value is '%d'.", n)
	}
	switch c := args[0].(type) {
	case []any:
		if n > int64(len(c)) {
			n = int64(len(c))
		}
		return slices.Clone(c[:n:n]), nil
	case string:
		l := int64(strLen(c))
		if n > l {
			n = l
		}
		return substr(c, 0, int(n)), nil
	case nil:
		return []any{}, nil
	}
	return nil, s.argErr(0, "an array or a string", args[0])
}

func fnSort(s *state, args []any) (any, error) {
	arr, err := s.array(args, 0)
	if err != nil {
		return nil, err
	}
	key := ""
	if len(args) > 1 {
		if key, err = s.str(args, 1); err != nil {
			return nil, err
		}
	}
	sortKey := func(v any) (any, error) {
		if key == "" {
			return v, nil
		}
		o, ok := v.(*Object)
		if !ok {
			return nil, s.errorf("The template language function 'sort' cannot sort by '%s': an item is of type '%s', not 'Object'.", key, TypeName(v))
		}
		kv, _, _ := o.GetFold(key)
		return kv, nil
	}
	keys := make([]any, len(arr))
	for i, e := range arr {
		if keys[i], err = sortKey(e); err != nil {
			return nil, err
		}
	}
	idx := make([]int, len(arr))
	for i := range idx {
		idx[i] = i
	}
	var cmpErr error
	slices.SortStableFunc(idx, func(a, b int) int {
		c, ok := compareValues(keys[a], keys[b])
		if !ok && cmpErr == nil {
			cmpErr = s.errorf("The template language function 'sort' cannot compare values of types '%s' and '%s'.", TypeName(keys[a]), TypeName(keys[b]))
		}
		return c
	})
	if cmpErr != nil {
		return nil, cmpErr
	}
	out := make([]any, len(arr))
	for i, j := range idx {
		out[i] = arr[j]
	}
	return out, nil
}

// charge counts n units of work against the evaluation's budget, so
// quadratic functions fail instead of running for minutes.
func (s *state) charge(n int) error {
	s.steps += n / 16
	if s.steps > maxSteps {
		return s.errorf("The template language function '%s' input is too large to process.", s.fname())
	}
	return nil
}
