// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
)

const (
	// maxResponseBytes bounds a response body (the Logic Apps message
	// size limit).
	maxResponseBytes = 100 << 20
	// defaultPollInterval is the wait between polls of the asynchronous
	// pattern when the service sends no Retry-After.
	defaultPollInterval = 10 * time.Second
	// sanitized replaces secrets in the inputs shown in run history.
	sanitized = "*sanitized*"
)

// httpRequest is an Http action's (or webhook subscription's) request,
// built from evaluated inputs.
type httpRequest struct {
	method string
	url    *url.URL
	header http.Header
	body   []byte
	client *http.Client
	// authorize sets the credentials on a request; nil when there are none.
	authorize func(*http.Request)
}

// httpAnswer is one HTTP response, read in full.
type httpAnswer struct {
	status int
	header http.Header
	body   []byte
}

// buildHTTP turns the evaluated inputs {method, uri, headers, queries,
// body, cookie, authentication} into a request. Errors are the action's
// failure; they never contain credentials.
func buildHTTP(c *Call, in *expr.Object) (*httpRequest, *ActionError) {
	method := strings.ToUpper(strings.TrimSpace(getString(in, "method")))
	if method == "" {
		return nil, invalidInputs(c, "'method' is required")
	}
	for _, r := range method {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", r) {
			return nil, invalidInputs(c, fmt.Sprintf("'%s' is not a valid HTTP method", method))
		}
	}
	raw := getString(in, "uri")
	if raw == "" {
		raw = getString(in, "url")
	}
	if raw == "" {
		return nil, invalidInputs(c, "'uri' is required and must be a string")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &ActionError{Code: "InvalidRequestUri", Message: fmt.Sprintf("The value '%s' of 'uri' in the inputs of action '%s' is not an absolute http or https URI.", redactURL(raw), c.Name)}
	}
	if q := getObject(in, "queries"); q != nil && q.Len() > 0 {
		vals := u.Query()
		for _, k := range q.Keys() {
			v, _ := q.Get(k)
			vals.Add(k, expr.Stringify(v))
		}
		u.RawQuery = vals.Encode()
	}
	r := &httpRequest{method: method, url: u, header: http.Header{}, client: c.HTTPClient}
	if r.client == nil {
		r.client = http.DefaultClient
	}
	if h, ok := get(in, "headers"); ok && h != nil {
		ho, ok := h.(*expr.Object)
		if !ok {
			return nil, invalidInputs(c, "'headers' must be an object")
		}
		for _, k := range ho.Keys() {
			v, _ := ho.Get(k)
			r.header.Set(k, expr.Stringify(v))
		}
	}
	if ck := getString(in, "cookie"); ck != "" {
		r.header.Set("Cookie", ck)
	}
	if !c.OperationOptions["suppressworkflowheaders"] {
		setIf(r.header, "x-ms-workflow-name", c.WorkflowName)
		setIf(r.header, "x-ms-workflow-run-id", c.RunID)
		setIf(r.header, "x-ms-workflow-operation-name", c.Name)
	}
	if r.header.Get("User-Agent") == "" {
		r.header.Set("User-Agent", "junction")
	}
	if b, ok := get(in, "body"); ok && b != nil {
		data, ct := encodeBody(b)
		r.body = data
		if r.header.Get("Content-Type") == "" && ct != "" {
			r.header.Set("Content-Type", ct)
		}
	}
	if a, ok := get(in, "authentication"); ok && a != nil {
		ao, ok := a.(*expr.Object)
		if !ok {
			return nil, invalidInputs(c, "'authentication' must be an object")
		}
		if ae := r.setAuth(c, ao); ae != nil {
			return nil, ae
		}
	}
	return r, nil
}

func setIf(h http.Header, k, v string) {
	if v != "" {
		h.Set(k, v)
	}
}

// encodeBody returns the bytes and default content type of a body value:
// strings as they are, binary as it is, content objects decoded, anything
// else as JSON.
func encodeBody(v any) ([]byte, string) {
	switch b := v.(type) {
	case string:
		return []byte(b), "text/plain; charset=utf-8"
	case []byte:
		return b, "application/octet-stream"
	case *expr.Object:
		if data, ct, ok := contentOf(b); ok {
			return data, ct
		}
	}
	return expr.AppendJSON(nil, v), "application/json"
}

// contentOf decodes a binary content object {"$content-type", "$content"}.
func contentOf(o *expr.Object) ([]byte, string, bool) {
	if o.Len() < 2 || o.Len() > 3 {
		return nil, "", false
	}
	cv, ok := o.Get("$content")
	if !ok {
		return nil, "", false
	}
	tv, ok := o.Get("$content-type")
	if !ok {
		return nil, "", false
	}
	s, ok1 := cv.(string)
	ct, ok2 := tv.(string)
	if !ok1 || !ok2 {
		return nil, "", false
	}
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, "", false
	}
	return data, ct, true
}

