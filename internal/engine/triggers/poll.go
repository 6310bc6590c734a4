// SPDX-License-Identifier: Apache-2.0

package triggers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/engine/actions"
	"github.com/junction-run/junction/internal/store"
)

// outcome is what one poll, callback or manual fire produced.
type outcome struct {
	// candidates are trigger outputs ({headers, body, ...}); each is
	// checked against the conditions, then split by splitOn into runs.
	candidates []any
	// noConditions skips the conditions (manual runs).
	noConditions bool
	code         string // trigger code for conditions and history ("OK")
	outputs      any    // outputs shown in the history entry
	scheduled    time.Time
	err          *actions.ActionError // the poll failed
	cleanup      bool                 // the poller is a Cleaner: keep items for Cleanup
}

// poll handles a due polling trigger (under e.mu) and returns when it is
// next due and the runs it started. manual polls (or fires a Recurrence)
// now, whatever the schedule.
func (d *Dispatcher) poll(ctx context.Context, e *entry, now time.Time, manual bool) (time.Time, []string, error) {
	fireAt, _, tick := e.plan.Due(e.state.LastFire, now)
	retryDue := !e.state.RetryAt.IsZero() && !now.Before(e.state.RetryAt)
	if !tick && !retryDue && !manual {
		return d.nextDue(e, now), nil, nil
	}
	ns := e.state
	ns.RetryAt = time.Time{}
	scheduled := now
	if tick {
		ns.LastFire = fireAt
		scheduled = fireAt
	}
	var oc outcome
	switch e.kind {
	case kindRecurrence:
		outs := expr.NewObject(1)
		outs.Set("headers", expr.NewObject(0))
		oc = outcome{candidates: []any{outs}, code: "OK"}
	case kindHTTP:
		oc = d.pollHTTP(ctx, e, &ns, now)
	case kindAPIConnection:
		oc = d.pollConnector(ctx, e, &ns, now)
	}
	oc.scheduled = scheduled
	ids, err := d.commit(ctx, e, &ns, oc, now)
	if err != nil {
		e.fails++
		delay := min(d.o.RetryDelay<<min(e.fails-1, 7), 10*time.Minute)
		d.log.Error("storing a trigger poll failed; the poll will be repeated", "workflow", e.wf.Name, "trigger", e.t.Name, "error", err, "retry_in", delay)
		return now.Add(delay), nil, err
	}
	e.fails = 0
	e.state = ns
	if len(ns.Cleanup) > 0 {
		d.cleanup(ctx, e)
	}
	return d.nextDue(e, now), ids, nil
}

// commit evaluates conditions and splitOn on the outcome and stores, in
// ONE batch, the runs it starts, the trigger's new state *ns (nil: the
// state is not written; the caller does not hold e.mu) and a history
// entry. On error nothing was stored.
func (d *Dispatcher) commit(ctx context.Context, e *entry, ns *state, oc outcome, now time.Time) ([]string, error) {
	var runs []engine.StartOptions
	skipped := false
	var items []any
	for _, c := range oc.candidates {
		if !oc.noConditions {
			ok, err := d.conditions(e, c, oc.code)
			if err != nil {
				oc.err = &actions.ActionError{Code: "InvalidTemplate", Message: err.Error()}
				runs = nil
				break
			}
			if !ok {
				skipped = true
				continue
			}
		}
		split, err := d.split(e, c)
		if err != nil {
			oc.err = &actions.ActionError{Code: "InvalidTemplate", Message: err.Error()}
			runs = nil
			break
		}
		for _, it := range split {
			runs = append(runs, engine.StartOptions{Trigger: it, TriggerName: e.t.Name, Parameters: e.wf.Parameters})
		}
		if oc.cleanup {
			if b, ok := c.(*expr.Object); ok {
				if body, ok := b.Get("body"); ok {
					items = append(items, body)
				}
			}
		}
	}
	b := &store.Batch{}
	ids := make([]string, len(runs))
	for i := range ids {
		ids[i] = engine.NewRunID()
	}
	var h *store.TriggerHistory
	switch {
	case oc.err != nil:
		h = &store.TriggerHistory{Status: "Failed"}
	case len(runs) > 0:
		h = &store.TriggerHistory{Status: "Succeeded", Fired: true}
	case skipped:
		h = &store.TriggerHistory{Status: "Skipped"}
	}
	if h != nil {
		h.ID, h.Workflow, h.Trigger, h.Time = newHistoryID(), e.wf.Name, e.t.Name, now
		code := oc.code
		if oc.err != nil {
			code = oc.err.Code
		}
		outs := oc.outputs
		if e.t.SecureOutputs() {
			outs = engine.SecureMarker // the runs hold them (sealed), not the history
		}
		data, err := json.Marshal(historyData{ScheduledTime: oc.scheduled, Code: code, Outputs: outs, Error: oc.err, Runs: ids})
		if err != nil {
			return nil, fmt.Errorf("encode trigger history: %w", err)
		}
		h.Data = data
		b.TriggerHistory = append(b.TriggerHistory, *h)
	}
	if ns != nil && len(runs) > 0 && oc.cleanup && oc.err == nil {
		for _, it := range items {
			raw, err := json.Marshal(it)
			if err != nil {
				return nil, fmt.Errorf("encode trigger item: %w", err)
			}
			ns.Cleanup = append(ns.Cleanup, raw)
		}
	}
	if ns != nil && (h != nil || changed(e.state, *ns)) {
		row, err := d.stateRow(e, *ns, d.nextDueOf(e, *ns, now))
		if err != nil {
			return nil, err
		}
		b.TriggerStates = append(b.TriggerStates, row)
	}
	if b.Empty() && len(runs) == 0 {
		return nil, nil
	}
	if oc.err != nil {
		d.log.Warn("trigger failed", "workflow", e.wf.Name, "trigger", e.t.Name, "code", oc.err.Code, "error", oc.err.Message)
	}
	return d.eng.StartRuns(ctx, e.wf.Name, e.wf.Version, runs, ids, b)
}

