// SPDX-License-Identifier: Apache-2.0

package policy

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func testScope() *Scope {
	return &Scope{
		Conn:   map[string]any{"region": "eu", "token:clientId": "cid", "n": json.Number("5")},
		Header: http.Header{"Authorization": {"k"}, "X-Multi": {"a", "b"}},
		Query:  url.Values{"projectId": {"p1"}},
		Body: map[string]any{
			"a":            map[string]any{"b": []any{map[string]any{"c": "deep"}}},
			"@odata.etag":  `W/"1"`,
			"value":        []any{map[string]any{"TripId": json.Number("7")}},
			"it's":         "quoted",
			"num":          3.5,
			"obj":          map[string]any{"x": true},
			"$top":         "dollar",
			"user@example": "at",
		},
		Item:        map[string]any{"id": "i1"},
		TriggerBody: map[string]any{"value": []any{map[string]any{"TripId": json.Number("9")}}},
		Env:         map[string]string{"host": "env.example"},
		Method:      "PATCH",
		Placeholder: func(name string, inQuery bool) (string, error) {
			if inQuery {
				return "q:" + name, nil
			}
			return "p:" + name, nil
		},
	}
}

func TestTemplateEval(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		want      any
	}{
		{"literal", "plain text", "plain text"},
		{"empty", "", ""},
		{"connection parameter", "@connectionParameters('region')", "eu"},
		{"case-insensitive function", "@ConnectionParameters('region')", "eu"},
		{"parameter name case-insensitive", "@connectionParameters('REGION')", "eu"},
		{"sub-setting name", "@connectionParameters('token:clientId')", "cid"},
		{"default", "@connectionParameters('missing', 'dflt')", "dflt"},
		{"double-quoted args", `@connectionParameters("region")`, "eu"},
		{"raw value when alone", "@connectionParameters('n')", json.Number("5")},
		{"concatenation", "https://@connectionParameters('region')/prod", "https://eu/prod"},
		{"dots after a string function are literal", "https://@connectionParameters('region').api.x.com", "https://eu.api.x.com"},
		{"header", "Bearer @headers('Authorization')", "Bearer k"},
		{"header values joined", "@headers('X-Multi')", "a,b"},
		{"missing header is empty", "[@headers('Nope')]", "[]"},
		{"header default", "@headers('region','us')", "us"},
		{"query parameter", "@queryParameters('projectId')", "p1"},
		{"body path", "@body().a.b[0].c", "deep"},
		{"bracket names", "@body()['@odata.etag']", `W/"1"`},
		{"escaped quote in bracket", "@body()['it''s']", "quoted"},
		{"dollar key", "@body().$top", "dollar"},
		{"missing path is nil", "@body().nope.deeper", nil},
		{"index out of range", "@body().value[3]", nil},
		{"object value", "@body().obj", map[string]any{"x": true}},
		{"object stringified in text", "x=@body().obj", `x={"x":true}`},
		{"number stringified", "n=@{body().num}", "n=3.5"},
		{"interpolation", "TripId gt @{triggerBody().value[0].TripId}", "TripId gt 9"},
		{"interpolation with @ and spaces", "@{ @body().value[0].TripId }", json.Number("7")},
		{"brace interpolation", "/x/{@item().id}/y", "/x/i1/y"},
		{"item", "@item().id", "i1"},
		{"original method", "@Request.OriginalHTTPMethod", "PATCH"},
		{"environment", "https://@environmentVariables(\"host\")/x", "https://env.example/x"},
		{"email stays literal", "user@example.com", "user@example.com"},
		{"trailing at", "a@", "a@"},
		{"escaped at", "@@body()", "@body()"},
		{"lone braces are literal", "{not} {@item().id}", "{not} i1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tpl, err := ParseTemplate(tt.src)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			got, err := tpl.Eval(testScope())
			if err != nil {
				t.Fatalf("eval: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
			if tpl.String() != tt.src {
				t.Errorf("String() = %q", tpl.String())
			}
		})
	}
}

