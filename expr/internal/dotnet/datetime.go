// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Unspecified is the location of times that carry no offset, the .NET
// DateTimeKind.Unspecified. Its offset is zero. [ParseTime] returns it for
// inputs without an offset, and [FormatTime] prints such times without "Z"
// or an offset. Compare locations with ==.
var Unspecified = time.FixedZone("", 0)

// AsUnspecified returns t's wall clock in the [Unspecified] location, as
// .NET does when it converts a DateTime to another zone and drops the kind.
func AsUnspecified(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), Unspecified)
}

type kind int

const (
	kindUnspecified kind = iota
	kindUTC
	kindOffset // a DateTimeOffset
)

func kindOf(t time.Time) kind {
	switch t.Location() {
	case time.UTC:
		return kindUTC
	case Unspecified:
		return kindUnspecified
	}
	return kindOffset
}

// Invariant patterns of the culture-independent standard formats.
const (
	patternRoundtripDateTime = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.fffffffK"
	patternRoundtripOffset   = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.fffffffzzz"
	patternRFC1123           = "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'"
	patternSortable          = "yyyy'-'MM'-'dd'T'HH':'mm':'ss"
	patternUniversalSortable = "yyyy'-'MM'-'dd HH':'mm':'ss'Z'"
)

// FormatTime formats t the way .NET formats a DateTime (for [time.UTC] and
// [Unspecified] locations) or a DateTimeOffset (for other locations) with
// the given standard or custom format string in the named culture. The
// empty format means "o"; the empty culture means en-US. It returns an
// error for an unknown culture or an invalid format string.
func FormatTime(t time.Time, format, culture string) (string, error) {
	c, err := lookupCulture(culture)
	if err != nil {
		return "", err
	}
	if y := t.Year(); y < 1 || y > 9999 {
		return "", fmt.Errorf("year %d is outside the range 1 to 9999", y)
	}
	if format == "" {
		format = "o"
	}
	pattern, t, c, err := expandStandard(t, format, c)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	sb.Grow(len(pattern) + 8)
	if err := formatCustomTime(&sb, t, pattern, c); err != nil {
		return "", fmt.Errorf("invalid date and time format %q: %w", format, err)
	}
	return sb.String(), nil
}

// expandStandard turns a one-letter standard format into its pattern, and
// converts t to UTC and selects the invariant culture where .NET does.
func expandStandard(t time.Time, format string, c *culture) (string, time.Time, *culture, error) {
	if len([]rune(format)) != 1 {
		return format, t, c, nil
	}
	k := kindOf(t)
	switch format[0] {
	case 'o', 'O':
		if k == kindOffset {
			return patternRoundtripOffset, t, invariant, nil
		}
		return patternRoundtripDateTime, t, invariant, nil
	case 'r', 'R':
		if k == kindOffset {
			t = t.UTC()
		}
		return patternRFC1123, t, invariant, nil
	case 's':
		return patternSortable, t, invariant, nil
	case 'u':
		if k == kindOffset {
			t = t.UTC()
		}
		return patternUniversalSortable, t, invariant, nil
	case 'U':
		if k == kindOffset {
			// DateTimeOffset does not support "U".
			return "", t, c, fmt.Errorf("invalid date and time format %q for a value with an offset", format)
		}
		return c.longDate + " " + c.longTime, t.UTC(), c, nil
	case 'd':
		return c.shortDate, t, c, nil
	case 'D':
		return c.longDate, t, c, nil
	case 'f':
		return c.longDate + " " + c.shortTime, t, c, nil
	case 'F':
		return c.longDate + " " + c.longTime, t, c, nil
	case 'g':
		return c.shortDate + " " + c.shortTime, t, c, nil
	case 'G':
		return c.shortDate + " " + c.longTime, t, c, nil
	case 'm', 'M':
		return c.monthDay, t, c, nil
	case 't':
		return c.shortTime, t, c, nil
	case 'T':
		return c.longTime, t, c, nil
	case 'y', 'Y':
		return c.yearMonth, t, c, nil
	}
	return "", t, c, fmt.Errorf("invalid standard date and time format %q", format)
}

// repeatCount returns how many times f[i] repeats from i.
func repeatCount(f []rune, i int) int {
	n := 1
	for i+n < len(f) && f[i+n] == f[i] {
		n++
	}
	return n
}

// hasDayToken reports whether the pattern has a "d" or "dd" token, which
// makes month names take their genitive form.
func hasDayToken(f []rune) bool {
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case '\'', '"':
			q := f[i]
			for i++; i < len(f) && f[i] != q; i++ {
				if f[i] == '\\' {
					i++
				}
			}
		case '\\':
			i++
		case 'd':
			n := repeatCount(f, i)
			if n <= 2 {
				return true
			}
			i += n - 1
		}
	}
	return false
}

func writeDigits(sb *strings.Builder, v, width int) {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		sb.WriteByte('0')
	}
	sb.WriteString(s)
}

