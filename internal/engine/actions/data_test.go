// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/junction-run/junction/expr"
)

func TestDataOperations(t *testing.T) {
	t.Parallel()
	env := &expr.MapEnv{
		Variables: map[string]any{
			"people": decode(t, `[{"name":"Ann","age":31,"city":"Oslo"},{"name":"Bob","age":17},{"name":"Cy, \"Jr\"","age":45,"city":"A<b>"}]`),
			"nums":   decode(t, `[1,3,0,5,4,2]`),
			"notArr": "x",
		},
		Loops: []expr.Loop{{Name: "Outer", Item: decode(t, `{"min":18}`)}},
	}
	tests := []struct {
		name, typ, inputs string
		want              string // JSON of outputs.body
		code              string // error code when the action fails
	}{
		{"query greater", "Query", `{"from":"@variables('nums')","where":"@greater(item(), 2)"}`, `[3,5,4]`, ""},
		{"query none", "Query", `{"from":"@variables('nums')","where":"@greater(item(), 10)"}`, `[]`, ""},
		{"query empty from", "Query", `{"from":[],"where":"@true"}`, `[]`, ""},
		{"query objects and outer loop", "Query", `{"from":"@variables('people')","where":"@greaterOrEquals(item()?['age'], items('Outer').min)"}`, `[{"name":"Ann","age":31,"city":"Oslo"},{"name":"Cy, \"Jr\"","age":45,"city":"A<b>"}]`, ""},
		{"query not bool", "Query", `{"from":[1],"where":"@item()"}`, ``, "InvalidTemplate"},
		{"query from not array", "Query", `{"from":"@variables('notArr')","where":"@true"}`, ``, "InvalidTemplate"},
		{"query bad where", "Query", `{"from":[1],"where":"@nosuchfunction(item())"}`, ``, "InvalidTemplate"},
		{"query missing where", "Query", `{"from":[1]}`, ``, "InvalidActionInputs"},
		{"select object", "Select", `{"from":[1,2,3],"select":{"number":"@item()"}}`, `[{"number":1},{"number":2},{"number":3}]`, ""},
		{"select expression", "Select", `{"from":"@variables('people')","select":"@concat(item().name, '!')"}`, `["Ann!","Bob!","Cy, \"Jr\"!"]`, ""},
		{"select nested", "Select", `{"from":"@variables('people')","select":{"who":{"n":"@item().name","adult":"@greater(item().age, 17)"},"tag":"x @{item().age}"}}`, `[{"who":{"n":"Ann","adult":true},"tag":"x 31"},{"who":{"n":"Bob","adult":false},"tag":"x 17"},{"who":{"n":"Cy, \"Jr\"","adult":true},"tag":"x 45"}]`, ""},
		{"select empty", "Select", `{"from":[],"select":{"a":"@item()"}}`, `[]`, ""},
		{"select missing property", "Select", `{"from":[{}],"select":"@item().nope"}`, ``, "InvalidTemplate"},
		{"select not array", "Select", `{"from":{"a":1},"select":"@item()"}`, ``, "InvalidTemplate"},
		{"join", "Join", `{"from":"@variables('nums')","joinWith":","}`, `"1,3,0,5,4,2"`, ""},
		{"join mixed", "Join", `{"from":["a",1.5,true,null,{"k":[1]}],"joinWith":" | "}`, `"a | 1.5 | True |  | {\"k\":[1]}"`, ""},
		{"join empty", "Join", `{"from":[],"joinWith":","}`, `""`, ""},
		{"join not array", "Join", `{"from":"abc","joinWith":","}`, ``, "InvalidTemplate"},
		{"table csv auto union", "Table", `{"format":"CSV","from":"@variables('people')"}`, `"name,age,city\nAnn,31,Oslo\nBob,17,\n\"Cy, \"\"Jr\"\"\",45,A<b>\n"`, ""},
		{"table html escaped", "Table", `{"format":"html","from":"@variables('people')","columns":[{"header":"Who & age","value":"@item().name"},{"header":"City","value":"@item()?['city']"}]}`, `"<table><thead><tr><th>Who &amp; age</th><th>City</th></tr></thead><tbody><tr><td>Ann</td><td>Oslo</td></tr><tr><td>Bob</td><td></td></tr><tr><td>Cy, &#34;Jr&#34;</td><td>A&lt;b&gt;</td></tr></tbody></table>"`, ""},
		{"table csv line breaks", "Table", `{"format":"CSV","from":[{"a":"x\ny","b":" lead"}]}`, `"a,b\n\"x\ny\",\" lead\"\n"`, ""},
		{"table bad format", "Table", `{"format":"XML","from":[]}`, ``, "InvalidActionInputs"},
		{"table auto needs objects", "Table", `{"format":"CSV","from":[1]}`, ``, "InvalidTemplate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := invoke(t, context.Background(), call(t, tt.typ, tt.inputs, env))
			noErr(t, err)
			if tt.code != "" {
				isTrue(t, res.Failed, "result: %+v", res)
				equal(t, tt.code, res.Error.Code, res.Error.Message)
				return
			}
			isFalse(t, res.Failed, "error: %+v", res.Error)
			equal(t, tt.want, jsonText(body(t, res)))
		})
	}
}

// TestDataInputsShown checks that per-item properties are shown as
// written and "from" evaluated.
func TestDataInputsShown(t *testing.T) {
	t.Parallel()
	env := &expr.MapEnv{Variables: map[string]any{"a": decode(t, `[1,2]`)}}
	res, err := invoke(t, context.Background(), call(t, "Select", `{"from":"@variables('a')","select":"@item()"}`, env))
	noErr(t, err)
	equal(t, `{"from":[1,2],"select":"@item()"}`, jsonText(res.Inputs))
}

// TestContextExamples reproduces the "action" entries of the shared
// context-examples corpus for the types of this package.
func TestContextExamples(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../../../shared/corpus/wdl/context-examples.json")
	if err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	all, err := expr.Decode(data)
	noErr(t, err)
	n := 0
	for i, e := range all.([]any) {
		ex := e.(*expr.Object)
		if getString(ex, "form") != "action" {
			continue
		}
		act := getObject(ex, "action")
		typ := getString(act, "type")
		if _, ok := Lookup(typ); !ok {
			continue // structural types belong to the engine
		}
		n++
		t.Run(fmt.Sprintf("%s/%d", typ, i), func(t *testing.T) {
			t.Parallel()
			env, err := expr.NewMapEnv(mustGet(ex, "context"))
			noErr(t, err)
			inputs, _ := act.Get("inputs")
			res, err := invoke(t, context.Background(), &Call{Name: typ, Type: typ, Raw: inputs, Env: env})
			noErr(t, err)
			isFalse(t, res.Failed, "%+v", res.Error)
			want, _ := ex.Get("expected")
			got := body(t, res)
			if b, _ := ex.Get("doubtful"); b == true {
				// The doc prints lines without their endings: compare line
				// by line after trimming spaces.
				equal(t, trimLines(expr.Stringify(want)), trimLines(expr.Stringify(got)), getString(ex, "note"))
				return
			}
			equal(t, jsonText(want), jsonText(got))
		})
	}
	isTrue(t, n > 0, "the corpus has action examples")
}

func trimLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}
