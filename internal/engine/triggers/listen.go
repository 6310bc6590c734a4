// SPDX-License-Identifier: Apache-2.0

package triggers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine/actions"
)

// listenerExtension marks a push trigger operation served by a
// [connector.Listener] (a long-lived consumer) instead of a callback URL.
const listenerExtension = "x-junction-listener"

// maxListenBackoff bounds the wait before a failed Listen is called again.
const maxListenBackoff = 5 * time.Minute

// listener is the supervised consumer of a listener trigger.
type listener struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// isListenerOp reports whether op is served by a Listener of prov.
func isListenerOp(prov connector.Provider, op *connector.Operation) bool {
	if _, ok := prov.(connector.Listener); !ok || op == nil {
		return false
	}
	var on bool
	if raw, ok := op.Extensions[listenerExtension]; ok && json.Unmarshal(raw, &on) == nil && on {
		return true
	}
	return false
}

// detectListener marks e as a listener trigger when its operation, resolved
// now, is a listener operation. A trigger whose operation does not resolve
// stays what its type says: polls record the failure, subscribing an
// ApiConnectionWebhook reports it.
func (d *Dispatcher) detectListener(ctx context.Context, e *entry) {
	if e.kind != kindAPIConnection && e.kind != kindAPIConnectionWebhook {
		return
	}
	cb := ""
	if e.kind == kindAPIConnectionWebhook && d.o.CallbackURL != nil {
		cb = d.o.CallbackURL(e.wf.Name, e.t.Name)
	}
	rctx, cancel := context.WithTimeout(ctx, d.o.PollTimeout)
	defer cancel()
	oc, err := d.operation(rctx, e, d.env(e, d.now(), cb))
	if err == nil {
		e.listen = isListenerOp(oc.prov, oc.op)
	}
}

// startListener starts the supervised Listen loop of e (under opMu). It
// does nothing for other triggers or after Close.
func (d *Dispatcher) startListener(e *entry) {
	if !e.listen || e.lst != nil {
		return
	}
	d.mu.Lock()
	closed := d.closed
	if !closed {
		d.wg.Add(1)
	}
	d.mu.Unlock()
	if closed {
		return
	}
	ctx, cancel := context.WithCancel(d.ctx)
	l := &listener{cancel: cancel, done: make(chan struct{})}
	e.lst = l
	go func() {
		defer d.wg.Done()
		defer close(l.done)
		d.supervise(ctx, e)
	}()
}

// stopListener stops e's Listen loop and waits until it returned, so no
// deliver of e commits after it (under opMu).
func (d *Dispatcher) stopListener(e *entry) {
	l := e.lst
	if l == nil {
		return
	}
	l.cancel()
	<-l.done
	e.lst = nil
}

// supervise calls Listen until ctx ends, again after a backoff when it
// fails. The connection is resolved again at every start, so a changed
// server connection is picked up.
func (d *Dispatcher) supervise(ctx context.Context, e *entry) {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		delivered := false
		err := d.listenOnce(ctx, e, &delivered)
		if ctx.Err() != nil {
			return
		}
		if delivered {
			backoff = 0
		}
		backoff = min(max(2*backoff, d.o.RetryDelay), maxListenBackoff)
		k := connector.KindOf(err)
		if k == connector.KindRetryable || k == connector.KindUnknown {
			d.log.Warn("trigger listener stopped; restarting", "workflow", e.wf.Name, "trigger", e.t.Name, "error", err, "retry_in", backoff)
		} else {
			// Retrying without a change cannot help: record the failure
			// (the connection or the queue may be fixed later, so the
			// listener still tries again, at most every maxListenBackoff).
			d.log.Error("trigger listener failed", "workflow", e.wf.Name, "trigger", e.t.Name, "error", err, "retry_in", backoff)
			d.record(ctx, e, "Failed", &actions.ActionError{Code: kindCode(k), Message: err.Error()}, d.now())
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// listenOnce resolves e's operation and runs one Listen call.
func (d *Dispatcher) listenOnce(ctx context.Context, e *entry, delivered *bool) error {
	rctx, cancel := context.WithTimeout(ctx, d.o.PollTimeout)
	oc, err := d.operation(rctx, e, d.env(e, d.now(), ""))
	cancel()
	if err != nil {
		return err
	}
	ln, ok := oc.prov.(connector.Listener)
	if !ok || !isListenerOp(oc.prov, oc.op) {
		return connector.Errorf(connector.KindBadRequest, "operation '%s' of connection '%s' is no longer served by a listener", oc.op.ID, oc.ref)
	}
	err = ln.Listen(ctx, oc.conn, oc.op.ID, oc.input, func(dctx context.Context, item any) error {
		if err := d.deliver(dctx, e, item); err != nil {
			return err
		}
		*delivered = true
		return nil
	})
	if err == nil && ctx.Err() == nil {
		err = connector.Errorf(connector.KindRetryable, "the listener of operation '%s' returned", oc.op.ID)
	}
	return err
}

// deliver starts the runs of one item of a listener trigger: conditions
// and splitOn apply, and the runs and the history entry are committed in
// one batch (engine.StartRuns) before it returns nil, so the provider
// acknowledges the item only once it is durable.
func (d *Dispatcher) deliver(ctx context.Context, e *entry, item any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d.isRemoved(e) {
		return fmt.Errorf("trigger '%s' of workflow '%s': %w", e.t.Name, e.wf.Name, ErrNotEnabled)
	}
	now := d.now()
	outs := triggerOutputs(expr.FromGo(jsonable(item)))
	oc := outcome{candidates: []any{outs}, code: "OK", outputs: outs, scheduled: now}
	_, err := d.commit(ctx, e, nil, oc, now)
	if err != nil && !errors.Is(err, context.Canceled) {
		d.log.Warn("storing a listener item failed; it is handed back for redelivery", "workflow", e.wf.Name, "trigger", e.t.Name, "error", err)
	}
	return err
}

// jsonable turns a provider's item (a struct, a map...) into the
// encoding/json value model expr.FromGo takes.
func jsonable(item any) any {
	switch item.(type) {
	case nil, bool, string, float64, int64, int, map[string]any, []any, json.Number:
		return item
	}
	b, err := json.Marshal(item)
	if err != nil {
		return item
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return item
	}
	return v
}
