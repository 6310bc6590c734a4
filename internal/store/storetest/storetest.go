// SPDX-License-Identifier: Apache-2.0

// Package storetest is the conformance suite every store backend passes:
// call [Run] from the backend's tests with a constructor of fresh stores.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/junction-run/junction/internal/store"
)

// Run runs the conformance suite. open returns a new, empty store; the
// suite closes it.
func Run(t *testing.T, open func(t testing.TB) store.Store) {
	t.Helper()
	tests := []struct {
		name string
		f    func(t *testing.T, s store.Store)
	}{
		{"Definitions", testDefinitions},
		{"RunLifecycle", testRunLifecycle},
		{"ActionsAndVariables", testActionsAndVariables},
		{"AtomicBatch", testAtomicBatch},
		{"WorkQueue", testWorkQueue},
		{"Callbacks", testCallbacks},
		{"ConcurrentCommits", testConcurrentCommits},
		{"TriggerStates", testTriggerStates},
		{"TriggerHistory", testTriggerHistory},
		{"TriggerAtomic", testTriggerAtomic},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() { _ = s.Close() })
			tc.f(t, s)
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func testDefinitions(t *testing.T, s store.Store) {
	ctx := context.Background()
	must(t, s.PutDefinition(ctx, "wf", "v1", []byte(`{"a":1}`)))
	must(t, s.PutDefinition(ctx, "wf", "v1", []byte(`{"a":1}`)))
	must(t, s.PutDefinition(ctx, "wf", "v2", []byte(`{"a":2}`)))
	b, err := s.Definition(ctx, "wf", "v1")
	must(t, err)
	if string(b) != `{"a":1}` {
		t.Fatalf("definition v1 = %s", b)
	}
	if _, err := s.Definition(ctx, "wf", "v3"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing definition: err = %v, want ErrNotFound", err)
	}
}

func testRunLifecycle(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := store.Run{ID: "r1", Workflow: "wf", Version: "v1", Status: store.StatusRunning, Created: t0, Trigger: []byte(`{"t":1}`), Data: []byte(`{"d":1}`)}
	must(t, s.Commit(ctx, &store.Batch{NewRuns: []store.Run{r, {ID: "r2", Workflow: "other", Version: "v1", Status: store.StatusRunning, Created: t0}}}))
	got, err := s.Run(ctx, "r1")
	must(t, err)
	if got.Workflow != "wf" || got.Status != store.StatusRunning || !got.Created.Equal(t0) || string(got.Trigger) != `{"t":1}` || string(got.Data) != `{"d":1}` {
		t.Fatalf("run = %+v", got)
	}
	// Park r1: nothing to resume.
	must(t, s.Commit(ctx, &store.Batch{RunUpdates: []store.RunUpdate{{ID: "r1", Status: store.StatusRunning, Parked: true}}}))
	un, err := s.ListRuns(ctx, store.RunFilter{Unparked: true})
	must(t, err)
	if len(un) != 1 || un[0].ID != "r2" {
		t.Fatalf("unparked runs = %+v", un)
	}
	must(t, s.Commit(ctx, &store.Batch{RunUpdates: []store.RunUpdate{{ID: "r1", Status: store.StatusSucceeded, Ended: t0.Add(time.Second), Data: []byte(`{"d":2}`)}}}))
	got, err = s.Run(ctx, "r1")
	must(t, err)
	if got.Status != store.StatusSucceeded || !got.Ended.Equal(t0.Add(time.Second)) || string(got.Data) != `{"d":2}` || string(got.Trigger) != `{"t":1}` {
		t.Fatalf("finished run = %+v", got)
	}
	// Nil data keeps the stored data.
	must(t, s.Commit(ctx, &store.Batch{RunUpdates: []store.RunUpdate{{ID: "r1", Status: store.StatusSucceeded, Ended: t0}}}))
	got, err = s.Run(ctx, "r1")
	must(t, err)
	if string(got.Data) != `{"d":2}` || string(got.Trigger) != `{"t":1}` {
		t.Fatalf("data and trigger after nil update = %s, %s", got.Data, got.Trigger)
	}
	// A trigger replaces the stored one, the rest as given.
	must(t, s.Commit(ctx, &store.Batch{RunUpdates: []store.RunUpdate{{ID: "r1", Status: store.StatusSucceeded, Ended: t0, Trigger: []byte(`{"t":2}`)}}}))
	got, err = s.Run(ctx, "r1")
	must(t, err)
	if string(got.Trigger) != `{"t":2}` || string(got.Data) != `{"d":2}` || got.Status != store.StatusSucceeded {
		t.Fatalf("run after a trigger update = %+v", got)
	}
	all, err := s.ListRuns(ctx, store.RunFilter{})
	must(t, err)
	if len(all) != 2 || all[0].ID != "r1" || all[1].ID != "r2" {
		t.Fatalf("all runs = %+v", all)
	}
	wf, err := s.ListRuns(ctx, store.RunFilter{Workflow: "other"})
	must(t, err)
	if len(wf) != 1 || wf[0].ID != "r2" {
		t.Fatalf("runs of other = %+v", wf)
	}
	if _, err := s.Run(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing run: err = %v", err)
	}
}

func testActionsAndVariables(t *testing.T, s store.Store) {
	ctx := context.Background()
	must(t, s.Commit(ctx, &store.Batch{
		NewRuns: []store.Run{{ID: "r", Workflow: "wf", Version: "v", Status: store.StatusRunning, Created: t0}},
		Actions: []store.ActionRecord{
			{RunID: "r", Key: "A", Name: "A", Status: "Running", Data: []byte(`{"attempts":1}`)},
			{RunID: "r", Key: "B#0", Name: "B", Status: "Succeeded", Data: []byte(`{}`)},
		},
		Variables: []store.Variable{{RunID: "r", Name: "x", Value: []byte(`1`)}},
	}))
	must(t, s.Commit(ctx, &store.Batch{
		Actions:   []store.ActionRecord{{RunID: "r", Key: "A", Name: "A", Status: "Succeeded", Data: []byte(`{"attempts":2}`)}},
		Variables: []store.Variable{{RunID: "r", Name: "x", Value: []byte(`2`)}, {RunID: "r", Name: "y", Value: []byte(`"s"`)}},
	}))
	as, err := s.Actions(ctx, "r")
	must(t, err)
	if len(as) != 2 || as[0].Key != "A" || as[0].Status != "Succeeded" || string(as[0].Data) != `{"attempts":2}` || as[1].Key != "B#0" || as[1].Name != "B" {
		t.Fatalf("actions = %+v", as)
	}
	vs, err := s.Variables(ctx, "r")
	must(t, err)
	if len(vs) != 2 || string(vs[0].Value) != `2` || vs[1].Name != "y" {
		t.Fatalf("variables = %+v", vs)
	}
}

func testAtomicBatch(t *testing.T, s store.Store) {
	ctx := context.Background()
	must(t, s.Commit(ctx, &store.Batch{NewRuns: []store.Run{{ID: "r", Workflow: "wf", Version: "v", Status: store.StatusRunning, Created: t0}}}))
	// A duplicate run ID fails the batch: none of its writes may remain.
	err := s.Commit(ctx, &store.Batch{
		Actions: []store.ActionRecord{{RunID: "r", Key: "A", Name: "A", Status: "Succeeded"}},
		NewRuns: []store.Run{{ID: "r", Workflow: "wf", Version: "v", Status: store.StatusRunning, Created: t0}},
	})
	if err == nil {
		t.Fatal("duplicate run insert succeeded")
	}
	as, err := s.Actions(ctx, "r")
	must(t, err)
	if len(as) != 0 {
		t.Fatalf("failed batch left actions %+v", as)
	}
}

func testWorkQueue(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, ok, err := s.NextDue(ctx, t0); err != nil || ok {
		t.Fatalf("empty queue NextDue = %v, %v", ok, err)
	}
	must(t, s.Commit(ctx, &store.Batch{Work: []store.WorkItem{
		{RunID: "r", Kind: "timer", Ref: "late", Due: t0.Add(time.Hour)},
		{RunID: "r", Kind: "timer", Ref: "now", Due: t0, Payload: []byte("p")},
		{RunID: "q", Kind: "callback", Ref: "soon", Due: t0.Add(time.Minute)},
	}}))
	due, ok, err := s.NextDue(ctx, t0)
	must(t, err)
	if !ok || !due.Equal(t0) {
		t.Fatalf("NextDue = %v %v", due, ok)
	}
	ws, err := s.ClaimWork(ctx, "n1", t0.Add(2*time.Minute), 10, time.Minute)
	must(t, err)
	if len(ws) != 2 || ws[0].Ref != "now" || string(ws[0].Payload) != "p" || ws[1].Ref != "soon" {
		t.Fatalf("claimed %+v", ws)
	}
	// Leased items are not claimed again before the lease expires.
	again, err := s.ClaimWork(ctx, "n2", t0.Add(2*time.Minute), 10, time.Minute)
	must(t, err)
	if len(again) != 0 {
		t.Fatalf("claimed leased work %+v", again)
	}
	// An expired lease is claimable by another owner (at-least-once).
	exp, err := s.ClaimWork(ctx, "n2", t0.Add(4*time.Minute), 10, time.Minute)
	must(t, err)
	if len(exp) != 2 {
		t.Fatalf("expired leases: claimed %+v", exp)
	}
	must(t, s.ReleaseLeases(ctx, "n2"))
	rel, err := s.ClaimWork(ctx, "n1", t0.Add(4*time.Minute), 1, time.Minute)
	must(t, err)
	if len(rel) != 1 || rel[0].Ref != "now" {
		t.Fatalf("after release: claimed %+v", rel)
	}
	pend, err := s.PendingWork(ctx, "r")
	must(t, err)
	if len(pend) != 2 {
		t.Fatalf("pending of r = %+v", pend)
	}
	must(t, s.Commit(ctx, &store.Batch{DoneWork: []int64{ws[0].ID, ws[1].ID, 999999}}))
	pend, err = s.PendingWork(ctx, "r")
	must(t, err)
	if len(pend) != 1 || pend[0].Ref != "late" {
		t.Fatalf("pending after done = %+v", pend)
	}
}

func testCallbacks(t *testing.T, s store.Store) {
	ctx := context.Background()
	must(t, s.Commit(ctx, &store.Batch{Callbacks: []store.Callback{{Token: "tok", RunID: "r", Ref: "Hook"}}}))
	c, err := s.Callback(ctx, "tok")
	must(t, err)
	if c.RunID != "r" || c.Ref != "Hook" {
		t.Fatalf("callback = %+v", c)
	}
	must(t, s.Commit(ctx, &store.Batch{DoneCallbacks: []string{"tok"}}))
	if _, err := s.Callback(ctx, "tok"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted callback: err = %v", err)
	}
}

func testConcurrentCommits(t *testing.T, s store.Store) {
	ctx := context.Background()
	must(t, s.Commit(ctx, &store.Batch{NewRuns: []store.Run{{ID: "r", Workflow: "wf", Version: "v", Status: store.StatusRunning, Created: t0}}}))
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := &store.Batch{Actions: []store.ActionRecord{{RunID: "r", Key: fmt.Sprint("A", i), Name: "A", Status: "Succeeded"}}}
			if i%50 == 7 { // a failing batch must not take its group down
				b.NewRuns = []store.Run{{ID: "r", Workflow: "wf", Version: "v", Status: store.StatusRunning, Created: t0}}
			}
			if err := s.Commit(ctx, b); err != nil && i%50 != 7 {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	as, err := s.Actions(ctx, "r")
	must(t, err)
	if len(as) != n-n/50 {
		t.Fatalf("got %d action records, want %d", len(as), n-n/50)
	}
}
