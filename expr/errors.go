// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"fmt"
	"strings"
)

// Pos is a byte offset into the source of an expression.
type Pos int

// ParseError is a syntax error in an expression. Offset is the byte offset
// in Src (the whole definition string for [Compile], the bare expression for
// [Parse]); Line and Col are 1-based, Col counting bytes.
type ParseError struct {
	Src    string
	Offset int
	Line   int
	Col    int
	Msg    string
}

func newParseError(src string, off int, format string, args ...any) *ParseError {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	line := 1 + strings.Count(src[:off], "\n")
	col := off - strings.LastIndexByte(src[:off], '\n')
	return &ParseError{Src: src, Offset: off, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// Error returns "expr: line:col: message".
func (e *ParseError) Error() string {
	return fmt.Sprintf("expr: %d:%d: %s", e.Line, e.Col, e.Msg)
}

// Snippet returns the source line of the error and a caret under the
// offending column:
//
//	concat('a',
//	           ^
func (e *ParseError) Snippet() string {
	start := strings.LastIndexByte(e.Src[:e.Offset], '\n') + 1
	end := strings.IndexByte(e.Src[e.Offset:], '\n')
	if end < 0 {
		end = len(e.Src)
	} else {
		end += e.Offset
	}
	line := e.Src[start:end]
	caret := e.Offset - start
	// Keep long lines readable: show at most 60 bytes each side.
	if caret > 60 {
		line = "..." + line[caret-60:]
		caret = 63
	}
	if len(line) > caret+60 {
		line = line[:caret+60] + "..."
	}
	return line + "\n" + strings.Repeat(" ", caret) + "^"
}

// EvalError is an error raised while evaluating an expression. Func is the
// function that failed ("" for member access and other non-call errors);
// Pos is the offset of the failing node in the expression.
type EvalError struct {
	Func string
	Pos  Pos
	Msg  string
	Err  error // underlying cause, if any
}

func (e *EvalError) Error() string { return e.Msg }

// Unwrap returns the underlying cause.
func (e *EvalError) Unwrap() error { return e.Err }

// ordinals used in messages, Logic Apps style.
var ordinals = []string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"}

func ordinal(i int) string {
	if i < len(ordinals) {
		return ordinals[i]
	}
	return fmt.Sprintf("%dth", i+1)
}
