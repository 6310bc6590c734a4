// SPDX-License-Identifier: Apache-2.0

package gateway

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/connection"
)

// dynamicRef is a dynamic annotation: x-ms-dynamic-values and
// x-ms-dynamic-schema, or their successors x-ms-dynamic-list and
// x-ms-dynamic-properties, whose field names are read into the same
// fields (see [annotation]).
type dynamicRef struct {
	OperationID     string         `json:"operationId"`
	Parameters      map[string]any `json:"parameters"`
	ValueCollection string         `json:"value-collection"`
	ValuePath       string         `json:"value-path"`
	ValueTitle      string         `json:"value-title"`
	ItemsPath       string         `json:"itemsPath"`
	ItemValuePath   string         `json:"itemValuePath"`
	ItemTitlePath   string         `json:"itemTitlePath"`
	BuiltIn         string         `json:"builtInOperation"` // AadGraph.GetUsers ...
}

// The annotations, in the order they are looked for, and whether each
// answers a schema (or a list of values).
var dynamicKeys = []struct {
	key    string
	schema bool
}{
	{"x-ms-dynamic-values", false}, {"x-ms-dynamic-list", false},
	{"x-ms-dynamic-schema", true}, {"x-ms-dynamic-properties", true},
}

// annotation finds the dynamic annotation of parameter param of op. param
// is a parameter name, or a path into a body parameter's schema
// ("body/customer/id" or "body.customer.id") for the annotations that
// Power Platform connectors put on body properties.
func annotation(op *connector.Operation, param string) (raw json.RawMessage, schema, found bool) {
	if prm, ok := op.Param(param); ok {
		for _, k := range []struct {
			raw    json.RawMessage
			schema bool
		}{{prm.DynamicValues, false}, {prm.DynamicList, false}, {prm.DynamicSchema, true}, {prm.DynamicProperties, true}} {
			if len(k.raw) > 0 {
				return k.raw, k.schema, true
			}
		}
		// A body parameter carries the annotations in its schema.
		raw, schema := schemaAnnotation(prm.Schema, nil)
		return raw, schema, true
	}
	path := strings.FieldsFunc(param, func(r rune) bool { return r == '/' || r == '.' })
	if len(path) < 2 {
		return nil, false, false
	}
	prm, ok := op.Param(path[0])
	if !ok || len(prm.Schema) == 0 {
		return nil, false, false
	}
	raw, schema = schemaAnnotation(prm.Schema, path[1:])
	return raw, schema, raw != nil
}

// schemaAnnotation follows path through a schema's properties (and array
// items) and returns the dynamic annotation found there.
func schemaAnnotation(schemaJSON json.RawMessage, path []string) (json.RawMessage, bool) {
	var node map[string]json.RawMessage
	if json.Unmarshal(schemaJSON, &node) != nil {
		return nil, false
	}
	for _, seg := range path {
		if items, ok := node["items"]; ok && node["properties"] == nil {
			if json.Unmarshal(items, &node) != nil {
				return nil, false
			}
		}
		var props map[string]json.RawMessage
		if json.Unmarshal(node["properties"], &props) != nil || props[seg] == nil {
			return nil, false
		}
		node = nil
		if json.Unmarshal(props[seg], &node) != nil {
			return nil, false
		}
	}
	for _, k := range dynamicKeys {
		if v, ok := node[k.key]; ok {
			return v, k.schema
		}
	}
	return nil, false
}

// argument resolves one parameter of an annotation against the current
// values of the operation's parameters: {"parameter": "name"} (values,
// schema), {"parameterReference": "body/customer/id"} (list, properties;
// the whole reference or its last segment names the value), {"value": v}
// or a literal.
func argument(v any, current map[string]any) (any, bool) {
	t, ok := v.(map[string]any)
	if !ok {
		return v, true
	}
	if pn, ok := t["parameter"].(string); ok {
		cv, ok := current[pn]
		return cv, ok
	}
	if ref, ok := t["parameterReference"].(string); ok {
		if cv, ok := current[ref]; ok {
			return cv, true
		}
		segs := strings.FieldsFunc(ref, func(r rune) bool { return r == '/' || r == '.' })
		if len(segs) > 0 {
			cv, ok := current[segs[len(segs)-1]]
			return cv, ok
		}
		return nil, false
	}
	if val, ok := t["value"]; ok {
		return val, true
	}
	return v, true
}

// dynamic serves GET /api/connections/{name}/dynamic/{operationId}/{parameter}:
// it evaluates the parameter's x-ms-dynamic-values or x-ms-dynamic-list
// (answering {"values": [{"value", "displayName"}]}) or its
// x-ms-dynamic-schema or x-ms-dynamic-properties (answering {"schema":
// ...}) by calling the named operation through the gateway. {parameter}
// may be a path into a body parameter's schema (body.customer.id). The
// query string holds the current values of the operation's other
// parameters, which the annotation may reference.
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
	raw, schema, found := annotation(op, param)
	if !found {
		return &Error{Status: http.StatusNotFound, Code: "ParameterNotFound", Detail: fmt.Sprintf("operation %s has no parameter %q", opID, param)}
	}
	current := map[string]any{}
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 {
			current[k] = vs[0]
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
	if err := json.Unmarshal(raw, &ref); err == nil && ref.OperationID == "" && ref.BuiltIn != "" {
		return &Error{Status: http.StatusBadRequest, Code: "BuiltInOperationNotSupported",
			Detail: fmt.Sprintf("parameter %q of operation %s takes its values from the Power Platform built-in operation %q, which Junction does not have", param, opID, ref.BuiltIn)}
	}
	if err := json.Unmarshal(raw, &ref); err != nil || ref.OperationID == "" {
		return &Error{Status: http.StatusBadRequest, Code: "BadDynamicMetadata", Detail: fmt.Sprintf("parameter %q of operation %s has an unreadable dynamic annotation", param, opID)}
	}
	ref.ValueCollection = cmp.Or(ref.ValueCollection, ref.ItemsPath)
	ref.ValuePath = cmp.Or(ref.ValuePath, ref.ItemValuePath)
	ref.ValueTitle = cmp.Or(ref.ValueTitle, ref.ItemTitlePath)
	in := connector.Input{Parameters: map[string]any{}}
	for k, v := range ref.Parameters {
		if val, ok := argument(v, current); ok {
			in.Parameters[k] = val
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
