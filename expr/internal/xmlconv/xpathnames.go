// SPDX-License-Identifier: Apache-2.0

package xmlconv

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// noNSPrefix is bound to the empty namespace URI when compiling a query;
// qualifyNames puts it on every unprefixed name test.
const noNSPrefix = "xmlconv__nons"

// qualifyNames rewrites the unprefixed name tests of an XPath 1.0 query to
// use noNSPrefix, so that they match only nodes in no namespace, as in
// .NET (antchfx/xpath would compare prefixes instead, letting /file match
// an element in a default namespace). Tokens are told apart with the
// disambiguation rules of XPath 1.0 section 3.7.
func qualifyNames(q string) (string, error) {
	var b strings.Builder
	b.Grow(len(q) + 16)
	// prevOperand is true when the previous token ends an operand, so that
	// a following * or NCName is an operator.
	prevOperand := false
	prevDollar := false
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			b.WriteByte(c)
			i++
			continue
		case c == '\'' || c == '"':
			j := strings.IndexByte(q[i+1:], c)
			if j < 0 {
				b.WriteString(q[i:]) // the compiler reports it
				return b.String(), nil
			}
			b.WriteString(q[i : i+j+2])
			i += j + 2
			prevOperand, prevDollar = true, false
			continue
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
			j := i
			for j < len(q) && (q[j] >= '0' && q[j] <= '9' || q[j] == '.') {
				j++
			}
			b.WriteString(q[i:j])
			i = j
			prevOperand, prevDollar = true, false
			continue
		}
		r, size := utf8.DecodeRuneInString(q[i:])
		if !isNCNameStart(r) {
			switch {
			case c == '.' || c == ')' || c == ']' || c == '*' && prevOperand:
				// '.', '..', closers end an operand; '*' after an operand is
				// multiplication and does not.
				prevOperand = c != '*'
			case c == '*':
				prevOperand = true // the name test *
			default:
				prevOperand = false
			}
			prevDollar = c == '$'
			b.WriteString(q[i : i+size])
			i += size
			if c == ':' && i < len(q) && q[i] == ':' {
				b.WriteByte(':')
				i++
			}
			continue
		}
		j := i + size
		for j < len(q) {
			r, n := utf8.DecodeRuneInString(q[j:])
			if !isNCNameChar(r) {
				break
			}
			j += n
		}
		name := q[i:j]
		if prevOperand || prevDollar {
			// An operator name (and, or, div, mod) or a variable.
			b.WriteString(name)
			i = j
			prevOperand = prevDollar
			prevDollar = false
			continue
		}
		// A prefixed name or prefix:*.
		if j+1 < len(q) && q[j] == ':' && q[j+1] != ':' {
			// .NET needs a namespace manager for any prefix, and the
			// runtime supplies none.
			return "", fmt.Errorf("namespace prefix %q is not declared; match namespaced names with local-name() and namespace-uri()", name)
		}
		rest := strings.TrimLeft(q[j:], " \t\r\n")
		switch {
		case strings.HasPrefix(rest, "("):
			// A function name or node type test.
			prevOperand = false
		case strings.HasPrefix(rest, "::"):
			// An axis name.
			prevOperand = false
		default:
			b.WriteString(noNSPrefix)
			b.WriteByte(':')
			prevOperand = true
		}
		b.WriteString(name)
		i = j
	}
	return b.String(), nil
}

func isNCNameStart(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || r >= 0x80 && isNameStartChar(r)
}

func isNCNameChar(r rune) bool {
	return isNCNameStart(r) || r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 0x80 && isNameChar(r)
}
