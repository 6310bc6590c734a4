// SPDX-License-Identifier: Apache-2.0

package policy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Function names of the policy expression language, lower-cased.
const (
	fnConnectionParameters = "connectionparameters"
	fnHeaders              = "headers"
	fnQueryParameters      = "queryparameters"
	fnEnvironmentVariables = "environmentvariables"
	fnBody                 = "body"
	fnItem                 = "item"
	fnTriggerBody          = "triggerbody"
	fnOriginalMethod       = "request.originalhttpmethod"
)

const originalMethodName = "Request.OriginalHTTPMethod"

// Template is a parsed policy expression template: literal text, expressions
// and (in path templates) {param} placeholders. A Template is immutable and
// safe for concurrent use.
type Template struct {
	src   string
	parts []part
}

type partKind uint8

const (
	partLiteral partKind = iota
	partExpr
	partPlaceholder
)

type part struct {
	kind partKind
	text string // literal text or placeholder name
	expr *Expr
}

// Expr is one expression: a root function with its arguments, and a path
// into the root's value (only for body, item and triggerBody).
type Expr struct {
	// Func is the lower-cased function name ("connectionparameters",
	// "headers", "queryparameters", "environmentvariables", "body", "item",
	// "triggerbody") or "request.originalhttpmethod".
	Func string
	Args []string
	Path []Step
}

// Step is one step of a path: a property name or an array index.
type Step struct {
	Key     string
	Index   int
	IsIndex bool
}

func (s Step) String() string {
	if s.IsIndex {
		return "[" + strconv.Itoa(s.Index) + "]"
	}
	if isPlainKey(s.Key) {
		return "." + s.Key
	}
	return "['" + strings.ReplaceAll(s.Key, "'", "''") + "']"
}

func pathString(steps []Step) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString(s.String())
	}
	return b.String()
}

func isPlainKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !isKeyChar(k[i]) {
			return false
		}
	}
	return true
}

// String returns the template's source text.
func (t *Template) String() string { return t.src }

// IsLiteral reports whether the template holds no expression or placeholder.
func (t *Template) IsLiteral() bool {
	for _, p := range t.parts {
		if p.kind != partLiteral {
			return false
		}
	}
	return true
}

// Single returns the template's only expression when the template is exactly
// one expression (so it evaluates to a raw value, not a string).
func (t *Template) Single() (*Expr, bool) {
	if len(t.parts) == 1 && t.parts[0].kind == partExpr {
		return t.parts[0].expr, true
	}
	return nil, false
}

// uses reports whether the template calls the (lower-cased) function fn.
func (t *Template) uses(fn string) bool {
	for _, p := range t.parts {
		if p.kind == partExpr && p.expr.Func == fn {
			return true
		}
	}
	return false
}

// ParseTemplate parses a policy expression template. A '{' is literal text
// unless it opens a {@expr} interpolation.
func ParseTemplate(s string) (*Template, error) { return parseTemplate(s, false) }

// ParsePathTemplate parses a template in which {name} is a placeholder for
// the operation parameter name (routerequesttoendpoint newPath,
// setvaluefromurl parameterValueUrl).
func ParsePathTemplate(s string) (*Template, error) { return parseTemplate(s, true) }

// maxTemplateLen bounds the work done for one template.
const maxTemplateLen = 1 << 16

func parseTemplate(s string, placeholders bool) (*Template, error) {
	if len(s) > maxTemplateLen {
		return nil, fmt.Errorf("template is longer than %d bytes", maxTemplateLen)
	}
	t := &Template{src: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, part{kind: partLiteral, text: lit.String()})
			lit.Reset()
		}
	}
	addExpr := func(e *Expr) {
		flush()
		t.parts = append(t.parts, part{kind: partExpr, expr: e})
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '@' && i+1 < len(s) && s[i+1] == '@':
			lit.WriteByte('@')
			i += 2
		case c == '@' && i+1 < len(s) && s[i+1] == '{':
			e, end, err := parseBraced(s, i+2)
			if err != nil {
				return nil, err
			}
			addExpr(e)
			i = end
		case c == '@':
			p := &parser{s: s, pos: i + 1}
			e, ok, err := p.expr()
			if err != nil {
				return nil, err
			}
			if !ok {
				lit.WriteByte('@')
				i++
				continue
			}
			addExpr(e)
			i = p.pos
		case c == '{' && i+1 < len(s) && s[i+1] == '@':
			e, end, err := parseBraced(s, i+2)
			if err != nil {
				return nil, err
			}
			addExpr(e)
			i = end
		case c == '{' && placeholders:
			j := i + 1
			for j < len(s) && isPlaceholderChar(s[j]) {
				j++
			}
			if j < len(s) && s[j] == '}' && j > i+1 {
				flush()
				t.parts = append(t.parts, part{kind: partPlaceholder, text: s[i+1 : j]})
				i = j + 1
				continue
			}
			lit.WriteByte(c)
			i++
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return t, nil
}

