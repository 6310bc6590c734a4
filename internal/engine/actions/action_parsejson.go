// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/junction-run/junction/expr"
)

func init() { Register("ParseJson", runParseJSON) }

// maxSchemaErrors bounds the schema errors listed in a failure.
const maxSchemaErrors = 10

var schemaPrinter = message.NewPrinter(language.English)

// runParseJSON implements ParseJson: "content" (JSON text, binary content
// or an already parsed value) is parsed, keeping key order, and validated
// against "schema" (JSON Schema, draft 4 unless the schema names another
// with $schema). Outputs are {body: value}. Text that is not JSON fails
// with code InvalidJSON; a value that does not match the schema fails with
// code ValidationFailed, listing each error with its JSON pointer, and the
// outputs {body, errors: [{message, path, errorType}]}.
func runParseJSON(_ context.Context, c *Call) (Result, error) {
	v, err := c.EvalInputs()
	if err != nil {
		return fail(c, c.Raw, err), nil
	}
	in, ok := v.(*expr.Object)
	if !ok {
		return failed(v, nil, invalidInputs(c, "the inputs must be an object")), nil
	}
	content, ok := get(in, "content")
	if !ok {
		return failed(in, nil, invalidInputs(c, "'content' is required")), nil
	}
	body, perr := parseContent(content)
	if perr != nil {
		return failed(in, nil, &ActionError{Code: "InvalidJSON", Message: fmt.Sprintf("The 'content' of action '%s' is not valid JSON: %v.", c.Name, perr)}), nil
	}
	schema, _ := get(in, "schema")
	if s, ok := schema.(string); ok && strings.TrimSpace(s) != "" {
		// A schema written as JSON text.
		if schema, err = expr.Decode([]byte(s)); err != nil {
			return failed(in, nil, invalidInputs(c, fmt.Sprintf("'schema' is not valid JSON: %v", err))), nil
		}
	}
	if so, ok := schema.(*expr.Object); !ok || so.Len() == 0 {
		return Result{Inputs: in, Outputs: bodyOutputs(body)}, nil
	}
	sch, err := compileSchema(schema)
	if err != nil {
		return failed(in, nil, &ActionError{Code: "InvalidSchema", Message: fmt.Sprintf("The 'schema' of action '%s' is not a valid JSON Schema: %v.", c.Name, err)}), nil
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(expr.AppendJSON(nil, body)))
	if err != nil {
		return failed(in, nil, &ActionError{Code: "InvalidJSON", Message: fmt.Sprintf("The 'content' of action '%s' cannot be validated: %v.", c.Name, err)}), nil
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return failed(in, nil, &ActionError{Code: "ValidationFailed", Message: fmt.Sprintf("The schema validation of action '%s' failed: %v.", c.Name, err)}), nil
		}
		errs, text := schemaErrors(ve)
		out := bodyOutputs(body)
		out.Set("errors", errs)
		return failed(in, out, &ActionError{Code: "ValidationFailed", Message: fmt.Sprintf("The schema validation failed: %s.", text)}), nil
	}
	return Result{Inputs: in, Outputs: bodyOutputs(body)}, nil
}

// parseContent parses JSON text and binary content; other values are
// already parsed.
func parseContent(v any) (any, error) {
	switch t := v.(type) {
	case string:
		return expr.Decode([]byte(t))
	case []byte:
		return expr.Decode(t)
	case *expr.Object:
		if data, _, ok := contentOf(t); ok {
			return expr.Decode(data)
		}
	}
	return v, nil
}

// schemas caches compiled schemas by their JSON text (a ParseJson inside a
// Foreach compiles its schema once).
var schemas = struct {
	sync.Mutex
	m map[string]*jsonschema.Schema
}{m: map[string]*jsonschema.Schema{}}

func compileSchema(schema any) (*jsonschema.Schema, error) {
	text := string(expr.AppendJSON(nil, schema))
	schemas.Lock()
	sch, ok := schemas.m[text]
	schemas.Unlock()
	if ok {
		return sch, nil
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	const loc = "mem:///parsejson-schema.json"
	if err := c.AddResource(loc, doc); err != nil {
		return nil, err
	}
	if sch, err = c.Compile(loc); err != nil {
		return nil, err
	}
	schemas.Lock()
	if len(schemas.m) >= 256 {
		clear(schemas.m)
	}
	schemas.m[text] = sch
	schemas.Unlock()
	return sch, nil
}

// schemaErrors lists the leaf validation errors as values and as one line
// of text ("at /items/0/name: got number, want string; ...").
func schemaErrors(ve *jsonschema.ValidationError) ([]any, string) {
	var list []any
	var lines []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(list) >= maxSchemaErrors {
			return
		}
		if len(e.Causes) == 0 {
			path := pointer(e.InstanceLocation)
			msg := e.ErrorKind.LocalizedString(schemaPrinter)
			o := expr.NewObject(3)
			o.Set("message", msg)
			o.Set("path", path)
			o.Set("errorType", errorType(e))
			list = append(list, o)
			lines = append(lines, fmt.Sprintf("at %s: %s", path, msg))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return list, strings.Join(lines, "; ")
}

func errorType(e *jsonschema.ValidationError) string {
	kp := e.ErrorKind.KeywordPath()
	if len(kp) == 0 {
		return "schema"
	}
	return kp[len(kp)-1]
}

// pointer returns the JSON pointer of an instance location ("/" for the
// root).
func pointer(tokens []string) string {
	if len(tokens) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}
