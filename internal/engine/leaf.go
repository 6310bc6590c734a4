// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine/actions"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/workflow"
)

// runDataUpdate saves the run data of a running run.
func runDataUpdate(id string, data []byte) store.RunUpdate {
	return store.RunUpdate{ID: id, Status: store.StatusRunning, Data: data}
}

func workItem(runID, kind, ref string, due time.Time, payload []byte) store.WorkItem {
	return store.WorkItem{RunID: runID, Kind: kind, Ref: ref, Due: due, Payload: payload}
}

func childWork(parent, ref string, now time.Time, p childPayload) store.WorkItem {
	return workItem(parent, workChild, ref, now, rawOf(p))
}

func isWebhook(a *workflow.Action) bool {
	return a.Canonical == workflow.ActionHTTPWebhook || a.Canonical == workflow.ActionAPIConnectionWebhook
}

// leafFunc finds the implementation of a leaf action.
func (r *run) leafFunc(rc *rec) (actions.Func, *actions.ActionError) {
	typ := string(rc.a.Canonical)
	if typ == "" {
		typ = rc.a.Type
	}
	if rc.a.Canonical == workflow.ActionHTTPWebhook {
		return r.e.httpSubscribe, nil
	}
	if f, ok := actions.Lookup(typ); ok {
		return f, nil
	}
	return nil, &actions.ActionError{Code: "ActionTypeNotAvailable", Message: fmt.Sprintf("action type %s is not available", rc.a.Type)}
}

func (r *run) launchLeaf(rc *rec) {
	f, aerr := r.leafFunc(rc)
	if aerr != nil {
		r.fail(rc, aerr)
		return
	}
	raw, key := leafRaw(rc.a)
	var v any
	if raw != nil {
		var err error
		if v, err = r.evalValue(key, raw, rc); err != nil {
			r.fail(rc, templateError(rc.a, "inputs", err))
			return
		}
	}
	rc.Inputs = v
	r.queueAttempt(rc, f)
}

type subscribeKey struct{ a *workflow.Action }

// leafRaw returns what a leaf evaluates: the inputs, or for HttpWebhook
// only inputs.subscribe (unsubscribe is evaluated after the callback).
func leafRaw(a *workflow.Action) (any, any) {
	if !a.HasInputs {
		return nil, a
	}
	if a.Canonical == workflow.ActionHTTPWebhook {
		if o, ok := a.Inputs.(*expr.Object); ok {
			return getCI(o, "subscribe"), subscribeKey{a}
		}
	}
	return a.Inputs, a
}

// relaunch runs again a leaf that was in flight when the process stopped.
func (r *run) relaunch(rc *rec) {
	if n := len(rc.Attempts); n > 0 && rc.Attempts[n-1].Status == stRunning {
		rc.Attempts[n-1].Status = stFailed
		rc.Attempts[n-1].Error = &actions.ActionError{Code: "AttemptInterrupted", Message: "the engine stopped while this attempt was in flight; the action runs again"}
	}
	f, aerr := r.leafFunc(rc)
	if aerr != nil {
		r.fail(rc, aerr)
		return
	}
	r.queueAttempt(rc, f)
}

func (r *run) queueAttempt(rc *rec, f actions.Func) {
	now := r.e.now()
	rc.Attempts = append(rc.Attempts, attempt{Start: now, Status: stRunning})
	r.save(rc)
	raw, key := leafRaw(rc.a)
	var compiled *expr.Compiled
	if raw != nil {
		compiled, _ = r.p.compile(key, raw)
	}
	opts := map[string]bool{}
	for _, o := range rc.a.OperationOptions {
		opts[strings.ToLower(o)] = true
	}
	call := &actions.Call{
		Name: rc.a.Name, Type: string(rc.a.Canonical), Raw: raw, Env: r.env(rc.a, rc.idx, rc),
		OperationOptions: opts, HTTPClient: r.e.opts.HTTPClient,
		Logger:      r.e.log.With("run_id", r.id, "action", rc.a.Name),
		Connections: r.e.opts.Connections, RunID: r.id, WorkflowName: r.row.Workflow,
		Attempt: len(rc.Attempts), Action: rc.a.Raw, Compiled: compiled,
	}
	if call.Type == "" {
		call.Type = rc.a.Type
	}
	var timeout time.Duration
	if l := rc.a.Limit; l != nil && l.Timeout != "" && !isWebhook(rc.a) {
		if d, err := parseISODuration(l.Timeout); err == nil && d > 0 {
			timeout = max(rc.Start.Add(d).Sub(now), time.Millisecond)
		}
	}
	r.launch = append(r.launch, &leafCall{rc: rc, f: f, call: call, attempt: len(rc.Attempts), timeout: timeout})
}

