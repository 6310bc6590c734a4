// SPDX-License-Identifier: Apache-2.0

package openapi

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/junction-run/junction/connector"
)

// mustParse imports doc and fails the test on an error.
func mustParse(t *testing.T, doc string) (*connector.Spec, []connector.Warning) {
	t.Helper()
	spec, warns, err := Parse([]byte(doc), "test.json")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if err := spec.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return spec, warns
}

func op(t *testing.T, s *connector.Spec, id string) *connector.Operation {
	t.Helper()
	o, ok := s.Operation(id)
	if !ok {
		t.Fatalf("no operation %q; have %v", id, opIDs(s))
	}
	return o
}

func param(t *testing.T, o *connector.Operation, name string) *connector.Param {
	t.Helper()
	p, ok := o.Param(name)
	if !ok {
		t.Fatalf("operation %s has no parameter %q", o.ID, name)
	}
	return p
}

func opIDs(s *connector.Spec) []string {
	var ids []string
	for _, o := range s.Operations {
		ids = append(ids, o.ID)
	}
	return ids
}

func hasWarning(warns []connector.Warning, sub string) bool {
	for _, w := range warns {
		if strings.Contains(w.String(), sub) {
			return true
		}
	}
	return false
}

// compact re-encodes JSON without spaces, for comparisons.
func compact(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %q: %v", s, err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func sameJSON(t *testing.T, got json.RawMessage, want string) {
	t.Helper()
	if g, w := compact(t, string(got)), compact(t, want); g != w {
		t.Errorf("JSON = %s, want %s", g, w)
	}
}

const refsDoc = `{
  "swagger": "2.0",
  "info": {"title": "Refs", "version": "1"},
  "host": "api.example.com",
  "paths": {
    "/items/{id}": {
      "parameters": [{"$ref": "#/parameters/id"}],
      "get": {
        "operationId": "GetItem",
        "parameters": [{"$ref": "#/parameters/q", "x-ms-summary": "Beside the ref"}],
        "responses": {"200": {"$ref": "#/responses/ItemOK"}, "404": {"description": "none"}}
      },
      "put": {
        "operationId": "PutItem",
        "parameters": [
          {"name": "id", "in": "path", "required": true, "type": "integer"},
          {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/Node"}},
          {"$ref": "#/parameters/missing"}
        ],
        "responses": {"default": {"description": "x", "schema": {"$ref": "other.json#/X"}}}
      }
    }
  },
  "parameters": {
    "id": {"name": "id", "in": "path", "required": true, "type": "string", "x-ms-summary": "Item id"},
    "q": {"name": "q", "in": "query", "type": "string", "x-ms-summary": "Query"}
  },
  "responses": {"ItemOK": {"description": "ok", "schema": {"$ref": "#/definitions/Item"}}},
  "definitions": {
    "Item": {"type": "object", "properties": {"name": {"type": "string"}, "owner": {"$ref": "#/definitions/User"}}},
    "User": {"type": "object", "properties": {"login": {"type": "string", "x-ms-summary": "Login"}}},
    "Node": {"type": "object", "properties": {"child": {"$ref": "#/definitions/Node"}}}
  }
}`

