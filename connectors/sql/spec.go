// SPDX-License-Identifier: Apache-2.0

package sql

import (
	"encoding/json"

	"github.com/junction-run/junction/connector"
)

const rowSchema = `{"type": "object", "description": "A row: column name to value (binary as base64, times as RFC 3339).", "additionalProperties": true}`

const resultSetsSchema = `{
  "type": "object",
  "description": "Result sets by name (Table1, Table2...), each an array of rows.",
  "additionalProperties": {"type": "array", "items": ` + rowSchema + `}
}`

func str(desc string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"type": "string", "description": desc})
	return b
}

func integer(desc string, def int) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"type": "integer", "description": desc, "default": def, "minimum": 0})
	return b
}

func p(name string, in connector.Location, summary, desc string, required bool, schema json.RawMessage) connector.Param {
	return connector.Param{Name: name, In: in, Required: required, Summary: summary, Description: desc, Schema: schema}
}

var (
	tableParam  = p("table", connector.InPath, "Table name", "Table or view, optionally schema-qualified (public.orders). Looked up in the catalog.", true, str("table name"))
	idParam     = p("id", connector.InPath, "Row id", "Value of the table's primary key (single-column keys only).", true, json.RawMessage(`{"type": ["string", "integer"], "description": "primary key value"}`))
	rowBody     = p("item", connector.InBody, "Row", "Column values by column name.", true, json.RawMessage(`{"type": "object", "description": "column values", "additionalProperties": true}`))
	filterParam = p("$filter", connector.InQuery, "Filter query", "OData filter: eq ne gt ge lt le, and or not, parentheses, contains/startswith/endswith(column,'text'), null. Example: status eq 'open' and total gt 100.", false, str("OData filter"))
)

func action(id, method, path, summary, desc string, params []connector.Param, status, respDesc, schema string) connector.Operation {
	r := connector.Response{Status: status, Description: respDesc}
	if schema != "" {
		r.Schema = json.RawMessage(schema)
	}
	return connector.Operation{ID: id, Kind: connector.KindAction, Method: method, Path: path, Summary: summary, Description: desc,
		Parameters: params, Responses: []connector.Response{r}}
}

func trigger(id, summary, desc string, params []connector.Param) connector.Operation {
	return connector.Operation{ID: id, Kind: connector.KindTrigger, Trigger: connector.TriggerPoll, Method: "GET",
		Path:    "/tables/{table}/" + map[string]string{OnNewItems: "onnewitems", OnUpdatedItems: "onupdateditems"}[id],
		Summary: summary, Description: desc, Parameters: params,
		Responses: []connector.Response{{Status: "200", Description: "The new or changed rows, oldest first.",
			Schema: json.RawMessage(`{"type": "array", "items": ` + rowSchema + `}`)}}}
}

