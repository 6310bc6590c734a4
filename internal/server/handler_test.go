// SPDX-License-Identifier: Apache-2.0

package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/gateway"
	"github.com/junction-run/junction/internal/store/sqlite"
)

const testKey = "jk_test-admin-key"

func newTestServer(t testing.TB) *Server {
	t.Helper()
	st, err := sqlite.OpenDir(t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, engine.Options{})
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close(); _ = st.Close() })
	s, err := New(context.Background(), Options{Store: st, Workflows: st, Engine: eng, Keys: NewKeys(testKey, []byte("0123456789abcdef0123456789abcdef"))})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func serve(s *Server, method, target, body string, admin bool) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if admin {
		req.Header.Set("Authorization", "Bearer "+testKey)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

func TestProblemShapes(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	for _, tc := range []struct {
		name, method, target, body string
		admin                      bool
		status                     int
		code                       string
	}{
		{"unknown endpoint", "GET", "/nope", "", false, 404, "NotFound"},
		{"wrong method", "PATCH", "/api/workflows/x", "", true, 405, "MethodNotAllowed"},
		{"no key", "GET", "/api/workflows", "", false, 401, "Unauthorized"},
		{"missing workflow", "GET", "/api/workflows/x", "", true, 404, "WorkflowNotFound"},
		{"bad name", "PUT", "/api/workflows/bad%20name", `{"triggers":{},"actions":{}}`, true, 400, "InvalidWorkflowName"},
		{"not a definition", "PUT", "/api/workflows/x", `[1,2]`, true, 400, "InvalidDefinition"},
		{"syntax error", "PUT", "/api/workflows/x", `{"a":`, true, 400, "InvalidJSON"},
		{"missing run", "GET", "/api/workflows/x/runs/abc", "", true, 404, "WorkflowNotFound"},
		{"unsigned invoke", "POST", "/api/workflows/x/triggers/manual/invoke", "", false, 401, "DirectApiAuthorizationRequired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := serve(s, tc.method, tc.target, tc.body, tc.admin)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("content type %q", ct)
			}
			var p map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"type", "title", "status", "detail", "instance"} {
				if _, ok := p[k]; !ok {
					t.Errorf("problem lacks %s: %s", k, rec.Body)
				}
			}
			if p["code"] != tc.code || p["status"] != float64(tc.status) {
				t.Errorf("problem %s", rec.Body)
			}
			if strings.Contains(p["instance"].(string), "?") {
				t.Errorf("instance keeps the query: %v", p["instance"])
			}
		})
	}
}

func TestProblemJSONPaths(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	rec := serve(s, "PUT", "/api/workflows/x", `{"triggers": {"manual": {"type": "Request"}},
		"actions": {"A": {"type": "Compose", "inputs": 1, "runAfter": {"Ghost": ["Succeeded"]}}}}`, true)
	if rec.Code != 400 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Errors) == 0 || !strings.HasPrefix(p.Errors[0].Path, "$.actions.A") || p.Errors[0].Code == "" {
		t.Fatalf("errors %+v", p.Errors)
	}
}

func TestRecoverer(t *testing.T) {
	t.Parallel()
	h := recoverer(newTestServer(t).log, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 500 || p.CorrelationID == "" || p.Status != 500 || strings.Contains(rec.Body.String(), "boom") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

var paramRE = regexp.MustCompile(`\{([^}]+)\}`)

// TestOpenAPIMatchesRoutes checks that every route of the mux is in the
// OpenAPI document and every documented operation reaches a route.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	s := newFullServer(t)
	doc := OpenAPI()
	paths := doc["paths"].(obj)
	documented := map[string]bool{}
	for p, ops := range paths {
		for m := range ops.(obj) {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	routed := map[string]bool{}
	check := func(method, pattern string) {
		if method == "" {
			// Any-method routes: documented as POST (server) or under
			// every method they take (gateway pass-through).
			found := false
			for _, m := range probeMethods {
				if key := m + " " + openAPIPath(pattern); documented[key] {
					routed[key], found = true, true
				}
			}
			if !found {
				t.Errorf("route %s is not in the OpenAPI document", pattern)
			}
			return
		}
		key := method + " " + openAPIPath(pattern)
		routed[key] = true
		if !documented[key] {
			t.Errorf("route %s %s is not in the OpenAPI document", method, pattern)
		}
	}
	for _, rt := range routes() {
		check(rt.method, rt.pattern)
	}
	for pattern := range gateway.Routes() {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			method, path = "", pattern
		}
		check(method, path)
	}
	var keys []string
	for k := range documented {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !routed[k] {
			t.Errorf("documented operation %s has no route", k)
			continue
		}
		method, path, _ := strings.Cut(k, " ")
		concrete := paramRE.ReplaceAllString(path, "x")
		req := httptest.NewRequest(method, concrete, nil)
		if _, pat := s.mux.Handler(req); pat == "" || pat == "/" {
			t.Errorf("documented operation %s does not reach a route (pattern %q)", k, pat)
		}
	}
	// The served document is the same.
	rec := serve(s, "GET", "/api/openapi.json", "", true)
	var served map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &served); err != nil || served["openapi"] != "3.0.3" {
		t.Fatalf("served document: %v %s", err, rec.Body.String()[:min(200, rec.Body.Len())])
	}
	if len(served["paths"].(map[string]any)) != len(paths) {
		t.Error("served document differs")
	}
}

func TestMatchRelativePath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tmpl, path string
		ok         bool
		id         string
	}{
		{"/orders/{id}", "orders/42", true, "42"},
		{"orders/{id}", "/orders/42/", true, "42"},
		{"/orders/{id}", "orders", false, ""},
		{"/orders/{id}", "customers/42", false, ""},
		{"/orders/{id}/lines", "orders/1/lines", true, "1"},
	} {
		t.Run(tc.tmpl+" "+tc.path, func(t *testing.T) {
			t.Parallel()
			o, ok := matchRelativePath(tc.tmpl, tc.path)
			if ok != tc.ok {
				t.Fatalf("ok %v", ok)
			}
			if ok {
				if v, _ := o.Get("id"); v != tc.id {
					t.Fatalf("id %v", v)
				}
			}
		})
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k, gen, err := LoadKeys(dir, "")
	if err != nil || gen == "" {
		t.Fatalf("%v %q", err, gen)
	}
	if !k.CheckAdmin("Bearer "+gen) || k.CheckAdmin("Bearer "+gen+"x") || k.CheckAdmin(gen) {
		t.Fatal("admin check")
	}
	k2, gen2, err := LoadKeys(dir, "")
	if err != nil || gen2 != "" || !k2.CheckAdmin("bearer "+gen) {
		t.Fatalf("reload: %v %q", err, gen2)
	}
	q := k.SignedQuery("wf", "manual")
	if !k2.CheckSignature("wf", "manual", q) || k2.CheckSignature("wf2", "manual", q) || k2.CheckSignature("wf", "other", q) {
		t.Fatal("signature check")
	}
	k3, _, err := LoadKeys(dir, "env-key")
	if err != nil || !k3.CheckAdmin("Bearer env-key") || k3.CheckAdmin("Bearer "+gen) {
		t.Fatal("env key")
	}
}
