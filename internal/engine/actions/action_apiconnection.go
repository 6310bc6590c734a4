// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
)

func init() { Register("ApiConnection", runAPIConnection) }

// runAPIConnection implements ApiConnection: the connection named by
// inputs.host.connection (referenceName, or name/id) is resolved through
// c.Connections; the operation whose method and path template match
// inputs.method and inputs.path is invoked with the path parameters taken
// from the path, inputs.queries as query parameters, inputs.headers as the
// operation's header parameters, and inputs.body as the body. Outputs are
// {statusCode, headers, body}; failures are classified as for Http.
func runAPIConnection(ctx context.Context, c *Call) (Result, error) {
	ac, res, err := prepareAPIConnection(ctx, c, connector.KindAction)
	if ac == nil {
		return res, err
	}
	out, err := ac.prov.Invoke(ctx, ac.conn, ac.op.ID, ac.input)
	if err != nil && ctx.Err() != nil {
		return Result{Inputs: ac.shown}, fmt.Errorf("calling operation '%s' of connection '%s': %w", ac.op.ID, ac.ref, ctx.Err())
	}
	if err != nil || out.StatusCode >= 400 {
		return ac.failure(c, out, err), nil
	}
	res = Result{Inputs: ac.shown}
	if out.StatusCode != 0 {
		res.Outputs = connectorOutputs(out)
	}
	return res, nil
}

// apiCall is the resolved operation call of an ApiConnection or
// ApiConnectionWebhook action.
type apiCall struct {
	shown *expr.Object // inputs as shown in run history
	prov  connector.Provider
	conn  connector.Connection
	ref   string // connection reference name
	op    *connector.Operation
	input connector.Input
}

// prepareAPIConnection resolves the connection of inputs.host.connection,
// evaluates the other inputs and matches the operation among kinds (see
// [MatchOperation]). When it returns a nil *apiCall, the action ends with
// the Result and error returned.
func prepareAPIConnection(ctx context.Context, c *Call, kinds ...connector.Kind) (*apiCall, Result, error) {
	in, err := rawInputs(c)
	if err != nil {
		return nil, fail(c, c.Raw, err), nil
	}
	ref, alt, ae := connectionName(c, in)
	if ae != nil {
		return nil, failed(c.Raw, nil, ae), nil
	}
	// Everything but host is evaluated; host is shown as written.
	rest := expr.NewObject(in.Len())
	for _, k := range in.Keys() {
		if !strings.EqualFold(k, "host") {
			v, _ := in.Get(k)
			rest.Set(k, v)
		}
	}
	v, ae := evalOne(c, c.Env, rest, "inputs")
	if ae != nil {
		return nil, failed(c.Raw, nil, ae), nil
	}
	ev := v.(*expr.Object)
	shown := expr.NewObject(ev.Len() + 1)
	if h, ok := get(in, "host"); ok {
		shown.Set("host", h)
	}
	for _, k := range ev.Keys() {
		x, _ := ev.Get(k)
		shown.Set(k, x)
	}
	prov, conn, ref, res, err := resolveConnection(ctx, c, ref, alt, shown)
	if prov == nil {
		return nil, res, err
	}
	method := strings.ToUpper(getString(ev, "method"))
	if method == "" {
		method = http.MethodGet
	}
	spec := prov.Spec()
	op, params, ae := MatchOperation(&spec, method, getString(ev, "path"), kinds...)
	if ae != nil {
		ae.Message = fmt.Sprintf("Action '%s': %s", c.Name, ae.Message)
		return nil, failed(shown, nil, ae), nil
	}
	return &apiCall{shown: shown, prov: prov, conn: conn, ref: ref, op: op, input: OperationInput(op, params, ev)}, Result{}, nil
}

// resolveConnection resolves the connection named ref (or, failing that,
// alt's name) through c.Connections. When it returns a nil provider, the
// action ends with the Result and error returned.
func resolveConnection(ctx context.Context, c *Call, ref string, alt func() string, shown any) (connector.Provider, connector.Connection, string, Result, error) {
	if c.Connections == nil {
		return nil, connector.Connection{}, ref, failed(shown, nil, &ActionError{Code: "ConnectionNotFound", Message: fmt.Sprintf("Action '%s' uses connection '%s', but no connections are configured.", c.Name, ref)}), nil
	}
	prov, conn, err := c.Connections.Resolve(ctx, ref)
	if err != nil && alt != nil && ctx.Err() == nil {
		if a := alt(); a != "" && a != ref {
			if p2, c2, err2 := c.Connections.Resolve(ctx, a); err2 == nil {
				prov, conn, err, ref = p2, c2, nil, a
			}
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, conn, ref, Result{Inputs: shown}, fmt.Errorf("resolving connection '%s': %w", ref, ctx.Err())
		}
		return nil, conn, ref, failed(shown, nil, &ActionError{Code: "ConnectionNotFound", Message: fmt.Sprintf("The connection '%s' of action '%s' cannot be used: %v.", ref, c.Name, err)}), nil
	}
	return prov, conn, ref, Result{}, nil
}

