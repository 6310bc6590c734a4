// SPDX-License-Identifier: Apache-2.0

package triggers

import (
	"container/heap"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/engine/actions"
	"github.com/junction-run/junction/internal/engine/recurrence"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/workflow"
)

// ErrNotEnabled is wrapped by the errors of [Dispatcher.HandleCallback]
// and [Dispatcher.Fire] when the workflow is not enabled or has no such
// trigger.
var ErrNotEnabled = errors.New("trigger is not enabled")

// ErrUnsupported is wrapped by [Dispatcher.Enable] for trigger types the
// dispatcher cannot run.
var ErrUnsupported = errors.New("unsupported trigger type")

// Options configure a [Dispatcher]. Zero values take the defaults.
type Options struct {
	Logger     *slog.Logger
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Connections resolves the connections of ApiConnection and
	// ApiConnectionWebhook triggers (connections.json); a workflow's own
	// [Workflow.Connections] takes precedence.
	Connections actions.ConnectionResolver
	// CallbackURL returns the URL at which Junction receives the events of
	// a push trigger (listCallbackUrl() in the trigger's inputs). The server
	// routes requests at it to [Dispatcher.HandleCallback]. Required for
	// webhook triggers.
	CallbackURL func(workflow, trigger string) string
	// AppSettings answers appsetting() in trigger inputs.
	AppSettings map[string]string
	// Concurrency bounds how many triggers are polled at once (default 16).
	Concurrency int
	// PollTimeout bounds one poll or subscription request (default 2 min).
	PollTimeout time.Duration
	// RenewBefore is how long before a subscription's ExpiresAt it is
	// renewed (default 5 min, at most half the subscription's lifetime).
	RenewBefore time.Duration
	// Tick is the longest the scheduler sleeps without looking at the
	// clock (default 1 min).
	Tick time.Duration
	// RetryDelay is the delay before a trigger whose commit failed is
	// tried again (default 5 s).
	RetryDelay time.Duration
}

// Workflow is an enabled workflow as the dispatcher sees it.
type Workflow struct {
	Name    string
	Version string // definition version (engine.Register), runs start on it
	// Definition is the decoded definition of Version.
	Definition *workflow.Definition
	// Parameters are the parameter values of the runs it starts.
	Parameters map[string]any
	// Connections, when set, resolves this workflow's connections instead
	// of Options.Connections.
	Connections actions.ConnectionResolver
}

// Dispatcher runs the triggers of enabled workflows. Create it with
// [New]; all methods are safe for concurrent use.
type Dispatcher struct {
	eng  *engine.Engine
	st   store.Store
	o    Options
	log  *slog.Logger
	sem  chan struct{}
	wake chan struct{}

	opMu    sync.Mutex // serialises Enable, Disable and Remove
	mu      sync.Mutex
	entries map[string]*entry   // by key(workflow, trigger)
	byWF    map[string][]*entry // by workflow
	h       entryHeap
	started bool
	closed  bool
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// New returns a dispatcher that starts runs on eng and keeps trigger state
// in st (the store eng uses). It has no side effects.
func New(eng *engine.Engine, st store.Store, o Options) *Dispatcher {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 2 * time.Minute}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 16
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 2 * time.Minute
	}
	if o.RenewBefore <= 0 {
		o.RenewBefore = 5 * time.Minute
	}
	if o.Tick <= 0 {
		o.Tick = time.Minute
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = 5 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Dispatcher{
		eng: eng, st: st, o: o, log: o.Logger,
		sem: make(chan struct{}, o.Concurrency), wake: make(chan struct{}, 1),
		entries: map[string]*entry{}, byWF: map[string][]*entry{},
		ctx: ctx, cancel: cancel,
	}
}

func (d *Dispatcher) now() time.Time { return d.o.Now().UTC() }

