// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/openapi"
	"github.com/junction-run/junction/connector/postman"
)

// loadConnector imports the connector definition at path: a directory is a
// Power Platform connector folder (apiDefinition.swagger.json and optional
// apiProperties.json); a file is a Postman collection when its JSON has
// info._postman_id or an info.schema at schema.getpostman.com, an OpenAPI
// document (JSON or YAML) otherwise.
//
// A definition that cannot be read at all returns an error; a
// *connector.SyntaxError in its chain names the file, line and column.
func loadConnector(path string) (*connector.Spec, []connector.Warning, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("loading connector: %w", err)
	}
	if info.IsDir() {
		return openapi.Load(path)
	}
	if isPostman(path) {
		return postman.Load(path)
	}
	return openapi.Load(path)
}

// postmanSniffLimit bounds how much of a file is read to tell a Postman
// collection from an OpenAPI document.
const postmanSniffLimit = 64 << 20

// isPostman reports whether the file at path is a Postman collection.
func isPostman(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, postmanSniffLimit))
	if err != nil || !strings.Contains(string(data), "_postman_id") && !strings.Contains(string(data), "schema.getpostman.com") {
		return false
	}
	var doc struct {
		Info struct {
			PostmanID *json.RawMessage `json:"_postman_id"`
			Schema    string           `json:"schema"`
		} `json:"info"`
	}
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF}))
	if json.Unmarshal(data, &doc) != nil {
		// Not strict JSON (comments, trailing commas ...): for a JSON
		// object the markers found above are enough to tell.
		return len(data) > 0 && data[0] == '{'
	}
	return doc.Info.PostmanID != nil || strings.Contains(doc.Info.Schema, "schema.getpostman.com")
}
