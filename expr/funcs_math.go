// SPDX-License-Identifier: Apache-2.0

package expr

import "math"

func init() {
	m := func(name string, min, max int, sig, doc string, fn impl, ex ...Example) {
		register(FuncSpec{Name: name, Category: "math", MinArgs: min, MaxArgs: max, Signature: sig, Doc: doc, Examples: ex}, fn)
	}
	m("add", 2, 2, "add(summand1, summand2)", "Adds two numbers; integers stay integers, a float or decimal operand makes the result float or decimal.", arith(opAdd),
		Example{Expr: "add(1, 1.5)", Want: "2.5"}, Example{Expr: "add(9223372036854775807, 1)", Err: "overflow"},
		Example{Expr: "add('1', 1)", Err: "The template language function 'add' expects its first parameter to be an integer or a decimal number. The provided value is of type 'String'."})
	m("sub", 2, 2, "sub(minuend, subtrahend)", "Subtracts the second number from the first.", arith(opSub),
		Example{Expr: "sub(10.3, .3)", Want: "10.0"})
	m("mul", 2, 2, "mul(multiplicand1, multiplicand2)", "Multiplies two numbers.", arith(opMul),
		Example{Expr: "mul(1.5, 2)", Want: "3.0"})
	m("div", 2, 2, "div(dividend, divisor)", "Divides two numbers; integer division truncates.", arith(opDiv),
		Example{Expr: "div(11, 5)", Want: "2"}, Example{Expr: "div(11, 5.0)", Want: "2.2"}, Example{Expr: "div(1, 0)", Err: "divide by zero"})
	m("mod", 2, 2, "mod(dividend, divisor)", "Returns the remainder, with the sign of the dividend.", arith(opMod),
		Example{Expr: "mod(-5, 2)", Want: "-1"})
	m("max", 1, -1, "max(number1, number2, ...)", "Returns the highest of the numbers, or of the numbers in one array argument.", minMax(1),
		Example{Expr: "max(1, 2, 3)", Want: "3"}, Example{Expr: "max(createArray(1, 2, 3))", Want: "3"})
	m("min", 1, -1, "min(number1, number2, ...)", "Returns the lowest of the numbers, or of the numbers in one array argument.", minMax(-1),
		Example{Expr: "min(1, 2, 3)", Want: "1"})
	m("range", 2, 2, "range(startIndex, count)", "Returns an array of count integers starting at startIndex.", fnRange,
		Example{Expr: "range(1, 4)", Want: "[1,2,3,4]"})
	register(FuncSpec{Name: "rand", Category: "math", MinArgs: 2, MaxArgs: 2, Impure: true, Signature: "rand(minValue, maxValue)",
		Doc: "Returns a random integer from minValue (inclusive) to maxValue (exclusive)."}, fnRand)
}

type arithOp int

const (
	opAdd arithOp = iota
	opSub
	opMul
	opDiv
	opMod
)

func (s *state) number(args []any, i int) error {
	if kindOf(args[i]) == notNum {
		return s.argErr(i, "an integer or a decimal number", args[i])
	}
	return nil
}

func arith(op arithOp) impl {
	return func(s *state, args []any) (any, error) {
		if err := s.number(args, 0); err != nil {
			return nil, err
		}
		if err := s.number(args, 1); err != nil {
			return nil, err
		}
		ka, kb := kindOf(args[0]), kindOf(args[1])
		switch {
		case ka == kInt && kb == kInt:
			return s.intOp(op, args[0].(int64), args[1].(int64))
		case ka == kDec || kb == kDec:
			return s.decOp(op, args[0], args[1])
		}
		return s.floatOp(op, toFloat(args[0]), toFloat(args[1]))
	}
}

func (s *state) overflow() error {
	return s.errorf("The template language function '%s' failed: arithmetic operation resulted in an overflow.", s.fname())
}

func (s *state) divZero() error {
	return s.errorf("The template language function '%s' failed: attempted to divide by zero.", s.fname())
}