// newContent returns a binary content object.
func newContent(ct string, data []byte) *expr.Object {
	o := expr.NewObject(2)
	o.Set("$content-type", ct)
	o.Set("$content", base64.StdEncoding.EncodeToString(data))
	return o
}

// setAuth configures the request's credentials.
func (r *httpRequest) setAuth(c *Call, a *expr.Object) *ActionError {
	typ := getString(a, "type")
	switch strings.ToLower(typ) {
	case "", "none":
		return nil
	case "basic":
		user, pass := expr.Stringify(mustGet(a, "username")), expr.Stringify(mustGet(a, "password"))
		r.authorize = func(req *http.Request) { req.SetBasicAuth(user, pass) }
	case "raw":
		v := expr.Stringify(mustGet(a, "value"))
		if v == "" {
			return invalidInputs(c, "Raw authentication needs a 'value'")
		}
		r.authorize = func(req *http.Request) { req.Header.Set("Authorization", v) }
	case "clientcertificate":
		client, err := certClient(r.client, getString(a, "pfx"), expr.Stringify(mustGet(a, "password")))
		if err != nil {
			return &ActionError{Code: "InvalidClientCertificate", Message: fmt.Sprintf("The client certificate of action '%s' could not be used: %v.", c.Name, err)}
		}
		r.client = client
	case "managedserviceidentity", "activedirectoryoauth":
		return &ActionError{Code: "AuthenticationTypeNotSupported", Message: fmt.Sprintf("The authentication type '%s' of action '%s' is not supported by Junction; use Basic, Raw or ClientCertificate, or a connection.", typ, c.Name)}
	default:
		return invalidInputs(c, fmt.Sprintf("the authentication type '%s' is not one of Basic, Raw, ClientCertificate", typ))
	}
	return nil
}

func mustGet(o *expr.Object, k string) any {
	v, _ := get(o, k)
	return v
}

// certClients caches clients per (base client, certificate), so calls with
// the same certificate reuse connections.
var certClients = struct {
	sync.Mutex
	m map[[sha256.Size]byte]*http.Client
}{m: map[[sha256.Size]byte]*http.Client{}}

// certClient returns a copy of base whose transport presents the client
// certificate in pfx (base64 PKCS#12) protected by password.
func certClient(base *http.Client, pfx, password string) (*http.Client, error) {
	if pfx == "" {
		return nil, errors.New("'pfx' is required")
	}
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(pfx))
	if err != nil {
		return nil, errors.New("'pfx' is not base64")
	}
	h := sha256.New()
	fmt.Fprintf(h, "%p\x00%d\x00", base, len(password))
	h.Write([]byte(password))
	h.Write(der)
	var key [sha256.Size]byte
	h.Sum(key[:0])
	certClients.Lock()
	defer certClients.Unlock()
	if cl, ok := certClients.m[key]; ok {
		return cl, nil
	}
	priv, leaf, chain, err := pkcs12.DecodeChain(der, password)
	if err != nil {
		// The library's errors never contain the password.
		return nil, fmt.Errorf("decoding the PKCS#12 data: %w", err)
	}
	cert := tls.Certificate{PrivateKey: priv, Leaf: leaf, Certificate: [][]byte{leaf.Raw}}
	for _, ca := range chain {
		cert.Certificate = append(cert.Certificate, ca.Raw)
	}
	var tr *http.Transport
	if bt, ok := base.Transport.(*http.Transport); ok && bt != nil {
		tr = bt.Clone()
	} else {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tr.TLSClientConfig.Certificates = []tls.Certificate{cert}
	cl := *base
	cl.Transport = tr
	if len(certClients.m) >= 64 {
		clear(certClients.m)
	}
	certClients.m[key] = &cl
	return &cl, nil
}

// sanitizeInputs returns the inputs as shown in run history: the
// authentication's secrets replaced.
func sanitizeInputs(in *expr.Object) *expr.Object {
	if in == nil {
		return nil
	}
	a := getObject(in, "authentication")
	if a == nil {
		return in
	}
	out := in.Clone()
	sa := a.Clone()
	for _, k := range sa.Keys() {
		switch strings.ToLower(k) {
		case "password", "value", "pfx", "secret", "clientsecret":
			sa.Set(k, sanitized)
		}
	}
	for _, k := range out.Keys() {
		if strings.EqualFold(k, "authentication") {
			out.Set(k, sa)
		}
	}
	return out
}

