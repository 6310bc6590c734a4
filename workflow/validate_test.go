// SPDX-License-Identifier: Apache-2.0

package workflow

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// defWith wraps an actions object in a definition with a Request trigger
// and one declared parameter p and one variable v (a String, initialized by
// Init at top level) when init is true.
func defWith(actions string) string {
	return `{"parameters": {"p": {"type": "string", "defaultValue": ""}},
	"triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {}}},
	"actions": ` + actions + `}`
}

const initV = `"Init": {"type": "InitializeVariable", "inputs": {"variables": [{"name": "v", "type": "string", "value": ""}]}, "runAfter": {}}`

// pc renders a problem as "path code" for comparisons.
func pc(ps []Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Path + " " + p.Code
	}
	return out
}

func TestValidate(t *testing.T) {
	t.Parallel()
	deep := `{"type": "Compose", "inputs": 1}`
	for k := 8; k >= 1; k-- {
		deep = fmt.Sprintf(`{"type": "Scope", "actions": {"L%d": %s}}`, k, deep)
	}
	tooDeep := `{"type": "Compose", "inputs": 1}`
	for k := 20; k >= 1; k-- {
		tooDeep = fmt.Sprintf(`{"type": "Scope", "actions": {"L%d": %s}}`, k, tooDeep)
	}
	many := func(n int, item string) string {
		var parts []string
		for i := 0; i < n; i++ {
			parts = append(parts, fmt.Sprintf(item, i))
		}
		return strings.Join(parts, ",")
	}
	tests := []struct {
		name string
		def  string
		want []string // "path code", in order
	}{
		{"minimal valid", defWith(`{"Compose": {"type": "Compose", "inputs": "@parameters('p')", "runAfter": {}}}`), nil},
		{"case-insensitive types and statuses", defWith(`{
			"Loop": {"type": "foreach", "foreach": "@createArray(1,2)", "actions": {
				"C": {"type": "compose", "inputs": "@items('loop')", "runAfter": {}}}, "runAfter": {}},
			"After": {"type": "Compose", "inputs": 1, "runAfter": {"loop": ["SUCCEEDED", "failed", "TimedOut", "skipped"]}}}`), nil},
		{"if object form", defWith(`{"If": {"type": "If", "expression": {"and": [{"greater": ["@length(triggerBody())", 0]}, {"not": {"equals": [1, 2]}}]},
			"actions": {}, "else": {"actions": {}}, "runAfter": {}}}`), nil},
		{"until with count expression", defWith(`{"U": {"type": "Until", "expression": "@equals(1,1)", "limit": {"count": "@parameters('p')"}, "actions": {}}}`), nil},
		{"unknown action type", defWith(`{"X": {"type": "Xslt", "inputs": {}}}`),
			[]string{"$.actions.X.type WF1003"}},
		{"unknown trigger type", `{"triggers": {"w": {"type": "SlidingWindow"}}, "actions": {}}`,
			[]string{"$.triggers.w.type WF1004"}},
		{"missing type", defWith(`{"X": {"inputs": 1}}`), []string{"$.actions.X WF1002"}},
		{"name needing brackets", defWith(`{"Send an email": {"type": "Nope"}}`),
			[]string{"$.actions['Send an email'].type WF1003"}},
		{"runAfter unknown", defWith(`{"B": {"type": "Compose", "inputs": 1, "runAfter": {"Nope": ["Succeeded"]}}}`),
			[]string{"$.actions.B.runAfter.Nope WF2001"}},
		{"runAfter not a sibling", defWith(`{"Outer": {"type": "Compose", "inputs": 1},
			"S": {"type": "Scope", "actions": {"Inner": {"type": "Compose", "inputs": 1, "runAfter": {"Outer": ["Succeeded"]}}}, "runAfter": {"Outer": ["Succeeded"]}}}`),
			[]string{"$.actions.S.actions.Inner.runAfter.Outer WF2001"}},
		{"runAfter bad status", defWith(`{"A": {"type": "Compose", "inputs": 1}, "B": {"type": "Compose", "inputs": 1, "runAfter": {"A": ["Done"]}}}`),
			[]string{"$.actions.B.runAfter.A[0] WF1006"}},
		{"runAfter wrong type", defWith(`{"A": {"type": "Compose", "inputs": 1}, "B": {"type": "Compose", "inputs": 1, "runAfter": {"A": "Succeeded"}}}`),
			[]string{"$.actions.B.runAfter.A WF1001"}},
		{"runAfter cycle", defWith(`{"A": {"type": "Compose", "inputs": 1, "runAfter": {"C": ["Succeeded"]}},
			"B": {"type": "Compose", "inputs": 1, "runAfter": {"A": ["Succeeded"]}},
			"C": {"type": "Compose", "inputs": 1, "runAfter": {"B": ["Succeeded"]}}}`),
			[]string{"$.actions.A.runAfter WF2002"}},
		{"runAfter self", defWith(`{"A": {"type": "Compose", "inputs": 1, "runAfter": {"A": ["Succeeded"]}}}`),
			[]string{"$.actions.A.runAfter WF2002"}},
		{"duplicate name across scopes", defWith(`{"Compose": {"type": "Compose", "inputs": 1},
			"S": {"type": "Scope", "actions": {"compose": {"type": "Compose", "inputs": 1}}, "runAfter": {"Compose": ["Succeeded"]}}}`),
			[]string{"$.actions.S.actions.compose WF1007"}},
		{"expression syntax", defWith(`{"C": {"type": "Compose", "inputs": {"a": "@concat('a',"}}}`),
			[]string{"$.actions.C.inputs.a WF3001"}},
		{"undeclared parameter", defWith(`{"C": {"type": "Compose", "inputs": "@parameters('q')"}}`),
			[]string{"$.actions.C.inputs WF2003"}},
		{"standard parameter", `{"triggers": {}, "actions": {"C": {"type": "Compose", "inputs": "@parameters('q')"}}}`,
			[]string{"$.actions.C.inputs WF2010"}},
		{"unknown action reference", defWith(`{"C": {"type": "Compose", "inputs": "@{body('Nope')} @{outputs('C')}"}}`),
			[]string{"$.actions.C.inputs WF2004"}},
		{"uninitialized variable", defWith(`{"C": {"type": "Compose", "inputs": "@variables('nope')"}}`),
			[]string{"$.actions.C.inputs WF2005"}},
		{"items of a loop that does not enclose", defWith(`{
			"L1": {"type": "Foreach", "foreach": "@items('L1')", "actions": {}},
			"L2": {"type": "Foreach", "foreach": "@createArray(1)", "actions": {"C": {"type": "Compose", "inputs": "@items('L1')"}}}}`),
			[]string{"$.actions.L1.foreach WF2006", "$.actions.L2.actions.C.inputs WF2006"}},
		{"foreach on a non-Foreach", defWith(`{"C": {"type": "Compose", "inputs": 1, "foreach": "@createArray(1)"}}`),
			[]string{"$.actions.C.foreach WF1005"}},
		{"cases on a non-Switch", defWith(`{"C": {"type": "Scope", "actions": {}, "cases": {}}}`),
			[]string{"$.actions.C.cases WF1005"}},
		{"if without expression", defWith(`{"If": {"type": "If", "actions": {}}}`), []string{"$.actions.If WF1002"}},
		{"switch without expression and cases", defWith(`{"Sw": {"type": "Switch"}}`),
			[]string{"$.actions.Sw WF1002", "$.actions.Sw WF1002"}},
		{"switch duplicate case values", defWith(`{"Sw": {"type": "Switch", "expression": "@triggerBody()", "cases": {
			"A": {"case": "x", "actions": {}}, "B": {"case": "x", "actions": {}}, "C": {"actions": {}}}}}`),
			[]string{"$.actions.Sw.cases.B.case WF1006", "$.actions.Sw.cases.C WF1002"}},
		{"until without limit", defWith(`{"U": {"type": "Until", "expression": "@true", "actions": {}}}`), []string{"$.actions.U WF1002"}},
		{"terminate run status", defWith(`{"T": {"type": "Terminate", "inputs": {"runStatus": "Done"}}}`),
			[]string{"$.actions.T.inputs.runStatus WF1006"}},
		{"terminate inside a loop", defWith(`{"L": {"type": "Foreach", "foreach": "@createArray(1)", "actions": {
			"T": {"type": "Terminate", "inputs": {"runStatus": "Failed"}}}}}`),
			[]string{"$.actions.L.actions.T WF1008"}},
		{"response status code", defWith(`{"R": {"type": "Response", "inputs": {"statusCode": 302}}}`),
			[]string{"$.actions.R.inputs.statusCode WF1006"}},
		{"variable type", defWith(`{"I": {"type": "InitializeVariable", "inputs": {"variables": [{"name": "x", "type": "text"}]}}}`),
			[]string{"$.actions.I.inputs.variables[0].type WF1006"}},
		{"variable value", defWith(`{"I": {"type": "InitializeVariable", "inputs": {"variables": [{"name": "x", "type": "integer", "value": "a"}]}}}`),
			[]string{"$.actions.I.inputs.variables[0].value WF1006"}},
		{"two variables in one action", defWith(`{"I": {"type": "InitializeVariable", "inputs": {"variables": [{"name": "x", "type": "integer"}, {"name": "y", "type": "integer"}]}}}`),
			[]string{"$.actions.I.inputs.variables WF1006"}},
		{"variables not an array", defWith(`{"I": {"type": "InitializeVariable", "inputs": {"variables": {"name": "x"}}}}`),
			[]string{"$.actions.I.inputs.variables WF1001"}},
		{"nested initialize", defWith(`{"S": {"type": "Scope", "actions": {` + initV + `}}}`),
			[]string{"$.actions.S.actions.Init WF1008"}},
		{"duplicate variable", defWith(`{` + initV + `, "Init2": {"type": "InitializeVariable", "inputs": {"variables": [{"name": "V", "type": "string"}]}, "runAfter": {"Init": ["Succeeded"]}}}`),
			[]string{"$.actions.Init2.inputs.variables[0].name WF2007"}},
		{"set undeclared variable", defWith(`{"S": {"type": "SetVariable", "inputs": {"name": "nope", "value": 1}}}`),
			[]string{"$.actions.S.inputs.name WF2005"}},
		{"increment a string", defWith(`{` + initV + `, "Inc": {"type": "IncrementVariable", "inputs": {"name": "v"}, "runAfter": {"Init": ["Succeeded"]}}}`),
			[]string{"$.actions.Inc.inputs.name WF2008"}},
		{"set variable missing value", defWith(`{` + initV + `, "S": {"type": "SetVariable", "inputs": {"name": "v"}, "runAfter": {"Init": ["Succeeded"]}}}`),
			[]string{"$.actions.S.inputs WF1002"}},
		{"http without inputs", defWith(`{"H": {"type": "Http"}}`), []string{"$.actions.H WF1002"}},
		{"http without uri", defWith(`{"H": {"type": "Http", "inputs": {"method": "GET"}}}`), []string{"$.actions.H.inputs WF1002"}},
		{"wait with both", defWith(`{"W": {"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Minute"}, "until": {"timestamp": "x"}}}}`),
			[]string{"$.actions.W.inputs WF1009"}},
		{"sequential and repetitions", defWith(`{"L": {"type": "Foreach", "foreach": "@createArray(1)", "actions": {},
			"operationOptions": "Sequential", "runtimeConfiguration": {"concurrency": {"repetitions": 2}}}}`),
			[]string{"$.actions.L.runtimeConfiguration.concurrency.repetitions WF1009"}},
		{"unknown operation option", defWith(`{"C": {"type": "Compose", "inputs": 1, "operationOptions": "sequential, Fast"}}`),
			[]string{"$.actions.C.operationOptions WF1010"}},
		{"retry policy type", defWith(`{"H": {"type": "Http", "inputs": {"method": "GET", "uri": "http://x", "retryPolicy": {"type": "sometimes"}}}}`),
			[]string{"$.actions.H.inputs.retryPolicy.type WF1006"}},
		{"retry policy count", defWith(`{"H": {"type": "Http", "inputs": {"method": "GET", "uri": "http://x", "retryPolicy": {"type": "fixed", "count": 100, "interval": "PT5S"}}}}`),
			[]string{"$.actions.H.inputs.retryPolicy.count WF1006"}},
		{"unknown static result", defWith(`{"C": {"type": "Compose", "inputs": 1, "runtimeConfiguration": {"staticResult": {"name": "nope", "staticResultOptions": "Enabled"}}}}`),
			[]string{"$.actions.C.runtimeConfiguration.staticResult.name WF2009"}},
		{"nesting depth", defWith(`{"L0": ` + deep + `}`),
			[]string{"$.actions.L0.actions.L1.actions.L2.actions.L3.actions.L4.actions.L5.actions.L6.actions.L7.actions.L8 WF4001"}},
		{"nesting far too deep", defWith(`{"L0": ` + tooDeep + `}`), []string{
			"$.actions.L0.actions.L1.actions.L2.actions.L3.actions.L4.actions.L5.actions.L6.actions.L7.actions.L8.actions.L9.actions.L10.actions.L11.actions.L12.actions.L13.actions.L14.actions.L15.actions WF4001",
			"$.actions.L0.actions.L1.actions.L2.actions.L3.actions.L4.actions.L5.actions.L6.actions.L7.actions.L8 WF4001",
		}},
		{"name length", defWith(`{"` + strings.Repeat("n", 81) + `": {"type": "Compose", "inputs": 1}}`),
			[]string{"$.actions." + strings.Repeat("n", 81) + " WF4002"}},
		{"too many parameters", `{"parameters": {` + many(51, `"p%d": {"type": "int"}`) + `}, "triggers": {}, "actions": {}}`,
			[]string{"$.parameters WF4003"}},
		{"too many outputs", `{"triggers": {}, "actions": {}, "outputs": {` + many(11, `"o%d": {"type": "int", "value": 1}`) + `}}`,
			[]string{"$.outputs WF4004"}},
		{"too many actions", defWith(`{` + many(501, `"a%d": {"type": "Compose", "inputs": 1}`) + `}`),
			[]string{"$.actions WF4005"}},
		{"parameter type", `{"parameters": {"p": {"type": "number"}}, "actions": {}}`,
			[]string{"$.parameters.p.type WF1006"}},
		{"recurrence", `{"triggers": {"r": {"type": "Recurrence", "recurrence": {"frequency": "Fortnight", "interval": "x"}}}, "actions": {}}`,
			[]string{"$.triggers.r.recurrence.interval WF1001", "$.triggers.r.recurrence.frequency WF1006"}},
		{"recurrence missing", `{"triggers": {"r": {"type": "recurrence"}}, "actions": {}}`,
			[]string{"$.triggers.r WF1002"}},
		{"trigger condition syntax", `{"triggers": {"h": {"type": "Request", "conditions": [{"expression": "@equals(1"}]}}, "actions": {}}`,
			[]string{"$.triggers.h.conditions[0].expression WF3001"}},
		{"several problems at once", defWith(`{"A": {"type": "Nope", "runAfter": {"Z": ["Succeeded"]}}, "B": {"type": "Compose", "inputs": "@body('Y')"}}`),
			[]string{"$.actions.A.runAfter.Z WF2001", "$.actions.A.type WF1003", "$.actions.B.inputs WF2004"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Decode([]byte(tt.def))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			got := pc(d.Problems())
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s\n(messages: %v)", strings.Join(got, "\n"), strings.Join(tt.want, "\n"), d.Problems())
			}
			err = d.Validate()
			hasErr := false
			for _, p := range d.Problems() {
				hasErr = hasErr || p.Severity == SeverityError
			}
			var ve *ValidationError
			if hasErr != errors.As(err, &ve) {
				t.Errorf("Validate() = %v, want an error: %v", err, hasErr)
			}
		})
	}
}

func TestProblemMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, def, want string
	}{
		{"runAfter", defWith(`{"A": {"type": "Compose", "inputs": 1, "runAfter": {"Foo": ["Succeeded"]}}}`),
			"$.actions.A.runAfter.Foo: runAfter names 'Foo', which is not an action in this scope [WF2001]"},
		{"cycle", defWith(`{"A": {"type": "Compose", "inputs": 1, "runAfter": {"B": []}}, "B": {"type": "Compose", "inputs": 1, "runAfter": {"A": []}}}`),
			"$.actions.A.runAfter: runAfter cycle: 'A' -> 'B' -> 'A' [WF2002]"},
		{"syntax column", defWith(`{"C": {"type": "Compose", "inputs": "@concat('a',)"}}`),
			"$.actions.C.inputs: expression does not parse at column 13: "},
		{"unknown type", defWith(`{"X": {"type": "Xslt", "inputs": {}}}`),
			"$.actions.X.type: action type 'Xslt' is not supported [WF1003]"},
		{"warning", `{"actions": {"C": {"type": "Compose", "inputs": "@parameters('q')"}}}`,
			"$.actions.C.inputs: warning: parameters('q') is not declared in the definition"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Decode([]byte(tt.def))
			if err != nil {
				t.Fatal(err)
			}
			ps := d.Problems()
			if len(ps) != 1 || !strings.HasPrefix(ps[0].String(), tt.want) {
				t.Errorf("got %v, want one problem starting %q", ps, tt.want)
			}
		})
	}
}

func TestCodesDocumented(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, c := range Codes {
		if seen[c.Code] {
			t.Errorf("code %s listed twice", c.Code)
		}
		seen[c.Code] = true
		if c.Summary == "" || strings.ToLower(c.Summary[:1]) != c.Summary[:1] {
			t.Errorf("code %s: summary %q must be lowercase and present", c.Code, c.Summary)
		}
	}
}

// TestDocsListCodes keeps docs/workflows.md in step with Codes.
func TestDocsListCodes(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "docs", "workflows.md"))
	if err != nil {
		t.Skipf("docs not found: %v", err)
	}
	for _, c := range Codes {
		if !strings.Contains(string(doc), "| "+c.Code+" | "+c.Severity.String()+" |") {
			t.Errorf("docs/workflows.md does not list %s as %s", c.Code, c.Severity)
		}
	}
	for _, typ := range ActionTypes {
		if !strings.Contains(string(doc), string(typ)) {
			t.Errorf("docs/workflows.md does not mention action type %s", typ)
		}
	}
	for _, typ := range TriggerTypes {
		if !strings.Contains(string(doc), string(typ)) {
			t.Errorf("docs/workflows.md does not mention trigger type %s", typ)
		}
	}
}
