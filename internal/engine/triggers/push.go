// SPDX-License-Identifier: Apache-2.0

package triggers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/engine/actions"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/workflow"
)

// subscribe registers e's callback URL at the service.
func (d *Dispatcher) subscribe(ctx context.Context, e *entry) (*subscription, error) {
	ctx, cancel := context.WithTimeout(ctx, d.o.PollTimeout)
	defer cancel()
	cb := d.o.CallbackURL(e.wf.Name, e.t.Name)
	now := d.now()
	ev := d.env(e, now, cb)
	switch e.kind {
	case kindHTTPWebhook:
		raw, _ := e.t.Inputs.(*expr.Object)
		sub := getCI(raw, "subscribe")
		if sub == nil {
			return nil, fmt.Errorf("the trigger has no inputs.subscribe")
		}
		call := &actions.Call{Name: e.t.Name, Type: "HttpWebhook", Env: ev, HTTPClient: d.o.HTTPClient, Logger: d.log, WorkflowName: e.wf.Name, Attempt: 1}
		out, err := actions.Subscribe(ctx, call, sub, cb)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(out)
		if err != nil {
			return nil, fmt.Errorf("encode subscribe outputs: %w", err)
		}
		return &subscription{CallbackURL: cb, Subscribed: now, Outputs: b}, nil
	case kindAPIConnectionWebhook:
		oc, err := d.operation(ctx, e, ev)
		if err != nil {
			return nil, err
		}
		cs, _, err := actions.SubscribeOperation(ctx, oc.prov, oc.conn, oc.op, oc.input, cb)
		if err != nil {
			return nil, err
		}
		return &subscription{CallbackURL: cb, Subscribed: now, Connection: oc.ref, Operation: oc.op.ID,
			Location: cs.Location, ExpiresAt: cs.ExpiresAt, Data: cs.Data}, nil
	}
	return nil, nil
}

// unsubscribe removes subscription s of e at the service.
func (d *Dispatcher) unsubscribe(ctx context.Context, e *entry, s *subscription) error {
	if s == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, d.o.PollTimeout)
	defer cancel()
	switch e.kind {
	case kindHTTPWebhook:
		raw, _ := e.t.Inputs.(*expr.Object)
		un := getCI(raw, "unsubscribe")
		if un == nil {
			return nil // nothing to call
		}
		ev := d.env(e, d.now(), s.CallbackURL)
		var outs any
		if len(s.Outputs) > 0 {
			if v, err := expr.Decode(s.Outputs); err == nil {
				outs = v
			}
		}
		ev.current = &expr.ActionResult{Name: e.t.Name, Outputs: outs, Status: "Succeeded", Code: "OK"}
		call := &actions.Call{Name: e.t.Name, Type: "HttpWebhook", Env: ev, HTTPClient: d.o.HTTPClient, Logger: d.log, WorkflowName: e.wf.Name, Attempt: 1}
		_, err := actions.Unsubscribe(ctx, call, un)
		return err
	case kindAPIConnectionWebhook:
		sub := connector.Subscription{Location: s.Location, ExpiresAt: s.ExpiresAt, Data: s.Data}
		oc, err := d.operation(ctx, e, d.env(e, d.now(), s.CallbackURL))
		if err != nil {
			if s.Location == "" {
				return err
			}
			// The definition or connection changed: the Location still
			// removes the subscription.
			return actions.UnsubscribeOperation(ctx, nil, connector.Connection{}, sub, d.o.HTTPClient)
		}
		return actions.UnsubscribeOperation(ctx, oc.prov, oc.conn, sub, d.o.HTTPClient)
	}
	return nil
}

// unsubscribeStale removes a subscription recorded in a stored state,
// using the definition version it was made with.
func (d *Dispatcher) unsubscribeStale(ctx context.Context, s staleSubscription) error {
	body, err := d.st.Definition(ctx, s.row.Workflow, s.row.Version)
	if err != nil {
		return err
	}
	def, err := workflow.Decode(body)
	if err != nil {
		return fmt.Errorf("decode definition %s@%s: %w", s.row.Workflow, s.row.Version, err)
	}
	t := def.Trigger(s.row.Trigger)
	if t == nil {
		return fmt.Errorf("definition %s@%s has no trigger '%s'", s.row.Workflow, s.row.Version, s.row.Trigger)
	}
	k, _ := kindOf(t)
	e := &entry{wf: &Workflow{Name: s.row.Workflow, Version: s.row.Version, Definition: def}, t: t, kind: k, idx: -1}
	return d.unsubscribe(ctx, e, s.s.Subscription)
}

// renew re-subscribes an ApiConnectionWebhook trigger whose subscription
// expires soon, stores the new subscription, then removes the old one.
func (d *Dispatcher) renew(ctx context.Context, e *entry, now time.Time) time.Time {
	old := e.state.Subscription
	if old == nil || old.ExpiresAt.IsZero() {
		return time.Time{}
	}
	if due := d.nextDue(e, now); due.After(now) {
		return due
	}
	sub, err := d.subscribe(ctx, e)
	if err != nil {
		d.log.Error("renewing a trigger subscription failed", "workflow", e.wf.Name, "trigger", e.t.Name, "error", err)
		d.record(ctx, e, "Failed", &actions.ActionError{Code: "SubscriptionRenewalFailed", Message: err.Error()}, now)
		return now.Add(min(d.o.RetryDelay, max(time.Until(old.ExpiresAt)/4, time.Second)))
	}
	ns := e.state
	ns.Subscription = sub
	row, err := d.stateRow(e, ns, d.nextDueOf(e, ns, now))
	if err == nil {
		err = d.st.Commit(ctx, &store.Batch{TriggerStates: []store.TriggerState{row}})
	}
	if err != nil {
		d.log.Error("storing a renewed subscription failed", "workflow", e.wf.Name, "trigger", e.t.Name, "error", err)
		_ = d.unsubscribe(ctx, e, sub)
		return now.Add(d.o.RetryDelay)
	}
	e.state = ns
	if old.Location != sub.Location {
		if err := d.unsubscribe(ctx, e, old); err != nil {
			d.log.Warn("removing the replaced subscription failed", "workflow", e.wf.Name, "trigger", e.t.Name, "error", err)
		}
	}
	return d.nextDue(e, now)
}

