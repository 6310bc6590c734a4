// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// FuncSpec describes a function of the expression language.
type FuncSpec struct {
	// Name in canonical case, e.g. "triggerBody". Lookups ignore case.
	Name string
	// Category: string, collection, logical, conversion, math, datetime,
	// workflow, uri, manipulation.
	Category string
	// MinArgs and MaxArgs bound the number of arguments; MaxArgs -1 means
	// any number.
	MinArgs, MaxArgs int
	// Impure marks functions whose value can change from call to call with
	// the same arguments and context (utcNow, guid, rand, getFutureTime,
	// getPastTime). The engine records their values once per action
	// execution, and definitions may call them only where it does.
	Impure bool
	// Context marks functions that read the run context through [Env]
	// (variables, body, triggerBody, items ...). They are deterministic for a
	// given context.
	Context bool
	// Lazy marks functions that evaluate their arguments only as needed
	// (if, and, or, coalesce).
	Lazy bool
	// Signature is the documented call form, e.g. "add(summand1, summand2)".
	Signature string
	// Doc is a one-line description.
	Doc string
	// Examples run as tests.
	Examples []Example
}

// Example is an executable example of a function: Expr (a bare expression)
// evaluates to the JSON value Want, or fails with an error containing Err.
type Example struct {
	Expr string
	Want string
	Err  string
}

// impl is the implementation of an eager function: args are evaluated.
type impl func(s *state, args []any) (any, error)

// lazyImpl is the implementation of a lazy function.
type lazyImpl func(s *state, n *CallNode) (any, error)

type funcEntry struct {
	spec FuncSpec
	fn   impl
	lazy lazyImpl
}

var (
	registryMu sync.RWMutex
	registry   = map[string]*funcEntry{} // key: lower-case name
)

// register adds a function to the registry. It panics on an invalid spec:
// specs are program constants, and a bad one is a programming error caught
// by any test run.
func register(spec FuncSpec, fn impl) { registerEntry(&funcEntry{spec: spec, fn: fn}) }

func registerLazy(spec FuncSpec, fn lazyImpl) {
	spec.Lazy = true
	registerEntry(&funcEntry{spec: spec, lazy: fn})
}

func registerEntry(e *funcEntry) {
	if err := goodFunc(e); err != nil {
		panic(err)
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	key := strings.ToLower(e.spec.Name)
	if _, dup := registry[key]; dup {
		panic(fmt.Sprintf("expr: function %q registered twice", e.spec.Name))
	}
	registry[key] = e
}

// goodFunc validates a spec before registration.
func goodFunc(e *funcEntry) error {
	s := e.spec
	switch {
	case s.Name == "" || !isIdentName(s.Name):
		return fmt.Errorf("expr: bad function name %q", s.Name)
	case s.MinArgs < 0 || s.MaxArgs != -1 && s.MaxArgs < s.MinArgs:
		return fmt.Errorf("expr: function %s: bad arity %d..%d", s.Name, s.MinArgs, s.MaxArgs)
	case (e.fn == nil) == (e.lazy == nil):
		return fmt.Errorf("expr: function %s: exactly one implementation needed", s.Name)
	case s.Doc == "" || s.Signature == "":
		return fmt.Errorf("expr: function %s: missing doc or signature", s.Name)
	case s.Category == "":
		return fmt.Errorf("expr: function %s: missing category", s.Name)
	case s.Context && s.Category != "workflow":
		return fmt.Errorf("expr: function %s: context functions belong to the workflow category", s.Name)
	}
	for _, ex := range s.Examples {
		if (ex.Want == "") == (ex.Err == "") {
			return fmt.Errorf("expr: function %s: example %q needs exactly one of Want, Err", s.Name, ex.Expr)
		}
	}
	return nil
}

func isIdentName(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isIdentByte(s[i]) || s[i] >= 0x80 {
			return false
		}
	}
	return !isDigit(s[0])
}

func lookupFunc(name string) *funcEntry {
	registryMu.RLock()
	e := registry[strings.ToLower(name)]
	registryMu.RUnlock()
	return e
}

// LookupFunc returns the spec of the named function (case-insensitive).
func LookupFunc(name string) (FuncSpec, bool) {
	e := lookupFunc(name)
	if e == nil {
		return FuncSpec{}, false
	}
	return e.spec, true
}

// Funcs returns the specs of all functions, sorted by name.
func Funcs() []FuncSpec {
	registryMu.RLock()
	out := make([]FuncSpec, 0, len(registry))
	for _, e := range registry {
		out = append(out, e.spec)
	}
	registryMu.RUnlock()
	slices.SortFunc(out, func(a, b FuncSpec) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out
}

func unknownFuncMsg(name string) string {
	return fmt.Sprintf("The template function '%s' is not defined or not valid.", name)
}

func (e *funcEntry) checkArity(n int) *EvalError {
	s := e.spec
	if n >= s.MinArgs && (s.MaxArgs < 0 || n <= s.MaxArgs) {
		return nil
	}
	var msg string
	switch {
	case s.MinArgs == s.MaxArgs:
		msg = fmt.Sprintf("The template language function '%s' expects %s. The function was invoked with '%d' parameter(s).", s.Name, plural(s.MinArgs), n)
	case s.MaxArgs < 0:
		msg = fmt.Sprintf("The template language function '%s' must have at least %s. The function was invoked with '%d' parameter(s).", s.Name, plural(s.MinArgs), n)
	default:
		msg = fmt.Sprintf("The template language function '%s' expects between %d and %s. The function was invoked with '%d' parameter(s).", s.Name, s.MinArgs, plural(s.MaxArgs), n)
	}
	return &EvalError{Func: s.Name, Msg: msg}
}

func plural(n int) string {
	switch n {
	case 0:
		return "no parameters"
	case 1:
		return "one parameter"
	}
	return fmt.Sprintf("%d parameters", n)
}
