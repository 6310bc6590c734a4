// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func init() {
	register(newConnectionsCommand)
}

func newConnectionsCommand() *cobra.Command {
	var f apiFlags
	cmd := &cobra.Command{
		Use:   "connections",
		Short: "List the connections of a running server (secrets masked)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var list struct {
				Value []struct {
					Name       string   `json:"name"`
					Connector  string   `json:"connector"`
					Owner      string   `json:"owner"`
					SharedWith []string `json:"sharedWith"`
					Health     struct {
						State     string `json:"state"`
						LastError string `json:"lastError"`
					} `json:"health"`
					Updated string `json:"updated"`
				} `json:"value"`
			}
			if _, err := f.call("GET", "/api/connections", nil, &list); err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tCONNECTOR\tOWNER\tHEALTH\tUPDATED")
			for _, c := range list.Value {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Name, c.Connector, c.Owner, c.Health.State, c.Updated)
			}
			return tw.Flush()
		},
	}
	f.add(cmd)
	return cmd
}
