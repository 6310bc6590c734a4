// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"

	"github.com/junction-run/junction/expr"
)

func init() { Register("Http", runHTTP) }

// runHTTP implements the Http action: one HTTP request, following the
// asynchronous 202 + Location pattern unless operationOptions has
// DisableAsyncPattern. Outputs are {statusCode, headers, body}; a status of
// 400 or more fails the action with the outputs kept.
func runHTTP(ctx context.Context, c *Call) (Result, error) {
	v, err := c.EvalInputs()
	if err != nil {
		return fail(c, nil, err), nil
	}
	in, ok := v.(*expr.Object)
	if !ok {
		return failed(v, nil, invalidInputs(c, "the inputs must be an object")), nil
	}
	shown := sanitizeInputs(in)
	req, ae := buildHTTP(c, in)
	if ae != nil {
		return failed(shown, nil, ae), nil
	}
	ans, err := req.do(ctx, !c.OperationOptions["disableasyncpattern"])
	if err != nil {
		return transportFailure(c, shown, err)
	}
	out := ans.outputs()
	if ans.status >= 400 {
		ae, rerr := statusFailure(c, ans)
		return failed(shown, out, ae), rerr
	}
	return Result{Inputs: shown, Outputs: out}, nil
}