func TestRefResolution(t *testing.T) {
	t.Parallel()
	spec, warns := mustParse(t, refsDoc)
	get, put := op(t, spec, "GetItem"), op(t, spec, "PutItem")
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"path-level parameter merged", param(t, get, "id").Summary, "Item id"},
		{"path-level parameter required", param(t, get, "id").Required, true},
		{"operation-level parameter ref", param(t, get, "q").In, connector.InQuery},
		{"x-ms-summary beside $ref wins", param(t, get, "q").Summary, "Beside the ref"},
		{"operation parameter overrides path parameter", string(param(t, put, "id").Schema), `{"type":"integer"}`},
		{"no duplicate id parameter", len(put.Parameters), 2},
		{"response ref", get.Responses[0].Description, "ok"},
		{"responses sorted", get.Responses[1].Status, "404"},
		{"missing ref warned", hasWarning(warns, `"#/parameters/missing" points to nothing`), true},
		{"external ref warned", hasWarning(warns, `external $ref "other.json#/X"`), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
	t.Run("nested schema refs inlined", func(t *testing.T) {
		t.Parallel()
		sameJSON(t, get.Responses[0].Schema, `{"type":"object","properties":{"name":{"type":"string"},
			"owner":{"type":"object","properties":{"login":{"type":"string","x-ms-summary":"Login"}}}}}`)
	})
	t.Run("recursive schema keeps its ref", func(t *testing.T) {
		t.Parallel()
		sameJSON(t, param(t, put, "body").Schema, `{"type":"object","properties":{"child":{"$ref":"#/definitions/Node"}}}`)
	})
}

const extensionsDoc = `{
  "swagger": "2.0",
  "info": {"title": "Ext", "version": "1", "x-ms-api-annotation": {"status": "Preview"}},
  "x-ms-connector-metadata": [{"propertyName": "Website", "propertyValue": "https://example.com"}],
  "x-ms-capabilities": {"testConnection": {"operationId": "Ping"}},
  "paths": {
    "/rows": {
      "get": {
        "operationId": "ListRows",
        "summary": "List rows",
        "x-ms-visibility": "important",
        "x-ms-api-annotation": {"family": "ListRows", "revision": 2},
        "x-ms-pageable": {"nextLinkName": "@odata.nextLink"},
        "deprecated": true,
        "parameters": [
          {"name": "table", "in": "query", "type": "string", "required": true,
           "x-ms-summary": "Table", "x-ms-visibility": "Advanced", "x-ms-url-encoding": "double",
           "x-ms-dynamic-values": {"operationId": "ListTables", "value-path": "name"},
           "x-ms-dynamic-list": {"operationId": "ListTables"},
           "x-ms-test-value": "t1", "default": "people"},
          {"name": "cols", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "csv",
           "x-ms-dynamic-schema": {"operationId": "GetSchema"}, "x-ms-dynamic-properties": {"operationId": "P"}}
        ],
        "responses": {"200": {"description": "ok", "headers": {"ETag": {"type": "string"}}}}
      }
    },
    "/ping": {"get": {"operationId": "Ping", "x-ms-trigger-hint": "hint", "responses": {}}}
  }
}`

