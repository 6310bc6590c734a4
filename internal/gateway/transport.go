// SPDX-License-Identifier: Apache-2.0

package gateway

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Transport is the HTTP/1.1 client transport of connector calls. Each
// exchange runs on the caller's goroutine over a pooled keep-alive
// connection: the request is written, the answer's header read and its
// body handed back, with no goroutine per connection and no channel
// hand-off between goroutines, which is where most of net/http's
// Transport time goes on a busy gateway. Requests are written and answers
// parsed by net/http itself ([http.Request.Write], [http.ReadResponse]),
// so framing (Content-Length, chunked bodies and trailers, HEAD, 1xx
// answers, Connection: close) is the standard library's.
//
// It speaks HTTP/1.1 only (HTTPS included, ALPN "http/1.1"), has no
// proxy support (connector calls go to the connector's host, through the
// egress rules) and adds no Accept-Encoding: answers pass through as the
// backend sent them. A zero Transport is ready to use.
type Transport struct {
	// DialContext opens connections; nil uses a net.Dialer.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// TLSClientConfig configures HTTPS; nil uses the defaults (system
	// roots). ServerName is set per host when empty.
	TLSClientConfig *tls.Config
	// MaxIdlePerHost bounds the idle connections kept per host; 0 means
	// 256.
	MaxIdlePerHost int
	// IdleTimeout is how long an idle connection is kept; 0 means 90s.
	IdleTimeout time.Duration
	// Timeout, when positive, bounds each exchange, from the request's
	// first byte to the answer body's last, as a deadline on the
	// connection (no timer, no goroutine).
	Timeout time.Duration

	mu   sync.Mutex
	idle map[string][]*persistConn
}

// persistConn is one keep-alive connection.
type persistConn struct {
	key    string
	conn   net.Conn
	raw    net.Conn // the TCP connection under TLS, for the liveness check
	br     *bufio.Reader
	bw     *bufio.Writer
	idleAt time.Time
	reused bool
}

// recheckAfter is how long a connection may sit idle before its liveness
// is checked (one non-blocking peek) on the way out of the pool: a
// backend closes idle connections after its own timeout (Node.js: 5 s),
// and a request written to a closed connection fails.
const recheckAfter = 500 * time.Millisecond

var errBodyClosed = errors.New("gateway transport: the answer's body was closed before its end")

// aLongTimeAgo is a deadline in the past, to wake blocked I/O.
var aLongTimeAgo = time.Unix(1, 0)

// RoundTrip implements [http.RoundTripper].
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil {
		closeBody(req)
		return nil, errors.New("gateway transport: the request has no URL")
	}
	scheme := req.URL.Scheme
	if scheme != "http" && scheme != "https" {
		closeBody(req)
		return nil, fmt.Errorf("gateway transport: unsupported protocol scheme %q", scheme)
	}
	host := req.URL.Host
	if host == "" {
		closeBody(req)
		return nil, errors.New("gateway transport: the request has no host")
	}
	ctx := req.Context()
	addr := hostPort(scheme, host)
	key := scheme + "://" + addr
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			closeBody(req)
			return nil, err
		}
		pc, err := t.get(ctx, key, scheme, addr)
		if err != nil {
			closeBody(req)
			return nil, err
		}
		resp, retry, err := t.exchange(ctx, pc, req)
		if err == nil {
			return resp, nil
		}
		if !retry || attempt > 0 || ctx.Err() != nil {
			return nil, err
		}
		// A reused connection the backend had closed: once more on a new
		// one, with the body rewound.
		if req.Body != nil && req.Body != http.NoBody {
			body, gerr := req.GetBody()
			if gerr != nil {
				return nil, err
			}
			req = req.Clone(ctx)
			req.Body = body
		}
	}
}

