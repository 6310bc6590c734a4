// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/junction-run/junction/internal/store"
)

// ResealSecureData re-seals, for a master key rotation, the secure data
// (see [Options.Sealer]) of the runs still running in st: secured action
// inputs and outputs, and secured trigger outputs. reseal returns an
// envelope sealed under the new key (or the same envelope when it already
// is). Finished runs are left alone: nothing reads their sealed data
// again. It returns how many records (actions, run triggers) it rewrote.
// Run it with the engine stopped.
func ResealSecureData(ctx context.Context, st store.Store, reseal func(envelope, aad string) (string, error)) (int, error) {
	runs, err := st.ListRuns(ctx, store.RunFilter{Status: store.StatusRunning})
	if err != nil {
		return 0, fmt.Errorf("listing running runs: %w", err)
	}
	n := 0
	for _, r := range runs {
		acts, err := st.Actions(ctx, r.ID)
		if err != nil {
			return n, fmt.Errorf("reading the actions of run %s: %w", r.ID, err)
		}
		b := &store.Batch{}
		var trig triggerData
		if json.Unmarshal(r.Trigger, &trig) == nil && trig.Sealed != "" {
			fresh, err := reseal(trig.Sealed, triggerAAD(r.ID))
			if err != nil {
				return n, fmt.Errorf("run %s, trigger outputs: %w", r.ID, err)
			}
			if fresh != trig.Sealed {
				trig.Sealed = fresh
				tb, _ := json.Marshal(trig)
				b.RunUpdates = append(b.RunUpdates, store.RunUpdate{ID: r.ID, Status: r.Status, Parked: r.Parked, Ended: r.Ended, Trigger: tb})
			}
		}
		for _, a := range acts {
			var fields map[string]json.RawMessage
			if json.Unmarshal(a.Data, &fields) != nil || fields["sealed"] == nil {
				continue
			}
			var env string
			if err := json.Unmarshal(fields["sealed"], &env); err != nil || env == "" {
				continue
			}
			fresh, err := reseal(env, sealAAD(r.ID, a.Key))
			if err != nil {
				return n, fmt.Errorf("run %s, action %s: %w", r.ID, a.Key, err)
			}
			if fresh == env {
				continue
			}
			fields["sealed"], _ = json.Marshal(fresh)
			a.Data, _ = json.Marshal(fields)
			b.Actions = append(b.Actions, a)
		}
		if b.Empty() {
			continue
		}
		if err := st.Commit(ctx, b); err != nil {
			return n, fmt.Errorf("storing run %s: %w", r.ID, err)
		}
		n += len(b.Actions) + len(b.RunUpdates)
	}
	return n, nil
}