// parseBraced parses "expr}" starting at pos (just after "@{" or "{@").
func parseBraced(s string, pos int) (*Expr, int, error) {
	p := &parser{s: s, pos: pos}
	p.spaces()
	if p.pos < len(s) && s[p.pos] == '@' {
		p.pos++
	}
	e, ok, err := p.expr()
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		return nil, 0, p.errorf("want an expression after '{'")
	}
	p.spaces()
	if p.pos >= len(s) || s[p.pos] != '}' {
		return nil, 0, p.errorf("want '}' to close the interpolation")
	}
	return e, p.pos + 1, nil
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func isKeyChar(c byte) bool { return isIdentChar(c) || c == '$' }

func isPlaceholderChar(c byte) bool {
	return isIdentChar(c) || c == '-' || c == '.' || c == '$'
}

type parser struct {
	s   string
	pos int
}

// SyntaxError is a malformed policy expression.
type SyntaxError struct {
	Src string
	Pos int // byte offset in Src
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("expression %q: at offset %d: %s", e.Src, e.Pos, e.Msg)
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Src: p.s, Pos: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) spaces() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

// expr parses an expression at p.pos (after the '@'). ok is false, with no
// error, when the text there is not an expression at all.
func (p *parser) expr() (e *Expr, ok bool, err error) {
	s := p.s
	if n := len(originalMethodName); p.pos+n <= len(s) && strings.EqualFold(s[p.pos:p.pos+n], originalMethodName) &&
		(p.pos+n == len(s) || !isIdentChar(s[p.pos+n])) {
		p.pos += n
		return &Expr{Func: fnOriginalMethod}, true, nil
	}
	start := p.pos
	if start >= len(s) || !isIdentStart(s[start]) {
		return nil, false, nil
	}
	end := start
	for end < len(s) && isIdentChar(s[end]) {
		end++
	}
	if end >= len(s) || s[end] != '(' {
		return nil, false, nil
	}
	name := strings.ToLower(s[start:end])
	minArgs, maxArgs, hasPath := 0, 0, false
	switch name {
	case fnConnectionParameters, fnHeaders, fnQueryParameters:
		minArgs, maxArgs = 1, 2
	case fnEnvironmentVariables:
		minArgs, maxArgs = 1, 1
	case fnBody, fnItem, fnTriggerBody:
		hasPath = true
	default:
		return nil, false, p.errorf("unknown function %q", s[start:end])
	}
	p.pos = end + 1
	e = &Expr{Func: name}
	p.spaces()
	if p.pos < len(s) && s[p.pos] == ')' {
		p.pos++
	} else {
		for {
			p.spaces()
			a, err := p.str()
			if err != nil {
				return nil, false, err
			}
			e.Args = append(e.Args, a)
			p.spaces()
			if p.pos >= len(s) {
				return nil, false, p.errorf("want ')' to close %s(", s[start:end])
			}
			if s[p.pos] == ',' {
				p.pos++
				continue
			}
			if s[p.pos] == ')' {
				p.pos++
				break
			}
			return nil, false, p.errorf("want ',' or ')' in the arguments of %s", s[start:end])
		}
	}
	if len(e.Args) < minArgs || len(e.Args) > maxArgs {
		if minArgs == maxArgs {
			return nil, false, p.errorf("%s takes %d argument(s), got %d", s[start:end], minArgs, len(e.Args))
		}
		return nil, false, p.errorf("%s takes %d to %d arguments, got %d", s[start:end], minArgs, maxArgs, len(e.Args))
	}
	if hasPath {
		steps, err := p.path()
		if err != nil {
			return nil, false, err
		}
		e.Path = steps
	}
	return e, true, nil
}