// Start starts the scheduler. Triggers run once their workflows are
// enabled with [Dispatcher.Enable].
func (d *Dispatcher) Start(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return errors.New("triggers: dispatcher is closed")
	}
	if d.started {
		return nil
	}
	d.started = true
	d.wg.Add(1)
	go d.loop()
	return nil
}

// Close stops the scheduler and waits for the polls in flight. Trigger
// state stays in the store; subscriptions stay registered (a restart
// continues with them). It is idempotent.
func (d *Dispatcher) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
	return nil
}

// kind is what the dispatcher does with a trigger.
type kind int

const (
	kindRecurrence kind = iota + 1
	kindHTTP
	kindAPIConnection
	kindHTTPWebhook
	kindAPIConnectionWebhook
)

func (k kind) polling() bool { return k == kindRecurrence || k == kindHTTP || k == kindAPIConnection }

// entry is one enabled trigger.
type entry struct {
	key  string
	wf   *Workflow
	t    *workflow.Trigger
	kind kind
	plan *recurrence.Plan // polling kinds
	fp   string           // fingerprint of the trigger's definition

	mu    sync.Mutex // serialises polls, fires and renewals of the trigger
	state state      // last committed state (under mu)
	fails int        // consecutive commit failures (under mu)
	conds []*expr.Template
	inp   *expr.Compiled

	// listen marks a trigger served by a connector.Listener; lst is its
	// running consumer (under Dispatcher.opMu).
	listen bool
	lst    *listener

	// scheduler fields, under Dispatcher.mu
	due     time.Time
	idx     int
	running bool
	removed bool
}

func key(wf, trigger string) string { return wf + "\x00" + trigger }

// state is the JSON kept in store.TriggerState.Data.
type state struct {
	Fingerprint string `json:"fingerprint"`
	Kind        string `json:"kind"`
	Enabled     bool   `json:"enabled"`
	// Anchor is when the trigger was first enabled: the start of a
	// recurrence without startTime.
	Anchor time.Time `json:"anchor,omitzero"`
	// LastFire is the scheduled time of the last occurrence that was
	// handled (fired or polled).
	LastFire time.Time `json:"lastFire,omitzero"`
	// RetryAt is the next poll time a Retry-After asked for.
	RetryAt time.Time `json:"retryAt,omitzero"`
	// Location is the next poll URL of an Http trigger.
	Location string `json:"location,omitempty"`
	// Cursor is a connector poller's state.
	Cursor json.RawMessage `json:"cursor,omitempty"`
	// Cleanup holds the items of the last fire not yet cleaned up.
	Cleanup []json.RawMessage `json:"cleanup,omitempty"`
	// Subscription is a push trigger's registration.
	Subscription *subscription `json:"subscription,omitempty"`
}

// subscription is a registered callback of a push trigger.
type subscription struct {
	CallbackURL string    `json:"callbackUrl,omitempty"`
	Subscribed  time.Time `json:"subscribed"`
	// Outputs are the subscribe response of an HttpWebhook trigger.
	Outputs json.RawMessage `json:"outputs,omitempty"`
	// Location, ExpiresAt and Data are the connector.Subscription of an
	// ApiConnectionWebhook trigger.
	Location  string          `json:"location,omitempty"`
	ExpiresAt time.Time       `json:"expiresAt,omitzero"`
	Data      json.RawMessage `json:"data,omitempty"`
	// Connection and Operation name what was subscribed (for Unsubscribe).
	Connection string `json:"connection,omitempty"`
	Operation  string `json:"operation,omitempty"`
}

func kindOf(t *workflow.Trigger) (kind, bool) {
	switch t.Canonical {
	case workflow.TriggerRecurrence:
		return kindRecurrence, true
	case workflow.TriggerHTTP:
		return kindHTTP, true
	case workflow.TriggerAPIConnection:
		return kindAPIConnection, true
	case workflow.TriggerHTTPWebhook:
		return kindHTTPWebhook, true
	case workflow.TriggerAPIConnectionWebhook:
		return kindAPIConnectionWebhook, true
	}
	return 0, false
}