func TestExtensions(t *testing.T) {
	t.Parallel()
	spec, _ := mustParse(t, extensionsDoc)
	list := op(t, spec, "ListRows")
	table, cols := param(t, list, "table"), param(t, list, "cols")
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"operation visibility", list.Visibility, connector.VisibilityImportant},
		{"deprecated", list.Deprecated, true},
		{"pagination", *list.Pagination, connector.Pagination{NextLinkName: "@odata.nextLink", ItemsName: "value"}},
		{"operation extension", string(list.Extensions["x-ms-api-annotation"]), `{"family":"ListRows","revision":2}`},
		{"every operation x-ms kept", string(list.Extensions["x-ms-visibility"]), `"important"`},
		{"param summary", table.Summary, "Table"},
		{"param visibility lowercased", table.Visibility, connector.VisibilityAdvanced},
		{"url encoding", table.URLEncoding, "double"},
		{"dynamic values", string(table.DynamicValues), `{"operationId":"ListTables","value-path":"name"}`},
		{"dynamic list", string(table.DynamicList), `{"operationId":"ListTables"}`},
		{"dynamic schema", string(cols.DynamicSchema), `{"operationId":"GetSchema"}`},
		{"dynamic properties", string(cols.DynamicProperties), `{"operationId":"P"}`},
		{"other param extension", string(table.Extensions["x-ms-test-value"]), `"t1"`},
		{"dedicated extensions not repeated", table.Extensions["x-ms-summary"] == nil, true},
		{"default", table.Default, "people"},
		{"collection format", cols.CollectionFormat, "csv"},
		{"non-body schema", string(cols.Schema), `{"type":"array","items":{"type":"string"}}`},
		{"response header", string(list.Responses[0].Headers["ETag"]), `{"type":"string"}`},
		{"trigger hint", op(t, spec, "Ping").TriggerHint, "hint"},
		{"document extension", string(spec.Extensions["x-ms-capabilities"]), `{"testConnection":{"operationId":"Ping"}}`},
		{"info extension", string(spec.Extensions["x-ms-api-annotation"]), `{"status":"Preview"}`},
		{"connector metadata", strings.Contains(string(spec.Extensions["x-ms-connector-metadata"]), "Website"), true},
		{"not a trigger", list.Kind, connector.KindAction},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestTriggers(t *testing.T) {
	t.Parallel()
	doc := `{"swagger": "2.0", "info": {"title": "T"},
	  "paths": {
	    "/poll": {"get": {"operationId": "Poll", "x-ms-trigger": "batch", "responses": {}}},
	    "/hook": {"post": {"operationId": "Hook", "x-ms-trigger": "single", "parameters": [
	      {"name": "callback", "in": "query", "type": "string", "x-ms-notification-url": true}], "responses": {}}},
	    "/hook2": {"post": {"operationId": "HookBody", "x-ms-trigger": "single", "parameters": [
	      {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/Sub"}}], "responses": {}}},
	    "/hook3": {"post": {"operationId": "HookText", "x-ms-trigger": "single", "parameters": [
	      {"name": "cb", "in": "header", "type": "string", "x-ms-notification-url": "true"}], "responses": {}}},
	    "/act": {"post": {"operationId": "Act", "parameters": [
	      {"name": "callback", "in": "query", "type": "string", "x-ms-notification-url": true}], "responses": {}}}
	  },
	  "definitions": {"Sub": {"type": "object", "properties": {"target": {"type": "object",
	    "properties": {"url": {"type": "string", "x-ms-notification-url": true}}}}}}}`
	spec, _ := mustParse(t, doc)
	tests := []struct {
		id      string
		kind    connector.Kind
		trigger connector.TriggerKind
	}{
		{"Poll", connector.KindTrigger, connector.TriggerPoll},
		{"Hook", connector.KindTrigger, connector.TriggerPush},
		{"HookBody", connector.KindTrigger, connector.TriggerPush},
		{"HookText", connector.KindTrigger, connector.TriggerPush},
		{"Act", connector.KindAction, connector.TriggerNone},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			o := op(t, spec, tt.id)
			if o.Kind != tt.kind || o.Trigger != tt.trigger {
				t.Errorf("kind %s/%s, want %s/%s", o.Kind, o.Trigger, tt.kind, tt.trigger)
			}
		})
	}
	if !param(t, op(t, spec, "Hook"), "callback").CallbackURL {
		t.Error("callback parameter not marked CallbackURL")
	}
}

func TestSynthesizedIDs(t *testing.T) {
	t.Parallel()
	doc := `{"swagger": "2.0", "info": {"title": "Ids"}, "paths": {
	  "/users/{id}/posts": {"get": {"responses": {}}, "delete": {"operationId": "Same", "responses": {}}},
	  "/a": {"get": {"operationId": "Same", "responses": {}}, "post": {"operationId": "Same", "responses": {}}},
	  "/b-c.d": {"put": {"responses": {}}}}}`
	spec, warns := mustParse(t, doc)
	want := []string{"get_users_id_posts", "Same", "Same_2", "Same_3", "put_b_c_d"}
	if got := opIDs(spec); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("ids = %v, want %v", got, want)
	}
	for _, sub := range []string{"no operationId; using \"get_users_id_posts\"", `"Same" is used more than once; this one is "Same_3"`} {
		if !hasWarning(warns, sub) {
			t.Errorf("no warning %q in %v", sub, warns)
		}
	}
	// The same document gives the same ids every time.
	again, _ := mustParse(t, doc)
	if strings.Join(opIDs(again), ",") != strings.Join(want, ",") {
		t.Error("synthesized ids are not stable")
	}
}

func TestBaseURLAndAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		doc      string
		baseURL  string
		auth     []connector.Auth
		conn     []string // connection parameter names derived from auth
		warnings []string
	}{
		{
			name: "swagger prefers https",
			doc: `{"swagger": "2.0", "info": {"title": "A"}, "host": "h.example", "basePath": "/v1", "schemes": ["http", "https"],
			  "securityDefinitions": {"API Key": {"type": "apiKey", "in": "header", "name": "X-Key"}}, "paths": {}}`,
			baseURL: "https://h.example/v1",
			auth:    []connector.Auth{{Name: "API Key", Kind: connector.AuthAPIKey, In: "header", ParamName: "X-Key", Parameter: "api_key"}},
			conn:    []string{"api_key"},
		},
		{
			name: "swagger http only, basic",
			doc: `{"swagger": "2.0", "info": {"title": "A"}, "host": "h.example", "schemes": ["http"],
			  "securityDefinitions": {"b": {"type": "basic"}}, "paths": {}}`,
			baseURL: "http://h.example",
			auth:    []connector.Auth{{Name: "b", Kind: connector.AuthBasic}},
			conn:    []string{"username", "password"},
		},
		{
			name: "swagger oauth2",
			doc: `{"swagger": "2.0", "info": {"title": "A"}, "host": "h.example", "basePath": "/",
			  "securityDefinitions": {"oauth2_auth": {"type": "oauth2", "flow": "accessCode",
			    "authorizationUrl": "https://login/authorize", "tokenUrl": "https://login/token", "scopes": {"read": "r", "write": "w"}}}, "paths": {}}`,
			baseURL: "https://h.example",
			auth: []connector.Auth{{Name: "oauth2_auth", Kind: connector.AuthOAuth2, Flow: "accessCode", AuthorizationURL: "https://login/authorize",
				TokenURL: "https://login/token", Scopes: []string{"read", "write"}, Parameter: "token"}},
			conn: []string{"token"},
		},
		{
			name: "openapi 3 servers and schemes",
			doc: `{"openapi": "3.0.3", "info": {"title": "A"}, "servers": [{"url": "https://{region}.example.com/api", "variables": {"region": {"default": "eu"}}}],
			  "components": {"securitySchemes": {
			    "basicAuth": {"type": "http", "scheme": "basic"},
			    "bearer": {"type": "http", "scheme": "bearer"},
			    "key": {"type": "apiKey", "in": "query", "name": "key"},
			    "oa": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://t", "scopes": {"s": ""}}}},
			    "weird": {"type": "mutualTLS"}}}, "paths": {}}`,
			baseURL: "https://eu.example.com/api",
			auth: []connector.Auth{
				{Name: "basicAuth", Kind: connector.AuthBasic},
				{Name: "bearer", Kind: connector.AuthBearer, Parameter: "token"},
				{Name: "key", Kind: connector.AuthAPIKey, In: "query", ParamName: "key", Parameter: "api_key"},
				{Name: "oa", Kind: connector.AuthOAuth2, Flow: "application", TokenURL: "https://t", Scopes: []string{"s"}, Parameter: "token"},
			},
			conn:     []string{"username", "password", "token", "api_key"},
			warnings: []string{`security scheme type "mutualTLS" is not supported`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			spec, warns := mustParse(t, tt.doc)
			if spec.BaseURL != tt.baseURL {
				t.Errorf("BaseURL = %q, want %q", spec.BaseURL, tt.baseURL)
			}
			got, _ := json.Marshal(spec.Auth)
			want, _ := json.Marshal(tt.auth)
			if string(got) != string(want) {
				t.Errorf("Auth = %s\nwant   %s", got, want)
			}
			var names []string
			for _, p := range spec.ConnectionParameters {
				names = append(names, p.Name)
			}
			if strings.Join(names, ",") != strings.Join(tt.conn, ",") {
				t.Errorf("connection parameters = %v, want %v", names, tt.conn)
			}
			for _, w := range tt.warnings {
				if !hasWarning(warns, w) {
					t.Errorf("no warning %q in %v", w, warns)
				}
			}
		})
	}
}

