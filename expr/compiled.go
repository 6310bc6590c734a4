// SPDX-License-Identifier: Apache-2.0

package expr

import "fmt"

// Compiled is a JSON value (object, array, string or scalar) with every
// string compiled as a [Template]. Parts without expressions are kept as they
// are and shared between evaluations, so callers must not modify results.
// A Compiled is immutable and safe for concurrent use.
type Compiled struct {
	// exactly one of these is used
	lit  any       // a value with no expressions
	tmpl *Template // a string with expressions
	arr  []*Compiled
	keys []string // object keys, in order
	vals []*Compiled
	obj  bool
}

// CompileValue compiles every string in v (a value of the value model, e.g.
// from [Decode]). Object keys are never expressions. Errors say where in the
// value the bad string is, as a JSON-pointer-like path.
func CompileValue(v any) (*Compiled, error) { return compileValue(v, "") }

func compileValue(v any, path string) (*Compiled, error) {
	switch v := v.(type) {
	case string:
		t, err := Compile(v)
		if err != nil {
			return nil, &PathError{Path: path, Err: err}
		}
		if t.IsLiteral() {
			return &Compiled{lit: t.Literal()}, nil
		}
		return &Compiled{tmpl: t}, nil
	case []any:
		c := &Compiled{arr: make([]*Compiled, len(v))}
		lit := true
		for i, e := range v {
			ce, err := compileValue(e, fmt.Sprintf("%s/%d", path, i))
			if err != nil {
				return nil, err
			}
			c.arr[i] = ce
			lit = lit && ce.isLit()
		}
		if lit {
			return &Compiled{lit: litArray(c.arr)}, nil
		}
		return c, nil
	case *Object:
		c := &Compiled{obj: true, keys: v.Keys(), vals: make([]*Compiled, v.Len())}
		lit := true
		for i, k := range c.keys {
			e, _ := v.Get(k)
			ce, err := compileValue(e, path+"/"+k)
			if err != nil {
				return nil, err
			}
			c.vals[i] = ce
			lit = lit && ce.isLit()
		}
		if lit {
			o := NewObject(len(c.keys))
			for i, k := range c.keys {
				o.Set(k, c.vals[i].lit)
			}
			return &Compiled{lit: o}, nil
		}
		return c, nil
	}
	return &Compiled{lit: v}, nil
}

func litArray(cs []*Compiled) []any {
	out := make([]any, len(cs))
	for i, c := range cs {
		out[i] = c.lit
	}
	return out
}

func (c *Compiled) isLit() bool { return c.tmpl == nil && c.arr == nil && !c.obj }

// IsLiteral reports whether the value contains no expression.
func (c *Compiled) IsLiteral() bool { return c.isLit() }

// Eval evaluates every expression in the value and returns the resulting
// value.
func (c *Compiled) Eval(env Env) (any, error) {
	switch {
	case c.tmpl != nil:
		return c.tmpl.Eval(env)
	case c.obj:
		o := NewObject(len(c.keys))
		for i, k := range c.keys {
			v, err := c.vals[i].Eval(env)
			if err != nil {
				return nil, err
			}
			o.Set(k, v)
		}
		return o, nil
	case c.arr != nil:
		out := make([]any, len(c.arr))
		for i, e := range c.arr {
			v, err := e.Eval(env)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return c.lit, nil
}

// Templates calls f for every compiled string in the value with its path.
func (c *Compiled) Templates(f func(path string, t *Template)) { c.templates("", f) }

func (c *Compiled) templates(path string, f func(string, *Template)) {
	switch {
	case c.tmpl != nil:
		f(path, c.tmpl)
	case c.obj:
		for i, k := range c.keys {
			c.vals[i].templates(path+"/"+k, f)
		}
	case c.arr != nil:
		for i, e := range c.arr {
			e.templates(fmt.Sprintf("%s/%d", path, i), f)
		}
	}
}

// EvalValue compiles and evaluates v in one step; see [CompileValue].
func EvalValue(v any, env Env) (any, error) {
	c, err := CompileValue(v)
	if err != nil {
		return nil, err
	}
	return c.Eval(env)
}

// PathError is a compile error inside a JSON value: Path is like
// "/body/items/0" ("" for the value itself).
type PathError struct {
	Path string
	Err  error
}

func (e *PathError) Error() string {
	if e.Path == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("at %s: %v", e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *PathError) Unwrap() error { return e.Err }
