// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine/actions"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/workflow"
)

// Options configure an [Engine]. Zero values take the defaults.
type Options struct {
	Logger     *slog.Logger
	HTTPClient *http.Client
	// NodeID names this process's work leases (default "local"). Leases of
	// the same node ID are released when the engine starts, so a restarted
	// single node picks its own work up at once.
	NodeID string
	// CallbackBaseURL is the base of listCallbackUrl() URLs; the token is
	// appended as "/callbacks/<token>".
	CallbackBaseURL string
	// Connections resolves ApiConnection references (may be nil).
	Connections actions.ConnectionResolver
	// ResolveWorkflow returns the name and definition of the workflow a
	// Workflow action calls (inputs.host.workflow.id).
	ResolveWorkflow func(ctx context.Context, id string) (name string, definition []byte, err error)
	// AppSettings answers appsetting().
	AppSettings map[string]string
	// CommitEachStep commits after every action instead of once per wave
	// of actions that became ready together.
	CommitEachStep bool
	// Sealer, when set, keeps the inputs and outputs that secureData hides
	// from run history sealed in the action record, so that a run resumed
	// after a restart still reads them; without it they live in memory
	// only (a resumed run reads the marker).
	Sealer Sealer
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Sealer seals and opens values with authenticated encryption; aad binds
// a sealed value to its place. connection.Keyring is one.
type Sealer interface {
	Seal(plain []byte, aad string) (string, error)
	Open(envelope, aad string) ([]byte, error)
}

// Engine executes runs durably on a [store.Store].
type Engine struct {
	st   store.Store
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	active   map[string]*run
	waiters  map[string][]chan struct{}
	plans    map[string]*plan
	closed   bool
	wake     chan struct{}
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	started  bool
	drivers  sync.WaitGroup
	respWait map[string][]chan *Response
}

// Response is the reply of a run's Response action.
type Response struct {
	StatusCode int64 `json:"statusCode"`
	Headers    any   `json:"headers"`
	Body       any   `json:"body"`
}

// UnmarshalJSON decodes headers and body into the expression value model,
// so objects keep the key order the workflow gave them.
func (r *Response) UnmarshalJSON(b []byte) error {
	var raw struct {
		StatusCode int64           `json:"statusCode"`
		Headers    json.RawMessage `json:"headers"`
		Body       json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	r.StatusCode, r.Headers, r.Body = raw.StatusCode, decodeRaw(raw.Headers), decodeRaw(raw.Body)
	return nil
}

// New returns an engine on st. Call [Engine.Start] to resume unfinished
// runs and work due work, and [Engine.Close] at the end.
func New(st store.Store, opts Options) *Engine {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 2 * time.Minute}
	}
	if opts.NodeID == "" {
		opts.NodeID = "local"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CallbackBaseURL == "" {
		opts.CallbackBaseURL = "http://127.0.0.1:7420"
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Engine{
		st: st, opts: opts, log: opts.Logger,
		active: map[string]*run{}, waiters: map[string][]chan struct{}{}, plans: map[string]*plan{},
		respWait: map[string][]chan *Response{},
		wake:     make(chan struct{}, 1), ctx: ctx, cancel: cancel,
	}
}

func (e *Engine) now() time.Time { return e.opts.Now().UTC() }

// Start releases this node's stale leases, resumes every unfinished run
// that is not parked, and starts the poller of due work. It returns after
// the resumed runs have been scheduled.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	if e.started {
		e.mu.Unlock()
		return nil
	}
	e.started = true
	e.mu.Unlock()
	if err := e.st.ReleaseLeases(ctx, e.opts.NodeID); err != nil {
		return fmt.Errorf("release leases: %w", err)
	}
	runs, err := e.st.ListRuns(ctx, store.RunFilter{Unparked: true})
	if err != nil {
		return fmt.Errorf("list unfinished runs: %w", err)
	}
	for _, r := range runs {
		e.log.Info("resuming run", "run_id", r.ID, "workflow", r.Workflow)
		e.activate(r.ID, nil)
	}
	e.wg.Add(1)
	go e.poll()
	return nil
}

