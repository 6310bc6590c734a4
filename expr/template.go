// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"strings"
)

// TemplateKind says how a definition string is evaluated.
type TemplateKind int

// Template kinds.
const (
	KindLiteral     TemplateKind = iota // no expression: the (unescaped) text
	KindExpression                      // "@expr": the expression's typed value
	KindInterpolate                     // "a @{x} b" or "@{x}": always a string
)

// Template is a compiled definition string value. It is immutable and safe
// for concurrent use.
type Template struct {
	src   string
	kind  TemplateKind
	lit   string  // KindLiteral
	root  Node    // KindExpression
	parts []tpart // KindInterpolate

	sizeHint int // expected length of an interpolation result
}

// tpart is one piece of an interpolated string: literal text or an
// expression.
type tpart struct {
	text string
	node Node
}

// Compile compiles a string value of a workflow definition:
//
//   - "@expr" evaluates to the typed value of expr;
//   - text with "@{expr}" parts is interpolation and evaluates to a string;
//   - a string starting with "@@" is the literal text after the first @;
//   - "@@{" elsewhere is a literal "@{";
//   - any other text, including a lone "@" and an @ inside text not followed
//     by {, is literal.
func Compile(s string) (*Template, error) {
	t := &Template{src: s}
	if len(s) >= 2 && s[0] == '@' && s[1] != '{' {
		if s[1] == '@' {
			t.kind, t.lit = KindLiteral, s[1:]
			return t, nil
		}
		p := newParser(s, 1)
		n, err := p.parseExpr(0)
		if err != nil {
			return nil, err
		}
		if tok := p.next(); tok.typ != itemEOF {
			return nil, p.unexpected(tok, "end of expression")
		}
		t.kind, t.root = KindExpression, n
		return t, nil
	}
	if !strings.Contains(s, "@{") {
		t.kind, t.lit = KindLiteral, s
		return t, nil
	}
	var text strings.Builder
	i := 0
	for {
		j := strings.Index(s[i:], "@{")
		if j < 0 {
			text.WriteString(s[i:])
			break
		}
		j += i
		if j > 0 && s[j-1] == '@' {
			// "@@{" is an escaped "@{".
			text.WriteString(s[i : j-1])
			text.WriteString("@{")
			i = j + 2
			continue
		}
		text.WriteString(s[i:j])
		if text.Len() > 0 {
			t.parts = append(t.parts, tpart{text: text.String()})
			text.Reset()
		}
		p := newParser(s, j+2)
		n, err := p.parseExpr(0)
		if err != nil {
			return nil, err
		}
		end := p.next()
		if end.typ != itemRBrace {
			return nil, p.unexpected(end, "'}' to end the interpolation")
		}
		t.parts = append(t.parts, tpart{node: n})
		i = int(end.pos) + 1
	}
	if text.Len() > 0 {
		t.parts = append(t.parts, tpart{text: text.String()})
	}
	if len(t.parts) == 0 || len(t.parts) == 1 && t.parts[0].node == nil {
		// Only escaped "@@{" sequences.
		t.kind = KindLiteral
		if len(t.parts) == 1 {
			t.lit = t.parts[0].text
		}
		t.parts = nil
		return t, nil
	}
	t.kind = KindInterpolate
	for _, p := range t.parts {
		t.sizeHint += len(p.text)
		if p.node != nil {
			t.sizeHint += 16
		}
	}
	return t, nil
}

// MustCompile is like [Compile] but panics on error. For tests and
// package-level variables.
func MustCompile(s string) *Template {
	t, err := Compile(s)
	if err != nil {
		panic(err)
	}
	return t
}

// Source returns the string the template was compiled from.
func (t *Template) Source() string { return t.src }

// Kind returns how the template evaluates.
func (t *Template) Kind() TemplateKind { return t.kind }

// IsLiteral reports whether the template contains no expression; Eval then
// returns [Template.Literal] whatever the environment.
func (t *Template) IsLiteral() bool { return t.kind == KindLiteral }

