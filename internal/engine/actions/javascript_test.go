// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/junction-run/junction/expr"
)

func TestJavaScriptCode(t *testing.T) {
	t.Parallel()
	env := &expr.MapEnv{
		TriggerResult: &expr.ActionResult{Name: "manual", Status: "Succeeded", Outputs: decode(t, `{"headers":{},"body":{"email":"ann@example.com","items":[1,2,3]}}`)},
		Actions: map[string]*expr.ActionResult{
			"Compose":   {Name: "Compose", Status: "Succeeded", Outputs: decode(t, `"Hello"`)},
			"Get_order": {Name: "Get_order", Status: "Succeeded", Outputs: decode(t, `{"statusCode":200,"body":{"total":9.5}}`)},
		},
		WorkflowValue: decode(t, `{"name":"orders","run":{"name":"run1"}}`),
		Parameters:    map[string]any{"factor": int64(3)},
	}
	tests := []struct {
		name, inputs string
		want         string // JSON of outputs.body
		code         string
		msgHas       string
	}{
		{"trigger body", `{"code":"var e = workflowContext.trigger.outputs.body.email; return e.split('@')[1];"}`, `"example.com"`, "", ""},
		{"object keeps order", `{"code":"return {z: 1, a: [true, null], m: {k: 'v'}};"}`, `{"z":1,"a":[true,null],"m":{"k":"v"}}`, "", ""},
		{"explicit dependency", `{"code":"return workflowContext.actions.Compose.outputs + ' ' + workflowContext.workflow.name;","explicitDependencies":{"actions":["Compose"]}}`, `"Hello orders"`, "", ""},
		{"action found in code", `{"code":"return workflowContext.actions['Get_order'].outputs.body.total * 2;"}`, `19`, "", ""},
		{"inputs are expressions", `{"code":"return @{parameters('factor')} * 2;"}`, `6`, "", ""},
		{"reduce", `{"code":"return workflowContext.trigger.outputs.body.items.reduce((a, b) => a + b, 0);"}`, `6`, "", ""},
		{"no return", `{"code":"var x = 1;"}`, `null`, "", ""},
		{"promise", `{"code":"return Promise.resolve(5);"}`, `5`, "", ""},
		{"throws", `{"code":"throw new Error('bad thing');"}`, ``, "InlineCodeScriptRuntimeFailure", "bad thing"},
		{"missing action", `{"code":"return workflowContext.actions.Nope.outputs;"}`, ``, "InlineCodeScriptRuntimeFailure", "TypeError"},
		{"syntax error", `{"code":"return (;"}`, ``, "InlineCodeScriptCompilationFailure", ""},
		{"no code", `{"explicitDependencies":{}}`, ``, "InvalidActionInputs", ""},
		{"stack overflow", `{"code":"function f(){ return f(); } return f();"}`, ``, "InlineCodeScriptRuntimeFailure", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := invoke(t, context.Background(), call(t, "JavaScriptCode", tt.inputs, env))
			noErr(t, err)
			if tt.code != "" {
				isTrue(t, res.Failed, "%+v", res)
				equal(t, tt.code, res.Error.Code, res.Error.Message)
				isTrue(t, strings.Contains(res.Error.Message, tt.msgHas), "message %q lacks %q", res.Error.Message, tt.msgHas)
				return
			}
			isFalse(t, res.Failed, "%+v", res.Error)
			equal(t, tt.want, jsonText(body(t, res)))
		})
	}
}

// TestJavaScriptCodeTimeout checks that an endless loop is interrupted at
// the context's deadline.
func TestJavaScriptCodeTimeout(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := invoke(t, ctx, call(t, "JavaScriptCode", `{"code":"while (true) {}"}`, nil))
	isTrue(t, errors.Is(err, context.DeadlineExceeded), "err %v", err)
	isTrue(t, time.Since(start) < 5*time.Second, "interrupted promptly")
}

// TestJavaScriptCodeOwnLimit checks the code's own time limit.
func TestJavaScriptCodeOwnLimit(t *testing.T) {
	t.Parallel()
	res, err := runJS(context.Background(), call(t, "JavaScriptCode", `{"code":"for (;;) {}"}`, nil), 50*time.Millisecond)
	noErr(t, err)
	isTrue(t, res.Failed, "%+v", res)
	equal(t, "InlineCodeTimedOut", res.Error.Code)
}
