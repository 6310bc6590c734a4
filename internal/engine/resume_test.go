// SPDX-License-Identifier: Apache-2.0

package engine_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/internal/store/sqlite"
)

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func status(rec *expr.Object, action string) string {
	acts, _ := rec.Get("actions")
	a, _ := acts.(*expr.Object).Get(action)
	s, _ := a.(*expr.Object).Get("status")
	return s.(string)
}

func outputs(rec *expr.Object, action string) any {
	acts, _ := rec.Get("actions")
	a, _ := acts.(*expr.Object).Get(action)
	s, _ := a.(*expr.Object).Get("outputs")
	return s
}

// startParked starts a run of def on an engine over st, waits until the
// run is parked (rows only) and closes that engine; it returns the run ID.
func startParked(t *testing.T, st store.Store, o engine.Options, def []byte, so engine.StartOptions) string {
	t.Helper()
	ctx := context.Background()
	e := engine.New(st, o)
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	v, err := e.Register(ctx, "wf", def)
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.StartRun(ctx, "wf", v, so)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the run to park", func() bool {
		r, err := st.Run(ctx, id)
		return err == nil && r.Parked
	})
	return id
}

// A run waiting on a timer is parked (rows only) and resumes under a new
// engine on the same store.
func TestParkedRunResumesAfterRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.OpenDir(dir, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	def := []byte(`{"actions":{"W":{"type":"Wait","inputs":{"interval":{"count":1,"unit":"Second"}},"runAfter":{}},"A":{"type":"Compose","inputs":"after","runAfter":{"W":["Succeeded"]}}}}`)
	id := startParked(t, st, engine.Options{}, def, engine.StartOptions{})
	e2 := engine.New(st, engine.Options{})
	t.Cleanup(func() { _ = e2.Close(); _ = st.Close() })
	if err := e2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r, err := e2.Wait(wctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != store.StatusSucceeded {
		t.Fatalf("status %s", r.Status)
	}
}

func TestCancelWaitingRun(t *testing.T) {
	t.Parallel()
	e, st := newEngine(t, engine.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := e.Register(ctx, "wf", []byte(`{"actions":{"W":{"type":"Wait","inputs":{"interval":{"count":1,"unit":"Hour"}},"runAfter":{}},"A":{"type":"Compose","inputs":1,"runAfter":{"W":["Succeeded"]}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.StartRun(ctx, "wf", v, engine.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the run to park", func() bool {
		r, err := st.Run(ctx, id)
		return err == nil && r.Parked
	})
	if err := e.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	r, err := e.Wait(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := e.RunRecord(ctx, id)
	if r.Status != store.StatusCancelled || status(rec, "W") != "Cancelled" || status(rec, "A") != "Skipped" {
		t.Fatalf("run %s, W %s, A %s", r.Status, status(rec, "W"), status(rec, "A"))
	}
}

// webhookService is a service that takes HttpWebhook subscriptions: POST
// /subscribe records the callback URL and answers {"id": id}; DELETE
// /unsubscribe/{id} counts the unsubscriptions.
func webhookService(t testing.TB, id string) (*httptest.Server, *atomic.Value, *atomic.Int64) {
	t.Helper()
	var callback atomic.Value
	var unsubscribed atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/subscribe":
			var in struct{ URL string }
			_ = json.Unmarshal(b, &in)
			callback.Store(in.URL)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"id":"` + id + `"}`))
		case "/unsubscribe/" + id:
			unsubscribed.Add(1)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &callback, &unsubscribed
}

func TestHTTPWebhook(t *testing.T) {
	t.Parallel()
	srv, callback, unsubscribed := webhookService(t, "sub-1")
	e, _ := newEngine(t, engine.Options{CallbackBaseURL: "http://junction.test"})
	def := `{"actions":{"Hook":{"type":"HttpWebhook","inputs":{
	  "subscribe":{"method":"POST","uri":"` + srv.URL + `/subscribe","body":{"url":"@{listCallbackUrl()}"}},
	  "unsubscribe":{"method":"DELETE","uri":"` + srv.URL + `/unsubscribe/@{action().outputs.body.id}"}},"runAfter":{}},
	  "Got":{"type":"Compose","inputs":"@body('Hook')","runAfter":{"Hook":["Succeeded"]}}}}`
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := e.Register(ctx, "wf", []byte(def))
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.StartRun(ctx, "wf", v, engine.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the subscription", func() bool { return callback.Load() != nil })
	u := callback.Load().(string)
	token := u[strings.LastIndex(u, "/")+1:]
	payload := expr.NewObject(1)
	payload.Set("body", "hello from the service")
	// The callback may arrive before the subscription is recorded: retry.
	waitFor(t, "the callback to be accepted", func() bool { return e.Callback(ctx, token, payload) == nil })
	if _, err := e.Wait(ctx, id); err != nil {
		t.Fatal(err)
	}
	rec, _ := e.RunRecord(ctx, id)
	if status(rec, "Got") != "Succeeded" || outputs(rec, "Got") != "hello from the service" {
		t.Fatalf("Got: %s %v", status(rec, "Got"), outputs(rec, "Got"))
	}
	waitFor(t, "unsubscribe", func() bool { return unsubscribed.Load() == 1 })
	if err := e.Callback(ctx, token, payload); err == nil {
		t.Fatal("a used callback token was accepted again")
	}
}

// TestHTTPWebhookCancelUnsubscribes cancels a run while its HttpWebhook
// action waits for the callback: the service is told to unsubscribe and the
// callback URL stops working.
func TestHTTPWebhookCancelUnsubscribes(t *testing.T) {
	t.Parallel()
	srv, callback, unsubscribed := webhookService(t, "sub-2")
	e, st := newEngine(t, engine.Options{CallbackBaseURL: "http://junction.test"})
	def := `{"actions":{"Hook":{"type":"HttpWebhook","inputs":{
	  "subscribe":{"method":"POST","uri":"` + srv.URL + `/subscribe","body":{"url":"@{listCallbackUrl()}"}},
	  "unsubscribe":{"method":"DELETE","uri":"` + srv.URL + `/unsubscribe/@{action().outputs.body.id}"}},"runAfter":{}}}}`
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := e.Register(ctx, "wf", []byte(def))
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.StartRun(ctx, "wf", v, engine.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the subscription", func() bool { return callback.Load() != nil })
	waitFor(t, "the run to park", func() bool {
		r, err := st.Run(ctx, id)
		return err == nil && r.Parked
	})
	if err := e.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	r, err := e.Wait(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := e.RunRecord(ctx, id)
	if r.Status != store.StatusCancelled || status(rec, "Hook") != "Cancelled" {
		t.Fatalf("run %s, Hook %s", r.Status, status(rec, "Hook"))
	}
	waitFor(t, "unsubscribe", func() bool { return unsubscribed.Load() == 1 })
	u := callback.Load().(string)
	payload := expr.NewObject(1)
	payload.Set("body", "too late")
	if err := e.Callback(ctx, u[strings.LastIndex(u, "/")+1:], payload); err == nil {
		t.Fatal("the callback of a cancelled run was accepted")
	}
}

func TestChildWorkflow(t *testing.T) {
	t.Parallel()
	child := []byte(`{"triggers":{"manual":{"type":"Request","kind":"Http"}},"actions":{
	  "W":{"type":"Wait","inputs":{"interval":{"count":0,"unit":"Second"}},"runAfter":{}},
	  "Response":{"type":"Response","inputs":{"statusCode":200,"body":{"echo":"@triggerBody()"}},"runAfter":{"W":["Succeeded"]}}}}`)
	e, _ := newEngine(t, engine.Options{ResolveWorkflow: func(_ context.Context, id string) (string, []byte, error) {
		return "child", child, nil
	}})
	rec := runDef(t, e, []byte(`{"actions":{"Call":{"type":"Workflow","inputs":{"host":{"triggerName":"manual","workflow":{"id":"/subscriptions/x/workflows/child"}},"body":{"n":1}},"runAfter":{}},
	  "Use":{"type":"Compose","inputs":"@body('Call')?['echo']?['n']","runAfter":{"Call":["Succeeded"]}}}}`), nil, nil)
	if status(rec, "Call") != "Succeeded" || outputs(rec, "Use") != int64(1) {
		b, _ := json.Marshal(rec)
		t.Fatalf("record: %s", b)
	}
}
