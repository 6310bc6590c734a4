// SPDX-License-Identifier: Apache-2.0

package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/store/sqlite"
)

// crashDef does enough work, with timers in between, that a kill lands in
// the middle: a sequential loop with Waits, a parallel loop of increments
// and an Until of pure steps. Its outputs are deterministic.
const crashDef = `{"definition": {"parameters": {"server": {"type": "string", "defaultValue": ""}}, "triggers": {"manual": {"type": "Request", "kind": "Http"}},
"actions": {
 "Sum": {"type": "InitializeVariable", "inputs": {"variables": [{"name": "sum", "type": "Integer", "value": 0}]}, "runAfter": {}},
 "Log": {"type": "InitializeVariable", "inputs": {"variables": [{"name": "log", "type": "Array", "value": []}]}, "runAfter": {"Sum": ["Succeeded"]}},
 "Steps": {"type": "Foreach", "foreach": "@range(0, 4)", "operationOptions": "Sequential", "actions": {
    "Nap": {"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Second"}}, "runAfter": {}},
    "Note": {"type": "AppendToArrayVariable", "inputs": {"name": "log", "value": "@item()"}, "runAfter": {"Nap": ["Succeeded"]}}
 }, "runAfter": {"Log": ["Succeeded"]}},
 "Fan": {"type": "Foreach", "foreach": "@range(1, 200)", "runtimeConfiguration": {"concurrency": {"repetitions": 50}}, "actions": {
    "Sq": {"type": "Compose", "inputs": "@mul(item(), 2)", "runAfter": {}},
    "Add": {"type": "IncrementVariable", "inputs": {"name": "sum", "value": "@outputs('Sq')"}, "runAfter": {"Sq": ["Succeeded"]}}
 }, "runAfter": {"Log": ["Succeeded"]}},
 "Calls": {"type": "Foreach", "foreach": "@range(0, 20)", "runtimeConfiguration": {"concurrency": {"repetitions": 5}}, "actions": {
    "Post": {"type": "Http", "inputs": {"method": "POST", "uri": "@{parameters('server')}/item/@{item()}", "body": {"item": "@item()"}}, "runAfter": {}}
 }, "runAfter": {"Log": ["Succeeded"]}},
 "Count": {"type": "InitializeVariable", "inputs": {"variables": [{"name": "i", "type": "Integer", "value": 0}]}, "runAfter": {"Steps": ["Succeeded"], "Fan": ["Succeeded"], "Calls": ["Succeeded"]}},
 "Loop": {"type": "Until", "expression": "@equals(variables('i'), 300)", "limit": {"count": 1000}, "actions": {
    "Inc": {"type": "IncrementVariable", "inputs": {"name": "i"}, "runAfter": {}}
 }, "runAfter": {"Count": ["Succeeded"]}},
 "Response": {"type": "Response", "inputs": {"statusCode": 200, "body": {"sum": "@variables('sum')", "log": "@variables('log')", "i": "@variables('i')"}}, "runAfter": {"Loop": ["Succeeded"]}}
},
"outputs": {"sum": {"type": "int", "value": "@variables('sum')"}}}}`

// TestCrashRecovery kills a real junction process with SIGKILL at random
// points of a run, restarts it on the same data directory (junction run
// resumes the unfinished run), and checks the run finishes with the right
// result and an intact history.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a junction binary")
	}
	t.Parallel()
	var mu sync.Mutex
	calls := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls[r.URL.Path]++
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "junction")
	build := exec.Command("go", "build", "-o", bin, "github.com/junction-run/junction/cmd/junction")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building junction: %v\n%s", err, out)
	}
	file := filepath.Join(tmp, "crashy.json")
	if err := os.WriteFile(file, []byte(crashDef), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(tmp, "data")
	kills := 0
	var out []byte
	for attempt := 0; ; attempt++ {
		if attempt > 30 {
			t.Fatal("the run did not finish after 30 restarts")
		}
		cmd := exec.Command(bin, "run", file, "--data", data, "--parameters", `{"server":"`+srv.URL+`"}`)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if kills < 5 {
			// Kill at a random point: 50 ms to 1.5 s after start.
			d := time.Duration(50+rand.IntN(1450)) * time.Millisecond
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("junction run failed: %v\n%s", err, stderr.Bytes())
				}
				out = stdout.Bytes()
			case <-time.After(d):
				_ = cmd.Process.Kill() // SIGKILL
				<-done
				kills++
				continue
			}
		} else {
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("junction run failed: %v\n%s", err, stderr.Bytes())
				}
				out = stdout.Bytes()
			case <-time.After(2 * time.Minute):
				_ = cmd.Process.Kill()
				t.Fatal("junction run did not finish within 2 minutes")
			}
		}
		if out != nil {
			break
		}
	}
	t.Logf("run finished after %d kills", kills)
	var rec struct {
		Status   string
		Response struct {
			Body struct {
				Sum int64
				Log []int64
				I   int64
			}
		}
		Outputs map[string]struct{ Value int64 }
		Actions map[string]struct {
			Status      string
			Repetitions []struct{ Status string }
		}
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &rec); err != nil {
		t.Fatalf("decoding run record: %v\n%s", err, out)
	}
	wantSum := int64(0)
	for i := int64(1); i < 201; i++ {
		wantSum += 2 * i
	}
	b := rec.Response.Body
	if rec.Status != "Succeeded" || b.Sum != wantSum || b.I != 300 || len(b.Log) != 4 || rec.Outputs["sum"].Value != wantSum {
		t.Fatalf("status %s, response %+v, outputs %+v; want Succeeded, sum %d, i 300, log [0 1 2 3]", rec.Status, b, rec.Outputs, wantSum)
	}
	for i, v := range b.Log {
		if v != int64(i) {
			t.Fatalf("log = %v, want [0 1 2 3] (each step once, in order)", b.Log)
		}
	}
	if n := len(rec.Actions["Add"].Repetitions); n != 200 {
		t.Fatalf("Add has %d repetitions, want 200", n)
	}
	// Every side effect happened at least once; re-runs after a kill are
	// allowed (at-least-once) and show as extra attempts.
	mu.Lock()
	for i := range 20 {
		if calls[fmt.Sprintf("/item/%d", i)] < 1 {
			t.Errorf("item %d was never posted", i)
		}
	}
	t.Logf("http calls per item: %v", calls)
	mu.Unlock()
	for _, r := range rec.Actions["Post"].Repetitions {
		if r.Status != "Succeeded" {
			t.Fatalf("a Post repetition ended %s", r.Status)
		}
	}
	if n := len(rec.Actions["Inc"].Repetitions); n != 300 {
		t.Fatalf("Inc has %d repetitions, want 300", n)
	}
	// Exactly one run exists in the data directory.
	st, err := sqlite.OpenDir(data, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.ListRuns(context.Background(), engineRunFilter())
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 {
		t.Fatalf("%d runs in the data directory, want 1", len(runs))
	}
	_ = engine.Version
}
