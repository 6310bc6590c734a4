// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"fmt"

	"github.com/junction-run/junction/expr"
)

// callbackEnv is the run context with listCallbackUrl() bound.
type callbackEnv struct {
	expr.Env
	url string
}

// ListCallbackURL implements [expr.Env].
func (e callbackEnv) ListCallbackURL() (string, error) { return e.url, nil }

// Subscribe performs the subscribe request of an HttpWebhook trigger or
// action. subscribeInputs is the raw (unevaluated) value of inputs.subscribe
// ({method, uri, headers, queries, body, cookie, authentication}); it is
// evaluated against c.Env with listCallbackUrl() returning callbackURL. The
// request is built as for Http, without the asynchronous pattern. outputs
// is {statusCode, headers, body} whenever the service answered. A status of
// 400 or more, or no answer, returns an error: errors.As finds an
// *ActionError (the code for run history) and, when trying again may help
// (408, 429, 5xx, connection failures), a *connector.Error with the kind and
// Retry-After.
func Subscribe(ctx context.Context, c *Call, subscribeInputs any, callbackURL string) (outputs any, err error) {
	return webhookRequest(ctx, c, callbackEnv{Env: c.Env, url: callbackURL}, subscribeInputs, "subscribe")
}

// Unsubscribe performs the unsubscribe request of an HttpWebhook trigger or
// action. unsubscribeInputs is the raw value of inputs.unsubscribe,
// evaluated against c.Env (which should answer action()/trigger() with the
// subscription's record so that the request can use the subscribe
// outputs). Results and errors are as for [Subscribe].
func Unsubscribe(ctx context.Context, c *Call, unsubscribeInputs any) (outputs any, err error) {
	return webhookRequest(ctx, c, c.Env, unsubscribeInputs, "unsubscribe")
}

func webhookRequest(ctx context.Context, c *Call, env expr.Env, raw any, what string) (any, error) {
	if raw == nil {
		return nil, invalidInputs(c, fmt.Sprintf("'%s' is required", what))
	}
	v, ae := evalOne(c, env, raw, what)
	if ae != nil {
		return nil, ae
	}
	in, ok := v.(*expr.Object)
	if !ok {
		return nil, invalidInputs(c, fmt.Sprintf("'%s' must be an object", what))
	}
	return SendHTTP(ctx, c, in)
}

// SendHTTP sends the request described by already evaluated inputs
// {method, uri, headers, queries, body, cookie, authentication}, built as
// for Http but without the asynchronous pattern, and returns
// {statusCode, headers, body}. Results and errors are as for [Subscribe].
// Use it when the engine has evaluated a webhook's inputs itself.
func SendHTTP(ctx context.Context, c *Call, in *expr.Object) (outputs any, err error) {
	req, ae := buildHTTP(c, in)
	if ae != nil {
		return nil, ae
	}
	ans, err := req.do(ctx, false)
	if err != nil {
		res, ce, err := transportFailure(c, nil, err)
		if err != nil {
			return nil, err
		}
		return nil, classify(res.Error, ce)
	}
	out := ans.outputs()
	if ans.status >= 400 {
		return out, classify(statusFailure(c, ans))
	}
	return out, nil
}