// send sends one request to u and reads the whole answer.
func (r *httpRequest) send(ctx context.Context, method string, u *url.URL, body []byte, auth bool) (*httpAnswer, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, &connector.Error{Kind: connector.KindBadRequest, Message: "building the request failed", Err: stripURL(err)}
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	if body == nil {
		req.Header.Del("Content-Type")
	}
	if auth && r.authorize != nil {
		r.authorize(req)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("http request to host '%s': %w", u.Host, ctx.Err())
		}
		return nil, &connector.Error{Kind: connector.KindRetryable, Message: fmt.Sprintf("the HTTP request to host '%s' failed", u.Host), Err: stripURL(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("reading the response of host '%s': %w", u.Host, ctx.Err())
		}
		return nil, &connector.Error{Kind: connector.KindRetryable, Message: fmt.Sprintf("reading the response of host '%s' failed", u.Host), Err: stripURL(err)}
	}
	if len(data) > maxResponseBytes {
		return nil, &connector.Error{Kind: connector.KindBadRequest, StatusCode: resp.StatusCode, Message: fmt.Sprintf("the response of host '%s' is larger than %d bytes", u.Host, maxResponseBytes)}
	}
	return &httpAnswer{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// do sends the request and, unless async is false, follows the
// asynchronous pattern: while the answer is 202 Accepted with a Location
// header, it waits Retry-After (10 s by default) and polls the location
// with GET.
func (r *httpRequest) do(ctx context.Context, async bool) (*httpAnswer, error) {
	ans, err := r.send(ctx, r.method, r.url, r.body, true)
	if err != nil {
		return nil, err
	}
	cur := r.url
	for async && ans.status == http.StatusAccepted && ans.header.Get("Location") != "" {
		loc, err := cur.Parse(ans.header.Get("Location"))
		if err != nil || (loc.Scheme != "http" && loc.Scheme != "https") {
			return ans, nil // not a pollable location: the 202 is the answer
		}
		wait := defaultPollInterval
		if d, ok := connector.ParseRetryAfter(ans.header.Get("Retry-After"), time.Now()); ok {
			wait = d
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return nil, fmt.Errorf("waiting to poll the asynchronous operation: %w", err)
		}
		// Credentials go only to the host they were meant for.
		sameHost := strings.EqualFold(loc.Host, r.url.Host) && loc.Scheme == r.url.Scheme
		if ans, err = r.send(ctx, http.MethodGet, loc, nil, sameHost); err != nil {
			return nil, err
		}
		cur = loc
	}
	return ans, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// stripURL removes the URL (which may carry query secrets) from a
// *url.Error.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redactURL removes user information and the query from a URL for
// messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if i := strings.IndexAny(s, "?#"); i >= 0 {
			return s[:i]
		}
		return s
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// outputs returns {statusCode, headers, body} of an answer; body is left
// out when the response has none.
func (a *httpAnswer) outputs() *expr.Object {
	o := expr.NewObject(3)
	o.Set("statusCode", int64(a.status))
	o.Set("headers", headerObject(a.header))
	if len(a.body) > 0 {
		o.Set("body", decodeBody(a.header.Get("Content-Type"), a.body))
	}
	return o
}

// headerObject returns headers as an object (canonical names in sorted
// order, repeated values joined with ",").
func headerObject(h http.Header) *expr.Object {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	o := expr.NewObject(len(keys))
	for _, k := range keys {
		o.Set(k, strings.Join(h[k], ","))
	}
	return o
}

// decodeBody decodes a response body the way Logic Apps shows it: JSON
// content types as values (keeping key order), text as a string, anything
// else as a binary content object.
func decodeBody(ct string, data []byte) any {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(ct))
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json":
		if v, err := expr.Decode(data); err == nil {
			return v
		}
		if utf8.Valid(data) {
			return string(data)
		}
	case isTextType(mt):
		if utf8.Valid(data) {
			return string(data)
		}
	case mt == "":
		if utf8.Valid(data) {
			return string(data)
		}
		mt = "application/octet-stream"
	}
	if ct == "" {
		ct = mt
	}
	return newContent(ct, data)
}

func isTextType(mt string) bool {
	switch {
	case strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/xml", "application/x-www-form-urlencoded", "application/javascript", "application/ecmascript":
		return true
	}
	return false
}

// statusFailure returns the action error and the classified cause of an
// HTTP status of 400 or more.
func statusFailure(c *Call, a *httpAnswer) (*ActionError, *connector.Error) {
	ae := &ActionError{Code: statusCode(a.status), Message: fmt.Sprintf("The HTTP request of action '%s' failed with status code %d (%s).", c.Name, a.status, http.StatusText(a.status))}
	ce := &connector.Error{Kind: connector.KindForStatus(a.status), StatusCode: a.status, Message: ae.Message}
	if d, ok := connector.ParseRetryAfter(a.header.Get("Retry-After"), time.Now()); ok {
		ce.RetryAfter = d
	}
	return ae, ce
}

// transportFailure returns the failed result of a request that got no
// answer (retryable when the connection failed); a cancelled or expired
// context is returned as the error instead, for the engine to decide
// between Cancelled and TimedOut.
func transportFailure(c *Call, inputs any, err error) (Result, *connector.Error, error) {
	var ce *connector.Error
	if !errors.As(err, &ce) {
		return Result{Inputs: inputs}, nil, err
	}
	code := "HttpRequestFailed"
	if ce.Kind == connector.KindBadRequest {
		code = "BadRequest"
	}
	ae := &ActionError{Code: code, Message: fmt.Sprintf("Action '%s': %s.", c.Name, ce.Error())}
	return retry(failed(inputs, nil, ae), ce), ce, nil
}
