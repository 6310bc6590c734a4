// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// number is a decimal value in the form of .NET's NumberBuffer:
// 0.d1d2d3... × 10^scale, with no trailing zeros in digits. Zero has no
// digits and scale 0.
type number struct {
	digits   []byte // ASCII '0'..'9'
	scale    int
	negative bool
	float    bool // floating-point values keep the sign of a zero
}

// maxPrecision bounds the precision of standard formats. .NET accepts up
// to 999,999,999, which would let one expression allocate gigabytes.
const maxPrecision = 1000

// doublePrecisionCustom is the number of significant digits .NET keeps for
// doubles under custom format strings (DoublePrecisionCustomFormat).
const doublePrecisionCustom = 15

// floatExact returns the exact decimal expansion of |v|, which is finite.
func floatExact(v float64) number {
	n := number{float: true, negative: math.Signbit(v)}
	v = math.Abs(v)
	if v == 0 {
		return n
	}
	// 'e' with a large precision prints the exact binary value; a double
	// never has more than 767 significant decimal digits.
	s := strconv.FormatFloat(v, 'e', 767, 64)
	i := strings.IndexByte(s, 'e')
	exp, _ := strconv.Atoi(s[i+1:])
	d := make([]byte, 0, i)
	d = append(d, s[0])
	d = append(d, s[2:i]...)
	n.digits = trimZeros(d)
	n.scale = exp + 1
	return n
}

// floatShortest returns the shortest digits that round-trip to |v|.
func floatShortest(v float64) number {
	n := number{float: true, negative: math.Signbit(v)}
	v = math.Abs(v)
	if v == 0 {
		return n
	}
	s := strconv.FormatFloat(v, 'e', -1, 64)
	i := strings.IndexByte(s, 'e')
	exp, _ := strconv.Atoi(s[i+1:])
	d := make([]byte, 0, i)
	d = append(d, s[0])
	if i > 1 {
		d = append(d, s[2:i]...)
	}
	n.digits = trimZeros(d)
	n.scale = exp + 1
	return n
}

func intNumber(v int64) number {
	n := number{negative: v < 0}
	u := uint64(v)
	if v < 0 {
		u = -u
	}
	if u == 0 {
		return n
	}
	d := strconv.AppendUint(nil, u, 10)
	n.scale = len(d)
	n.digits = trimZeros(d)
	return n
}

func trimZeros(d []byte) []byte {
	for len(d) > 0 && d[len(d)-1] == '0' {
		d = d[:len(d)-1]
	}
	return d
}

func (n *number) isZero() bool { return len(n.digits) == 0 }

// round keeps pos digits, rounding half away from zero on the digit after
// them, like .NET's RoundNumber. pos may be zero or negative.
func (n *number) round(pos int) {
	i := len(n.digits)
	if pos < i {
		i = max(pos, 0)
		if pos >= 0 && n.digits[pos] >= '5' {
			for i > 0 && n.digits[i-1] == '9' {
				i--
			}
			if i > 0 {
				n.digits[i-1]++
			} else {
				n.scale++
				n.digits = append(n.digits[:0], '1')
				i = 1
			}
		}
	}
	n.digits = trimZeros(n.digits[:i])
	if len(n.digits) == 0 {
		n.scale = 0
		if !n.float {
			n.negative = false
		}
	}
}

// FormatInt formats v like Int64.ToString(format, culture) in .NET Core 3.0
// and later: the standard formats C, D, E, F, G, N, P, R and X (either
// case, with an optional precision such as "N2" or "X8") and custom
// formats with sections. The empty format means "G"; the empty culture
// means en-US.
func FormatInt(v int64, format, culture string) (string, error) {
	c, err := lookupCulture(culture)
	if err != nil {
		return "", err
	}
	f, prec, ok := parseStandardNumber(format)
	if ok && prec > maxPrecision {
		return "", fmt.Errorf("precision %d in format %q exceeds the limit of %d", prec, format, maxPrecision)
	}
	if !ok {
		n := intNumber(v)
		return formatCustomNumber(&n, format, c), nil
	}
	switch f {
	case 'D', 'd':
		s := strconv.FormatUint(absInt(v), 10)
		if len(s) < prec {
			s = strings.Repeat("0", prec-len(s)) + s
		}
		if v < 0 {
			s = c.negative + s
		}
		return s, nil
	case 'X', 'x':
		s := strconv.FormatUint(uint64(v), 16)
		if f == 'X' {
			s = strings.ToUpper(s)
		}
		if len(s) < prec {
			s = strings.Repeat("0", prec-len(s)) + s
		}
		return s, nil
	case 'R', 'r':
		// .NET rejects "R" for integers; Logic Apps values are untyped
		// numbers, so treat it as "G" rather than fail.
		f, prec = 'G', -1
	}
	n := intNumber(v)
	if (f == 'G' || f == 'g') && prec <= 0 {
		prec = max(len(n.digits), n.scale)
		if prec == 0 {
			prec = 1
		}
		return formatStandard(&n, f, prec, c, true)
	}
	return formatStandard(&n, f, prec, c, false)
}

