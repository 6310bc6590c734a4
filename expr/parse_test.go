// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseCanonical(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"'it''s'", "'it''s'"},
		{"42", "42"},
		{"-5", "-5"},
		{"+1.", "1.0"},
		{".5", "0.5"},
		{"3e1", "30.0"},
		{"1E-3", "0.001"},
		{"-01.0", "-1.0"},
		{"99999999999999999999", "100000000000000000000.0"},
		{"1e21", "1e+21"},
		{"0.000001", "1e-06"},
		{"TRUE", "true"},
		{"Null", "null"},
		{"concat( 'a' ,'b' )", "concat('a', 'b')"},
		{"utcnow()", "utcnow()"},
		{"triggerBody()?['name']", "triggerBody()?['name']"},
		{"body('x').a?.b[0]", "body('x').a?.b[0]"},
		{"f()[g()[1]]", "f()[g()[1]]"},
		{"concat(triggerBody()?['name'], '-', string(add(variables('n'), 1)))", "concat(triggerBody()?['name'], '-', string(add(variables('n'), 1)))"},
		{" \n f ( ) ", "f()"},
		{"x().$content", "x().$content"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			tree, err := Parse(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := tree.String(); got != tc.want {
				t.Fatalf("String() = %q, want %q", got, tc.want)
			}
			again, err := Parse(tree.String())
			if err != nil {
				t.Fatalf("reparse: %v", err)
			}
			if !sameTree(tree.Root, again.Root) {
				t.Fatalf("reparse gives a different tree: %s", again)
			}
		})
	}
}

func TestParsePositions(t *testing.T) {
	t.Parallel()
	tree, err := Parse("concat('a', body('x')?['y'], 1.5)")
	if err != nil {
		t.Fatal(err)
	}
	call := tree.Root.(*CallNode)
	if call.Position() != 0 || call.Args[0].Position() != 7 {
		t.Errorf("positions %d %d", call.Position(), call.Args[0].Position())
	}
	idx := call.Args[1].(*IndexNode)
	if idx.Position() != 21 || !idx.NullSafe || idx.X.Position() != 12 {
		t.Errorf("index node %+v", idx)
	}
	if call.Args[2].Position() != 29 {
		t.Errorf("float at %d", call.Args[2].Position())
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, msg, snippet string }{
		{"", "expr: 1:1: expected an expression, found end of expression", "\n^"},
		{"concat('a',", "expr: 1:12: expected an expression, found end of expression", "concat('a',\n           ^"},
		{"concat('a' 'b')", "expr: 1:12: expected ',' or ')', found string 'b'", "concat('a' 'b')\n           ^"},
		{"'abc", "expr: 1:1: unterminated string literal", ""},
		{"foo", "expr: 1:4: expected '(' after function name \"foo\", found end of expression", ""},
		{"f() g()", "expr: 1:5: expected end of expression, found identifier g", ""},
		{"f()?", "expr: 1:5: expected '[' or '.' after '?', found end of expression", ""},
		{"f()[1", "expr: 1:6: expected ']', found end of expression", ""},
		{"f().1", "expr: 1:4: expected end of expression, found number .1", ""},
		{"f(1 2)", "expr: 1:5: expected ',' or ')', found number 2", ""},
		{"1x", "expr: 1:1: bad number syntax: \"1x\"", ""},
		{"1e", "expr: 1:1: bad number syntax: \"1e\"", ""},
		{"-", "expr: 1:1: bad number syntax: \"-\"", ""},
		{"1e999", "expr: 1:1: number 1e999 is out of range", ""},
		{"f(#)", "expr: 1:3: unexpected character '#'", ""},
		{"f(\n  x)", "expr: 2:4: expected '(' after function name \"x\", found ')'", "  x)\n   ^"},
		{"{ \"a\": 1 }", "expr: 1:1: unexpected character '{'", ""},
		{"f(1,)", "expr: 1:5: expected an expression, found ')'", ""},
		{strings.Repeat("f(", MaxDepth+2) + strings.Repeat(")", MaxDepth+2), "nested too deeply", ""},
		{"f()" + strings.Repeat("[0]", MaxDepth+2), "nested too deeply", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tc.in)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want *ParseError", err, err)
			}
			if !strings.Contains(pe.Error(), tc.msg) {
				t.Errorf("error %q, want %q", pe.Error(), tc.msg)
			}
			if tc.snippet != "" && pe.Snippet() != tc.snippet {
				t.Errorf("snippet\n%s\nwant\n%s", pe.Snippet(), tc.snippet)
			}
		})
	}
}