// formatCustomTime is .NET's DateTimeFormat.FormatCustomized.
func formatCustomTime(sb *strings.Builder, t time.Time, pattern string, c *culture) error {
	f := []rune(pattern)
	genitive := -1 // unknown until a month name is written
	for i := 0; i < len(f); {
		ch := f[i]
		n := 1
		switch ch {
		case 'g':
			n = repeatCount(f, i)
			sb.WriteString("A.D.")
		case 'h':
			n = repeatCount(f, i)
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			writeDigits(sb, h, min(n, 2))
		case 'H':
			n = repeatCount(f, i)
			writeDigits(sb, t.Hour(), min(n, 2))
		case 'm':
			n = repeatCount(f, i)
			writeDigits(sb, t.Minute(), min(n, 2))
		case 's':
			n = repeatCount(f, i)
			writeDigits(sb, t.Second(), min(n, 2))
		case 'f', 'F':
			n = repeatCount(f, i)
			if n > 7 {
				return fmt.Errorf("%d %q specifiers at position %d, at most 7 allowed", n, ch, i)
			}
			frac := t.Nanosecond() / 100
			for k := n; k < 7; k++ {
				frac /= 10
			}
			if ch == 'f' {
				writeDigits(sb, frac, n)
				break
			}
			w := n
			for w > 0 && frac%10 == 0 {
				frac /= 10
				w--
			}
			if w > 0 {
				writeDigits(sb, frac, w)
			} else if s := sb.String(); strings.HasSuffix(s, ".") {
				// .NET drops a '.' written just before an empty "F".
				sb.Reset()
				sb.WriteString(s[:len(s)-1])
			}
		case 't':
			n = repeatCount(f, i)
			d := c.am
			if t.Hour() >= 12 {
				d = c.pm
			}
			if n == 1 {
				if r := []rune(d); len(r) > 0 {
					sb.WriteRune(r[0])
				}
			} else {
				sb.WriteString(d)
			}
		case 'd':
			n = repeatCount(f, i)
			switch {
			case n <= 2:
				writeDigits(sb, t.Day(), n)
			case n == 3:
				sb.WriteString(c.daysAbbr[t.Weekday()])
			default:
				sb.WriteString(c.days[t.Weekday()])
			}
		case 'M':
			n = repeatCount(f, i)
			if n <= 2 {
				writeDigits(sb, int(t.Month()), n)
				break
			}
			if genitive < 0 {
				genitive = 0
				if hasDayToken(f) {
					genitive = 1
				}
			}
			if n == 3 {
				sb.WriteString(c.monthAbbr(int(t.Month())-1, genitive == 1))
			} else {
				sb.WriteString(c.monthName(int(t.Month())-1, genitive == 1))
			}
		case 'y':
			n = repeatCount(f, i)
			if n <= 2 {
				writeDigits(sb, t.Year()%100, n)
			} else {
				writeDigits(sb, t.Year(), n)
			}
		case 'z':
			n = repeatCount(f, i)
			_, off := t.Zone()
			writeOffset(sb, off, n)
		case 'K':
			switch kindOf(t) {
			case kindUTC:
				sb.WriteByte('Z')
			case kindOffset:
				_, off := t.Zone()
				writeOffset(sb, off, 3)
			}
		case ':':
			sb.WriteString(c.timeSep)
		case '/':
			sb.WriteString(c.dateSep)
		case '\'', '"':
			j := i + 1
			for ; j < len(f) && f[j] != ch; j++ {
				if f[j] == '\\' {
					j++
					if j == len(f) {
						break
					}
				}
				sb.WriteRune(f[j])
			}
			if j >= len(f) {
				return fmt.Errorf("unterminated quote at position %d", i)
			}
			n = j - i + 1
		case '%':
			if i+1 >= len(f) || f[i+1] == '%' {
				return fmt.Errorf("'%%' at position %d must be followed by a format specifier", i)
			}
			// "%d" formats one specifier alone; the next loop step does it.
		case '\\':
			if i+1 >= len(f) {
				return fmt.Errorf("backslash at the end of the format")
			}
			sb.WriteRune(f[i+1])
			n = 2
		default:
			sb.WriteRune(ch)
		}
		i += n
	}
	return nil
}

// writeOffset writes a UTC offset in seconds as "z" (n=1: "+5"), "zz"
// ("+05") or "zzz" ("+05:30").
func writeOffset(sb *strings.Builder, off, n int) {
	if off < 0 {
		sb.WriteByte('-')
		off = -off
	} else {
		sb.WriteByte('+')
	}
	h, m := off/3600, off%3600/60
	switch n {
	case 1:
		writeDigits(sb, h, 1)
	case 2:
		writeDigits(sb, h, 2)
	default:
		writeDigits(sb, h, 2)
		sb.WriteByte(':')
		writeDigits(sb, m, 2)
	}
}
