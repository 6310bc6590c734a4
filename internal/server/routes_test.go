// SPDX-License-Identifier: Apache-2.0

package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/connection"
	"github.com/junction-run/junction/internal/connection/sqlitestore"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/gateway"
	"github.com/junction-run/junction/internal/store/sqlite"
)

// newFullServer returns a server with a connector catalogue (no
// built-ins) and a gateway mounted, as junction serve wires them.
func newFullServer(t testing.TB) *Server {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.OpenDir(dir, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, engine.Options{})
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	db, err := sqlitestore.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := connection.NewKeyring(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := NewCatalogue(ctx, CatalogueOptions{Store: db, Builtin: connector.NewRegistry(), InUse: ConnectionsOf(db)})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := connection.NewService(connection.Options{Store: db, Keyring: kr, Connectors: cat.Lookup})
	if err != nil {
		t.Fatal(err)
	}
	keys := NewKeys(testKey, []byte("0123456789abcdef0123456789abcdef"))
	gw, err := gateway.New(gateway.Options{Connections: svc, Keys: connection.NewKeys(db, connection.KeysOptions{Reserved: []string{"admin"}}),
		Connectors: cat.Lookup, ProviderFactory: cat.ProviderFactory, CheckAdmin: keys.CheckAdmin})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gw.Close(ctx); _ = eng.Close(); _ = st.Close(); _ = db.Close() })
	s, err := New(ctx, Options{Store: st, Workflows: st, Engine: eng, Keys: keys, Connectors: cat, Gateway: gw.Handler(), GatewayPrefixes: gateway.Prefixes})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// openRoutes are the only routes served without a bearer key, and why.
var openRoutes = map[string]string{
	"GET /healthz": "liveness probes carry no key; it answers {\"status\":\"ok\"} and nothing else",
	"POST /api/workflows/{name}/triggers/{trigger}/invoke":        "signed URL: the sig is the credential (401 without it)",
	"POST /api/workflows/{name}/triggers/{trigger}/invoke/{path}": "signed URL: the sig is the credential (401 without it)",
	"POST /api/workflows/{name}/triggers/{trigger}/callback":      "signed push-trigger URL: the sig is the credential (401 without it)",
	"POST /callbacks/{token}":                                     "callback URL: the unguessable token is the credential (404 without a live one)",
	"GET /oauth/callback":                                         "OAuth redirect: the consent's state is the credential (400 without a pending one)",
}

// TestRouteTableNeedsAKey walks the route table (the server's routes, the
// gateway's routes and the OpenAPI document, which another test keeps
// equal to both) and proves that every route answers 401 without a key or
// with a wrong one, except the open routes above, which do nothing without
// their own credential.
func TestRouteTableNeedsAKey(t *testing.T) {
	t.Parallel()
	s := newFullServer(t)

	// The route tables declare exactly the open routes above.
	var open []string
	for _, rt := range routes() {
		if !rt.admin {
			m := rt.method
			if m == "" {
				m = "POST"
			}
			open = append(open, m+" "+openAPIPath(rt.pattern))
		}
	}
	for pattern, isOpen := range gateway.Routes() {
		if isOpen {
			open = append(open, pattern)
		}
	}
	var want []string
	for k := range openRoutes {
		want = append(want, k)
	}
	sort.Strings(open)
	sort.Strings(want)
	if !slices.Equal(open, want) {
		t.Fatalf("open routes %v, want %v", open, want)
	}

	paths := OpenAPI()["paths"].(obj)
	for path, ops := range paths {
		for m := range ops.(obj) {
			method := strings.ToUpper(m)
			key := method + " " + path
			target := paramRE.ReplaceAllString(path, "x")
			for _, auth := range []string{"", "Bearer jk_wrong", "Basic YWRtaW46YWRtaW4="} {
				t.Run(key+" "+auth, func(t *testing.T) {
					t.Parallel()
					rec := serveAuth(s, method, target, auth)
					if _, isOpen := openRoutes[key]; isOpen {
						if rec.Code < 400 && key != "GET /healthz" {
							t.Fatalf("open route %s answered %d without its credential", key, rec.Code)
						}
						return
					}
					if rec.Code != http.StatusUnauthorized {
						t.Fatalf("%s without a valid key: %d, want 401: %s", key, rec.Code, rec.Body)
					}
				})
			}
			// Methods a path does not document never succeed either.
			for _, pm := range probeMethods {
				if _, ok := ops.(obj)[strings.ToLower(pm)]; ok || pm == "HEAD" {
					continue
				}
				rec := serveAuth(s, pm, target, "")
				if rec.Code < 400 {
					t.Errorf("%s %s (undocumented) answered %d", pm, path, rec.Code)
				}
			}
		}
	}
}

