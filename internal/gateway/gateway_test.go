// SPDX-License-Identifier: Apache-2.0

package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/openapi"
	"github.com/junction-run/junction/internal/connection"
	"github.com/junction-run/junction/internal/gateway"
)

func TestGatewayEndToEnd(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	f := newFixture(t, []*connector.Spec{importContoso(t, strings.TrimPrefix(up.URL, "http://"))}, gateway.Options{}, connection.Options{})
	alice := f.createKey(t, "alice", "user")
	bob := f.createKey(t, "bob", "user")
	eve := f.createKey(t, "eve", "user")
	f.answers = nil // the key answers show the keys, once

	st, _, body := f.do(t, http.MethodPut, "/api/connections/up", alice, map[string]any{
		"connector": "contoso", "parameters": map[string]any{"api_key": secret, "region": "us"}, "sharedWith": []string{"bob"}})
	if st != http.StatusCreated {
		t.Fatalf("PUT: %d %s", st, body)
	}
	if v := decode(t, body); v["parameters"].(map[string]any)["api_key"] != "***" || v["owner"] != "alice" {
		t.Fatalf("PUT answer %s", body)
	}

	t.Run("invoke", func(t *testing.T) {
		st, _, body := f.do(t, http.MethodPost, "/api/connections/up/invoke/GetItem", alice, map[string]any{"parameters": map[string]any{"id": "42"}})
		if st != http.StatusOK {
			t.Fatalf("invoke: %d %s", st, body)
		}
		got := decode(t, body)
		if got["statusCode"].(float64) != 200 || got["body"].(map[string]any)["path"] != "/items/42" {
			t.Fatalf("invoke answer %s", body)
		}
		r := up.last(t)
		if r.Header.Get("X-Api-Key") != secret || r.Header.Get("X-Region") != "us" || r.Path != "/items/42" {
			t.Fatalf("upstream saw key %t, X-Region %q, path %q", r.Header.Get("X-Api-Key") == secret, r.Header.Get("X-Region"), r.Path)
		}
	})

	t.Run("pass-through", func(t *testing.T) {
		st, _, body := f.do(t, http.MethodGet, "/apim/contoso/up/items/7?expand=true", bob, nil)
		if st != http.StatusOK || decode(t, body)["path"] != "/items/7" {
			t.Fatalf("proxy GET: %d %s", st, body)
		}
		r := up.last(t)
		if r.Header.Get("X-Api-Key") != secret || r.Header.Get("X-Region") != "us" || r.Query != "expand=true" {
			t.Fatalf("upstream saw key %t, X-Region %q, query %q", r.Header.Get("X-Api-Key") == secret, r.Header.Get("X-Region"), r.Query)
		}
		if a := r.Header.Get("Authorization"); a != "" {
			t.Fatalf("the caller's key reached the upstream: %q", a)
		}
		st, _, body = f.do(t, http.MethodPost, "/apim/contoso/up/items", bob, map[string]any{"title": "x"})
		if st != http.StatusOK {
			t.Fatalf("proxy POST: %d %s", st, body)
		}
		if r := up.last(t); string(r.Body) != `{"title":"x"}` || r.Method != http.MethodPost || r.Header.Get("X-Api-Key") != secret {
			t.Fatalf("upstream got %s %s", r.Method, r.Body)
		}
		st, _, _ = f.do(t, http.MethodGet, "/apim/other/up/items/7", bob, nil)
		if st != http.StatusNotFound {
			t.Fatalf("wrong connector id: %d", st)
		}
		st, _, _ = f.do(t, http.MethodGet, "/apim/contoso/up/items/%2e%2e/secret", bob, nil)
		if st != http.StatusBadRequest {
			t.Fatalf("dot-dot segment: %d", st)
		}
	})

	t.Run("dynamic", func(t *testing.T) {
		st, _, body := f.do(t, http.MethodGet, "/api/connections/up/dynamic/CreateItem/category", alice, nil)
		if st != http.StatusOK || !strings.Contains(string(body), `{"value":"c1","displayName":"Books"}`) {
			t.Fatalf("dynamic values: %d %s", st, body)
		}
		st, _, body = f.do(t, http.MethodGet, "/api/connections/up/dynamic/CreateItem/body?category=c2", alice, nil)
		if st != http.StatusOK || !strings.Contains(string(body), `"title":{"type":"string"}`) {
			t.Fatalf("dynamic schema: %d %s", st, body)
		}
		if r := up.last(t); r.Path != "/schema" || r.Query != "kind=c2" {
			t.Fatalf("schema call %s?%s", r.Path, r.Query)
		}
		st, _, _ = f.do(t, http.MethodGet, "/api/connections/up/dynamic/GetItem/id", alice, nil)
		if st != http.StatusBadRequest {
			t.Fatalf("not dynamic: %d", st)
		}
	})

	t.Run("caller authentication and access", func(t *testing.T) {
		tests := []struct {
			name, method, path, key string
			body                    any
			want                    int
		}{
			{"no key invoke", http.MethodPost, "/api/connections/up/invoke/GetItem", "", map[string]any{"parameters": map[string]any{"id": "1"}}, 401},
			{"wrong key invoke", http.MethodPost, "/api/connections/up/invoke/GetItem", "jk_wrong", map[string]any{"parameters": map[string]any{"id": "1"}}, 401},
			{"no key proxy", http.MethodGet, "/apim/contoso/up/items/1", "", nil, 401},
			{"wrong key proxy", http.MethodGet, "/apim/contoso/up/items/1", "jk_wrong", nil, 401},
			{"no key list", http.MethodGet, "/api/connections", "", nil, 401},
			{"stranger invoke", http.MethodPost, "/api/connections/up/invoke/GetItem", eve, map[string]any{"parameters": map[string]any{"id": "1"}}, 403},
			{"stranger proxy", http.MethodGet, "/apim/contoso/up/items/1", eve, nil, 403},
			{"stranger get", http.MethodGet, "/api/connections/up", eve, nil, 403},
			{"stranger calls", http.MethodGet, "/api/connections/up/calls", eve, nil, 403},
			{"stranger dynamic", http.MethodGet, "/api/connections/up/dynamic/CreateItem/category", eve, nil, 403},
			{"shared may not change", http.MethodPut, "/api/connections/up", bob, map[string]any{"connector": "contoso", "parameters": map[string]any{"api_key": "x"}}, 403},
			{"shared may not delete", http.MethodDelete, "/api/connections/up", bob, nil, 403},
			{"user may not create keys", http.MethodPost, "/api/keys", bob, map[string]any{"name": "x", "role": "admin"}, 403},
			{"shared may get", http.MethodGet, "/api/connections/up", bob, nil, 200},
			{"admin may get", http.MethodGet, "/api/connections/up", adminKey, nil, 200},
			{"missing connection", http.MethodGet, "/api/connections/nope", alice, nil, 404},
			{"unknown operation", http.MethodPost, "/api/connections/up/invoke/Nope", alice, map[string]any{}, 404},
			{"bad JSON", http.MethodPost, "/api/connections/up/invoke/GetItem", alice, `{"parameters":`, 400},
			{"unknown field", http.MethodPut, "/api/connections/x", alice, map[string]any{"connector": "contoso", "params": map[string]any{}}, 400},
			{"bad parameter", http.MethodPut, "/api/connections/x", alice, map[string]any{"connector": "contoso", "parameters": map[string]any{"api_key": "k", "region": "mars"}}, 400},
			{"missing parameter", http.MethodPost, "/api/connections/up/invoke/GetItem", alice, map[string]any{}, 400},
			{"bad name", http.MethodPut, "/api/connections/-x", alice, map[string]any{"connector": "contoso"}, 400},
			{"no route", http.MethodGet, "/api/connections/up/nothing/here", alice, nil, 404},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				st, hdr, body := f.do(t, tt.method, tt.path, tt.key, tt.body)
				if st != tt.want {
					t.Fatalf("%s %s: %d %s, want %d", tt.method, tt.path, st, body, tt.want)
				}
				if st >= 400 {
					if ct := hdr.Get("Content-Type"); ct != "application/problem+json" {
						t.Fatalf("content type %q", ct)
					}
					p := decode(t, body)
					if p["status"].(float64) != float64(st) || p["title"] == "" || !strings.HasPrefix(p["type"].(string), "urn:junction:problem:") {
						t.Fatalf("problem %s", body)
					}
				}
			})
		}
	})

	t.Run("revoked key", func(t *testing.T) {
		if st, _, _ := f.do(t, http.MethodDelete, "/api/keys/eve", adminKey, nil); st != http.StatusNoContent {
			t.Fatalf("DELETE key: %d", st)
		}
		if st, _, _ := f.do(t, http.MethodGet, "/api/connections", eve, nil); st != http.StatusUnauthorized {
			t.Fatalf("revoked key: %d", st)
		}
	})

	t.Run("health from calls", func(t *testing.T) {
		health := func() map[string]any {
			_, _, body := f.do(t, http.MethodGet, "/api/connections/up", alice, nil)
			return decode(t, body)["health"].(map[string]any)
		}
		st, _, body := f.do(t, http.MethodPost, "/api/connections/up/invoke/Fail", alice, map[string]any{"parameters": map[string]any{"code": "x"}})
		if st != 200 || health()["state"] != "connected" {
			t.Fatalf("after a success: %d %s %v", st, body, health())
		}
		up.setHandler(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"bad key"}`))
		})
		st, _, body = f.do(t, http.MethodPost, "/api/connections/up/invoke/Fail", alice, map[string]any{"parameters": map[string]any{"code": "401"}})
		if st != 200 || decode(t, body)["statusCode"].(float64) != 401 {
			t.Fatalf("401 envelope: %d %s", st, body)
		}
		if h := health(); h["state"] != "unauthenticated" || !strings.Contains(h["lastError"].(string), "401") {
			t.Fatalf("after a 401: %v", h)
		}
		up.setHandler(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
		f.do(t, http.MethodPost, "/api/connections/up/invoke/Fail", alice, map[string]any{"parameters": map[string]any{"code": "502"}})
		if h := health(); h["state"] != "error" {
			t.Fatalf("after a 502: %v", h)
		}
		up.setHandler(nil)
		st, _, body = f.do(t, http.MethodPost, "/api/connections/up/test", alice, nil)
		if st != 200 {
			t.Fatalf("test: %d %s", st, body)
		}
	})

	t.Run("calls", func(t *testing.T) {
		st, _, body := f.do(t, http.MethodGet, "/api/connections/up/calls?limit=50", bob, nil)
		if st != http.StatusOK {
			t.Fatalf("calls: %d %s", st, body)
		}
		var got struct{ Value []connection.Call }
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		ops := map[string]bool{}
		for _, c := range got.Value {
			ops[c.Operation+"/"+c.Caller] = true
			if c.At.IsZero() || c.LatencyMS <= 0 {
				t.Fatalf("call %+v", c)
			}
		}
		for _, want := range []string{"GetItem/alice", "GetItem/bob", "CreateItem/bob", "ListCategories/alice", "Fail/alice"} {
			if !ops[want] {
				t.Errorf("no call %s in %v", want, ops)
			}
		}
		if st, _, _ := f.do(t, http.MethodGet, "/api/connections/up/calls?limit=0", bob, nil); st != http.StatusBadRequest {
			t.Fatalf("bad limit: %d", st)
		}
	})

	t.Run("list, keys and delete", func(t *testing.T) {
		st, _, body := f.do(t, http.MethodGet, "/api/connections", bob, nil)
		if st != 200 || !strings.Contains(string(body), `"name":"up"`) {
			t.Fatalf("list: %d %s", st, body)
		}
		st, _, body = f.do(t, http.MethodGet, "/api/keys", adminKey, nil)
		if st != 200 || !strings.Contains(string(body), `"name":"alice"`) || strings.Contains(string(body), "jk_") {
			t.Fatalf("keys: %d %s", st, body)
		}
	})

	f.assertNoSecret(t, secret, alice, bob)

	if st, _, _ := f.do(t, http.MethodDelete, "/api/connections/up", alice, nil); st != http.StatusNoContent {
		t.Fatalf("delete: %d", st)
	}
	if st, _, _ := f.do(t, http.MethodGet, "/api/connections/up", alice, nil); st != http.StatusNotFound {
		t.Fatalf("after delete: %d", st)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := newFixture(t, []*connector.Spec{importContoso(t, strings.TrimPrefix(up.URL, "http://"))},
		gateway.Options{Limits: gateway.Limits{PerConnection: 0.5, ConnectionBurst: 2, PerKey: 0.25, KeyBurst: 3}, Now: func() time.Time { return now }}, connection.Options{})
	alice := f.createKey(t, "alice", "user")
	for _, n := range []string{"one", "two"} {
		if st, _, body := f.do(t, http.MethodPut, "/api/connections/"+n, alice, map[string]any{"connector": "contoso", "parameters": map[string]any{"api_key": secret}}); st != 201 {
			t.Fatalf("PUT: %d %s", st, body)
		}
	}
	call := func(conn string) (int, http.Header, []byte) {
		return f.do(t, http.MethodPost, "/api/connections/"+conn+"/invoke/GetItem", alice, map[string]any{"parameters": map[string]any{"id": "1"}})
	}
	steps := []struct {
		conn       string
		want       int
		retryAfter string
	}{
		{"one", 200, ""}, {"one", 200, ""},
		{"one", 429, "2"}, // connection bucket empty: 0.5/s
		{"two", 200, ""},
		{"two", 429, "4"}, // key bucket empty: 0.25/s
	}
	for i, s := range steps {
		st, hdr, body := call(s.conn)
		if st != s.want || hdr.Get("Retry-After") != s.retryAfter {
			t.Fatalf("step %d (%s): %d Retry-After %q %s, want %d %q", i, s.conn, st, hdr.Get("Retry-After"), body, s.want, s.retryAfter)
		}
		if st == 429 && decode(t, body)["code"] != "TooManyRequests" {
			t.Fatalf("429 problem %s", body)
		}
	}
	// Pass-through calls share the buckets.
	if st, hdr, _ := f.do(t, http.MethodGet, "/apim/contoso/one/items/1", alice, nil); st != 429 || hdr.Get("Retry-After") == "" {
		t.Fatalf("proxy: %d", st)
	}
	if up.count() != 3 {
		t.Fatalf("upstream got %d calls, want 3", up.count())
	}
}

func TestInvokeGo(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	f := newFixture(t, []*connector.Spec{importContoso(t, strings.TrimPrefix(up.URL, "http://"))}, gateway.Options{}, connection.Options{})
	ctx := context.Background()
	alice := connection.Principal{Name: "alice", Role: connection.RoleUser}
	if _, _, err := f.svc.Put(ctx, alice, "c", connection.PutInput{Connector: "contoso", Parameters: map[string]any{"api_key": secret}}); err != nil {
		t.Fatal(err)
	}
	out, err := f.gw.Invoke(ctx, alice, "c", "GetItem", connector.Input{Parameters: map[string]any{"id": "5"}})
	if err != nil || out.StatusCode != 200 {
		t.Fatalf("Invoke = %+v, %v", out, err)
	}
	_, err = f.gw.Invoke(ctx, connection.Principal{Name: "mallory", Role: connection.RoleUser}, "c", "GetItem", connector.Input{Parameters: map[string]any{"id": "5"}})
	var ce *connection.Error
	if !errors.As(err, &ce) || ce.Code != connection.CodeForbidden {
		t.Fatalf("stranger: %v", err)
	}
	// The host may authenticate callers itself.
	req, _ := http.NewRequestWithContext(gateway.WithPrincipal(ctx, alice), http.MethodGet, "/api/connections/c", nil)
	rec := newRecorder()
	f.gw.Handler().ServeHTTP(rec, req)
	if rec.status != 200 {
		t.Fatalf("principal from context: %d", rec.status)
	}
	_ = url.Values{}
}

type respRecorder struct {
	h      http.Header
	status int
}

func newRecorder() *respRecorder                    { return &respRecorder{h: http.Header{}} }
func (r *respRecorder) Header() http.Header         { return r.h }
func (r *respRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *respRecorder) WriteHeader(s int)           { r.status = s }

// TestCallLogUnderConcurrency: records from concurrent calls are all
// queued, a flush stores them, the store keeps the newest CallLogSize,
// and after Close a call is stored at once.
func TestCallLogUnderConcurrency(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	f := newFixture(t, []*connector.Spec{importContoso(t, strings.TrimPrefix(up.URL, "http://"))}, gateway.Options{CallLogSize: 50}, connection.Options{})
	ctx := context.Background()
	alice := connection.Principal{Name: "alice", Role: connection.RoleUser}
	if _, _, err := f.svc.Put(ctx, alice, "c", connection.PutInput{Connector: "contoso", Parameters: map[string]any{"api_key": secret}}); err != nil {
		t.Fatal(err)
	}
	calls := func() []*connection.Call {
		t.Helper()
		list, err := f.svc.Calls(ctx, alice, "c", 1000)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 5 {
				id := strconv.Itoa(w*100 + i)
				if _, err := f.gw.Invoke(ctx, alice, "c", "GetItem", connector.Input{Parameters: map[string]any{"id": id}}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	f.gw.FlushCalls(ctx)
	if n := len(calls()); n != 40 {
		t.Fatalf("%d calls recorded after a flush, want 40", n)
	}
	for range 30 {
		if _, err := f.gw.Invoke(ctx, alice, "c", "GetItem", connector.Input{Parameters: map[string]any{"id": "1"}}); err != nil {
			t.Fatal(err)
		}
	}
	f.gw.FlushCalls(ctx)
	if n := len(calls()); n < 50 || n > 70 {
		t.Fatalf("%d calls kept, want the newest 50 (and at most a trim's slack)", n)
	}
	if err := f.gw.Close(ctx); err != nil {
		t.Fatal(err)
	}
	before := calls()[0].ID
	if _, err := f.gw.Invoke(ctx, alice, "c", "GetItem", connector.Input{Parameters: map[string]any{"id": "2"}}); err != nil {
		t.Fatal(err)
	}
	if after := calls()[0].ID; after == before {
		t.Fatal("a call after Close was not stored at once")
	}
}

// TestDynamicListAndProperties: x-ms-dynamic-list and
// x-ms-dynamic-properties (the successors of -values and -schema) on a
// parameter and on body properties, nested objects and array items
// included, with parameterReference arguments.
func TestDynamicListAndProperties(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	swagger := `{"swagger": "2.0", "info": {"title": "Shop", "version": "1.0"},
  "host": "` + strings.TrimPrefix(up.URL, "http://") + `", "schemes": ["http"], "basePath": "/",
  "paths": {
    "/categories": {"get": {"operationId": "ListCategories", "responses": {"200": {"description": "ok"}}}},
    "/schema": {"get": {"operationId": "GetSchema", "parameters": [{"name": "kind", "in": "query", "type": "string"}], "responses": {"200": {"description": "ok"}}}},
    "/orders": {"post": {"operationId": "CreateOrder", "parameters": [
      {"name": "store", "in": "query", "type": "string",
       "x-ms-dynamic-list": {"operationId": "ListCategories", "itemsPath": "value", "itemValuePath": "id", "itemTitlePath": "name"}},
      {"name": "owner", "in": "query", "type": "string",
       "x-ms-dynamic-list": {"builtInOperation": "AadGraph.GetUsers", "itemValuePath": "id"}},
      {"name": "body", "in": "body", "schema": {"type": "object", "properties": {
        "kind": {"type": "string", "x-ms-dynamic-list": {"operationId": "ListCategories", "itemValuePath": "id", "itemTitlePath": "name"}},
        "details": {"type": "object", "x-ms-dynamic-properties": {"operationId": "GetSchema", "itemValuePath": "schema",
          "parameters": {"kind": {"parameterReference": "body/kind"}}}},
        "lines": {"type": "array", "items": {"type": "object", "properties": {
          "sku": {"type": "string", "x-ms-dynamic-values": {"operationId": "ListCategories", "value-path": "id"}}}}}}}}],
      "responses": {"200": {"description": "ok"}}}}}}`
	spec, _, err := openapi.Parse([]byte(swagger), "shop.json")
	if err != nil {
		t.Fatal(err)
	}
	spec.ID = "shop"
	f := newFixture(t, []*connector.Spec{spec}, gateway.Options{}, connection.Options{})
	alice := f.createKey(t, "alice", "user")
	if st, _, body := f.do(t, http.MethodPut, "/api/connections/shop", alice, map[string]any{"connector": "shop"}); st != http.StatusCreated {
		t.Fatalf("PUT: %d %s", st, body)
	}
	for _, tc := range []struct {
		param string
		want  string
	}{
		{"store", `"values":[{"value":"c1","displayName":"Books"},{"value":"c2","displayName":"Music"}]`},
		{"body.kind", `{"value":"c2","displayName":"Music"}`},
		{"body%2Fdetails?kind=c2", `"schema":{"properties":{"title":{"type":"string"}},"type":"object"}`},
		{"body.lines.sku", `{"value":"c1","displayName":"c1"}`},
	} {
		st, _, body := f.do(t, http.MethodGet, "/api/connections/shop/dynamic/CreateOrder/"+tc.param, alice, nil)
		if st != http.StatusOK || !strings.Contains(string(body), tc.want) {
			t.Errorf("%s: %d %s, want %s", tc.param, st, body, tc.want)
		}
	}
	if r := up.last(t); r.Path != "/categories" {
		t.Errorf("last call %s", r.Path)
	}
	st, _, body := f.do(t, http.MethodGet, "/api/connections/shop/dynamic/CreateOrder/body%2Fdetails?kind=c2", alice, nil)
	if r := up.last(t); st != http.StatusOK || r.Path != "/schema" || r.Query != "kind=c2" {
		t.Errorf("properties call %s?%s (%d %s)", r.Path, r.Query, st, body)
	}
	if st, _, _ := f.do(t, http.MethodGet, "/api/connections/shop/dynamic/CreateOrder/body.nothing", alice, nil); st != http.StatusNotFound {
		t.Errorf("an unknown body property: %d, want 404", st)
	}
	if st, _, body := f.do(t, http.MethodGet, "/api/connections/shop/dynamic/CreateOrder/owner", alice, nil); st != http.StatusBadRequest || !strings.Contains(string(body), "AadGraph.GetUsers") {
		t.Errorf("a built-in operation: %d %s", st, body)
	}
}
