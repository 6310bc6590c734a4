// SPDX-License-Identifier: Apache-2.0

package certify

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// edit changes a decoded document.
type edit func(doc map[string]any)

// set writes v at the JSON pointer p, creating objects on the way and
// appending to an array when the index is its length; a nil v deletes an
// object member.
func set(p string, v any) edit {
	segs := strings.Split(p[1:], "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return func(doc map[string]any) { setIn(doc, segs, v) }
}

func setIn(cur any, segs []string, v any) any {
	s, last := segs[0], len(segs) == 1
	switch c := cur.(type) {
	case map[string]any:
		switch {
		case last && v == nil:
			delete(c, s)
		case last:
			c[s] = v
		default:
			next := c[s]
			if next == nil {
				next = map[string]any{}
			}
			c[s] = setIn(next, segs[1:], v)
		}
		return c
	case []any:
		n, _ := strconv.Atoi(s)
		if n == len(c) {
			c = append(c, map[string]any{})
		}
		if last {
			c[n] = v
		} else {
			c[n] = setIn(c[n], segs[1:], v)
		}
		return c
	}
	return cur
}

// parse decodes JSON text for use in edits.
func parse(s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic(err)
	}
	return v
}

func readDoc(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata/good", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// connectorDir writes the good connector with edits applied.
func connectorDir(t *testing.T, swaggerEdits, propsEdits []edit) string {
	t.Helper()
	dir := t.TempDir()
	for name, edits := range map[string][]edit{"apiDefinition.swagger.json": swaggerEdits, "apiProperties.json": propsEdits} {
		doc := readDoc(t, name)
		for _, e := range edits {
			e(doc)
		}
		data, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	getTask    = "/paths/~1tasks~1{taskId}/get"
	createTask = "/paths/~1tasks/post"
)

func TestGoodConnectorIsClean(t *testing.T) {
	t.Parallel()
	for _, p := range []Profile{Platform, Certification} {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			rep, err := Check("testdata/good", p)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Findings) != 0 {
				t.Errorf("findings on the good connector: %v", rep.Findings)
			}
		})
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		swagger []edit
		props   []edit
		rule    string
		pointer string   // expected pointer of the first finding of rule
		sev     Severity // severity under certification ("" = error)
		platSev Severity // severity under platform ("" = same as sev)
	}{
		// Swagger document and info.
		{name: "openapi 3", swagger: []edit{set("/swagger", nil), set("/openapi", "3.0.1")}, rule: "swagger.version", pointer: "/openapi"},
		{name: "swagger 1.2", swagger: []edit{set("/swagger", "1.2")}, rule: "swagger.version", pointer: "/swagger"},
		{name: "no title", swagger: []edit{set("/info/title", nil)}, rule: "swagger.info.title", pointer: "/info"},
		{name: "long title", swagger: []edit{set("/info/title", "Contoso Tasks And Many Other Things")}, rule: "swagger.info.title.length", pointer: "/info/title", platSev: w},
		{name: "title ends with dot", swagger: []edit{set("/info/title", "Contoso Tasks.")}, rule: "swagger.info.title.end", platSev: w},
		{name: "title with API", swagger: []edit{set("/info/title", "Contoso API")}, rule: "swagger.info.title.words", platSev: w},
		{name: "no description", swagger: []edit{set("/info/description", nil)}, rule: "swagger.info.description", platSev: w},
		{name: "short description", swagger: []edit{set("/info/description", "Tasks.")}, rule: "swagger.info.description.length", platSev: w},
		{name: "description names a product", swagger: []edit{set("/info/description", "Use Contoso Tasks from Power Automate to manage your lists.")}, rule: "swagger.info.description.words", platSev: w},
		{name: "no contact", swagger: []edit{set("/info/contact", nil)}, rule: "swagger.info.contact", pointer: "/info", platSev: w},
		{name: "partial contact", swagger: []edit{set("/info/contact/url", nil)}, rule: "swagger.info.contact.fields", sev: w},
		{name: "bad email", swagger: []edit{set("/info/contact/email", "support at contoso")}, rule: "swagger.info.contact.email", platSev: w},
		{name: "no metadata", swagger: []edit{set("/x-ms-connector-metadata", nil)}, rule: "swagger.metadata", platSev: w},
		{name: "metadata lacks categories", swagger: []edit{set("/x-ms-connector-metadata", parse(`[{"propertyName": "Website", "propertyValue": "https://x.example"}, {"propertyName": "Privacy policy", "propertyValue": "https://x.example/p"}]`))}, rule: "swagger.metadata", platSev: w},
		{name: "too many categories", swagger: []edit{set("/x-ms-connector-metadata/2/propertyValue", "AI;Data;Finance")}, rule: "swagger.metadata.categories", platSev: w},
		{name: "unknown category", swagger: []edit{set("/x-ms-connector-metadata/2/propertyValue", "Gardening")}, rule: "swagger.metadata.categories", platSev: w},
		{name: "relative website", swagger: []edit{set("/x-ms-connector-metadata/0/propertyValue", "www.contoso.example")}, rule: "swagger.url", pointer: "/x-ms-connector-metadata/0/propertyValue", platSev: w},
		{name: "bad connector status", swagger: []edit{set("/info/x-ms-api-annotation", parse(`{"status": "Beta"}`))}, rule: "swagger.status"},
		{name: "op production on preview connector", swagger: []edit{set("/info/x-ms-api-annotation", parse(`{"status": "Preview"}`)), set(getTask+"/x-ms-api-annotation", parse(`{"status": "Production"}`))}, rule: "swagger.status"},
		{name: "host with scheme", swagger: []edit{set("/host", "https://api.contoso.example.com")}, rule: "swagger.host", pointer: "/host"},
		{name: "development host", swagger: []edit{set("/host", "localhost:8080")}, rule: "swagger.host.production", sev: w, platSev: off},
		{name: "base path without slash", swagger: []edit{set("/basePath", "v1")}, rule: "swagger.base_path"},
		{name: "websocket scheme", swagger: []edit{set("/schemes", parse(`["https", "wss"]`))}, rule: "swagger.schemes", pointer: "/schemes/1"},
		{name: "empty schemes", swagger: []edit{set("/schemes", parse(`[]`))}, rule: "swagger.schemes"},
		{name: "http only", swagger: []edit{set("/schemes", parse(`["http"]`))}, rule: "swagger.schemes.http_only", sev: w},

		// Paths and operations.
		{name: "path without slash", swagger: []edit{set("/paths/tasks", parse(`{}`))}, rule: "path.template", pointer: "/paths/tasks"},
		{name: "path with query", swagger: []edit{set("/paths/~1tasks?x=1", parse(`{}`))}, rule: "path.template"},
		{name: "unbalanced braces", swagger: []edit{set("/paths/~1a~1{b", parse(`{}`))}, rule: "path.template"},
		{name: "path case duplicate", swagger: []edit{set("/paths/~1Tasks", parse(`{}`))}, rule: "path.duplicate"},
		{name: "ambiguous templates", swagger: []edit{set("/paths/~1tasks~1{other}", parse(`{"get": {"operationId": "Other", "summary": "Other", "description": "Other one.", "parameters": [{"name": "other", "in": "path", "required": true, "type": "string", "x-ms-summary": "Other", "description": "Other.", "x-ms-url-encoding": "single"}], "responses": {"200": {"description": "ok", "schema": {"type": "string"}}}}}`))}, rule: "path.ambiguous"},
		{name: "ref on path item", swagger: []edit{set("/paths/~1other", parse(`{"$ref": "#/paths/~1tasks"}`))}, rule: "path.ref"},
		{name: "no operationId", swagger: []edit{set(getTask+"/operationId", nil)}, rule: "operation.id", pointer: getTask},
		{name: "duplicate operationId", swagger: []edit{set(createTask+"/operationId", "GetTask")}, rule: "operation.id.unique"},
		{name: "unsanitized operationId", swagger: []edit{set(getTask+"/operationId", "get-task"), set("/paths/~1tasks/post/x-unused", true)}, rule: "operation.id.sanitized", sev: w},
		{name: "no summary", swagger: []edit{set(getTask+"/summary", nil)}, rule: "operation.summary", pointer: getTask, platSev: w},
		{name: "no summary on internal op is fine", swagger: []edit{set(getTask+"/summary", nil), set(getTask+"/x-ms-visibility", "internal")}, rule: "-operation.summary"},
		{name: "summary too long", swagger: []edit{set(getTask+"/summary", strings.Repeat("Get a task ", 13))}, rule: "operation.summary.length"},
		{name: "summary over 80", swagger: []edit{set(getTask+"/summary", strings.Repeat("Get a task ", 8)+"now")}, rule: "operation.summary.length_80", platSev: w},
		{name: "summary restricted characters", swagger: []edit{set(getTask+"/summary", "Get a task / item")}, rule: "operation.summary.characters", platSev: w},
		{name: "summary ends with dot", swagger: []edit{set(getTask+"/summary", "Get a task.")}, rule: "operation.summary.punctuation", sev: w, platSev: off},
		{name: "no description on op", swagger: []edit{set(getTask+"/description", nil)}, rule: "operation.description", platSev: w},
		{name: "description equals summary", swagger: []edit{set(getTask+"/description", "Get a task")}, rule: "operation.description.summary", sev: w},
		{name: "bad visibility", swagger: []edit{set(getTask+"/x-ms-visibility", "hidden")}, rule: "operation.visibility"},
		{name: "no responses", swagger: []edit{set(getTask+"/responses", parse(`{}`))}, rule: "operation.responses", platSev: w},
		{name: "no 2xx", swagger: []edit{set(getTask+"/responses", parse(`{"404": {"description": "missing"}}`))}, rule: "operation.responses.success", sev: w},
		{name: "get with body", swagger: []edit{set(getTask+"/parameters/1", parse(`{"name": "body", "in": "body", "schema": {"type": "object"}}`))}, rule: "operation.get_body", sev: w},
		{name: "bad next link", swagger: []edit{set(getTask+"/x-ms-pageable", parse(`{"nextLinkName": "next"}`))}, rule: "operation.pageable", platSev: w},
		{name: "bad mime type", swagger: []edit{set(createTask+"/consumes", parse(`["json"]`))}, rule: "operation.consumes", sev: w},
		{name: "body without consumes", swagger: []edit{set("/consumes", nil)}, rule: "operation.consumes", pointer: createTask, sev: w},
		{name: "too many operations", swagger: manyOperations(130), rule: "operation.count", sev: i},

		// Parameters.
		{name: "parameter without x-ms-summary", swagger: []edit{set(getTask+"/parameters/0/x-ms-summary", nil)}, rule: "parameter.summary", pointer: getTask + "/parameters/0", platSev: w},
		{name: "parameter without description", swagger: []edit{set(getTask+"/parameters/0/description", nil)}, rule: "parameter.description", platSev: w},
		{name: "internal parameter needs no summary", swagger: []edit{set(getTask+"/parameters/0/x-ms-summary", nil), set(getTask+"/parameters/0/x-ms-visibility", "internal")}, rule: "-parameter.summary"},
		{name: "two bodies", swagger: []edit{set(createTask+"/parameters/1", parse(`{"name": "b2", "in": "body", "schema": {"type": "object"}}`))}, rule: "parameter.body.multiple"},
		{name: "body and formData", swagger: []edit{set(createTask+"/parameters/1", parse(`{"name": "f", "in": "formData", "type": "string", "x-ms-summary": "F", "description": "F."}`))}, rule: "parameter.body.multiple"},
		{name: "duplicate parameter", swagger: []edit{set(getTask+"/parameters/1", parse(`{"name": "taskId", "in": "path", "required": true, "type": "string", "x-ms-summary": "Task ID", "description": "Id.", "x-ms-url-encoding": "single"}`))}, rule: "parameter.duplicate"},
		{name: "body without schema", swagger: []edit{set(createTask+"/parameters/0/schema", nil)}, rule: "parameter.body.schema"},
		{name: "query with schema", swagger: []edit{set(getTask+"/parameters/1", parse(`{"name": "q", "in": "query", "schema": {"type": "string"}, "x-ms-summary": "Q", "description": "Q."}`))}, rule: "parameter.body.schema"},
		{name: "bad location", swagger: []edit{set(getTask+"/parameters/1", parse(`{"name": "q", "in": "cookie", "type": "string", "x-ms-summary": "Q", "description": "Q."}`))}, rule: "parameter.in"},
		{name: "file in query", swagger: []edit{set(getTask+"/parameters/1", parse(`{"name": "q", "in": "query", "type": "file", "x-ms-summary": "Q", "description": "Q."}`))}, rule: "parameter.file"},
		{name: "connectionId parameter", swagger: []edit{set(getTask+"/parameters/1", parse(`{"name": "connectionId", "in": "query", "type": "string", "x-ms-summary": "Q", "description": "Q."}`))}, rule: "parameter.reserved"},
		{name: "path parameter without encoding", swagger: []edit{set(getTask+"/parameters/0/x-ms-url-encoding", nil)}, rule: "parameter.path.encoding", sev: w},
		{name: "query parameter with encoding", swagger: []edit{set(getTask+"/parameters/1", parse(`{"name": "q", "in": "query", "type": "string", "x-ms-summary": "Q", "description": "Q.", "x-ms-url-encoding": "double"}`))}, rule: "parameter.query.encoding", sev: w},
		{name: "allowEmptyValue on header", swagger: []edit{set(getTask+"/parameters/1", parse(`{"name": "h", "in": "header", "type": "string", "x-ms-summary": "H", "description": "H.", "allowEmptyValue": true}`))}, rule: "parameter.allow_empty_value"},
		{name: "optional internal default", swagger: []edit{set(getTask+"/parameters/1", parse(`{"name": "q", "in": "query", "type": "string", "default": "x", "x-ms-visibility": "internal"}`))}, rule: "parameter.internal_default", sev: w},
		{name: "multi collection format", swagger: []edit{set(getTask+"/parameters/1", parse(`{"name": "q", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi", "x-ms-summary": "Q", "description": "Q."}`))}, rule: "parameter.collection_format", sev: w},
		{name: "empty enum", swagger: []edit{set(getTask+"/parameters/1", parse(`{"name": "q", "in": "query", "type": "string", "enum": [], "x-ms-summary": "Q", "description": "Q."}`))}, rule: "parameter.enum"},
		{name: "enum of wrong type", swagger: []edit{set(getTask+"/parameters/1", parse(`{"name": "q", "in": "query", "type": "integer", "enum": [1, "two"], "x-ms-summary": "Q", "description": "Q."}`))}, rule: "parameter.enum"},
		{name: "enum values outside enum", swagger: []edit{set(getTask+"/parameters/1", parse(`{"name": "q", "in": "query", "type": "string", "enum": ["a"], "x-ms-enum-values": [{"value": "b", "displayName": "B"}], "x-ms-summary": "Q", "description": "Q."}`))}, rule: "parameter.enum"},
		{name: "default of wrong type", swagger: []edit{set(getTask+"/parameters/1", parse(`{"name": "q", "in": "query", "type": "boolean", "default": "maybe", "x-ms-summary": "Q", "description": "Q."}`))}, rule: "parameter.default", sev: w},
		{name: "path variable without parameter", swagger: []edit{set(getTask+"/parameters", parse(`[]`))}, rule: "parameter.path.missing"},
		{name: "path parameter not in template", swagger: []edit{set(getTask+"/parameters/0/name", "id")}, rule: "parameter.path.undefined"},
		{name: "optional path parameter", swagger: []edit{set(getTask+"/parameters/0/required", false)}, rule: "parameter.path.required"},

		// Responses and schemas.
		{name: "bad response key", swagger: []edit{set(getTask+"/responses/ok", parse(`{"description": "ok"}`))}, rule: "response.status", pointer: getTask + "/responses/ok"},
		{name: "default with schema", swagger: []edit{set(getTask+"/responses/default", parse(`{"description": "error", "schema": {"type": "object", "properties": {"e": {"type": "string"}}}}`))}, rule: "response.default_schema", sev: w},
		{name: "many schemas", swagger: []edit{set(getTask+"/responses/404", parse(`{"description": "missing", "schema": {"type": "string"}}`))}, rule: "response.many_schemas", sev: w},
		{name: "action without schema", swagger: []edit{set(getTask+"/responses/200/schema", nil)}, rule: "response.schema", sev: w},
		{name: "action with empty schema", swagger: []edit{set(getTask+"/responses/200/schema", parse(`{"type": "object"}`))}, rule: "response.schema", sev: w},
		{name: "trigger without schema", swagger: []edit{set(getTask+"/responses/200/schema", nil), set(getTask+"/x-ms-trigger", "single")}, rule: "response.schema.trigger", platSev: w},
		{name: "response property without summary", swagger: []edit{set("/definitions/Task/properties/done/x-ms-summary", nil)}, rule: "response.property.summary", pointer: createTask + "/responses/201/schema", sev: w, platSev: off},
		{name: "dangling ref", swagger: []edit{set(getTask+"/responses/200/schema", parse(`{"$ref": "#/definitions/Nope"}`))}, rule: "ref.resolve"},
		{name: "external ref", swagger: []edit{set(getTask+"/responses/200/schema", parse(`{"$ref": "other.json#/Task"}`))}, rule: "ref.resolve"},
		{name: "ref with siblings", swagger: []edit{set(getTask+"/responses/200/schema", parse(`{"$ref": "#/definitions/Task", "type": "object"}`))}, rule: "ref.siblings", sev: w},
		{name: "required on string", swagger: []edit{set("/definitions/Task/properties/id/required", parse(`["x"]`))}, rule: "schema.required"},
		{name: "required names undefined property", swagger: []edit{set("/definitions/Task/required", parse(`["nope"]`))}, rule: "schema.required", pointer: "/definitions/Task/required/0"},
		{name: "array without items", swagger: []edit{set("/definitions/Task/properties/tags", parse(`{"type": "array"}`))}, rule: "schema.array_items"},
		{name: "nested binary", swagger: []edit{set(createTask+"/parameters/0/schema/properties/file", parse(`{"type": "string", "format": "binary"}`))}, rule: "schema.binary"},
		{name: "nested file", swagger: []edit{set(createTask+"/parameters/0/schema/properties/file", parse(`{"type": "file"}`))}, rule: "schema.file"},
		{name: "min over max", swagger: []edit{set("/definitions/Task/properties/title/minLength", 5), set("/definitions/Task/properties/title/maxLength", 2)}, rule: "schema.bounds"},
		{name: "bad pattern", swagger: []edit{set("/definitions/Task/properties/title/pattern", "([a-z")}, rule: "schema.bounds"},
		{name: "ECMAScript pattern is fine", swagger: []edit{set("/definitions/Task/properties/title/pattern", `^[\u0021-\uD7FF]*(?=x)$`)}, rule: "-schema.bounds"},
		{name: "typo extension", swagger: []edit{set(getTask+"/x-ms-visibilty", "advanced")}, rule: "extension.unknown", sev: w},

		// Triggers, dynamic values, families, security.
		{name: "bad trigger kind", swagger: []edit{set(getTask+"/x-ms-trigger", "many")}, rule: "trigger.kind"},
		{name: "notification url not internal", swagger: webhook(`{"type": "object", "required": ["url"], "properties": {"url": {"type": "string", "x-ms-notification-url": true}}}`, true), rule: "webhook.notification_url"},
		{name: "notification url not required", swagger: webhook(`{"type": "object", "properties": {"url": {"type": "string", "x-ms-notification-url": true, "x-ms-visibility": "internal"}}}`, true), rule: "webhook.notification_url"},
		{name: "good webhook", swagger: webhook(`{"type": "object", "required": ["url"], "properties": {"url": {"type": "string", "x-ms-notification-url": true, "x-ms-visibility": "internal"}}}`, true), rule: "-webhook.notification_url"},
		{name: "webhook without notification content", swagger: webhook(`{"type": "object", "required": ["url"], "properties": {"url": {"type": "string", "x-ms-notification-url": true, "x-ms-visibility": "internal"}}}`, false), rule: "webhook.notification_content"},
		{name: "dynamic values to missing op", swagger: []edit{set(getTask+"/parameters/0/x-ms-dynamic-values", parse(`{"operationId": "ListTasks", "value-path": "id"}`))}, rule: "dynamic.operation"},
		{name: "family without revision", swagger: []edit{set(getTask+"/x-ms-api-annotation", parse(`{"family": "Task", "revision": 1}`)), set(createTask+"/x-ms-api-annotation", parse(`{"family": "Task"}`))}, rule: "family.revision"},
		{name: "family duplicate revision", swagger: []edit{set(getTask+"/x-ms-api-annotation", parse(`{"family": "Task", "revision": 1}`)), set(createTask+"/x-ms-api-annotation", parse(`{"family": "Task", "revision": 1}`))}, rule: "family.revision"},
		{name: "too many active family members", swagger: append(manyOperations(1), set(getTask+"/x-ms-api-annotation", parse(`{"family": "Task", "revision": 1}`)), set(createTask+"/x-ms-api-annotation", parse(`{"family": "Task", "revision": 2}`)), set("/paths/~1op0/get/x-ms-api-annotation", parse(`{"family": "Task", "revision": 3}`))), rule: "family.active"},
		{name: "replacement on active op", swagger: []edit{set(getTask+"/x-ms-api-annotation", parse(`{"replacement": {"api": "x", "operationId": "GetTaskV2"}}`))}, rule: "family.replacement"},
		{name: "apiKey without name", swagger: []edit{set("/securityDefinitions/api_key/name", nil)}, rule: "security.definition"},
		{name: "oauth2 without token url", swagger: []edit{set("/securityDefinitions/oauth", parse(`{"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://x.example/a"}`))}, rule: "security.definition"},
		{name: "undefined requirement", swagger: []edit{set("/security", parse(`[{"nope": []}]`))}, rule: "security.requirement", sev: w},
		{name: "basic without parameters", swagger: []edit{set("/securityDefinitions/basic", parse(`{"type": "basic"}`))}, rule: "auth.connection_parameters", platSev: w},
		{name: "api key without parameter", props: []edit{set("/properties/connectionParameters", parse(`{}`))}, rule: "auth.connection_parameters", platSev: w},
		{name: "oauth parameter without definition", swagger: []edit{set("/securityDefinitions", nil), set("/security", nil)}, props: []edit{set("/properties/connectionParameters/token", parse(`{"type": "oauthSetting", "oAuthSettings": {"identityProvider": "oauth2", "clientId": "x"}}`))}, rule: "auth.security_definition", sev: w},

		// apiProperties.json.
		{name: "stray top-level key", props: []edit{set("/connectionParameters", parse(`{}`))}, rule: "properties.root"},
		{name: "unknown key", props: []edit{set("/properties/stackowner", "x")}, rule: "properties.unknown", sev: w},
		{name: "no brand colour", props: []edit{set("/properties/iconBrandColor", nil)}, rule: "properties.brand_color"},
		{name: "bad brand colour", props: []edit{set("/properties/iconBrandColor", "blue")}, rule: "properties.brand_color"},
		{name: "default brand colour", props: []edit{set("/properties/iconBrandColor", "#007EE5")}, rule: "properties.brand_color.default", platSev: w},
		{name: "no publisher", props: []edit{set("/properties/publisher", nil)}, rule: "properties.publisher", platSev: w},
		{name: "no stack owner", props: []edit{set("/properties/stackOwner", nil)}, rule: "properties.stack_owner", sev: w},
		{name: "bad parameter name", props: []edit{set("/properties/connectionParameters/api-key", parse(`{"type": "string"}`))}, rule: "properties.connection_parameter.name"},
		{name: "bad parameter type", props: []edit{set("/properties/connectionParameters/api_key/type", "password")}, rule: "properties.connection_parameter.type"},
		{name: "bad tenant id", props: []edit{set("/properties/connectionParameters/token:TenantId", parse(`{"type": "string"}`))}, rule: "properties.tenant_id", sev: w},
		{name: "aad without resource", props: []edit{set("/properties/connectionParameters/token", parse(`{"type": "oauthSetting", "oAuthSettings": {"identityProvider": "aad", "clientId": "x"}}`))}, rule: "properties.oauth"},
		{name: "unknown identity provider", props: []edit{set("/properties/connectionParameters/token", parse(`{"type": "oauthSetting", "oAuthSettings": {"identityProvider": "github"}}`))}, rule: "properties.oauth.identity_provider", sev: w},
		{name: "bad redirect mode", props: []edit{set("/properties/connectionParameters/token", parse(`{"type": "oauthSetting", "oAuthSettings": {"identityProvider": "oauth2", "redirectMode": "Sideways"}}`))}, rule: "properties.oauth.redirect_mode", sev: w},
		{name: "committed client secret", props: []edit{set("/properties/connectionParameters/token", parse(`{"type": "oauthSetting", "oAuthSettings": {"identityProvider": "oauth2", "clientSecret": "s3cr3t-value"}}`))}, rule: "secrets.client_secret", platSev: w},
		{name: "dummy client secret is fine", props: []edit{set("/properties/connectionParameters/token", parse(`{"type": "oauthSetting", "oAuthSettings": {"identityProvider": "oauth2", "clientSecret": "[[DummyValue]]"}}`))}, rule: "-secrets.client_secret"},
		{name: "unknown policy template", props: []edit{set("/properties/policyTemplateInstances/0/templateId", "sethead")}, rule: "properties.policy.template", pointer: "/properties/policyTemplateInstances/0/templateId"},
		{name: "template id case is ignored", props: []edit{set("/properties/policyTemplateInstances/0/templateId", "SetHeader")}, rule: "-properties.policy.template"},
		{name: "policy lacks parameter", props: []edit{set("/properties/policyTemplateInstances/0/parameters/x-ms-apimTemplateParameter.value", nil)}, rule: "properties.policy.parameters", platSev: w},
		{name: "policy names missing op", props: []edit{set("/properties/policyTemplateInstances/0/parameters/x-ms-apimTemplate-operationName", parse(`["GetTask", "DeleteTask"]`))}, rule: "properties.policy.operation", pointer: "/properties/policyTemplateInstances/0/parameters/x-ms-apimTemplate-operationName/1", platSev: w},
		{name: "script names missing op", props: []edit{set("/properties/scriptOperations", parse(`["Nope"]`))}, rule: "properties.script_operation", platSev: w},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := connectorDir(t, tt.swagger, tt.props)
			rule, want := tt.rule, true
			if strings.HasPrefix(rule, "-") {
				rule, want = rule[1:], false
			}
			if _, ok := ruleIndex[rule]; !ok {
				t.Fatalf("rule %s is not catalogued", rule)
			}
			sev := map[Profile]Severity{Certification: tt.sev, Platform: tt.platSev}
			if sev[Certification] == "" {
				sev[Certification] = e
			}
			if tt.platSev == "" {
				sev[Platform] = sev[Certification]
			} else if tt.platSev == off {
				sev[Platform] = ""
			}
			for _, p := range []Profile{Certification, Platform} {
				rep, err := Check(dir, p)
				if err != nil {
					t.Fatal(err)
				}
				got := rep.ByRule(rule)
				switch {
				case !want && len(got) > 0:
					t.Errorf("%s: unexpected %v", p, got)
				case !want:
				case sev[p] == "" && len(got) > 0:
					t.Errorf("%s: rule is not reported in this profile, got %v", p, got)
				case sev[p] == "":
				case len(got) == 0:
					t.Errorf("%s: no %s finding; got %v", p, rule, rep.Findings)
				default:
					if got[0].Severity != sev[p] {
						t.Errorf("%s: severity %s, want %s", p, got[0].Severity, sev[p])
					}
					if tt.pointer != "" && got[0].Pointer != tt.pointer {
						t.Errorf("%s: pointer %q, want %q", p, got[0].Pointer, tt.pointer)
					}
					if !strings.HasSuffix(got[0].File, ".json") || got[0].Message == "" {
						t.Errorf("%s: finding %+v", p, got[0])
					}
					if rep.HasErrors() != (rep.Count(e) > 0) {
						t.Errorf("HasErrors disagrees with Count")
					}
				}
			}
		})
	}
}