func serveAuth(s *Server, method, target, auth string) *httptest.ResponseRecorder {
	req, _ := http.NewRequest(method, target, strings.NewReader(""))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

const petSwagger = `{"swagger": "2.0", "info": {"title": "Pet Store", "version": "1.0"},
 "host": "127.0.0.1:9", "basePath": "/", "schemes": ["http"],
 "securityDefinitions": {"api_key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}},
 "paths": {"/pets/{id}": {"get": {"operationId": "GetPet", "summary": "Get a pet",
   "parameters": [{"name": "id", "in": "path", "required": true, "type": "string"}],
   "responses": {"200": {"description": "ok", "schema": {"type": "object", "properties": {"name": {"type": "string"}}}}}}}}}`

const petProperties = `{"properties": {"connectionParameters": {"api_key": {"type": "securestring",
  "uiDefinition": {"displayName": "API key", "description": "key", "tooltip": "key", "constraints": {"required": "true"}}}},
 "policyTemplateInstances": [{"templateId": "setheader", "title": "tag", "parameters": {"x-ms-apimTemplateParameter.name": "X-Via",
  "x-ms-apimTemplateParameter.value": "junction", "x-ms-apimTemplateParameter.existsAction": "override",
  "x-ms-apimTemplate-policySection": "Request"}}]}}`

func TestConnectorCatalogue(t *testing.T) {
	t.Parallel()
	s := newFullServer(t)
	folder := `{"apiDefinition": ` + petSwagger + `, "apiProperties": ` + petProperties + `}`
	postman := `{"info": {"name": "Echo", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
	  "item": [{"name": "Get thing", "request": {"method": "GET", "url": "http://127.0.0.1:9/things"}}]}`
	yaml := "openapi: 3.0.0\ninfo: {title: Y, version: '1'}\nservers: [{url: 'http://127.0.0.1:9'}]\npaths:\n  /a:\n    get:\n      operationId: GetA\n      responses: {'200': {description: ok}}\n"
	for _, tc := range []struct {
		name, id, body string
		status         int
		code, want     string
	}{
		{"folder", "pets", folder, 201, "", `"kind":"folder"`},
		{"folder again", "pets", folder, 200, "", `"operations":1`},
		{"postman", "echo", postman, 201, "", `"kind":"postman"`},
		{"openapi yaml", "yaml_api", yaml, 201, "", `"kind":"openapi"`},
		{"bad json", "broken", "{\n  \"swagger\": \"2.0\",\n  \"info\": {\n}", 400, "InvalidConnector", `openapi:`},
		{"bad folder", "broken", `{"apiDefinition": {"swagger": "2.0"}, "extra": 1}`, 400, "InvalidConnector", "extra"},
		{"bad id", "Bad-Id", folder, 400, "InvalidConnectorId", "bad_id"},
		{"policy without its value", "pets_bad_policy", strings.Replace(folder, `"x-ms-apimTemplateParameter.value": "junction", `, "", 1), 201, "",
			`"file":"apiProperties.json","pointer":"/properties/policyTemplateInstances/0","message":"policy setheader (#1 \"tag\"): parameter`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(s, "PUT", "/api/connectors/"+tc.id, tc.body, true)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if tc.code != "" {
				var p Problem
				_ = json.Unmarshal(rec.Body.Bytes(), &p)
				if p.Code != tc.code {
					t.Fatalf("code %q: %s", p.Code, rec.Body)
				}
			}
		})
	}
	rec := serve(s, "GET", "/api/connectors/pets", "", true)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"GetPet"`) || !strings.Contains(rec.Body.String(), `"builtin":false`) {
		t.Fatalf("get: %d %s", rec.Code, rec.Body)
	}
	rec = serve(s, "GET", "/api/connectors", "", true)
	for _, id := range []string{"pets", "echo", "yaml_api"} {
		if !strings.Contains(rec.Body.String(), `"id":"`+id+`"`) {
			t.Fatalf("list lacks %s: %s", id, rec.Body)
		}
	}
	// A connection pins its connector.
	rec = serve(s, "PUT", "/api/connections/pets1", `{"connector": "pets", "parameters": {"api_key": "k-123456"}}`, true)
	if rec.Code != 201 {
		t.Fatalf("connection: %d %s", rec.Code, rec.Body)
	}
	if rec = serve(s, "DELETE", "/api/connectors/pets", "", true); rec.Code != 409 || !strings.Contains(rec.Body.String(), "pets1") {
		t.Fatalf("delete in use: %d %s", rec.Code, rec.Body)
	}
	if rec = serve(s, "DELETE", "/api/connectors/echo", "", true); rec.Code != 204 {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	if rec = serve(s, "GET", "/api/connectors/echo", "", true); rec.Code != 404 {
		t.Fatalf("deleted: %d %s", rec.Code, rec.Body)
	}
}
