// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/server"
	"github.com/junction-run/junction/internal/store/sqlite"
)

const cliTestKey = "jk_cli-test"

// startTestServer serves the API in-process on a loopback port.
func startTestServer(t *testing.T) string {
	t.Helper()
	st, err := sqlite.OpenDir(t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, engine.Options{})
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(context.Background(), server.Options{Store: st, Workflows: st, Engine: eng,
		Keys: server.NewKeys(cliTestKey, []byte("0123456789abcdef0123456789abcdef"))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); _ = eng.Close(); _ = st.Close() })
	return hs.URL
}

func TestServerCommands(t *testing.T) {
	t.Parallel()
	url := startTestServer(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "greet", "workflow.json")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	def := `{"definition": {"triggers": {"manual": {"type": "Request", "kind": "Http"}},
	 "actions": {"Compose": {"type": "Compose", "inputs": "@triggerBody()", "runAfter": {}}}}, "kind": "Stateful"}`
	if err := os.WriteFile(file, []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := []string{"--server", url, "--key", cliTestKey}

	code, out, errOut := run(t, "", append([]string{"workflow", "deploy", file}, srv...)...)
	if code != 0 || !strings.HasPrefix(out, "deployed greet version ") {
		t.Fatalf("deploy: %d %q %q", code, out, errOut)
	}
	code, _, errOut = run(t, `{"triggers": {}, "actions": {"A": {"type": "Compose", "runAfter": {"Ghost": ["Succeeded"]}}}}`,
		append([]string{"workflow", "deploy", "-", "--name", "bad"}, srv...)...)
	if code != 1 || !strings.Contains(errOut, "$.actions.A") {
		t.Fatalf("invalid deploy: %d %q", code, errOut)
	}
	code, _, errOut = run(t, "", "workflows", "--server", url, "--key", "wrong")
	if code != 1 || !strings.Contains(errOut, "401") {
		t.Fatalf("wrong key: %d %q", code, errOut)
	}

	code, out, _ = run(t, "", append([]string{"workflows"}, srv...)...)
	if code != 0 || !regexp.MustCompile(`(?m)^greet\s+Enabled\s+\w+\s+manual \(Request\)`).MatchString(out) {
		t.Fatalf("workflows: %d\n%s", code, out)
	}

	// Fire a run through the API.
	var fired struct{ Runs []string }
	f := apiFlags{server: url, key: cliTestKey}
	if _, err := f.call("POST", "/api/workflows/greet/triggers/manual/run", strings.NewReader(`{"x": 1}`), &fired); err != nil || len(fired.Runs) != 1 {
		t.Fatalf("run: %v %v", err, fired)
	}
	id := fired.Runs[0]
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, out, _ = run(t, "", append([]string{"runs", "greet"}, srv...)...)
		if code == 0 && strings.Contains(out, id+"  Succeeded") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("runs: %d\n%s", code, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	code, out, _ = run(t, "", append([]string{"run-show", "greet", id}, srv...)...)
	if code != 0 || !strings.Contains(out, "run "+id+" of greet") || !regexp.MustCompile(`(?m)^Compose\s+Succeeded\s+\S+`).MatchString(out) {
		t.Fatalf("run-show: %d\n%s", code, out)
	}
	code, out, _ = run(t, "", append([]string{"run-show", "greet", id, "--json"}, srv...)...)
	var rec map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rec) != nil || rec["id"] != id {
		t.Fatalf("run-show --json: %d\n%s", code, out)
	}
	code, _, errOut = run(t, "", append([]string{"run-show", "greet", "nope"}, srv...)...)
	if code != 1 || !strings.Contains(errOut, "404") {
		t.Fatalf("missing run: %d %q", code, errOut)
	}
}
