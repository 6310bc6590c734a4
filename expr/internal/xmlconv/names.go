// SPDX-License-Identifier: Apache-2.0

package xmlconv

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// EncodeXMLName escapes the characters of s that cannot appear in an XML
// name as _xHHHH_ (_xHHHHHHHH_ beyond the Basic Multilingual Plane), like
// .NET XmlConvert.EncodeName. An underscore that would read as the start of
// such an escape is itself escaped as _x005F_.
func EncodeXMLName(s string) string {
	var b strings.Builder
	first := true
	for i, r := range s {
		switch {
		case r == '_' && looksEscaped(s, i):
			b.WriteString("_x005F_")
		case r > 0xFFFF || r == utf8.RuneError:
			fmt.Fprintf(&b, "_x%08X_", r)
		case first && !(isNameStartChar(r) && parsesInName(r, true)),
			!first && !(isNameChar(r) && parsesInName(r, false)):
			fmt.Fprintf(&b, "_x%04X_", r)
		default:
			b.WriteRune(r)
		}
		first = false
	}
	return b.String()
}

// looksEscaped reports whether the underscore at s[i] would read as the
// start of an escape after encoding: _x and 4 or 8 hex digits, followed by
// an underscore or by a character that is itself escaped.
func looksEscaped(s string, i int) bool {
	if escapeAt(s, i) > 0 {
		return true
	}
	if i+1 >= len(s) || (s[i+1] != 'x' && s[i+1] != 'X') {
		return false
	}
	for _, n := range []int{4, 8} {
		end := i + 2 + n
		if end < len(s) && isHex(s[i+2:end]) {
			r, _ := utf8.DecodeRuneInString(s[end:])
			if r > 0xFFFF || r == utf8.RuneError || !(isNameChar(r) && parsesInName(r, false)) {
				return true
			}
		}
	}
	return false
}

// escapeAt returns the length of a _xHHHH_ or _xHHHHHHHH_ escape starting at
// s[i], or 0.
func escapeAt(s string, i int) int {
	if i+1 >= len(s) || s[i] != '_' || (s[i+1] != 'x' && s[i+1] != 'X') {
		return 0
	}
	for _, n := range []int{4, 8} {
		end := i + 2 + n
		if end < len(s) && s[end] == '_' && isHex(s[i+2:end]) {
			return n + 3
		}
	}
	return 0
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// DecodeXMLName reverses [EncodeXMLName]: every _xHHHH_ or _xHHHHHHHH_
// escape is replaced by its character, like .NET XmlConvert.DecodeName.
// Escapes of code points that are not characters are left as they are.
func DecodeXMLName(s string) string {
	if !strings.Contains(s, "_") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		n := escapeAt(s, i)
		if n == 0 {
			b.WriteByte(s[i])
			i++
			continue
		}
		u, _ := strconv.ParseUint(s[i+2:i+n-1], 16, 32)
		if r := rune(u); u <= utf8.MaxRune && utf8.ValidRune(r) {
			b.WriteRune(r)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// nameRunes caches parsesInName for non-ASCII runes.
var nameRunes sync.Map // [2]rune{r, first} -> bool

// parsesInName reports whether encoding/xml, which this package parses
// with, accepts r in a name (first: as its first character). Its tables
// follow XML 1.0 fourth edition, which lacks some letters the fifth edition
// (and .NET) allow, such as CJK Extension A; names must stay parseable.
func parsesInName(r rune, first bool) bool {
	if r < utf8.RuneSelf {
		return true
	}
	key := [2]rune{r, 0}
	if first {
		key[1] = 1
	}
	if ok, found := nameRunes.Load(key); found {
		return ok.(bool)
	}
	doc := "<a" + string(r) + "/>"
	if first {
		doc = "<" + string(r) + "/>"
	}
	_, err := xml.NewDecoder(strings.NewReader(doc)).RawToken()
	nameRunes.Store(key, err == nil)
	return err == nil
}

// isNameStartChar follows XML 1.0 (fifth edition), without ':' which
// EncodeName accepts anywhere in a name.
func isNameStartChar(r rune) bool {
	switch {
	case r == ':' || r == '_' || 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z':
		return true
	case r < 0xC0:
		return false
	}
	return r <= 0xD6 || 0xD8 <= r && r <= 0xF6 || 0xF8 <= r && r <= 0x2FF ||
		0x370 <= r && r <= 0x37D || 0x37F <= r && r <= 0x1FFF ||
		0x200C <= r && r <= 0x200D || 0x2070 <= r && r <= 0x218F ||
		0x2C00 <= r && r <= 0x2FEF || 0x3001 <= r && r <= 0xD7FF ||
		0xF900 <= r && r <= 0xFDCF || 0xFDF0 <= r && r <= 0xFFFD
}

func isNameChar(r rune) bool {
	return isNameStartChar(r) || r == '-' || r == '.' || '0' <= r && r <= '9' ||
		r == 0xB7 || 0x300 <= r && r <= 0x36F || 0x203F <= r && r <= 0x2040
}

// EncodeXMLValue escapes &, <, >, " and ' as XML entities.
func EncodeXMLValue(s string) string {
	return valueEscaper.Replace(s)
}

var valueEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

var entities = map[string]string{"amp": "&", "lt": "<", "gt": ">", "quot": `"`, "apos": "'"}

// DecodeXMLValue replaces the five predefined XML entities and numeric
// character references with their characters; anything else is left as is.
func DecodeXMLValue(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		j := strings.IndexByte(s, ';')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		if r, ok := decodeEntity(s[1:j]); ok {
			b.WriteString(r)
			s = s[j+1:]
			continue
		}
		b.WriteByte('&')
		s = s[1:]
	}
}

func decodeEntity(name string) (string, bool) {
	if r, ok := entities[name]; ok {
		return r, true
	}
	num, ok := strings.CutPrefix(name, "#")
	if !ok || num == "" {
		return "", false
	}
	base := 10
	if h, ok := strings.CutPrefix(num, "x"); ok {
		num, base = h, 16
	}
	if num == "" || num[0] == '+' || num[0] == '-' {
		return "", false
	}
	u, err := strconv.ParseUint(num, base, 32)
	if err != nil || u > utf8.MaxRune || !utf8.ValidRune(rune(u)) {
		return "", false
	}
	return string(rune(u)), true
}