// FormatFloat formats v like Double.ToString(format, culture) in .NET Core
// 3.0 and later, which rounds half away from zero on the exact decimal
// value and prints the shortest round-trip digits for "R" and "G". D and X
// are errors for floating-point values. The empty format means "G"; the
// empty culture means en-US.
func FormatFloat(v float64, format, culture string) (string, error) {
	c, err := lookupCulture(culture)
	if err != nil {
		return "", err
	}
	f, prec, ok := parseStandardNumber(format)
	if ok && prec > maxPrecision {
		return "", fmt.Errorf("precision %d in format %q exceeds the limit of %d", prec, format, maxPrecision)
	}
	if ok {
		switch f {
		case 'D', 'd', 'X', 'x':
			return "", fmt.Errorf("format %q is only valid for integers", format)
		}
	}
	switch {
	case math.IsNaN(v):
		return c.nan, nil
	case math.IsInf(v, 1):
		return c.posInf, nil
	case math.IsInf(v, -1):
		return c.negInf, nil
	}
	if !ok {
		n := floatExact(v)
		n.round(doublePrecisionCustom)
		return formatCustomNumber(&n, format, c), nil
	}
	switch f {
	case 'R', 'r', 'G', 'g':
		if f == 'R' || f == 'r' || prec <= 0 {
			n := floatShortest(v)
			switch f {
			case 'R':
				f = 'G'
			case 'r':
				f = 'g'
			}
			return formatStandard(&n, f, max(len(n.digits), 15), c, true)
		}
	}
	n := floatExact(v)
	return formatStandard(&n, f, prec, c, false)
}

func absInt(v int64) uint64 {
	if v < 0 {
		return -uint64(v)
	}
	return uint64(v)
}

// parseStandardNumber splits a standard numeric format into its specifier
// and precision (-1 when absent). ok is false for custom formats, which is
// anything that is not a letter followed by at most nine digits (.NET
// treats "N1000000000" as custom too).
func parseStandardNumber(format string) (f byte, prec int, ok bool) {
	if format == "" {
		return 'G', -1, true
	}
	f = format[0]
	if !(f >= 'A' && f <= 'Z' || f >= 'a' && f <= 'z') {
		return 0, 0, false
	}
	rest := format[1:]
	if rest == "" {
		prec = -1
	} else {
		if len(rest) > 9 {
			return 0, 0, false
		}
		for i := 0; i < len(rest); i++ {
			if rest[i] < '0' || rest[i] > '9' {
				return 0, 0, false
			}
		}
		prec, _ = strconv.Atoi(rest)
	}
	switch f {
	case 'C', 'c', 'D', 'd', 'E', 'e', 'F', 'f', 'G', 'g', 'N', 'n', 'P', 'p', 'R', 'r', 'X', 'x':
		return f, prec, true
	}
	// .NET throws for an unknown single letter with optional digits.
	return f, prec, true
}

var (
	posCurrency = [...]string{"$n", "n$", "$ n", "n $"}
	negCurrency = [...]string{"($n)", "-$n", "$-n", "$n-", "(n$)", "-n$", "n-$", "n$-", "-n $", "-$ n", "n $-", "$ n-", "$ -n", "n- $", "($ n)", "(n $)", "$- n"}
	posPercent  = [...]string{"n %", "n%", "%n", "% n"}
	negPercent  = [...]string{"-n %", "-n%", "-%n", "%-n", "%n-", "n-%", "n%-", "-% n", "n %-", "% n-", "% -n", "n- %"}
)

