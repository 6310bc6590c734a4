// SPDX-License-Identifier: Apache-2.0

package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/policy"
	"github.com/junction-run/junction/connector/rest"
	"github.com/junction-run/junction/internal/connection"
)

// hopHeaders are not forwarded in either direction; the caller's
// Authorization (its Junction key) and cookies never reach the backend.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer",
	"Transfer-Encoding", "Upgrade", "Authorization", "Cookie", "Host", "Content-Length", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"}

func stripHop(h http.Header) {
	// Headers named in Connection are hop-by-hop too: read it before it
	// goes.
	for _, f := range h["Connection"] {
		for k := range strings.SplitSeq(f, ",") {
			h.Del(strings.TrimSpace(k))
		}
	}
	for _, k := range hopHeaders {
		delete(h, k) // the names are canonical already
	}
}

func baseURL(spec *connector.Spec) (*url.URL, error) {
	s := strings.TrimSpace(spec.BaseURL)
	if s == "" {
		return nil, fmt.Errorf("connector %s has no base URL", spec.ID)
	}
	if strings.HasPrefix(s, "//") {
		s = "https:" + s
	} else if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("connector %s: base URL is not an absolute URL", spec.ID)
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// opRoute is an operation's method and path template split in segments.
type opRoute struct {
	op     *connector.Operation
	method string
	segs   []string
}

// opRoutes are the operations of a spec that have a path, split once per
// provider rather than on every pass-through call.
type opRoutes []opRoute

func newOpRoutes(spec *connector.Spec) opRoutes {
	var rs opRoutes
	for i := range spec.Operations {
		op := &spec.Operations[i]
		if op.Path == "" {
			continue
		}
		rs = append(rs, opRoute{op: op, method: op.Method, segs: strings.Split(strings.Trim(op.Path, "/"), "/")})
	}
	return rs
}

// match finds the operation whose method and path template match a
// pass-through call, and the path parameter values.
func (rs opRoutes) match(method, path string) (*connector.Operation, map[string]any) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := range rs {
		rt := &rs[i]
		if len(rt.segs) != len(segs) || !strings.EqualFold(rt.method, method) {
			continue
		}
		ok := true
		for j, t := range rt.segs {
			if !strings.HasPrefix(t, "{") || !strings.HasSuffix(t, "}") {
				if t != segs[j] {
					ok = false
					break
				}
			}
		}
		if !ok {
			continue
		}
		params := map[string]any{}
		for j, t := range rt.segs {
			if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
				v, err := url.PathUnescape(segs[j])
				if err != nil {
					v = segs[j]
				}
				params[t[1:len(t)-1]] = v
			}
		}
		return rt.op, params
	}
	return nil, nil
}

// authorize places the connection's credentials on a request per the
// first security definition the connection has values for (the
// convention of connector/rest).
func authorize(spec *connector.Spec, r *policy.Request, conn connector.Connection) {
	pname := func(a *connector.Auth, def string) string {
		if a.Parameter != "" {
			return a.Parameter
		}
		return def
	}
	for i := range spec.Auth {
		a := &spec.Auth[i]
		switch a.Kind {
		case connector.AuthAPIKey:
			key := conn.String(pname(a, rest.ParamAPIKey))
			if key == "" {
				continue
			}
			name := a.ParamName
			if name == "" {
				name = "Authorization"
			}
			if strings.EqualFold(a.In, "query") {
				r.Query.Set(name, key)
			} else {
				r.Header.Set(name, key)
			}
			return
		case connector.AuthBasic:
			user, pass := conn.String(rest.ParamUsername), conn.String(rest.ParamPassword)
			if user == "" && pass == "" {
				continue
			}
			r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
			return
		case connector.AuthOAuth2, connector.AuthBearer:
			tok := conn.String(pname(a, rest.ParamToken))
			if tok == "" {
				continue
			}
			r.Header.Set("Authorization", "Bearer "+tok)
			return
		}
	}
}

