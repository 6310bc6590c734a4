// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/openapi"
)

func init() {
	registerConnector(newConnectorAddCmd)
}

func newConnectorAddCmd() *cobra.Command {
	var f apiFlags
	var id string
	cmd := &cobra.Command{
		Use:   "add PATH",
		Short: "Add (or replace) a connector in a running server's catalogue",
		Long: `Add imports PATH locally (a Power Platform connector folder, an OpenAPI
2.0/3.x document in JSON or YAML, or a Postman collection), then sends it
to a running junction serve with PUT /api/connectors/{id}: a folder as
{"apiDefinition": ..., "apiProperties": ...}, a file as it is. The server
stores the documents and imports them again at every start.

--id defaults to the id of the local import (the folder name, or the
document's title).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			spec, _, err := loadConnector(path)
			if err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			if id == "" {
				id = spec.ID
			}
			body, err := connectorUpload(path)
			if err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			var res struct {
				ID         string              `json:"id"`
				Operations int                 `json:"operations"`
				Warnings   []connector.Warning `json:"warnings"`
			}
			if _, err := f.call("PUT", "/api/connectors/"+escape(id), bytes.NewReader(body), &res); err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			for _, w := range res.Warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w.String())
			}
			fmt.Fprintf(cmd.OutOrStdout(), "connector %s added (%d operations)\n", res.ID, res.Operations)
			return nil
		},
	}
	cmd.Flags().StringVar(&id, "id", "", "connector id in the catalogue (default: the id of the import)")
	f.add(cmd)
	return cmd
}

// connectorUpload returns the body of PUT /api/connectors/{id} for PATH.
func connectorUpload(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return os.ReadFile(path)
	}
	raw, err := openapi.LoadRaw(path)
	if err != nil {
		return nil, err
	}
	env := map[string]json.RawMessage{"apiDefinition": raw.Swagger}
	if raw.Properties != nil {
		env["apiProperties"] = raw.Properties
	}
	return json.Marshal(env)
}
