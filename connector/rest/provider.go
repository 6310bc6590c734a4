// SPDX-License-Identifier: Apache-2.0

package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/policy"
)

// Options configure a [Provider]. The zero value is usable.
type Options struct {
	// Client sends the requests; nil uses a client with a 100 s timeout.
	Client *http.Client
	// Policies replace the spec's policies when not nil; an empty non-nil
	// slice disables policies.
	Policies []connector.PolicyInstance
	// Logger receives Debug logs of each call (method, host, path, status,
	// duration; never query strings or secrets); nil discards.
	Logger *slog.Logger
	// Now is the clock, for Retry-After dates; nil uses time.Now.
	Now func() time.Time
	// BaseURL overrides the spec's base URL (scheme, host and base path).
	BaseURL string
	// UserAgent is sent unless a request sets its own; "" sends "junction".
	UserAgent string
	// MaxResponseBytes bounds a response body; 0 means 64 MiB.
	MaxResponseBytes int64
	// Env holds environment variables for @environmentVariables policies.
	Env map[string]string
	// RewriteNextLink, when set, rewrites paging links (updatenextlink) so
	// that they route through the caller, e.g. the gateway.
	RewriteNextLink func(link string) string
}

// Provider calls a REST service described by a spec. It is safe for
// concurrent use.
type Provider struct {
	spec     *connector.Spec
	opts     Options
	client   *http.Client
	policies *policy.Set
	logger   *slog.Logger
	now      func() time.Time
	base     *url.URL
	baseErr  error
	ops      map[string]*operation
}

var (
	_ connector.Provider = (*Provider)(nil)
	_ connector.Poller   = (*Provider)(nil)
)

