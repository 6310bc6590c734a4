// SPDX-License-Identifier: Apache-2.0

package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/junction-run/junction/connector"
)

// paramSchema is a parameter's compiled JSON Schema (nil when the parameter
// has none or it does not compile) and its declared type for coercion.
type paramSchema struct {
	schema   *jsonschema.Schema
	typ      string
	itemType string
}

var printer = message.NewPrinter(language.English)

// compile compiles the schemas of every parameter once.
func (o *operation) compile() {
	o.schemas = make([]*paramSchema, len(o.op.Parameters))
	for i := range o.op.Parameters {
		o.schemas[i] = compileSchema(o.op.ID, &o.op.Parameters[i])
	}
}

func compileSchema(opID string, prm *connector.Param) *paramSchema {
	ps := &paramSchema{}
	if len(bytes.TrimSpace(prm.Schema)) == 0 {
		return ps
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(prm.Schema))
	if err != nil {
		return ps
	}
	if m, ok := doc.(map[string]any); ok {
		ps.typ, _ = m["type"].(string)
		if items, ok := m["items"].(map[string]any); ok {
			ps.itemType, _ = items["type"].(string)
		}
		if ps.typ == "file" {
			return ps // OpenAPI 2 file parameters: not JSON Schema
		}
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	loc := "mem:///" + strconv.Quote(opID+"/"+prm.Name)
	if err := c.AddResource(loc, doc); err != nil {
		return ps
	}
	sch, err := c.Compile(loc)
	if err != nil {
		// Schemas with unresolved references or non-standard keywords are
		// not checked rather than failing every call.
		return ps
	}
	ps.schema = sch
	return ps
}

// coerce converts text values to the parameter's declared type, so that
// "10" passes for an integer and "a,b" for an array (split per the
// collection format). Values it cannot convert stay as they are and fail
// validation.
func (ps *paramSchema) coerce(v any, cf string) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	switch ps.typ {
	case "array":
		t := strings.TrimSpace(s)
		if strings.HasPrefix(t, "[") {
			if arr, err := decodeJSON([]byte(t)); err == nil {
				if a, ok := arr.([]any); ok {
					return a
				}
			}
		}
		if s == "" {
			return []any{}
		}
		sep := separator(cf)
		if strings.EqualFold(cf, "multi") {
			sep = ","
		}
		parts := strings.Split(s, sep)
		arr := make([]any, len(parts))
		for i, p := range parts {
			arr[i] = coerceScalar(p, ps.itemType)
		}
		return arr
	case "object":
		if m, err := decodeJSON([]byte(s)); err == nil {
			if _, ok := m.(map[string]any); ok {
				return m
			}
		}
		return v
	}
	return coerceScalar(s, ps.typ)
}

func coerceScalar(s, typ string) any {
	switch typ {
	case "integer":
		if _, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			return json.Number(strings.TrimSpace(s))
		}
	case "number":
		if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			return json.Number(strings.TrimSpace(s))
		}
	case "boolean":
		if b, err := strconv.ParseBool(strings.TrimSpace(s)); err == nil {
			return b
		}
	}
	return s
}

// check validates v against the schema and returns a copy of v in plain
// JSON form.
func (ps *paramSchema) check(opID string, prm *connector.Param, v any) (any, error) {
	if _, isBytes := v.([]byte); isBytes {
		return v, nil // raw bodies are sent as they are
	}
	nv, err := normalize(v)
	if err != nil {
		return nil, connector.Errorf(connector.KindBadRequest, "operation %s: parameter %q: %v", opID, prm.Name, err)
	}
	if ps.schema == nil {
		return nv, nil
	}
	if err := ps.schema.Validate(nv); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return nil, &connector.Error{Kind: connector.KindBadRequest,
				Message: fmt.Sprintf("operation %s: parameter %q does not match its schema: %s", opID, prm.Name, describeValidation(ve))}
		}
		return nil, connector.Errorf(connector.KindBadRequest, "operation %s: parameter %q: %v", opID, prm.Name, err)
	}
	return nv, nil
}

// describeValidation lists the leaf failures with their JSON path: "at
// /items/0/name: got number, want string".
func describeValidation(ve *jsonschema.ValidationError) string {
	var leaves []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(leaves) >= 5 {
			return
		}
		if len(e.Causes) == 0 {
			loc := "/" + strings.Join(escapePointer(e.InstanceLocation), "/")
			leaves = append(leaves, fmt.Sprintf("at %s: %s", loc, e.ErrorKind.LocalizedString(printer)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return strings.Join(leaves, "; ")
}

func escapePointer(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
	}
	return out
}

// normalize returns a deep copy of v as plain JSON values (map[string]any,
// []any, json.Number, string, bool, nil), converting other Go types through
// JSON. Copying keeps policies from changing the caller's input, which may
// be shared between concurrent calls.
func normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, json.Number, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return v, nil
	case []byte:
		return v, nil
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			m[k] = n
		}
		return m, nil
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			a[i] = n
		}
		return a, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cannot encode %T as JSON: %w", v, err)
	}
	return decodeJSON(b)
}
