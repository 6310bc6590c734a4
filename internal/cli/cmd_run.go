// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/internal/store/sqlite"
	"github.com/junction-run/junction/workflow"
)

func init() {
	register(newRunCommand)
}

type runFlags struct {
	body, headers, params, data, sync string
	stepCommit                        bool
}

func newRunCommand() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a workflow definition once and print the run record",
		Long: `Run executes the workflow definition in FILE once, to the end, and prints
the run record as one JSON object: id, status (Succeeded, Failed or
Cancelled), error, trigger {outputs}, actions (every action of the
definition at any depth, with repetitions for actions inside loops),
outputs and response (the Response action's reply, or null).

The trigger is not run: its outputs are {"headers": --trigger-headers,
"body": --trigger-body}. With splitOn, one run starts per element and one
record is printed per line.

The run is stored durably in --data DIR (default: a temporary directory
removed afterwards). If DIR holds a run of this workflow whose record was
not printed yet (the process was killed), junction run takes that run up
instead of starting a new one: it resumes it if unfinished and prints its
record. Printed runs are listed in DIR/run-reported.json, so running the
command again after a complete run starts a new run.

Exit status: 0 whatever the run's status; 1 when the definition cannot be
read or is invalid.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWorkflow(cmd, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.body, "trigger-body", "", "trigger body as JSON, or @file")
	fl.StringVar(&f.headers, "trigger-headers", "", "trigger headers as a JSON object, or @file")
	fl.StringVar(&f.params, "parameters", "", "parameter values as a JSON object ({name: value} or {name: {value: v}}), or @file")
	fl.StringVar(&f.data, "data", "", "data directory holding the store (resumes an unfinished run of FILE)")
	fl.StringVar(&f.sync, "sync", "NORMAL", "SQLite synchronous mode: NORMAL or FULL")
	fl.BoolVar(&f.stepCommit, "commit-each-step", false, "commit after every action instead of once per wave of ready actions")
	return cmd
}

// readJSONArg reads a flag value that is JSON or @file.
func readJSONArg(v string) (any, error) {
	if v == "" {
		return nil, nil
	}
	data := []byte(v)
	if strings.HasPrefix(v, "@") {
		b, err := os.ReadFile(v[1:])
		if err != nil {
			return nil, err
		}
		data = b
	}
	return expr.Decode(data)
}

// workflowName names the workflow of FILE: the folder of a Standard
// workflow.json, otherwise the file name without extension.
func workflowName(file string) string {
	abs, _ := filepath.Abs(file)
	base := filepath.Base(abs)
	if strings.EqualFold(base, "workflow.json") {
		return filepath.Base(filepath.Dir(abs))
	}
	return strings.TrimSuffix(base, filepath.Ext(base))
}

func runWorkflow(cmd *cobra.Command, file string, f runFlags) error {
	body, err := os.ReadFile(file)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	def, err := workflow.Decode(body)
	var se *workflow.SyntaxError
	var ve *workflow.ValidationError
	switch {
	case errors.As(err, &se):
		return &ExitError{Code: 1, Err: fmt.Errorf("%s:%d:%d: invalid JSON: %s", file, se.Line, se.Col, se.Msg)}
	case errors.As(err, &ve):
		for _, p := range ve.Problems {
			fmt.Fprintln(cmd.ErrOrStderr(), p)
		}
		return &ExitError{Code: 1, Err: fmt.Errorf("%s: invalid definition", file)}
	case err != nil:
		return &ExitError{Code: 1, Err: fmt.Errorf("%s: %w", file, err)}
	}
	invalid := false
	for _, p := range def.Problems() {
		if p.Severity == workflow.SeverityError {
			fmt.Fprintln(cmd.ErrOrStderr(), p)
			invalid = true
		}
	}
	if invalid {
		return &ExitError{Code: 1, Err: fmt.Errorf("%s: invalid definition", file)}
	}
	trigBody, err := readJSONArg(f.body)
	if err != nil {
		return &ExitError{Code: 1, Err: fmt.Errorf("--trigger-body: %w", err)}
	}
	trigHeaders, err := readJSONArg(f.headers)
	if err != nil {
		return &ExitError{Code: 1, Err: fmt.Errorf("--trigger-headers: %w", err)}
	}
	paramsV, err := readJSONArg(f.params)
	if err != nil {
		return &ExitError{Code: 1, Err: fmt.Errorf("--parameters: %w", err)}
	}
	params := map[string]any{}
	if po, ok := paramsV.(*expr.Object); ok {
		for _, k := range po.Keys() {
			v, _ := po.Get(k)
			// Accept both {name: value} and parameters.json's {name: {value: v}}.
			if o, ok := v.(*expr.Object); ok && o.Len() == 1 {
				if inner, ok := o.Get("value"); ok {
					v = inner
				}
			}
			params[k] = v
		}
	} else if paramsV != nil {
		return &ExitError{Code: 1, Err: errors.New("--parameters must be a JSON object")}
	}

	dir := f.data
	if dir == "" {
		tmp, err := os.MkdirTemp("", "junction-run-")
		if err != nil {
			return &ExitError{Code: 1, Err: err}
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	st, err := sqlite.OpenDir(dir, sqlite.Options{Sync: f.sync})
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	defer st.Close()

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// A local endpoint receives webhook callbacks (listCallbackUrl()).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	var eng *engine.Engine
	srv := &http.Server{Handler: callbackHandler(func() *engine.Engine { return eng }), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	wfDir := filepath.Dir(file)
	eng = engine.New(st, engine.Options{
		Logger:          logger,
		CallbackBaseURL: "http://" + ln.Addr().String(),
		ResolveWorkflow: func(_ context.Context, id string) (string, []byte, error) { return resolveWorkflowFile(wfDir, id) },
		CommitEachStep:  f.stepCommit,
		Connections:     connectionsBeside(file),
	})
	defer eng.Close()

	name := workflowName(file)
	version, err := eng.Register(ctx, name, body)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	// A run of this workflow in the data directory that was not reported
	// yet is taken up again instead of starting another: an unfinished one
	// is resumed, a finished one (the process was killed between the run's
	// last commit and printing its record) is printed.
	reported := loadReported(dir)
	runs, err := st.ListRuns(ctx, store.RunFilter{Workflow: name})
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	if err := eng.Start(ctx); err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	var ids []string
	for _, r := range runs {
		if !isChildRun(r) && !reported[r.ID] {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		outs := expr.NewObject(2)
		if trigHeaders == nil {
			trigHeaders = expr.NewObject(0)
		}
		outs.Set("headers", trigHeaders)
		outs.Set("body", trigBody)
		items, err := engine.SplitTrigger(def, outs)
		if err != nil {
			return &ExitError{Code: 1, Err: err}
		}
		for _, it := range items {
			id, err := eng.StartRun(ctx, name, version, engine.StartOptions{Trigger: it, Parameters: params})
			if err != nil {
				return &ExitError{Code: 1, Err: err}
			}
			ids = append(ids, id)
		}
	}
	out := cmd.OutOrStdout()
	for _, id := range ids {
		if _, err := eng.Wait(ctx, id); err != nil {
			return &ExitError{Code: 1, Err: fmt.Errorf("waiting for run %s: %w", id, err)}
		}
		rec, err := eng.RunRecord(ctx, id)
		if err != nil {
			return &ExitError{Code: 1, Err: err}
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return &ExitError{Code: 1, Err: err}
		}
		fmt.Fprintln(out, string(b))
		reported[id] = true
		if err := saveReported(dir, reported); err != nil {
			return &ExitError{Code: 1, Err: err}
		}
	}
	return nil
}

// reportedFile lists, in the data directory, the runs whose records junction
// run has printed.
const reportedFile = "run-reported.json"

func loadReported(dir string) map[string]bool {
	m := map[string]bool{}
	b, err := os.ReadFile(filepath.Join(dir, reportedFile))
	if err != nil {
		return m
	}
	var ids []string
	if json.Unmarshal(b, &ids) == nil {
		for _, id := range ids {
			m[id] = true
		}
	}
	return m
}

// saveReported writes the reported run IDs atomically (temporary file, then
// rename), so a kill leaves either the old list or the new one.
func saveReported(dir string, m map[string]bool) error {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, reportedFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("recording the reported run: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, reportedFile)); err != nil {
		return fmt.Errorf("recording the reported run: %w", err)
	}
	return nil
}

func isChildRun(r store.Run) bool {
	var d struct {
		ParentRun string `json:"parentRun"`
	}
	_ = json.Unmarshal(r.Data, &d)
	return d.ParentRun != ""
}

// resolveWorkflowFile finds a called workflow beside the caller: by name
// (<dir>/<name>/workflow.json, <dir>/<name>.json) or by the last segment of
// an ARM workflow ID.
func resolveWorkflowFile(dir, id string) (string, []byte, error) {
	name := id
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	for _, p := range []string{
		filepath.Join(dir, name, "workflow.json"), filepath.Join(dir, "..", name, "workflow.json"),
		filepath.Join(dir, name+".json"), filepath.Join(dir, name),
	} {
		if b, err := os.ReadFile(p); err == nil {
			return name, b, nil
		}
	}
	return "", nil, fmt.Errorf("workflow '%s' not found beside the calling workflow in %s", id, dir)
}

// callbackHandler serves POST /callbacks/{token}: the request becomes the
// waiting action's outputs {headers, body}.
func callbackHandler(eng func() *engine.Engine) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/callbacks/{token}", func(w http.ResponseWriter, r *http.Request) {
		data, err := io.ReadAll(io.LimitReader(r.Body, 100<<20))
		if err != nil {
			http.Error(w, "reading body", http.StatusBadRequest)
			return
		}
		var body any
		if len(data) > 0 {
			if v, err := expr.Decode(data); err == nil {
				body = v
			} else {
				body = string(data)
			}
		}
		hs := expr.NewObject(len(r.Header))
		for k := range r.Header {
			hs.Set(k, r.Header.Get(k))
		}
		payload := expr.NewObject(2)
		payload.Set("headers", hs)
		payload.Set("body", body)
		e := eng()
		if e == nil {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		if err := e.Callback(r.Context(), r.PathValue("token"), payload); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				http.Error(w, "unknown callback", http.StatusNotFound)
				return
			}
			http.Error(w, "storing callback", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	return mux
}