// New builds a provider for spec. It has no side effects: schemas are
// compiled on first use, and policy parameter errors are returned by the
// calls they apply to (see [Provider.PolicyErrors]).
func New(spec *connector.Spec, opts Options) *Provider {
	p := &Provider{spec: spec, opts: opts, client: opts.Client, logger: opts.Logger, now: opts.Now}
	if p.client == nil {
		p.client = &http.Client{Timeout: 100 * time.Second, CheckRedirect: p.checkRedirect}
	}
	if p.logger == nil {
		p.logger = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.opts.MaxResponseBytes <= 0 {
		p.opts.MaxResponseBytes = 64 << 20
	}
	if p.opts.UserAgent == "" {
		p.opts.UserAgent = "junction"
	}
	pols := opts.Policies
	if pols == nil {
		pols = spec.Policies
	}
	p.policies = policy.New(pols, policy.Options{Logger: p.logger})
	p.base, p.baseErr = parseBase(spec.BaseURL, opts.BaseURL)
	p.ops = make(map[string]*operation, len(spec.Operations))
	for i := range spec.Operations {
		op := &spec.Operations[i]
		p.ops[op.ID] = &operation{op: op}
	}
	return p
}

func parseBase(specURL, override string) (*url.URL, error) {
	s := strings.TrimSpace(override)
	if s == "" {
		s = strings.TrimSpace(specURL)
	}
	if s == "" {
		return nil, errors.New("the connector has no base URL (set one with a base URL override)")
	}
	if strings.HasPrefix(s, "//") {
		s = "https:" + s
	} else if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("base URL %q is not an absolute URL", s)
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// checkRedirect keeps API keys from following a redirect to another host:
// net/http drops Authorization and Cookie there, but not a vendor header
// such as X-Api-Key.
func (p *Provider) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if !strings.EqualFold(req.URL.Host, via[0].URL.Host) {
		for _, a := range p.spec.Auth {
			if a.Kind == connector.AuthAPIKey && !strings.EqualFold(a.In, "query") {
				name := a.ParamName
				if name == "" {
					name = "Authorization"
				}
				req.Header.Del(name)
			}
		}
	}
	return nil
}

// NextPage fetches a paging link (the x-ms-pageable nextLink of an earlier
// answer of operationID) with the same credentials and request policies as
// the operation; in is the operation's original input. Credentials are sent
// only when the link is on the request's host.
func (p *Provider) NextPage(ctx context.Context, conn connector.Connection, operationID string, in connector.Input, link string) (connector.Output, error) {
	if strings.TrimSpace(link) == "" {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s: empty next link", operationID)
	}
	out, _, err := p.call(ctx, conn, operationID, in, &pollHook{location: link})
	return out, err
}

// Spec returns the connector's spec.
func (p *Provider) Spec() connector.Spec { return *p.spec }

// PolicyErrors lists policy instances whose parameters are wrong.
func (p *Provider) PolicyErrors() []error { return p.policies.Errors() }

// Invoke calls the operation. On an HTTP status of 400 or more it returns
// the answer in the Output and a [*connector.Error].
func (p *Provider) Invoke(ctx context.Context, conn connector.Connection, operationID string, in connector.Input) (connector.Output, error) {
	out, _, err := p.call(ctx, conn, operationID, in, nil)
	return out, err
}

// pollHook changes a call for a poll: extra query parameters, or the
// Location URL of the previous poll.
type pollHook struct {
	query    url.Values
	location string
}

// call runs one exchange and returns the output and the final exchange.
func (p *Provider) call(ctx context.Context, conn connector.Connection, operationID string, in connector.Input, hook *pollHook) (connector.Output, *policy.Exchange, error) {
	red := p.redactor(conn)
	op, ok := p.ops[operationID]
	if !ok {
		return connector.Output{}, nil, connector.Errorf(connector.KindBadRequest, "unknown operation %q", operationID)
	}
	if p.baseErr != nil {
		return connector.Output{}, nil, &connector.Error{Kind: connector.KindBadRequest, Message: "connector " + p.spec.ID, Err: p.baseErr}
	}
	params, body, err := op.prepare(in)
	if err != nil {
		return connector.Output{}, nil, err
	}
	req, err := p.build(op.op, params, body)
	if err != nil {
		return connector.Output{}, nil, red.err(err)
	}
	auth := p.authorize(req, conn)
	x := &policy.Exchange{
		OperationID:     operationID,
		Operation:       op.op,
		Conn:            conn,
		Params:          params,
		Request:         req,
		Env:             p.opts.Env,
		RewriteNextLink: p.opts.RewriteNextLink,
		Send: func(ctx context.Context, r *policy.Request) (*policy.Response, error) {
			if auth != nil && auth.Kind == connector.AuthAPIKey && strings.EqualFold(auth.In, "query") {
				p.authorize(r, conn)
			}
			return p.send(ctx, r)
		},
	}
	if err := p.policies.Request(ctx, x); err != nil {
		return connector.Output{}, x, red.err(p.policyError(ctx, operationID, err))
	}
	if hook != nil {
		for k, v := range hook.query {
			x.Request.Query[k] = v
		}
		if hook.location != "" {
			same, err := p.relocate(x.Request, hook.location)
			if err != nil {
				return connector.Output{}, x, red.err(err)
			}
			if same && auth != nil && auth.Kind == connector.AuthAPIKey && strings.EqualFold(auth.In, "query") {
				p.authorize(x.Request, conn)
			}
		}
	}
	resp, err := p.send(ctx, x.Request)
	if err != nil {
		if ctx.Err() != nil {
			return connector.Output{}, x, fmt.Errorf("calling %s: %w", operationID, ctx.Err())
		}
		x.Err = err
		_ = p.policies.Failure(ctx, x)
		out := connector.Output{Headers: x.Response.Header}
		return out, x, red.err(&connector.Error{Kind: connector.KindRetryable, Message: "calling " + operationID, Err: err})
	}
	x.Response = resp
	if err := p.policies.Response(ctx, x); err != nil {
		return outputOf(x.Response), x, red.err(p.policyError(ctx, operationID, err))
	}
	if x.Response.StatusCode >= 400 {
		if err := p.policies.Failure(ctx, x); err != nil {
			return outputOf(x.Response), x, red.err(p.policyError(ctx, operationID, err))
		}
	}
	out := outputOf(x.Response)
	switch {
	case x.Unauthenticated:
		return out, x, red.err(p.statusError(operationID, x.Response, connector.KindUnauthenticated))
	case out.StatusCode >= 400:
		return out, x, red.err(p.statusError(operationID, x.Response, connector.KindForStatus(out.StatusCode)))
	}
	return out, x, nil
}

func outputOf(r *policy.Response) connector.Output {
	return connector.Output{StatusCode: r.StatusCode, Headers: r.Header, Body: r.Body}
}

// relocate points the request at a URL from an answer (a poll Location, a
// next link) and reports whether it is on the request's host. The headers,
// credentials included, stay only then.
func (p *Provider) relocate(r *policy.Request, location string) (bool, error) {
	u, err := r.URL().Parse(location)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false, connector.Errorf(connector.KindBadRequest, "bad location or next link URL")
	}
	same := strings.EqualFold(u.Host, r.Base.Host)
	if !same {
		r.Header = http.Header{}
	}
	r.Method, r.Body, r.Raw = http.MethodGet, nil, nil
	r.Header.Del("Content-Type")
	r.Base = &url.URL{Scheme: u.Scheme, Host: u.Host}
	r.Path = u.EscapedPath()
	r.Query = u.Query()
	return same, nil
}

