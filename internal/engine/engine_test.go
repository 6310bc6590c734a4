// SPDX-License-Identifier: Apache-2.0

package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/engine/actions"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/internal/store/sqlite"
)

var update = flag.Bool("update", false, "rewrite golden run records")

// txtar is a minimal reader of the txtar format: "-- name --" lines start
// files.
func txtar(data []byte) map[string][]byte {
	files := map[string][]byte{}
	var name string
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		t := strings.TrimSpace(string(line))
		if strings.HasPrefix(t, "-- ") && strings.HasSuffix(t, " --") {
			name = strings.TrimSpace(t[3 : len(t)-3])
			files[name] = nil
			continue
		}
		if name != "" {
			files[name] = append(files[name], line...)
		}
	}
	return files
}

var (
	timeRE = regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"`)
	guidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// mask replaces run-specific values (ids, times, GUIDs) with placeholders.
func mask(t testing.TB, rec *expr.Object) []byte {
	t.Helper()
	id, _ := rec.Get("id")
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.ReplaceAll(b, []byte(id.(string)), []byte("<run-id>"))
	b = timeRE.ReplaceAll(b, []byte(`"<time>"`))
	b = guidRE.ReplaceAll(b, []byte(`<guid>`))
	return append(b, '\n')
}

func newEngine(t testing.TB, opts engine.Options) (*engine.Engine, *sqlite.DB) {
	t.Helper()
	st, err := sqlite.OpenDir(t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New(st, opts)
	t.Cleanup(func() {
		_ = e.Close()
		_ = st.Close()
	})
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e, st
}

// runDef runs a definition to the end and returns its record.
func runDef(t testing.TB, e *engine.Engine, def []byte, trigger any, params map[string]any) *expr.Object {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	v, err := e.Register(ctx, "wf", def)
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.StartRun(ctx, "wf", v, engine.StartOptions{Trigger: trigger, Parameters: params})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Wait(ctx, id); err != nil {
		t.Fatal(err)
	}
	rec, err := e.RunRecord(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

var flakyCalls atomic.Int64

func init() {
	// Test leaf types.
	actions.Register("TestFlaky", func(_ context.Context, c *actions.Call) (actions.Result, error) {
		in, err := c.EvalInputs()
		if err != nil {
			return actions.Result{}, err
		}
		o, _ := in.(*expr.Object)
		failures, _ := o.Get("failures")
		if int64(c.Attempt) <= failures.(int64) {
			return actions.Result{Inputs: in}, connector.Errorf(connector.KindRetryable, "flaky failure %d", c.Attempt)
		}
		return actions.Result{Inputs: in, Outputs: map[string]any{"attempt": int64(c.Attempt)}}, nil
	})
	actions.Register("TestFail", func(_ context.Context, c *actions.Call) (actions.Result, error) {
		in, _ := c.EvalInputs()
		return actions.Result{Inputs: in, Outputs: in, Failed: true, Error: &actions.ActionError{Code: "BadThing", Message: "it failed"}}, nil
	})
	actions.Register("TestEcho", func(_ context.Context, c *actions.Call) (actions.Result, error) {
		in, err := c.EvalInputs()
		return actions.Result{Inputs: in, Outputs: in}, err
	})
	actions.Register("TestSlow", func(ctx context.Context, c *actions.Call) (actions.Result, error) {
		select {
		case <-ctx.Done():
			return actions.Result{}, ctx.Err()
		case <-time.After(5 * time.Second):
			return actions.Result{}, nil
		}
	})
}

func TestGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/golden/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	e, _ := newEngine(t, engine.Options{ResolveWorkflow: func(_ context.Context, id string) (string, []byte, error) {
		return "", nil, errors.New("no child workflows here")
	}})
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			fs := txtar(data)
			var trigger, params any
			if b := fs["trigger.json"]; len(bytes.TrimSpace(b)) > 0 {
				if trigger, err = expr.Decode(b); err != nil {
					t.Fatal(err)
				}
			}
			var pm map[string]any
			if b := fs["parameters.json"]; len(bytes.TrimSpace(b)) > 0 {
				if params, err = expr.Decode(b); err != nil {
					t.Fatal(err)
				}
				pm = map[string]any{}
				po := params.(*expr.Object)
				for _, k := range po.Keys() {
					pm[k], _ = po.Get(k)
				}
			}
			got := mask(t, runDef(t, e, fs["definition.json"], trigger, pm))
			if *update {
				var sb strings.Builder
				sb.WriteString(strings.SplitN(string(data), "-- record.json --", 2)[0])
				sb.WriteString("-- record.json --\n")
				sb.Write(got)
				if err := os.WriteFile(file, []byte(sb.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := fs["record.json"]; !bytes.Equal(bytes.TrimSpace(want), bytes.TrimSpace(got)) {
				t.Errorf("run record differs from %s (run with -update to accept):\n%s", file, got)
			}
		})
	}
}

func engineRunFilter() store.RunFilter { return store.RunFilter{} }
