// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"testing"
	"time"
)

var fuzzSeeds = []string{
	"concat(triggerBody()?['name'], '-', string(add(variables('n'), 1)))",
	"if(equals(1, 1), 'yes', 'no')",
	"body('x')?.a.b[0]['c']",
	"'it''s' ",
	"+1.", ".5", "-3e-2", "1e999", "99999999999999999999",
	"f(", "f(1,", "f()?", "'abc", "{", "@", "@{", "a @{b} c", "@@{x}",
	"json('{\"a\":[1,2]}')['a'][1]",
	"xml('<a><b>1</b></a>')",
	"xpath(xml('<a><b>1</b></a>'), '/a/b')",
	"formatDateTime('2018-03-15T13:27:36Z', 'dddd MMMM d yyyy HH:mm:ss.fffffffK', 'fr-FR')",
	"formatNumber(1234.5678, '#,##0.00;(#,##0.00);zero', 'de-DE')",
	"union(range(0, 100), range(50, 100))",
	"div(decimal('1'), decimal('3'))",
	"slice('héllo😀', -3, -1)",
}

// FuzzLex checks that the lexer terminates and always moves forward.
func FuzzLex(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		l := lex(src)
		last := Pos(-1)
		for i := 0; ; i++ {
			it := l.nextItem()
			if it.typ == itemEOF || it.typ == itemError {
				return
			}
			if it.pos <= last || int(it.pos)+len(it.val) > len(src) {
				t.Fatalf("item %v at %d after %d", it, it.pos, last)
			}
			last = it.pos
			if i > len(src)+1 {
				t.Fatal("lexer does not terminate")
			}
		}
	})
}

// FuzzParseRoundTrip checks parse → print → parse gives the same tree.
func FuzzParseRoundTrip(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		tree, err := Parse(src)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error of type %T", err)
			}
			_ = err.(*ParseError).Snippet()
			return
		}
		printed := tree.String()
		again, err := Parse(printed)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", src, printed, err)
		}
		if !sameTree(tree.Root, again.Root) {
			t.Fatalf("%q printed as %q parses to a different tree %q", src, printed, again.String())
		}
		if again.String() != printed {
			t.Fatalf("printing is not stable: %q then %q", printed, again.String())
		}
	})
}

// FuzzTemplate checks definition strings: compile, print, recompile.
func FuzzTemplate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
		f.Add("@" + s)
		f.Add("x @{" + s + "} y")
	}
	f.Fuzz(func(t *testing.T, src string) {
		tmpl, err := Compile(src)
		if err != nil {
			return
		}
		again, err := Compile(tmpl.String())
		if err != nil {
			t.Fatalf("%q printed as %q, which does not compile: %v", src, tmpl.String(), err)
		}
		if again.String() != tmpl.String() || again.Kind() != tmpl.Kind() {
			t.Fatalf("%q: %q then %q", src, tmpl.String(), again.String())
		}
		if tmpl.IsLiteral() {
			a, _ := tmpl.Eval(nil)
			b, _ := again.Eval(nil)
			if a != b {
				t.Fatalf("literal %q vs %q", a, b)
			}
		}
	})
}

// FuzzEval evaluates arbitrary expressions: no panic, bounded time.
func FuzzEval(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	env := testEnv()
	f.Fuzz(func(t *testing.T, src string) {
		tree, err := Parse(src)
		if err != nil {
			return
		}
		start := time.Now()
		v, err := tree.Eval(env)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%q took %v", src, d)
		}
		if ee, ok := err.(*EvalError); ok && len(ee.Msg) > 0 && ee.Msg[0] == 'i' {
			// "internal error ...": a recovered panic is a bug.
			t.Fatalf("%q: %v", src, err)
		}
		if err == nil {
			_ = AppendJSON(nil, v)
			_ = Stringify(v)
		}
	})
}