func (p *Provider) policyError(ctx context.Context, operationID string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("calling %s: %w", operationID, ctx.Err())
	}
	kind := connector.KindOf(err)
	if kind == connector.KindUnknown {
		kind = connector.KindBadRequest
	}
	var ce *connector.Error
	e := &connector.Error{Kind: kind, Message: operationID, Err: err}
	if errors.As(err, &ce) {
		e.StatusCode, e.RetryAfter, e.Body = ce.StatusCode, ce.RetryAfter, ce.Body
	}
	return e
}

// statusError classifies an HTTP error answer.
func (p *Provider) statusError(operationID string, r *policy.Response, kind connector.ErrorKind) error {
	msg := fmt.Sprintf("%s: the service answered %d %s", operationID, r.StatusCode, http.StatusText(r.StatusCode))
	if m := serviceMessage(r.Body); m != "" {
		msg += ": " + m
	}
	e := &connector.Error{Kind: kind, StatusCode: r.StatusCode, Message: msg, Body: r.Body}
	if d, ok := connector.ParseRetryAfter(r.Header.Get("Retry-After"), p.now()); ok {
		e.RetryAfter = d
	}
	return e
}

// serviceMessage extracts a short error message from a service's error
// body: message, error.message, error (string), error_description, title.
func serviceMessage(body any) string {
	var s string
	switch b := body.(type) {
	case map[string]any:
		for _, k := range []string{"message", "Message", "error_description", "title", "detail"} {
			if v, ok := b[k].(string); ok && v != "" {
				s = v
				break
			}
		}
		if s == "" {
			switch e := b["error"].(type) {
			case string:
				s = e
			case map[string]any:
				s, _ = e["message"].(string)
			}
		}
	case string:
		s = b
	}
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// send encodes and sends one request and reads the answer.
func (p *Provider) send(ctx context.Context, r *policy.Request) (*policy.Response, error) {
	var body io.Reader
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	switch {
	case r.Body != nil:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r.Body); err != nil {
			return nil, connector.Errorf(connector.KindBadRequest, "encoding the JSON body: %v", err)
		}
		body = bytes.NewReader(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", "application/json")
		}
	case r.Raw != nil:
		body = bytes.NewReader(r.Raw)
	}
	u := r.URL()
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("building the %s request for %s%s: %w", r.Method, u.Host, u.EscapedPath(), stripURL(err))
	}
	req.Header = h
	if h.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", p.opts.UserAgent)
	}
	if host := h.Get("Host"); host != "" {
		req.Host = host
	}
	start := p.now()
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s%s: %w", r.Method, u.Host, u.EscapedPath(), stripURL(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, p.opts.MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer of %s %s%s: %w", r.Method, u.Host, u.EscapedPath(), stripURL(err))
	}
	if int64(len(data)) > p.opts.MaxResponseBytes {
		return nil, connector.Errorf(connector.KindBadRequest, "the answer of %s %s%s is larger than %d bytes", r.Method, u.Host, u.EscapedPath(), p.opts.MaxResponseBytes)
	}
	p.logger.LogAttrs(ctx, slog.LevelDebug, "rest call",
		slog.String("method", r.Method), slog.String("host", u.Host), slog.String("path", u.EscapedPath()),
		slog.Int("status", resp.StatusCode), slog.Duration("duration", p.now().Sub(start)))
	return &policy.Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: decodeBody(resp.Header.Get("Content-Type"), data)}, nil
}

// stripURL removes the URL (and so any query-string credential) from a
// *url.Error, keeping its cause.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// decodeBody decodes a response body by media type: JSON to plain values
// (numbers as json.Number), text to a string, anything else to []byte.
func decodeBody(contentType string, data []byte) any {
	if len(data) == 0 {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	mt = strings.ToLower(mt)
	if isJSON(mt) || (mt == "" && json.Valid(data)) {
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err == nil && !d.More() {
			return v
		}
		return string(data)
	}
	if strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+xml") || mt == "application/xml" ||
		mt == "application/x-www-form-urlencoded" || mt == "application/javascript" || mt == "" {
		return string(data)
	}
	return data
}

func isJSON(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "/json") || mt == "text/json"
}
