// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/junction-run/junction/expr"
	"github.com/spf13/cobra"
)

func init() {
	register(func() *cobra.Command {
		cmd := &cobra.Command{
			Use:   "expr",
			Short: "Evaluate and inspect workflow expressions",
		}
		cmd.AddCommand(newExprEvalCmd(), newExprFuncsCmd())
		return cmd
	})
}

func newExprEvalCmd() *cobra.Command {
	var contextFile string
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Evaluate definition strings read from stdin, one JSON string per line",
		Long: `Reads one JSON string per line on stdin: the JSON encoding of a string value
of a workflow definition, such as "@add(1, 2)" or "Total: @{variables('n')}".
Writes one JSON line per input: {"value": <value>} or {"error": "<message>"}.
Every line gets an answer; blank lines are skipped.

--context names a JSON file with the run context:
  {"variables": {...}, "parameters": {...}, "appsettings": {...},
   "trigger": {"outputs": {...}}, "triggerOutputs": {...}, "triggerBody": ...,
   "actions": {"<name>": {"inputs": ..., "outputs": ..., "status": "Succeeded"}},
   "items": {"<loop>": <current item>, ...}, "item": <current item>,
   "iterationIndexes": {"<loop>": 0}, "result": {"<scope>": [...]},
   "workflow": {...}, "callbackUrl": "...", "now": "2018-03-01T00:00:00Z"}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env := &expr.MapEnv{}
			if contextFile != "" {
				data, err := os.ReadFile(contextFile)
				if err != nil {
					return &ExitError{Code: 2, Err: err}
				}
				v, err := expr.Decode(data)
				if err != nil {
					return &ExitError{Code: 2, Err: fmt.Errorf("context %s: %w", contextFile, err)}
				}
				if env, err = expr.NewMapEnv(v); err != nil {
					return &ExitError{Code: 2, Err: fmt.Errorf("context %s: %w", contextFile, err)}
				}
			}
			return evalLines(cmd.InOrStdin(), cmd.OutOrStdout(), env)
		},
	}
	cmd.Flags().StringVar(&contextFile, "context", "", "JSON file with the run context (variables, parameters, trigger, actions, items, now ...)")
	return cmd
}

// evalLines answers every non-blank input line with one output line.
func evalLines(in io.Reader, out io.Writer, env expr.Env) error {
	r := bufio.NewReaderSize(in, 64*1024)
	w := bufio.NewWriter(out)
	for {
		line, readErr := r.ReadString('\n')
		if strings.TrimSpace(line) != "" {
			w.Write(evalLine(line, env))
			w.WriteByte('\n')
			// Flush per line so interactive use and pipes see answers.
			if err := w.Flush(); err != nil {
				return &ExitError{Code: 1, Err: err}
			}
		}
		if readErr == io.EOF {
			return w.Flush()
		}
		if readErr != nil {
			return &ExitError{Code: 1, Err: readErr}
		}
	}
}

func evalLine(line string, env expr.Env) []byte {
	var src string
	if err := json.Unmarshal([]byte(strings.TrimSpace(line)), &src); err != nil {
		return errorLine(errors.New("input line is not a JSON string: " + err.Error()))
	}
	tmpl, err := expr.Compile(src)
	if err != nil {
		return errorLine(err)
	}
	v, err := tmpl.Eval(env)
	if err != nil {
		return errorLine(err)
	}
	b := append([]byte(`{"value":`), expr.AppendJSON(nil, v)...)
	return append(b, '}')
}

func errorLine(err error) []byte {
	msg, _ := json.Marshal(err.Error())
	b := append([]byte(`{"error":`), msg...)
	return append(b, '}')
}

func newExprFuncsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "funcs",
		Short: "List the expression functions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			for _, f := range expr.Funcs() {
				flags := ""
				if f.Impure {
					flags = " [impure]"
				}
				fmt.Fprintf(w, "%-14s %s%s\n    %s\n", f.Category, f.Signature, flags, f.Doc)
			}
			return nil
		},
	}
}