// record writes a history entry that starts no run.
func (d *Dispatcher) record(ctx context.Context, e *entry, status string, ae *actions.ActionError, now time.Time) {
	data, _ := json.Marshal(historyData{Code: ae.Code, Error: ae})
	_ = d.st.Commit(ctx, &store.Batch{TriggerHistory: []store.TriggerHistory{{ID: newHistoryID(), Workflow: e.wf.Name, Trigger: e.t.Name, Status: status, Time: now, Data: data}}})
}

// HandleCallback delivers an event that arrived at a push trigger's
// callback URL (HttpWebhook, ApiConnectionWebhook). outputs are the
// trigger outputs ({headers, body, queries?}, value model). Conditions and
// splitOn apply; the runs and the history entry are stored in one batch
// before HandleCallback returns, so the server answers 202 only for a
// durable event. It returns the IDs of the runs started (none when a
// condition was false). An unknown or disabled trigger gives an error
// wrapping [ErrNotEnabled].
func (d *Dispatcher) HandleCallback(ctx context.Context, wf, trigger string, outputs any) ([]string, error) {
	e, err := d.entry(wf, trigger)
	if err != nil {
		return nil, err
	}
	if e.kind != kindHTTPWebhook && e.kind != kindAPIConnectionWebhook {
		return nil, fmt.Errorf("trigger '%s' of workflow '%s' is not a webhook trigger: %w", trigger, wf, ErrNotEnabled)
	}
	now := d.now()
	oc := outcome{candidates: []any{outputs}, code: "OK", outputs: outputs, scheduled: now}
	// An event does not change the trigger's state: runs and history only
	// (without e.mu, so callbacks never wait for a renewal).
	return d.commit(ctx, e, nil, oc, now)
}

// Fire runs a trigger now, as "Run trigger" does: with outputs nil a
// polling trigger polls at once (a Recurrence fires) outside its schedule,
// and any runs it starts are returned; with outputs, runs start from them
// (splitOn applies, conditions do not). An unknown or disabled trigger
// gives an error wrapping [ErrNotEnabled].
func (d *Dispatcher) Fire(ctx context.Context, wf, trigger string, outputs any) ([]string, error) {
	e, err := d.entry(wf, trigger)
	if err != nil {
		return nil, err
	}
	now := d.now()
	if outputs == nil && e.kind.polling() && !e.listen {
		e.mu.Lock()
		defer e.mu.Unlock()
		_, ids, err := d.poll(ctx, e, now, true)
		return ids, err
	}
	if outputs == nil {
		outputs = triggerOutputs(nil)
	}
	oc := outcome{candidates: []any{outputs}, noConditions: true, code: "OK", outputs: outputs, scheduled: now}
	return d.commit(ctx, e, nil, oc, now)
}

// History is one entry of a trigger's history.
type History struct {
	ID     string
	Status string // Succeeded (fired), Skipped (a condition was false), Failed
	Fired  bool
	// Time is when the entry was written; ScheduledTime the occurrence it
	// handled (polling triggers).
	Time          time.Time
	ScheduledTime time.Time
	Code          string
	Outputs       json.RawMessage      // trigger outputs (before splitOn)
	Error         *actions.ActionError // when Failed
	Runs          []string             // IDs of the runs it started
}

type historyData struct {
	ScheduledTime time.Time            `json:"scheduledTime,omitzero"`
	Code          string               `json:"code,omitempty"`
	Outputs       any                  `json:"outputs,omitempty"`
	Error         *actions.ActionError `json:"error,omitempty"`
	Runs          []string             `json:"runs,omitempty"`
}

// Histories returns up to top (0: all) history entries of a trigger,
// newest first. Empty polls (nothing new) are not recorded.
func (d *Dispatcher) Histories(ctx context.Context, wf, trigger string, top int) ([]History, error) {
	rows, err := d.st.TriggerHistory(ctx, wf, trigger, top)
	if err != nil {
		return nil, err
	}
	out := make([]History, 0, len(rows))
	for _, r := range rows {
		var hd struct {
			ScheduledTime time.Time            `json:"scheduledTime"`
			Code          string               `json:"code"`
			Outputs       json.RawMessage      `json:"outputs"`
			Error         *actions.ActionError `json:"error"`
			Runs          []string             `json:"runs"`
		}
		if len(r.Data) > 0 {
			if err := json.Unmarshal(r.Data, &hd); err != nil {
				return nil, fmt.Errorf("decode trigger history: %w", err)
			}
		}
		out = append(out, History{ID: r.ID, Status: r.Status, Fired: r.Fired, Time: r.Time, ScheduledTime: hd.ScheduledTime,
			Code: hd.Code, Outputs: hd.Outputs, Error: hd.Error, Runs: hd.Runs})
	}
	return out, nil
}

func newHistoryID() string { return engine.NewRunID() }
