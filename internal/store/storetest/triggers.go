// SPDX-License-Identifier: Apache-2.0

package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/junction-run/junction/internal/store"
)

func testTriggerStates(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.TriggerState(ctx, "wf", "poll"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing trigger state: err = %v, want ErrNotFound", err)
	}
	must(t, s.Commit(ctx, &store.Batch{TriggerStates: []store.TriggerState{
		{Workflow: "wf", Trigger: "poll", Version: "v1", NextFire: t0, Data: []byte(`{"cursor":1}`)},
		{Workflow: "wf", Trigger: "hook", Version: "v1", Data: []byte(`{}`)},
		{Workflow: "other", Trigger: "poll", Version: "v9"},
	}}))
	must(t, s.Commit(ctx, &store.Batch{TriggerStates: []store.TriggerState{
		{Workflow: "wf", Trigger: "poll", Version: "v2", NextFire: t0.Add(time.Minute), Data: []byte(`{"cursor":2}`)},
	}}))
	st, err := s.TriggerState(ctx, "wf", "poll")
	must(t, err)
	if st.Version != "v2" || !st.NextFire.Equal(t0.Add(time.Minute)) || string(st.Data) != `{"cursor":2}` {
		t.Fatalf("trigger state after upsert = %+v", st)
	}
	all, err := s.TriggerStates(ctx, "")
	must(t, err)
	if len(all) != 3 || all[0].Workflow != "other" || all[1].Trigger != "hook" || all[2].Trigger != "poll" {
		t.Fatalf("all trigger states = %+v", all)
	}
	if !all[1].NextFire.IsZero() {
		t.Fatalf("zero NextFire read back as %v", all[1].NextFire)
	}
	wf, err := s.TriggerStates(ctx, "wf")
	must(t, err)
	if len(wf) != 2 {
		t.Fatalf("trigger states of wf = %+v", wf)
	}
	must(t, s.Commit(ctx, &store.Batch{DoneTriggerStates: []store.TriggerKey{{Workflow: "wf", Trigger: "hook"}, {Workflow: "none", Trigger: "x"}}}))
	if _, err := s.TriggerState(ctx, "wf", "hook"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted trigger state: err = %v", err)
	}
}

func testTriggerHistory(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i, st := range []string{"Succeeded", "Skipped", "Failed"} {
		must(t, s.Commit(ctx, &store.Batch{TriggerHistory: []store.TriggerHistory{
			{ID: st, Workflow: "wf", Trigger: "poll", Status: st, Fired: st == "Succeeded", Time: t0.Add(time.Duration(i) * time.Second), Data: []byte(`{"i":1}`)},
		}}))
	}
	must(t, s.Commit(ctx, &store.Batch{TriggerHistory: []store.TriggerHistory{{ID: "x", Workflow: "wf", Trigger: "other", Status: "Succeeded", Time: t0}}}))
	hs, err := s.TriggerHistory(ctx, "wf", "poll", 0)
	must(t, err)
	if len(hs) != 3 || hs[0].ID != "Failed" || hs[2].ID != "Succeeded" || !hs[2].Fired || hs[1].Fired {
		t.Fatalf("history = %+v", hs)
	}
	if !hs[0].Time.Equal(t0.Add(2*time.Second)) || string(hs[0].Data) != `{"i":1}` || hs[0].Workflow != "wf" || hs[0].Trigger != "poll" {
		t.Fatalf("history entry = %+v", hs[0])
	}
	top, err := s.TriggerHistory(ctx, "wf", "poll", 2)
	must(t, err)
	if len(top) != 2 || top[0].ID != "Failed" {
		t.Fatalf("top 2 = %+v", top)
	}
}

// testTriggerAtomic checks that trigger state, history and the runs a poll
// starts commit together: a failing batch leaves none of them.
func testTriggerAtomic(t *testing.T, s store.Store) {
	ctx := context.Background()
	must(t, s.Commit(ctx, &store.Batch{NewRuns: []store.Run{{ID: "dup", Workflow: "wf", Version: "v", Status: store.StatusRunning, Created: t0}}}))
	err := s.Commit(ctx, &store.Batch{
		NewRuns:        []store.Run{{ID: "dup", Workflow: "wf", Version: "v", Status: store.StatusRunning, Created: t0}},
		TriggerStates:  []store.TriggerState{{Workflow: "wf", Trigger: "poll", Version: "v", Data: []byte(`{"cursor":5}`)}},
		TriggerHistory: []store.TriggerHistory{{ID: "h", Workflow: "wf", Trigger: "poll", Status: "Succeeded", Fired: true, Time: t0}},
	})
	if err == nil {
		t.Fatal("batch with a duplicate run succeeded")
	}
	if _, err := s.TriggerState(ctx, "wf", "poll"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("failed batch left a trigger state (err %v)", err)
	}
	hs, err := s.TriggerHistory(ctx, "wf", "poll", 0)
	must(t, err)
	if len(hs) != 0 {
		t.Fatalf("failed batch left history %+v", hs)
	}
	if !(&store.Batch{TriggerHistory: hs[:0:0]}).Empty() || (&store.Batch{DoneTriggerStates: []store.TriggerKey{{}}}).Empty() {
		t.Fatal("Batch.Empty ignores trigger writes")
	}
}