// str parses a quoted string: 'x' (” escapes a quote) or "x" ("" or \"
// escapes a quote).
func (p *parser) str() (string, error) {
	s := p.s
	if p.pos >= len(s) || (s[p.pos] != '\'' && s[p.pos] != '"') {
		return "", p.errorf("want a quoted string")
	}
	q := s[p.pos]
	p.pos++
	var b strings.Builder
	for p.pos < len(s) {
		c := s[p.pos]
		switch {
		case c == q && p.pos+1 < len(s) && s[p.pos+1] == q:
			b.WriteByte(q)
			p.pos += 2
		case c == q:
			p.pos++
			return b.String(), nil
		case c == '\\' && q == '"' && p.pos+1 < len(s) && s[p.pos+1] == '"':
			b.WriteByte('"')
			p.pos += 2
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", p.errorf("unterminated string")
}

// path parses steps: .key, [index], ['key'].
func (p *parser) path() ([]Step, error) {
	var steps []Step
	s := p.s
	for p.pos < len(s) {
		switch s[p.pos] {
		case '.':
			j := p.pos + 1
			for j < len(s) && isKeyChar(s[j]) {
				j++
			}
			if j == p.pos+1 {
				return steps, nil // a literal '.' follows the expression
			}
			steps = append(steps, Step{Key: s[p.pos+1 : j]})
			p.pos = j
		case '[':
			p.pos++
			p.spaces()
			if p.pos < len(s) && (s[p.pos] == '\'' || s[p.pos] == '"') {
				k, err := p.str()
				if err != nil {
					return nil, err
				}
				steps = append(steps, Step{Key: k})
			} else {
				j := p.pos
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
				}
				if j == p.pos || j-p.pos > 9 {
					return nil, p.errorf("want an array index or a quoted property name in '[...]'")
				}
				n, _ := strconv.Atoi(s[p.pos:j])
				steps = append(steps, Step{Index: n, IsIndex: true})
				p.pos = j
			}
			p.spaces()
			if p.pos >= len(s) || s[p.pos] != ']' {
				return nil, p.errorf("want ']'")
			}
			p.pos++
		default:
			return steps, nil
		}
	}
	return steps, nil
}

// ParsePath parses a body reference such as "@body().a.b[0]" or
// "@item()['@odata.id']": exactly one body, item or triggerBody expression
// (the leading '@' may be missing).
func ParsePath(s string) (*Expr, error) {
	src := strings.TrimSpace(s)
	if l := strings.ToLower(src); strings.HasPrefix(l, "body(") || strings.HasPrefix(l, "item(") || strings.HasPrefix(l, "triggerbody(") {
		src = "@" + src // "body().x" occurs in shipped connectors
	}
	t, err := ParseTemplate(src)
	if err != nil {
		return nil, err
	}
	e, ok := t.Single()
	if !ok || (e.Func != fnBody && e.Func != fnItem && e.Func != fnTriggerBody) {
		return nil, fmt.Errorf("%q is not a path like @body().a.b", s)
	}
	return e, nil
}

// ParseSubPath parses a path relative to a parent: "name", "a.b",
// "['@odata.id']", "a[0]". An empty string or "null" is the parent itself.
func ParseSubPath(s string) ([]Step, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "null" {
		return nil, nil
	}
	if s[0] != '[' && s[0] != '.' {
		s = "." + s
	}
	p := &parser{s: s}
	steps, err := p.path()
	if err != nil {
		return nil, err
	}
	if p.pos != len(s) {
		// A name with characters a dotted path does not allow: take it whole.
		if !strings.ContainsAny(s[1:], ".[]") {
			return []Step{{Key: s[1:]}}, nil
		}
		return nil, &SyntaxError{Src: s, Pos: p.pos, Msg: "unexpected text in a property path"}
	}
	return steps, nil
}

// Scope holds what an expression can refer to.
type Scope struct {
	// Conn holds the connection's parameter values.
	Conn map[string]any
	// Header and Query are the headers and query parameters in view: the
	// request's in the request section, the response's headers (and the
	// request's query) in the response section.
	Header http.Header
	Query  url.Values
	// Body, Item and TriggerBody are the roots of @body(), @item() and
	// @triggerBody().
	Body        any
	Item        any
	TriggerBody any
	// Env holds environment variables for @environmentVariables('x').
	Env map[string]string
	// Method is the original HTTP method (@Request.OriginalHTTPMethod).
	Method string
	// Placeholder resolves a {name} placeholder of a path template; inQuery
	// says whether the placeholder comes after the template's '?'.
	Placeholder func(name string, inQuery bool) (string, error)
}

// MissingError says an expression referred to a value that is not there.
type MissingError struct{ What string }

func (e *MissingError) Error() string { return e.What + " is not set" }

// Eval evaluates e in scope.
func (e *Expr) Eval(sc *Scope) (any, error) {
	arg := func(i int) string {
		if i < len(e.Args) {
			return e.Args[i]
		}
		return ""
	}
	switch e.Func {
	case fnConnectionParameters:
		if v, ok := lookupFold(sc.Conn, arg(0)); ok {
			return v, nil
		}
		if len(e.Args) > 1 {
			return e.Args[1], nil
		}
		return nil, &MissingError{What: fmt.Sprintf("connection parameter %q", arg(0))}
	case fnHeaders:
		if vs := sc.Header.Values(arg(0)); len(vs) > 0 {
			return strings.Join(vs, ","), nil
		}
		if len(e.Args) > 1 {
			return e.Args[1], nil
		}
		return nil, nil
	case fnQueryParameters:
		if vs, ok := sc.Query[arg(0)]; ok && len(vs) > 0 {
			return strings.Join(vs, ","), nil
		}
		if len(e.Args) > 1 {
			return e.Args[1], nil
		}
		return nil, nil
	case fnEnvironmentVariables:
		if v, ok := sc.Env[arg(0)]; ok {
			return v, nil
		}
		return nil, &MissingError{What: fmt.Sprintf("environment variable %q", arg(0))}
	case fnOriginalMethod:
		return sc.Method, nil
	case fnBody:
		v, _ := GetPath(sc.Body, e.Path)
		return v, nil
	case fnItem:
		v, _ := GetPath(sc.Item, e.Path)
		return v, nil
	case fnTriggerBody:
		v, _ := GetPath(sc.TriggerBody, e.Path)
		return v, nil
	}
	return nil, fmt.Errorf("unknown function %q", e.Func)
}

// Eval evaluates the template. A template that is exactly one expression
// returns the expression's value as is (an object, a number ...); any other
// template returns the concatenation of its parts as a string.
func (t *Template) Eval(sc *Scope) (any, error) {
	if e, ok := t.Single(); ok {
		return e.Eval(sc)
	}
	return t.EvalString(sc)
}

// EvalString evaluates the template to a string: expression values are
// converted with [Stringify].
func (t *Template) EvalString(sc *Scope) (string, error) {
	if len(t.parts) == 1 && t.parts[0].kind == partLiteral {
		return t.parts[0].text, nil
	}
	var b strings.Builder
	inQuery := false
	for _, p := range t.parts {
		switch p.kind {
		case partLiteral:
			b.WriteString(p.text)
			inQuery = inQuery || strings.Contains(p.text, "?")
		case partExpr:
			v, err := p.expr.Eval(sc)
			if err != nil {
				return "", err
			}
			b.WriteString(Stringify(v))
		case partPlaceholder:
			if sc.Placeholder == nil {
				b.WriteString("{" + p.text + "}")
				continue
			}
			v, err := sc.Placeholder(p.text, inQuery)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
		}
	}
	return b.String(), nil
}

// lookupFold finds a connection value by name, falling back to a
// case-insensitive match: shipped connectors write
// @connectionParameters('HostUrl') for a parameter declared as hostUrl.
func lookupFold(m map[string]any, name string) (any, bool) {
	if v, ok := m[name]; ok && v != nil {
		return v, true
	}
	for k, v := range m {
		if v != nil && strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// Stringify converts a value to text: strings as they are, numbers in their
// shortest form, nil as "", objects and arrays as JSON.
func Stringify(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case []byte:
		return string(x)
	case fmt.Stringer:
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
