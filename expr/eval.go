// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
)

// state is the per-evaluation state: the environment and a stack of
// argument values shared by all calls, so calls do not allocate slices.
type state struct {
	env   Env
	node  *CallNode // call being executed (set just before an impl runs)
	stack []any
	high  int // highest stack length used, to clear only that much
	steps int
}

// maxSteps bounds the work of one evaluation (calls and member accesses),
// a guard against pathological inputs.
const maxSteps = 1 << 20

var statePool = sync.Pool{New: func() any { return &state{stack: make([]any, 0, 16)} }}

// Eval evaluates the template with the given environment. A literal
// template returns its text; "@expr" returns the typed value; interpolation
// returns a string. env may be nil when the template uses no context
// functions.
func (t *Template) Eval(env Env) (v any, err error) {
	switch t.kind {
	case KindLiteral:
		return t.lit, nil
	case KindExpression:
		s := getState(env)
		defer putState(s, &err)
		return s.eval(t.root)
	}
	s := getState(env)
	defer putState(s, &err)
	var b strings.Builder
	b.Grow(t.sizeHint)
	for _, p := range t.parts {
		if p.node == nil {
			b.WriteString(p.text)
			continue
		}
		v, err := s.eval(p.node)
		if err != nil {
			return nil, err
		}
		if str, ok := v.(string); ok {
			b.WriteString(str)
		} else {
			b.WriteString(Stringify(v))
		}
	}
	return b.String(), nil
}

// Eval evaluates a parsed bare expression.
func (t *Tree) Eval(env Env) (v any, err error) {
	s := getState(env)
	defer putState(s, &err)
	return s.eval(t.Root)
}

func getState(env Env) *state {
	s := statePool.Get().(*state)
	if env == nil {
		env = BaseEnv{}
	}
	s.env = env
	s.steps = 0
	return s
}

// putState returns s to the pool and turns a panic in a function
// implementation into an error; runtime errors from the Go runtime itself
// are bugs, but user input must never crash the process, so they become
// errors too (with the message kept for the bug report).
func putState(s *state, errp *error) {
	if r := recover(); r != nil {
		if re, ok := r.(runtime.Error); ok {
			*errp = &EvalError{Msg: "internal error evaluating the expression: " + re.Error(), Err: re}
		} else {
			*errp = &EvalError{Msg: fmt.Sprint("internal error evaluating the expression: ", r)}
		}
		s.stack = s.stack[:0]
	}
	clear(s.stack[:min(s.high, cap(s.stack))])
	s.stack, s.high = s.stack[:0], 0
	s.env, s.node = nil, nil
	statePool.Put(s)
}

func (s *state) eval(n Node) (any, error) {
	switch n := n.(type) {
	case *CallNode:
		return s.call(n)
	case *StringNode:
		if n.boxed != nil {
			return n.boxed, nil
		}
		return n.Value, nil
	case *IntNode:
		if n.boxed != nil {
			return n.boxed, nil
		}
		return n.Value, nil
	case *FloatNode:
		if n.boxed != nil {
			return n.boxed, nil
		}
		return n.Value, nil
	case *BoolNode:
		return n.Value, nil
	case *NullNode:
		return nil, nil
	case *IndexNode:
		x, err := s.eval(n.X)
		if err != nil {
			return nil, err
		}
		idx, err := s.eval(n.Index)
		if err != nil {
			return nil, err
		}
		return s.selectMember(n, x, idx, n.NullSafe)
	case *MemberNode:
		x, err := s.eval(n.X)
		if err != nil {
			return nil, err
		}
		var key any = n.Name
		if n.boxed != nil {
			key = n.boxed
		}
		return s.selectMember(n, x, key, n.NullSafe)
	}
	return nil, fmt.Errorf("expr: unknown node %T", n)
}

func (s *state) call(n *CallNode) (any, error) {
	e := n.fn
	if e == nil {
		return nil, &EvalError{Func: n.Name, Pos: n.Pos, Msg: unknownFuncMsg(n.Name)}
	}
	if s.steps++; s.steps > maxSteps {
		return nil, &EvalError{Func: e.spec.Name, Pos: n.Pos, Msg: "The template language expression is too complex to evaluate."}
	}
	if err := e.checkArity(len(n.Args)); err != nil {
		err.Pos = n.Pos
		return nil, err
	}
	if e.lazy != nil {
		v, err := e.lazy(s, n)
		return v, s.wrap(n, err)
	}
	base := len(s.stack)
	for _, a := range n.Args {
		v, err := s.eval(a)
		if err != nil {
			s.stack = s.stack[:base]
			return nil, err
		}
		s.stack = append(s.stack, v)
	}
	if top := len(s.stack); top > s.high {
		s.high = top
	}
	s.node = n
	// The slots above base are cleared once, in putState, not per call.
	v, err := e.fn(s, s.stack[base:])
	s.stack = s.stack[:base]
	if err != nil {
		return nil, s.wrap(n, err)
	}
	return v, nil
}

