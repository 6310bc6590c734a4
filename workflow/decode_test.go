// SPDX-License-Identifier: Apache-2.0

package workflow

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/junction-run/junction/expr"
)

const bareDef = `{"$schema": "s", "contentVersion": "1.0.0.0",
 "triggers": {"manual": {"type": "Request", "kind": "Http"}},
 "actions": {"Compose": {"type": "Compose", "inputs": {"z": 1, "a": 2}, "runAfter": {}}}}`

func TestDecodeWrappers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, wrapper, kind string
		params                   bool
	}{
		{"bare", bareDef, "", "", false},
		{"standard", `{"definition": ` + bareDef + `, "kind": "Stateful"}`, "standard", "Stateful", false},
		{"arm resource", `{"type": "Microsoft.Logic/workflows", "properties": {"definition": ` + bareDef +
			`, "parameters": {"$connections": {"value": {}}}}}`, "arm-resource", "", true},
		{"arm template", `{"$schema": "deploymentTemplate", "resources": [
			{"type": "Microsoft.Web/connections", "properties": {"definition": {"actions": {}}}},
			{"type": "microsoft.logic/workflows", "properties": {"definition": ` + bareDef + `}},
			{"type": "Microsoft.Logic/workflows", "properties": {"definition": {"actions": {}}}}]}`, "arm-template", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Decode([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if d.Wrapper != tt.wrapper || d.Kind != tt.kind || (d.ParameterValues != nil) != tt.params {
				t.Errorf("wrapper %q kind %q params %v", d.Wrapper, d.Kind, d.ParameterValues)
			}
			if d.Schema != "s" || d.ContentVersion != "1.0.0.0" || len(d.Triggers) != 1 || d.Actions.Len() != 1 {
				t.Fatalf("decoded %+v", d)
			}
			c := d.Action("compose")
			if c == nil || c.Path != "$.actions.Compose" || c.Canonical != ActionCompose {
				t.Fatalf("compose: %+v", c)
			}
			in, ok := c.Inputs.(*expr.Object)
			if !ok || !reflect.DeepEqual(in.Keys(), []string{"z", "a"}) {
				t.Errorf("inputs keys not in order: %v", c.Inputs)
			}
			if err := d.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc string
		line, col int
		code      string
	}{
		{"syntax", "{\n  \"actions\": {,}\n}", 2, 15, ""},
		{"truncated", "{\n  \"actions\": {", 2, 15, ""},
		{"trailing", `{} x`, 1, 4, ""},
		{"not an object", `[1]`, 0, 0, CodeNoDefinition},
		{"no definition", `{"foo": 1}`, 0, 0, CodeNoDefinition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Decode([]byte(tt.doc))
			var se *SyntaxError
			var ve *ValidationError
			switch {
			case tt.code != "":
				if !errors.As(err, &ve) || ve.Problems[0].Code != tt.code || ve.Problems[0].Path != "$" {
					t.Errorf("err = %v, want %s", err, tt.code)
				}
			case !errors.As(err, &se):
				t.Errorf("err = %v, want a SyntaxError", err)
			case se.Line != tt.line || se.Col != tt.col:
				t.Errorf("at %d:%d, want %d:%d (%v)", se.Line, se.Col, tt.line, tt.col, se)
			}
		})
	}
}

func TestDecodeFields(t *testing.T) {
	t.Parallel()
	doc := `{
	"parameters": {"p": {"type": "String", "defaultValue": "x", "allowedValues": ["x", "y"], "metadata": {"description": "d"}}},
	"triggers": {"rec": {"type": "Recurrence", "recurrence": {"frequency": "week", "interval": 2, "timeZone": "UTC",
		"schedule": {"hours": ["8", 9], "minutes": [0], "weekDays": ["Monday"]}},
		"splitOn": "@triggerBody()", "conditions": [{"expression": "@true"}],
		"operationOptions": "singleInstance", "runtimeConfiguration": {"concurrency": {"runs": 0}}}},
	"actions": {
		"Http": {"type": "Http", "inputs": {"method": "GET", "uri": "http://x",
			"retryPolicy": {"type": "Exponential", "count": 4, "interval": "PT7S", "minimumInterval": "PT5S", "maximumInterval": "PT1H"}},
			"limit": {"timeout": "PT10M"}, "operationOptions": "DisableAsyncPattern, suppressWorkflowHeaders",
			"runtimeConfiguration": {"secureData": {"properties": ["Inputs", "outputs"]}, "contentTransfer": {"transferMode": "Chunked"},
				"paginationPolicy": {"minimumItemCount": 100}},
			"trackedProperties": {"k": "@action()"}, "description": "d", "metadata": {"x": 1}, "designerOnly": true},
		"Loop": {"type": "Foreach", "foreach": "@body('Http')", "runAfter": {"http": ["succeeded", "FAILED"]},
			"runtimeConfiguration": {"concurrency": {"repetitions": 5}},
			"actions": {"If": {"type": "If", "expression": "@true", "actions": {"A": {"type": "Compose", "inputs": 1}},
				"else": {"actions": {"B": {"type": "Compose", "inputs": 2}}}}}},
		"Switch": {"type": "Switch", "expression": "@1", "runAfter": {"Loop": ["Succeeded"]},
			"cases": {"One": {"case": 1, "actions": {"C1": {"type": "Compose", "inputs": 1}}}},
			"default": {"actions": {"D": {"type": "Compose", "inputs": 1}}}},
		"Until": {"type": "Until", "expression": "@true", "limit": {"count": 10, "timeout": "PT1H"}, "actions": {}, "runAfter": {"Switch": ["Succeeded"]}}
	},
	"outputs": {"o": {"type": "string", "value": "@parameters('p')"}},
	"staticResults": {"s": {"status": "Succeeded"}}}`
	d, err := Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	p := d.Parameter("P")
	if p == nil || p.Type != "String" || p.DefaultValue != "x" || !p.HasDefault || len(p.AllowedValues) != 2 || p.Description != "d" {
		t.Errorf("parameter %+v", p)
	}
	tr := d.Trigger("REC")
	want := &Recurrence{Frequency: "Week", Interval: 2, TimeZone: "UTC", Path: "$.triggers.rec.recurrence",
		Schedule: &Schedule{Hours: []int64{8, 9}, Minutes: []int64{0}, WeekDays: []string{"Monday"}}}
	if tr == nil || !reflect.DeepEqual(tr.Recurrence, want) {
		t.Errorf("recurrence %+v", tr.Recurrence)
	}
	if tr.SplitOn != "@triggerBody()" || len(tr.Conditions) != 1 || tr.Conditions[0].Path != "$.triggers.rec.conditions[0]" ||
		!tr.OperationOptions.Has("SingleInstance") || tr.OperationOptions[0] != OptionSingleInstance {
		t.Errorf("trigger %+v", tr)
	}
	h := d.Action("Http")
	wantRP := &RetryPolicy{Type: "exponential", Count: 4, Interval: "PT7S", MinimumInterval: "PT5S", MaximumInterval: "PT1H", Path: "$.actions.Http.inputs.retryPolicy"}
	if !reflect.DeepEqual(h.RetryPolicy, wantRP) {
		t.Errorf("retry policy %+v", h.RetryPolicy)
	}
	if h.Limit.Timeout != "PT10M" || !reflect.DeepEqual(h.OperationOptions, Options{OptionDisableAsyncPattern, OptionSuppressWorkflowHeaders}) {
		t.Errorf("limit %+v options %v", h.Limit, h.OperationOptions)
	}
	rc := h.RuntimeConfiguration
	if !reflect.DeepEqual(rc.SecureData, []string{"inputs", "outputs"}) || rc.ContentTransfer != "Chunked" || rc.PaginationPolicy.MinimumItemCount != 100 {
		t.Errorf("runtime configuration %+v", rc)
	}
	if h.Description != "d" || h.Metadata == nil || h.TrackedProperties == nil {
		t.Errorf("http %+v", h)
	}
	loop := d.Action("loop")
	if !reflect.DeepEqual(loop.RunAfter, map[string][]Status{"http": {StatusSucceeded, StatusFailed}}) ||
		loop.Foreach != "@body('Http')" || loop.RuntimeConfiguration.Concurrency.Repetitions != 5 {
		t.Errorf("loop %+v", loop)
	}
	b := d.Action("B")
	if b.Path != "$.actions.Loop.actions.If.else.actions.B" || b.Depth != 3 || b.Parent != d.Action("If") ||
		b.List != d.Action("If").Else || b.List.Branch != "else" {
		t.Errorf("B: path %s depth %d", b.Path, b.Depth)
	}
	if anc := b.Ancestors(); len(anc) != 2 || anc[1] != loop {
		t.Errorf("ancestors %v", anc)
	}
	sw := d.Action("Switch")
	if len(sw.Cases) != 1 || sw.Case("one") == nil || sw.Cases[0].Value != int64(1) || sw.Default.Len() != 1 ||
		d.Action("C1").Path != "$.actions.Switch.cases.One.actions.C1" || len(sw.Children()) != 2 {
		t.Errorf("switch %+v", sw)
	}
	u := d.Action("Until")
	if u.Limit.Count != 10 || u.Limit.Timeout != "PT1H" {
		t.Errorf("until limit %+v", u.Limit)
	}
	if d.Outputs["o"].Value != "@parameters('p')" || d.StaticResults["s"] == nil {
		t.Errorf("outputs %+v", d.Outputs)
	}
	if got := len(d.AllActions()); got != 9 {
		t.Errorf("%d actions", got)
	}
	if d.List("$.actions.Loop.actions.If.else.actions") != b.List || d.List("$.actions") != d.Actions || d.List("$.nope") != nil {
		t.Errorf("List by path")
	}
}

func TestPaths(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Compose_1":     "$.Compose_1",
		"Send an email": "$['Send an email']",
		"Scope-Try":     "$.Scope-Try",
		"1st":           "$['1st']",
		"it's":          `$['it\'s']`,
		"Données":       "$.Données",
		"":              "$['']",
	} {
		if got := child("$", in); got != want {
			t.Errorf("child(%q) = %q, want %q", in, got, want)
		}
	}
	if !strings.HasSuffix(index("$.a", 3), "[3]") {
		t.Error("index")
	}
}
