// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/workflow"
)

// ErrInvalidResubmit is wrapped by [Engine.Resubmit] when the request
// cannot be honoured (unknown or nested action, run still running).
var ErrInvalidResubmit = errors.New("invalid resubmission")

// ResubmitOptions choose what [Engine.Resubmit] re-runs.
type ResubmitOptions struct {
	// FromAction, when set, names a top-level action to re-run from: every
	// top-level action that is neither it nor (transitively) after it in
	// runAfter keeps its records (inputs, outputs, repetitions) from the
	// original run, and so do the run's variables as the original run
	// left them. Empty re-runs the whole workflow.
	FromAction string
}

// Resubmit starts a new run of the original run's definition version with
// the same trigger outputs and parameters, and returns its ID. The
// original run is not touched; linking the two is up to the caller.
func (e *Engine) Resubmit(ctx context.Context, runID string, o ResubmitOptions) (string, error) {
	row, err := e.st.Run(ctx, runID)
	if err != nil {
		return "", err
	}
	p, err := e.planFor(ctx, row.Workflow, row.Version, nil)
	if err != nil {
		return "", err
	}
	var d runData
	if len(row.Data) > 0 {
		if err := json.Unmarshal(row.Data, &d); err != nil {
			return "", fmt.Errorf("decode run data: %w", err)
		}
	}
	var trig triggerData
	if len(row.Trigger) > 0 {
		if err := json.Unmarshal(row.Trigger, &trig); err != nil {
			return "", fmt.Errorf("decode trigger: %w", err)
		}
	}
	now := e.now()
	trig.Time = now
	id := newRunID()
	secure := p.def.Trigger(trig.Name).SecureOutputs()
	if secure && trig.Sealed != "" {
		// Sealed for the original run: opened here, sealed for the new one.
		if e.opts.Sealer == nil {
			trig.Sealed = "" // the new run reads the marker, as after a restart
		} else if err := trig.open(e.opts.Sealer, runID); err != nil {
			return "", fmt.Errorf("opening the secure trigger outputs: %w", err)
		}
	}
	tb, err := trig.stored(secure && trig.Sealed != "", e.opts.Sealer, id)
	if err != nil {
		return "", fmt.Errorf("encode trigger: %w", err)
	}
	// Parent links are dropped: a resubmitted child must not answer its
	// parent a second time.
	db, err := json.Marshal(runData{ParamsRaw: d.ParamsRaw})
	if err != nil {
		return "", fmt.Errorf("encode run: %w", err)
	}
	b := &store.Batch{NewRuns: []store.Run{{ID: id, Workflow: row.Workflow, Version: row.Version,
		Status: store.StatusRunning, Created: now, Trigger: tb, Data: db}}}
	if o.FromAction != "" {
		if row.Status == store.StatusRunning {
			return "", fmt.Errorf("run %s is still running: %w", runID, ErrInvalidResubmit)
		}
		keep, err := keptActions(p.def, o.FromAction)
		if err != nil {
			return "", err
		}
		ars, err := e.st.Actions(ctx, runID)
		if err != nil {
			return "", err
		}
		topStatus := map[string]string{}
		for _, ar := range ars {
			if a := p.def.Actions.Get(ar.Name); a != nil && ar.Key == ar.Name {
				topStatus[a.Name] = ar.Status
			}
		}
		for _, ar := range ars {
			a := p.def.Action(ar.Name)
			if a == nil {
				continue
			}
			top := a
			for top.Parent != nil {
				top = top.Parent
			}
			if !keep[top.Name] || !final(topStatus[top.Name]) {
				continue
			}
			b.Actions = append(b.Actions, store.ActionRecord{RunID: id, Key: ar.Key, Name: ar.Name, Status: ar.Status, Data: ar.Data})
		}
		vars, err := e.st.Variables(ctx, runID)
		if err != nil {
			return "", err
		}
		for _, v := range vars {
			b.Variables = append(b.Variables, store.Variable{RunID: id, Name: v.Name, Value: v.Value})
		}
	}
	if err := e.st.Commit(ctx, b); err != nil {
		return "", fmt.Errorf("create run: %w", err)
	}
	e.activate(id, nil)
	return id, nil
}

// keptActions returns the top-level actions whose records a resubmission
// from action `from` keeps: all but `from` and its transitive successors.
func keptActions(def *workflow.Definition, from string) (map[string]bool, error) {
	a := def.Actions.Get(from)
	if a == nil {
		if def.Action(from) != nil {
			return nil, fmt.Errorf("action '%s' is inside a container; resubmit from a top-level action: %w", from, ErrInvalidResubmit)
		}
		return nil, fmt.Errorf("the workflow has no action '%s': %w", from, ErrInvalidResubmit)
	}
	rerun := map[*workflow.Action]bool{a: true}
	queue := []*workflow.Action{a}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, s := range cur.Successors() {
			if !rerun[s] {
				rerun[s] = true
				queue = append(queue, s)
			}
		}
	}
	keep := map[string]bool{}
	for _, x := range def.Actions.All() {
		if !rerun[x] {
			keep[x.Name] = true
		}
	}
	return keep, nil
}

// HasResponse reports whether a definition has a Response action at any
// depth, so a Request trigger's caller waits for it.
func HasResponse(def *workflow.Definition) bool {
	for _, a := range def.AllActions() {
		if a.Canonical == workflow.ActionResponse || strings.EqualFold(a.Type, "Response") {
			return true
		}
	}
	return false
}

// StartRunResponse is [Engine.StartRun] for a caller that waits for the
// run's Response action (a Request trigger's HTTP caller). The returned
// channel receives the response once it is durable, or nil when the run
// ends without one; it is registered before the run is scheduled, so the
// wait needs no store reads. Call stop when no longer waiting.
func (e *Engine) StartRunResponse(ctx context.Context, workflowName, version string, so StartOptions) (id string, resp <-chan *Response, stop func(), err error) {
	ch := make(chan *Response, 1)
	stop = func() { e.stopResponseWait(id, ch) }
	id, err = e.startRun(ctx, workflowName, version, so, ch)
	if err != nil {
		return "", nil, nil, err
	}
	return id, ch, stop, nil
}

// stopResponseWait removes the Response waiter ch of run id.
func (e *Engine) stopResponseWait(id string, ch chan *Response) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ws := e.respWait[id]
	for i, w := range ws {
		if w == ch {
			ws = append(ws[:i], ws[i+1:]...)
			break
		}
	}
	if len(ws) == 0 {
		delete(e.respWait, id)
	} else {
		e.respWait[id] = ws
	}
}
