// SPDX-License-Identifier: Apache-2.0

package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/openapi"
	"github.com/junction-run/junction/connector/rest"
	"github.com/junction-run/junction/internal/connection"
	"github.com/junction-run/junction/internal/connection/sqlitestore"
	"github.com/junction-run/junction/internal/gateway"
)

const (
	secret   = "sk-live-0d9c8b7a6f5e4d3c2b1a"
	adminKey = "jk_admin-key-for-tests-0123456789"
)

// recorded is one request the upstream received.
type recorded struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// upstream is a local service that records what it receives.
type upstream struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []recorded
	handler http.HandlerFunc
}

func newUpstream(t testing.TB) *upstream {
	t.Helper()
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.reqs = append(u.reqs, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		h := u.handler
		u.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/categories":
			_, _ = io.WriteString(w, `{"value":[{"id":"c1","name":"Books"},{"id":"c2","name":"Music"}]}`)
		case r.URL.Path == "/schema":
			_, _ = io.WriteString(w, `{"schema":{"type":"object","properties":{"title":{"type":"string"}}}}`)
		default:
			_, _ = io.WriteString(w, `{"ok":true,"path":"`+r.URL.Path+`"}`)
		}
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) setHandler(h http.HandlerFunc) {
	u.mu.Lock()
	u.handler = h
	u.mu.Unlock()
}

func (u *upstream) last(t testing.TB) recorded {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.reqs) == 0 {
		t.Fatal("the upstream received nothing")
	}
	return u.reqs[len(u.reqs)-1]
}

func (u *upstream) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.reqs)
}

// importContoso imports a Power Platform connector folder whose API key
// security definition and setheader policy point at the upstream.
func importContoso(t testing.TB, host string) *connector.Spec {
	t.Helper()
	swagger := `{
  "swagger": "2.0",
  "info": {"title": "Contoso", "version": "1.0"},
  "host": "` + host + `", "schemes": ["http"], "basePath": "/",
  "securityDefinitions": {"API Key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}},
  "security": [{"API Key": []}],
  "paths": {
    "/items/{id}": {"get": {"operationId": "GetItem", "parameters": [{"name": "id", "in": "path", "required": true, "type": "string"}],
      "responses": {"200": {"description": "ok"}}}},
    "/items": {"post": {"operationId": "CreateItem", "parameters": [
        {"name": "category", "in": "query", "type": "string",
         "x-ms-dynamic-values": {"operationId": "ListCategories", "value-collection": "value", "value-path": "id", "value-title": "name"}},
        {"name": "body", "in": "body", "schema": {"type": "object",
         "x-ms-dynamic-schema": {"operationId": "GetSchema", "parameters": {"kind": {"parameter": "category"}}, "value-path": "schema"}}}],
      "responses": {"200": {"description": "ok"}}}},
    "/categories": {"get": {"operationId": "ListCategories", "responses": {"200": {"description": "ok"}}}},
    "/schema": {"get": {"operationId": "GetSchema", "parameters": [{"name": "kind", "in": "query", "type": "string"}], "responses": {"200": {"description": "ok"}}}},
    "/fail/{code}": {"get": {"operationId": "Fail", "parameters": [{"name": "code", "in": "path", "required": true, "type": "string"}], "responses": {"200": {"description": "ok"}}}}
  }
}`
	props := `{"properties": {
  "connectionParameters": {
    "api_key": {"type": "securestring", "uiDefinition": {"displayName": "API Key", "constraints": {"required": "true"}}},
    "region": {"type": "string", "defaultValue": "eu", "uiDefinition": {"constraints": {"required": "false",
      "allowedValues": [{"text": "Europe", "value": "eu"}, {"text": "US", "value": "us"}]}}}
  },
  "policyTemplateInstances": [
    {"templateId": "setheader", "title": "region header", "parameters": {
      "x-ms-apimTemplateParameter.name": "X-Region", "x-ms-apimTemplateParameter.value": "@connectionParameters('region')",
      "x-ms-apimTemplateParameter.existsAction": "override", "x-ms-apimTemplate-policySection": "Request"}}
  ]
}}`
	spec, _, err := openapi.ParseFolder([]byte(swagger), "apiDefinition.swagger.json", []byte(props), "apiProperties.json")
	if err != nil {
		t.Fatal(err)
	}
	spec.ID = "contoso"
	return spec
}