func isJSON(ct string) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	mt = strings.ToLower(mt)
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json"
}

func decodeJSON(data []byte) (any, bool) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil || d.More() {
		return nil, false
	}
	return v, true
}

// roundTrip sends one policy request with the egress client and returns
// the answer with its body unread.
func (g *Gateway) roundTrip(ctx context.Context, r *policy.Request) (*http.Response, error) {
	var body io.Reader
	// The request's header is the caller's: it is copied only when a
	// header must be added.
	h, copied := r.Header, false
	setDefault := func(name, value string) {
		if len(h[name]) > 0 {
			return
		}
		if !copied {
			h, copied = h.Clone(), true
			if h == nil {
				h = http.Header{}
			}
		}
		h[name] = []string{value}
	}
	switch {
	case r.Body != nil:
		b, err := json.Marshal(r.Body)
		if err != nil {
			return nil, connector.Errorf(connector.KindBadRequest, "encoding the JSON body: %v", err)
		}
		body = bytes.NewReader(b)
		setDefault("Content-Type", "application/json")
	case r.Raw != nil:
		body = bytes.NewReader(r.Raw)
	}
	setDefault("User-Agent", "junction")
	u := r.URL()
	// The URL is built already: no need to print and parse it again.
	req, err := http.NewRequestWithContext(ctx, r.Method, "", body)
	if err != nil {
		return nil, connector.Errorf(connector.KindBadRequest, "building the %s request for %s%s", r.Method, u.Host, u.EscapedPath())
	}
	req.URL, req.Host, req.Header = u, strings.TrimSuffix(u.Host, ":"), h
	resp, err := g.do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the URL: it may carry a query-string key
		}
		return nil, &connector.Error{Kind: connector.KindRetryable, Message: r.Method + " " + u.Host + u.EscapedPath(), Err: err}
	}
	return resp, nil
}

// do sends req. Over the gateway's own [Transport] (the default) it
// skips http.Client, whose per-call timer, header copies for redirects
// and request clone were a fifth of a pass-through's allocations: the
// transport's Timeout bounds each exchange, and redirects are followed
// as the client of [EgressRules.NewClient] follows them: on the same host
// only (credentials never follow a redirect elsewhere), at most 10.
func (g *Gateway) do(req *http.Request) (*http.Response, error) {
	t, ok := g.client.Transport.(*Transport)
	if !ok || t.Timeout <= 0 {
		return g.client.Do(req)
	}
	host := req.URL.Host
	for n := 0; ; n++ {
		resp, err := t.RoundTrip(req)
		if err != nil {
			return nil, &url.Error{Op: req.Method, URL: req.URL.Redacted(), Err: err}
		}
		next := redirect(req, resp, host)
		if next == nil {
			return resp, nil
		}
		if n == 10 {
			resp.Body.Close()
			return nil, &url.Error{Op: req.Method, URL: req.URL.Redacted(), Err: errors.New("stopped after 10 redirects")}
		}
		// Read a little of the body so that the connection can carry the
		// next request.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		resp.Body.Close()
		req = next
	}
}

// redirect returns the request that follows resp when resp is a redirect
// to host that can be followed (net/http's rules: 301, 302 and 303 turn
// into a GET without a body, unless HEAD; 307 and 308 repeat the method
// and a body that can be rewound), or nil.
func redirect(req *http.Request, resp *http.Response, host string) *http.Request {
	method, keepBody := req.Method, false
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther:
		if method != http.MethodGet && method != http.MethodHead {
			method = http.MethodGet
		}
	case http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		keepBody = true
		if !rewindable(req) {
			return nil
		}
	default:
		return nil
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil
	}
	u, err := req.URL.Parse(loc)
	if err != nil || !strings.EqualFold(u.Host, host) || (u.Scheme != "http" && u.Scheme != "https") {
		return nil
	}
	next := req.Clone(req.Context())
	next.Method, next.URL, next.Host = method, u, u.Host
	next.Body, next.GetBody, next.ContentLength = nil, nil, 0
	if keepBody && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil
		}
		next.Body, next.GetBody, next.ContentLength = body, req.GetBody, req.ContentLength
	} else if !keepBody {
		next.Header.Del("Content-Type")
		next.Header.Del("Content-Length")
	}
	return next
}