// Literal returns the text of a literal template (escapes resolved).
func (t *Template) Literal() string { return t.lit }

// Roots returns the expressions of the template: one for "@expr", one per
// "@{...}" for interpolation, none for literals.
func (t *Template) Roots() []Node {
	switch t.kind {
	case KindExpression:
		return []Node{t.root}
	case KindInterpolate:
		var out []Node
		for _, p := range t.parts {
			if p.node != nil {
				out = append(out, p.node)
			}
		}
		return out
	}
	return nil
}

// String returns a canonical definition string equivalent to the template.
func (t *Template) String() string {
	switch t.kind {
	case KindExpression:
		return "@" + t.root.String()
	case KindInterpolate:
		var b strings.Builder
		for _, p := range t.parts {
			if p.node != nil {
				b.WriteString("@{")
				p.node.writeTo(&b)
				b.WriteString("}")
			} else {
				b.WriteString(escapeText(p.text))
			}
		}
		return b.String()
	}
	if strings.HasPrefix(t.lit, "@") {
		return "@" + t.lit
	}
	return escapeText(t.lit)
}

func escapeText(s string) string {
	return strings.ReplaceAll(s, "@{", "@@{")
}

// Call describes one function call found in a template, for validators.
type Call struct {
	// Name is the registered name of the function (canonical case), or the
	// name as written if the function is unknown.
	Name string
	// Known is false for names that are not in the registry.
	Known bool
	// Impure is true for functions whose value changes from call to call
	// (utcNow, guid, rand ...).
	Impure bool
	// Context is true for functions that read the run context (variables,
	// parameters, body, actions, triggerBody, items ...).
	Context bool
	// Args holds the literal value of each argument that is a constant
	// (string, number, bool, null) and nil for computed ones; ArgConst says
	// which are constants.
	Args     []any
	ArgConst []bool
	Node     *CallNode
}

// Calls returns every function call in the template, outermost first, in
// source order. The validator uses it to find parameters('x'), actions('x'),
// body('x'), variables('x') references and impure calls.
func (t *Template) Calls() []Call {
	var calls []Call
	for _, r := range t.Roots() {
		calls = appendCalls(calls, r)
	}
	return calls
}

func appendCalls(calls []Call, root Node) []Call {
	Inspect(root, func(n Node) bool {
		c, ok := n.(*CallNode)
		if !ok {
			return true
		}
		call := Call{Name: c.Name, Node: c, Args: make([]any, len(c.Args)), ArgConst: make([]bool, len(c.Args))}
		if c.fn != nil {
			call.Name, call.Known, call.Impure, call.Context = c.fn.spec.Name, true, c.fn.spec.Impure, c.fn.spec.Context
		}
		for i, a := range c.Args {
			switch a := a.(type) {
			case *StringNode:
				call.Args[i], call.ArgConst[i] = a.Value, true
			case *IntNode:
				call.Args[i], call.ArgConst[i] = a.Value, true
			case *FloatNode:
				call.Args[i], call.ArgConst[i] = a.Value, true
			case *BoolNode:
				call.Args[i], call.ArgConst[i] = a.Value, true
			case *NullNode:
				call.ArgConst[i] = true
			}
		}
		calls = append(calls, call)
		return true
	})
	return calls
}

// Impure reports whether evaluating the template may call an impure
// function.
func (t *Template) Impure() bool {
	for _, c := range t.Calls() {
		if c.Impure {
			return true
		}
	}
	return false
}

// Check reports static problems that evaluation would hit: unknown
// functions and wrong argument counts. Evaluation reports them only when the
// call is reached (as Logic Apps does); validators call Check up front.
func (t *Template) Check() error {
	for _, c := range t.Calls() {
		if c.Node.fn == nil {
			return &EvalError{Func: c.Name, Pos: c.Node.Pos, Msg: unknownFuncMsg(c.Name)}
		}
		if err := c.Node.fn.checkArity(len(c.Node.Args)); err != nil {
			err.Pos = c.Node.Pos
			return err
		}
	}
	return nil
}
