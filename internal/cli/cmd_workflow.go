// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/junction-run/junction/workflow"
)

// workflowCommands holds the constructors of the `junction workflow`
// subcommands. Other files add theirs with registerWorkflow from init.
var workflowCommands []func() *cobra.Command

// registerWorkflow adds a `junction workflow` subcommand constructor. Call it
// from init.
func registerWorkflow(f func() *cobra.Command) { workflowCommands = append(workflowCommands, f) }

func init() {
	register(func() *cobra.Command {
		cmd := &cobra.Command{
			Use:   "workflow",
			Short: "Work with Logic Apps workflow definitions",
		}
		for _, f := range workflowCommands {
			cmd.AddCommand(f())
		}
		return cmd
	})
	registerWorkflow(newWorkflowValidateCmd)
}

func newWorkflowValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a workflow definition and list every problem",
		Long: `Validate reads a workflow definition (bare, a Logic Apps Standard
workflow.json, an ARM resource or an ARM template; FILE "-" is stdin) and
reports every problem at once, one per line:

  <json path>: <message> [<code>]

It exits 0 when the definition is valid (warnings allowed) and 1 otherwise.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			var data []byte
			var err error
			if name == "-" {
				data, err = io.ReadAll(cmd.InOrStdin())
			} else {
				data, err = os.ReadFile(name)
			}
			if err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			out := cmd.OutOrStdout()
			def, err := workflow.Decode(data)
			var se *workflow.SyntaxError
			var ve *workflow.ValidationError
			switch {
			case errors.As(err, &se):
				return &ExitError{Code: 1, Err: fmt.Errorf("%s:%d:%d: invalid JSON: %s", name, se.Line, se.Col, se.Msg)}
			case errors.As(err, &ve):
				for _, p := range ve.Problems {
					fmt.Fprintln(out, p)
				}
				return &ExitError{Code: 1}
			case err != nil:
				return &ExitError{Code: 1, Err: fmt.Errorf("%s: %w", name, err)}
			}
			failed := false
			for _, p := range def.Problems() {
				fmt.Fprintln(out, p)
				failed = failed || p.Severity == workflow.SeverityError
			}
			if failed {
				return &ExitError{Code: 1}
			}
			fmt.Fprintf(out, "valid: %d actions, %d triggers\n", len(def.AllActions()), len(def.Triggers))
			return nil
		},
	}
}