// webhook adds a webhook operation whose body schema is schema.
func webhook(schema string, content bool) []edit {
	op := `{"operationId": "OnTask", "summary": "When a task is created", "description": "Fires when a task is created.",
		"x-ms-trigger": "single",
		"parameters": [{"name": "body", "in": "body", "required": true, "schema": ` + schema + `}],
		"responses": {"201": {"description": "Subscribed."}}}`
	edits := []edit{set("/paths/~1hooks", parse(`{"post": `+op+`}`))}
	if content {
		edits = append(edits, set("/paths/~1hooks/x-ms-notification-content", parse(`{"schema": {"type": "object", "properties": {"id": {"type": "string"}}}}`)))
	}
	return edits
}

func manyOperations(n int) []edit {
	var edits []edit
	for k := 0; k < n; k++ {
		id := "Op" + strconv.Itoa(k)
		edits = append(edits, set("/paths/~1op"+strconv.Itoa(k), parse(`{"get": {"operationId": "`+id+`", "summary": "Get it", "description": "Gets it.", "responses": {"200": {"description": "ok", "schema": {"type": "string"}}}}}`)))
	}
	return edits
}

func TestFileRules(t *testing.T) {
	t.Parallel()
	good, err := os.ReadFile("testdata/good/apiDefinition.swagger.json")
	if err != nil {
		t.Fatal(err)
	}
	props, err := os.ReadFile("testdata/good/apiProperties.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		files map[string]string
		rule  string
		sev   Severity
		plat  Severity
	}{
		{name: "bom", files: map[string]string{"apiDefinition.swagger.json": "\ufeff" + string(good), "apiProperties.json": string(props)}, rule: "json.strict", sev: e, plat: w},
		{name: "comment", files: map[string]string{"apiDefinition.swagger.json": string(good), "apiProperties.json": "// props\n" + string(props)}, rule: "json.strict", sev: e, plat: w},
		{name: "unparseable", files: map[string]string{"apiDefinition.swagger.json": `{"swagger": ]`, "apiProperties.json": string(props)}, rule: "json.syntax", sev: e, plat: e},
		{name: "no properties", files: map[string]string{"apiDefinition.swagger.json": string(good)}, rule: "file.properties.missing", sev: e, plat: w},
		{name: "wrong case", files: map[string]string{"apidefinition.swagger.json": string(good), "apiProperties.json": string(props)}, rule: "file.name", sev: e, plat: w},
		{name: "no swagger", files: map[string]string{"apiProperties.json": string(props)}, rule: "file.swagger.missing", sev: e, plat: e},
		{name: "too large", files: map[string]string{"apiDefinition.swagger.json": strings.Replace(string(good), `"swagger": "2.0",`, `"swagger": "2.0", "x-pad": "`+strings.Repeat("x", 1<<20)+`",`, 1), "apiProperties.json": string(props)}, rule: "file.size", sev: w, plat: w},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, text := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for p, want := range map[Profile]Severity{Certification: tt.sev, Platform: tt.plat} {
				rep, err := Check(dir, p)
				if err != nil {
					t.Fatal(err)
				}
				got := rep.ByRule(tt.rule)
				if len(got) == 0 || got[0].Severity != want {
					t.Errorf("%s: %s findings %v, want severity %s; all: %v", p, tt.rule, got, want, rep.Findings)
				}
			}
		})
	}
}

func TestPointerOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		less bool
	}{
		{"/parameters/2", "/parameters/10", true},
		{"/paths/a", "/paths/a/get", true},
		{"/paths/b", "/paths/a", false},
		{"", "/info", true},
	}
	for _, tt := range tests {
		t.Run(tt.a+" "+tt.b, func(t *testing.T) {
			t.Parallel()
			if got := comparePointers(tt.a, tt.b) < 0; got != tt.less {
				t.Errorf("comparePointers(%q, %q) < 0 = %v", tt.a, tt.b, got)
			}
		})
	}
}

func TestCatalogue(t *testing.T) {
	t.Parallel()
	for _, r := range Rules() {
		t.Run(r.ID, func(t *testing.T) {
			t.Parallel()
			if r.Doc == "" || r.Ref == "" {
				t.Error("rule lacks doc or ref")
			}
			if r.Platform == "" && r.Certification == "" {
				t.Error("rule is reported by no profile")
			}
			if r.Platform == e && r.Certification != e {
				t.Error("a platform error must be a certification error too")
			}
		})
	}
}

func TestParseProfile(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Profile{"platform": Platform, "Certification": Certification, "strict": ""} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseProfile(in)
			if got != want || (err != nil) != (want == "") {
				t.Errorf("ParseProfile(%q) = %q, %v", in, got, err)
			}
		})
	}
}

// off marks a rule that the platform profile does not report.
const off Severity = "off"

func TestPostmanCollection(t *testing.T) {
	t.Parallel()
	const file = "../postman/testdata/crm.v20.postman_collection.json"
	tests := []struct {
		profile Profile
		errors  bool
	}{
		{Platform, false},
		{Certification, true},
	}
	for _, tt := range tests {
		t.Run(string(tt.profile), func(t *testing.T) {
			t.Parallel()
			rep, err := Check(file, tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			if rep.HasErrors() != tt.errors {
				t.Errorf("HasErrors = %v: %v", rep.HasErrors(), rep.Findings)
			}
			got := rep.ByRule("operation.description")
			if len(got) == 0 || got[0].Pointer != "/item/0/item/1" || !strings.Contains(got[0].Message, "update_contact") {
				t.Errorf("operation.description findings %v", got)
			}
		})
	}
}