// formatStandard formats n with a standard specifier other than D and X.
// shortest means n already holds round-trip digits and prec is the
// scientific-notation threshold for G.
func formatStandard(n *number, f byte, prec int, c *culture, shortest bool) (string, error) {
	var sb strings.Builder
	switch f {
	case 'C', 'c':
		if prec < 0 {
			prec = c.currencyDigits
		}
		n.round(n.scale + prec)
		pattern := posCurrency[c.currencyPos]
		if n.negative {
			pattern = negCurrency[c.currencyNeg]
		}
		for _, r := range pattern {
			switch r {
			case 'n':
				writeFixed(&sb, n, prec, c.group, c.decimal)
			case '$':
				sb.WriteString(c.currency)
			case '-':
				sb.WriteString(c.negative)
			default:
				sb.WriteRune(r)
			}
		}
	case 'F', 'f', 'N', 'n':
		if prec < 0 {
			prec = 2
		}
		n.round(n.scale + prec)
		if n.negative {
			sb.WriteString(c.negative)
		}
		group := ""
		if f == 'N' || f == 'n' {
			group = c.group
		}
		writeFixed(&sb, n, prec, group, c.decimal)
	case 'P', 'p':
		if prec < 0 {
			prec = 2
		}
		if !n.isZero() {
			n.scale += 2
		}
		n.round(n.scale + prec)
		pattern := posPercent[c.percentPos]
		if n.negative {
			pattern = negPercent[c.percentNeg]
		}
		for _, r := range pattern {
			switch r {
			case 'n':
				writeFixed(&sb, n, prec, c.group, c.decimal)
			case '%':
				sb.WriteString("%")
			case '-':
				sb.WriteString(c.negative)
			default:
				sb.WriteRune(r)
			}
		}
	case 'E', 'e':
		if prec < 0 {
			prec = 6
		}
		n.round(prec + 1)
		if n.negative {
			sb.WriteString(c.negative)
		}
		writeScientific(&sb, n, prec, f, 3, c)
	case 'G', 'g':
		if !shortest {
			n.round(prec)
		}
		if n.negative && !(n.isZero() && !n.float) {
			sb.WriteString(c.negative)
		}
		writeGeneral(&sb, n, prec, f-('G'-'E'), c)
	default:
		return "", fmt.Errorf("invalid number format specifier %q", string(f))
	}
	return sb.String(), nil
}

// digit returns the i-th digit of n, '0' past the end.
func (n *number) digit(i int) byte {
	if i >= 0 && i < len(n.digits) {
		return n.digits[i]
	}
	return '0'
}

// writeFixed writes the integer part (grouped in threes when group is set)
// and prec decimals of n.
func writeFixed(sb *strings.Builder, n *number, prec int, group, dec string) {
	intLen := max(n.scale, 1)
	for i := 0; i < intLen; i++ {
		if n.scale <= 0 {
			sb.WriteByte('0')
		} else {
			sb.WriteByte(n.digit(i))
		}
		if group != "" {
			left := intLen - 1 - i
			if left > 0 && left%3 == 0 {
				sb.WriteString(group)
			}
		}
	}
	if prec > 0 {
		sb.WriteString(dec)
		for i := 0; i < prec; i++ {
			sb.WriteByte(n.digit(n.scale + i))
		}
	}
}

func writeScientific(sb *strings.Builder, n *number, prec int, e byte, minExp int, c *culture) {
	sb.WriteByte(n.digit(0))
	if prec > 0 {
		sb.WriteString(c.decimal)
		for i := 1; i <= prec; i++ {
			sb.WriteByte(n.digit(i))
		}
	}
	exp := 0
	if !n.isZero() {
		exp = n.scale - 1
	}
	writeExponent(sb, exp, e, minExp, true, c)
}

func writeExponent(sb *strings.Builder, exp int, e byte, minDigits int, plus bool, c *culture) {
	sb.WriteByte(e)
	if exp < 0 {
		sb.WriteString(c.negative)
		exp = -exp
	} else if plus {
		sb.WriteByte('+')
	}
	s := strconv.Itoa(exp)
	for i := len(s); i < minDigits; i++ {
		sb.WriteByte('0')
	}
	sb.WriteString(s)
}

// writeGeneral is .NET's FormatGeneral.
func writeGeneral(sb *strings.Builder, n *number, maxDigits int, e byte, c *culture) {
	pos := n.scale
	scientific := false
	if pos > maxDigits || pos < -3 {
		pos = 1
		scientific = true
	}
	di := 0
	if pos > 0 {
		for ; pos > 0; pos-- {
			if di < len(n.digits) {
				sb.WriteByte(n.digits[di])
				di++
			} else {
				sb.WriteByte('0')
			}
		}
	} else {
		sb.WriteByte('0')
	}
	if di < len(n.digits) || pos < 0 {
		sb.WriteString(c.decimal)
		for ; pos < 0; pos++ {
			sb.WriteByte('0')
		}
		sb.Write(n.digits[di:])
	}
	if scientific {
		exp := 0
		if !n.isZero() {
			exp = n.scale - 1
		}
		writeExponent(sb, exp, e, 2, true, c)
	}
}