func asActionError(err error) *actions.ActionError {
	var ae *actions.ActionError
	if errors.As(err, &ae) {
		return ae
	}
	var ce *connector.Error
	code := "ActionFailed"
	if errors.As(err, &ce) {
		code = strings.ToUpper(ce.Kind.String()[:1]) + ce.Kind.String()[1:]
	}
	return &actions.ActionError{Code: code, Message: err.Error()}
}

// leafDone records the outcome of one attempt.
func (r *run) leafDone(d *leafDone) {
	r.inflight--
	rc := r.recs[d.key]
	if rc == nil || rc.Status != stRunning || rc.WaitKind != "" || len(rc.Attempts) != d.attempt || r.data.Terminated != nil {
		return
	}
	att := &rc.Attempts[d.attempt-1]
	att.End = d.end
	if d.res.Inputs != nil {
		rc.Inputs = d.res.Inputs
	}
	if d.err == nil && !d.res.Failed && isWebhook(rc.a) {
		// Subscribed: wait durably for the callback.
		att.Status = stSucceeded
		rc.Sub = d.res.Outputs
		rc.WaitKind = workCallback
		r.batch.Callbacks = append(r.batch.Callbacks, store.Callback{Token: rc.Token, RunID: r.id, Ref: rc.key})
		if l := rc.a.Limit; l != nil && l.Timeout != "" {
			if dur, err := parseISODuration(l.Timeout); err == nil && dur > 0 {
				r.batch.Work = append(r.batch.Work, workItem(r.id, workTimeout, rc.key, rc.Start.Add(dur), nil))
			}
		}
		r.save(rc)
		return
	}
	if d.err != nil {
		aerr := asActionError(d.err)
		att.Error = aerr
		if d.timeout || errors.Is(d.err, context.DeadlineExceeded) && rc.a.Limit != nil && rc.a.Limit.Timeout != "" {
			att.Status = stTimedOut
			r.complete(rc, stTimedOut, nil, &actions.ActionError{Code: "ActionTimedOut", Message: fmt.Sprintf("The execution of the action '%s' timed out after %s.", rc.a.Name, rc.a.Limit.Timeout)})
			return
		}
		att.Status = stFailed
		ra, hasRA := connector.RetryAfterOf(d.err)
		if isRetryable(d.err) && r.scheduleRetry(rc, ra, hasRA) {
			return
		}
		r.complete(rc, stFailed, nil, aerr)
		return
	}
	if d.res.Failed {
		att.Status = stFailed
		aerr := d.res.Error
		if aerr == nil {
			aerr = &actions.ActionError{Code: "ActionFailed", Message: fmt.Sprintf("The action '%s' failed.", rc.a.Name)}
		}
		att.Error = aerr
		if d.res.Retryable && r.scheduleRetry(rc, d.res.RetryAfter, d.res.RetryAfter > 0) {
			rc.Outputs = d.res.Outputs
			return
		}
		r.complete(rc, stFailed, d.res.Outputs, aerr)
		return
	}
	att.Status = stSucceeded
	r.complete(rc, stSucceeded, d.res.Outputs, nil)
}

// scheduleRetry persists a retry timer when the policy allows another
// attempt.
func (r *run) scheduleRetry(rc *rec, retryAfter time.Duration, hasRA bool) bool {
	p := r.retryPolicy(rc)
	retries := len(rc.Attempts) // retries so far + 1
	if p.kind == "none" || retries > p.count {
		return false
	}
	delay := p.delay(retries, func(n int64) int64 { return rand.Int64N(n + 1) })
	if hasRA {
		delay = retryAfter
	}
	due := r.e.now().Add(delay)
	if l := rc.a.Limit; l != nil && l.Timeout != "" {
		if d, err := parseISODuration(l.Timeout); err == nil && d > 0 && due.After(rc.Start.Add(d)) {
			return false
		}
	}
	rc.WaitKind = workRetry
	r.batch.Work = append(r.batch.Work, workItem(r.id, workRetry, rc.key, due, nil))
	r.save(rc)
	return true
}