// changed reports whether the state differs in more than its schedule
// position (an empty poll need not be written: after a restart the
// trigger polls once more, which finds nothing new either).
func changed(a, b state) bool {
	b.LastFire = a.LastFire
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return !bytes.Equal(x, y)
}

// nextDueOf is nextDue for state s of e.
func (d *Dispatcher) nextDueOf(e *entry, s state, now time.Time) time.Time {
	saved := e.state
	e.state = s
	defer func() { e.state = saved }()
	return d.nextDue(e, now)
}

// conditions reports whether every condition of the trigger holds for
// outputs. A trigger without conditions fires.
func (d *Dispatcher) conditions(e *entry, outputs any, code string) (bool, error) {
	if len(e.conds) == 0 {
		return true, nil
	}
	env := d.env(e, d.now(), "")
	env.current = &expr.ActionResult{Name: e.t.Name, Outputs: outputs, Status: "Succeeded", Code: code}
	for i, c := range e.conds {
		v, err := c.Eval(env)
		if err != nil {
			return false, fmt.Errorf("condition %d of trigger '%s': %w", i, e.t.Name, err)
		}
		if b, _ := v.(bool); !b {
			return false, nil
		}
	}
	return true, nil
}

// conditionsReadCode reports whether a condition mentions the status code,
// which replaces the default "fire on success only" rule.
func (e *entry) conditionsReadCode() bool {
	for _, c := range e.t.Conditions {
		l := strings.ToLower(c.Expression)
		if strings.Contains(l, ".code") || strings.Contains(l, "['code']") || strings.Contains(l, "statuscode") {
			return true
		}
	}
	return false
}

// split applies the trigger's splitOn to outputs.
func (d *Dispatcher) split(e *entry, outputs any) ([]any, error) {
	def := e.wf.Definition
	if e.t.SplitOn == "" || len(def.Triggers) == 0 || def.Triggers[0] != e.t {
		return []any{outputs}, nil
	}
	return engine.SplitTrigger(def, outputs)
}

func codeOf(status int) string {
	return strings.ReplaceAll(http.StatusText(status), " ", "")
}

func header(o *expr.Object, name string) string {
	h, _ := getCI(o, "headers").(*expr.Object)
	if h == nil {
		return ""
	}
	return expr.Stringify(getCI(h, name))
}

