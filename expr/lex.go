// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"fmt"
	"strings"
)

// itemType identifies the type of lexical items.
type itemType int

const (
	itemError    itemType = iota // error; val is the message
	itemEOF                      // end of input
	itemString                   // quoted string, val includes the quotes
	itemNumber                   // number literal, val as written
	itemIdent                    // identifier: function name, property name, true/false/null
	itemLParen                   // (
	itemRParen                   // )
	itemLBrack                   // [
	itemRBrack                   // ]
	itemComma                    // ,
	itemDot                      // .
	itemQuestion                 // ?
	itemRBrace                   // } (ends an interpolation)
)

func (t itemType) String() string {
	switch t {
	case itemError:
		return "error"
	case itemEOF:
		return "end of expression"
	case itemString:
		return "string"
	case itemNumber:
		return "number"
	case itemIdent:
		return "identifier"
	case itemLParen:
		return "'('"
	case itemRParen:
		return "')'"
	case itemLBrack:
		return "'['"
	case itemRBrack:
		return "']'"
	case itemComma:
		return "','"
	case itemDot:
		return "'.'"
	case itemQuestion:
		return "'?'"
	case itemRBrace:
		return "'}'"
	}
	return fmt.Sprintf("item(%d)", int(t))
}

// item is a token with its position in the input.
type item struct {
	typ itemType
	pos Pos
	val string
}

func (i item) String() string {
	switch i.typ {
	case itemEOF:
		return "end of expression"
	case itemError:
		return i.val
	case itemString, itemNumber, itemIdent:
		v := i.val
		if len(v) > 20 {
			v = v[:20] + "..."
		}
		return fmt.Sprintf("%s %s", i.typ, v)
	}
	return i.typ.String()
}

// stateFn is one state of the lexer; it returns the next state.
type stateFn func(*lexer) stateFn

// lexer holds the state of the scanner. Like text/template/parse it runs
// state functions, but synchronously: nextItem runs states until one emits.
type lexer struct {
	input   string
	start   int
	pos     int
	item    item
	emitted bool
	state   stateFn
}

func lex(input string) *lexer {
	return &lexer{input: input, state: lexSpace}
}

// nextItem returns the next item. After itemEOF or itemError it keeps
// returning that item.
func (l *lexer) nextItem() item {
	if l.state == nil {
		return l.item
	}
	l.emitted = false
	for !l.emitted && l.state != nil {
		l.state = l.state(l)
	}
	return l.item
}

func (l *lexer) emit(t itemType) {
	l.item = item{t, Pos(l.start), l.input[l.start:l.pos]}
	l.start = l.pos
	l.emitted = true
}

func (l *lexer) errorf(format string, args ...any) stateFn {
	l.item = item{itemError, Pos(l.start), fmt.Sprintf(format, args...)}
	l.emitted = true
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// lexSpace skips white space and dispatches on the next byte.
func lexSpace(l *lexer) stateFn {
	for l.pos < len(l.input) && isSpace(l.input[l.pos]) {
		l.pos++
	}
	l.start = l.pos
	if l.pos >= len(l.input) {
		l.emit(itemEOF)
		return nil
	}
	c := l.input[l.pos]
	switch {
	case c == '\'':
		return lexString
	case isDigit(c) || c == '-' || c == '+':
		return lexNumber
	case c == '.':
		if l.pos+1 < len(l.input) && isDigit(l.input[l.pos+1]) {
			return lexNumber
		}
		l.pos++
		l.emit(itemDot)
		return lexSpace
	case isIdentByte(c):
		return lexIdent
	}
	l.pos++
	switch c {
	case '(':
		l.emit(itemLParen)
	case ')':
		l.emit(itemRParen)
	case '[':
		l.emit(itemLBrack)
	case ']':
		l.emit(itemRBrack)
	case ',':
		l.emit(itemComma)
	case '?':
		l.emit(itemQuestion)
	case '}':
		l.emit(itemRBrace)
	default:
		l.pos--
		return l.errorf("unexpected character %q", rune(c))
	}
	return lexSpace
}

// lexString scans a single-quoted string; ” is an escaped quote.
func lexString(l *lexer) stateFn {
	l.pos++ // opening quote
	for {
		i := strings.IndexByte(l.input[l.pos:], '\'')
		if i < 0 {
			l.pos = len(l.input)
			return l.errorf("unterminated string literal")
		}
		l.pos += i + 1
		if l.pos < len(l.input) && l.input[l.pos] == '\'' {
			l.pos++
			continue
		}
		l.emit(itemString)
		return lexSpace
	}
}

// lexNumber scans [+-]digits[.digits][(e|E)[+-]digits], where either the
// integer or the fraction digits may be missing (+1., .5).
func lexNumber(l *lexer) stateFn {
	if c := l.input[l.pos]; c == '+' || c == '-' {
		l.pos++
	}
	digits := l.scanDigits()
	if l.pos < len(l.input) && l.input[l.pos] == '.' {
		l.pos++
		digits += l.scanDigits()
	}
	if digits == 0 {
		return l.errorf("bad number syntax: %q", l.input[l.start:l.pos])
	}
	if l.pos < len(l.input) && (l.input[l.pos] == 'e' || l.input[l.pos] == 'E') {
		l.pos++
		if l.pos < len(l.input) && (l.input[l.pos] == '+' || l.input[l.pos] == '-') {
			l.pos++
		}
		if l.scanDigits() == 0 {
			return l.errorf("bad number syntax: %q", l.input[l.start:l.pos])
		}
	}
	if l.pos < len(l.input) && (isIdentByte(l.input[l.pos]) || l.input[l.pos] == '.') {
		l.pos++
		return l.errorf("bad number syntax: %q", l.input[l.start:l.pos])
	}
	l.emit(itemNumber)
	return lexSpace
}

func (l *lexer) scanDigits() int {
	n := 0
	for l.pos < len(l.input) && isDigit(l.input[l.pos]) {
		l.pos++
		n++
	}
	return n
}

func lexIdent(l *lexer) stateFn {
	for l.pos < len(l.input) && isIdentByte(l.input[l.pos]) {
		l.pos++
	}
	l.emit(itemIdent)
	return lexSpace
}
