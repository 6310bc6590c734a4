// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
)

// This file holds what ApiConnection(Webhook) actions and triggers share:
// connection references, operation matching, input mapping and the
// x-ms-notification-url subscription contract.

// connRef matches the usual connection reference of Consumption
// definitions: @parameters('$connections')['name']['connectionId'].
var connRef = regexp.MustCompile(`^@\s*parameters\(\s*'\$connections'\s*\)\s*\[\s*'([^']+)'\s*\]\s*\[\s*'connectionId'\s*\]\s*$`)

// ConnectionReference returns the connection name of a Consumption
// connection reference, @parameters('$connections')['name']['connectionId'],
// and whether s is one.
func ConnectionReference(s string) (string, bool) {
	m := connRef.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// ErrNoLocation is returned by [SubscribeOperation] when the service
// accepted a subscription without saying where it lives (no Location
// header), so that it could never be removed.
var ErrNoLocation = errors.New("the service answered without a Location header")

// MatchOperation finds the operation of spec with the method whose path
// template matches path, and returns the path parameters (unescaped once,
// twice for x-ms-url-encoding "double"). Templates match segment by
// segment and may mix literal text and placeholders inside a segment
// (/files/{name}.json); when several match, the one with the most literal
// text wins (/pets/mine before /pets/{id}). Paths are tried as given and,
// failing that, without the base path of the connector's base URL.
//
// kinds lists the operation kinds accepted, in order of preference (every
// operation of the first kind is tried before any of the next); none means
// actions only. An operation without a kind is an action. The error is
// InvalidActionInputs for an empty path and OperationNotFound when nothing
// matches.
func MatchOperation(spec *connector.Spec, method, path string, kinds ...connector.Kind) (*connector.Operation, map[string]any, *ActionError) {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return nil, nil, &ActionError{Code: "InvalidActionInputs", Message: "'path' is required"}
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if len(kinds) == 0 {
		kinds = []connector.Kind{connector.KindAction}
	}
	candidates := []string{path}
	if u, err := url.Parse(spec.BaseURL); err == nil {
		if bp := strings.TrimRight(u.Path, "/"); bp != "" && strings.HasPrefix(path, bp+"/") {
			candidates = append(candidates, strings.TrimPrefix(path, bp))
		}
	}
	for _, kind := range kinds {
		for _, p := range candidates {
			var best *connector.Operation
			var bestParams map[string]string
			bestScore := -1
			for i := range spec.Operations {
				op := &spec.Operations[i]
				k := op.Kind
				if k == "" {
					k = connector.KindAction
				}
				if k != kind || !strings.EqualFold(op.Method, method) {
					continue
				}
				params, score, ok := matchTemplate(op.Path, p)
				if ok && score > bestScore {
					best, bestParams, bestScore = op, params, score
				}
			}
			if best != nil {
				return best, pathParams(best, bestParams), nil
			}
		}
	}
	return nil, nil, &ActionError{Code: "OperationNotFound", Message: fmt.Sprintf("the connector '%s' has no operation for %s %s", spec.ID, method, path)}
}

// pathParams unescapes the raw path parameters matched for op.
func pathParams(op *connector.Operation, raw map[string]string) map[string]any {
	out := make(map[string]any, len(raw))
	for k, v := range raw {
		s, err := url.PathUnescape(v)
		if err != nil {
			s = v
		}
		if prm, ok := op.Param(k); ok && strings.EqualFold(prm.URLEncoding, "double") {
			if s2, err := url.PathUnescape(s); err == nil {
				s = s2
			}
		}
		out[k] = s
	}
	return out
}

// OperationInput maps evaluated ApiConnection inputs onto a call of op:
// params (the path parameters from [MatchOperation], which it extends)
// plus in.queries as query parameters, those of in.headers the operation
// declares as header parameters (designers add headers operations do not
// take), and in.body as the body. Keys of in are matched ignoring case;
// binary content objects become []byte.
func OperationInput(op *connector.Operation, params map[string]any, in *expr.Object) connector.Input {
	if params == nil {
		params = map[string]any{}
	}
	if q := getObject(in, "queries"); q != nil {
		for _, k := range q.Keys() {
			x, _ := q.Get(k)
			params[paramName(op, connector.InQuery, k)] = plainValue(x)
		}
	}
	if h := getObject(in, "headers"); h != nil {
		for _, k := range h.Keys() {
			if p, ok := findParam(op, connector.InHeader, k); ok {
				x, _ := h.Get(k)
				params[p.Name] = expr.Stringify(x)
			}
		}
	}
	input := connector.Input{Parameters: params}
	if b, ok := get(in, "body"); ok && b != nil {
		input.Body = plainValue(b)
	}
	return input
}

// SubscribeOperation registers callbackURL at the service through op, the
// x-ms-notification-url contract of push triggers and webhook actions.
// When prov implements [connector.Subscriber] it does the work and the
// returned output is zero. Otherwise op is invoked with callbackURL in the
// parameters marked [connector.Param.CallbackURL] and in the top-level
// body properties marked x-ms-notification-url, wherever input does not
// already give them (definitions usually put "@{listCallbackUrl()}" there
// themselves); the service must answer 2xx with the subscription's
// Location. The output is returned whenever the service answered, errors
// included: a non-2xx answer gives a *connector.Error with the status, no
// Location gives [ErrNoLocation].
func SubscribeOperation(ctx context.Context, prov connector.Provider, conn connector.Connection, op *connector.Operation, input connector.Input, callbackURL string) (connector.Subscription, connector.Output, error) {
	if sb, ok := prov.(connector.Subscriber); ok {
		sub, err := sb.Subscribe(ctx, conn, op.ID, input, callbackURL)
		return sub, connector.Output{}, err
	}
	if input.Parameters == nil {
		input.Parameters = map[string]any{}
	}
	for i := range op.Parameters {
		p := &op.Parameters[i]
		switch {
		case p.In == connector.InBody:
			input.Body = withNotificationURL(input.Body, p.Schema, callbackURL)
		case p.CallbackURL:
			if _, set := input.Parameters[p.Name]; !set {
				input.Parameters[p.Name] = callbackURL
			}
		}
	}
	out, err := prov.Invoke(ctx, conn, op.ID, input)
	if err != nil {
		return connector.Subscription{}, out, err
	}
	if out.StatusCode < 200 || out.StatusCode > 299 {
		return connector.Subscription{}, out, &connector.Error{Kind: connector.KindForStatus(out.StatusCode), StatusCode: out.StatusCode, Message: "subscribing"}
	}
	loc := out.Headers.Get("Location")
	if loc == "" {
		return connector.Subscription{}, out, ErrNoLocation
	}
	return connector.Subscription{Location: loc}, out, nil
}

// withNotificationURL returns body with cb set in the top-level properties
// that schema marks x-ms-notification-url and body lacks. body is copied,
// never changed; bodies that are not objects are returned as they are.
func withNotificationURL(body any, schema json.RawMessage, cb string) any {
	if !strings.Contains(string(schema), "x-ms-notification-url") {
		return body
	}
	var s struct {
		Properties map[string]map[string]any `json:"properties"`
	}
	if json.Unmarshal(schema, &s) != nil {
		return body
	}
	var names []string
	for name, prop := range s.Properties {
		if v := prop["x-ms-notification-url"]; v == true || v == "true" {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return body
	}
	var o *expr.Object
	switch b := body.(type) {
	case nil:
		o = expr.NewObject(len(names))
	case *expr.Object:
		o = expr.NewObject(b.Len() + len(names))
		for _, k := range b.Keys() {
			v, _ := b.Get(k)
			o.Set(k, v)
		}
	default:
		return body
	}
	for _, n := range names {
		if _, ok := get(o, n); !ok {
			o.Set(n, cb)
		}
	}
	return o
}

// UnsubscribeOperation removes a subscription made by
// [SubscribeOperation]: through prov when it implements
// [connector.Subscriber], otherwise by sending DELETE to sub.Location with
// client (http.DefaultClient when nil). prov may be nil (the connection
// could not be resolved): only the DELETE is tried. 404 and 410 mean the
// subscription is gone already; a subscription without a Location needs
// nothing. Failures are *connector.Error values with the kind.
func UnsubscribeOperation(ctx context.Context, prov connector.Provider, conn connector.Connection, sub connector.Subscription, client *http.Client) error {
	if sb, ok := prov.(connector.Subscriber); ok {
		return sb.Unsubscribe(ctx, conn, sub)
	}
	if sub.Location == "" {
		return nil
	}
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, sub.Location, nil)
	if err != nil {
		return fmt.Errorf("unsubscribe: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return &connector.Error{Kind: connector.KindRetryable, Message: "unsubscribe", Err: err}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusGone {
		return &connector.Error{Kind: connector.KindForStatus(resp.StatusCode), StatusCode: resp.StatusCode, Message: "unsubscribe"}
	}
	return nil
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
