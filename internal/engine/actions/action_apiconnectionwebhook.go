// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
)

func init() { Register("ApiConnectionWebhook", runAPIConnectionWebhook) }

// runAPIConnectionWebhook is the subscribe step of ApiConnectionWebhook.
// The connection and inputs are handled as for ApiConnection, but the
// operation is looked for among the connector's actions and then its
// triggers (webhook actions such as "send approval email" are often plain
// operations with an x-ms-notification-url parameter). The action's
// callback URL (c.Env's listCallbackUrl()) is put where the operation
// takes it unless the inputs give it already ([SubscribeOperation]), and
// the subscription is registered. Outputs are {statusCode, headers, body}
// of the subscribe call; for providers that implement
// [connector.Subscriber], {statusCode: 201, headers: {Location},
// body: the subscription}. The engine then waits for the callback, whose
// body becomes the action's outputs, and removes the subscription with
// [UnsubscribeAPIConnectionWebhook].
func runAPIConnectionWebhook(ctx context.Context, c *Call) (Result, error) {
	ac, res, err := prepareAPIConnection(ctx, c, connector.KindAction, connector.KindTrigger)
	if ac == nil {
		return res, err
	}
	cb, err := c.Env.ListCallbackURL()
	if err != nil {
		return failed(ac.shown, nil, &ActionError{Code: "CallbackUrlNotAvailable", Message: fmt.Sprintf("Action '%s' has no callback URL: %v.", c.Name, err)}), nil
	}
	sub, out, err := SubscribeOperation(ctx, ac.prov, ac.conn, ac.op, ac.input, cb)
	if err != nil && ctx.Err() != nil {
		return Result{Inputs: ac.shown}, fmt.Errorf("subscribing through operation '%s' of connection '%s': %w", ac.op.ID, ac.ref, ctx.Err())
	}
	if errors.Is(err, ErrNoLocation) {
		ae := &ActionError{Code: "SubscriptionLocationMissing", Message: fmt.Sprintf("Action '%s': the service accepted the subscription without a Location header, so it could never be removed.", c.Name)}
		return failed(ac.shown, connectorOutputs(out), ae), nil
	}
	if err != nil {
		return ac.failure(c, out, err), nil
	}
	if out.StatusCode == 0 {
		return Result{Inputs: ac.shown, Outputs: subscriptionOutputs(sub)}, nil
	}
	return Result{Inputs: ac.shown, Outputs: connectorOutputs(out)}, nil
}

// subscriptionOutputs returns the outputs that stand for a subscription a
// [connector.Subscriber] made (it has no HTTP answer to show).
func subscriptionOutputs(sub connector.Subscription) *expr.Object {
	h := http.Header{}
	if sub.Location != "" {
		h.Set("Location", sub.Location)
	}
	o := connectorOutputs(connector.Output{StatusCode: http.StatusCreated, Headers: h})
	if b, err := json.Marshal(sub); err == nil {
		if v, err := expr.Decode(b); err == nil {
			o.Set("body", v)
		}
	}
	return o
}

// UnsubscribeAPIConnectionWebhook removes the subscription of an
// ApiConnectionWebhook action: subscribeOutputs are the outputs of its
// subscribe step (the action's outputs while it waited), and c is a call
// like the subscribe step's (Raw, Env, Connections, HTTPClient). The
// subscription's Location is the Location header of those outputs; the
// connection is resolved again so that a [connector.Subscriber] provider
// removes it itself (with the subscription its outputs hold), otherwise
// the Location is sent DELETE ([UnsubscribeOperation]).
func UnsubscribeAPIConnectionWebhook(ctx context.Context, c *Call, subscribeOutputs any) error {
	o, _ := subscribeOutputs.(*expr.Object)
	var sub connector.Subscription
	if h := getObject(o, "headers"); h != nil {
		sub.Location = getString(h, "Location")
	}
	var prov connector.Provider
	var conn connector.Connection
	var resolveErr error
	if in, err := rawInputs(c); err != nil {
		resolveErr = err
	} else if ref, alt, ae := connectionName(c, in); ae != nil {
		resolveErr = ae
	} else {
		var res Result
		prov, conn, _, res, resolveErr = resolveConnection(ctx, c, ref, alt, nil)
		if prov == nil && resolveErr == nil && res.Error != nil {
			resolveErr = res.Error
		}
	}
	if _, ok := prov.(connector.Subscriber); ok {
		if b, ok := get(o, "body"); ok {
			if data, err := json.Marshal(b); err == nil {
				var s connector.Subscription
				if json.Unmarshal(data, &s) == nil {
					s.Location = cmp.Or(s.Location, sub.Location)
					sub = s
				}
			}
		}
	}
	if prov == nil && sub.Location == "" {
		if resolveErr != nil {
			return fmt.Errorf("unsubscribe: %w", resolveErr)
		}
		return nil
	}
	return UnsubscribeOperation(ctx, prov, conn, sub, c.HTTPClient)
}
