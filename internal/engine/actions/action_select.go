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
	in, err := rawInputs(c)
	if err != nil {
		return fail(c, c.Raw, err), nil
	}
	from, arr, ae := fromArray(c, in)
	if ae != nil {
		return failed(c.Raw, nil, ae), nil
	}
	shown := shownInputs(in, from)
	rawSel, ok := get(in, "select")
	if !ok {
		return failed(shown, nil, invalidInputs(c, "'select' is required")), nil
	}
	sel, cerr := expr.CompileValue(rawSel)
	if cerr != nil {
		return failed(shown, nil, templateError(c, "select", cerr)), nil
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
