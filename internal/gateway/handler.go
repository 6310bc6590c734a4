// SPDX-License-Identifier: Apache-2.0

package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/connection"
)

type principalKey struct{}

// WithPrincipal returns ctx carrying an authenticated principal. A host
// that authenticates callers itself puts the principal in the request
// context before calling [Gateway.Handler]; the gateway then trusts it.
func WithPrincipal(ctx context.Context, p connection.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

func principalFrom(ctx context.Context) (connection.Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(connection.Principal)
	return p, ok && p.Name != ""
}

// PrincipalFrom returns the principal of an authenticated request context.
func PrincipalFrom(ctx context.Context) (connection.Principal, bool) { return principalFrom(ctx) }

// Prefixes are the path prefixes [Gateway.Handler] serves, for mounting it
// in a host mux: mux.Handle(prefix, g.Handler()) for each.
var Prefixes = []string{"/api/connections", "/api/connections/", "/api/keys", "/api/keys/", "/apim/", "/oauth/callback"}

// Handler returns the gateway's HTTP API:
//
//	PUT    /api/connections/{name}                       create or replace (owner = caller)
//	GET    /api/connections/{name}                       view, secrets masked
//	DELETE /api/connections/{name}
//	GET    /api/connections                              {"value": [views]}
//	POST   /api/connections/{name}/test                  {"health": ...}
//	POST   /api/connections/{name}/consent               {"url": ...}
//	GET    /oauth/callback?state=&code=                  completes consent (no key)
//	POST   /api/connections/{name}/invoke/{operationId}  {"parameters", "body"} -> {"statusCode", "headers", "body"}
//	GET    /api/connections/{name}/calls?limit=          call log, newest first
//	GET    /api/connections/{name}/dynamic/{operationId}/{parameter}?<param>=<value>
//	ANY    /apim/{connectorId}/{connectionName}/{path...} pass-through
//	GET    /api/keys, POST /api/keys, DELETE /api/keys/{name}   admin only
//
// Every route except /oauth/callback needs an authenticated caller: a
// principal in the context ([WithPrincipal]), or "Authorization: Bearer
// <key>" with a caller key or the admin key (Options.CheckAdmin).
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range g.routes() {
		if rt.open {
			mux.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) { _ = rt.fn(w, r, connection.Principal{}) })
			continue
		}
		mux.Handle(rt.pattern, g.authed(rt.fn))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		g.problem(w, r, &Error{Status: http.StatusNotFound, Code: "NotFound", Detail: "no such route: " + r.Method + " " + r.URL.Path})
	})
	return mux
}

type gwRoute struct {
	pattern string
	open    bool // no caller authentication (the OAuth callback)
	fn      func(http.ResponseWriter, *http.Request, connection.Principal) error
}

func (g *Gateway) routes() []gwRoute {
	return []gwRoute{
		{"PUT /api/connections/{name}", false, g.putConnection},
		{"GET /api/connections/{name}", false, g.getConnection},
		{"DELETE /api/connections/{name}", false, g.deleteConnection},
		{"GET /api/connections", false, g.listConnections},
		{"POST /api/connections/{name}/test", false, g.testConnection},
		{"POST /api/connections/{name}/consent", false, g.consent},
		{"POST /api/connections/{name}/invoke/{operationId}", false, g.invoke},
		{"GET /api/connections/{name}/calls", false, g.calls},
		{"GET /api/connections/{name}/dynamic/{operationId}/{parameter}", false, g.dynamic},
		{"GET /api/keys", false, g.listKeys},
		{"POST /api/keys", false, g.createKey},
		{"DELETE /api/keys/{name}", false, g.deleteKey},
		{"/apim/{connectorId}/{connectionName}/{path...}", false, func(w http.ResponseWriter, r *http.Request, p connection.Principal) error {
			g.serveProxy(w, r.WithContext(WithPrincipal(r.Context(), p)))
			return nil
		}},
		{"GET /oauth/callback", true, func(w http.ResponseWriter, r *http.Request, _ connection.Principal) error {
			g.callback(w, r)
			return nil
		}},
	}
}

// Routes returns the mux patterns of [Gateway.Handler] ("METHOD /path",
// or "/path" for any method) and whether each is open (served without
// caller authentication), for hosts that document or audit their route
// table.
func Routes() map[string]bool {
	out := map[string]bool{}
	for _, rt := range (*Gateway)(nil).routes() {
		out[rt.pattern] = rt.open
	}
	return out
}