// pollHTTP runs one poll of an Http trigger: the inputs are evaluated and
// sent as the Http action does (to the Location of the previous answer
// when there is one); 200 (and other 2xx but 202 and 204) fires, 202 and
// 204 mean nothing new; Retry-After and Location steer the next poll.
func (d *Dispatcher) pollHTTP(ctx context.Context, e *entry, ns *state, now time.Time) outcome {
	env := d.env(e, now, "")
	if e.inp == nil {
		return failure("InvalidTriggerInputs", fmt.Sprintf("The trigger '%s' has no inputs.", e.t.Name))
	}
	v, err := e.inp.Eval(env)
	if err != nil {
		return failure("InvalidTemplate", fmt.Sprintf("Unable to evaluate the inputs of trigger '%s': %v.", e.t.Name, err))
	}
	in, ok := v.(*expr.Object)
	if !ok {
		return failure("InvalidTriggerInputs", fmt.Sprintf("The inputs of trigger '%s' must be an object.", e.t.Name))
	}
	target := expr.Stringify(getCI(in, "uri"))
	if ns.Location != "" {
		cp := expr.NewObject(in.Len())
		for _, k := range in.Keys() {
			if strings.EqualFold(k, "queries") || strings.EqualFold(k, "uri") {
				continue
			}
			x, _ := in.Get(k)
			cp.Set(k, x)
		}
		cp.Set("uri", ns.Location)
		in, target = cp, ns.Location
	}
	call := &actions.Call{Name: e.t.Name, Type: "Http", Env: env, HTTPClient: d.o.HTTPClient, Logger: d.log,
		WorkflowName: e.wf.Name, Attempt: 1}
	pctx, cancel := context.WithTimeout(ctx, d.o.PollTimeout)
	out, err := actions.SendHTTP(pctx, call, in)
	cancel()
	o, _ := out.(*expr.Object)
	if o == nil {
		oc := failureOf(err)
		if ra, ok := connector.RetryAfterOf(err); ok {
			ns.RetryAt = now.Add(ra)
		}
		return oc
	}
	status := 0
	if s, ok := getCI(o, "statusCode").(int64); ok {
		status = int(s)
	}
	if ra, ok := connector.ParseRetryAfter(header(o, "Retry-After"), now); ok && ra > 0 {
		ns.RetryAt = now.Add(ra)
	}
	loc := ""
	if l := header(o, "Location"); l != "" {
		if base, perr := url.Parse(target); perr == nil {
			if u, perr := base.Parse(l); perr == nil {
				loc = u.String()
			}
		}
	}
	if err != nil { // 4xx/5xx
		if e.conditionsReadCode() {
			return outcome{candidates: []any{o}, code: codeOf(status), outputs: o}
		}
		oc := failureOf(err)
		oc.outputs = o
		return oc
	}
	switch status {
	case http.StatusAccepted, http.StatusNoContent:
		if loc != "" {
			ns.Location = loc
		}
		if e.conditionsReadCode() {
			return outcome{candidates: []any{o}, code: codeOf(status), outputs: o}
		}
		return outcome{}
	}
	ns.Location = loc
	return outcome{candidates: []any{o}, code: codeOf(status), outputs: o}
}

func failure(code, msg string) outcome {
	return outcome{err: &actions.ActionError{Code: code, Message: msg}}
}

func failureOf(err error) outcome {
	var ae *actions.ActionError
	if errors.As(err, &ae) {
		return outcome{err: ae}
	}
	code := "TriggerFailed"
	if k := connector.KindOf(err); k != connector.KindUnknown {
		code = kindCode(k)
	}
	return failure(code, err.Error())
}

func kindCode(k connector.ErrorKind) string {
	switch k {
	case connector.KindThrottled:
		return "TooManyRequests"
	case connector.KindUnauthenticated:
		return "Unauthorized"
	case connector.KindNotFound:
		return "NotFound"
	case connector.KindBadRequest:
		return "BadRequest"
	case connector.KindRetryable:
		return "ServiceUnavailable"
	}
	return "TriggerFailed"
}