const v3Doc = `{
  "openapi": "3.1.0",
  "info": {"title": "Pets v3", "description": "d"},
  "servers": [{"url": "https://pets.example/v3"}],
  "paths": {
    "/pets/{petId}": {
      "parameters": [{"$ref": "#/components/parameters/petId"}],
      "get": {
        "operationId": "getPet",
        "responses": {"200": {"$ref": "#/components/responses/Pet"}}
      },
      "post": {
        "operationId": "updatePet",
        "requestBody": {"$ref": "#/components/requestBodies/PetBody"},
        "responses": {"204": {"description": "done"}}
      },
      "patch": {
        "operationId": "formPet",
        "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
          "type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "age": {"type": ["integer", "null"]}}}}}},
        "responses": {"default": {"description": "x"}}
      }
    },
    "/hooks": {
      "post": {
        "operationId": "onPet", "x-ms-trigger": "single",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
          "properties": {"callbackUrl": {"type": "string", "x-ms-notification-url": true}}}}}},
        "responses": {"201": {"description": "subscribed"}}
      }
    }
  },
  "components": {
    "parameters": {"petId": {"name": "petId", "in": "path", "required": true, "schema": {"type": "string", "default": "p1"}, "x-ms-summary": "Pet"}},
    "requestBodies": {"PetBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}},
    "responses": {"Pet": {"description": "a pet", "content": {"application/xml": {"schema": {"type": "string"}}, "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}},
    "schemas": {"Pet": {"type": "object", "properties": {"name": {"type": "string"}, "tag": {"type": ["string", "null"]}, "kind": {"const": "pet"}}}}
  },
  "webhooks": {}
}`

func TestOpenAPI3(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"3.0.3", "3.1.0"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			spec, warns := mustParse(t, strings.Replace(v3Doc, "3.1.0", version, 1))
			if len(warns) != 0 {
				t.Errorf("warnings: %v", warns)
			}
			if spec.BaseURL != "https://pets.example/v3" || spec.ID != "pets_v3" || spec.Description != "d" {
				t.Errorf("spec header = %q %q %q", spec.BaseURL, spec.ID, spec.Description)
			}
			get := op(t, spec, "getPet")
			pet := param(t, get, "petId")
			if pet.Summary != "Pet" || !pet.Required || pet.Default != "p1" || string(pet.Schema) != `{"type":"string","default":"p1"}` {
				t.Errorf("petId = %+v", pet)
			}
			sameJSON(t, get.Responses[0].Schema, `{"type":"object","properties":{"name":{"type":"string"},"tag":{"type":["string","null"]},"kind":{"const":"pet"}}}`)
			if strings.Join(get.Produces, ",") != "application/xml,application/json" {
				t.Errorf("produces = %v", get.Produces)
			}
			upd := op(t, spec, "updatePet")
			body := param(t, upd, "body")
			if body.In != connector.InBody || !body.Required || !strings.Contains(string(body.Schema), `"tag"`) {
				t.Errorf("body = %+v", body)
			}
			if strings.Join(upd.Consumes, ",") != "application/json" {
				t.Errorf("consumes = %v", upd.Consumes)
			}
			form := op(t, spec, "formPet")
			if n := param(t, form, "name"); n.In != connector.InFormData || !n.Required {
				t.Errorf("form name = %+v", n)
			}
			if a := param(t, form, "age"); a.Required || string(a.Schema) != `{"type":["integer","null"]}` {
				t.Errorf("form age = %+v", a)
			}
			if hook := op(t, spec, "onPet"); hook.Kind != connector.KindTrigger || hook.Trigger != connector.TriggerPush {
				t.Errorf("onPet = %s/%s", hook.Kind, hook.Trigger)
			}
		})
	}
}

