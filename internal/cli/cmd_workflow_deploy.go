// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

func init() {
	registerWorkflow(newWorkflowDeployCmd)
}

func newWorkflowDeployCmd() *cobra.Command {
	var f apiFlags
	var name string
	cmd := &cobra.Command{
		Use:   "deploy FILE",
		Short: "Deploy a workflow definition to a running server",
		Long: `Deploy sends the definition in FILE (bare, a Logic Apps Standard
workflow.json, an ARM resource or template; "-" is stdin) to a running
junction serve as a new version of workflow --name (default: the folder of
a workflow.json, or the file name). An invalid definition is refused with
every problem and its JSON path.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var data []byte
			var err error
			if args[0] == "-" {
				data, err = io.ReadAll(cmd.InOrStdin())
			} else {
				data, err = os.ReadFile(args[0])
			}
			if err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			if name == "" {
				if args[0] == "-" {
					return &ExitError{Code: 2, Err: fmt.Errorf("--name is required when reading stdin")}
				}
				name = workflowName(args[0])
			}
			var wf struct {
				Name, Version string
				Warnings      []string
			}
			if _, err := f.call("PUT", "/api/workflows/"+escape(name), bytes.NewReader(data), &wf); err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			for _, w := range wf.Warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deployed %s version %s\n", wf.Name, wf.Version)
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&name, "name", "", "workflow name")
	return cmd
}
