// SPDX-License-Identifier: Apache-2.0

package connectortest

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compileSchema compiles one JSON Schema (draft 2020-12 unless it says
// otherwise).
func compileSchema(raw json.RawMessage) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("reading schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("mem:///schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("mem:///schema.json")
}

// normalize turns a Go value into what a JSON decoder would give, so typed
// outputs (structs, []byte) validate like the JSON the engine stores.
func normalize(v any) (any, error) {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("output is not JSON-encodable: %w", err)
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(raw))
}
