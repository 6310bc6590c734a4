// SPDX-License-Identifier: Apache-2.0

package server

// connectorPaths documents /api/connectors and the gateway's routes
// (connections, caller keys, invoke, pass-through, OAuth callback).
func connectorPaths() (obj, obj) {
	str := obj{"type": "string"}
	id := pathParam("id", "connector id (lowercase, '_' inside words, '.' between namespaces)")
	conn := pathParam("name", "connection name")
	op := pathParam("operationId", "operation id of the connector")
	either := []any{obj{"adminKey": []string{}}, obj{"callerKey": []string{}}}
	gw := func(id, summary string, params []obj, ok string, okSchema obj, extra obj) obj {
		o := operation(id, summary, true, params, ok, okSchema, extra)
		o["security"] = either
		return o
	}
	anyBody := obj{"requestBody": obj{"required": false, "content": obj{"*/*": obj{"schema": obj{}}}}}
	passthrough := func(method string) obj {
		return gw("passThrough"+method, method+" through the gateway to the connector's service (policies and credentials applied)",
			[]obj{pathParam("connectorId", "connector id"), pathParam("connectionName", "connection name"), pathParam("path", "the service path")},
			"200", nil, anyBody)
	}
	paths := obj{
		"/api/connectors": obj{"get": operation("listConnectors", "List connectors, built-in and imported", true, nil, "200", ref("ConnectorList"), nil)},
		"/api/connectors/{id}": obj{
			"get": operation("getConnector", "Get a connector's spec (operations with JSON Schemas); builtin tells a built-in", true, []obj{id}, "200", obj{"type": "object"}, nil),
			"put": operation("putConnector", "Import a connector: {\"apiDefinition\": <swagger>, \"apiProperties\": <apiProperties>} (a Power Platform folder), "+
				"an OpenAPI 2.0/3.x document (JSON or YAML) or a Postman collection; 400 names file:line:column of unreadable input", true, []obj{id}, "200", ref("ConnectorImported"),
				obj{"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": obj{"type": "object"}}, "application/yaml": obj{"schema": obj{}}}}}),
			"delete": operation("deleteConnector", "Delete an imported connector (409 while connections use it)", true, []obj{id}, "204", nil, nil),
		},
		"/api/connections": obj{"get": gw("listConnections", "List the connections the caller may use (secrets masked)", nil, "200", obj{"type": "object"}, nil)},
		"/api/connections/{name}": obj{
			"get": gw("getConnection", "Get a connection (secrets masked)", []obj{conn}, "200", ref("Connection"), nil),
			"put": gw("putConnection", "Create or replace a connection (owner = caller)", []obj{conn}, "200", ref("Connection"),
				obj{"requestBody": jsonBody(obj{"type": "object", "properties": obj{"connector": str, "parameters": obj{"type": "object"},
					"sharedWith": obj{"type": "array", "items": str}, "parameterSet": str}})}),
			"delete": gw("deleteConnection", "Delete a connection", []obj{conn}, "204", nil, nil),
		},
		"/api/connections/{name}/test":    obj{"post": gw("testConnection", "Check a connection", []obj{conn}, "200", obj{"type": "object"}, nil)},
		"/api/connections/{name}/consent": obj{"post": gw("consentConnection", "Start an OAuth consent: {\"url\"} to open in a browser", []obj{conn}, "200", obj{"type": "object"}, nil)},
		"/api/connections/{name}/invoke/{operationId}": obj{"post": gw("invokeOperation", "Call an operation through the gateway: {parameters, body} -> {statusCode, headers, body}",
			[]obj{conn, op}, "200", obj{"type": "object"}, obj{"requestBody": jsonBody(obj{"type": "object", "properties": obj{"parameters": obj{"type": "object"}, "body": obj{}}})})},
		"/api/connections/{name}/calls": obj{"get": gw("listCalls", "The connection's call log, newest first", []obj{conn, queryParam("limit", "1 to 1000 (default 100)", "integer")},
			"200", obj{"type": "object"}, nil)},
		"/api/connections/{name}/dynamic/{operationId}/{parameter}": obj{"get": gw("dynamicMetadata", "Dynamic values or schema of an operation parameter (x-ms-dynamic-values, -list, -schema, -properties)",
			[]obj{conn, op, pathParam("parameter", "parameter name, or a path into the body parameter (body.customer.id)")}, "200", obj{"type": "object"}, nil)},
		"/api/keys": obj{
			"get":  gw("listKeys", "List caller keys (admin only)", nil, "200", obj{"type": "object"}, nil),
			"post": gw("createKey", "Create a caller key, shown once (admin only)", nil, "201", obj{"type": "object"}, obj{"requestBody": jsonBody(obj{"type": "object", "properties": obj{"name": str, "role": str}})}),
		},
		"/api/keys/{name}": obj{"delete": gw("deleteKey", "Revoke a caller key (admin only)", []obj{pathParam("name", "key name")}, "204", nil, nil)},
		"/apim/{connectorId}/{connectionName}/{path}": obj{
			"get": passthrough("Get"), "post": passthrough("Post"), "put": passthrough("Put"), "patch": passthrough("Patch"), "delete": passthrough("Delete"),
		},
		"/oauth/callback": obj{"get": operation("oauthCallback", "Complete an OAuth consent (the state is the credential)", false,
			[]obj{queryParam("state", "the consent's state", "string"), queryParam("code", "the authorization code", "string")}, "200", obj{"type": "object"}, nil)},
	}
	schemas := obj{
		"ConnectorSummary": obj{"type": "object", "properties": obj{"id": str, "title": str, "description": str, "version": str,
			"builtin": obj{"type": "boolean"}, "kind": str, "operations": obj{"type": "integer"}, "created": str, "updated": str}},
		"ConnectorList": obj{"type": "object", "properties": obj{"value": obj{"type": "array", "items": ref("ConnectorSummary")}}},
		"ConnectorImported": obj{"allOf": []any{ref("ConnectorSummary"), obj{"type": "object", "properties": obj{"warnings": obj{"type": "array", "items": obj{"type": "object",
			"properties": obj{"file": str, "line": obj{"type": "integer"}, "column": obj{"type": "integer"}, "pointer": str, "message": str}}}}}}},
		"Connection": obj{"type": "object", "properties": obj{"name": str, "connector": str, "owner": str, "sharedWith": obj{"type": "array", "items": str},
			"parameters": obj{"type": "object"}, "oauth": obj{"type": "object"}, "health": obj{"type": "object"}, "created": str, "updated": str}},
	}
	return paths, schemas
}
