// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"fmt"
	"os"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/openapi"
	"github.com/junction-run/junction/connector/postman"
)

// loadConnector imports the connector definition at path: a directory is a
// Power Platform connector folder (apiDefinition.swagger.json and optional
// apiProperties.json); a file is a Postman collection when
// [postman.IsCollection] says so, an OpenAPI document (JSON or YAML)
// otherwise.
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

// isPostman reports whether the file at path is a Postman collection.
func isPostman(path string) bool {
	data, err := os.ReadFile(path)
	return err == nil && postman.IsCollection(data)
}
