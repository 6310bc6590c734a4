// SPDX-License-Identifier: Apache-2.0

package sql

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/junction-run/junction/connector"
)

// builder collects bind arguments while SQL text is built.
type builder struct {
	d    dialect
	args []any
}

func (b *builder) bind(v any) string {
	b.args = append(b.args, v)
	return b.d.placeholder(len(b.args))
}

// The OData subset of $filter:
//
//	expr    = and { "or" and }
//	and     = unary { "and" unary }
//	unary   = "not" unary | "(" expr ")" | func "(" column "," literal ")" | column op literal
//	op      = eq | ne | gt | ge | lt | le
//	func    = contains | startswith | endswith
//	literal = 'text' ('' inside) | number | true | false | null
type filterParser struct {
	toks []token
	pos  int
	t    *table
	b    *builder
}

type token struct {
	kind byte // 'i' identifier, 's' string, 'n' number, '(' ')' ','
	text string
}

func tokenize(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		r := rune(s[i])
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(' || r == ')' || r == ',':
			out = append(out, token{kind: byte(r), text: string(r)})
			i++
		case r == '\'':
			var sb strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, connector.Errorf(connector.KindBadRequest, "$filter: unterminated string")
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						sb.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				sb.WriteByte(s[j])
				j++
			}
			out = append(out, token{kind: 's', text: sb.String()})
			i = j + 1
		case r == '-' || r == '.' || (r >= '0' && r <= '9'):
			j := i + 1
			for j < len(s) && (s[j] == '.' || s[j] == 'e' || s[j] == 'E' || s[j] == '+' || s[j] == '-' || (s[j] >= '0' && s[j] <= '9')) {
				j++
			}
			out = append(out, token{kind: 'n', text: s[i:j]})
			i = j
		case r == '_' || unicode.IsLetter(r):
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] == '/' || unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j]))) {
				j++
			}
			out = append(out, token{kind: 'i', text: s[i:j]})
			i = j
		default:
			return nil, connector.Errorf(connector.KindBadRequest, "$filter: unexpected %q at %d", r, i)
		}
	}
	return out, nil
}

// compileFilter turns $filter into a SQL condition with bound values.
func compileFilter(filter string, t *table, b *builder) (string, error) {
	toks, err := tokenize(filter)
	if err != nil {
		return "", err
	}
	p := &filterParser{toks: toks, t: t, b: b}
	sql, err := p.or()
	if err != nil {
		return "", err
	}
	if p.pos != len(p.toks) {
		return "", connector.Errorf(connector.KindBadRequest, "$filter: unexpected %q", p.toks[p.pos].text)
	}
	return sql, nil
}

func (p *filterParser) peekWord(w string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == 'i' && strings.EqualFold(p.toks[p.pos].text, w)
}

func (p *filterParser) next() (token, error) {
	if p.pos >= len(p.toks) {
		return token{}, connector.Errorf(connector.KindBadRequest, "$filter: unexpected end")
	}
	p.pos++
	return p.toks[p.pos-1], nil
}

func (p *filterParser) expect(kind byte) error {
	t, err := p.next()
	if err != nil {
		return err
	}
	if t.kind != kind {
		return connector.Errorf(connector.KindBadRequest, "$filter: want %q, got %q", string(kind), t.text)
	}
	return nil
}

func (p *filterParser) or() (string, error) {
	left, err := p.and()
	if err != nil {
		return "", err
	}
	for p.peekWord("or") {
		p.pos++
		right, err := p.and()
		if err != nil {
			return "", err
		}
		left = "(" + left + " OR " + right + ")"
	}
	return left, nil
}

func (p *filterParser) and() (string, error) {
	left, err := p.unary()
	if err != nil {
		return "", err
	}
	for p.peekWord("and") {
		p.pos++
		right, err := p.unary()
		if err != nil {
			return "", err
		}
		left = "(" + left + " AND " + right + ")"
	}
	return left, nil
}