// handled reports whether the dispatcher runs trigger t (Request and
// Manual triggers belong to the server).
func handled(t *workflow.Trigger) bool {
	return t.Canonical != workflow.TriggerRequest && t.Canonical != workflow.TriggerManual
}

func fingerprint(w *Workflow, t *workflow.Trigger) string {
	b, _ := json.Marshal(t.Raw)
	h := sha256.New()
	h.Write([]byte(t.Name))
	h.Write([]byte{0})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// newEntry validates trigger t of w.
func (d *Dispatcher) newEntry(w *Workflow, t *workflow.Trigger) (*entry, error) {
	k, ok := kindOf(t)
	if !ok {
		return nil, fmt.Errorf("trigger '%s' of workflow '%s' has type '%s': %w", t.Name, w.Name, t.Type, ErrUnsupported)
	}
	e := &entry{key: key(w.Name, t.Name), wf: w, t: t, kind: k, fp: fingerprint(w, t), idx: -1}
	for _, c := range t.Conditions {
		tm, err := expr.Compile(c.Expression)
		if err != nil {
			return nil, fmt.Errorf("condition of trigger '%s': %w", t.Name, err)
		}
		e.conds = append(e.conds, tm)
	}
	if t.Inputs != nil {
		c, err := expr.CompileValue(t.Inputs)
		if err != nil {
			return nil, fmt.Errorf("inputs of trigger '%s': %w", t.Name, err)
		}
		e.inp = c
	}
	return e, nil
}

// compilePlan compiles e's recurrence anchored at the state's anchor.
func (e *entry) compilePlan() error {
	p, err := recurrence.Compile(recurrence.FromWorkflow(e.t.Recurrence), e.state.Anchor)
	if err != nil {
		return fmt.Errorf("recurrence of trigger '%s': %w", e.t.Name, err)
	}
	e.plan = p
	return nil
}

func (d *Dispatcher) stateRow(e *entry, s state, next time.Time) (store.TriggerState, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return store.TriggerState{}, fmt.Errorf("encode trigger state: %w", err)
	}
	return store.TriggerState{Workflow: e.wf.Name, Trigger: e.t.Name, Version: e.wf.Version, NextFire: next, Data: b}, nil
}

func decodeState(row store.TriggerState) (state, error) {
	var s state
	if len(row.Data) == 0 {
		return s, nil
	}
	if err := json.Unmarshal(row.Data, &s); err != nil {
		return s, fmt.Errorf("decode state of trigger %s/%s: %w", row.Workflow, row.Trigger, err)
	}
	return s, nil
}

