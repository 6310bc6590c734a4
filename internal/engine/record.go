// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/workflow"
)

func (e *Engine) notifyResponse(runID string, resp *Response) {
	e.mu.Lock()
	ws := e.respWait[runID]
	delete(e.respWait, runID)
	e.mu.Unlock()
	for _, ch := range ws {
		ch <- resp
	}
}

// WaitResponse blocks until the run's Response action has answered (or the
// run ended without one: nil) or ctx ends.
func (e *Engine) WaitResponse(ctx context.Context, runID string) (*Response, error) {
	ch := make(chan *Response, 1)
	e.mu.Lock()
	e.respWait[runID] = append(e.respWait[runID], ch)
	e.mu.Unlock()
	for {
		r, err := e.st.Run(ctx, runID)
		if err != nil {
			return nil, err
		}
		var d runData
		if len(r.Data) > 0 {
			_ = json.Unmarshal(r.Data, &d)
		}
		if d.Response != nil {
			return d.Response, nil
		}
		if r.Status != store.StatusRunning {
			return nil, nil
		}
		t := time.NewTimer(2 * time.Second)
		select {
		case resp := <-ch:
			t.Stop()
			if resp != nil {
				return resp, nil
			}
			ch = make(chan *Response, 1)
			e.mu.Lock()
			e.respWait[runID] = append(e.respWait[runID], ch)
			e.mu.Unlock()
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
}

const timeFormat = "2006-01-02T15:04:05.0000000Z"

func fmtTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeFormat)
}

// RunRecord returns the run as the JSON object `junction run` prints: id,
// status, error, trigger, actions (every action of the definition at any
// depth, with repetitions inside loops), outputs and response.
func (e *Engine) RunRecord(ctx context.Context, runID string) (*expr.Object, error) {
	row, err := e.st.Run(ctx, runID)
	if err != nil {
		return nil, err
	}
	p, err := e.planFor(ctx, row.Workflow, row.Version, nil)
	if err != nil {
		return nil, err
	}
	var d runData
	if len(row.Data) > 0 {
		if err := json.Unmarshal(row.Data, &d); err != nil {
			return nil, fmt.Errorf("decode run data: %w", err)
		}
	}
	var trig triggerData
	if len(row.Trigger) > 0 {
		if err := json.Unmarshal(row.Trigger, &trig); err != nil {
			return nil, fmt.Errorf("decode trigger: %w", err)
		}
	}
	ars, err := e.st.Actions(ctx, runID)
	if err != nil {
		return nil, err
	}
	byName := map[string][]*rec{}
	for _, ar := range ars {
		rc, _, err := unmarshalRec(ar.Data) // history: secure data stays hidden
		if err != nil {
			return nil, fmt.Errorf("decode action record %s: %w", ar.Key, err)
		}
		rc.idx = rc.Idx
		byName[rc.Name] = append(byName[rc.Name], rc)
	}
	out := expr.NewObject(8)
	out.Set("id", row.ID)
	out.Set("status", row.Status)
	if d.Error != nil {
		out.Set("error", errValue(d.Error))
	} else {
		out.Set("error", nil)
	}
	to := expr.NewObject(1)
	to.Set("outputs", decodeRaw(trig.Raw))
	out.Set("trigger", to)
	acts := expr.NewObject(len(p.def.AllActions()))
	for _, a := range p.def.AllActions() {
		acts.Set(a.Name, actionEntry(a, len(p.loops[a]), byName[a.Name]))
	}
	out.Set("actions", acts)
	if len(d.Outputs) > 0 {
		out.Set("outputs", decodeRaw(d.Outputs))
	} else {
		out.Set("outputs", expr.NewObject(0))
	}
	if d.Response != nil {
		ro := expr.NewObject(3)
		ro.Set("statusCode", d.Response.StatusCode)
		ro.Set("headers", decodeAny(d.Response.Headers))
		ro.Set("body", decodeAny(d.Response.Body))
		out.Set("response", ro)
	} else {
		out.Set("response", nil)
	}
	return out, nil
}

