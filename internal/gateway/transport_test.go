// SPDX-License-Identifier: Apache-2.0

package gateway

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer is an httptest server that counts the connections it
// accepted.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func get(t *testing.T, tr http.RoundTripper, method, url string, body string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return resp, string(data)
}

func TestTransportReusesConnections(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Method", r.Method)
		switch r.URL.Path {
		case "/chunked":
			w.Write([]byte("part one, "))
			w.(http.Flusher).Flush()
			w.Write([]byte("part two"))
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/early":
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusOK)
			w.Write([]byte("after hints"))
		default:
			w.Write([]byte("echo:" + string(b)))
		}
	})
	tr := &Transport{}
	cases := []struct{ method, path, body, want string }{
		{"GET", "/a", "", "echo:"},
		{"POST", "/b", `{"x":1}`, `echo:{"x":1}`},
		{"GET", "/chunked", "", "part one, part two"},
		{"HEAD", "/a", "", ""},
		{"DELETE", "/empty", "", ""},
		{"GET", "/early", "", "after hints"},
		{"PUT", "/c", "last", "echo:last"},
	}
	for _, c := range cases {
		resp, body := get(t, tr, c.method, srv.URL+c.path, c.body)
		if body != c.want || resp.Header.Get("X-Method") != c.method {
			t.Errorf("%s %s: %d %q (X-Method %q), want %q", c.method, c.path, resp.StatusCode, body, resp.Header.Get("X-Method"), c.want)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for %d sequential calls, want 1", n, len(cases))
	}
}

// closingServer answers one request per connection and then closes it
// without saying so (no Connection: close), as a backend whose idle
// timeout fires right after an answer does.
func closingServer(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var served atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				io.Copy(io.Discard, req.Body)
				served.Add(1)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}()
		}
	}()
	return "http://" + ln.Addr().String(), &served
}

func TestTransportRetriesIdempotentRequestsOnClosedConnections(t *testing.T) {
	url, served := closingServer(t)
	tr := &Transport{}
	for i := range 3 { // each call after the first finds a closed connection
		if _, body := get(t, tr, "GET", url+"/x", ""); body != "ok" {
			t.Fatalf("call %d: body %q", i, body)
		}
	}
	if n := served.Load(); n != 3 {
		t.Errorf("served %d requests, want 3 (one per call)", n)
	}
}

func TestTransportDoesNotRepeatPOSTButNoticesStaleConnections(t *testing.T) {
	url, served := closingServer(t)
	tr := &Transport{}
	get(t, tr, "POST", url+"/x", "a")
	// At once: the POST goes to the closed connection and fails rather
	// than being sent twice.
	req, _ := http.NewRequest("POST", url+"/x", strings.NewReader("b"))
	if resp, err := tr.RoundTrip(req); err == nil {
		resp.Body.Close()
		// The close may already have been seen; either way nothing is
		// sent twice.
	}
	// After a pause the pool checks the idle connection before use.
	get(t, tr, "POST", url+"/x", "c")
	time.Sleep(recheckAfter + 100*time.Millisecond)
	if _, body := get(t, tr, "POST", url+"/x", "d"); body != "ok" {
		t.Fatalf("POST after a pause: %q", body)
	}
	if n := served.Load(); n > 4 {
		t.Errorf("served %d requests for 4 POSTs: a POST was repeated", n)
	}
}

func TestTransportCancelAndTimeout(t *testing.T) {
	release := make(chan struct{})
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow-body" {
			w.Header().Set("Content-Length", "10")
			w.Write([]byte("12345"))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/slow", nil)
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	if _, err := (&Transport{}).RoundTrip(req); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled call: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the cancelled call took %s", d)
	}

	tr := &Transport{Timeout: 100 * time.Millisecond}
	req, _ = http.NewRequest("GET", srv.URL+"/slow-body", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("reading past the timeout: %v, want a timeout", err)
	}
}

func TestTransportEarlyCloseDropsTheConnection(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, big)
	})
	tr := &Transport{}
	req, _ := http.NewRequest("GET", srv.URL, nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	io.ReadFull(resp.Body, buf)
	resp.Body.Close() // must not read the remaining megabyte
	if _, err := resp.Body.Read(buf); err == nil {
		t.Error("a closed body still reads")
	}
	if _, body := get(t, tr, "GET", srv.URL, ""); len(body) != len(big) {
		t.Errorf("second call: %d bytes", len(body))
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (the half-read one is not reused)", n)
	}
}

func TestTransportTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	}))
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	tr := &Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	for range 2 {
		if _, body := get(t, tr, "GET", srv.URL, ""); body != "HTTP/1.1" {
			t.Errorf("body %q", body)
		}
	}
	req, _ := http.NewRequest("GET", srv.URL, nil)
	if _, err := (&Transport{}).RoundTrip(req); err == nil {
		t.Error("an unknown certificate authority was accepted")
	}
}

func TestGatewayDoFollowsSameHostRedirects(t *testing.T) {
	var posts atomic.Int32
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/post":
			posts.Add(1)
			http.Redirect(w, r, "/see-other", http.StatusSeeOther)
		case "/temp":
			http.Redirect(w, r, "/echo", http.StatusTemporaryRedirect)
		case "/away":
			http.Redirect(w, r, "http://example.invalid/x", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			io.WriteString(w, r.Method+" "+r.URL.Path+" "+string(b))
		}
	})
	g := &Gateway{client: (&EgressRules{}).NewClient(5 * time.Second)}
	call := func(method, path, body string) (*http.Response, string, error) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		resp, err := g.do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b), nil
	}
	if _, body, err := call("POST", "/post", "x"); err != nil || body != "GET /see-other " || posts.Load() != 1 {
		t.Errorf("303 after POST: %q, %v, the POST arrived %d times", body, err, posts.Load())
	}
	if _, body, err := call("PUT", "/temp", "keep"); err != nil || body != "PUT /echo keep" {
		t.Errorf("307: %q, %v", body, err)
	}
	if resp, _, err := call("GET", "/away", ""); err != nil || resp.StatusCode != http.StatusFound {
		t.Errorf("a redirect to another host: %v, %v; want the 302 itself", resp, err)
	}
	if _, _, err := call("GET", "/loop", ""); err == nil || !strings.Contains(err.Error(), "10 redirects") {
		t.Errorf("a redirect loop: %v", err)
	}
}

// TestTransportCloseEndsAWaitingRead: a body closed from another
// goroutine ends a Read that waits for the backend.
func TestTransportCloseEndsAWaitingRead(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		w.Write([]byte("12345"))
		w.(http.Flusher).Flush()
		<-release
	})
	req, _ := http.NewRequest("GET", srv.URL, nil)
	resp, err := (&Transport{}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(resp.Body)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	resp.Body.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a body closed half-way read to its end")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the waiting Read")
	}
}

// TestTransportKeepsConnectionsIdleLongerThanTheTimeout: a connection
// idle for longer than the per-call timeout is still reused.
func TestTransportKeepsConnectionsIdleLongerThanTheTimeout(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	tr := &Transport{Timeout: 300 * time.Millisecond}
	get(t, tr, "GET", srv.URL, "")
	time.Sleep(recheckAfter + 300*time.Millisecond)
	get(t, tr, "GET", srv.URL, "")
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// TestTransportLargeBodies: a large body is written while the answer is
// read, so a backend that answers before reading it all (413) or that
// streams its answer while it reads (an echo) gets through.
func TestTransportLargeBodies(t *testing.T) {
	body := strings.Repeat("0123456789abcdef", 1<<20) // 16 MiB
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/too-large":
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			io.WriteString(w, "too large")
		case "/echo":
			_ = http.NewResponseController(w).EnableFullDuplex()
			io.Copy(w, r.Body)
		}
	})
	tr := &Transport{Timeout: 20 * time.Second}
	resp, got := get(t, tr, "POST", srv.URL+"/too-large", body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || got != "too large" {
		t.Errorf("early answer: %d %q", resp.StatusCode, got)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, got := get(t, tr, "POST", srv.URL+"/echo", body); got != body {
			t.Errorf("echo: %d bytes back of %d", len(got), len(body))
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the echo of a large body is stuck")
	}
	// A small body after them, on a pooled or a new connection.
	if _, got := get(t, tr, "POST", srv.URL+"/echo", "small"); got != "small" {
		t.Errorf("small echo: %q", got)
	}
}