// exchange writes req on pc and reads the answer's header. retry reports
// that the request may be sent again on a new connection: pc was reused
// and the backend closed it before answering.
func (t *Transport) exchange(ctx context.Context, pc *persistConn, req *http.Request) (_ *http.Response, retry bool, _ error) {
	if t.Timeout > 0 {
		_ = pc.conn.SetDeadline(time.Now().Add(t.Timeout))
	}
	stop := context.AfterFunc(ctx, func() { _ = pc.conn.SetDeadline(aLongTimeAgo) })
	fail := func(err error) (*http.Response, bool, error) {
		stop()
		pc.conn.Close()
		if cerr := ctx.Err(); cerr != nil {
			err = cerr
		}
		return nil, false, err
	}
	var wrote chan error // the writer's result when it runs beside the reader
	if largeBody(req) {
		// A large body is written while the answer is read, as net/http
		// does: a backend that answers before it has read everything (a
		// 413, an echo that streams) would otherwise wait on a full
		// buffer with the request's writer.
		wrote = make(chan error, 1)
		go func() { wrote <- writeRequest(pc, req) }()
	} else if err := writeRequest(pc, req); err != nil {
		// A write to a reused connection the backend had closed: the
		// request did not reach it.
		if pc.reused && isClosedConn(err) && rewindable(req) {
			stop()
			pc.conn.Close()
			return nil, true, err
		}
		return fail(err)
	}
	if _, err := pc.br.Peek(1); err != nil {
		if wrote != nil {
			pc.conn.Close()
			if werr := <-wrote; werr != nil && ctx.Err() == nil && !isClosedConn(werr) {
				err = werr // the body could not be read
			}
		}
		// Nothing came back on a reused connection: the backend closed
		// it. Sending again is safe for requests that may repeat.
		if pc.reused && isClosedConn(err) && replayable(req) && ctx.Err() == nil {
			stop()
			pc.conn.Close()
			return nil, true, err
		}
		return fail(err)
	}
	for {
		resp, err := http.ReadResponse(pc.br, req)
		if err != nil {
			return fail(err)
		}
		switch {
		case resp.StatusCode == http.StatusSwitchingProtocols:
			resp.Body.Close()
			return fail(errors.New("gateway transport: the backend switched protocols, which connector calls do not support"))
		case resp.StatusCode >= 100 && resp.StatusCode < 200:
			continue // 100 Continue, 103 Early Hints: the answer follows
		}
		reuse := !resp.Close && !req.Close
		if resp.Body == http.NoBody {
			t.release(pc, stop, reuse, wrote)
			return resp, false, nil
		}
		resp.Body = &answerBody{t: t, pc: pc, rc: resp.Body, stop: stop, reuse: reuse, wrote: wrote}
		return resp, false, nil
	}
}

// release ends an exchange: the connection goes back to the pool when it
// may carry another request, the context did not fire meanwhile and the
// request's writer, if it ran beside the reader, has written everything.
func (t *Transport) release(pc *persistConn, stop func() bool, reuse bool, wrote chan error) {
	if wrote != nil {
		select {
		case err := <-wrote:
			reuse = reuse && err == nil
		default: // still writing: the backend answered without reading it all
			reuse = false
		}
	}
	if !stop() || !reuse {
		pc.conn.Close()
		return
	}
	t.put(pc)
}

// writeRequest writes req on pc.
func writeRequest(pc *persistConn, req *http.Request) error {
	err := req.Write(pc.bw)
	if err == nil {
		err = pc.bw.Flush()
	}
	return err
}

// largeBody reports whether req's body is written beside the reader:
// longer than 64 KiB, or of unknown length (0 with a body, as
// http.Request.Write reads it).
func largeBody(req *http.Request) bool {
	if req.Body == nil || req.Body == http.NoBody {
		return false
	}
	return req.ContentLength <= 0 || req.ContentLength > 64<<10
}

// answerBody is an answer's body; at its end the connection returns to
// the pool. Close may come from another goroutine while a Read waits: it
// closes the connection first, which ends the Read.
type answerBody struct {
	t     *Transport
	pc    *persistConn
	rc    io.ReadCloser
	stop  func() bool
	reuse bool
	wrote chan error // see Transport.exchange

	ended atomic.Bool // the connection was released or closed
	mu    sync.Mutex  // serializes rc
}

func (b *answerBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ended.Load() {
		return 0, errBodyClosed
	}
	n, err := b.rc.Read(p)
	if err != nil && b.ended.CompareAndSwap(false, true) {
		if err == io.EOF {
			b.t.release(b.pc, b.stop, b.reuse, b.wrote)
		} else {
			b.stop()
			b.pc.conn.Close()
		}
	}
	return n, err
}