// Enable starts the triggers of w (its Request triggers excepted). It is
// idempotent and is also how the host restores enabled workflows after a
// restart: a trigger whose definition is unchanged continues from its
// stored state (cursor, schedule position, subscription); a new or changed
// trigger starts afresh (a changed webhook is subscribed again and its old
// subscription removed).
//
// Subscribing push triggers is part of enabling: if a subscription fails,
// Enable undoes the subscriptions it made, leaves the stored state as it
// was, and returns the error; the workflow's previous triggers (if any)
// keep running.
func (d *Dispatcher) Enable(ctx context.Context, w Workflow) error {
	if w.Definition == nil || w.Name == "" || w.Version == "" {
		return errors.New("triggers: Enable needs a workflow name, version and definition")
	}
	d.opMu.Lock()
	defer d.opMu.Unlock()
	wp := &w
	var es []*entry
	for _, t := range w.Definition.Triggers {
		if !handled(t) {
			continue
		}
		e, err := d.newEntry(wp, t)
		if err != nil {
			return err
		}
		d.detectListener(ctx, e)
		if e.kind.polling() && !e.listen && t.Recurrence == nil {
			return fmt.Errorf("trigger '%s' of workflow '%s' has no recurrence", t.Name, w.Name)
		}
		if (e.kind == kindHTTPWebhook || e.kind == kindAPIConnectionWebhook) && !e.listen && d.o.CallbackURL == nil {
			return fmt.Errorf("trigger '%s' of workflow '%s' is a webhook, but the dispatcher has no CallbackURL", t.Name, w.Name)
		}
		es = append(es, e)
	}
	// Stop the running triggers of the workflow first, so that no poll in
	// flight commits a cursor after the state is read below.
	prevEntries := d.stop(w.Name)
	ok := false
	defer func() {
		if !ok {
			d.reinstall(w.Name, prevEntries)
		}
	}()
	rows, err := d.st.TriggerStates(ctx, w.Name)
	if err != nil {
		return err
	}
	old := map[string]state{}
	oldRows := map[string]store.TriggerState{}
	for _, r := range rows {
		s, err := decodeState(r)
		if err != nil {
			return err
		}
		old[r.Trigger] = s
		oldRows[r.Trigger] = r
	}
	now := d.now()
	b := &store.Batch{}
	var made []*entry             // subscriptions made here (undone on failure)
	var stale []staleSubscription // old subscriptions to remove after the commit
	for _, e := range es {
		prev, had := old[e.t.Name]
		switch {
		case had && prev.Fingerprint == e.fp:
			e.state = prev
			if !prev.Enabled {
				// Re-enabled: no catch-up for the ticks missed while disabled.
				e.state.LastFire, e.state.RetryAt = now, time.Time{}
			}
		default:
			if had && prev.Subscription != nil {
				stale = append(stale, staleSubscription{row: oldRows[e.t.Name], s: prev})
			}
			e.state = state{Fingerprint: e.fp, Anchor: now}
		}
		e.state.Enabled = true
		e.state.Kind = string(e.t.Canonical)
		if e.kind.polling() && !e.listen {
			if err := e.compilePlan(); err != nil {
				return err
			}
		}
		if (e.kind == kindHTTPWebhook || e.kind == kindAPIConnectionWebhook) && !e.listen && e.state.Subscription == nil {
			sub, err := d.subscribe(ctx, e)
			if err != nil {
				d.undo(made)
				return fmt.Errorf("subscribing trigger '%s' of workflow '%s': %w", e.t.Name, w.Name, err)
			}
			e.state.Subscription = sub
			made = append(made, e)
		}
		row, err := d.stateRow(e, e.state, d.nextDue(e, now))
		if err != nil {
			d.undo(made)
			return err
		}
		b.TriggerStates = append(b.TriggerStates, row)
	}
	// Triggers that are no longer in the definition.
	for name, s := range old {
		found := false
		for _, e := range es {
			found = found || e.t.Name == name
		}
		if !found {
			if s.Subscription != nil {
				stale = append(stale, staleSubscription{row: oldRows[name], s: s})
			}
			b.DoneTriggerStates = append(b.DoneTriggerStates, store.TriggerKey{Workflow: w.Name, Trigger: name})
		}
	}
	if err := d.st.Commit(ctx, b); err != nil {
		d.undo(made)
		return fmt.Errorf("storing trigger state of workflow '%s': %w", w.Name, err)
	}
	ok = true
	d.install(w.Name, es, now)
	for _, s := range stale {
		if err := d.unsubscribeStale(ctx, s); err != nil {
			d.log.Warn("removing an old trigger subscription failed", "workflow", w.Name, "trigger", s.row.Trigger, "error", err)
		}
	}
	return nil
}

type staleSubscription struct {
	row store.TriggerState
	s   state
}

// undo removes the subscriptions a failed Enable made.
func (d *Dispatcher) undo(es []*entry) {
	for _, e := range es {
		ctx, cancel := context.WithTimeout(context.Background(), d.o.PollTimeout)
		if err := d.unsubscribe(ctx, e, e.state.Subscription); err != nil {
			d.log.Warn("undoing a subscription failed", "workflow", e.wf.Name, "trigger", e.t.Name, "error", err)
		}
		cancel()
	}
}