// sameTree compares two trees ignoring positions.
func sameTree(a, b Node) bool {
	switch a := a.(type) {
	case *StringNode:
		b, ok := b.(*StringNode)
		return ok && a.Value == b.Value
	case *IntNode:
		b, ok := b.(*IntNode)
		return ok && a.Value == b.Value
	case *FloatNode:
		b, ok := b.(*FloatNode)
		return ok && (a.Value == b.Value || a.Value != a.Value && b.Value != b.Value)
	case *BoolNode:
		b, ok := b.(*BoolNode)
		return ok && a.Value == b.Value
	case *NullNode:
		_, ok := b.(*NullNode)
		return ok
	case *CallNode:
		b, ok := b.(*CallNode)
		if !ok || a.Name != b.Name || len(a.Args) != len(b.Args) {
			return false
		}
		for i := range a.Args {
			if !sameTree(a.Args[i], b.Args[i]) {
				return false
			}
		}
		return true
	case *IndexNode:
		b, ok := b.(*IndexNode)
		return ok && a.NullSafe == b.NullSafe && sameTree(a.X, b.X) && sameTree(a.Index, b.Index)
	case *MemberNode:
		b, ok := b.(*MemberNode)
		return ok && a.NullSafe == b.NullSafe && a.Name == b.Name && sameTree(a.X, b.X)
	}
	return false
}

func TestTemplates(t *testing.T) {
	t.Parallel()
	env := &MapEnv{Parameters: map[string]any{"myAge": int64(42), "name": "Ada", "f": 2.5, "b": true, "nil": nil, "obj": decodeAny(`{"a":[1,"x"]}`)}}
	tests := []struct {
		in      string
		want    string // JSON
		kind    TemplateKind
		err     string
		errPath string
	}{
		{in: "", want: `""`, kind: KindLiteral},
		{in: "plain", want: `"plain"`, kind: KindLiteral},
		{in: "@", want: `"@"`, kind: KindLiteral},
		{in: "@@", want: `"@"`, kind: KindLiteral},
		{in: "@@{parameters('name')}", want: `"@{parameters('name')}"`, kind: KindLiteral},
		{in: "@@concat('a')", want: `"@concat('a')"`, kind: KindLiteral},
		{in: " @", want: `" @"`, kind: KindLiteral},
		{in: "me@example.com", want: `"me@example.com"`, kind: KindLiteral},
		{in: "text/@fn()/text", want: `"text/@fn()/text"`, kind: KindLiteral},
		{in: "a @@{b} c", want: `"a @{b} c"`, kind: KindLiteral},
		{in: "@parameters('myAge')", want: "42", kind: KindExpression},
		{in: "@parameters('obj')", want: `{"a":[1,"x"]}`, kind: KindExpression},
		{in: "@{parameters('myAge')}", want: `"42"`, kind: KindInterpolate},
		{in: "@{parameters('f')}|@{parameters('b')}|@{parameters('nil')}|@{parameters('obj')}", want: `"2.5|True||{\"a\":[1,\"x\"]}"`, kind: KindInterpolate},
		{in: "Age: @{parameters('myAge')}, next @{add(parameters('myAge'), 1)}.", want: `"Age: 42, next 43."`, kind: KindInterpolate},
		{in: "@{'}'}", want: `"}"`, kind: KindInterpolate},
		{in: "@{ parameters('name') }@{parameters('name')}", want: `"AdaAda"`, kind: KindInterpolate},
		{in: "x @@{a} @{parameters('name')}", want: `"x @{a} Ada"`, kind: KindInterpolate},
		{in: "@{-01.0} @{3e1}", want: `"-1 30"`, kind: KindInterpolate},
		{in: "@ add(1, 2)", want: "3", kind: KindExpression},
		{in: "@add(1,", err: "expr: 1:8: expected an expression"},
		{in: "a @{add(1, 2)", err: "expr: 1:14: expected '}' to end the interpolation, found end of expression"},
		{in: "a @{}", err: "expr: 1:5: expected an expression, found '}'"},
		{in: "@add(1, 2) x", err: "expected end of expression"},
		{in: "@{parameters('missing')}", err: "parameter 'missing' is not found"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			tmpl, err := Compile(tc.in)
			if err == nil && tc.err == "" {
				if tmpl.Kind() != tc.kind {
					t.Errorf("kind %d, want %d", tmpl.Kind(), tc.kind)
				}
				// The canonical form compiles to an equivalent template.
				again, err := Compile(tmpl.String())
				if err != nil || again.Kind() != tmpl.Kind() {
					t.Errorf("String() %q does not recompile to the same kind: %v", tmpl.String(), err)
				}
			}
			var got any
			if err == nil {
				got, err = tmpl.Eval(env)
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g := jsonText(got); g != tc.want {
				t.Fatalf("got %s, want %s", g, tc.want)
			}
		})
	}
}

