// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"

	"github.com/junction-run/junction/expr"
)

func init() { Register("Select", runSelect) }

// runSelect implements Select: "select" (an object map or a single
// expression) evaluated once per item of "from" with item() bound to the
// item. Outputs are {body: array}, as long as "from".
func runSelect(_ context.Context, c *Call) (Result, error) {
	shown, arr, sel, res := perItem(c, "select")
	if res != nil {
		return *res, nil
	}
	out := make([]any, len(arr))
	env := &itemEnv{Env: c.Env}
	for i, item := range arr {
		env.item = item
		v, err := sel.Eval(env)
		if err != nil {
			return failed(shown, nil, templateError(c, "select", err)), nil
		}
		out[i] = v
	}
	return Result{Inputs: shown, Outputs: bodyOutputs(out)}, nil
}

// perItem reads what Select and Query share: the "from" array and the
// expression named key ("select", "where"), compiled to be evaluated once
// per item. shown are the inputs for the run history. A non-nil res is the
// failed result to return.
func perItem(c *Call, key string) (shown any, arr []any, e *expr.Compiled, res *Result) {
	in, err := rawInputs(c)
	if err != nil {
		r := fail(c, c.Raw, err)
		return nil, nil, nil, &r
	}
	from, arr, ae := fromArray(c, in)
	if ae != nil {
		r := failed(c.Raw, nil, ae)
		return nil, nil, nil, &r
	}
	shown = shownInputs(in, from)
	raw, ok := get(in, key)
	if !ok {
		r := failed(shown, nil, invalidInputs(c, "'"+key+"' is required"))
		return nil, nil, nil, &r
	}
	e, cerr := expr.CompileValue(raw)
	if cerr != nil {
		r := failed(shown, nil, templateError(c, key, cerr))
		return nil, nil, nil, &r
	}
	return shown, arr, e, nil
}
