// SPDX-License-Identifier: Apache-2.0

// Package cli implements the junction command line.
//
// Each command lives in its own file and adds itself to the root with
// [register] from an init function, so commands can be written and reviewed
// independently. Commands write to the writers of the cobra command
// (cmd.OutOrStdout, cmd.ErrOrStderr) and read cmd.InOrStdin, never the os
// globals, so tests can run them in-process.
package cli

import (
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/spf13/cobra"
)

// Version is the version printed by `junction version`; release builds set it
// with -ldflags "-X github.com/junction-run/junction/internal/cli.Version=...".
var Version = "dev"

// commands holds the constructors of the top-level commands.
var commands []func() *cobra.Command

// register adds a top-level command constructor. Call it from init.
func register(f func() *cobra.Command) { commands = append(commands, f) }

// ExitError makes Main exit with Code after printing Err (when not nil).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// NewRoot builds the root command with every registered subcommand.
func NewRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "junction",
		Short: "Junction: a self-hosted connector runtime and workflow engine",
		Long: `Junction runs Logic Apps workflow definitions and Power Platform,
OpenAPI and Postman connectors on your own machines, in one binary.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmds := make([]*cobra.Command, 0, len(commands))
	for _, f := range commands {
		cmds = append(cmds, f())
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name() < cmds[j].Name() })
	root.AddCommand(cmds...)
	return root
}

// Main runs the command line with args and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := NewRoot()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintln(stderr, "junction:", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintln(stderr, "junction:", err)
	return 1
}
