// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ParseTime parses a timestamp the way Logic Apps accepts it: ISO 8601 with
// or without an offset or "Z" and with up to 7 fractional digits, a date
// alone ("2018-03-15"), minutes precision ("2018-03-15T13:00"), RFC 1123
// ("Mon, 15 Jan 2018 13:00:00 GMT") and the invariant culture's general
// forms ("03/15/2018 13:00:00", "03/15/2018"). A value with "Z" is returned
// in [time.UTC], a value with an offset in a fixed zone with that offset,
// and a value without offset in [Unspecified].
func ParseTime(s string) (time.Time, error) {
	if t, ok := parseISO(strings.TrimSpace(s)); ok {
		return t, nil
	}
	t, err := parseLenient(s, invariant)
	if err != nil {
		return time.Time{}, fmt.Errorf("parsing timestamp %q: %w", s, err)
	}
	return t, nil
}

// ParseTimeExact parses s with a .NET custom or standard date and time
// format in the named culture, like DateTime.ParseExact; it backs
// parseDateTime(timestamp, locale, format). If format is empty, s is parsed
// leniently with the culture's patterns, like DateTime.Parse with a
// culture. The result location follows the rules of [ParseTime].
func ParseTimeExact(s, format, culture string) (time.Time, error) {
	c, err := lookupCulture(culture)
	if err != nil {
		return time.Time{}, err
	}
	if format == "" {
		if t, ok := parseISO(strings.TrimSpace(s)); ok {
			return t, nil
		}
		t, err := parseLenient(s, c)
		if err != nil {
			return time.Time{}, fmt.Errorf("parsing timestamp %q as %s: %w", s, c.displayName(), err)
		}
		return t, nil
	}
	pattern, _, pc, err := expandStandard(time.Time{}.AddDate(2000, 0, 0), format, c)
	if err != nil {
		return time.Time{}, err
	}
	t, err := parseExact(s, pattern, pc)
	if err != nil {
		return time.Time{}, fmt.Errorf("parsing timestamp %q with format %q: %w", s, format, err)
	}
	return t, nil
}

func (c *culture) displayName() string {
	if c.name == "" {
		return "invariant culture"
	}
	return c.name
}

// parseISO parses YYYY-MM-DD[(T| )hh:mm[:ss[.fraction]]][Z|±hh[:]mm|±hh].
func parseISO(s string) (time.Time, bool) {
	p := scanner{s: s}
	year, ok1 := p.digits(4, 4)
	ok2 := p.lit('-')
	month, ok3 := p.digits(2, 2)
	ok4 := p.lit('-')
	day, ok5 := p.digits(2, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5) {
		return time.Time{}, false
	}
	var hour, minute, sec, nsec int
	if p.lit('T') || p.lit('t') || p.lit(' ') {
		var ok bool
		if hour, ok = p.digits(2, 2); !ok || !p.lit(':') {
			return time.Time{}, false
		}
		if minute, ok = p.digits(2, 2); !ok {
			return time.Time{}, false
		}
		if p.lit(':') {
			if sec, ok = p.digits(2, 2); !ok {
				return time.Time{}, false
			}
			if p.lit('.') || p.lit(',') {
				if nsec, ok = p.fraction(); !ok {
					return time.Time{}, false
				}
			}
		}
	}
	loc := Unspecified
	if !p.eof() {
		var ok bool
		if loc, ok = p.offset(); !ok || !p.eof() {
			return time.Time{}, false
		}
	}
	t, err := makeTime(year, month, day, hour, minute, sec, nsec, loc)
	return t, err == nil
}

// makeTime builds a time and rejects out-of-range fields instead of
// normalising them as time.Date does.
func makeTime(year, month, day, hour, minute, sec, nsec int, loc *time.Location) (time.Time, error) {
	switch {
	case year < 1 || year > 9999:
		return time.Time{}, fmt.Errorf("year %d out of range", year)
	case month < 1 || month > 12:
		return time.Time{}, fmt.Errorf("month %d out of range", month)
	case day < 1 || day > daysIn(year, time.Month(month)):
		return time.Time{}, fmt.Errorf("day %d out of range for %04d-%02d", day, year, month)
	case hour > 23:
		return time.Time{}, fmt.Errorf("hour %d out of range", hour)
	case minute > 59:
		return time.Time{}, fmt.Errorf("minute %d out of range", minute)
	case sec > 59:
		return time.Time{}, fmt.Errorf("second %d out of range", sec)
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), nil
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// scanner reads fixed-shape fields from a string.
type scanner struct {
	s   string
	pos int
}

func (p *scanner) eof() bool { return p.pos >= len(p.s) }

func (p *scanner) lit(b byte) bool {
	if p.pos < len(p.s) && p.s[p.pos] == b {
		p.pos++
		return true
	}
	return false
}

// digits reads between lo and hi ASCII digits.
func (p *scanner) digits(lo, hi int) (int, bool) {
	v, n := 0, 0
	for n < hi && p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
		v = v*10 + int(p.s[p.pos]-'0')
		p.pos++
		n++
	}
	return v, n >= lo
}