// handle applies one event to the run.
func (r *run) handle(ev event) {
	if ev.leaf != nil {
		r.leafDone(ev.leaf)
		return
	}
	w := ev.work
	r.batch.DoneWork = append(r.batch.DoneWork, w.ID)
	if w.Kind == workCancel {
		r.terminate(stCancelled, nil)
		return
	}
	rc := r.recs[w.Ref]
	if rc == nil || rc.Status != stRunning || r.data.Terminated != nil {
		return
	}
	switch w.Kind {
	case workTimer:
		if rc.WaitKind == workTimer {
			r.complete(rc, stSucceeded, nil, nil)
		}
	case workRetry:
		if rc.WaitKind == workRetry {
			rc.WaitKind = ""
			if f, aerr := r.leafFunc(rc); aerr != nil {
				r.fail(rc, aerr)
			} else {
				r.queueAttempt(rc, f)
			}
		}
	case workCallback:
		if rc.WaitKind == workCallback {
			r.unsubscribe(rc) // action() is still the subscription here
			r.complete(rc, stSucceeded, decodeRaw(w.Payload), nil)
		}
	case workTimeout:
		if rc.WaitKind == workCallback || rc.WaitKind == workChild {
			if rc.WaitKind == workCallback {
				r.batch.DoneCallbacks = append(r.batch.DoneCallbacks, rc.Token)
				r.unsubscribe(rc)
			}
			r.complete(rc, stTimedOut, nil, &actions.ActionError{Code: "ActionTimedOut", Message: fmt.Sprintf("The execution of the action '%s' timed out.", rc.a.Name)})
		}
	case workChild:
		if rc.WaitKind == workChild {
			var p childPayload
			_ = json.Unmarshal(w.Payload, &p)
			r.childDone(rc, p)
		}
	}
}

func (r *run) childDone(rc *rec, p childPayload) {
	if p.Response != nil {
		out := expr.NewObject(3)
		out.Set("statusCode", p.Response.StatusCode)
		if h := decodeAny(p.Response.Headers); h != nil {
			out.Set("headers", h)
		}
		out.Set("body", decodeAny(p.Response.Body))
		if p.Response.StatusCode >= 400 {
			r.complete(rc, stFailed, out, &actions.ActionError{Code: "ActionFailed", Message: fmt.Sprintf("The called workflow answered with status code %d.", p.Response.StatusCode)})
			return
		}
		r.complete(rc, stSucceeded, out, nil)
		return
	}
	if p.Status == stSucceeded {
		r.complete(rc, stSucceeded, nil, nil)
		return
	}
	aerr := p.Error
	if aerr == nil {
		aerr = &actions.ActionError{Code: "ActionFailed", Message: "The called workflow failed."}
	}
	r.complete(rc, stFailed, nil, aerr)
}

// decodeAny turns a value decoded by encoding/json into the value model.
func decodeAny(v any) any {
	if v == nil {
		return nil
	}
	return decodeRaw(rawOf(v))
}

func (r *run) startWorkflow(rc *rec) {
	v, err := r.evalInputs(rc)
	if err != nil {
		r.fail(rc, templateError(rc.a, "inputs", err))
		return
	}
	rc.Inputs = v
	o, _ := v.(*expr.Object)
	var id, trig string
	var body, headers any
	if o != nil {
		if h, ok := getCI(o, "host").(*expr.Object); ok {
			if w, ok := getCI(h, "workflow").(*expr.Object); ok {
				id, _ = getCI(w, "id").(string)
			}
			trig, _ = getCI(h, "triggerName").(string)
		}
		body, headers = getCI(o, "body"), getCI(o, "headers")
	}
	if r.e.opts.ResolveWorkflow == nil || id == "" {
		r.fail(rc, &actions.ActionError{Code: "WorkflowNotFound", Message: fmt.Sprintf("the workflow '%s' called by action '%s' cannot be found", id, rc.a.Name)})
		return
	}
	name, def, err := r.e.opts.ResolveWorkflow(r.lctx, id)
	if err != nil {
		r.fail(rc, &actions.ActionError{Code: "WorkflowNotFound", Message: err.Error()})
		return
	}
	version, err := r.e.Register(r.lctx, name, def)
	if err != nil {
		r.fail(rc, &actions.ActionError{Code: "InvalidWorkflow", Message: err.Error()})
		return
	}
	childID := newRunID()
	outs := expr.NewObject(2)
	if headers != nil {
		outs.Set("headers", headers)
	}
	outs.Set("body", body)
	now := r.e.now()
	trigData, _ := json.Marshal(triggerData{Name: trig, Outputs: outs, Time: now})
	data, _ := json.Marshal(runData{ParentRun: r.id, ParentRef: rc.key})
	r.batch.NewRuns = append(r.batch.NewRuns, store.Run{ID: childID, Workflow: name, Version: version, Status: store.StatusRunning, Created: now, Trigger: trigData, Data: data})
	rc.WaitKind = workChild
	sub := expr.NewObject(1)
	sub.Set("runId", childID)
	rc.Sub = sub
	if l := rc.a.Limit; l != nil && l.Timeout != "" {
		if d, err := parseISODuration(l.Timeout); err == nil && d > 0 {
			r.batch.Work = append(r.batch.Work, workItem(r.id, workTimeout, rc.key, rc.Start.Add(d), nil))
		}
	}
	r.save(rc)
	r.postCommit = append(r.postCommit, func() { r.e.activate(childID, nil) })
}