// Close stops the poller and waits for active drivers to stop at their
// next step. Runs stay durable and resume at the next Start.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	e.drivers.Wait()
	return nil
}

// Version returns the version string of a definition body (a content hash).
func Version(body []byte) string {
	h := sha256.Sum256(body)
	return hex.EncodeToString(h[:8])
}

// StartOptions are the inputs of a new run.
type StartOptions struct {
	// Trigger is the trigger's outputs ({headers, body, ...}); value model.
	Trigger any
	// TriggerName defaults to the definition's first trigger ("manual").
	TriggerName string
	// Parameters are values of the definition's parameters (value model
	// object or map).
	Parameters map[string]any
	// Parent links a child run to the Workflow action waiting for it.
	ParentRun, ParentRef string
}

// Register stores a definition under the workflow name and returns its
// version. It fails when the definition cannot be decoded.
func (e *Engine) Register(ctx context.Context, workflowName string, body []byte) (string, error) {
	v := Version(body)
	if _, err := e.planFor(ctx, workflowName, v, body); err != nil {
		return "", err
	}
	if err := e.st.PutDefinition(ctx, workflowName, v, body); err != nil {
		return "", fmt.Errorf("store definition: %w", err)
	}
	return v, nil
}

// StartRun creates a run of a registered definition version and schedules
// it. It returns the run ID once the run is durable.
func (e *Engine) StartRun(ctx context.Context, workflowName, version string, so StartOptions) (string, error) {
	return e.startRun(ctx, workflowName, version, so, nil)
}

// startRun is the one code path of [Engine.StartRun] and
// [Engine.StartRunResponse]. The new run's state is built in memory and
// handed straight to its driver, which does not read it back from the
// store; the run row goes into the driver's first commit together with the
// writes of the first wave of steps, so a Request → Compose → Response run
// costs one transaction, not two. startRun returns when that commit is
// durable (or failed), so the contract "the ID is returned once the run is
// durable" holds. Nothing observable happens before that commit: leaf
// actions are launched and Response waiters notified only after it.
// resp, when not nil, is registered as a Response waiter before the driver
// can answer.
func (e *Engine) startRun(ctx context.Context, workflowName, version string, so StartOptions, resp chan *Response) (string, error) {
	p, err := e.planFor(ctx, workflowName, version, nil)
	if err != nil {
		return "", err
	}
	r, err := e.newRun(p, newRunID(), so)
	if err != nil {
		return "", err
	}
	if resp != nil {
		e.mu.Lock()
		e.respWait[r.id] = append(e.respWait[r.id], resp)
		e.mu.Unlock()
	}
	created := make(chan error, 1)
	r.created = created
	if !e.spawn(r) {
		// Closed engine: store the run only; the next Start resumes it.
		if err := e.st.Commit(ctx, &store.Batch{NewRuns: r.batch.NewRuns}); err != nil {
			return "", fmt.Errorf("create run: %w", err)
		}
		return r.id, nil
	}
	// The driver always reports its first commit (see run.flush), even if
	// ctx ends: a committed run must not be reported as lost.
	if err := <-created; err != nil {
		if resp != nil {
			e.stopResponseWait(r.id, resp)
		}
		return "", fmt.Errorf("create run: %w", err)
	}
	return r.id, nil
}

