// SPDX-License-Identifier: Apache-2.0

package server

import (
	"net/http"
	"strings"
)

// openAPI serves the OpenAPI 3 document of the API.
func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, OpenAPI())
	return nil
}

type obj = map[string]any

func pathParam(name, desc string) obj {
	return obj{"name": name, "in": "path", "required": true, "description": desc, "schema": obj{"type": "string"}}
}

func queryParam(name, desc, typ string) obj {
	return obj{"name": name, "in": "query", "required": false, "description": desc, "schema": obj{"type": typ}}
}

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func jsonBody(schema obj) obj {
	return obj{"content": obj{"application/json": obj{"schema": schema}}}
}

var problemResponse = obj{"description": "error", "content": obj{"application/problem+json": obj{"schema": ref("Problem")}}}

// operation builds one operation; admin operations need the bearer key.
func operation(id, summary string, admin bool, params []obj, ok string, okSchema obj, extra obj) obj {
	resp := obj{"default": problemResponse}
	okResp := obj{"description": "success"}
	if okSchema != nil {
		okResp = jsonBody(okSchema)
		okResp["description"] = "success"
	}
	resp[ok] = okResp
	if admin {
		resp["401"] = problemResponse
	}
	o := obj{"operationId": id, "summary": summary, "responses": resp}
	if len(params) > 0 {
		o["parameters"] = params
	}
	if !admin {
		o["security"] = []any{}
	}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

// OpenAPI returns the OpenAPI 3.0 document of the server's API.
func OpenAPI() obj {
	name := pathParam("name", "workflow name")
	trigger := pathParam("trigger", "trigger name")
	id := pathParam("id", "run ID")
	action := pathParam("action", "action name")
	sig := []obj{
		{"name": "api-version", "in": "query", "required": true, "schema": obj{"type": "string", "example": APIVersion}},
		{"name": "sp", "in": "query", "required": true, "schema": obj{"type": "string", "example": "/triggers/manual/run"}},
		{"name": "sv", "in": "query", "required": true, "schema": obj{"type": "string", "example": SigVersion}},
		{"name": "sig", "in": "query", "required": true, "description": "HMAC-SHA256 signature (base64url) from listCallbackUrl", "schema": obj{"type": "string"}},
	}
	paging := []obj{name,
		queryParam("status", "Running, Succeeded, Failed or Cancelled", "string"),
		queryParam("since", "only runs started at or after this RFC 3339 time", "string"),
		queryParam("top", "page size, 1 to 250 (default 50); $top is accepted too", "integer"),
		queryParam("$skiptoken", "opaque token from nextLink", "string"),
	}
	invokeDesc := "Calls a Request trigger through its signed URL. The method must be the trigger's inputs.method (default POST); " +
		"the body is checked against inputs.schema. With a Response action the answer is the Response action's reply " +
		"(502 if the run ends without one or does not reach it in time); without one, 202 Accepted at once."
	invokeResp := obj{
		"200":     obj{"description": "the Response action's reply (any status and content)"},
		"202":     obj{"description": "run started (no Response action)", "headers": obj{"x-ms-workflow-run-id": obj{"schema": obj{"type": "string"}}}},
		"default": problemResponse,
	}
	invoke := func(id string, params []obj) obj {
		return obj{"operationId": id, "summary": "Invoke a Request trigger", "description": invokeDesc,
			"security": []any{}, "parameters": params, "responses": invokeResp,
			"requestBody": obj{"required": false, "content": obj{"*/*": obj{"schema": obj{}}}}}
	}
	resubmitBody := obj{"requestBody": obj{"required": false, "content": obj{"application/json": obj{"schema": obj{
		"type": "object", "properties": obj{"fromAction": obj{"type": "string", "description": "re-run from this top-level action, keeping earlier outputs"}}}}}}}
	paths := obj{
		"/healthz":          obj{"get": operation("healthz", "Liveness check", false, nil, "200", obj{"type": "object"}, nil)},
		"/api/openapi.json": obj{"get": operation("openapi", "This document", true, nil, "200", obj{"type": "object"}, nil)},
		"/api/workflows/{name}/triggers/{trigger}/invoke": obj{
			"post": invoke("invokeTrigger", append([]obj{name, trigger}, sig...)),
		},
		"/api/workflows/{name}/triggers/{trigger}/invoke/{path}": obj{
			"post": invoke("invokeTriggerPath", append([]obj{name, trigger, pathParam("path", "the relative path (inputs.relativePath), e.g. orders/42")}, sig...)),
		},
		"/api/workflows/{name}/triggers/{trigger}/callback": obj{"post": obj{"operationId": "triggerCallback",
			"summary":  "Deliver an event to a push trigger (HttpWebhook, ApiConnectionWebhook) at its signed callback URL (listCallbackUrl() in the trigger's inputs)",
			"security": []any{}, "parameters": append([]obj{name, trigger}, sig...),
			"requestBody": obj{"required": false, "content": obj{"*/*": obj{"schema": obj{}}}},
			"responses": obj{"202": obj{"description": "the event is durable; the runs it started", "content": obj{"application/json": obj{"schema": obj{"type": "object"}}}},
				"default": problemResponse}}},
		"/callbacks/{token}": obj{"post": operation("callback", "Deliver a webhook callback to a waiting action", false,
			[]obj{pathParam("token", "callback token from listCallbackUrl() in an action")}, "202", nil, nil)},
		"/api/workflows": obj{"get": operation("listWorkflows", "List workflows", true, nil, "200", ref("WorkflowList"), nil)},
		"/api/workflows/{name}": obj{
			"get": operation("getWorkflow", "Get a workflow with its definition", true, []obj{name}, "200", ref("Workflow"), nil),
			"put": operation("putWorkflow", "Deploy a definition (bare, workflow.json, ARM resource or template) as a new version", true, []obj{name}, "200", ref("Workflow"),
				obj{"requestBody": jsonBody(obj{"type": "object"})}),
			"delete": operation("deleteWorkflow", "Delete a workflow (its runs stay)", true, []obj{name}, "204", nil, nil),
		},
		"/api/workflows/{name}/enable":  obj{"post": operation("enableWorkflow", "Enable a workflow's triggers", true, []obj{name}, "200", ref("Workflow"), nil)},
		"/api/workflows/{name}/disable": obj{"post": operation("disableWorkflow", "Disable a workflow's triggers", true, []obj{name}, "200", ref("Workflow"), nil)},
		"/api/workflows/{name}/triggers/{trigger}/listCallbackUrl": obj{"post": operation("listCallbackUrl", "Get the signed URL of a Request trigger", true,
			[]obj{name, trigger}, "200", ref("CallbackUrl"), nil)},
		"/api/workflows/{name}/triggers/{trigger}/run": obj{"post": operation("runTrigger", "Fire a trigger by hand; the body becomes triggerBody()", true,
			[]obj{name, trigger}, "202", obj{"type": "object", "properties": obj{"runs": obj{"type": "array", "items": obj{"type": "string"}}}},
			obj{"requestBody": obj{"required": false, "content": obj{"application/json": obj{"schema": obj{}}}}})},
		"/api/workflows/{name}/triggers/{trigger}/histories": obj{"get": operation("listTriggerHistories", "List the trigger's firings with their runs", true,
			append([]obj{trigger}, paging...), "200", obj{"type": "object"}, nil)},
		"/api/workflows/{name}/runs": obj{"get": operation("listRuns", "List runs, newest first", true, paging, "200", ref("RunList"), nil)},
		"/api/workflows/{name}/runs/{id}": obj{"get": operation("getRun", "Get a run record (trigger, every action, outputs, response)", true,
			[]obj{name, id}, "200", ref("RunRecord"), nil)},
		"/api/workflows/{name}/runs/{id}/actions/{action}/repetitions": obj{"get": operation("listRepetitions", "List the repetitions of an action inside loops", true,
			[]obj{name, id, action}, "200", obj{"type": "object", "properties": obj{"value": obj{"type": "array", "items": obj{"type": "object"}}}}, nil)},
		"/api/workflows/{name}/runs/{id}/cancel": obj{"post": operation("cancelRun", "Cancel a running run", true, []obj{name, id}, "202", nil, nil)},
		"/api/workflows/{name}/runs/{id}/resubmit": obj{"post": operation("resubmitRun", "Start a new linked run with the same trigger outputs (optionally from an action)", true,
			[]obj{name, id}, "202", ref("Resubmitted"), resubmitBody)},
		"/api/workflows/{name}/runs/{id}/actions/{action}/resubmit": obj{"post": operation("resubmitFromAction", "Start a new linked run from an action, reusing the outputs of the actions before it", true,
			[]obj{name, id, action}, "202", ref("Resubmitted"), nil)},
	}
	str := obj{"type": "string"}
	schemas := obj{
		"Problem": obj{"type": "object", "required": []string{"type", "title", "status"}, "properties": obj{
			"type": str, "title": str, "status": obj{"type": "integer"}, "detail": str, "instance": str, "code": str, "correlationId": str,
			"errors": obj{"type": "array", "items": obj{"type": "object", "properties": obj{"path": str, "code": str, "message": str}}},
		}},
		"Workflow": obj{"type": "object", "properties": obj{
			"name": str, "version": str, "enabled": obj{"type": "boolean"}, "state": str, "source": str,
			"createdTime": str, "changedTime": str, "definition": obj{"type": "object"},
			"triggers": obj{"type": "array", "items": obj{"type": "object"}}, "warnings": obj{"type": "array", "items": str},
		}},
		"WorkflowList": obj{"type": "object", "properties": obj{"value": obj{"type": "array", "items": ref("Workflow")}}},
		"CallbackUrl": obj{"type": "object", "properties": obj{
			"value": str, "method": str, "basePath": str, "queries": obj{"type": "object", "additionalProperties": str},
			"relativePath": str, "relativePathParameters": obj{"type": "array", "items": str},
		}},
		"RunList": obj{"type": "object", "properties": obj{
			"value": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
				"id": str, "status": str, "startTime": str, "endTime": obj{"type": "string", "nullable": true}, "version": str, "trigger": str}}},
			"nextLink": str,
		}},
		"RunRecord": obj{"type": "object", "properties": obj{
			"id": str, "status": str, "error": obj{"type": "object", "nullable": true}, "trigger": obj{"type": "object"},
			"actions": obj{"type": "object"}, "outputs": obj{"type": "object"}, "response": obj{"type": "object", "nullable": true},
			"workflow": str, "version": str, "startTime": str, "endTime": str, "resubmittedFrom": obj{"type": "object"},
		}},
		"Resubmitted": obj{"type": "object", "properties": obj{"id": str, "resubmittedFrom": str, "fromAction": str}},
	}
	cpaths, cschemas := connectorPaths()
	for k, v := range cpaths {
		paths[k] = v
	}
	for k, v := range cschemas {
		schemas[k] = v
	}
	return obj{
		"openapi": "3.0.3",
		"info": obj{"title": "Junction API", "version": "1", "description": "Management API, Request triggers and callbacks of junction serve. " +
			"Every operation needs a bearer key: the admin key, or a caller key (connections and gateway calls). " +
			"Open: signed trigger URLs and callback URLs (their signature or token is the credential), the OAuth callback (its state is) and /healthz."},
		"servers":  []any{obj{"url": "http://127.0.0.1:7420"}},
		"security": []any{obj{"adminKey": []string{}}},
		"paths":    paths,
		"components": obj{"schemas": schemas, "securitySchemes": obj{"adminKey": obj{"type": "http", "scheme": "bearer"},
			"callerKey": obj{"type": "http", "scheme": "bearer", "description": "a key from POST /api/keys"}}},
	}
}

// openAPIPath converts a mux pattern to an OpenAPI path.
func openAPIPath(pattern string) string {
	return strings.ReplaceAll(pattern, "...}", "}")
}