var ops = map[string]string{"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}

func (p *filterParser) unary() (string, error) {
	if p.peekWord("not") {
		p.pos++
		inner, err := p.unary()
		if err != nil {
			return "", err
		}
		return "(NOT " + inner + ")", nil
	}
	t, err := p.next()
	if err != nil {
		return "", err
	}
	if t.kind == '(' {
		inner, err := p.or()
		if err != nil {
			return "", err
		}
		if err := p.expect(')'); err != nil {
			return "", err
		}
		return inner, nil
	}
	if t.kind != 'i' {
		return "", connector.Errorf(connector.KindBadRequest, "$filter: want a column, got %q", t.text)
	}
	switch fn := strings.ToLower(t.text); fn {
	case "contains", "startswith", "endswith":
		if p.pos < len(p.toks) && p.toks[p.pos].kind == '(' {
			return p.function(fn)
		}
	}
	c, err := p.t.col(t.text)
	if err != nil {
		return "", err
	}
	opTok, err := p.next()
	if err != nil {
		return "", err
	}
	op, okOp := ops[strings.ToLower(opTok.text)]
	if opTok.kind != 'i' || !okOp {
		return "", connector.Errorf(connector.KindBadRequest, "$filter: unknown operator %q (eq, ne, gt, ge, lt, le)", opTok.text)
	}
	v, isNull, err := p.literal(c)
	if err != nil {
		return "", err
	}
	if isNull {
		switch op {
		case "=":
			return c.quoted + " IS NULL", nil
		case "<>":
			return c.quoted + " IS NOT NULL", nil
		}
		return "", connector.Errorf(connector.KindBadRequest, "$filter: null compares only with eq or ne")
	}
	return c.quoted + " " + op + " " + p.b.bind(v), nil
}

func (p *filterParser) function(fn string) (string, error) {
	if err := p.expect('('); err != nil {
		return "", err
	}
	ct, err := p.next()
	if err != nil {
		return "", err
	}
	if ct.kind != 'i' {
		return "", connector.Errorf(connector.KindBadRequest, "$filter: %s wants a column first", fn)
	}
	c, err := p.t.col(ct.text)
	if err != nil {
		return "", err
	}
	if err := p.expect(','); err != nil {
		return "", err
	}
	st, err := p.next()
	if err != nil {
		return "", err
	}
	if st.kind != 's' {
		return "", connector.Errorf(connector.KindBadRequest, "$filter: %s wants a string", fn)
	}
	if err := p.expect(')'); err != nil {
		return "", err
	}
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(st.text)
	switch fn {
	case "contains":
		esc = "%" + esc + "%"
	case "startswith":
		esc += "%"
	case "endswith":
		esc = "%" + esc
	}
	return "CAST(" + c.quoted + " AS TEXT) LIKE " + p.b.bind(esc) + ` ESCAPE '\'`, nil
}

func (p *filterParser) literal(c *column) (v any, isNull bool, err error) {
	t, err := p.next()
	if err != nil {
		return nil, false, err
	}
	switch t.kind {
	case 's':
		return t.text, false, nil
	case 'n':
		if n, err := strconv.ParseInt(t.text, 10, 64); err == nil {
			return n, false, nil
		}
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, false, connector.Errorf(connector.KindBadRequest, "$filter: bad number %q", t.text)
		}
		return f, false, nil
	case 'i':
		switch strings.ToLower(t.text) {
		case "true":
			return true, false, nil
		case "false":
			return false, false, nil
		case "null":
			return nil, true, nil
		}
	}
	return nil, false, connector.Errorf(connector.KindBadRequest, "$filter: want a value after %s, got %q", c.name, t.text)
}

// compileOrderBy turns $orderby ("a desc, b") into an ORDER BY list.
func compileOrderBy(s string, t *table) (string, error) {
	var parts []string
	for _, item := range strings.Split(s, ",") {
		f := strings.Fields(item)
		if len(f) == 0 || len(f) > 2 {
			return "", connector.Errorf(connector.KindBadRequest, "$orderby: bad item %q", strings.TrimSpace(item))
		}
		c, err := t.col(f[0])
		if err != nil {
			return "", err
		}
		dir := "ASC"
		if len(f) == 2 {
			switch strings.ToLower(f[1]) {
			case "asc":
			case "desc":
				dir = "DESC"
			default:
				return "", connector.Errorf(connector.KindBadRequest, "$orderby: want asc or desc, got %q", f[1])
			}
		}
		parts = append(parts, c.quoted+" "+dir)
	}
	return strings.Join(parts, ", "), nil
}

// compileSelect turns $select ("a,b") into a column list; "" means all.
func compileSelect(s string, t *table) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "*", nil
	}
	var parts []string
	for _, name := range strings.Split(s, ",") {
		c, err := t.col(strings.TrimSpace(name))
		if err != nil {
			return "", err
		}
		parts = append(parts, c.quoted)
	}
	return strings.Join(parts, ", "), nil
}