func TestCallsAndCheck(t *testing.T) {
	t.Parallel()
	tmpl := MustCompile("x @{parameters('p')} @{body(variables('v'))?['a']} @{utcNow()}")
	var names []string
	for _, c := range tmpl.Calls() {
		names = append(names, c.Name)
		if c.Name == "parameters" && (!c.ArgConst[0] || c.Args[0] != "p") {
			t.Errorf("parameters arg %v", c.Args)
		}
		if c.Name == "body" && c.ArgConst[0] {
			t.Errorf("body arg should not be constant")
		}
	}
	if got := strings.Join(names, ","); got != "parameters,body,variables,utcNow" {
		t.Errorf("calls %s", got)
	}
	if !tmpl.Impure() {
		t.Error("not impure")
	}
	if MustCompile("@variables('x')").Impure() {
		t.Error("variables() is not impure")
	}
	if MustCompile("@add(1, 2)").Impure() {
		t.Error("add is pure")
	}
	if err := MustCompile("@add(1)").Check(); err == nil || !strings.Contains(err.Error(), "expects 2 parameters") {
		t.Errorf("Check: %v", err)
	}
	if err := MustCompile("@if(true, 1, nope())").Check(); err == nil || !strings.Contains(err.Error(), "'nope' is not defined") {
		t.Errorf("Check: %v", err)
	}
	if err := MustCompile("@concat('a', triggerBody()?['x'])").Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestCompileValue(t *testing.T) {
	t.Parallel()
	env := &MapEnv{Variables: map[string]any{"n": int64(2)}}
	v := decodeAny(`{"a": "@variables('n')", "b": ["x", "n=@{variables('n')}", 3], "c": {"d": "lit"}, "e": null}`)
	c, err := CompileValue(v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Eval(env)
	if err != nil {
		t.Fatal(err)
	}
	if g := jsonText(got); g != `{"a":2,"b":["x","n=2",3],"c":{"d":"lit"},"e":null}` {
		t.Fatalf("got %s", g)
	}
	var paths []string
	c.Templates(func(p string, _ *Template) { paths = append(paths, p) })
	if strings.Join(paths, " ") != "/a /b/1" {
		t.Errorf("paths %v", paths)
	}
	lit, _ := CompileValue(decodeAny(`{"a":["@@x"]}`))
	if !lit.IsLiteral() {
		t.Error("not literal")
	}
	if g, _ := lit.Eval(nil); jsonText(g) != `{"a":["@x"]}` {
		t.Errorf("literal %s", jsonText(g))
	}
	_, err = CompileValue(decodeAny(`{"a":{"b":["@add(1,"]}}`))
	var pe *PathError
	if !errors.As(err, &pe) || pe.Path != "/a/b/0" {
		t.Fatalf("error %v", err)
	}
	if got, err := EvalValue("@add(1, 1)", nil); err != nil || got != int64(2) {
		t.Fatalf("EvalValue %v %v", got, err)
	}
}

func TestNoEnv(t *testing.T) {
	t.Parallel()
	_, err := MustCompile("@triggerBody()").Eval(nil)
	if err == nil || !errors.Is(err, ErrNotAvailable) {
		t.Fatalf("error %v, want ErrNotAvailable", err)
	}
	var ee *EvalError
	if !errors.As(err, &ee) || ee.Func != "triggerBody" {
		t.Fatalf("error %#v", err)
	}
}

func TestCache(t *testing.T) {
	t.Parallel()
	c := &Cache{Max: 2}
	a1, err := c.Compile("@add(1, 2)")
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := c.Compile("@add(1, 2)")
	if a1 != a2 {
		t.Error("not cached")
	}
	if _, err := c.Compile("@add(1,"); err == nil {
		t.Error("no error")
	}
	if _, err := c.Compile("@add(1,"); err == nil {
		t.Error("cached error lost")
	}
	if c.Len() != 2 {
		t.Errorf("len %d", c.Len())
	}
	c.Compile("x")
	if c.Len() != 1 {
		t.Errorf("len %d after overflow", c.Len())
	}
}

func TestTimeHelpers(t *testing.T) {
	t.Parallel()
	loc, err := LoadLocation("pacific standard time")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadLocation("Nowhere"); err == nil {
		t.Error("unknown zone accepted")
	}
	from := time.Date(2018, 1, 31, 0, 0, 0, 0, loc)
	got, err := AddISODuration(from, "P1MT1H")
	if err != nil {
		t.Fatal(err)
	}
	if got.Month() != time.February || got.Hour() != 1 {
		t.Errorf("P1MT1H from %v gave %v", from, got)
	}
	if _, err := AddISODuration(from, "1H"); err == nil {
		t.Error("bad duration accepted")
	}
}
