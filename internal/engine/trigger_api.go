// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"context"
	"fmt"

	"github.com/junction-run/junction/internal/store"
)

// StartRuns creates one run per element of runs, of one registered
// definition version, and commits them in ONE batch together with the
// writes of extra (which may be nil; it is not modified). The runs are
// scheduled only after the commit succeeded, so on error nothing was
// written and nothing runs. It returns the run IDs in the order of runs.
//
// The trigger dispatcher uses it to store the runs a poll starts in the
// same transaction as the trigger's advanced cursor and history entry.
// ids, when not nil, gives the run IDs to use (see [NewRunID]); it must
// have one ID per run.
func (e *Engine) StartRuns(ctx context.Context, workflowName, version string, runs []StartOptions, ids []string, extra *store.Batch) ([]string, error) {
	if ids != nil && len(ids) != len(runs) {
		return nil, fmt.Errorf("start runs: %d ids for %d runs", len(ids), len(runs))
	}
	b := &store.Batch{}
	if extra != nil {
		*b = *extra
		b.NewRuns = append([]store.Run(nil), extra.NewRuns...)
	}
	out := make([]string, len(runs))
	built := make([]*run, 0, len(runs))
	if len(runs) > 0 {
		p, err := e.planFor(ctx, workflowName, version, nil)
		if err != nil {
			return nil, err
		}
		for i, so := range runs {
			id := newRunID()
			if ids != nil {
				id = ids[i]
			}
			// The same row StartRun would write, committed here with the
			// caller's batch; the driver starts from the state built in
			// memory, without reading the run back.
			r, err := e.newRun(p, id, so)
			if err != nil {
				return nil, err
			}
			b.NewRuns = append(b.NewRuns, r.row)
			r.batch.NewRuns = nil
			built = append(built, r)
			out[i] = id
		}
	}
	if err := e.st.Commit(ctx, b); err != nil {
		return nil, fmt.Errorf("create runs: %w", err)
	}
	for _, r := range built {
		e.spawnCommitted(r)
	}
	return out, nil
}

// NewRunID returns a fresh run ID, for callers of [Engine.StartRuns] that
// must name the runs in the same batch that creates them.
func NewRunID() string { return newRunID() }
