// SPDX-License-Identifier: Apache-2.0

package postman

import (
	"encoding/json"
	"time"
)

// maxInferDepth bounds schema inference on deeply nested examples.
const maxInferDepth = 64

// infer returns a JSON Schema describing the example value v: types,
// object properties and array items (the properties of all object items
// merged). Nulls give an empty schema, which accepts anything.
func infer(v any) map[string]any { return inferDepth(v, 0) }

func inferDepth(v any, depth int) map[string]any {
	if depth > maxInferDepth {
		return map[string]any{}
	}
	switch t := v.(type) {
	case map[string]any:
		s := map[string]any{"type": "object"}
		if len(t) > 0 {
			props := make(map[string]any, len(t))
			for k, e := range t {
				props[k] = inferDepth(e, depth+1)
			}
			s["properties"] = props
		}
		return s
	case []any:
		s := map[string]any{"type": "array"}
		var items map[string]any
		for _, e := range t {
			items = merge(items, inferDepth(e, depth+1))
		}
		if items == nil {
			items = map[string]any{}
		}
		s["items"] = items
		return s
	case string:
		s := map[string]any{"type": "string"}
		if len(t) >= 10 {
			if _, err := time.Parse(time.RFC3339Nano, t); err == nil {
				s["format"] = "date-time"
			} else if _, err := time.Parse("2006-01-02", t); err == nil {
				s["format"] = "date"
			}
		}
		return s
	case json.Number:
		if _, err := t.Int64(); err == nil {
			return map[string]any{"type": "integer"}
		}
		return map[string]any{"type": "number"}
	case float64:
		return map[string]any{"type": "number"}
	case bool:
		return map[string]any{"type": "boolean"}
	}
	return map[string]any{}
}

// merge combines two inferred schemas of array items: object properties
// are united, integer and number give number, anything else keeps a.
func merge(a, b map[string]any) map[string]any {
	if a == nil {
		return b
	}
	ta, tb := a["type"], b["type"]
	switch {
	case ta == nil:
		return b
	case tb == nil:
		return a
	case ta == "object" && tb == "object":
		pa, _ := a["properties"].(map[string]any)
		pb, _ := b["properties"].(map[string]any)
		if len(pb) == 0 {
			return a
		}
		props := make(map[string]any, len(pa)+len(pb))
		for k, v := range pa {
			props[k] = v
		}
		for k, v := range pb {
			if old, ok := props[k].(map[string]any); ok {
				props[k] = merge(old, v.(map[string]any))
			} else {
				props[k] = v
			}
		}
		return map[string]any{"type": "object", "properties": props}
	case ta == "array" && tb == "array":
		ia, _ := a["items"].(map[string]any)
		ib, _ := b["items"].(map[string]any)
		return map[string]any{"type": "array", "items": merge(ia, ib)}
	case (ta == "integer" && tb == "number") || (ta == "number" && tb == "integer"):
		return map[string]any{"type": "number"}
	}
	return a
}
