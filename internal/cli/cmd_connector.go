// SPDX-License-Identifier: Apache-2.0

package cli

import "github.com/spf13/cobra"

// connectorCommands holds the constructors of `junction connector` subcommands.
var connectorCommands []func() *cobra.Command

// registerConnector adds a `junction connector` subcommand. Call it from init.
func registerConnector(f func() *cobra.Command) { connectorCommands = append(connectorCommands, f) }

func init() {
	register(func() *cobra.Command {
		c := &cobra.Command{
			Use:   "connector",
			Short: "Import, inspect, validate and call connectors",
			Long: `Work with connector definitions: a Power Platform custom connector folder
(apiDefinition.swagger.json + apiProperties.json), an OpenAPI 2.0/3.x document
(JSON or YAML) or a Postman collection (v2.0/v2.1).`,
		}
		for _, f := range connectorCommands {
			c.AddCommand(f())
		}
		return c
	})
}