// pollConnector runs one poll of an ApiConnection trigger through the
// connector's Poller, with the stored cursor.
func (d *Dispatcher) pollConnector(ctx context.Context, e *entry, ns *state, now time.Time) outcome {
	env := d.env(e, now, "")
	pctx, cancel := context.WithTimeout(ctx, d.o.PollTimeout)
	defer cancel()
	oc, err := d.operation(pctx, e, env)
	if err != nil {
		return failureOf(err)
	}
	poller, ok := oc.prov.(connector.Poller)
	if !ok {
		return failure("TriggerNotSupported", fmt.Sprintf("The connector of connection '%s' cannot poll (operation '%s').", oc.ref, oc.op.ID))
	}
	res, err := poller.Poll(pctx, oc.conn, oc.op.ID, oc.input, ns.Cursor)
	if err != nil {
		if ra, ok := connector.RetryAfterOf(err); ok {
			ns.RetryAt = now.Add(ra)
		}
		return failureOf(fmt.Errorf("polling operation '%s' of connection '%s': %w", oc.op.ID, oc.ref, err))
	}
	if res.State != nil {
		ns.Cursor = append(json.RawMessage(nil), res.State...)
	}
	if res.RetryAfter > 0 {
		ns.RetryAt = now.Add(res.RetryAfter)
	}
	if len(res.Items) == 0 {
		return outcome{}
	}
	_, cleaner := oc.prov.(connector.Cleaner)
	items := make([]any, len(res.Items))
	for i, it := range res.Items {
		items[i] = expr.FromGo(it)
	}
	out := outcome{code: "OK", cleanup: cleaner}
	if e.t.SplitOn != "" {
		// {"value": [items]} for @triggerBody()?['value'] (SQL, Office
		// 365 style); the array itself when splitOn splits the body
		// (@triggerBody(), as the file and mail triggers are written).
		var body any = items
		if !splitsBody(e.t.SplitOn) {
			o := expr.NewObject(1)
			o.Set("value", items)
			body = o
		}
		o := triggerOutputs(body)
		out.candidates, out.outputs = []any{o}, o
		if cleaner {
			// Cleanup needs the items themselves, not the batch.
			out.cleanup = false
			for _, it := range res.Items {
				raw, err := json.Marshal(it)
				if err == nil {
					ns.Cleanup = append(ns.Cleanup, raw)
				}
			}
		}
		return out
	}
	for _, it := range items {
		out.candidates = append(out.candidates, triggerOutputs(it))
	}
	body := expr.NewObject(1)
	body.Set("value", items)
	out.outputs = triggerOutputs(body)
	return out
}

// splitsBody reports whether splitOn splits the trigger body itself.
func splitsBody(splitOn string) bool {
	s := strings.ToLower(strings.Join(strings.Fields(splitOn), ""))
	switch s {
	case "@triggerbody()", "@triggeroutputs()['body']", "@triggeroutputs()?['body']", "@triggeroutputs().body", "@triggeroutputs()?.body":
		return true
	}
	return false
}

func triggerOutputs(body any) *expr.Object {
	o := expr.NewObject(3)
	o.Set("statusCode", int64(200))
	o.Set("headers", expr.NewObject(0))
	o.Set("body", body)
	return o
}

// cleanup hands the items of the last fire to the connector's Cleaner
// (under e.mu, after the runs are stored) and forgets them once it
// succeeded; a failure is retried after the next poll.
func (d *Dispatcher) cleanup(ctx context.Context, e *entry) {
	pctx, cancel := context.WithTimeout(ctx, d.o.PollTimeout)
	defer cancel()
	oc, err := d.operation(pctx, e, d.env(e, d.now(), ""))
	if err != nil {
		d.log.Warn("trigger cleanup: resolving the connection failed", "workflow", e.wf.Name, "trigger", e.t.Name, "error", err)
		return
	}
	cl, ok := oc.prov.(connector.Cleaner)
	if !ok {
		return
	}
	items := make([]any, 0, len(e.state.Cleanup))
	for _, raw := range e.state.Cleanup {
		var v any
		if err := json.Unmarshal(raw, &v); err == nil {
			items = append(items, v)
		}
	}
	if err := cl.Cleanup(pctx, oc.conn, oc.op.ID, oc.input, items); err != nil {
		d.log.Warn("trigger cleanup failed; it is retried after the next poll", "workflow", e.wf.Name, "trigger", e.t.Name, "error", err)
		return
	}
	ns := e.state
	ns.Cleanup = nil
	row, err := d.stateRow(e, ns, d.nextDueOf(e, ns, d.now()))
	if err != nil {
		return
	}
	if err := d.st.Commit(ctx, &store.Batch{TriggerStates: []store.TriggerState{row}}); err != nil {
		d.log.Warn("trigger cleanup: storing the state failed", "workflow", e.wf.Name, "trigger", e.t.Name, "error", err)
		return
	}
	e.state = ns
}
