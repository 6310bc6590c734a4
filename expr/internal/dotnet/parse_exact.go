// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// exactParser is a small DateTime.ParseExact over a custom pattern.
type exactParser struct {
	s   string
	pos int
	c   *culture
}

func (p *exactParser) digits(lo, hi int, what string) (int, error) {
	sc := scanner{s: p.s, pos: p.pos}
	v, ok := sc.digits(lo, hi)
	if !ok {
		if lo == hi {
			return 0, fmt.Errorf("want %d digits of %s at offset %d", lo, what, p.pos)
		}
		return 0, fmt.Errorf("want %d to %d digits of %s at offset %d", lo, hi, what, p.pos)
	}
	p.pos = sc.pos
	return v, nil
}

// matchWord consumes the longest of the candidates (case-insensitive) and
// returns its index.
func (p *exactParser) matchWord(cands []string) int {
	best, bestLen := -1, 0
	rest := p.s[p.pos:]
	for i, w := range cands {
		if w != "" && len(w) > bestLen && len(rest) >= len(w) && strings.EqualFold(rest[:len(w)], w) {
			best, bestLen = i, len(w)
		}
	}
	p.pos += bestLen
	return best
}

func (p *exactParser) literal(r rune) error {
	if unicode.IsSpace(r) {
		n := 0
		for p.pos < len(p.s) {
			r2, w := utf8.DecodeRuneInString(p.s[p.pos:])
			if !unicode.IsSpace(r2) {
				break
			}
			p.pos += w
			n++
		}
		if n == 0 {
			return fmt.Errorf("want a space at offset %d", p.pos)
		}
		return nil
	}
	r2, w := utf8.DecodeRuneInString(p.s[p.pos:])
	if p.pos >= len(p.s) || r2 != r {
		return fmt.Errorf("want %q at offset %d", r, p.pos)
	}
	p.pos += w
	return nil
}

func (p *exactParser) literalString(s string) error {
	for _, r := range s {
		if err := p.literal(r); err != nil {
			return err
		}
	}
	return nil
}

func parseExact(s, pattern string, c *culture) (time.Time, error) {
	p := &exactParser{s: strings.TrimSpace(s), c: c}
	f := []rune(pattern)
	year, month, day := 1, 1, 1
	hour, minute, sec, nsec := 0, 0, 0, 0
	hour12, pm, havePM := false, false, false
	weekday := -1
	loc := Unspecified
	var err error
	for i := 0; i < len(f) && err == nil; {
		ch := f[i]
		n := 1
		switch ch {
		case 'y', 'M', 'd', 'h', 'H', 'm', 's', 'f', 'F', 't', 'z', 'g':
			n = repeatCount(f, i)
		}
		switch ch {
		case 'y':
			switch {
			case n <= 2:
				var y int
				lo := n
				if y, err = p.digits(lo, 2, "year"); err == nil {
					year = expandYear(fmt.Sprintf("%02d", y))
				}
			default:
				year, err = p.digits(n, max(n, 4), "year")
			}
		case 'M':
			switch {
			case n <= 2:
				month, err = p.digits(n, 2, "month")
			default:
				var cands []string
				for m := 0; m < 12; m++ {
					if n == 3 {
						cands = append(cands, c.monthAbbr(m, false), c.monthAbbr(m, true))
					} else {
						cands = append(cands, c.monthName(m, false), c.monthName(m, true))
					}
				}
				if k := p.matchWord(cands); k >= 0 {
					month = k/2 + 1
				} else {
					err = fmt.Errorf("want a month name at offset %d", p.pos)
				}
			}
		case 'd':
			switch {
			case n <= 2:
				day, err = p.digits(n, 2, "day")
			default:
				names := c.days[:]
				if n == 3 {
					names = c.daysAbbr[:]
				}
				if weekday = p.matchWord(names); weekday < 0 {
					err = fmt.Errorf("want a day name at offset %d", p.pos)
				}
			}
		case 'h', 'H':
			hour, err = p.digits(min(n, 2), 2, "hour")
			hour12 = hour12 || ch == 'h'
		case 'm':
			minute, err = p.digits(min(n, 2), 2, "minute")
		case 's':
			sec, err = p.digits(min(n, 2), 2, "second")
		case 'f', 'F':
			if n > 7 {
				return time.Time{}, fmt.Errorf("%d %q specifiers in format, at most 7 allowed", n, ch)
			}
			lo := n
			if ch == 'F' {
				lo = 0
			}
			start := p.pos
			var v int
			if v, err = p.digits(lo, n, "fraction"); err == nil {
				for k := p.pos - start; k < 9; k++ {
					v *= 10
				}
				nsec = v
			}
		case 't':
			cands := []string{c.am, c.pm, "AM", "PM"}
			if n == 1 {
				cands = []string{firstRune(c.am), firstRune(c.pm), "A", "P"}
			}
			k := p.matchWord(cands)
			if k < 0 {
				err = fmt.Errorf("want an AM/PM designator at offset %d", p.pos)
			}
			havePM, pm = true, k%2 == 1
		case 'z', 'K':
			if p.pos >= len(p.s) && ch == 'K' {
				break
			}
			sc := scanner{s: p.s, pos: p.pos}
			l, ok := sc.offset()
			if !ok {
				err = fmt.Errorf("want a UTC offset at offset %d", p.pos)
				break
			}
			p.pos, loc = sc.pos, l
		case 'g':
			// Eras: accept and ignore "A.D."/"AD".
			p.matchWord([]string{"A.D.", "AD"})
		case ':':
			err = p.literalString(c.timeSep)
		case '/':
			err = p.literalString(c.dateSep)
		case '\'', '"':
			j := i + 1
			for ; j < len(f) && f[j] != ch && err == nil; j++ {
				if f[j] == '\\' && j+1 < len(f) {
					j++
				}
				err = p.literal(f[j])
			}
			if j >= len(f) {
				return time.Time{}, fmt.Errorf("unterminated quote in format at position %d", i)
			}
			n = j - i + 1
		case '%':
			if i+1 >= len(f) || f[i+1] == '%' {
				return time.Time{}, fmt.Errorf("'%%' at position %d of the format must be followed by a specifier", i)
			}
		case '\\':
			if i+1 >= len(f) {
				return time.Time{}, fmt.Errorf("backslash at the end of the format")
			}
			err = p.literal(f[i+1])
			n = 2
		default:
			err = p.literal(ch)
		}
		i += n
	}
	if err != nil {
		return time.Time{}, err
	}
	if p.pos < len(p.s) {
		return time.Time{}, fmt.Errorf("unexpected %q at offset %d", p.s[p.pos:], p.pos)
	}
	if havePM || hour12 {
		if hour > 12 || hour12 && hour == 0 {
			return time.Time{}, fmt.Errorf("hour %d out of range for a 12-hour clock", hour)
		}
		if pm && hour < 12 {
			hour += 12
		} else if !pm && hour == 12 {
			hour = 0
		}
	}
	t, err := makeTime(year, month, day, hour, minute, sec, nsec, loc)
	if err != nil {
		return time.Time{}, err
	}
	if weekday >= 0 && int(t.Weekday()) != weekday {
		return time.Time{}, fmt.Errorf("day of week %s does not match the date %04d-%02d-%02d", c.days[weekday], year, month, day)
	}
	return t, nil
}

func firstRune(s string) string {
	_, w := utf8.DecodeRuneInString(s)
	return s[:w]
}
