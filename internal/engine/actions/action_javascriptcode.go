// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/dop251/goja"

	"github.com/junction-run/junction/expr"
)

func init() { Register("JavaScriptCode", runJavaScript) }

const (
	// jsTimeout bounds one run of inline code (the Standard limit); the
	// context's deadline applies when it is earlier.
	jsTimeout = 15 * time.Second
	// jsMaxCode is the longest code accepted (the Standard limit).
	jsMaxCode = 100_000
	// jsMaxStack bounds the call depth of the code.
	jsMaxStack = 2_000
)

// jsActionRef finds the action names the code reads from
// workflowContext.actions, so that they need not be listed in
// explicitDependencies.
var jsActionRef = regexp.MustCompile(`actions\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*'([^'\\]*)'\s*\]|\[\s*"([^"\\]*)"\s*\])`)

// errJSTimeout is the interrupt value of the code's own time limit.
var errJSTimeout = errors.New("the inline code ran longer than its time limit")

// runJavaScript implements JavaScriptCode (Inline Code): inputs.code is the
// body of a function, run with goja. The global workflowContext holds
// {workflow, trigger, actions: {name: record}}: the trigger record, and the
// records of the actions listed in inputs.explicitDependencies.actions or
// named in the code as workflowContext.actions.X / actions['X']. The
// function's return value (a fulfilled promise's value) is the output
// {body: value}, converted through JSON. A thrown error or a compile error
// fails the action with code InlineCodeScriptRuntimeFailure or
// InlineCodeScriptCompilationFailure; the time limit (15 s, or the
// context's deadline) fails it with code InlineCodeTimedOut.
func runJavaScript(ctx context.Context, c *Call) (Result, error) {
	return runJS(ctx, c, jsTimeout)
}

// runJS runs inline code with the given time limit.
func runJS(ctx context.Context, c *Call, timeout time.Duration) (Result, error) {
	v, err := c.EvalInputs()
	if err != nil {
		return fail(c, c.Raw, err), nil
	}
	in, ok := v.(*expr.Object)
	if !ok {
		return failed(v, nil, invalidInputs(c, "the inputs must be an object")), nil
	}
	code, ok := mustGet(in, "code").(string)
	if !ok || code == "" {
		return failed(in, nil, invalidInputs(c, "'code' is required and must be a string")), nil
	}
	if len(code) > jsMaxCode {
		return failed(in, nil, invalidInputs(c, fmt.Sprintf("'code' is %d characters long; the limit is %d", len(code), jsMaxCode))), nil
	}
	wc := workflowContext(c, in, code)

	vm := goja.New()
	vm.SetMaxCallStackSize(jsMaxStack)
	prog, err := goja.Compile(c.Name, "(function(){\n"+code+"\n})()", false)
	if err != nil {
		return failed(in, nil, &ActionError{Code: "InlineCodeScriptCompilationFailure", Message: fmt.Sprintf("The inline code of action '%s' does not compile: %v.", c.Name, err)}), nil
	}
	jsonObj := vm.Get("JSON").ToObject(vm)
	parse, _ := goja.AssertFunction(jsonObj.Get("parse"))
	stringify, _ := goja.AssertFunction(jsonObj.Get("stringify"))
	wcv, err := parse(goja.Undefined(), vm.ToValue(string(expr.AppendJSON(nil, wc))))
	if err != nil {
		return failed(in, nil, &ActionError{Code: "InlineCodeScriptRuntimeFailure", Message: fmt.Sprintf("Building workflowContext for action '%s' failed: %v.", c.Name, err)}), nil
	}
	if err := vm.Set("workflowContext", wcv); err != nil {
		return Result{}, fmt.Errorf("setting workflowContext: %w", err)
	}

	limit := time.Now().Add(timeout)
	own := true
	if d, ok := ctx.Deadline(); ok && d.Before(limit) {
		limit, own = d, false
	}
	rctx, cancel := context.WithDeadline(ctx, limit)
	defer cancel()
	stop := context.AfterFunc(rctx, func() { vm.Interrupt(errJSTimeout) })
	defer stop()

	ret, err := vm.RunProgram(prog)
	if err == nil {
		if p, ok := ret.Export().(*goja.Promise); ok {
			switch p.State() {
			case goja.PromiseStateFulfilled:
				ret = p.Result()
			case goja.PromiseStateRejected:
				return failed(in, nil, &ActionError{Code: "InlineCodeScriptRuntimeFailure", Message: fmt.Sprintf("The inline code of action '%s' failed: %s.", c.Name, p.Result().String())}), nil
			default:
				return failed(in, nil, &ActionError{Code: "InlineCodeScriptRuntimeFailure", Message: fmt.Sprintf("The inline code of action '%s' returned a promise that never settled.", c.Name)}), nil
			}
		}
	}
	var out any
	if err == nil && ret != nil && !goja.IsUndefined(ret) {
		var s goja.Value
		if s, err = stringify(goja.Undefined(), ret); err == nil && s != nil && !goja.IsUndefined(s) {
			if out, err = expr.Decode([]byte(s.String())); err != nil {
				err = fmt.Errorf("the return value is not JSON: %w", err)
			}
		}
	}
	if err != nil {
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			if !own && ctx.Err() != nil {
				return Result{Inputs: in}, fmt.Errorf("inline code of action '%s': %w", c.Name, ctx.Err())
			}
			return failed(in, nil, &ActionError{Code: "InlineCodeTimedOut", Message: fmt.Sprintf("The inline code of action '%s' did not finish within %s.", c.Name, timeout)}), nil
		}
		msg := err.Error()
		var ex *goja.Exception
		if errors.As(err, &ex) {
			msg = ex.Value().String()
		}
		return failed(in, nil, &ActionError{Code: "InlineCodeScriptRuntimeFailure", Message: fmt.Sprintf("The inline code of action '%s' failed: %s.", c.Name, msg)}), nil
	}
	return Result{Inputs: in, Outputs: bodyOutputs(out)}, nil
}

// workflowContext builds the workflowContext object from the run context.
func workflowContext(c *Call, in *expr.Object, code string) *expr.Object {
	wc := expr.NewObject(3)
	wf, err := c.Env.Workflow()
	if err != nil || wf == nil {
		o := expr.NewObject(1)
		o.Set("name", c.WorkflowName)
		wf = o
	}
	wc.Set("workflow", wf)
	if tr, err := c.Env.Trigger(); err == nil && tr != nil {
		wc.Set("trigger", tr.Value())
	}
	acts := expr.NewObject(4)
	add := func(name string) {
		if name == "" {
			return
		}
		if _, ok := acts.Get(name); ok {
			return
		}
		if r, err := c.Env.Action(name); err == nil && r != nil {
			acts.Set(name, r.Value())
		}
	}
	deps := getObject(in, "explicitDependencies")
	if deps == nil {
		deps = getObject(in, "explicitDependency")
	}
	if list, ok := mustGet(deps, "actions").([]any); ok {
		for _, n := range list {
			s, _ := n.(string)
			add(s)
		}
	}
	for _, m := range jsActionRef.FindAllStringSubmatch(code, -1) {
		add(m[1] + m[2] + m[3])
	}
	wc.Set("actions", acts)
	return wc
}