// fraction reads fractional-second digits; digits beyond the 100ns tick
// are dropped, as .NET does.
func (p *scanner) fraction() (int, bool) {
	ns, n := 0, 0
	for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
		if n < 7 {
			ns = ns*10 + int(p.s[p.pos]-'0')
		}
		n++
		p.pos++
	}
	if n == 0 {
		return 0, false
	}
	for k := min(n, 7); k < 9; k++ {
		ns *= 10
	}
	return ns, true
}

// offset reads "Z", "±hh", "±hhmm" or "±hh:mm".
func (p *scanner) offset() (*time.Location, bool) {
	if p.lit('Z') || p.lit('z') {
		return time.UTC, true
	}
	sign := 1
	switch {
	case p.lit('+'):
	case p.lit('-'):
		sign = -1
	default:
		return nil, false
	}
	h, ok := p.digits(1, 2)
	if !ok || h > 14 {
		return nil, false
	}
	m := 0
	if p.lit(':') {
		if m, ok = p.digits(2, 2); !ok {
			return nil, false
		}
	} else if p.pos < len(p.s) {
		if m, ok = p.digits(2, 2); !ok {
			return nil, false
		}
	}
	if m > 59 {
		return nil, false
	}
	return time.FixedZone("", sign*(h*3600+m*60)), true
}

type lexToken struct {
	text  string
	num   bool
	start int
}

// lexDate splits s into runs of digits, runs of letters (with a trailing
// '.' kept, as in "janv.") and single other characters; spaces separate.
func lexDate(s string) []lexToken {
	var toks []lexToken
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r) || r == ',':
			i += w
		case r >= '0' && r <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			toks = append(toks, lexToken{text: s[i:j], num: true, start: i})
			i = j
		case unicode.IsLetter(r):
			j := i
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r2) && r2 != '.' && r2 != '-' && r2 != '\u00a0' {
					break
				}
				j += w2
			}
			toks = append(toks, lexToken{text: s[i:j], start: i})
			i = j
		default:
			toks = append(toks, lexToken{text: s[i : i+w], start: i})
			i += w
		}
	}
	return toks
}

func foldEq(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}

// lookupMonth matches a month name or abbreviation of c or of English.
func lookupMonth(word string, c *culture) int {
	for _, cc := range []*culture{c, invariant} {
		for m := 0; m < 12; m++ {
			if foldEq(word, cc.months[m]) || foldEq(word, cc.monthsAbbr[m]) ||
				foldEq(word, cc.monthName(m, true)) || foldEq(word, cc.monthAbbr(m, true)) {
				return m + 1
			}
		}
	}
	return 0
}

func isDayName(word string, c *culture) bool {
	for _, cc := range []*culture{c, invariant} {
		for d := 0; d < 7; d++ {
			if foldEq(word, cc.days[d]) || foldEq(word, cc.daysAbbr[d]) {
				return true
			}
		}
	}
	return false
}

// dateOrder returns "dmy", "mdy" or "ymd" from the culture's short date.
func (c *culture) dateOrder() string {
	var order []byte
	for _, r := range c.shortDate {
		var b byte
		switch r {
		case 'd':
			b = 'd'
		case 'M':
			b = 'm'
		case 'y':
			b = 'y'
		default:
			continue
		}
		if len(order) == 0 || order[len(order)-1] != b {
			order = append(order, b)
		}
	}
	return string(order)
}

// noiseWords are words that date texts contain between fields.
var noiseWords = map[string]bool{"de": true, "del": true, "of": true, "the": true, "at": true, "à": true, "um": true, "kl.": true, "t": true}

