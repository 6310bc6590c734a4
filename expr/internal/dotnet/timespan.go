// SPDX-License-Identifier: Apache-2.0

package dotnet

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

const tick = 100 * time.Nanosecond

// FormatTimeSpan formats d like TimeSpan.ToString(format) with the
// invariant culture: "c" (also "t", "T" and ""), "g", "G" and custom
// formats such as "hh\:mm" or "%d". Precision is one tick (100ns); finer
// parts of d are truncated. Custom formats print no sign, as in .NET.
func FormatTimeSpan(d time.Duration, format string) (string, error) {
	neg := d < 0
	// Work on the magnitude in ticks; -MinInt64 overflows, uint64 does not.
	ticks := uint64(d / tick)
	if neg {
		ticks = -uint64(d / tick)
	}
	days := ticks / uint64(24*time.Hour/tick)
	rem := ticks % uint64(24*time.Hour/tick)
	hours := rem / uint64(time.Hour/tick)
	minutes := rem % uint64(time.Hour/tick) / uint64(time.Minute/tick)
	seconds := rem % uint64(time.Minute/tick) / uint64(time.Second/tick)
	frac := rem % uint64(time.Second/tick)

	var sb strings.Builder
	switch format {
	case "", "c", "t", "T":
		if neg {
			sb.WriteByte('-')
		}
		if days > 0 {
			fmt.Fprintf(&sb, "%d.", days)
		}
		fmt.Fprintf(&sb, "%02d:%02d:%02d", hours, minutes, seconds)
		if frac > 0 {
			fmt.Fprintf(&sb, ".%07d", frac)
		}
		return sb.String(), nil
	case "g":
		if neg {
			sb.WriteByte('-')
		}
		if days > 0 {
			fmt.Fprintf(&sb, "%d:", days)
		}
		fmt.Fprintf(&sb, "%d:%02d:%02d", hours, minutes, seconds)
		if frac > 0 {
			sb.WriteString(strings.TrimRight(fmt.Sprintf(".%07d", frac), "0"))
		}
		return sb.String(), nil
	case "G":
		if neg {
			sb.WriteByte('-')
		}
		fmt.Fprintf(&sb, "%d:%02d:%02d:%02d.%07d", days, hours, minutes, seconds, frac)
		return sb.String(), nil
	}
	if len(format) == 1 {
		return "", fmt.Errorf("invalid standard time span format %q", format)
	}
	f := []rune(format)
	for i := 0; i < len(f); {
		ch := f[i]
		n := 1
		switch ch {
		case 'd', 'h', 'm', 's', 'f', 'F':
			n = repeatCount(f, i)
		}
		limit := map[rune]int{'d': 8, 'h': 2, 'm': 2, 's': 2, 'f': 7, 'F': 7}[ch]
		if limit > 0 && n > limit {
			return "", fmt.Errorf("invalid time span format %q: %d %q specifiers at position %d, at most %d allowed", format, n, ch, i, limit)
		}
		switch ch {
		case 'd':
			fmt.Fprintf(&sb, "%0*d", n, days)
		case 'h':
			fmt.Fprintf(&sb, "%0*d", n, hours)
		case 'm':
			fmt.Fprintf(&sb, "%0*d", n, minutes)
		case 's':
			fmt.Fprintf(&sb, "%0*d", n, seconds)
		case 'f', 'F':
			v := frac
			for k := n; k < 7; k++ {
				v /= 10
			}
			w := n
			if ch == 'F' {
				for w > 0 && v%10 == 0 {
					v /= 10
					w--
				}
			}
			if w > 0 {
				fmt.Fprintf(&sb, "%0*d", w, v)
			}
		case '\'', '"':
			j := i + 1
			for j < len(f) && f[j] != ch {
				j++
			}
			if j >= len(f) {
				return "", fmt.Errorf("invalid time span format %q: unterminated quote at position %d", format, i)
			}
			sb.WriteString(string(f[i+1 : j]))
			n = j - i + 1
		case '%':
			if i+1 >= len(f) || f[i+1] == '%' {
				return "", fmt.Errorf("invalid time span format %q: '%%' at position %d must be followed by a specifier", format, i)
			}
		case '\\':
			if i+1 >= len(f) {
				return "", fmt.Errorf("invalid time span format %q: backslash at the end", format)
			}
			sb.WriteRune(f[i+1])
			n = 2
		default:
			// TimeSpan custom formats reject unescaped literal characters.
			return "", fmt.Errorf("invalid time span format %q: unescaped %q at position %d", format, ch, i)
		}
		i += n
	}
	return sb.String(), nil
}

// ParseTimeSpan parses TimeSpan text like TimeSpan.Parse with the invariant
// culture: "[-][d.]hh:mm[:ss[.fffffff]]", "[-]d:hh:mm:ss[.fffffff]" and a
// bare number of days.
func ParseTimeSpan(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(in, "-") {
		neg = true
		in = in[1:]
	}
	bad := func(why string) error { return fmt.Errorf("parsing time span %q: %s", s, why) }
	if in == "" {
		return 0, bad("empty")
	}
	num := func(t string) (uint64, bool) {
		if t == "" || len(t) > 10 {
			return 0, false
		}
		v, err := strconv.ParseUint(t, 10, 64)
		return v, err == nil
	}
	var days, hours, minutes, seconds, frac uint64
	if !strings.Contains(in, ":") {
		v, ok := num(in)
		if !ok {
			return 0, bad("want days or [d.]hh:mm[:ss[.fffffff]]")
		}
		days = v
	} else {
		rest := in
		if dot, colon := strings.IndexByte(rest, '.'), strings.IndexByte(rest, ':'); dot >= 0 && dot < colon {
			v, ok := num(rest[:dot])
			if !ok {
				return 0, bad("bad days")
			}
			days, rest = v, rest[dot+1:]
		}
		if dot := strings.IndexByte(rest, '.'); dot >= 0 {
			fs := rest[dot+1:]
			if fs == "" || len(fs) > 7 {
				return 0, bad("fraction must have 1 to 7 digits")
			}
			v, ok := num(fs)
			if !ok {
				return 0, bad("bad fraction")
			}
			for k := len(fs); k < 7; k++ {
				v *= 10
			}
			frac, rest = v, rest[:dot]
		}
		parts := strings.Split(rest, ":")
		if len(parts) == 4 && days == 0 && !strings.Contains(in[:strings.IndexByte(in, ':')], ".") {
			v, ok := num(parts[0])
			if !ok {
				return 0, bad("bad days")
			}
			days, parts = v, parts[1:]
		}
		if len(parts) < 2 || len(parts) > 3 {
			return 0, bad("want hh:mm or hh:mm:ss")
		}
		if frac != 0 && len(parts) == 2 {
			return 0, bad("fraction without seconds")
		}
		vals := make([]uint64, 3)
		for i, p := range parts {
			v, ok := num(p)
			if !ok {
				return 0, bad(fmt.Sprintf("bad component %q", p))
			}
			vals[i] = v
		}
		hours, minutes, seconds = vals[0], vals[1], vals[2]
		if hours > 23 || minutes > 59 || seconds > 59 {
			return 0, bad("component out of range")
		}
	}
	const maxDays = uint64(math.MaxInt64 / int64(24*time.Hour))
	if days > maxDays {
		return 0, bad("too long")
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(hours)*time.Hour +
		time.Duration(minutes)*time.Minute + time.Duration(seconds)*time.Second + time.Duration(frac)*tick
	if d < 0 {
		return 0, bad("too long")
	}
	if neg {
		d = -d
	}
	return d, nil
}
