// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func init() {
	register(newWorkflowsCommand)
}

// apiFlags are the flags of commands that talk to a running server.
type apiFlags struct {
	server, key string
}

func (f *apiFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.server, "server", "http://127.0.0.1:7420", "URL of a running junction serve")
	cmd.Flags().StringVar(&f.key, "key", "", "admin key (default $JUNCTION_ADMIN_KEY)")
}

// apiError is a problem answer of the server.
type apiError struct {
	Status int
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Errors []struct {
		Path    string `json:"path"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (e *apiError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "server answered %d", e.Status)
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	} else if e.Title != "" {
		b.WriteString(": " + e.Title)
	}
	for _, x := range e.Errors {
		fmt.Fprintf(&b, "\n  %s: %s", x.Path, x.Message)
	}
	return b.String()
}

// call sends a management request and decodes a JSON answer into out
// (when not nil). It returns the raw body.
func (f *apiFlags) call(method, path string, body io.Reader, out any) ([]byte, error) {
	key := f.key
	if key == "" {
		key = os.Getenv("JUNCTION_ADMIN_KEY")
	}
	req, err := http.NewRequest(method, strings.TrimSuffix(f.server, "/")+path, body)
	if err != nil {
		return nil, err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c := &http.Client{Timeout: time.Minute}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("calling %s: %w", f.server, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode >= 400 {
		ae := &apiError{Status: resp.StatusCode}
		_ = json.Unmarshal(data, ae)
		if resp.StatusCode == http.StatusUnauthorized && key == "" {
			ae.Detail += " (set --key or JUNCTION_ADMIN_KEY)"
		}
		return data, ae
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return data, fmt.Errorf("decoding the answer: %w", err)
		}
	}
	return data, nil
}

func newWorkflowsCommand() *cobra.Command {
	var f apiFlags
	cmd := &cobra.Command{
		Use:   "workflows",
		Short: "List the workflows of a running server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var list struct {
				Value []struct {
					Name, Version, State, Source string
					ChangedTime                  string `json:"changedTime"`
					Triggers                     []struct{ Name, Type string }
				}
			}
			if _, err := f.call("GET", "/api/workflows", nil, &list); err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tSTATE\tVERSION\tTRIGGERS\tSOURCE\tCHANGED")
			for _, w := range list.Value {
				var ts []string
				for _, t := range w.Triggers {
					ts = append(ts, t.Name+" ("+t.Type+")")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", w.Name, w.State, w.Version, strings.Join(ts, ", "), w.Source, w.ChangedTime)
			}
			return tw.Flush()
		},
	}
	f.add(cmd)
	return cmd
}

// escape escapes one path segment.
func escape(s string) string { return url.PathEscape(s) }