// parseLenient is a small version of DateTime.Parse: it finds a date made
// of numbers and month names in the culture's order, an optional time with
// AM/PM designator, and an optional "Z", "GMT" or offset.
func parseLenient(s string, c *culture) (time.Time, error) {
	toks := lexDate(s)
	if len(toks) == 0 {
		return time.Time{}, fmt.Errorf("empty timestamp")
	}
	var (
		nums                    []string
		month                   int
		hour, minute, sec, nsec int
		haveTime, pm, am        bool
		loc                     = Unspecified
	)
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		switch {
		case tk.num && i+1 < len(toks) && toks[i+1].text == c.timeSep || tk.num && i+1 < len(toks) && toks[i+1].text == ":":
			if haveTime {
				return time.Time{}, fmt.Errorf("second time of day at offset %d", tk.start)
			}
			rest := s[tk.start:]
			p := scanner{s: rest}
			hour, _ = p.digits(1, 2)
			p.lit(':')
			var ok bool
			if minute, ok = p.digits(1, 2); !ok {
				return time.Time{}, fmt.Errorf("bad time of day at offset %d", tk.start)
			}
			if p.lit(':') {
				if sec, ok = p.digits(1, 2); !ok {
					return time.Time{}, fmt.Errorf("bad seconds at offset %d", tk.start+p.pos)
				}
				if p.lit('.') || p.lit(',') {
					if nsec, ok = p.fraction(); !ok {
						return time.Time{}, fmt.Errorf("bad fraction at offset %d", tk.start+p.pos)
					}
				}
			}
			haveTime = true
			end := tk.start + p.pos
			for i+1 < len(toks) && toks[i+1].start < end {
				i++
			}
		case tk.num:
			nums = append(nums, tk.text)
		case tk.text == "/" || tk.text == "-" || tk.text == "." || tk.text == c.dateSep:
		case (tk.text == "+" || tk.text == "-") && haveTime:
			p := scanner{s: s[tk.start:]}
			l, ok := p.offset()
			if !ok {
				return time.Time{}, fmt.Errorf("bad offset at offset %d", tk.start)
			}
			loc = l
			end := tk.start + p.pos
			for i+1 < len(toks) && toks[i+1].start < end {
				i++
			}
		default:
			w := tk.text
			switch {
			case strings.EqualFold(w, c.am) || strings.EqualFold(w, "am") || strings.EqualFold(w, "a.m."):
				am = true
			case strings.EqualFold(w, c.pm) || strings.EqualFold(w, "pm") || strings.EqualFold(w, "p.m."):
				pm = true
			case w == "Z" || w == "GMT" || w == "UTC":
				loc = time.UTC
			case noiseWords[strings.ToLower(w)]:
			case lookupMonth(w, c) != 0:
				if month != 0 {
					return time.Time{}, fmt.Errorf("second month name %q at offset %d", w, tk.start)
				}
				month = lookupMonth(w, c)
			case isDayName(w, c):
			default:
				return time.Time{}, fmt.Errorf("unexpected %q at offset %d", w, tk.start)
			}
		}
	}
	if pm && hour < 12 {
		hour += 12
	} else if am && hour == 12 {
		hour = 0
	}
	year, day, err := resolveDate(nums, &month, c)
	if err != nil {
		return time.Time{}, err
	}
	return makeTime(year, month, day, hour, minute, sec, nsec, loc)
}

func atoi(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}

// expandYear applies .NET's TwoDigitYearMax of 2049.
func expandYear(s string) int {
	y := atoi(s)
	if len(s) <= 2 {
		if y <= 49 {
			return 2000 + y
		}
		return 1900 + y
	}
	return y
}

func resolveDate(nums []string, month *int, c *culture) (year, day int, err error) {
	order := c.dateOrder()
	if *month != 0 {
		switch len(nums) {
		case 2:
			a, b := nums[0], nums[1]
			if len(a) >= 3 || (order == "ymd" && len(b) <= 2) {
				return expandYear(a), atoi(b), nil
			}
			return expandYear(b), atoi(a), nil
		default:
			return 0, 0, fmt.Errorf("want a day and a year with the month name, have %d numbers", len(nums))
		}
	}
	if len(nums) != 3 {
		return 0, 0, fmt.Errorf("want a date of three numbers, have %d", len(nums))
	}
	if len(nums[0]) >= 3 {
		order = "ymd"
	}
	var y, m, d string
	for i, k := range order {
		switch k {
		case 'y':
			y = nums[i]
		case 'm':
			m = nums[i]
		case 'd':
			d = nums[i]
		}
	}
	*month = atoi(m)
	return expandYear(y), atoi(d), nil
}