func (s *state) intOp(op arithOp, a, b int64) (any, error) {
	switch op {
	case opAdd:
		r := a + b
		if (r > a) != (b > 0) {
			return nil, s.overflow()
		}
		return r, nil
	case opSub:
		r := a - b
		if (r < a) != (b > 0) {
			return nil, s.overflow()
		}
		return r, nil
	case opMul:
		r := a * b
		if a != 0 && (r/a != b || a == -1 && b == math.MinInt64 || b == -1 && a == math.MinInt64) {
			return nil, s.overflow()
		}
		return r, nil
	case opDiv:
		if b == 0 {
			return nil, s.divZero()
		}
		if a == math.MinInt64 && b == -1 {
			return nil, s.overflow()
		}
		return a / b, nil
	default:
		if b == 0 {
			return nil, s.divZero()
		}
		if b == -1 {
			return int64(0), nil
		}
		return a % b, nil
	}
}

func (s *state) floatOp(op arithOp, a, b float64) (any, error) {
	var r float64
	switch op {
	case opAdd:
		r = a + b
	case opSub:
		r = a - b
	case opMul:
		r = a * b
	case opDiv:
		if b == 0 {
			return nil, s.divZero()
		}
		r = a / b
	default:
		if b == 0 {
			return nil, s.divZero()
		}
		r = math.Mod(a, b)
	}
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return nil, s.overflow()
	}
	return r, nil
}

func (s *state) decOp(op arithOp, a, b any) (any, error) {
	x, err := toDec(a)
	if err != nil {
		return nil, s.overflow()
	}
	y, err := toDec(b)
	if err != nil {
		return nil, s.overflow()
	}
	var r *dec
	switch op {
	case opAdd:
		r, err = decAdd(x, y)
	case opSub:
		r, err = decSub(x, y)
	case opMul:
		r, err = decMul(x, y)
	case opDiv:
		r, err = decDiv(x, y)
	default:
		r, err = decMod(x, y)
	}
	if err == errDivZero {
		return nil, s.divZero()
	}
	if err != nil {
		return nil, s.overflow()
	}
	return Decimal{Text: r.String()}, nil
}

func minMax(sign int) impl {
	return func(s *state, args []any) (any, error) {
		list := args
		if len(args) == 1 {
			if arr, ok := args[0].([]any); ok {
				list = arr
				if len(arr) == 0 {
					return nil, s.errorf("The template language function '%s' expects a non-empty array.", s.fname())
				}
			}
		}
		var best any
		for i, v := range list {
			if kindOf(v) == notNum {
				if len(list) != len(args) {
					return nil, s.errorf("The template language function '%s' expects an array of numbers. The item at index %d is of type '%s'.", s.fname(), i, TypeName(v))
				}
				return nil, s.argErr(i, "a number or an array of numbers", v)
			}
			if best == nil {
				best = v
				continue
			}
			if c, _ := compareNum(v, best); c*sign > 0 {
				best = v
			}
		}
		return best, nil
	}
}

// maxRange bounds range() so a single call cannot exhaust memory.
const maxRange = 100000

func fnRange(s *state, args []any) (any, error) {
	start, err := s.integer(args, 0)
	if err != nil {
		return nil, err
	}
	count, err := s.integer(args, 1)
	if err != nil {
		return nil, err
	}
	if count < 0 || count > maxRange {
		return nil, s.errorf("The template language function 'range' expects its second parameter 'count' to be between 0 and %d. The provided value is '%d'.", maxRange, count)
	}
	if count > 0 && start > math.MaxInt64-(count-1) {
		return nil, s.overflow()
	}
	out := make([]any, count)
	for i := range out {
		out[i] = start + int64(i)
	}
	return out, nil
}

func fnRand(s *state, args []any) (any, error) {
	lo, err := s.integer(args, 0)
	if err != nil {
		return nil, err
	}
	hi, err := s.integer(args, 1)
	if err != nil {
		return nil, err
	}
	if hi <= lo {
		return nil, s.errorf("The template language function 'rand' expects its second parameter 'maxValue' to be greater than its first parameter 'minValue'.")
	}
	v, err := s.env.Rand(lo, hi)
	if err != nil {
		return nil, err
	}
	return v, nil
}