func spec() connector.Spec {
	maxItems := p("maxItems", connector.InQuery, "Maximum rows per poll", "At most this many rows per poll; the rest come in the next polls.", false, integer("rows per poll", 100))
	return connector.Spec{
		ID:          ID,
		Title:       "SQL Database",
		Description: "Read and write rows, run queries and stored procedures, and trigger on new or changed rows in PostgreSQL and SQLite databases.",
		Version:     "1.0.0",
		Status:      connector.StatusBeta,
		Publisher:   "Junction",
		BrandColor:  "#336791",
		Auth:        []connector.Auth{{Kind: connector.AuthBasic, Description: "Database user and password, in the connection string or the password parameter."}},
		ConnectionParameters: []connector.ConnectionParameter{
			{Name: "driver", Type: connector.TypeString, Required: true, DisplayName: "Database", Default: "postgres",
				AllowedValues: []any{"postgres", "sqlite"}, Description: "postgres or sqlite."},
			{Name: "connectionString", Type: connector.TypeSecureString, Required: true, DisplayName: "Connection string",
				Description: "PostgreSQL: postgres://user@host:5432/db?sslmode=require (or key=value form). SQLite: the database file path, or file:path?mode=ro."},
			{Name: "password", Type: connector.TypeSecureString, DisplayName: "Password",
				Description: "PostgreSQL password; replaces any password in the connection string."},
		},
		Capabilities: []string{"actions", "triggers"},
		Operations: []connector.Operation{
			action("ExecutePassThroughNativeQuery", "POST", "/query", "Execute a SQL query",
				"Runs the SQL text in body.query with body.parameters bound to its placeholders ($1, $2 for PostgreSQL; ?1, ?2 for SQLite). The text runs as given, with the connection's rights: give this operation only to those who may run any SQL.",
				[]connector.Param{p("query", connector.InBody, "Query", "{\"query\": \"SELECT ... WHERE id = $1\", \"parameters\": [42]}", true,
					json.RawMessage(`{"type": "object", "description": "query and parameters", "properties": {"query": {"type": "string"}, "parameters": {"type": "array"}}, "required": ["query"]}`))},
				"200", "The result sets.", `{"type": "object", "properties": {"ResultSets": `+resultSetsSchema+`}, "required": ["ResultSets"]}`),
			action("GetItems", "GET", "/tables/{table}/items", "Get rows",
				"Reads rows of a table, filtered, ordered and paged with OData-style parameters. Without $orderby rows come in primary-key order.",
				[]connector.Param{tableParam, filterParam,
					p("$orderby", connector.InQuery, "Order by", "Columns, each optionally followed by asc or desc: created desc, id.", false, str("order")),
					p("$top", connector.InQuery, "Top count", "At most this many rows (default 256, at most 10000).", false, integer("row count", defaultTop)),
					p("$skip", connector.InQuery, "Skip count", "Skip this many rows first.", false, integer("rows to skip", 0)),
					p("$select", connector.InQuery, "Select columns", "Comma-separated columns to return; all when empty.", false, str("columns")),
				},
				"200", "The rows.", `{"type": "object", "properties": {"value": {"type": "array", "items": `+rowSchema+`}}, "required": ["value"]}`),
			action("GetItem", "GET", "/tables/{table}/items/{id}", "Get row", "Reads one row by primary key.",
				[]connector.Param{tableParam, idParam}, "200", "The row.", rowSchema),
			action("PostItem", "POST", "/tables/{table}/items", "Insert row", "Inserts a row and returns it as stored (with defaults and generated keys).",
				[]connector.Param{tableParam, rowBody}, "200", "The inserted row.", rowSchema),
			action("PatchItem", "PATCH", "/tables/{table}/items/{id}", "Update row", "Updates the given columns of one row by primary key and returns the row.",
				[]connector.Param{tableParam, idParam, rowBody}, "200", "The updated row.", rowSchema),
			action("DeleteItem", "DELETE", "/tables/{table}/items/{id}", "Delete row", "Deletes one row by primary key.",
				[]connector.Param{tableParam, idParam}, "200", "The row was deleted.", ""),
			action("ExecuteProcedure", "POST", "/procedures/{procedure}", "Execute stored procedure",
				"Calls a stored procedure (CALL) or function (SELECT * FROM) with named arguments from the body. PostgreSQL only; the name is looked up in the catalog and must not be overloaded.",
				[]connector.Param{
					p("procedure", connector.InPath, "Procedure name", "Procedure or function, optionally schema-qualified.", true, str("procedure name")),
					p("parameters", connector.InBody, "Parameters", "Arguments by parameter name.", false, json.RawMessage(`{"type": "object", "description": "arguments", "additionalProperties": true}`)),
				},
				"200", "Result sets and output parameters.", `{"type": "object", "properties": {"ResultSets": `+resultSetsSchema+`, "OutputParameters": {"type": "object"}, "ReturnCode": {"type": "integer"}}, "required": ["ResultSets", "OutputParameters"]}`),
			trigger(OnNewItems, "When an item is created",
				"Returns rows whose increasing column (by default the primary key; an identity or sequence column) is larger than the last one returned. The first poll only records the current largest value. Rows committed out of key order (concurrent transactions) can be missed; use OnUpdatedItems with a commit timestamp where that matters.",
				[]connector.Param{tableParam,
					p("column", connector.InQuery, "Increasing column", "Column that grows with each new row; the primary key when empty.", false, str("column")),
					filterParam, maxItems}),
			trigger(OnUpdatedItems, "When an item is modified",
				"Returns rows whose timestamp or row-version column is newer than the last one returned (new rows too, when the column is set on insert). Rows sharing one value are returned exactly once.",
				[]connector.Param{tableParam,
					p("column", connector.InQuery, "Timestamp or version column", "Column set to a larger value on each change (updated_at, a version counter).", true, str("column")),
					filterParam, maxItems}),
		},
	}
}