// newRun returns the driver state of a new run of p, as [run.load] would
// rebuild it from the store, with the run row queued in its batch.
func (e *Engine) newRun(p *plan, id string, so StartOptions) (*run, error) {
	tname := so.TriggerName
	if tname == "" && len(p.def.Triggers) > 0 {
		tname = p.def.Triggers[0].Name
	}
	if tname == "" {
		tname = "manual"
	}
	now := e.now()
	r := &run{e: e, id: id, notify: make(chan struct{}, 1), p: p,
		data:    runData{Parameters: so.Parameters, ParentRun: so.ParentRun, ParentRef: so.ParentRef},
		trigger: triggerData{Name: tname, Outputs: so.Trigger, Time: now}}
	data, err := json.Marshal(r.data)
	if err != nil {
		return nil, fmt.Errorf("encode run: %w", err)
	}
	trig, err := json.Marshal(r.trigger)
	if err != nil {
		return nil, fmt.Errorf("encode trigger outputs: %w", err)
	}
	// Expressions see what load decodes from the store: the value model.
	// An *expr.Object from the server already is that model; other values
	// (Go maps from tests and the CLI) take the same JSON round trip.
	if len(so.Parameters) > 0 {
		if err := r.data.decode(data); err != nil {
			return nil, err
		}
	}
	if _, ok := so.Trigger.(*expr.Object); !ok && so.Trigger != nil {
		if err := r.trigger.decode(trig); err != nil {
			return nil, err
		}
	}
	if p.def.Trigger(tname).SecureOutputs() {
		// The run keeps the real outputs in memory; the store gets the
		// marker, and the outputs sealed when there is a sealer.
		if trig, err = r.trigger.stored(true, e.opts.Sealer, id); err != nil {
			if trig == nil {
				return nil, err
			}
			e.log.Warn("the secure trigger outputs stay in memory only", slog.String("run", id), slog.String("error", err.Error()))
		}
	}
	r.row = store.Run{ID: id, Workflow: p.name, Version: p.version, Status: store.StatusRunning, Created: now, Trigger: trig, Data: data}
	r.batch.NewRuns = []store.Run{r.row}
	r.initState()
	return r, nil
}

// Wait blocks until the run has finished (or ctx ends) and returns its
// final store row.
func (e *Engine) Wait(ctx context.Context, runID string) (store.Run, error) {
	for {
		ch := make(chan struct{})
		e.mu.Lock()
		e.waiters[runID] = append(e.waiters[runID], ch)
		e.mu.Unlock()
		r, err := e.st.Run(ctx, runID)
		if err != nil {
			return r, err
		}
		if r.Status != store.StatusRunning {
			return r, nil
		}
		t := time.NewTimer(2 * time.Second) // also catches runs finished by another node
		select {
		case <-ch:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return r, ctx.Err()
		}
		t.Stop()
	}
}

func (e *Engine) notifyDone(runID string) {
	e.mu.Lock()
	ws := e.waiters[runID]
	delete(e.waiters, runID)
	e.mu.Unlock()
	for _, ch := range ws {
		close(ch)
	}
}

// Callback delivers a webhook callback (or any resumption payload) for the
// token handed out by listCallbackUrl(). It returns once the payload is
// durable; the waiting action completes with the payload as its outputs.
// Unknown or used tokens give an error wrapping [store.ErrNotFound].
func (e *Engine) Callback(ctx context.Context, token string, payload any) error {
	c, err := e.st.Callback(ctx, token)
	if err != nil {
		return err
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode callback payload: %w", err)
	}
	if err := e.st.Commit(ctx, &store.Batch{
		Work:          []store.WorkItem{{RunID: c.RunID, Kind: workCallback, Ref: c.Ref, Due: e.now(), Payload: b}},
		DoneCallbacks: []string{token},
	}); err != nil {
		return fmt.Errorf("store callback: %w", err)
	}
	e.kick()
	return nil
}

// Cancel cancels a running run: actions in flight are cancelled, nothing
// else starts, and the run ends Cancelled.
func (e *Engine) Cancel(ctx context.Context, runID string) error {
	if err := e.st.Commit(ctx, &store.Batch{Work: []store.WorkItem{{RunID: runID, Kind: workCancel, Due: e.now()}}}); err != nil {
		return fmt.Errorf("cancel run: %w", err)
	}
	e.kick()
	return nil
}

// kick wakes the poller.
func (e *Engine) kick() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

const leaseFor = 5 * time.Minute