const yamlDoc = `# a comment
openapi: 3.0.0
info:
  title: YAML Pets
  version: "1.0"
servers:
  - url: https://yaml.example
paths:
  /pets:
    get:
      operationId: listPets
      x-ms-visibility: important
      parameters:
        - name: limit
          in: query
          schema: {type: integer, maximum: 100}
          x-ms-summary: Limit
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: array
                items: {$ref: '#/components/schemas/Pet'}
components:
  schemas:
    Pet: &pet
      type: object
      properties:
        id: {type: integer, format: int64}
        on: {type: boolean, default: true}
`

func TestYAML(t *testing.T) {
	t.Parallel()
	spec, _ := mustParse(t, yamlDoc)
	list := op(t, spec, "listPets")
	if spec.Title != "YAML Pets" || spec.Version != "1.0" || spec.BaseURL != "https://yaml.example" {
		t.Errorf("header %q %q %q", spec.Title, spec.Version, spec.BaseURL)
	}
	if list.Visibility != connector.VisibilityImportant || param(t, list, "limit").Summary != "Limit" {
		t.Errorf("listPets = %+v", list)
	}
	sameJSON(t, list.Responses[0].Schema, `{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer","format":"int64"},"on":{"type":"boolean","default":true}}}}`)
	swagger2 := "swagger: '2.0'\ninfo: {title: Y2}\nhost: y.example\npaths:\n  /x:\n    get: {operationId: X, responses: {}}\n"
	spec2, _ := mustParse(t, swagger2)
	if spec2.BaseURL != "https://y.example" || len(spec2.Operations) != 1 {
		t.Errorf("swagger YAML = %+v", spec2)
	}
}

func TestSyntaxErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		doc       string
		line, col int
		msg       string
	}{
		{"json", "{\n  \"swagger\": \"2.0\",\n  \"info\": {\"title\": }\n}", 3, 21, "invalid JSON"},
		{"yaml", "openapi: 3.0.0\ninfo:\n  title: x\n   bad: [\n", 4, 4, "invalid YAML"},
		{"yaml tab", "openapi: 3.0.0\ninfo:\n\ttitle: x\n", 3, 1, "invalid YAML"},
		{"empty", "  \n", 1, 1, "empty document"},
		{"not an object", "[1, 2]", 1, 1, "not a JSON object"},
		{"yaml scalar", "just text", 1, 1, "not a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := Parse([]byte(tt.doc), "doc.txt")
			var se *connector.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *connector.SyntaxError", err)
			}
			if se.File != "doc.txt" || se.Line != tt.line || se.Column < 1 || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("err = %v (line %d col %d), want line %d and %q", err, se.Line, se.Column, tt.line, tt.msg)
			}
			if tt.col > 0 && se.Column != tt.col {
				t.Errorf("column = %d, want %d", se.Column, tt.col)
			}
		})
	}
}

const propsDoc = `{
  "properties": {
    "iconBrandColor": "#007ee5",
    "capabilities": ["Actions", "triggers"],
    "publisher": "Contoso",
    "connectionParameters": {
      "api_key": {"type": "securestring", "uiDefinition": {"displayName": "API Key", "description": "The key",
        "tooltip": "Tip", "constraints": {"required": "true", "hidden": "false"}}},
      "region": {"type": "string", "defaultValue": "eu", "uiDefinition": {"constraints": {"required": true,
        "allowedValues": [{"text": "Europe", "value": "eu"}, {"text": "US", "value": "us"}]}}},
      "token": {"type": "oauthSetting", "oAuthSettings": {"identityProvider": "aad", "clientId": "cid",
        "scopes": ["a", "b"], "redirectMode": "Global", "redirectUrl": "https://r",
        "customParameters": {"resourceUri": {"value": "https://graph"}, "tenantId": {"value": "common"},
          "authorizationUrl": {"value": "https://login/auth"}},
        "properties": {"IsFirstParty": "False"}},
        "uiDefinition": {"constraints": {"hidden": "true"}}}
    },
    "policyTemplateInstances": [
      {"templateId": "SetHeader", "title": "h", "parameters": {
        "x-ms-apimTemplateParameter.name": "X-Api", "x-ms-apimTemplateParameter.value": "@connectionParameters('api_key')",
        "x-ms-apimTemplateParameter.existsAction": "override", "x-ms-apimTemplate-policySection": "Request",
        "x-ms-apimTemplate-operationName": ["Get", "Gone"]}},
      {"templateId": "pollingtrigger", "type": "PollingTrigger", "parameters": {"x-ms-apimTemplate-operationName": ["Get"]}},
      {"templateId": "madeup", "parameters": {}}
    ]
  }
}`

