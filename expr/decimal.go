// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// dec is a .NET System.Decimal: an integer mantissa of at most 96 bits and a
// scale of 0..28 (value = m / 10^scale). Trailing zeros are significant for
// printing, as in .NET ("1.50").
type dec struct {
	m     big.Int
	scale int
}

const maxDecScale = 28

var (
	decMax     = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 96), big.NewInt(1))
	bigTen     = big.NewInt(10)
	errDecOver = errors.New("Value was either too large or too small for a Decimal.")
)

func pow10(n int) *big.Int { return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil) }

// parseDec parses a decimal number in invariant form ("-1.25", "3e2").
func parseDec(s string) (*dec, error) {
	s = strings.TrimSpace(s)
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > 100 || e < -100 {
			return nil, errors.New("invalid decimal")
		}
		mant, exp = s[:i], e
	}
	neg := false
	if mant != "" && (mant[0] == '-' || mant[0] == '+') {
		neg = mant[0] == '-'
		mant = mant[1:]
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" || strings.Trim(intPart+frac, "0123456789") != "" {
		return nil, errors.New("invalid decimal")
	}
	d := &dec{}
	if _, ok := d.m.SetString("0"+intPart+frac, 10); !ok {
		return nil, errors.New("invalid decimal")
	}
	d.scale = len(frac) - exp
	if d.scale < 0 {
		d.m.Mul(&d.m, pow10(-d.scale))
		d.scale = 0
	}
	if neg {
		d.m.Neg(&d.m)
	}
	return d.fit()
}

// fit rounds away digits beyond what a .NET decimal holds (scale 28, 96-bit
// mantissa), half to even, and fails when the integer part does not fit.
func (d *dec) fit() (*dec, error) {
	for d.scale > maxDecScale || d.m.CmpAbs(decMax) > 0 && d.scale > 0 {
		d.roundDigits(1)
	}
	if d.m.CmpAbs(decMax) > 0 {
		return nil, errDecOver
	}
	return d, nil
}

// roundDigits drops n digits of scale, rounding half to even.
func (d *dec) roundDigits(n int) {
	q, r := new(big.Int), new(big.Int)
	p := pow10(n)
	q.QuoRem(&d.m, p, r)
	r2 := new(big.Int).Abs(r)
	r2.Mul(r2, big.NewInt(2))
	if c := r2.Cmp(p); c > 0 || c == 0 && q.Bit(0) == 1 {
		if d.m.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	d.m.Set(q)
	d.scale -= n
}

func (d *dec) String() string {
	s := d.m.String()
	if d.scale == 0 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) <= d.scale {
		s = strings.Repeat("0", d.scale-len(s)+1) + s
	}
	s = s[:len(s)-d.scale] + "." + s[len(s)-d.scale:]
	if neg {
		s = "-" + s
	}
	return s
}

func (d *dec) float() float64 {
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}

func decFromInt(i int64) *dec {
	d := &dec{}
	d.m.SetInt64(i)
	return d
}

func decFromFloat(f float64) (*dec, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errDecOver
	}
	// .NET converts doubles to decimal with 15 significant digits.
	return parseDec(strconv.FormatFloat(f, 'g', 15, 64))
}

func align(a, b *dec) (x, y *big.Int, scale int) {
	x, y = new(big.Int).Set(&a.m), new(big.Int).Set(&b.m)
	scale = a.scale
	if a.scale < b.scale {
		x.Mul(x, pow10(b.scale-a.scale))
		scale = b.scale
	} else if b.scale < a.scale {
		y.Mul(y, pow10(a.scale-b.scale))
	}
	return x, y, scale
}

func decAdd(a, b *dec) (*dec, error) {
	x, y, s := align(a, b)
	d := &dec{scale: s}
	d.m.Add(x, y)
	return d.fit()
}

func decSub(a, b *dec) (*dec, error) {
	x, y, s := align(a, b)
	d := &dec{scale: s}
	d.m.Sub(x, y)
	return d.fit()
}

func decMul(a, b *dec) (*dec, error) {
	d := &dec{scale: a.scale + b.scale}
	d.m.Mul(&a.m, &b.m)
	return d.fit()
}

func decCmp(a, b *dec) int {
	x, y, _ := align(a, b)
	return x.Cmp(y)
}

var errDivZero = errors.New("Attempted to divide by zero.")

// decDiv divides like .NET: exact when possible with the smallest scale,
// else rounded to 28 decimal places or the mantissa limit.
func decDiv(a, b *dec) (*dec, error) {
	if b.m.Sign() == 0 {
		return nil, errDivZero
	}
	// Scale the dividend up so the quotient has maxDecScale+1 digits of
	// fraction, then round and strip zeros beyond the operands' scale.
	x, y, _ := align(a, b)
	extra := maxDecScale + 1
	x.Mul(x, pow10(extra))
	q, r := new(big.Int).QuoRem(x, y, new(big.Int))
	d := &dec{scale: extra}
	d.m.Set(q)
	if r.Sign() != 0 {
		// Sticky digit for correct rounding.
		d.m.Mul(&d.m, bigTen)
		if q.Sign() < 0 || (q.Sign() == 0 && (x.Sign() < 0) != (y.Sign() < 0)) {
			d.m.Sub(&d.m, big.NewInt(1))
		} else {
			d.m.Add(&d.m, big.NewInt(1))
		}
		d.scale++
	}
	res, err := d.fit()
	if err != nil {
		return nil, err
	}
	// Exact results drop trailing zeros down to the natural scale.
	minScale := max(a.scale-b.scale, 0)
	zero := new(big.Int)
	for res.scale > minScale {
		q, r := new(big.Int).QuoRem(&res.m, bigTen, new(big.Int))
		if r.Cmp(zero) != 0 {
			break
		}
		res.m.Set(q)
		res.scale--
	}
	return res, nil
}

func decMod(a, b *dec) (*dec, error) {
	if b.m.Sign() == 0 {
		return nil, errDivZero
	}
	x, y, s := align(a, b)
	d := &dec{scale: s}
	d.m.Rem(x, y)
	return d, nil
}