// poll claims due work and dispatches it to run drivers.
func (e *Engine) poll() {
	defer e.wg.Done()
	for {
		now := e.now()
		items, err := e.st.ClaimWork(e.ctx, e.opts.NodeID, now, 256, leaseFor)
		if err != nil && e.ctx.Err() == nil {
			e.log.Error("claiming work", "error", err)
		}
		for _, it := range items {
			e.activate(it.RunID, []event{{work: &it}})
		}
		if len(items) == 256 {
			continue
		}
		wait := time.Minute
		if due, ok, err := e.st.NextDue(e.ctx, now); err == nil && ok {
			wait = min(max(due.Sub(e.now()), time.Millisecond), time.Minute)
		}
		t := time.NewTimer(wait)
		select {
		case <-e.ctx.Done():
			t.Stop()
			return
		case <-e.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// activate hands events to the run's driver, starting one if the run is
// not active.
func (e *Engine) activate(runID string, evs []event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	if r, ok := e.active[runID]; ok {
		r.post(evs...)
		return
	}
	r := &run{e: e, id: runID, notify: make(chan struct{}, 1)}
	r.queue = append(r.queue, evs...)
	e.startDriver(r)
}

// spawn starts the driver of a new run built by newRun; it fails when the
// engine is closed.
func (e *Engine) spawn(r *run) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.startDriver(r)
	return true
}

// spawnCommitted starts the driver of a new run built by newRun whose row
// is already committed. When the run has a driver already (an event for
// it arrived between the commit and now, and that driver loads the run
// from the store) or the engine is closed, r is dropped: the store holds
// the run.
func (e *Engine) spawnCommitted(r *run) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.active[r.id]; ok || e.closed {
		return
	}
	e.startDriver(r)
}

// startDriver registers r as active and starts its goroutine; e.mu is held.
func (e *Engine) startDriver(r *run) {
	e.active[r.id] = r
	e.drivers.Add(1)
	go func() {
		defer e.drivers.Done()
		r.drive()
	}()
}

// retire removes a driver that has nothing left to do. It fails (and the
// driver continues) when events arrived meanwhile.
func (e *Engine) retire(r *run) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	r.qmu.Lock()
	defer r.qmu.Unlock()
	if len(r.queue) > 0 && !e.closed {
		return false
	}
	delete(e.active, r.id)
	return true
}

// newRunID returns a time-ordered run ID: 6 bytes of Unix milliseconds,
// then 8 random bytes. The runs and actions tables are keyed by run ID, so
// random IDs scattered each commit's inserts over the whole B-trees (one
// more WAL page per run and index, growing with the table); ordered IDs
// append, which measured ~25% less CPU per Request → Compose → Response
// run.
func newRunID() string {
	var b [14]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	_, _ = rand.Read(b[6:])
	return hex.EncodeToString(b[:])
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// plan is a decoded definition with its compiled expressions.
type plan struct {
	name, version string
	def           *workflow.Definition
	mu            sync.Mutex
	compiled      map[any]*expr.Compiled
	loops         map[*workflow.Action][]*workflow.Action // enclosing loops, outer first
}

func (e *Engine) planFor(ctx context.Context, name, version string, body []byte) (*plan, error) {
	key := name + "@" + version
	e.mu.Lock()
	p, ok := e.plans[key]
	e.mu.Unlock()
	if ok {
		return p, nil
	}
	if body == nil {
		b, err := e.st.Definition(ctx, name, version)
		if err != nil {
			return nil, err
		}
		body = b
	}
	def, err := workflow.Decode(body)
	if err != nil {
		return nil, fmt.Errorf("decode definition %s: %w", name, err)
	}
	p = &plan{name: name, version: version, def: def, compiled: map[any]*expr.Compiled{}, loops: map[*workflow.Action][]*workflow.Action{}}
	for _, a := range def.AllActions() {
		var ls []*workflow.Action
		for _, anc := range a.Ancestors() {
			if anc.Canonical == workflow.ActionForeach || anc.Canonical == workflow.ActionUntil {
				ls = append([]*workflow.Action{anc}, ls...)
			}
		}
		p.loops[a] = ls
	}
	e.mu.Lock()
	e.plans[key] = p
	e.mu.Unlock()
	return p, nil
}

// compile returns the compiled form of a raw value of the definition,
// cached per definition version under key.
func (p *plan) compile(key any, raw any) (*expr.Compiled, error) {
	p.mu.Lock()
	c, ok := p.compiled[key]
	p.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := expr.CompileValue(raw)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.compiled[key] = c
	p.mu.Unlock()
	return c, nil
}

var errNotAvailable = errors.New("not available")