// install replaces the in-memory triggers of workflow wf by es and starts
// the consumers of its listener triggers.
func (d *Dispatcher) install(wf string, es []*entry, now time.Time) {
	d.installLocked(wf, es, now)
	for _, e := range es {
		d.startListener(e)
	}
}

func (d *Dispatcher) installLocked(wf string, es []*entry, now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.removeLocked(wf)
	for _, e := range es {
		e.removed = false
		d.entries[e.key] = e
		d.byWF[wf] = append(d.byWF[wf], e)
		if due := d.nextDue(e, now); !due.IsZero() {
			e.due = due
			heap.Push(&d.h, e)
		}
	}
	d.kick()
}

// stop removes the triggers of wf from the scheduler and waits for their
// work in flight.
func (d *Dispatcher) stop(wf string) []*entry {
	d.mu.Lock()
	es := d.removeLocked(wf)
	d.mu.Unlock()
	for _, e := range es {
		d.stopListener(e)
		e.mu.Lock()
		e.mu.Unlock() //nolint:staticcheck // a barrier: waits for the poll in flight
	}
	return es
}

// reinstall puts back the triggers a failed Enable stopped.
func (d *Dispatcher) reinstall(wf string, es []*entry) {
	if len(es) == 0 {
		return
	}
	d.install(wf, es, d.now())
}

func (d *Dispatcher) removeLocked(wf string) []*entry {
	es := d.byWF[wf]
	for _, e := range es {
		e.removed = true
		if e.idx >= 0 {
			heap.Remove(&d.h, e.idx)
		}
		delete(d.entries, e.key)
	}
	delete(d.byWF, wf)
	return es
}

// Disable stops the triggers of workflow wf: polling stops (the cursor is
// kept for a later Enable) and push subscriptions are removed at the
// service (HttpWebhook unsubscribe, DELETE of an ApiConnectionWebhook's
// Location). Unsubscribe failures are returned, joined, after the triggers
// have stopped; the failed subscription stays in the stored state and is
// removed again by a later Enable with a changed trigger or by Remove.
func (d *Dispatcher) Disable(ctx context.Context, wf string) error {
	return d.disable(ctx, wf, false)
}

// Remove is Disable for a deleted workflow: it also forgets the triggers'
// state and history position (the history entries stay).
func (d *Dispatcher) Remove(ctx context.Context, wf string) error {
	return d.disable(ctx, wf, true)
}

