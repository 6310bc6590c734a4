// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"math"
	"strconv"
	"strings"
)

// MaxDepth bounds the nesting of calls and member accesses in one
// expression, so hostile input cannot exhaust the stack.
const MaxDepth = 256

// Tree is a parsed bare expression.
type Tree struct {
	Root Node
	Src  string
}

// String returns the canonical form of the expression.
func (t *Tree) String() string { return t.Root.String() }

// Parse parses a bare expression (without the leading @), such as
// "concat('a', triggerBody()?['name'])".
func Parse(src string) (*Tree, error) {
	p := newParser(src, 0)
	n, err := p.parseExpr(0)
	if err != nil {
		return nil, err
	}
	if t := p.next(); t.typ != itemEOF {
		return nil, p.unexpected(t, "end of expression")
	}
	return &Tree{Root: n, Src: src}, nil
}

// parser is a recursive-descent parser with one token of lookahead.
type parser struct {
	src  string
	lex  *lexer
	peek item
	has  bool
}

func newParser(src string, start int) *parser {
	l := lex(src)
	l.pos, l.start = start, start
	return &parser{src: src, lex: l}
}

func (p *parser) next() item {
	if p.has {
		p.has = false
		return p.peek
	}
	return p.lex.nextItem()
}

func (p *parser) peekItem() item {
	if !p.has {
		p.peek = p.lex.nextItem()
		p.has = true
	}
	return p.peek
}

func (p *parser) errorf(pos Pos, format string, args ...any) *ParseError {
	return newParseError(p.src, int(pos), format, args...)
}

func (p *parser) unexpected(t item, want string) *ParseError {
	if t.typ == itemError {
		return p.errorf(t.pos, "%s", t.val)
	}
	return p.errorf(t.pos, "expected %s, found %s", want, t)
}

// parseExpr parses primary { postfix }.
func (p *parser) parseExpr(depth int) (Node, error) {
	if depth > MaxDepth {
		return nil, p.errorf(p.peekItem().pos, "expression nested too deeply (more than %d levels)", MaxDepth)
	}
	t := p.next()
	switch t.typ {
	case itemString:
		v := unquote(t.val)
		return &StringNode{Pos: t.pos, Value: v, boxed: v}, nil
	case itemNumber:
		return p.number(t)
	case itemIdent:
		if p.peekItem().typ != itemLParen {
			switch strings.ToLower(t.val) {
			case "true":
				return &BoolNode{Pos: t.pos, Value: true}, nil
			case "false":
				return &BoolNode{Pos: t.pos, Value: false}, nil
			case "null":
				return &NullNode{Pos: t.pos}, nil
			}
			return nil, p.errorf(p.peekItem().pos, "expected '(' after function name %q, found %s", t.val, p.peekItem())
		}
		if isDigit(t.val[0]) {
			return nil, p.errorf(t.pos, "bad function name %q", t.val)
		}
		p.next() // (
		call := &CallNode{Pos: t.pos, Name: t.val, fn: lookupFunc(t.val)}
		if p.peekItem().typ == itemRParen {
			p.next()
		} else {
			for {
				arg, err := p.parseExpr(depth + 1)
				if err != nil {
					return nil, err
				}
				call.Args = append(call.Args, arg)
				sep := p.next()
				if sep.typ == itemRParen {
					break
				}
				if sep.typ != itemComma {
					return nil, p.unexpected(sep, "',' or ')'")
				}
			}
		}
		return p.postfix(call, depth)
	case itemEOF:
		return nil, p.errorf(t.pos, "expected an expression, found end of expression")
	}
	return nil, p.unexpected(t, "an expression")
}

// postfix parses member accesses after a call: [i], ?[i], .name, ?.name.
func (p *parser) postfix(x Node, depth int) (Node, error) {
	for {
		t := p.peekItem()
		pos := t.pos // of '?' for null-safe access, else of '[' or '.'
		safe := false
		if t.typ == itemQuestion {
			p.next()
			safe = true
			t = p.peekItem()
			if t.typ != itemLBrack && t.typ != itemDot {
				return nil, p.unexpected(t, "'[' or '.' after '?'")
			}
		}
		switch t.typ {
		case itemLBrack:
			p.next()
			depth++
			idx, err := p.parseExpr(depth)
			if err != nil {
				return nil, err
			}
			if r := p.next(); r.typ != itemRBrack {
				return nil, p.unexpected(r, "']'")
			}
			x = &IndexNode{Pos: pos, X: x, Index: idx, NullSafe: safe}
		case itemDot:
			p.next()
			depth++
			name := p.next()
			if name.typ != itemIdent {
				return nil, p.unexpected(name, "a property name after '.'")
			}
			x = &MemberNode{Pos: pos, X: x, Name: name.val, NullSafe: safe, boxed: name.val}
		default:
			return x, nil
		}
		if depth > MaxDepth {
			return nil, p.errorf(t.pos, "expression nested too deeply (more than %d levels)", MaxDepth)
		}
	}
}

func (p *parser) number(t item) (Node, error) {
	s := t.val
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return &IntNode{Pos: t.pos, Value: i, boxed: i}, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, p.errorf(t.pos, "number %s is out of range", s)
	}
	return &FloatNode{Pos: t.pos, Value: f, boxed: f}, nil
}

// unquote removes the quotes of a lexed string literal and undoubles ”.
func unquote(s string) string {
	s = s[1 : len(s)-1]
	if strings.Contains(s, "''") {
		s = strings.ReplaceAll(s, "''", "'")
	}
	return s
}
