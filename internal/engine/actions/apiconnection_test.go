// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
)

const petKey = "pet-key-123"

// petServer serves the testdata petstore connector under /v1.
func petServer(t testing.TB) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	js := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /v1/pets", func(w http.ResponseWriter, r *http.Request) {
		js(w, 200, []any{map[string]any{"limit": r.URL.Query().Get("limit"), "trace": r.Header.Get("X-Trace"), "extra": r.Header.Get("X-Not-Declared")}})
	})
	mux.HandleFunc("POST /v1/pets", func(w http.ResponseWriter, r *http.Request) {
		var v any
		_ = json.NewDecoder(r.Body).Decode(&v)
		js(w, 201, map[string]any{"created": v})
	})
	mux.HandleFunc("GET /v1/pets/mine", func(w http.ResponseWriter, r *http.Request) {
		js(w, 200, []any{map[string]any{"mine": true}})
	})
	mux.HandleFunc("GET /v1/pets/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "404" {
			js(w, 404, map[string]any{"error": "no such pet"})
			return
		}
		js(w, 200, map[string]any{"id": r.PathValue("id")})
	})
	mux.HandleFunc("GET /v1/files/{file}", func(w http.ResponseWriter, r *http.Request) {
		js(w, 200, map[string]any{"raw": r.URL.EscapedPath()})
	})
	mux.HandleFunc("GET /v1/flaky", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(503)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != petKey {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func petConnections(t testing.TB, srv *httptest.Server) *FileConnections {
	t.Helper()
	settings := map[string]string{"PETSTORE_URL": srv.URL + "/v1", "PETSTORE_KEY": petKey}
	fc, err := NewFileConnections("testdata/apiconn/connections.json", connector.NewRegistry(), func(k string) (string, bool) {
		v, ok := settings[k]
		return v, ok
	})
	noErr(t, err)
	fc.HTTPClient = srv.Client()
	return fc
}

func TestAPIConnection(t *testing.T) {
	t.Parallel()
	srv := petServer(t)
	fc := petConnections(t, srv)
	env := &expr.MapEnv{Parameters: map[string]any{
		"$connections": decode(t, `{"pets":{"connectionId":"/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/connections/petstore-1"}}`),
	}}
	const ref = `"host":{"connection":{"referenceName":"petstore"}}`
	tests := []struct {
		name, inputs string
		want         string // JSON of outputs.body
		status       int64
		code         string
		retryAfter   time.Duration
	}{
		{"queries and declared headers", `{` + ref + `,"method":"get","path":"/pets","queries":{"limit":5},"headers":{"x-trace":"t1","X-Not-Declared":"y"}}`, `[{"extra":"","limit":"5","trace":"t1"}]`, 200, "", 0},
		{"consumption reference and path parameter", `{"host":{"connection":{"name":"@parameters('$connections')['petstore']['connectionId']"}},"method":"get","path":"/pets/@{encodeURIComponent('a b')}"}`, `{"id":"a b"}`, 200, "", 0},
		{"connection id resolved by its last segment", `{"host":{"connection":{"name":"@parameters('$connections')['pets']['connectionId']"}},"method":"get","path":"/pets/7"}`, `{"id":"7"}`, 200, "", 0},
		{"literal path wins and base path accepted", `{` + ref + `,"method":"get","path":"/v1/pets/mine"}`, `[{"mine":true}]`, 200, "", 0},
		{"double encoded parameter inside a segment", `{` + ref + `,"method":"get","path":"/files/@{encodeURIComponent(encodeURIComponent('x/y'))}.json"}`, `{"raw":"/v1/files/x%252Fy.json"}`, 200, "", 0},
		{"body", `{` + ref + `,"method":"post","path":"/pets","body":{"name":"Rex"}}`, `{"created":{"name":"Rex"}}`, 201, "", 0},
		{"body fails its schema", `{` + ref + `,"method":"post","path":"/pets","body":{"nick":"Rex"}}`, ``, 0, "BadRequest", 0},
		{"404 kept as outputs", `{` + ref + `,"method":"get","path":"/pets/404"}`, `{"error":"no such pet"}`, 404, "NotFound", 0},
		{"503 retryable", `{` + ref + `,"method":"get","path":"/flaky"}`, ``, 503, "ServiceUnavailable", 2 * time.Second},
		{"no such operation", `{` + ref + `,"method":"delete","path":"/pets"}`, ``, 0, "OperationNotFound", 0},
		{"unregistered connector", `{"host":{"connection":{"referenceName":"unregistered"}},"method":"get","path":"/x"}`, ``, 0, "ConnectionNotFound", 0},
		{"missing app setting", `{"host":{"connection":{"referenceName":"nokey"}},"method":"get","path":"/pets"}`, ``, 0, "ConnectionNotFound", 0},
		{"service provider connection", `{"host":{"connection":{"referenceName":"sql"}},"method":"get","path":"/pets"}`, ``, 0, "ConnectionNotFound", 0},
		{"unknown connection", `{"host":{"connection":{"referenceName":"nope"}},"method":"get","path":"/pets"}`, ``, 0, "ConnectionNotFound", 0},
		{"no host", `{"method":"get","path":"/pets"}`, ``, 0, "InvalidActionInputs", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := call(t, "ApiConnection", tt.inputs, env)
			c.Connections = fc
			res, err := invoke(t, context.Background(), c)
			if tt.code == "" {
				noErr(t, err)
				isFalse(t, res.Failed, "%+v", res.Error)
			} else {
				isTrue(t, res.Failed, "%+v", res)
				equal(t, tt.code, res.Error.Code, res.Error.Message)
				isFalse(t, strings.Contains(res.Error.Message, petKey), "no key in %q", res.Error.Message)
				noErr(t, err)
				equal(t, tt.retryAfter, res.RetryAfter)
				equal(t, tt.retryAfter != 0, res.Retryable, "retryable")
			}
			if tt.status != 0 {
				out := res.Outputs.(*expr.Object)
				equal(t, tt.status, mustGet(out, "statusCode"))
				if tt.want != "" {
					equal(t, tt.want, jsonText(mustGet(out, "body")))
				}
			}
			isFalse(t, strings.Contains(jsonText(res.Inputs), petKey), "no key in the inputs")
		})
	}
}

func TestAPIConnectionWithoutResolver(t *testing.T) {
	t.Parallel()
	res, err := invoke(t, context.Background(), call(t, "ApiConnection", `{"host":{"connection":{"referenceName":"x"}},"method":"get","path":"/"}`, nil))
	noErr(t, err)
	isTrue(t, res.Failed && res.Error.Code == "ConnectionNotFound", "%+v", res)
}

func TestNewFileConnections(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, content, errHas string
	}{
		{"unknown junction field", `{"managedApiConnections":{"a":{"api":{"id":"/x/a"},"junction":{"connectr":"x"}}}}`, "connectr"},
		{"not json", `{`, "decoding"},
		{"null connection", `{"managedApiConnections":{"a":null}}`, "null"},
		{"empty file is fine", `{}`, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(dir, string(rune('a'+i))+".json")
			noErr(t, os.WriteFile(p, []byte(tt.content), 0o600))
			_, err := NewFileConnections(p, nil, nil)
			if tt.errHas == "" {
				noErr(t, err)
				return
			}
			isTrue(t, err != nil && strings.Contains(err.Error(), tt.errHas), "err %v", err)
		})
	}
	_, err := NewFileConnections(filepath.Join(dir, "missing.json"), nil, nil)
	isTrue(t, errors.Is(err, os.ErrNotExist), "err %v", err)
}