// httpSubscribe is the subscribe step of HttpWebhook: it calls
// inputs.subscribe (whose body usually holds listCallbackUrl()).
func (e *Engine) httpSubscribe(ctx context.Context, c *actions.Call) (actions.Result, error) {
	in, err := c.EvalInputs()
	if err != nil {
		return actions.Result{}, &actions.ActionError{Code: "InvalidTemplate", Message: err.Error()}
	}
	sub, _ := in.(*expr.Object)
	if sub == nil {
		return actions.Result{}, &actions.ActionError{Code: "InvalidWebhookInputs", Message: "HttpWebhook needs inputs.subscribe"}
	}
	out, err := actions.SendHTTP(ctx, c, sub)
	return actions.Result{Inputs: in, Outputs: out}, err
}

// unsubscribe removes the subscription of a webhook action in the
// background: HttpWebhook sends inputs.unsubscribe; ApiConnectionWebhook
// removes the subscription its subscribe outputs (rc.Sub) describe.
func (r *run) unsubscribe(rc *rec) {
	if rc.a.Canonical == workflow.ActionAPIConnectionWebhook {
		call := &actions.Call{
			Name: rc.a.Name, Type: string(rc.a.Canonical), Raw: rc.a.Inputs, Env: r.env(rc.a, rc.idx, rc), HTTPClient: r.e.opts.HTTPClient,
			Logger: r.e.log.With("run_id", r.id, "action", rc.a.Name), Connections: r.e.opts.Connections, RunID: r.id, WorkflowName: r.row.Workflow, Action: rc.a.Raw,
		}
		sub := rc.Sub
		go func() {
			ctx, cancel := context.WithTimeout(r.e.ctx, time.Minute)
			defer cancel()
			if err := actions.UnsubscribeAPIConnectionWebhook(ctx, call, sub); err != nil {
				r.e.log.Warn("unsubscribe failed", "run_id", r.id, "action", rc.a.Name, "error", err)
			}
		}()
		return
	}
	if rc.a.Canonical != workflow.ActionHTTPWebhook {
		return
	}
	o, _ := rc.a.Inputs.(*expr.Object)
	if o == nil {
		return
	}
	raw := getCI(o, "unsubscribe")
	if raw == nil {
		return
	}
	v, err := r.evalValue(&rc.a.Inputs, raw, rc)
	if err != nil {
		r.e.log.Warn("evaluating unsubscribe", "run_id", r.id, "action", rc.a.Name, "error", err)
		return
	}
	uo, _ := v.(*expr.Object)
	if uo == nil {
		return
	}
	call := &actions.Call{
		Name: rc.a.Name, Type: string(rc.a.Canonical), Env: r.env(rc.a, rc.idx, rc), HTTPClient: r.e.opts.HTTPClient,
		Logger: r.e.log.With("run_id", r.id, "action", rc.a.Name), RunID: r.id, WorkflowName: r.row.Workflow, Action: rc.a.Raw,
	}
	go func() {
		ctx, cancel := context.WithTimeout(r.e.ctx, time.Minute)
		defer cancel()
		if _, err := actions.SendHTTP(ctx, call, uo); err != nil {
			r.e.log.Warn("unsubscribe failed", "run_id", r.id, "action", rc.a.Name, "error", err)
		}
	}()
}
