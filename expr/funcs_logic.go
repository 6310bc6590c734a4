// SPDX-License-Identifier: Apache-2.0

package expr

func init() {
	logic := func(name string, min, max int, sig, doc string, fn impl, ex ...Example) {
		register(FuncSpec{Name: name, Category: "logical", MinArgs: min, MaxArgs: max, Signature: sig, Doc: doc, Examples: ex}, fn)
	}
	registerLazy(FuncSpec{Name: "and", Category: "logical", MinArgs: 1, MaxArgs: -1, Signature: "and(expression1, expression2, ...)",
		Doc:      "True when all expressions are true; stops at the first false.",
		Examples: []Example{{Expr: "and(true, true)", Want: "true"}, {Expr: "and(false, int('x'))", Want: "false"}, {Expr: "and(1, true)", Err: "boolean"}}}, fnAnd)
	registerLazy(FuncSpec{Name: "or", Category: "logical", MinArgs: 1, MaxArgs: -1, Signature: "or(expression1, expression2, ...)",
		Doc:      "True when at least one expression is true; stops at the first true.",
		Examples: []Example{{Expr: "or(false, true)", Want: "true"}, {Expr: "or(true, int('x'))", Want: "true"}}}, fnOr)
	registerLazy(FuncSpec{Name: "if", Category: "logical", MinArgs: 3, MaxArgs: 3, Signature: "if(expression, valueIfTrue, valueIfFalse)",
		Doc:      "Returns one of two values; only the chosen one is evaluated.",
		Examples: []Example{{Expr: "if(equals(1, 1), 'yes', 'no')", Want: `"yes"`}, {Expr: "if(true, 1, int('x'))", Want: "1"}}}, fnIf)
	logic("equals", 2, 2, "equals(object1, object2)", "Checks whether two values are equal (numbers by value, true equals 1, null equals '').", fnEquals,
		Example{Expr: "equals(true, 1)", Want: "true"}, Example{Expr: "equals(1, 1.0)", Want: "true"}, Example{Expr: "equals('a', 'A')", Want: "false"})
	logic("greater", 2, 2, "greater(value, compareTo)", "Checks whether the first value is greater than the second.", cmpFunc(func(c int) bool { return c > 0 }),
		Example{Expr: "greater(10, 5)", Want: "true"}, Example{Expr: "greater(1, 'a')", Err: "matching types"})
	logic("greaterOrEquals", 2, 2, "greaterOrEquals(value, compareTo)", "Checks whether the first value is greater than or equal to the second.", cmpFunc(func(c int) bool { return c >= 0 }),
		Example{Expr: "greaterOrEquals(5, 5)", Want: "true"})
	logic("less", 2, 2, "less(value, compareTo)", "Checks whether the first value is less than the second.", cmpFunc(func(c int) bool { return c < 0 }),
		Example{Expr: "less(5, 10)", Want: "true"})
	logic("lessOrEquals", 2, 2, "lessOrEquals(value, compareTo)", "Checks whether the first value is less than or equal to the second.", cmpFunc(func(c int) bool { return c <= 0 }),
		Example{Expr: "lessOrEquals(10, 10)", Want: "true"})
	logic("not", 1, 1, "not(expression)", "Negates a boolean.", fnNot,
		Example{Expr: "not(false)", Want: "true"}, Example{Expr: "not('x')", Err: "boolean"})
}

func (s *state) lazyBool(n *CallNode, i int) (bool, error) {
	v, err := s.eval(n.Args[i])
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		name := n.fn.spec.Name
		which := ordinal(i) + " parameter"
		if n.fn.spec.MaxArgs == 1 {
			which = "parameter"
		}
		return false, &EvalError{Func: name, Pos: n.Pos, Msg: "The template language function '" + name + "' expects its " + which + " to be a boolean. The provided value is of type '" + TypeName(v) + "'."}
	}
	return b, nil
}

func fnAnd(s *state, n *CallNode) (any, error) {
	for i := range n.Args {
		b, err := s.lazyBool(n, i)
		if err != nil {
			return nil, err
		}
		if !b {
			return false, nil
		}
	}
	return true, nil
}

func fnOr(s *state, n *CallNode) (any, error) {
	for i := range n.Args {
		b, err := s.lazyBool(n, i)
		if err != nil {
			return nil, err
		}
		if b {
			return true, nil
		}
	}
	return false, nil
}

func fnIf(s *state, n *CallNode) (any, error) {
	b, err := s.lazyBool(n, 0)
	if err != nil {
		return nil, err
	}
	if b {
		return s.eval(n.Args[1])
	}
	return s.eval(n.Args[2])
}

func fnEquals(s *state, args []any) (any, error) { return Equal(args[0], args[1]), nil }

func cmpFunc(test func(int) bool) impl {
	return func(s *state, args []any) (any, error) {
		c, ok := compareValues(args[0], args[1])
		if !ok {
			return nil, s.errorf("The template language function '%s' expects two parameters of matching types (numbers, strings or booleans). The provided values are of types '%s' and '%s'.", s.fname(), TypeName(args[0]), TypeName(args[1]))
		}
		return test(c), nil
	}
}

func fnNot(s *state, args []any) (any, error) {
	b, err := s.boolean(args, 0)
	if err != nil {
		return nil, err
	}
	return !b, nil
}
