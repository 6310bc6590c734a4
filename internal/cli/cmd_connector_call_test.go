// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// callServer records the last request and answers per path.
type callServer struct {
	*httptest.Server
	mu   sync.Mutex
	last *http.Request
	body string
}

func newCallServer(t *testing.T) *callServer {
	t.Helper()
	s := &callServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.last, s.body = r.Clone(r.Context()), string(b)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/v1/items/missing":
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"no such item"}`)
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"created":true}`)
		default:
			w.Header().Set("X-Request-Id", "r1")
			_, _ = io.WriteString(w, `{"id":"7","name":"thing"}`)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *callServer) request() (*http.Request, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last, s.body
}

const callFolder = "testdata/call/items"

func TestConnectorCall(t *testing.T) {
	t.Parallel()
	t.Run("api key, query parameter and setheader policy", func(t *testing.T) {
		t.Parallel()
		srv := newCallServer(t)
		code, out, errOut := run(t, "", "connector", "call", callFolder, "GetItem",
			"--param", "id=7", "--param", "verbose=true", "--auth", "apikey=K-123",
			"--conn", "tenant=acme", "--base-url", srv.URL+"/v1")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{"HTTP 200 OK\n", "X-Request-Id: r1\n", "\n{\n  \"id\": \"7\",\n  \"name\": \"thing\"\n}\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		r, _ := srv.request()
		if r.URL.Path != "/v1/items/7" || r.URL.Query().Get("verbose") != "true" {
			t.Errorf("request %s", r.URL)
		}
		if r.Header.Get("X-Api-Key") != "K-123" || r.Header.Get("X-Client") != "junction-acme" {
			t.Errorf("headers %v", r.Header)
		}
	})
	t.Run("basic auth, body from a file, json output", func(t *testing.T) {
		t.Parallel()
		srv := newCallServer(t)
		file := filepath.Join(t.TempDir(), "body.json")
		if err := os.WriteFile(file, []byte(`{"name":"new"}`), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := run(t, "", "connector", "call", callFolder, "CreateItem",
			"--body", "@"+file, "--auth", "basic=user:pa:ss", "--base-url", srv.URL+"/v1", "--json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var doc struct {
			StatusCode int               `json:"statusCode"`
			Headers    map[string]string `json:"headers"`
			Body       map[string]any    `json:"body"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out)
		}
		if doc.StatusCode != 201 || doc.Body["created"] != true || doc.Headers["Content-Type"] != "application/json" {
			t.Errorf("output %+v", doc)
		}
		r, body := srv.request()
		if u, p, ok := r.BasicAuth(); !ok || u != "user" || p != "pa:ss" {
			t.Errorf("basic auth %q %q %v", u, p, ok)
		}
		if body != `{"name":"new"}` || r.Header.Get("X-Client") != "junction-default" {
			t.Errorf("body %q, X-Client %q", body, r.Header.Get("X-Client"))
		}
	})
	t.Run("an HTTP error answer is printed and exits 1", func(t *testing.T) {
		t.Parallel()
		srv := newCallServer(t)
		code, out, errOut := run(t, "", "connector", "call", callFolder, "GetItem",
			"--param", "id=missing", "--auth", "apikey=SECRET-KEY", "--base-url", srv.URL+"/v1")
		if code != 1 || !strings.Contains(out, "HTTP 404 Not Found") {
			t.Fatalf("exit %d, out %q", code, out)
		}
		if !strings.Contains(errOut, "no such item") || !strings.Contains(errOut, "not_found") || strings.Contains(errOut, "SECRET-KEY") {
			t.Errorf("stderr %q", errOut)
		}
	})
	t.Run("input errors", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			args []string
			want string
		}{
			{[]string{"GetItem"}, `missing required parameter "id"`},
			{[]string{"Nope"}, `no operation "Nope"`},
			{[]string{"GetItem", "--param", "id"}, "want name=value"},
			{[]string{"CreateItem", "--body", "{oops"}, "--body is not valid JSON"},
			{[]string{"CreateItem", "--body", `{"name":1}`}, `parameter "body" does not match its schema: at /name`},
			{[]string{"GetItem", "--param", "id=1", "--auth", "magic=x"}, "unknown kind"},
			{[]string{"GetItem", "--param", "id=1", "--auth", "basic=nocolon"}, "USER:PASS"},
		}
		for _, tt := range tests {
			t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
				t.Parallel()
				args := append([]string{"connector", "call", callFolder}, tt.args...)
				args = append(args, "--base-url", "http://127.0.0.1:1")
				code, _, errOut := run(t, "", args...)
				if code != 1 || !strings.Contains(errOut, tt.want) {
					t.Errorf("exit %d, stderr %q, want %q", code, errOut, tt.want)
				}
			})
		}
	})
	t.Run("auth kind the connector does not declare warns", func(t *testing.T) {
		t.Parallel()
		srv := newCallServer(t)
		code, _, errOut := run(t, "", "connector", "call", callFolder, "GetItem", "--param", "id=1",
			"--auth", "bearer=tok", "--base-url", srv.URL+"/v1")
		if code != 0 || !strings.Contains(errOut, "warning: connector") {
			t.Errorf("exit %d, stderr %q", code, errOut)
		}
	})
}