// fixture is a gateway over a real store, served by an httptest server.
type fixture struct {
	dir     string
	db      *sqlitestore.DB
	svc     *connection.Service
	keys    *connection.Keys
	gw      *gateway.Gateway
	srv     *httptest.Server
	reg     *connector.Registry
	logs    *syncBuffer
	mu      sync.Mutex
	answers []string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newFixture(t testing.TB, specs []*connector.Spec, o gateway.Options, co connection.Options) *fixture {
	t.Helper()
	return newFixtureIn(t, t.TempDir(), specs, o, co)
}

// newFixtureIn builds a fixture over the data directory dir, which may
// hold an earlier fixture's store and key file.
func newFixtureIn(t testing.TB, dir string, specs []*connector.Spec, o gateway.Options, co connection.Options) *fixture {
	t.Helper()
	f := &fixture{dir: dir, reg: connector.NewRegistry(), logs: &syncBuffer{}}
	for _, s := range specs {
		if err := f.reg.Register(rest.New(s, rest.Options{})); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	f.db, err = sqlitestore.OpenDir(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	kr, err := connection.OpenKeyring(f.dir, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	co.Store, co.Keyring, co.Connectors, co.Logger = f.db, kr, f.reg.Lookup, log
	f.srv = httptest.NewUnstartedServer(nil)
	if co.RedirectURL == "" {
		co.RedirectURL = "http://" + f.srv.Listener.Addr().String() + "/oauth/callback"
	}
	f.svc, err = connection.NewService(co)
	if err != nil {
		t.Fatal(err)
	}
	f.keys = connection.NewKeys(f.db, connection.KeysOptions{Reserved: []string{"admin"}})
	o.Connections, o.Keys, o.Connectors, o.Logger = f.svc, f.keys, f.reg.Lookup, log
	o.CheckAdmin = func(h string) bool { return h == "Bearer "+adminKey }
	f.gw, err = gateway.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.gw.Close(context.Background()) })
	f.srv.Config.Handler = f.gw.Handler()
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

// do sends a request with a key and returns status, headers and body;
// every answer is kept for the secret search.
func (f *fixture) do(t testing.TB, method, path, key string, body any) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var hdr bytes.Buffer
	_ = resp.Header.Write(&hdr)
	f.mu.Lock()
	f.answers = append(f.answers, hdr.String()+"\n"+string(data))
	f.mu.Unlock()
	return resp.StatusCode, resp.Header, data
}

// createKey makes a caller key with the admin key.
func (f *fixture) createKey(t testing.TB, name, role string) string {
	t.Helper()
	st, _, body := f.do(t, http.MethodPost, "/api/keys", adminKey, map[string]string{"name": name, "role": role})
	if st != http.StatusCreated {
		t.Fatalf("POST /api/keys: %d %s", st, body)
	}
	var k struct{ Key string }
	if err := json.Unmarshal(body, &k); err != nil || k.Key == "" {
		t.Fatalf("key answer %s", body)
	}
	return k.Key
}

func decode(t testing.TB, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("answer %q: %v", data, err)
	}
	return m
}

// assertNoSecret searches the data directory, the logs and every answer.
func (f *fixture) assertNoSecret(t testing.TB, secrets ...string) {
	t.Helper()
	f.mu.Lock()
	answers := strings.Join(f.answers, "\n")
	f.mu.Unlock()
	logs := f.logs.String()
	for _, s := range secrets {
		if strings.Contains(answers, s) {
			t.Errorf("an API answer contains the secret %.6s…", s)
		}
		if strings.Contains(logs, s) {
			t.Errorf("the logs contain the secret %.6s…", s)
		}
		err := filepath.WalkDir(f.dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("file %s contains the secret %.6s…", p, s)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