// Authenticate returns the principal of a request: from the context, the
// admin key, or a caller key.
func (g *Gateway) Authenticate(r *http.Request) (connection.Principal, error) {
	if p, ok := principalFrom(r.Context()); ok {
		return p, nil
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return connection.Principal{}, &Error{Status: http.StatusUnauthorized, Code: "Unauthenticated", Detail: "a caller key is required: Authorization: Bearer <key>"}
	}
	if g.o.CheckAdmin != nil && g.o.CheckAdmin(auth) {
		return connection.Principal{Name: g.o.AdminPrincipal, Role: connection.RoleAdmin}, nil
	}
	scheme, key, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return connection.Principal{}, &Error{Status: http.StatusUnauthorized, Code: "Unauthenticated", Detail: "use Authorization: Bearer <key>"}
	}
	p, err := g.keys.Authenticate(r.Context(), strings.TrimSpace(key))
	if errors.Is(err, connection.ErrBadKey) {
		return connection.Principal{}, &Error{Status: http.StatusUnauthorized, Code: "Unauthenticated", Detail: "unknown or revoked key"}
	}
	if err != nil {
		return connection.Principal{}, err
	}
	return p, nil
}

func (g *Gateway) authed(fn func(http.ResponseWriter, *http.Request, connection.Principal) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := g.Authenticate(r)
		if err != nil {
			g.problem(w, r, err)
			return
		}
		if err := fn(w, r, p); err != nil {
			g.problem(w, r, err)
		}
	})
}

// Problem is the application/problem+json body of every error answer.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code,omitempty"`
	// Param names the connection parameter an invalid input is about.
	Param string `json:"param,omitempty"`
}

// statusOf maps an error to an HTTP status, a code and a detail.
func statusOf(err error) (int, string, string, string) {
	var ge *Error
	var ce *connection.Error
	var ee *EgressError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ge):
		return ge.Status, ge.Code, ge.Detail, ""
	case errors.As(err, &ee):
		return http.StatusForbidden, "EgressDenied", err.Error(), ""
	case errors.As(err, &ce):
		status := http.StatusBadRequest
		switch ce.Code {
		case connection.CodeForbidden:
			status = http.StatusForbidden
		case connection.CodeNotFound, "KeyNotFound":
			status = http.StatusNotFound
		case "KeyExists":
			status = http.StatusConflict
		case connection.CodeUnauthenticated:
			status = http.StatusFailedDependency
		case "SecretUnavailable":
			status = http.StatusInternalServerError
		}
		return status, ce.Code, err.Error(), ce.Param
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "BodyTooLarge", "the body is too large", ""
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "Canceled", "the call was canceled or timed out", ""
	}
	switch connector.KindOf(err) {
	case connector.KindBadRequest:
		return http.StatusBadRequest, "BadRequest", err.Error(), ""
	case connector.KindNotFound:
		return http.StatusNotFound, "NotFound", err.Error(), ""
	case connector.KindThrottled:
		return http.StatusTooManyRequests, "Throttled", err.Error(), ""
	case connector.KindUnauthenticated:
		return http.StatusFailedDependency, connection.CodeUnauthenticated, err.Error(), ""
	case connector.KindRetryable:
		return http.StatusBadGateway, "BadGateway", err.Error(), ""
	}
	var ce2 *connector.Error
	if errors.As(err, &ce2) {
		return http.StatusBadGateway, "ConnectorError", err.Error(), ""
	}
	return http.StatusInternalServerError, "InternalError", "internal error", ""
}

func (g *Gateway) problem(w http.ResponseWriter, r *http.Request, err error) {
	status, code, detail, param := statusOf(err)
	if status >= 500 {
		g.log.Warn("gateway request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", status), slog.String("error", err.Error()))
	}
	if d, ok := retryAfterOf(err); ok {
		w.Header().Set("Retry-After", strings.TrimSuffix(retrySeconds(d), "s"))
	}
	p := Problem{Type: "urn:junction:problem:" + code, Title: http.StatusText(status), Status: status, Detail: detail, Code: code, Param: param}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

func retryAfterOf(err error) (time.Duration, bool) {
	var ge *Error
	if errors.As(err, &ge) && ge.RetryAfter > 0 {
		return ge.RetryAfter, true
	}
	return connector.RetryAfterOf(err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// decode reads a JSON body strictly (unknown fields are errors).
func (g *Gateway) decode(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, g.o.MaxBodyBytes))
	if err != nil {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "BodyTooLarge", Detail: fmt.Sprintf("the body is larger than %d bytes", g.o.MaxBodyBytes)}
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return &Error{Status: http.StatusBadRequest, Code: "InvalidBody", Detail: emptyBody}
		}
		return &Error{Status: http.StatusBadRequest, Code: "InvalidBody", Detail: "the body is not the expected JSON: " + jsonErr(err)}
	}
	if d.More() {
		return &Error{Status: http.StatusBadRequest, Code: "InvalidBody", Detail: "the body has data after the JSON value"}
	}
	return nil
}

const emptyBody = "the body is empty: a JSON object is expected"

// jsonErr describes a decoding error without quoting the input.
func jsonErr(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q: want %s", te.Field, te.Type)
	case errors.Is(err, io.EOF):
		return "empty body"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return strings.TrimPrefix(err.Error(), "json: ")
	}
	return "invalid JSON"
}