// wrap makes err an *EvalError attributed to the call n.
func (s *state) wrap(n *CallNode, err error) error {
	if err == nil {
		return nil
	}
	var ee *EvalError
	if errors.As(err, &ee) {
		return err
	}
	name := n.Name
	if n.fn != nil {
		name = n.fn.spec.Name
	}
	return &EvalError{Func: name, Pos: n.Pos, Msg: fmt.Sprintf("The template language function '%s' failed: %s", name, err.Error()), Err: err}
}

// fname returns the canonical name of the function being executed.
func (s *state) fname() string {
	if s.node == nil || s.node.fn == nil {
		return "?"
	}
	return s.node.fn.spec.Name
}

// errorf returns an *EvalError for the function being executed.
func (s *state) errorf(format string, args ...any) error {
	e := &EvalError{Func: s.fname(), Msg: fmt.Sprintf(format, args...)}
	if s.node != nil {
		e.Pos = s.node.Pos
	}
	return e
}

// argErr reports that parameter i has the wrong type; want is e.g. "an
// integer or a decimal number".
func (s *state) argErr(i int, want string, v any) error {
	which := ordinal(i) + " parameter"
	if s.node != nil && s.node.fn != nil && s.node.fn.spec.MaxArgs == 1 {
		which = "parameter" // "expects its parameter to be ..." for one-parameter functions
	}
	return s.errorf("The template language function '%s' expects its %s to be %s. The provided value is of type '%s'.", s.fname(), which, want, TypeName(v))
}

// selectMember evaluates x[key] / x.key.
func (s *state) selectMember(n Node, x, key any, safe bool) (any, error) {
	if s.steps++; s.steps > maxSteps {
		return nil, &EvalError{Pos: n.Position(), Msg: "The template language expression is too complex to evaluate."}
	}
	switch x := x.(type) {
	case *Object:
		k, ok := key.(string)
		if !ok {
			if safe && key == nil {
				return nil, nil
			}
			return nil, s.memberErr(n, fmt.Sprintf("the property name '%s' is of type '%s', not 'String'", Stringify(key), TypeName(key)))
		}
		v, _, found := x.GetFold(k)
		if !found {
			if safe {
				return nil, nil
			}
			return nil, s.memberErr(n, fmt.Sprintf("property '%s' doesn't exist, available properties are '%s'", k, strings.Join(x.Keys(), ", ")))
		}
		return v, nil
	case []any:
		var i int64
		switch k := key.(type) {
		case int64:
			i = k
		case float64:
			if k != float64(int64(k)) {
				return nil, s.memberErr(n, fmt.Sprintf("array index '%s' is not an integer", Stringify(k)))
			}
			i = int64(k)
		case string:
			if safe {
				return nil, nil
			}
			return nil, s.memberErr(n, fmt.Sprintf("property '%s' cannot be selected. Array elements can only be selected using an integer index", k))
		default:
			if safe && key == nil {
				return nil, nil
			}
			return nil, s.memberErr(n, fmt.Sprintf("array index of type '%s' is not an integer", TypeName(key)))
		}
		if i < 0 || i >= int64(len(x)) {
			if safe {
				return nil, nil
			}
			return nil, s.memberErr(n, fmt.Sprintf("array index '%d' is outside bounds (0, %d) of array", i, len(x)-1))
		}
		return x[i], nil
	case nil:
		if safe {
			return nil, nil
		}
		return nil, s.memberErr(n, fmt.Sprintf("property '%s' cannot be selected. Property selection is not supported on values of type 'Null'", Stringify(key)))
	}
	if safe {
		return nil, nil
	}
	return nil, s.memberErr(n, fmt.Sprintf("property '%s' cannot be selected. Property selection is not supported on values of type '%s'", Stringify(key), TypeName(x)))
}

func (s *state) memberErr(n Node, why string) error {
	return &EvalError{Pos: n.Position(), Msg: fmt.Sprintf("The template language expression '%s' cannot be evaluated because %s.", n.String(), why)}
}

// evalArg evaluates argument i of a lazy call.
func (s *state) evalArg(n *CallNode, i int) (any, error) {
	return s.eval(n.Args[i])
}