func recEntry(rc *rec, withIndex bool) *expr.Object {
	o := expr.NewObject(10)
	if withIndex {
		ix := make([]any, len(rc.idx))
		for i, n := range rc.idx {
			ix[i] = int64(n)
		}
		o.Set("iterationIndexes", ix)
	}
	o.Set("status", rc.Status)
	if rc.Code != "" {
		o.Set("code", rc.Code)
	}
	o.Set("inputs", rc.Inputs)
	o.Set("outputs", rc.Outputs)
	o.Set("error", errValue(rc.Error))
	o.Set("startTime", fmtTime(rc.Start))
	o.Set("endTime", fmtTime(rc.End))
	if rc.Tracked != nil {
		o.Set("trackedProperties", rc.Tracked)
	}
	if len(rc.Attempts) > 0 {
		as := make([]any, len(rc.Attempts))
		for i, at := range rc.Attempts {
			ao := expr.NewObject(4)
			ao.Set("status", at.Status)
			ao.Set("startTime", fmtTime(at.Start))
			ao.Set("endTime", fmtTime(at.End))
			if at.Error != nil {
				ao.Set("error", errValue(at.Error))
			}
			as[i] = ao
		}
		o.Set("attempts", as)
	}
	return o
}

// actionEntry builds the record of one action: the record itself, or for
// actions inside loops a summary plus every repetition.
func actionEntry(a *workflow.Action, depth int, rs []*rec) *expr.Object {
	if depth == 0 {
		for _, rc := range rs {
			if len(rc.idx) == 0 {
				return recEntry(rc, false)
			}
		}
		o := expr.NewObject(6)
		o.Set("status", stSkipped)
		o.Set("inputs", nil)
		o.Set("outputs", nil)
		o.Set("error", nil)
		o.Set("startTime", nil)
		o.Set("endTime", nil)
		return o
	}
	var reps []*rec
	for _, rc := range rs {
		if len(rc.idx) == depth {
			reps = append(reps, rc)
		}
	}
	sortRecs(reps)
	var o *expr.Object
	if len(reps) == 0 {
		o = actionEntry(a, 0, nil)
	} else {
		o = recEntry(reps[len(reps)-1], false)
		o.Delete("attempts")
		status := reps[len(reps)-1].Status
		for _, rc := range reps {
			if rc.Status == stFailed || rc.Status == stTimedOut {
				status = rc.Status
			}
		}
		o.Set("status", status)
	}
	list := make([]any, len(reps))
	for i, rc := range reps {
		list[i] = recEntry(rc, true)
	}
	o.Set("repetitions", list)
	return o
}

// IsFinal reports whether a run status is final.
func IsFinal(status string) bool { return !strings.EqualFold(status, store.StatusRunning) }

// SplitTrigger applies the first trigger's splitOn to trigger outputs: it
// returns one trigger output per element of the selected array (the body
// replaced by the element), or the outputs unchanged without splitOn.
func SplitTrigger(def *workflow.Definition, outputs any) ([]any, error) {
	if len(def.Triggers) == 0 || def.Triggers[0].SplitOn == "" {
		return []any{outputs}, nil
	}
	t := def.Triggers[0]
	c, err := expr.Compile(t.SplitOn)
	if err != nil {
		return nil, fmt.Errorf("splitOn of trigger '%s': %w", t.Name, err)
	}
	v, err := c.Eval(triggerEnv{outputs: outputs, name: t.Name})
	if err != nil {
		return nil, fmt.Errorf("splitOn of trigger '%s': %w", t.Name, err)
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("splitOn of trigger '%s' gave %s, not an array", t.Name, typeName(v))
	}
	out := make([]any, len(arr))
	for i, it := range arr {
		o := expr.NewObject(2)
		if src, ok := outputs.(*expr.Object); ok {
			if h, ok := src.Get("headers"); ok {
				o.Set("headers", h)
			}
		}
		o.Set("body", it)
		out[i] = o
	}
	return out, nil
}

// TriggerConditions reports whether every condition of the first trigger
// holds for the trigger outputs.
func TriggerConditions(def *workflow.Definition, outputs any) (bool, error) {
	if len(def.Triggers) == 0 {
		return true, nil
	}
	t := def.Triggers[0]
	for _, c := range t.Conditions {
		tm, err := expr.Compile(c.Expression)
		if err != nil {
			return false, fmt.Errorf("condition of trigger '%s': %w", t.Name, err)
		}
		v, err := tm.Eval(triggerEnv{outputs: outputs, name: t.Name})
		if err != nil {
			return false, fmt.Errorf("condition of trigger '%s': %w", t.Name, err)
		}
		if b, _ := v.(bool); !b {
			return false, nil
		}
	}
	return true, nil
}

type triggerEnv struct {
	expr.BaseEnv
	outputs any
	name    string
}

func (t triggerEnv) Trigger() (*expr.ActionResult, error) {
	return &expr.ActionResult{Name: t.name, Outputs: t.outputs, Status: stSucceeded, Code: "OK"}, nil
}
