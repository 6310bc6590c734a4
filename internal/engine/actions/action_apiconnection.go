// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
)

func init() { Register("ApiConnection", runAPIConnection) }

// connRef matches the usual connection reference of Consumption
// definitions: @parameters('$connections')['name']['connectionId'].
var connRef = regexp.MustCompile(`^@\s*parameters\(\s*'\$connections'\s*\)\s*\[\s*'([^']+)'\s*\]\s*\[\s*'connectionId'\s*\]\s*$`)

// runAPIConnection implements ApiConnection: the connection named by
// inputs.host.connection (referenceName, or name/id) is resolved through
// c.Connections; the operation whose method and path template match
// inputs.method and inputs.path is invoked with the path parameters taken
// from the path, inputs.queries as query parameters, inputs.headers as the
// operation's header parameters, and inputs.body as the body. Outputs are
// {statusCode, headers, body}; failures are classified as for Http.
func runAPIConnection(ctx context.Context, c *Call) (Result, error) {
	in, err := rawInputs(c)
	if err != nil {
		return fail(c, c.Raw, err), nil
	}
	ref, alt, ae := connectionName(c, in)
	if ae != nil {
		return failed(c.Raw, nil, ae), nil
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
		return failed(c.Raw, nil, ae), nil
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
	if c.Connections == nil {
		return failed(shown, nil, &ActionError{Code: "ConnectionNotFound", Message: fmt.Sprintf("Action '%s' uses connection '%s', but no connections are configured.", c.Name, ref)}), nil
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
			return Result{Inputs: shown}, fmt.Errorf("resolving connection '%s': %w", ref, ctx.Err())
		}
		return failed(shown, nil, &ActionError{Code: "ConnectionNotFound", Message: fmt.Sprintf("The connection '%s' of action '%s' cannot be used: %v.", ref, c.Name, err)}), nil
	}
	method := strings.ToUpper(getString(ev, "method"))
	if method == "" {
		method = http.MethodGet
	}
	path := getString(ev, "path")
	spec := prov.Spec()
	op, params, ae := matchOperation(&spec, method, path)
	if ae != nil {
		ae.Message = fmt.Sprintf("Action '%s': %s", c.Name, ae.Message)
		return failed(shown, nil, ae), nil
	}
	if q := getObject(ev, "queries"); q != nil {
		for _, k := range q.Keys() {
			x, _ := q.Get(k)
			params[paramName(op, connector.InQuery, k)] = plainValue(x)
		}
	}
	if h := getObject(ev, "headers"); h != nil {
		for _, k := range h.Keys() {
			// Only declared header parameters: designers add headers the
			// operation does not take.
			if _, ok := findParam(op, connector.InHeader, k); ok {
				x, _ := h.Get(k)
				params[paramName(op, connector.InHeader, k)] = expr.Stringify(x)
			}
		}
	}
	input := connector.Input{Parameters: params}
	if b, ok := get(ev, "body"); ok && b != nil {
		input.Body = plainValue(b)
	}
	out, err := prov.Invoke(ctx, conn, op.ID, input)
	if err != nil && ctx.Err() != nil {
		return Result{Inputs: shown}, fmt.Errorf("calling operation '%s' of connection '%s': %w", op.ID, ref, ctx.Err())
	}
	var outputs *expr.Object
	if out.StatusCode != 0 {
		outputs = connectorOutputs(out)
	}
	if err != nil {
		var ce *connector.Error
		if !errors.As(err, &ce) {
			ce = &connector.Error{Kind: connector.KindUnknown, Message: err.Error()}
		}
		code := kindCode(ce.Kind)
		if ce.StatusCode != 0 {
			code = statusCode(ce.StatusCode)
		}
		ae := &ActionError{Code: code, Message: fmt.Sprintf("Action '%s' (operation '%s' of connection '%s') failed: %s.", c.Name, op.ID, ref, ce.Error())}
		return retry(failed(shown, outputs, ae), ce), nil
	}
	if out.StatusCode >= 400 {
		ae := &ActionError{Code: statusCode(out.StatusCode), Message: fmt.Sprintf("Action '%s' failed with status code %d.", c.Name, out.StatusCode)}
		return retry(failed(shown, outputs, ae), &connector.Error{Kind: connector.KindForStatus(out.StatusCode), StatusCode: out.StatusCode}), nil
	}
	return Result{Inputs: shown, Outputs: outputs}, nil
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
			if m := connRef.FindStringSubmatch(s); m != nil {
				// The $connections key, or else the connection id's last
				// segment when the parameter exists.
				alt := func() string {
					s, _ := evaluated()
					return s
				}
				return m[1], alt, nil
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

func findParam(op *connector.Operation, in connector.Location, name string) (*connector.Param, bool) {
	for i := range op.Parameters {
		p := &op.Parameters[i]
		if p.In == in && strings.EqualFold(p.Name, name) {
			return p, true
		}
	}
	return nil, false
}

// paramName returns the declared name of a parameter matched ignoring case,
// or name itself.
func paramName(op *connector.Operation, in connector.Location, name string) string {
	if p, ok := findParam(op, in, name); ok {
		return p.Name
	}
	return name
}

// matchOperation finds the operation of spec with the method whose path
// template matches path, and returns the path parameters. When several
// match, the one with the most literal text wins (/pets/mine before
// /pets/{id}). Paths are tried as given and, failing that, without the
// base path of the connector's base URL.
func matchOperation(spec *connector.Spec, method, path string) (*connector.Operation, map[string]any, *ActionError) {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return nil, nil, &ActionError{Code: "InvalidActionInputs", Message: "'path' is required"}
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	candidates := []string{path}
	if u, err := url.Parse(spec.BaseURL); err == nil {
		if bp := strings.TrimRight(u.Path, "/"); bp != "" && strings.HasPrefix(path, bp+"/") {
			candidates = append(candidates, strings.TrimPrefix(path, bp))
		}
	}
	for _, p := range candidates {
		var best *connector.Operation
		var bestParams map[string]string
		bestScore := -1
		for i := range spec.Operations {
			op := &spec.Operations[i]
			if op.Kind == connector.KindTrigger || !strings.EqualFold(op.Method, method) {
				continue
			}
			params, score, ok := matchTemplate(op.Path, p)
			if ok && score > bestScore {
				best, bestParams, bestScore = op, params, score
			}
		}
		if best != nil {
			out := make(map[string]any, len(bestParams))
			for k, v := range bestParams {
				s, err := url.PathUnescape(v)
				if err != nil {
					s = v
				}
				if prm, ok := best.Param(k); ok && strings.EqualFold(prm.URLEncoding, "double") {
					if s2, err := url.PathUnescape(s); err == nil {
						s = s2
					}
				}
				out[k] = s
			}
			return best, out, nil
		}
	}
	return nil, nil, &ActionError{Code: "OperationNotFound", Message: fmt.Sprintf("the connector '%s' has no operation for %s %s", spec.ID, method, path)}
}

// matchTemplate matches a concrete path against a template such as
// /v1/pets/{petId} or /files/{name}.json, segment by segment. score is the
// number of literal characters matched.
func matchTemplate(tmpl, path string) (map[string]string, int, bool) {
	ts := strings.Split(strings.Trim(tmpl, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(ps) {
		return nil, 0, false
	}
	params := map[string]string{}
	score := 0
	for i, t := range ts {
		n, ok := matchSegment(t, ps[i], params)
		if !ok {
			return nil, 0, false
		}
		score += n
	}
	return params, score, true
}

// matchSegment matches one path segment against a template segment made of
// literal text and {name} placeholders; a placeholder takes the shortest
// text up to the next literal (all the rest when it is last).
func matchSegment(t, s string, params map[string]string) (int, bool) {
	lit := 0
	for t != "" {
		i := strings.IndexByte(t, '{')
		if i != 0 {
			prefix := t
			if i > 0 {
				prefix = t[:i]
			}
			if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
				return 0, false
			}
			lit += len(prefix)
			s, t = s[len(prefix):], t[len(prefix):]
			continue
		}
		j := strings.IndexByte(t, '}')
		if j < 0 {
			return 0, false
		}
		name := t[1:j]
		t = t[j+1:]
		next := t
		if k := strings.IndexByte(t, '{'); k >= 0 {
			next = t[:k]
		}
		var val string
		if next == "" {
			val, s = s, ""
		} else {
			k := indexFold(s, next)
			if k < 0 {
				return 0, false
			}
			val, s = s[:k], s[k:]
		}
		if val == "" {
			return 0, false
		}
		params[name] = val
	}
	return lit, s == ""
}

// indexFold is strings.Index ignoring case (byte positions of s).
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}