func (d *Dispatcher) disable(ctx context.Context, wf string, forget bool) error {
	d.opMu.Lock()
	defer d.opMu.Unlock()
	d.stop(wf)
	rows, err := d.st.TriggerStates(ctx, wf)
	if err != nil {
		return err
	}
	var errs []error
	b := &store.Batch{}
	for _, r := range rows {
		s, err := decodeState(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if s.Subscription != nil {
			if err := d.unsubscribeStale(ctx, staleSubscription{row: r, s: s}); err != nil {
				errs = append(errs, fmt.Errorf("unsubscribing trigger '%s' of workflow '%s': %w", r.Trigger, wf, err))
			} else {
				s.Subscription = nil
			}
		}
		if forget && s.Subscription == nil {
			b.DoneTriggerStates = append(b.DoneTriggerStates, store.TriggerKey{Workflow: wf, Trigger: r.Trigger})
			continue
		}
		s.Enabled = false
		data, err := json.Marshal(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r.Data, r.NextFire = data, time.Time{}
		b.TriggerStates = append(b.TriggerStates, r)
	}
	if err := d.st.Commit(ctx, b); err != nil {
		errs = append(errs, fmt.Errorf("storing trigger state of workflow '%s': %w", wf, err))
	}
	return errors.Join(errs...)
}

// nextDue returns when the scheduler must next look at e (zero: never).
func (d *Dispatcher) nextDue(e *entry, now time.Time) time.Time {
	if e.listen {
		return time.Time{} // its consumer runs all the time
	}
	switch e.kind {
	case kindRecurrence, kindHTTP, kindAPIConnection:
		if !e.state.RetryAt.IsZero() {
			return e.state.RetryAt
		}
		fireAt, next, fire := e.plan.Due(e.state.LastFire, now)
		if fire {
			return fireAt // missed occurrences: due at once
		}
		return next
	case kindAPIConnectionWebhook:
		if s := e.state.Subscription; s != nil && !s.ExpiresAt.IsZero() {
			margin := d.o.RenewBefore
			if life := s.ExpiresAt.Sub(s.Subscribed); life > 0 && margin > life/2 {
				margin = life / 2
			}
			return s.ExpiresAt.Add(-margin)
		}
	}
	return time.Time{}
}

func (d *Dispatcher) kick() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// loop is the scheduler: it sleeps until the earliest due trigger (a heap
// over all enabled triggers) and hands due triggers to a bounded number of
// workers.
func (d *Dispatcher) loop() {
	defer d.wg.Done()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		d.mu.Lock()
		now := d.now()
		var ready []*entry
		for len(d.h) > 0 && !d.h[0].due.After(now) {
			e := heap.Pop(&d.h).(*entry)
			e.running = true
			ready = append(ready, e)
		}
		wait := d.o.Tick
		if len(d.h) > 0 {
			wait = min(wait, d.h[0].due.Sub(now))
		}
		d.mu.Unlock()
		for _, e := range ready {
			select {
			case d.sem <- struct{}{}:
			case <-d.ctx.Done():
				return
			}
			d.wg.Add(1)
			go func() {
				defer d.wg.Done()
				defer func() { <-d.sem }()
				d.work(e)
			}()
		}
		if len(ready) > 0 {
			continue // the clock moved while dispatching
		}
		t.Reset(max(wait, 0))
		select {
		case <-d.ctx.Done():
			return
		case <-d.wake:
			if !t.Stop() {
				select {
				case <-t.C:
				default:
				}
			}
		case <-t.C:
		}
	}
}

// work handles one due trigger and schedules it again.
func (d *Dispatcher) work(e *entry) {
	e.mu.Lock()
	var next time.Time
	if !d.isRemoved(e) {
		next = d.handle(d.ctx, e)
	}
	e.mu.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	e.running = false
	if e.removed || next.IsZero() || d.closed {
		return
	}
	e.due = next
	heap.Push(&d.h, e)
	d.kick()
}

func (d *Dispatcher) isRemoved(e *entry) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return e.removed
}

// handle runs a due trigger (under e.mu) and returns when it is next due.
func (d *Dispatcher) handle(ctx context.Context, e *entry) time.Time {
	now := d.now()
	switch e.kind {
	case kindRecurrence, kindHTTP, kindAPIConnection:
		next, _, _ := d.poll(ctx, e, now, false)
		return next
	case kindAPIConnectionWebhook:
		return d.renew(ctx, e, now)
	}
	return time.Time{}
}

func (d *Dispatcher) entry(wf, trigger string) (*entry, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.entries[key(wf, trigger)]
	if !ok {
		for _, x := range d.byWF[wf] {
			if strings.EqualFold(x.t.Name, trigger) {
				return x, nil
			}
		}
		return nil, fmt.Errorf("trigger '%s' of workflow '%s': %w", trigger, wf, ErrNotEnabled)
	}
	return e, nil
}

// entryHeap orders entries by due time.
type entryHeap []*entry

func (h entryHeap) Len() int           { return len(h) }
func (h entryHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h entryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}
func (h *entryHeap) Push(x any) {
	e := x.(*entry)
	e.idx = len(*h)
	*h = append(*h, e)
}
func (h *entryHeap) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	e.idx = -1
	*h = old[:n-1]
	return e
}