// TestFileConnectionsRegistry resolves a connection by api.id to a
// registered connector.
func TestFileConnectionsRegistry(t *testing.T) {
	t.Parallel()
	reg := connector.NewRegistry()
	noErr(t, reg.Register(stubProvider{}))
	p := filepath.Join(t.TempDir(), "connections.json")
	noErr(t, os.WriteFile(p, []byte(`{"managedApiConnections":{"Stub":{"api":{"id":"/subscriptions/x/managedApis/stub"},"connection":{"id":"/connections/stub-1"},"junction":{"parameters":{"token":"@appsetting('T')","port":8080}}}}}`), 0o600))
	fc, err := NewFileConnections(p, reg, func(k string) (string, bool) { return "tok-" + k, true })
	noErr(t, err)
	equal(t, []string{"Stub"}, fc.Names())
	for _, ref := range []string{"Stub", "stub", "stub-1"} {
		prov, conn, err := fc.Resolve(context.Background(), ref)
		noErr(t, err)
		equal(t, "stub", prov.Spec().ID)
		equal(t, "tok-T", conn.String("token"))
		equal(t, int64(8080), conn.Values["port"])
	}
}

type stubProvider struct{}

func (stubProvider) Spec() connector.Spec {
	return connector.Spec{ID: "stub", Title: "Stub", Operations: []connector.Operation{{ID: "Ping", Kind: connector.KindAction, Method: "GET", Path: "/ping"}}}
}

func (stubProvider) Invoke(context.Context, connector.Connection, string, connector.Input) (connector.Output, error) {
	return connector.Output{StatusCode: 200, Body: io.EOF.Error()}, nil
}
