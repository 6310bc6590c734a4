// SPDX-License-Identifier: Apache-2.0

package gateway_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/connection"
	"github.com/junction-run/junction/internal/gateway"
)

// With no policy reading bodies, the pass-through sends and returns the
// bytes as they are (no JSON decoding and re-encoding), streamed when the
// length is known, and still bounds answers by MaxBodyBytes.
func TestProxyPassesBytesThrough(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	f := newFixture(t, []*connector.Spec{importContoso(t, strings.TrimPrefix(up.URL, "http://"))}, gateway.Options{MaxBodyBytes: 1 << 10}, connection.Options{})
	alice := f.createKey(t, "alice", "user")
	if st, _, body := f.do(t, http.MethodPut, "/api/connections/up", alice, map[string]any{
		"connector": "contoso", "parameters": map[string]any{"api_key": secret, "region": "us"}}); st != http.StatusCreated {
		t.Fatalf("PUT: %d %s", st, body)
	}
	const in = `{"z": 1, "a": "<b>", "n": 1.50}`
	up.setHandler(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/items":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Set-Cookie", "s=1")
			_, _ = io.WriteString(w, `{"z": 1,  "a": [ ] }`)
		case "/items/chunked":
			w.Header().Set("Content-Type", "text/plain")
			w.(http.Flusher).Flush() // no Content-Length: the answer is chunked
			_, _ = io.WriteString(w, strings.Repeat("x", 2<<10))
		case "/items/long":
			w.Header().Set("Content-Length", "4096")
			_, _ = io.WriteString(w, strings.Repeat("x", 4096))
		case "/items/short":
			_, _ = io.WriteString(w, "ok")
		}
	})
	st, hdr, body := f.do(t, http.MethodPost, "/apim/contoso/up/items", alice, in)
	if st != http.StatusOK || string(body) != `{"z": 1,  "a": [ ] }` || hdr.Get("Set-Cookie") != "" {
		t.Fatalf("answer %d %q, Set-Cookie %q", st, body, hdr.Get("Set-Cookie"))
	}
	r := up.last(t)
	if string(r.Body) != in || r.Header.Get("X-Api-Key") != secret || r.Header.Get("X-Region") != "us" {
		t.Fatalf("upstream got %q, key %t, X-Region %q", r.Body, r.Header.Get("X-Api-Key") == secret, r.Header.Get("X-Region"))
	}
	if st, _, body := f.do(t, http.MethodGet, "/apim/contoso/up/items/short", alice, nil); st != http.StatusOK || string(body) != "ok" {
		t.Fatalf("short answer %d %q", st, body)
	}
	for _, p := range []string{"/apim/contoso/up/items/chunked", "/apim/contoso/up/items/long"} {
		if st, _, body := f.do(t, http.MethodGet, p, alice, nil); st != http.StatusBadRequest || !strings.Contains(string(body), "larger than") {
			t.Fatalf("%s: %d %s", p, st, body)
		}
	}
	f.gw.FlushCalls(t.Context())
	st, _, body = f.do(t, http.MethodGet, "/api/connections/up/calls", alice, nil)
	if st != http.StatusOK || strings.Count(string(body), `"status":200`) != 2 || strings.Count(string(body), "larger than") != 2 {
		t.Fatalf("calls %d %s", st, body)
	}
	f.assertNoSecret(t, secret)
}
