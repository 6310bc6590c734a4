// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"fmt"

	"github.com/junction-run/junction/expr"
)

func init() { Register("Query", runQuery) }

// runQuery implements Query ("Filter array"): the items of "from" for
// which "where" (evaluated with item() bound to the item) is true, in
// their original order. Outputs are {body: array}.
func runQuery(_ context.Context, c *Call) (Result, error) {
	shown, arr, where, res := perItem(c, "where")
	if res != nil {
		return *res, nil
	}
	out := []any{}
	env := &itemEnv{Env: c.Env}
	for _, item := range arr {
		env.item = item
		v, err := where.Eval(env)
		if err != nil {
			return failed(shown, nil, templateError(c, "where", err)), nil
		}
		b, ok := v.(bool)
		if !ok {
			return failed(shown, nil, &ActionError{Code: "InvalidTemplate", Message: fmt.Sprintf("The 'where' expression of action '%s' returned a value of type '%s'; it must return a Boolean.", c.Name, expr.TypeName(v))}), nil
		}
		if b {
			out = append(out, item)
		}
	}
	return Result{Inputs: shown, Outputs: bodyOutputs(out)}, nil
}