func TestPathTemplatePlaceholders(t *testing.T) {
	t.Parallel()
	tpl, err := ParsePathTemplate("v1.0/users/{id}/x?filter={q}&t=@queryParameters('projectId')")
	if err != nil {
		t.Fatal(err)
	}
	got, err := tpl.EvalString(testScope())
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1.0/users/p:id/x?filter=q:q&t=p1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Without placeholders, braces are text.
	tpl, _ = ParseTemplate("{id}")
	if s, _ := tpl.EvalString(testScope()); s != "{id}" {
		t.Errorf("got %q", s)
	}
}

func TestTemplateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, src, want string }{
		{"unknown function", "@queryParamters('x')", `unknown function "queryParamters"`},
		{"unterminated string", "@headers('x)", "unterminated string"},
		{"missing paren", "@headers('x'", "want ')'"},
		{"too many args", "@headers('a','b','c')", "1 to 2 arguments"},
		{"body takes no args", "@body('x')", "0 argument"},
		{"unquoted arg", "@headers(x)", "quoted string"},
		{"bad index", "@body()[x]", "array index"},
		{"unclosed bracket", "@body()['a'", "want ']'"},
		{"unclosed interpolation", "@{body().a", "want '}'"},
		{"empty interpolation", "@{}", "want an expression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseTemplate(tt.src)
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want a syntax error containing %q", err, tt.want)
			}
		})
	}
	t.Run("missing connection parameter", func(t *testing.T) {
		t.Parallel()
		tpl, _ := ParseTemplate("x@connectionParameters('nope')")
		_, err := tpl.Eval(testScope())
		var me *MissingError
		if !errors.As(err, &me) {
			t.Errorf("err %v", err)
		}
	})
}

func TestPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		val        any
		start      string
		want       string
	}{
		{"create intermediate objects", "@body().a.b", "v", `{}`, `{"a":{"b":"v"}}`},
		{"from nothing", "@body().a", json.Number("1"), `null`, `{"a":1}`},
		{"array element", "@body().xs[1].k", true, `{"xs":[{},{}]}`, `{"xs":[{},{"k":true}]}`},
		{"bracket name", "@body()['@odata.id']", "u", `{}`, `{"@odata.id":"u"}`},
		{"without the at sign", "body().gifts", "g", `{}`, `{"gifts":"g"}`},
		{"replace root", "@body()", "r", `{"a":1}`, `"r"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := ParsePath(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			root, _ := decodeJSON(tt.start)
			if err := SetPath(&root, e.Path, tt.val); err != nil {
				t.Fatal(err)
			}
			got, _ := marshalJSON(root)
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		var root any = map[string]any{"s": "x", "xs": []any{}}
		if err := SetPath(&root, []Step{{Key: "s"}, {Key: "k"}}, 1); err == nil {
			t.Error("set below a string")
		}
		if err := SetPath(&root, []Step{{Key: "xs"}, {Index: 2, IsIndex: true}}, 1); err == nil {
			t.Error("set out of range")
		}
		if _, err := ParsePath("@headers('x')"); err == nil {
			t.Error("headers() accepted as a body path")
		}
	})
	t.Run("sub paths", func(t *testing.T) {
		t.Parallel()
		for src, want := range map[string]string{"name": ".name", "a.b": ".a.b", "['@odata.id']": "['@odata.id']", "a[0]": ".a[0]", "": "", "null": "", "odd-name": "['odd-name']"} {
			steps, err := ParseSubPath(src)
			if err != nil || pathString(steps) != want {
				t.Errorf("%q: %q, %v; want %q", src, pathString(steps), err, want)
			}
		}
	})
}

func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"@connectionParameters('region')", "https://@connectionParameters('r','d').x/y",
		"Bearer @headers('Authorization')", "@body().a.b[0].c", "@body()['@odata.etag']",
		"TripId gt @{triggerBody().value[0].TripId}", "[{@body().payments}]", "/v1/{id}/x?q=@queryParameters('q')",
		"@Request.OriginalHTTPMethod", "user@example.com", "@@", "@{", "{@", "@body()[", "@x(", "'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string) (*Template, error){ParseTemplate, ParsePathTemplate} {
			tpl, err := parse(s)
			if err != nil {
				continue
			}
			if tpl.String() != s {
				t.Fatalf("String() = %q, want %q", tpl.String(), s)
			}
			_, _ = tpl.Eval(testScope())
			_, _ = tpl.EvalString(testScope())
		}
		_, _ = ParsePath(s)
		_, _ = ParseSubPath(s)
	})
}
