// SPDX-License-Identifier: Apache-2.0

package triggers_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/engine/actions"
	"github.com/junction-run/junction/internal/engine/triggers"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/internal/store/sqlite"
	"github.com/junction-run/junction/workflow"
)

// harness is an engine, a dispatcher and a SQLite store in a data
// directory; stop and start again on the same directory for a restart.
type harness struct {
	t    testing.TB
	dir  string
	opts triggers.Options
	wrap func(store.Store) store.Store

	db   *sqlite.DB
	st   store.Store
	eng  *engine.Engine
	d    *triggers.Dispatcher
	once sync.Once
}

func newHarness(t testing.TB, o triggers.Options, wrap func(store.Store) store.Store) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), opts: o, wrap: wrap}
	h.start()
	return h
}

func (h *harness) start() {
	h.t.Helper()
	db, err := sqlite.OpenDir(h.dir, sqlite.Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	h.db, h.st = db, db
	if h.wrap != nil {
		h.st = h.wrap(db)
	}
	h.eng = engine.New(h.st, engine.Options{})
	if err := h.eng.Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	if h.opts.RetryDelay == 0 {
		h.opts.RetryDelay = 50 * time.Millisecond
	}
	h.d = triggers.New(h.eng, h.st, h.opts)
	if err := h.d.Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	h.once = sync.Once{}
	h.t.Cleanup(h.stop)
}

func (h *harness) stop() {
	h.once.Do(func() {
		_ = h.d.Close()
		_ = h.eng.Close()
		_ = h.db.Close()
	})
}

// restart stops everything and starts again on the same data directory.
func (h *harness) restart() {
	h.t.Helper()
	h.stop()
	h.start()
}

// enable registers a definition and enables its triggers.
func (h *harness) enable(name, def string) error {
	h.t.Helper()
	ctx := context.Background()
	v, err := h.eng.Register(ctx, name, []byte(def))
	if err != nil {
		h.t.Fatal(err)
	}
	d, err := workflow.Decode([]byte(def))
	if err != nil {
		h.t.Fatal(err)
	}
	return h.d.Enable(ctx, triggers.Workflow{Name: name, Version: v, Definition: d})
}

func (h *harness) mustEnable(name, def string) {
	h.t.Helper()
	if err := h.enable(name, def); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) runs(name string) []store.Run {
	h.t.Helper()
	rs, err := h.db.ListRuns(context.Background(), store.RunFilter{Workflow: name})
	if err != nil {
		h.t.Fatal(err)
	}
	return rs
}

// bodies returns the trigger body of every run of a workflow as JSON,
// sorted.
func (h *harness) bodies(name string) []string {
	h.t.Helper()
	var out []string
	for _, r := range h.runs(name) {
		var td struct {
			Outputs struct {
				Body json.RawMessage `json:"body"`
			} `json:"outputs"`
		}
		if err := json.Unmarshal(r.Trigger, &td); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, string(td.Outputs.Body))
	}
	sort.Strings(out)
	return out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// fakePoller is an in-process connector whose polling trigger returns the
// published items after the cursor (an index).
type fakePoller struct {
	mu      sync.Mutex
	items   []any
	cursors []string
	cleaned []any
	subs    []string
	unsubs  []string
	expiry  time.Duration
}

func (f *fakePoller) Spec() connector.Spec {
	return connector.Spec{ID: "fakepoll", Title: "Fake poller", Operations: []connector.Operation{
		{ID: "OnNew", Kind: connector.KindTrigger, Trigger: connector.TriggerPoll, Method: "GET", Path: "/new/{topic}"},
		{ID: "OnPush", Kind: connector.KindTrigger, Trigger: connector.TriggerPush, Method: "POST", Path: "/push"},
	}}
}

func (f *fakePoller) Invoke(context.Context, connector.Connection, string, connector.Input) (connector.Output, error) {
	return connector.Output{}, errors.New("no actions")
}

func (f *fakePoller) publish(items ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = append(f.items, items...)
}

func (f *fakePoller) Poll(_ context.Context, _ connector.Connection, op string, in connector.Input, state json.RawMessage) (connector.PollResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cursors = append(f.cursors, string(state))
	n := 0
	if len(state) > 0 {
		if err := json.Unmarshal(state, &n); err != nil {
			return connector.PollResult{}, err
		}
	}
	if in.Parameters["topic"] != "orders" {
		return connector.PollResult{}, connector.Errorf(connector.KindBadRequest, "topic %v", in.Parameters["topic"])
	}
	next, _ := json.Marshal(len(f.items))
	return connector.PollResult{Items: append([]any(nil), f.items[n:]...), State: next}, nil
}

func (f *fakePoller) Cleanup(_ context.Context, _ connector.Connection, _ string, _ connector.Input, items []any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleaned = append(f.cleaned, items...)
	return nil
}

func (f *fakePoller) Subscribe(_ context.Context, _ connector.Connection, _ string, _ connector.Input, cb string) (connector.Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs = append(f.subs, cb)
	loc := "sub-" + string(rune('a'+len(f.subs)-1))
	s := connector.Subscription{Location: loc}
	if f.expiry > 0 {
		s.ExpiresAt = time.Now().Add(f.expiry)
	}
	return s, nil
}

func (f *fakePoller) Unsubscribe(_ context.Context, _ connector.Connection, s connector.Subscription) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unsubs = append(f.unsubs, s.Location)
	return nil
}

func (f *fakePoller) snapshot() (cursors []string, cleaned []any, subs, unsubs []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cursors...), append([]any(nil), f.cleaned...), append([]string(nil), f.subs...), append([]string(nil), f.unsubs...)
}

var (
	_ connector.Poller     = (*fakePoller)(nil)
	_ connector.Cleaner    = (*fakePoller)(nil)
	_ connector.Subscriber = (*fakePoller)(nil)
)

// connections returns the testdata connections.json resolver with fake
// registered as "fakepoll" and the feed connector pointing at srv.
func connections(t testing.TB, fake *fakePoller, srv *httptest.Server) actions.ConnectionResolver {
	t.Helper()
	reg := connector.NewRegistry()
	if fake != nil {
		if err := reg.Register(fake); err != nil {
			t.Fatal(err)
		}
	}
	settings := map[string]string{"FEED_KEY": feedKey}
	if srv != nil {
		settings["FEED_URL"] = srv.URL + "/v1"
	}
	fc, err := actions.NewFileConnections("testdata/connections.json", reg, func(k string) (string, bool) {
		v, ok := settings[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	if srv != nil {
		fc.HTTPClient = srv.Client()
	}
	return fc
}

const feedKey = "feed-key-1"

// failingStore fails the first Commit that stores runs together with a
// trigger state, as a crash between poll and commit would.
type failingStore struct {
	store.Store
	armed  atomic.Bool
	failed atomic.Int32
}

func (f *failingStore) Commit(ctx context.Context, b *store.Batch) error {
	if len(b.NewRuns) > 0 && len(b.TriggerStates) > 0 && f.armed.CompareAndSwap(true, false) {
		f.failed.Add(1)
		return errors.New("simulated crash before commit")
	}
	return f.Store.Commit(ctx, b)
}