// failure is the failed result of a call of the operation that answered
// out (zero when the service did not answer) and failed with err, or, when
// err is nil, answered with a status of 400 or more. Failures classified
// retryable (408, 429, 5xx, connection failures) are marked so, with the
// service's Retry-After.
func (ac *apiCall) failure(c *Call, out connector.Output, err error) Result {
	var outputs *expr.Object
	if out.StatusCode != 0 {
		outputs = connectorOutputs(out)
	}
	if err == nil {
		ae := &ActionError{Code: statusCode(out.StatusCode), Message: fmt.Sprintf("Action '%s' failed with status code %d.", c.Name, out.StatusCode)}
		return retry(failed(ac.shown, outputs, ae), &connector.Error{Kind: connector.KindForStatus(out.StatusCode), StatusCode: out.StatusCode})
	}
	var ce *connector.Error
	if !errors.As(err, &ce) {
		ce = &connector.Error{Kind: connector.KindUnknown, Message: err.Error()}
	}
	code := kindCode(ce.Kind)
	if ce.StatusCode != 0 {
		code = statusCode(ce.StatusCode)
	}
	ae := &ActionError{Code: code, Message: fmt.Sprintf("Action '%s' (operation '%s' of connection '%s') failed: %s.", c.Name, ac.op.ID, ac.ref, ce.Error())}
	return retry(failed(ac.shown, outputs, ae), ce)
}

// connectionName returns the reference name of the connection in
// inputs.host.connection: referenceName (Standard), or the name in
// @parameters('$connections')['name']['connectionId'] (with, as fallback,
// the last segment of the connection id that expression gives), or the
// last segment of the evaluated name or id (a connection resource id).
func connectionName(c *Call, in *expr.Object) (string, func() string, *ActionError) {
	conn := getObject(getObject(in, "host"), "connection")
	if conn == nil {
		return "", nil, invalidInputs(c, "'host.connection' is required")
	}
	for _, key := range []string{"referenceName", "name", "id"} {
		raw, ok := get(conn, key)
		if !ok || raw == nil {
			continue
		}
		evaluated := func() (string, *ActionError) {
			v, ae := evalOne(c, c.Env, raw, "host.connection."+key)
			if ae != nil {
				return "", ae
			}
			s := expr.Stringify(v)
			if i := strings.LastIndexByte(s, '/'); i >= 0 && key != "referenceName" {
				s = s[i+1:]
			}
			return s, nil
		}
		if s, ok := raw.(string); ok {
			if name, ok := ConnectionReference(s); ok {
				// The $connections key, or else the connection id's last
				// segment when the parameter exists.
				alt := func() string {
					s, _ := evaluated()
					return s
				}
				return name, alt, nil
			}
		}
		s, ae := evaluated()
		if ae != nil {
			return "", nil, ae
		}
		if s != "" {
			return s, nil, nil
		}
	}
	return "", nil, invalidInputs(c, "'host.connection' needs a 'referenceName' or a 'name'")
}

func kindCode(k connector.ErrorKind) string {
	switch k {
	case connector.KindBadRequest:
		return "BadRequest"
	case connector.KindNotFound:
		return "NotFound"
	case connector.KindUnauthenticated:
		return "Unauthorized"
	case connector.KindThrottled:
		return "TooManyRequests"
	case connector.KindRetryable:
		return "ServiceRequestFailed"
	}
	return "ApiConnectionFailed"
}

// connectorOutputs returns {statusCode, headers, body} of a connector
// output in the value model.
func connectorOutputs(out connector.Output) *expr.Object {
	o := expr.NewObject(3)
	o.Set("statusCode", int64(out.StatusCode))
	o.Set("headers", headerObject(out.Headers))
	switch b := out.Body.(type) {
	case nil:
	case []byte:
		if len(b) > 0 {
			ct := out.Headers.Get("Content-Type")
			if ct == "" {
				ct = "application/octet-stream"
			}
			o.Set("body", newContent(ct, b))
		}
	default:
		o.Set("body", expr.FromGo(b))
	}
	return o
}

// plainValue converts a value of the value model to what connector
// providers take: binary content objects become []byte; the rest is left
// to the provider's JSON normalisation (*expr.Object marshals as JSON).
func plainValue(v any) any {
	if o, ok := v.(*expr.Object); ok {
		if data, _, ok := contentOf(o); ok {
			return data
		}
	}
	return v
}
