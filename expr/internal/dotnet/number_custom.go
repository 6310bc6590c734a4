// SPDX-License-Identifier: Apache-2.0

package dotnet

import "strings"

// findSection returns the index in f where section n (0 positive,
// 1 negative, 2 zero) starts; a missing or empty section falls back to the
// first, as in .NET.
func findSection(f []rune, n int) int {
	if n == 0 {
		return 0
	}
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case '\'', '"':
			q := f[i]
			for i++; i < len(f) && f[i] != q; i++ {
			}
		case '\\':
			i++
		case ';':
			n--
			if n == 0 {
				if i+1 < len(f) && f[i+1] != ';' {
					return i + 1
				}
				return 0
			}
		}
	}
	return 0
}

// formatCustomNumber is .NET's NumberToStringFormat: it applies a custom
// numeric format string to n.
func formatCustomNumber(n *number, format string, c *culture) string {
	f := []rune(format)
	which := 0
	if n.isZero() {
		which = 2
	} else if n.negative {
		which = 1
	}
	section := findSection(f, which)

	var (
		digitCount, decimalPos, firstDigit, lastDigit int
		scaleAdjust, thousandPos, thousandCount       int
		thousandSeps, scientific                      bool
	)
	for {
		digitCount, decimalPos, firstDigit, lastDigit = 0, -1, 0x7FFFFFFF, 0
		scaleAdjust, thousandPos, thousandCount = 0, -1, 0
		thousandSeps, scientific = false, false
		for i := section; i < len(f) && f[i] != ';'; i++ {
			switch ch := f[i]; ch {
			case '#':
				digitCount++
			case '0':
				if firstDigit == 0x7FFFFFFF {
					firstDigit = digitCount
				}
				digitCount++
				lastDigit = digitCount
			case '.':
				if decimalPos < 0 {
					decimalPos = digitCount
				}
			case ',':
				if digitCount > 0 && decimalPos < 0 {
					if thousandPos >= 0 {
						if thousandPos == digitCount {
							thousandCount++
							break
						}
						thousandSeps = true
					}
					thousandPos = digitCount
					thousandCount = 1
				}
			case '%':
				scaleAdjust += 2
			case '‰':
				scaleAdjust += 3
			case '\'', '"':
				for i++; i < len(f) && f[i] != ch; i++ {
				}
			case '\\':
				i++
			case 'E', 'e':
				if i+1 < len(f) && f[i+1] == '0' || i+2 < len(f) && (f[i+1] == '+' || f[i+1] == '-') && f[i+2] == '0' {
					i++
					for i+1 < len(f) && f[i+1] == '0' {
						i++
					}
					scientific = true
				}
			}
		}
		if decimalPos < 0 {
			decimalPos = digitCount
		}
		if thousandPos >= 0 {
			if thousandPos == decimalPos {
				scaleAdjust -= thousandCount * 3
			} else {
				thousandSeps = true
			}
		}
		if !n.isZero() {
			n.scale += scaleAdjust
			pos := n.scale + digitCount - decimalPos
			if scientific {
				pos = digitCount
			}
			n.round(pos)
			if n.isZero() {
				if s := findSection(f, 2); s != section {
					section = s
					continue
				}
			}
		} else {
			if !n.float {
				n.negative = false
			}
			n.scale = 0
		}
		break
	}

	if firstDigit < decimalPos {
		firstDigit = decimalPos - firstDigit
	} else {
		firstDigit = 0
	}
	if lastDigit > decimalPos {
		lastDigit = decimalPos - lastDigit
	} else {
		lastDigit = 0
	}
	var digPos, adjust int
	if scientific {
		digPos = decimalPos
	} else {
		digPos = max(n.scale, decimalPos)
		adjust = n.scale - decimalPos
	}

	// Positions (counted from the decimal point) after which a group
	// separator goes; .NET groups by three for every culture here.
	var sepPos []int
	if thousandSeps && c.group != "" {
		total := digPos
		if adjust < 0 {
			total += adjust
		}
		numDigits := max(firstDigit, total)
		for g := 3; numDigits > g; g += 3 {
			sepPos = append(sepPos, g)
		}
	}
	sepIdx := len(sepPos) - 1

	var sb strings.Builder
	negSign := n.negative && section == 0
	if negSign && n.scale != 0 {
		sb.WriteString(c.negative)
	}
	di := 0
	next := func() (byte, bool) {
		if di < len(n.digits) {
			di++
			return n.digits[di-1], true
		}
		return 0, false
	}
	writeSep := func() {
		if thousandSeps && digPos > 1 && sepIdx >= 0 && digPos == sepPos[sepIdx]+1 {
			sb.WriteString(c.group)
			sepIdx--
		}
	}
	decimalWritten := false
	for i := section; i < len(f) && f[i] != ';'; i++ {
		ch := f[i]
		if adjust > 0 && (ch == '#' || ch == '0' || ch == '.') {
			for adjust > 0 {
				if d, ok := next(); ok {
					sb.WriteByte(d)
				} else {
					sb.WriteByte('0')
				}
				writeSep()
				digPos--
				adjust--
			}
		}
		switch ch {
		case '#', '0':
			var out byte
			if adjust < 0 {
				adjust++
				if digPos <= firstDigit {
					out = '0'
				}
			} else if d, ok := next(); ok {
				out = d
			} else if digPos > lastDigit {
				out = '0'
			}
			if out != 0 {
				sb.WriteByte(out)
				writeSep()
			}
			digPos--
		case '.':
			if digPos != 0 || decimalWritten {
				break
			}
			if lastDigit < 0 || decimalPos < digitCount && di < len(n.digits) {
				sb.WriteString(c.decimal)
				decimalWritten = true
			}
		case '‰':
			sb.WriteString("‰")
		case '%':
			sb.WriteString("%")
		case ',':
		case '\'', '"':
			for i++; i < len(f) && f[i] != ch; i++ {
				sb.WriteRune(f[i])
			}
		case '\\':
			if i+1 < len(f) {
				i++
				sb.WriteRune(f[i])
			}
		case 'E', 'e':
			if !scientific {
				sb.WriteRune(ch)
				if i+1 < len(f) && (f[i+1] == '+' || f[i+1] == '-') {
					i++
					sb.WriteRune(f[i])
				}
				for i+1 < len(f) && f[i+1] == '0' {
					i++
					sb.WriteRune(f[i])
				}
				break
			}
			plus := false
			switch {
			case i+1 < len(f) && f[i+1] == '0':
			case i+2 < len(f) && f[i+1] == '+' && f[i+2] == '0':
				plus = true
				i++
			case i+2 < len(f) && f[i+1] == '-' && f[i+2] == '0':
				i++
			default:
				sb.WriteRune(ch)
				continue
			}
			minDigits := 0
			for i+1 < len(f) && f[i+1] == '0' {
				i++
				minDigits++
			}
			minDigits = min(minDigits, 10)
			exp := 0
			if !n.isZero() {
				exp = n.scale - decimalPos
			}
			writeExponent(&sb, exp, byte(ch), minDigits, plus, c)
			scientific = false
		default:
			sb.WriteRune(ch)
		}
	}
	if negSign && n.scale == 0 && sb.Len() > 0 {
		return c.negative + sb.String()
	}
	return sb.String()
}
