// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"log/slog"
	"time"

	"github.com/junction-run/junction/expr"
)

func init() { Register("Http", runHTTP) }

// runHTTP implements the Http action: one HTTP request, following the
// asynchronous 202 + Location pattern unless operationOptions has
// DisableAsyncPattern. Outputs are {statusCode, headers, body}; a status of
// 400 or more fails the action with the outputs kept, marked Retryable for
// 408, 429 and 5xx (with the Retry-After hint), as are connection failures.
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
	start := time.Now()
	ans, err := req.do(ctx, !c.OperationOptions["disableasyncpattern"])
	if err != nil {
		res, _, err := transportFailure(c, shown, err)
		return res, err
	}
	if c.Logger != nil {
		// Never the query string or headers: they may carry secrets.
		c.Logger.LogAttrs(ctx, slog.LevelDebug, "http action", slog.String("method", req.method),
			slog.String("host", req.url.Host), slog.String("path", req.url.Path),
			slog.Int("status", ans.status), slog.Duration("duration", time.Since(start)))
	}
	out := ans.outputs()
	if ans.status >= 400 {
		ae, ce := statusFailure(c, ans)
		return retry(failed(shown, out, ae), ce), nil
	}
	return Result{Inputs: shown, Outputs: out}, nil
}