// readAnswer reads a whole answer body, at most MaxBodyBytes.
func (g *Gateway) readAnswer(resp *http.Response) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(resp.Body, g.o.MaxBodyBytes+1))
	if err != nil {
		return nil, &connector.Error{Kind: connector.KindRetryable, Message: "reading the answer", Err: err}
	}
	if int64(len(data)) > g.o.MaxBodyBytes {
		return nil, g.tooLarge()
	}
	return data, nil
}

func (g *Gateway) tooLarge() error {
	return connector.Errorf(connector.KindBadRequest, "the answer is larger than %d bytes", g.o.MaxBodyBytes)
}

// send sends one policy request with the egress client and reads the
// answer, its body decoded when it is JSON.
func (g *Gateway) send(ctx context.Context, r *policy.Request) (*policy.Response, []byte, error) {
	resp, err := g.roundTrip(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := g.readAnswer(resp)
	if err != nil {
		return nil, nil, err
	}
	pr := &policy.Response{StatusCode: resp.StatusCode, Header: resp.Header}
	if len(data) > 0 {
		if v, ok := decodeJSON(data); ok && isJSON(resp.Header.Get("Content-Type")) {
			pr.Body = v
		} else {
			pr.Body = data
		}
	}
	return pr, data, nil
}

// sendRaw sends one policy request and returns the answer with its body
// as bytes (never decoded): streamed (resp.Body) when the backend
// announced a length within MaxBodyBytes, read into Response.Body
// otherwise, so that the size limit holds as in [Gateway.send].
func (g *Gateway) sendRaw(ctx context.Context, r *policy.Request) (*policy.Response, *proxied, error) {
	resp, err := g.roundTrip(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	pr := &policy.Response{StatusCode: resp.StatusCode, Header: resp.Header}
	switch {
	case resp.ContentLength > g.o.MaxBodyBytes:
		resp.Body.Close()
		return nil, nil, g.tooLarge()
	case resp.ContentLength >= 0:
		return pr, &proxied{stream: resp.Body, length: resp.ContentLength}, nil
	}
	defer resp.Body.Close()
	data, err := g.readAnswer(resp)
	if err != nil {
		return nil, nil, err
	}
	if len(data) > 0 {
		pr.Body = data
	}
	return pr, &proxied{raw: data}, nil
}

// proxied is the answer of a pass-through call.
type proxied struct {
	resp *policy.Response
	raw  []byte // the backend's bytes when no policy changed the body
	// stream, when set, is the backend's body still to be copied (no
	// policy reads or changes it); its length is length.
	stream io.ReadCloser
	length int64
}

func (a *proxied) close() {
	if a != nil && a.stream != nil {
		a.stream.Close()
	}
}

// ServeProxy serves /apim/{connectorId}/{connectionName}/{path...}: the
// raw request goes to the connector's base URL + path with the
// connection's credentials and the connector's policies.
//
// When no policy in scope reads or changes a body
// ([policy.Set.UsesBody]), the body goes through as bytes: the request
// body is sent as received and the answer is copied to the caller as it
// arrives, without decoding and re-encoding JSON.
func (g *Gateway) serveProxy(w http.ResponseWriter, r *http.Request) {
	caller, ok := principalFrom(r.Context())
	if !ok {
		g.problem(w, r, &Error{Status: http.StatusUnauthorized, Code: "Unauthenticated", Detail: "a caller key is required"})
		return
	}
	start := g.now()
	connectorID, name, path := r.PathValue("connectorId"), r.PathValue("connectionName"), r.PathValue("path")
	ctx := r.Context()
	if hasDotSegment(path) {
		g.problem(w, r, &Error{Status: http.StatusBadRequest, Code: "InvalidPath", Detail: "the path may not contain '.' or '..' segments"})
		return
	}
	c, err := g.conns.Authorize(ctx, caller, name)
	if err != nil {
		g.problem(w, r, err)
		return
	}
	if c.ConnectorID != connectorID {
		g.problem(w, r, &Error{Status: http.StatusNotFound, Code: "ConnectionNotFound", Detail: fmt.Sprintf("connection %q is not a connection of connector %q", name, connectorID)})
		return
	}
	if err := g.admit(caller, name); err != nil {
		g.record(ctx, &connection.Call{Connection: name, Operation: r.Method + " /" + path, Method: r.Method, Path: "/" + path, Status: http.StatusTooManyRequests, Caller: caller.Name, At: start, Error: "throttled by the gateway"}, start)
		g.problem(w, r, err)
		return
	}
	pe, err := g.provider(connectorID)
	if err != nil {
		g.problem(w, r, err)
		return
	}
	base := pe.base
	if pe.baseErr != nil {
		g.problem(w, r, &Error{Status: http.StatusBadRequest, Code: "ConnectorNotCallable", Detail: pe.baseErr.Error()})
		return
	}
	var data []byte
	if r.ContentLength != 0 { // 0: no body (-1 is an unknown length)
		data, err = io.ReadAll(http.MaxBytesReader(w, r.Body, g.o.MaxBodyBytes))
		if err != nil {
			g.problem(w, r, &Error{Status: http.StatusRequestEntityTooLarge, Code: "BodyTooLarge", Detail: fmt.Sprintf("the body is larger than %d bytes", g.o.MaxBodyBytes)})
			return
		}
	}
	op, params := pe.routes.match(r.Method, "/"+path)
	opID, opName := "", r.Method+" /"+path
	if op != nil {
		opID, opName = op.ID, op.ID
	}
	decodeReq := pe.policies.UsesBody(opID, policy.SectionRequest)
	decodeResp := pe.policies.UsesBody(opID, policy.SectionResponse) || pe.policies.UsesBody(opID, policy.SectionFailure)
	var used connector.Connection // the last connection values sent, to scrub errors
	var x *policy.Exchange
	var answer *proxied
	out, err := g.call(ctx, name, func(conn connector.Connection) (connector.Output, error) {
		answer.close() // a first answer refused with 401 before an OAuth refresh
		answer = nil
		used = conn
		hdr := r.Header.Clone()
		stripHop(hdr)
		req := &policy.Request{Method: r.Method, Base: base, Path: "/" + escapePath(path), Query: r.URL.Query(), Header: hdr}
		if len(data) > 0 {
			req.Raw = data
			if decodeReq && isJSON(r.Header.Get("Content-Type")) {
				if v, ok := decodeJSON(data); ok {
					req.Body, req.Raw = v, nil
				}
			}
		}
		authorize(pe.spec, req, conn)
		x = &policy.Exchange{OperationID: opID, Operation: op, Conn: conn, Params: params, Request: req,
			Send: func(ctx context.Context, pr *policy.Request) (*policy.Response, error) {
				resp, _, err := g.send(ctx, pr)
				return resp, err
			}}
		if err := pe.policies.Request(ctx, x); err != nil {
			return connector.Output{}, &connector.Error{Kind: connector.KindBadRequest, Message: "request policies", Err: err}
		}
		var resp *policy.Response
		var a *proxied
		if decodeResp {
			var raw []byte
			resp, raw, err = g.send(ctx, x.Request)
			a = &proxied{raw: raw}
		} else {
			resp, a, err = g.sendRaw(ctx, x.Request)
		}
		if err != nil {
			x.Err = err
			_ = pe.policies.Failure(ctx, x)
			return connector.Output{}, err
		}
		answer = a
		x.Response = resp
		if err := pe.policies.Response(ctx, x); err != nil {
			return connector.Output{}, &connector.Error{Kind: connector.KindBadRequest, Message: "response policies", Err: err}
		}
		if resp.StatusCode >= 400 {
			_ = pe.policies.Failure(ctx, x)
		}
		answer.resp = x.Response
		o := connector.Output{StatusCode: x.Response.StatusCode, Headers: x.Response.Header, Body: x.Response.Body}
		switch {
		case x.Unauthenticated:
			return o, &connector.Error{Kind: connector.KindUnauthenticated, StatusCode: o.StatusCode, Message: "the service refused the connection's credentials"}
		case o.StatusCode >= 400:
			return o, &connector.Error{Kind: connector.KindForStatus(o.StatusCode), StatusCode: o.StatusCode, Message: opName + ": the service answered " + strconv.Itoa(o.StatusCode)}
		}
		return o, nil
	})
	rec := &connection.Call{Connection: name, Operation: opName, Method: r.Method, Path: "/" + path, Status: out.StatusCode, Caller: caller.Name, At: start}
	if answer == nil {
		err = scrubErr(err, secretValues(pe.spec, used))
		g.finish(ctx, c, pe, rec, start, err)
		g.problem(w, r, err)
		return
	}
	if err != nil {
		err = scrubErr(err, secretValues(pe.spec, used))
	}
	if copyErr := g.writeProxied(w, answer); copyErr != nil && err == nil {
		// The status line is out: the caller sees a short body (the
		// connection is closed); the record tells why.
		err = copyErr
	}
	g.finish(ctx, c, pe, rec, start, err)
}

func hasDotSegment(path string) bool {
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// escapePath re-escapes a wildcard path value segment by segment.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// writeProxied writes a pass-through answer. It returns the error of
// reading a streamed body from the backend, if any.
func (g *Gateway) writeProxied(w http.ResponseWriter, a *proxied) error {
	defer a.close()
	h := w.Header()
	// The answer's header map is the gateway's own (from the transport
	// or a policy): its value slices can be shared.
	for k, vs := range a.resp.Header {
		h[k] = vs
	}
	stripHop(h)
	delete(h, "Set-Cookie")
	if a.stream != nil {
		h.Set("Content-Length", strconv.FormatInt(a.length, 10))
		w.WriteHeader(a.resp.StatusCode)
		src := &readErr{r: a.stream}
		// Not io.Copy(w, ...): the ResponseWriter's ReadFrom flushes the
		// header on its own (one more write to the socket) and copies
		// through a fresh 32 KiB buffer on every call.
		bp := copyBufs.Get().(*[]byte)
		_, err := io.CopyBuffer(writerOnly{w}, src, *bp)
		copyBufs.Put(bp)
		if src.err != nil {
			return &connector.Error{Kind: connector.KindRetryable, Message: "reading the answer", Err: src.err}
		} else if err != nil {
			g.log.Debug("writing a pass-through answer failed", slog.String("error", err.Error()))
			return nil
		}
		sendNow(w)
		return nil
	}
	var body []byte
	switch b := a.resp.Body.(type) {
	case nil:
	case []byte:
		body = b
	case string:
		body = []byte(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			body = a.raw
		} else {
			body = enc
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(a.resp.StatusCode)
	_, _ = w.Write(body)
	sendNow(w)
	return nil
}

// sendNow sends a complete answer to the caller before the call's
// bookkeeping (health, call record), which would otherwise run before
// net/http sends the buffered answer when the handler returns.
func sendNow(w http.ResponseWriter) {
	_ = http.NewResponseController(w).Flush()
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// writerOnly hides the ReadFrom of an http.ResponseWriter.
type writerOnly struct{ io.Writer }

// readErr keeps the error of its reader (not of the writer io.Copy
// writes to), EOF excepted.
type readErr struct {
	r   io.Reader
	err error
}

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// scrubErr hides secret values in an error's message.
func scrubErr(err error, secrets []string) error {
	if err == nil || len(secrets) == 0 {
		return err
	}
	msg := err.Error()
	clean := scrub(msg, secrets)
	if clean == msg {
		return err
	}
	return &scrubbed{msg: clean, err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }
