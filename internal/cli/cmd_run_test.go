// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		code     int
		status   string
		response string // JSON of the response body, when checked
		stderr   string
	}{
		{name: "echo", args: []string{"testdata/run/echo.json", "--trigger-body", `{"name":"bob"}`, "--trigger-headers", `{"X-Req":"7"}`}, status: "Succeeded", response: `"hello bob (7)"`},
		{name: "files", args: []string{"testdata/run/echo.json", "--trigger-body", "@testdata/run/body.json", "--parameters", "@testdata/run/params.json"}, status: "Succeeded", response: `"hi ann ()"`},
		{name: "failed run exits 0", args: []string{"testdata/run/failing.json"}, status: "Failed"},
		{name: "invalid definition", args: []string{"testdata/run/cycle.json"}, code: 1, stderr: "invalid definition"},
		{name: "unreadable JSON", args: []string{"testdata/run/broken.json"}, code: 1, stderr: "invalid JSON"},
		{name: "missing file", args: []string{"testdata/run/nope.json"}, code: 1, stderr: "no such file"},
		{name: "bad trigger body", args: []string{"testdata/run/echo.json", "--trigger-body", "{"}, code: 1, stderr: "--trigger-body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			args := append([]string{"run"}, tc.args...)
			args = append(args, "--data", t.TempDir())
			code := Main(args, strings.NewReader(""), &out, &errb)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, errb.String())
			}
			if tc.stderr != "" && !strings.Contains(errb.String(), tc.stderr) {
				t.Fatalf("stderr %q does not mention %q", errb.String(), tc.stderr)
			}
			if tc.code != 0 {
				return
			}
			var rec struct {
				ID       string
				Status   string
				Error    *struct{ Code, Message string }
				Trigger  struct{ Outputs any }
				Actions  map[string]map[string]any
				Outputs  map[string]any
				Response *struct {
					StatusCode int
					Body       json.RawMessage
				}
			}
			if err := json.Unmarshal(out.Bytes(), &rec); err != nil {
				t.Fatalf("output is not one JSON object: %v\n%s", err, out.String())
			}
			if rec.ID == "" || rec.Status != tc.status {
				t.Fatalf("id %q status %q, want %s:\n%s", rec.ID, rec.Status, tc.status, out.String())
			}
			if tc.status == "Failed" && (rec.Error == nil || rec.Error.Code == "") {
				t.Fatalf("failed run without error: %s", out.String())
			}
			for name, a := range rec.Actions {
				for _, k := range []string{"status", "inputs", "outputs", "error", "startTime", "endTime"} {
					if _, ok := a[k]; !ok {
						t.Fatalf("action %s lacks %q: %s", name, k, out.String())
					}
				}
			}
			if tc.response != "" {
				if rec.Response == nil || string(rec.Response.Body) != tc.response {
					t.Fatalf("response %s, want body %s", out.String(), tc.response)
				}
			}
		})
	}
}

// TestRunReportsAnUnreportedRun covers a kill between a run's last commit
// and the printing of its record: the next `junction run --data DIR` prints
// that run instead of running the workflow again; once it is printed, the
// same command starts a new run.
func TestRunReportsAnUnreportedRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	runID := func() string {
		t.Helper()
		var out, errb bytes.Buffer
		args := []string{"run", "testdata/run/echo.json", "--trigger-body", `{"name":"bob"}`, "--data", dir}
		if code := Main(args, strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("exit %d; stderr: %s", code, errb.String())
		}
		var rec struct{ ID, Status string }
		if err := json.Unmarshal(out.Bytes(), &rec); err != nil || rec.Status != "Succeeded" {
			t.Fatalf("record %s: %v", out.String(), err)
		}
		return rec.ID
	}
	first := runID()
	// The process "died" before recording that it printed the run.
	if err := os.Remove(filepath.Join(dir, reportedFile)); err != nil {
		t.Fatal(err)
	}
	if again := runID(); again != first {
		t.Fatalf("an unreported finished run %s was run again as %s", first, again)
	}
	if next := runID(); next == first {
		t.Fatalf("a reported run %s was printed again instead of starting a new run", first)
	}
}
