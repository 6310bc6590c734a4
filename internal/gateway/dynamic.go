// SPDX-License-Identifier: Apache-2.0

package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/connection"
)

// dynamicRef is an x-ms-dynamic-values or x-ms-dynamic-schema annotation.
type dynamicRef struct {
	OperationID     string         `json:"operationId"`
	Parameters      map[string]any `json:"parameters"`
	ValueCollection string         `json:"value-collection"`
	ValuePath       string         `json:"value-path"`
	ValueTitle      string         `json:"value-title"`
}

// dynamic serves GET /api/connections/{name}/dynamic/{operationId}/{parameter}:
// it evaluates the parameter's x-ms-dynamic-values (answering {"values":
// [{"value", "displayName"}]}) or x-ms-dynamic-schema (answering
// {"schema": ...}) by calling the named operation through the gateway.
// The query string holds the current values of the operation's other
// parameters, which the annotation may reference ({"parameter": "name"}).
func (g *Gateway) dynamic(w http.ResponseWriter, r *http.Request, p connection.Principal) error {
	ctx := r.Context()
	name, opID, param := r.PathValue("name"), r.PathValue("operationId"), r.PathValue("parameter")
	c, err := g.conns.Authorize(ctx, p, name)
	if err != nil {
		return err
	}
	pe, err := g.provider(c.ConnectorID)
	if err != nil {
		return err
	}
	op, ok := pe.spec.Operation(opID)
	if !ok {
		return &Error{Status: http.StatusNotFound, Code: "OperationNotFound", Detail: fmt.Sprintf("connector %s has no operation %q", c.ConnectorID, opID)}
	}
	prm, ok := op.Param(param)
	if !ok {
		return &Error{Status: http.StatusNotFound, Code: "ParameterNotFound", Detail: fmt.Sprintf("operation %s has no parameter %q", opID, param)}
	}
	current := map[string]any{}
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 {
			current[k] = vs[0]
		}
	}
	raw, schema := prm.DynamicValues, false
	if len(raw) == 0 {
		raw, schema = prm.DynamicSchema, true
	}
	if len(raw) == 0 && len(prm.Schema) > 0 {
		// A body parameter carries the annotations in its schema.
		var inner map[string]json.RawMessage
		if json.Unmarshal(prm.Schema, &inner) == nil {
			if v, ok := inner["x-ms-dynamic-values"]; ok {
				raw, schema = v, false
			} else if v, ok := inner["x-ms-dynamic-schema"]; ok {
				raw, schema = v, true
			}
		}
	}
	if len(raw) == 0 {
		if dv, ok := pe.p.(connector.DynamicValuer); ok {
			conn, err := g.conns.Resolve(ctx, name)
			if err != nil {
				return err
			}
			vals, err := dv.DynamicValues(ctx, conn, opID, param, connector.Input{Parameters: current})
			if err != nil {
				return scrubErr(err, secretValues(pe.spec, conn))
			}
			writeJSON(w, http.StatusOK, map[string]any{"values": vals})
			return nil
		}
		return &Error{Status: http.StatusBadRequest, Code: "NotDynamic", Detail: fmt.Sprintf("parameter %q of operation %s has no dynamic values or schema", param, opID)}
	}
	var ref dynamicRef
	if err := json.Unmarshal(raw, &ref); err != nil || ref.OperationID == "" {
		return &Error{Status: http.StatusBadRequest, Code: "BadDynamicMetadata", Detail: fmt.Sprintf("parameter %q of operation %s has an unreadable dynamic annotation", param, opID)}
	}
	in := connector.Input{Parameters: map[string]any{}}
	for k, v := range ref.Parameters {
		switch t := v.(type) {
		case map[string]any:
			if pn, ok := t["parameter"].(string); ok {
				if cv, ok := current[pn]; ok {
					in.Parameters[k] = cv
				}
			} else if val, ok := t["value"]; ok {
				in.Parameters[k] = val
			}
		default:
			in.Parameters[k] = v
		}
	}
	out, err := g.Invoke(ctx, p, name, ref.OperationID, in)
	if err != nil {
		return err
	}
	if schema {
		s := out.Body
		if ref.ValuePath != "" {
			s = pathGet(out.Body, ref.ValuePath)
		}
		writeJSON(w, http.StatusOK, map[string]any{"schema": s})
		return nil
	}
	coll := out.Body
	if ref.ValueCollection != "" {
		coll = pathGet(out.Body, ref.ValueCollection)
	} else if m, ok := coll.(map[string]any); ok {
		if v, ok := m["value"]; ok {
			coll = v
		}
	}
	items, _ := coll.([]any)
	values := make([]connector.DynamicValue, 0, len(items))
	for _, it := range items {
		v := it
		if ref.ValuePath != "" {
			v = pathGet(it, ref.ValuePath)
		}
		title := v
		if ref.ValueTitle != "" {
			title = pathGet(it, ref.ValueTitle)
		}
		values = append(values, connector.DynamicValue{Value: v, DisplayName: fmt.Sprint(title)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"values": values})
	return nil
}

// pathGet follows a value path ("a/b", "a.b", "items/0/id") into decoded
// JSON; nil when it leads nowhere.
func pathGet(v any, path string) any {
	for _, seg := range strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '.' }) {
		switch t := v.(type) {
		case map[string]any:
			v = t[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}