func (b *answerBody) Close() error {
	if !b.ended.CompareAndSwap(false, true) {
		return nil
	}
	b.stop()
	// The rest of the body is not wanted: the connection cannot carry
	// another request. Closing it first ends a waiting Read and keeps
	// rc.Close from draining.
	b.pc.conn.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.rc.Close()
	return nil
}

// get returns an idle connection to key or dials one.
func (t *Transport) get(ctx context.Context, key, scheme, addr string) (*persistConn, error) {
	now := time.Now()
	idleFor := t.IdleTimeout
	if idleFor <= 0 {
		idleFor = 90 * time.Second
	}
	for {
		t.mu.Lock()
		list := t.idle[key]
		if len(list) == 0 {
			t.mu.Unlock()
			break
		}
		pc := list[len(list)-1]
		list[len(list)-1] = nil
		t.idle[key] = list[:len(list)-1]
		t.mu.Unlock()
		idle := now.Sub(pc.idleAt)
		if idle > idleFor || (idle > recheckAfter && !alive(pc.raw)) {
			pc.conn.Close()
			continue
		}
		pc.reused = true
		return pc, nil
	}
	return t.dial(ctx, key, scheme, addr)
}

func (t *Transport) dial(ctx context.Context, key, scheme, addr string) (*persistConn, error) {
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	raw, err := dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	conn := raw
	if scheme == "https" {
		cfg := &tls.Config{}
		if t.TLSClientConfig != nil {
			cfg = t.TLSClientConfig.Clone()
		}
		if cfg.ServerName == "" {
			h, _, _ := net.SplitHostPort(addr)
			cfg.ServerName = strings.Trim(h, "[]")
		}
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(raw, cfg)
		hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			raw.Close()
			return nil, err
		}
		conn = tc
	}
	return &persistConn{key: key, conn: conn, raw: raw, br: bufio.NewReaderSize(conn, 4<<10), bw: bufio.NewWriterSize(conn, 4<<10)}, nil
}

func (t *Transport) put(pc *persistConn) {
	limit := t.MaxIdlePerHost
	if limit <= 0 {
		limit = 256
	}
	if pc.br.Buffered() > 0 { // bytes beyond the answer: out of step
		pc.conn.Close()
		return
	}
	if t.Timeout > 0 {
		// An idle connection has no deadline: the liveness peek would
		// take a passed one for a dead connection.
		_ = pc.conn.SetDeadline(time.Time{})
	}
	pc.idleAt = time.Now()
	t.mu.Lock()
	if t.idle == nil {
		t.idle = map[string][]*persistConn{}
	}
	if len(t.idle[pc.key]) >= limit {
		t.mu.Unlock()
		pc.conn.Close()
		return
	}
	t.idle[pc.key] = append(t.idle[pc.key], pc)
	t.mu.Unlock()
}

// CloseIdleConnections closes the pooled connections (called by
// [http.Client.CloseIdleConnections]).
func (t *Transport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, list := range idle {
		for _, pc := range list {
			pc.conn.Close()
		}
	}
}

// hostPort is host with the scheme's default port when it names none.
func hostPort(scheme, host string) string {
	if _, port, err := net.SplitHostPort(host); err == nil && port != "" {
		return host
	}
	h := strings.TrimSuffix(host, ":")
	if strings.Count(h, ":") > 1 && !strings.HasPrefix(h, "[") { // a bare IPv6 address
		h = "[" + h + "]"
	}
	if scheme == "https" {
		return h + ":443"
	}
	return h + ":80"
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// rewindable reports whether req can be written again.
func rewindable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// replayable reports whether req may be sent again after the backend
// may have seen it: its method is idempotent (or it carries an
// idempotency key) and its body can be written again — net/http's rule.
func replayable(req *http.Request) bool {
	if !rewindable(req) {
		return false
	}
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return req.Header.Get("Idempotency-Key") != "" || req.Header.Get("X-Idempotency-Key") != ""
}

// isClosedConn reports whether err says the backend closed the
// connection.
func isClosedConn(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}
