// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func init() {
	register(newRunsCommand)
	register(newRunShowCommand)
}

func newRunsCommand() *cobra.Command {
	var f apiFlags
	var status string
	var top int
	cmd := &cobra.Command{
		Use:   "runs WORKFLOW",
		Short: "List the runs of a workflow on a running server, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := url.Values{}
			q.Set("top", fmt.Sprint(top))
			if status != "" {
				q.Set("status", status)
			}
			var page struct {
				Value []struct {
					ID, Status, Trigger string
					StartTime           string  `json:"startTime"`
					EndTime             *string `json:"endTime"`
				}
			}
			if _, err := f.call("GET", "/api/workflows/"+escape(args[0])+"/runs?"+q.Encode(), nil, &page); err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTATUS\tSTART\tDURATION")
			for _, r := range page.Value {
				end := ""
				if r.EndTime != nil {
					end = *r.EndTime
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Status, r.StartTime, duration(r.StartTime, end))
			}
			return tw.Flush()
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&status, "status", "", "only runs with this status (Running, Succeeded, Failed, Cancelled)")
	cmd.Flags().IntVar(&top, "top", 50, "how many runs (1 to 250)")
	return cmd
}

// duration formats the time between two API timestamps ("" when running).
func duration(start, end string) string {
	s, err1 := time.Parse(time.RFC3339Nano, start)
	e, err2 := time.Parse(time.RFC3339Nano, end)
	if err1 != nil || err2 != nil {
		return ""
	}
	d := e.Sub(s)
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

func newRunShowCommand() *cobra.Command {
	var f apiFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "run-show WORKFLOW RUN_ID",
		Short: "Show a run of a running server: each action with its status and duration",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := f.call("GET", "/api/workflows/"+escape(args[0])+"/runs/"+escape(args[1]), nil, nil)
			if err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			out := cmd.OutOrStdout()
			if asJSON {
				var buf bytes.Buffer
				if err := json.Indent(&buf, bytes.TrimSpace(data), "", "  "); err != nil {
					return &ExitError{Code: 1, Err: err}
				}
				buf.WriteByte('\n')
				_, err := buf.WriteTo(out)
				return err
			}
			return printRun(out, data)
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the run record as JSON")
	return cmd
}

type runAction struct {
	Status      string          `json:"status"`
	StartTime   string          `json:"startTime"`
	EndTime     string          `json:"endTime"`
	Error       json.RawMessage `json:"error"`
	Repetitions []runAction     `json:"repetitions"`
}

func printRun(out io.Writer, data []byte) error {
	var rec struct {
		ID, Status, Workflow, Version string
		StartTime                     string          `json:"startTime"`
		EndTime                       string          `json:"endTime"`
		Error                         json.RawMessage `json:"error"`
		Actions                       map[string]runAction
		ResubmittedFrom               *struct {
			RunID      string `json:"runId"`
			FromAction string `json:"fromAction"`
		} `json:"resubmittedFrom"`
		Response *struct {
			StatusCode int `json:"statusCode"`
		} `json:"response"`
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return &ExitError{Code: 1, Err: fmt.Errorf("decoding the run: %w", err)}
	}
	fmt.Fprintf(out, "run %s of %s (version %s): %s", rec.ID, rec.Workflow, rec.Version, rec.Status)
	if d := duration(rec.StartTime, rec.EndTime); d != "" {
		fmt.Fprintf(out, " in %s", d)
	}
	fmt.Fprintf(out, "\nstarted %s\n", rec.StartTime)
	if rec.ResubmittedFrom != nil {
		fmt.Fprintf(out, "resubmitted from run %s", rec.ResubmittedFrom.RunID)
		if rec.ResubmittedFrom.FromAction != "" {
			fmt.Fprintf(out, " at action %s", rec.ResubmittedFrom.FromAction)
		}
		fmt.Fprintln(out)
	}
	if rec.Response != nil {
		fmt.Fprintf(out, "responded %d\n", rec.Response.StatusCode)
	}
	if e := errText(rec.Error); e != "" {
		fmt.Fprintf(out, "error: %s\n", e)
	}
	names := make([]string, 0, len(rec.Actions))
	for n := range rec.Actions {
		names = append(names, n)
	}
	// Actions in the order they started; never-run ones last.
	sort.SliceStable(names, func(i, j int) bool {
		a, b := rec.Actions[names[i]].StartTime, rec.Actions[names[j]].StartTime
		if (a == "") != (b == "") {
			return b == ""
		}
		if a != b {
			return a < b
		}
		return names[i] < names[j]
	})
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nACTION\tSTATUS\tDURATION\tERROR")
	for _, n := range names {
		a := rec.Actions[n]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", n, a.Status, duration(a.StartTime, a.EndTime), errText(a.Error))
		if len(a.Repetitions) > 0 {
			fmt.Fprintf(tw, "  (%d repetitions)\t\t\t\n", len(a.Repetitions))
		}
	}
	return tw.Flush()
}

func errText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var e struct{ Code, Message string }
	if json.Unmarshal(raw, &e) == nil && (e.Code != "" || e.Message != "") {
		if e.Code == "" {
			return e.Message
		}
		return e.Code + ": " + e.Message
	}
	return string(raw)
}