func TestProperties(t *testing.T) {
	t.Parallel()
	swagger := `{"swagger": "2.0", "info": {"title": "P"}, "paths": {"/x": {"get": {"operationId": "Get", "responses": {}}}}}`
	spec, warns, err := ParseFolder([]byte(swagger), "apiDefinition.swagger.json", []byte(propsDoc), "apiProperties.json")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := spec.ConnectionParameter("api_key")
	region, _ := spec.ConnectionParameter("region")
	token, _ := spec.ConnectionParameter("token")
	if key == nil || region == nil || token == nil {
		t.Fatalf("connection parameters: %+v", spec.ConnectionParameters)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"brand color", spec.BrandColor, "#007ee5"},
		{"publisher", spec.Publisher, "Contoso"},
		{"capabilities", strings.Join(spec.Capabilities, ","), "actions,triggers"},
		{"order kept", spec.ConnectionParameters[1].Name, "region"},
		{"type", key.Type, connector.TypeSecureString},
		{"required text", key.Required, true},
		{"display name", key.DisplayName, "API Key"},
		{"description", key.Description, "The key"},
		{"tooltip", key.Tooltip, "Tip"},
		{"hidden false", key.Hidden, false},
		{"required bool", region.Required, true},
		{"default", region.Default, "eu"},
		{"allowed values", len(region.AllowedValues), 2},
		{"allowed value", region.AllowedValues[1], "us"},
		{"hidden", token.Hidden, true},
		{"oauth provider", token.OAuth.IdentityProvider, "aad"},
		{"oauth client", token.OAuth.ClientID, "cid"},
		{"oauth scopes", strings.Join(token.OAuth.Scopes, " "), "a b"},
		{"oauth custom", token.OAuth.CustomParameters["resourceUri"], "https://graph"},
		{"oauth authorization url", token.OAuth.AuthorizationURL, "https://login/auth"},
		{"oauth properties", token.OAuth.Properties["IsFirstParty"], "False"},
		{"policies", len(spec.Policies), 3},
		{"template id as written", spec.Policies[0].TemplateID, "SetHeader"},
		{"section", spec.Policies[0].Section, "Request"},
		{"operations", strings.Join(spec.Policies[0].Operations, ","), "Get,Gone"},
		{"prefix stripped", spec.Policies[0].Parameters["name"], "X-Api"},
		{"no scope parameters left", len(spec.Policies[0].Parameters), 3},
		{"type", spec.Policies[1].Type, "PollingTrigger"},
		{"unknown template warned", hasWarning(warns, `unknown policy template "madeup"`), true},
		{"known template not warned", hasWarning(warns, `"SetHeader"`), false},
		{"missing operation warned", hasWarning(warns, `operation "Gone", which does not exist`), true},
		{"existing operation not warned", hasWarning(warns, `"Get", which`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestParameterSets(t *testing.T) {
	t.Parallel()
	spec, warns, err := Load(filepath.Join("testdata", "connectors", "3E_Events"))
	if err != nil {
		t.Fatal(err)
	}
	if spec.ID != "3e_events" || len(spec.ConnectionParameters) != 0 {
		t.Errorf("id %q, %d connection parameters", spec.ID, len(spec.ConnectionParameters))
	}
	var names []string
	for _, s := range spec.ParameterSets {
		names = append(names, s.Name+"("+s.DisplayName+")")
	}
	if got := strings.Join(names, " "); got != "aadProd(Production) aadPreview(Preview) aadNonprod(Development (For Elite use only))" {
		t.Errorf("sets = %s", got)
	}
	prod := spec.ParameterSets[0]
	if len(prod.Parameters) != 4 || prod.Parameters[0].Name != "token" || prod.Parameters[0].OAuth == nil ||
		prod.Parameters[0].OAuth.CustomParameters["tokenUrlTemplate"] == "" {
		t.Errorf("aadProd = %+v", prod)
	}
	if host := prod.Parameters[2]; host.Name != "token:customHost" || !host.Hidden || host.Default != "api.elite.com" {
		t.Errorf("customHost = %+v", host)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
}

func TestFolderFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	swagger := `{"swagger": "2.0", "info": {"title": "Case"}, "paths": {"/x": {"get": {"operationId": "X", "responses": {}}}}}`
	if err := os.WriteFile(filepath.Join(dir, "APIDEFINITION.Swagger.JSON"), []byte(swagger), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "apiproperties.json"), []byte(`{"properties": {"publisher": "Me",}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	spec, warns, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if spec.Publisher != "Me" || len(spec.Operations) != 1 || !hasWarning(warns, "trailing comma") {
		t.Errorf("spec %+v, warnings %v", spec, warns)
	}
	raw, err := LoadRaw(dir)
	if err != nil || raw.Dir != dir || !json.Valid(raw.Properties) || !json.Valid(raw.Swagger) || len(raw.Warnings) != 1 {
		t.Errorf("LoadRaw = %+v, %v", raw, err)
	}
	if _, _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "has no apiDefinition.swagger.json") {
		t.Errorf("empty folder: %v", err)
	}
}

func TestBrokenProperties(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	swagger := `{"swagger": "2.0", "info": {"title": "B"}, "paths": {}}`
	if err := os.WriteFile(filepath.Join(dir, SwaggerFileName), []byte(swagger), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, PropertiesFileName), []byte("{\n  \"properties\": {\n    \"a\": ]\n}"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := Load(dir)
	var se *connector.SyntaxError
	if !errors.As(err, &se) || filepath.Base(se.File) != PropertiesFileName || se.Line != 3 {
		t.Fatalf("err = %v, want a syntax error in apiProperties.json line 3", err)
	}
	raw, err := LoadRaw(dir)
	if err == nil || raw == nil || raw.Swagger == nil || raw.Properties != nil {
		t.Errorf("LoadRaw = %+v, %v: want the swagger and the error", raw, err)
	}
}

func TestOpenAPI3ContentParamsAndWebhooks(t *testing.T) {
	t.Parallel()
	doc := `{"openapi": "3.1.0", "info": {"title": "W"}, "paths": {"/q": {"get": {"operationId": "Q",
	  "parameters": [{"name": "filter", "in": "query", "content": {"application/json": {"schema": {"type": "object"}}}}],
	  "responses": {}}}}, "webhooks": {"newPet": {"post": {"responses": {}}}}}`
	spec, warns := mustParse(t, doc)
	if got := string(param(t, op(t, spec, "Q"), "filter").Schema); got != `{"type":"object"}` {
		t.Errorf("content parameter schema = %s", got)
	}
	if !hasWarning(warns, "webhooks are not imported (1 found)") {
		t.Errorf("warnings = %v", warns)
	}
}

func TestNotOpenAPI(t *testing.T) {
	t.Parallel()
	_, _, err := Parse([]byte(`{"info": {"name": "a Postman collection?"}, "item": []}`), "c.json")
	if err == nil || !strings.Contains(err.Error(), "c.json: not an OpenAPI document") {
		t.Errorf("err = %v", err)
	}
}