func (g *Gateway) putConnection(w http.ResponseWriter, r *http.Request, p connection.Principal) error {
	var in connection.PutInput
	if err := g.decode(w, r, &in); err != nil {
		return err
	}
	v, created, err := g.conns.Put(r.Context(), p, r.PathValue("name"), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, v)
	return nil
}

func (g *Gateway) getConnection(w http.ResponseWriter, r *http.Request, p connection.Principal) error {
	v, err := g.conns.Get(r.Context(), p, r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (g *Gateway) deleteConnection(w http.ResponseWriter, r *http.Request, p connection.Principal) error {
	if err := g.conns.Delete(r.Context(), p, r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (g *Gateway) listConnections(w http.ResponseWriter, r *http.Request, p connection.Principal) error {
	list, err := g.conns.List(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": list})
	return nil
}

func (g *Gateway) testConnection(w http.ResponseWriter, r *http.Request, p connection.Principal) error {
	h, err := g.conns.Test(r.Context(), p, r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"health": h})
	return nil
}

func (g *Gateway) consent(w http.ResponseWriter, r *http.Request, p connection.Principal) error {
	u, err := g.conns.StartConsent(r.Context(), p, r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": u})
	return nil
}

// callback completes an OAuth consent. It needs no key: the state, bound
// to a pending consent, is the credential.
func (g *Gateway) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		detail := "the authorization server refused the consent: " + e
		if d := q.Get("error_description"); d != "" {
			detail += ": " + d
		}
		g.problem(w, r, &Error{Status: http.StatusBadRequest, Code: "ConsentRefused", Detail: detail})
		return
	}
	name, err := g.conns.CompleteConsent(r.Context(), q.Get("state"), q.Get("code"))
	if err != nil {
		g.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"connection": name, "state": string(connection.StateConnected)})
}

// InvokeRequest is the body of an invoke call.
type InvokeRequest struct {
	Parameters map[string]any `json:"parameters,omitempty"`
	Body       any            `json:"body,omitempty"`
}

// InvokeResponse is the answer of an invoke call.
type InvokeResponse struct {
	StatusCode int         `json:"statusCode"`
	Headers    http.Header `json:"headers"`
	Body       any         `json:"body"`
}

func (g *Gateway) invoke(w http.ResponseWriter, r *http.Request, p connection.Principal) error {
	var in InvokeRequest
	if r.ContentLength != 0 {
		if err := g.decode(w, r, &in); err != nil {
			var ge *Error
			// A chunked empty body means no input, like no body at all.
			if !errors.As(err, &ge) || ge.Detail != emptyBody {
				return err
			}
		}
	}
	out, err := g.Invoke(r.Context(), p, r.PathValue("name"), r.PathValue("operationId"), connector.Input{Parameters: in.Parameters, Body: in.Body})
	if err != nil && out.StatusCode == 0 {
		return err
	}
	// The service answered: its status is in the envelope, whatever it is.
	resp := InvokeResponse{StatusCode: out.StatusCode, Headers: out.Headers, Body: out.Body}
	if resp.Headers == nil {
		resp.Headers = http.Header{}
	}
	resp.Headers.Del("Set-Cookie")
	if b, ok := resp.Body.([]byte); ok {
		resp.Body = string(b)
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (g *Gateway) calls(w http.ResponseWriter, r *http.Request, p connection.Principal) error {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return &Error{Status: http.StatusBadRequest, Code: "InvalidLimit", Detail: "limit must be an integer from 1 to 1000"}
		}
		limit = n
	}
	g.callLog.flush(r.Context())
	list, err := g.conns.Calls(r.Context(), p, r.PathValue("name"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": list})
	return nil
}

func (g *Gateway) requireAdmin(p connection.Principal) error {
	if !p.Admin() {
		return &Error{Status: http.StatusForbidden, Code: "Forbidden", Detail: "only an admin may manage keys"}
	}
	return nil
}

func (g *Gateway) listKeys(w http.ResponseWriter, r *http.Request, p connection.Principal) error {
	if err := g.requireAdmin(p); err != nil {
		return err
	}
	list, err := g.keys.List(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []*connection.KeyRecord{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": list})
	return nil
}

func (g *Gateway) createKey(w http.ResponseWriter, r *http.Request, p connection.Principal) error {
	if err := g.requireAdmin(p); err != nil {
		return err
	}
	var in struct {
		Name string          `json:"name"`
		Role connection.Role `json:"role"`
	}
	if err := g.decode(w, r, &in); err != nil {
		return err
	}
	if in.Role == "" {
		in.Role = connection.RoleUser
	}
	k, err := g.keys.Create(r.Context(), in.Name, in.Role)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, k)
	return nil
}

func (g *Gateway) deleteKey(w http.ResponseWriter, r *http.Request, p connection.Principal) error {
	if err := g.requireAdmin(p); err != nil {
		return err
	}
	if err := g.keys.Delete(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
