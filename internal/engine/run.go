// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine/actions"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/workflow"
)

// Action statuses.
const (
	stRunning   = "Running"
	stSucceeded = "Succeeded"
	stFailed    = "Failed"
	stSkipped   = "Skipped"
	stTimedOut  = "TimedOut"
	stCancelled = "Cancelled"
)

func final(s string) bool { return s != stRunning && s != "" }

// Work item kinds.
const (
	workTimer    = "timer"
	workRetry    = "retry"
	workCallback = "callback"
	workChild    = "child"
	workTimeout  = "timeout"
	workCancel   = "cancel"
)

type event struct {
	work *store.WorkItem
	leaf *leafDone
}

type leafDone struct {
	key     string
	attempt int
	res     actions.Result
	err     error
	start   time.Time
	end     time.Time
	timeout bool
}

type attempt struct {
	Start  time.Time            `json:"startTime"`
	End    time.Time            `json:"endTime,omitzero"`
	Status string               `json:"status"`
	Error  *actions.ActionError `json:"error,omitempty"`
}

type impure struct {
	Now   time.Time `json:"now,omitzero"`
	GUIDs []string  `json:"guids,omitempty"`
	Rands []int64   `json:"rands,omitempty"`
}

// rec is the in-memory record of one action execution.
type rec struct {
	a        *workflow.Action
	key      string
	idx      []int
	Name     string               `json:"name"`
	Idx      []int                `json:"idx,omitempty"`
	Status   string               `json:"status"`
	Code     string               `json:"code,omitempty"`
	Inputs   any                  `json:"-"`
	Outputs  any                  `json:"-"`
	Error    *actions.ActionError `json:"error,omitempty"`
	Start    time.Time            `json:"startTime,omitzero"`
	End      time.Time            `json:"endTime,omitzero"`
	Attempts []attempt            `json:"attempts,omitempty"`
	Imp      *impure              `json:"impure,omitempty"`
	Branch   string               `json:"branch,omitempty"`
	Started  int                  `json:"started,omitempty"` // Foreach iterations started
	Iter     int                  `json:"iter,omitempty"`    // Until pass
	Tracked  any                  `json:"-"`
	Token    string               `json:"token,omitempty"`
	WaitKind string               `json:"wait,omitempty"`
	Secure   []string             `json:"secure,omitempty"`
	Sub      any                  `json:"-"` // webhook subscription outputs

	// in memory only
	done      int
	anyFailed bool
	// impMu guards Imp: a leaf goroutine may evaluate expressions while
	// the driver marshals the record. One lock per record, so runs do not
	// serialise on each other's marshalling.
	impMu sync.Mutex
}

type recJSON struct {
	*rec
	Inputs  json.RawMessage `json:"inputs,omitempty"`
	Outputs json.RawMessage `json:"outputs,omitempty"`
	Tracked json.RawMessage `json:"trackedProperties,omitempty"`
	Sub     json.RawMessage `json:"subscription,omitempty"`
	// Sealed holds the secured inputs and outputs (a secureParts), sealed
	// by Options.Sealer, when there is one.
	Sealed string `json:"sealed,omitempty"`
}

// secureParts are the values secureData hides, as sealed in a record.
type secureParts struct {
	Inputs  json.RawMessage `json:"inputs,omitempty"`
	Outputs json.RawMessage `json:"outputs,omitempty"`
}

// sealAAD binds a record's sealed values to its run and place.
func sealAAD(runID, key string) string { return "run/" + runID + "/" + key }

// SecureMarker replaces inputs and outputs hidden by secureData, as Logic
// Apps shows them.
const SecureMarker = "Content not shown due to security configuration."

func (rc *rec) secured(part string) bool { return slices.Contains(rc.Secure, part) }

func rawOf(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(fmt.Sprint(v))
	}
	return b
}

func decodeRaw(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	v, err := expr.Decode(b)
	if err != nil {
		return nil
	}
	return v
}

// marshal encodes the record as stored. Secured inputs and outputs are
// replaced by the marker; with a sealer they are kept sealed beside it,
// bound to runID and the record's key. A sealing error leaves them in
// memory only (the record is still good) and is returned with it.
func (rc *rec) marshal(sl Sealer, runID string) (data []byte, sealErr error) {
	rc.impMu.Lock()
	defer rc.impMu.Unlock()
	j := recJSON{rec: rc, Inputs: rawOf(rc.Inputs), Tracked: rawOf(rc.Tracked), Sub: rawOf(rc.Sub)}
	// Compose's outputs are its inputs: encode the object once.
	if in, ok := rc.Inputs.(*expr.Object); ok && in != nil && in == rc.Outputs {
		j.Outputs = j.Inputs
	} else {
		j.Outputs = rawOf(rc.Outputs)
	}
	var hidden secureParts
	if rc.secured("inputs") && rc.Inputs != nil {
		hidden.Inputs, j.Inputs = j.Inputs, rawOf(SecureMarker)
	}
	if rc.secured("outputs") && rc.Outputs != nil {
		hidden.Outputs, j.Outputs = j.Outputs, rawOf(SecureMarker)
	}
	if sl != nil && (hidden.Inputs != nil || hidden.Outputs != nil) {
		plain, _ := json.Marshal(hidden)
		env, err := sl.Seal(plain, sealAAD(runID, rc.key))
		clear(plain)
		if err != nil {
			sealErr = fmt.Errorf("sealing the secure data of %s: %w", rc.key, err)
		}
		j.Sealed = env
	}
	data, _ = json.Marshal(j)
	return data, sealErr
}

// unmarshalRec decodes a stored record; sealed is its sealed secure data
// ("" when none), for [openSecure].
func unmarshalRec(b []byte) (rc *rec, sealed string, err error) {
	rc = &rec{}
	j := recJSON{rec: rc}
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, "", err
	}
	rc.Inputs, rc.Outputs, rc.Tracked, rc.Sub = decodeRaw(j.Inputs), decodeRaw(j.Outputs), decodeRaw(j.Tracked), decodeRaw(j.Sub)
	return rc, j.Sealed, nil
}

// openSecure puts the sealed secure data of a loaded record back in place
// of the marker.
func openSecure(sl Sealer, runID, key string, rc *rec, sealed string) error {
	plain, err := sl.Open(sealed, sealAAD(runID, key))
	if err != nil {
		return err
	}
	defer clear(plain)
	var hidden secureParts
	if err := json.Unmarshal(plain, &hidden); err != nil {
		return err
	}
	if hidden.Inputs != nil {
		rc.Inputs = decodeRaw(hidden.Inputs)
	}
	if hidden.Outputs != nil {
		rc.Outputs = decodeRaw(hidden.Outputs)
	}
	return nil
}

func idxKey(idx []int) string {
	if len(idx) == 0 {
		return ""
	}
	var sb strings.Builder
	for i, n := range idx {
		if i > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(strconv.Itoa(n))
	}
	return sb.String()
}

func recKey(name string, idx []int) string {
	if len(idx) == 0 {
		return name
	}
	return name + "#" + idxKey(idx)
}

type runData struct {
	Parameters map[string]any       `json:"-"`
	ParamsRaw  json.RawMessage      `json:"parameters,omitempty"`
	ParentRun  string               `json:"parentRun,omitempty"`
	ParentRef  string               `json:"parentRef,omitempty"`
	Error      *actions.ActionError `json:"error,omitempty"`
	Outputs    json.RawMessage      `json:"outputs,omitempty"`
	Response   *Response            `json:"response,omitempty"`
	Terminated *termination         `json:"terminated,omitempty"`
}

func (d runData) MarshalJSON() ([]byte, error) {
	type plain runData
	p := plain(d)
	if d.Parameters != nil {
		p.ParamsRaw = rawOf(d.Parameters)
	}
	return json.Marshal(p)
}

type termination struct {
	Status string               `json:"status"`
	Error  *actions.ActionError `json:"error,omitempty"`
}

type triggerData struct {
	Name    string          `json:"name"`
	Outputs any             `json:"-"`
	Raw     json.RawMessage `json:"outputs,omitempty"`
	Time    time.Time       `json:"time"`
	// Sealed holds the outputs of a trigger with secureData, sealed by
	// Options.Sealer (Raw then holds the marker).
	Sealed string `json:"sealed,omitempty"`
}

// triggerAAD binds a run's sealed trigger outputs to the run.
func triggerAAD(runID string) string { return "run/" + runID + "/$trigger" }

// stored is the trigger as stored for run runID: outputs hidden by
// secureData become the marker, sealed beside it when there is a sealer
// (a sealing error is returned with the record, which stays good).
func (t triggerData) stored(secure bool, sl Sealer, runID string) ([]byte, error) {
	if !secure || (t.Outputs == nil && t.Raw == nil) {
		return json.Marshal(t)
	}
	raw := t.Raw
	if t.Outputs != nil {
		raw = rawOf(t.Outputs)
	}
	h := triggerData{Name: t.Name, Time: t.Time, Raw: rawOf(SecureMarker)}
	var sealErr error
	if sl != nil {
		if h.Sealed, sealErr = sl.Seal(raw, triggerAAD(runID)); sealErr != nil {
			sealErr = fmt.Errorf("sealing the trigger outputs: %w", sealErr)
		}
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	return b, sealErr
}

// open puts sealed trigger outputs back in place of the marker.
func (t *triggerData) open(sl Sealer, runID string) error {
	if t.Sealed == "" || sl == nil {
		return nil
	}
	plain, err := sl.Open(t.Sealed, triggerAAD(runID))
	if err != nil {
		return err
	}
	t.Raw = plain
	t.Outputs = decodeRaw(plain)
	return nil
}

func (t triggerData) MarshalJSON() ([]byte, error) {
	type plain triggerData
	p := plain(t)
	if t.Outputs != nil {
		p.Raw = rawOf(t.Outputs)
	}
	return json.Marshal(p)
}

type inst struct {
	list *workflow.ActionList
	idx  []int
}

func (in inst) key() string { return in.list.Path + "#" + idxKey(in.idx) }

type leafCall struct {
	rc      *rec
	f       actions.Func
	call    *actions.Call
	attempt int
	timeout time.Duration
}

// run is the driver state of one active run.
type run struct {
	e      *Engine
	id     string
	notify chan struct{}
	qmu    sync.Mutex
	queue  []event

	p       *plan
	row     store.Run
	data    runData
	trigger triggerData
	parked  bool

	mu       sync.RWMutex // guards recs and vars against leaf goroutines' reads
	recs     map[string]*rec
	vars     map[string]any // lower-case name
	varTypes map[string]string

	dirty      []inst
	dirtySet   map[string]bool
	doneInst   map[string]bool
	batch      store.Batch
	inBatch    map[string]int // action key → index in batch.Actions
	launch     []*leafCall
	postCommit []func()
	inflight   int
	lctx       context.Context
	lcancel    context.CancelFunc
	finished   bool
	kickPoll   bool
	saveData   bool // r.data changed: write it at the next flush
	// created, while the run's row is still in batch.NewRuns (a new run
	// handed over by startRun), receives the outcome of the commit that
	// makes the run durable.
	created chan error
}

func (r *run) post(evs ...event) {
	if len(evs) == 0 {
		return
	}
	r.qmu.Lock()
	r.queue = append(r.queue, evs...)
	r.qmu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

func (r *run) take() []event {
	r.qmu.Lock()
	defer r.qmu.Unlock()
	q := r.queue
	r.queue = nil
	return q
}

func (r *run) logErr(msg string, err error) {
	r.e.log.Error(msg, "run_id", r.id, "error", err)
}

// drive runs the run until it finishes or parks.
func (r *run) drive() {
	ctx := r.e.ctx
	// A new run arrives with its state built (newRun); any other run is
	// read back from the store.
	if r.p == nil {
		if err := r.load(ctx); err != nil {
			if !errors.Is(err, errRunFinished) {
				r.logErr("loading run", err)
			}
			// Drop the work that woke a finished or broken run.
			for _, ev := range r.take() {
				if ev.work != nil {
					r.batch.DoneWork = append(r.batch.DoneWork, ev.work.ID)
				}
			}
			if len(r.batch.DoneWork) > 0 && errors.Is(err, errRunFinished) {
				_ = r.e.st.Commit(ctx, &r.batch)
			}
			for !r.e.retire(r) {
				r.take()
			}
			return
		}
	}
	r.lctx, r.lcancel = context.WithCancel(ctx)
	defer r.lcancel()
	for {
		for _, ev := range r.take() {
			r.handle(ev)
		}
		r.advance()
		if !r.finished && r.inflight == 0 && len(r.dirty) == 0 && r.data.Terminated == nil && r.rootDone() {
			r.finish()
		}
		if r.data.Terminated != nil && !r.finished {
			r.finish()
		}
		if err := r.flush(ctx); err != nil {
			if ctx.Err() == nil {
				r.logErr("persisting run state", err)
			}
			// The state in memory is ahead of the store: stop and let a
			// restart resume from the store.
			for !r.e.retire(r) {
				r.take()
			}
			return
		}
		if r.finished {
			r.e.notifyDone(r.id)
			for !r.e.retire(r) {
				r.take()
			}
			return
		}
		if len(r.dirty) > 0 {
			continue
		}
		if r.inflight == 0 {
			if !r.parked {
				r.parked = true
				if err := r.e.st.Commit(ctx, &store.Batch{RunUpdates: []store.RunUpdate{{ID: r.id, Status: store.StatusRunning, Parked: true}}}); err != nil {
					r.parked = false
				}
			}
			if r.e.retire(r) {
				return
			}
			continue
		}
		select {
		case <-r.notify:
		case <-ctx.Done():
			for !r.e.retire(r) {
				r.take()
			}
			return
		}
	}
}

var errRunFinished = errors.New("run has finished")

// initState makes the in-memory maps of a run and marks its top level for
// a scan.
func (r *run) initState() {
	r.recs = map[string]*rec{}
	r.vars, r.varTypes = map[string]any{}, map[string]string{}
	r.dirtySet, r.doneInst = map[string]bool{}, map[string]bool{}
	r.markDirty(inst{list: r.p.def.Actions})
}

// decode reads the stored run data b (empty: nothing stored).
func (d *runData) decode(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, d); err != nil {
		return fmt.Errorf("decode run data: %w", err)
	}
	if m, ok := decodeRaw(d.ParamsRaw).(*expr.Object); ok {
		d.Parameters = make(map[string]any, m.Len())
		for _, k := range m.Keys() {
			d.Parameters[k], _ = m.Get(k)
		}
	}
	return nil
}

// decode reads the stored trigger record b (empty: nothing stored).
func (t *triggerData) decode(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, t); err != nil {
		return fmt.Errorf("decode trigger: %w", err)
	}
	t.Outputs = decodeRaw(t.Raw)
	return nil
}

func (r *run) load(ctx context.Context) error {
	row, err := r.e.st.Run(ctx, r.id)
	if err != nil {
		return err
	}
	r.row = row
	if row.Status != store.StatusRunning {
		return errRunFinished
	}
	r.parked = row.Parked
	p, err := r.e.planFor(ctx, row.Workflow, row.Version, nil)
	if err != nil {
		return err
	}
	r.p = p
	if err := r.data.decode(row.Data); err != nil {
		return err
	}
	if err := r.trigger.decode(row.Trigger); err != nil {
		return err
	}
	if err := r.trigger.open(r.e.opts.Sealer, r.id); err != nil {
		r.e.log.Warn("the secure trigger outputs cannot be opened; the run goes on with the marker",
			slog.String("run", r.id), slog.String("error", err.Error()))
	}
	recs, err := r.e.st.Actions(ctx, r.id)
	if err != nil {
		return err
	}
	vars, err := r.e.st.Variables(ctx, r.id)
	if err != nil {
		return err
	}
	r.initState()
	for _, ar := range recs {
		rc, sealed, err := unmarshalRec(ar.Data)
		if err != nil {
			return fmt.Errorf("decode action record %s: %w", ar.Key, err)
		}
		rc.a = p.def.Action(rc.Name)
		if rc.a == nil {
			continue
		}
		rc.key, rc.idx = ar.Key, rc.Idx
		if sealed != "" && r.e.opts.Sealer != nil {
			if err := openSecure(r.e.opts.Sealer, r.id, ar.Key, rc, sealed); err != nil {
				// The marker stays: later actions read it, as without a
				// sealer. Say so once per record.
				r.e.log.Warn("the secure data of an action cannot be opened; the run goes on with the marker",
					slog.String("run", r.id), slog.String("action", ar.Key), slog.String("error", err.Error()))
			}
		}
		r.recs[ar.Key] = rc
	}
	for _, v := range vars {
		var vv varValue
		if err := json.Unmarshal(v.Value, &vv); err != nil {
			return fmt.Errorf("decode variable %s: %w", v.Name, err)
		}
		r.vars[v.Name] = decodeRaw(vv.Value)
		r.varTypes[v.Name] = vv.Type
	}
	// Resume: every container in progress rescans its instances; every
	// leaf that was in flight runs again (at least once).
	keys := make([]string, 0, len(r.recs))
	for k := range r.recs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		rc := r.recs[k]
		if rc.Status != stRunning {
			continue
		}
		switch rc.a.Canonical {
		case workflow.ActionScope:
			r.markDirty(inst{list: rc.a.Actions, idx: rc.idx})
		case workflow.ActionIf, workflow.ActionSwitch:
			if l := branchList(rc.a, rc.Branch); l != nil {
				r.markDirty(inst{list: l, idx: rc.idx})
			}
		case workflow.ActionForeach:
			for i := range rc.Started {
				r.markDirty(inst{list: rc.a.Actions, idx: appendIdx(rc.idx, i)})
			}
		case workflow.ActionUntil:
			r.markDirty(inst{list: rc.a.Actions, idx: appendIdx(rc.idx, rc.Iter)})
		default:
			if rc.WaitKind == "" {
				r.relaunch(rc)
			}
		}
	}
	return nil
}

func appendIdx(idx []int, i int) []int {
	out := make([]int, len(idx)+1)
	copy(out, idx)
	out[len(idx)] = i
	return out
}

func (r *run) markDirty(in inst) {
	if in.list == nil {
		return
	}
	k := in.key()
	if r.dirtySet[k] {
		return
	}
	r.dirtySet[k] = true
	r.dirty = append(r.dirty, in)
}

// advance starts everything that is ready.
func (r *run) advance() {
	for len(r.dirty) > 0 && r.data.Terminated == nil {
		if r.e.opts.CommitEachStep && len(r.batch.Actions) > 0 {
			return
		}
		in := r.dirty[0]
		r.dirty = r.dirty[1:]
		delete(r.dirtySet, in.key())
		r.scan(in)
	}
}

func (r *run) scan(in inst) {
	allFinal := true
	for _, a := range in.list.All() {
		if r.data.Terminated != nil {
			return
		}
		k := recKey(a.Name, in.idx)
		rc := r.recs[k]
		if rc == nil {
			ready, ok, why := r.runAfter(a, in)
			if !ready {
				allFinal = false
				continue
			}
			if !ok {
				r.skip(a, in.idx, why)
				r.markDirty(in)
				continue
			}
			r.startAction(a, in.idx)
			rc = r.recs[k]
			if final(rc.Status) {
				r.markDirty(in)
				if r.e.opts.CommitEachStep {
					return
				}
			}
		}
		if !final(rc.Status) {
			allFinal = false
		}
	}
	if allFinal && !r.doneInst[in.key()] {
		r.doneInst[in.key()] = true
		r.instDone(in)
	}
}

// runAfter reports whether a's predecessors have all finished and whether
// their statuses satisfy a's runAfter; why explains a skip.
func (r *run) runAfter(a *workflow.Action, in inst) (ready, ok bool, why string) {
	ok = true
	for name, want := range a.RunAfter {
		p := in.list.Get(name)
		if p == nil {
			continue
		}
		prc := r.recs[recKey(p.Name, in.idx)]
		if prc == nil || !final(prc.Status) {
			return false, false, ""
		}
		if len(want) == 0 {
			want = []workflow.Status{workflow.StatusSucceeded}
		}
		match := false
		for _, s := range want {
			if strings.EqualFold(string(s), prc.Status) {
				match = true
			}
		}
		if !match && ok {
			ok = false
			ws := make([]string, len(want))
			for i, s := range want {
				ws[i] = "'" + string(s) + "'"
			}
			why = fmt.Sprintf("The execution of template action '%s' is skipped: the 'runAfter' condition for action '%s' is not satisfied. Expected status values %s and actual value '%s'.",
				a.Name, p.Name, strings.Join(ws, ", "), prc.Status)
		}
	}
	return true, ok, why
}

func (r *run) putRec(rc *rec) {
	r.mu.Lock()
	r.recs[rc.key] = rc
	r.mu.Unlock()
	r.save(rc)
}

// save queues rc for the next commit.
func (r *run) save(rc *rec) {
	rc.Idx = rc.idx
	if i, ok := r.inBatch[rc.key]; ok {
		r.batch.Actions[i].Status = rc.Status
		r.batch.Actions[i].Data = nil // marshalled at flush
		return
	}
	if r.inBatch == nil {
		r.inBatch = map[string]int{}
	}
	r.inBatch[rc.key] = len(r.batch.Actions)
	r.batch.Actions = append(r.batch.Actions, store.ActionRecord{RunID: r.id, Key: rc.key, Name: rc.Name, Status: rc.Status})
}

// skip marks a (and everything inside it, outside loops) Skipped.
func (r *run) skip(a *workflow.Action, idx []int, why string) {
	rc := &rec{a: a, key: recKey(a.Name, idx), idx: idx, Name: a.Name, Status: stSkipped}
	if why != "" {
		rc.Code = "ActionConditionFailed"
		rc.Error = &actions.ActionError{Code: "ActionConditionFailed", Message: why}
	}
	r.putRec(rc)
	if a.Canonical == workflow.ActionForeach || a.Canonical == workflow.ActionUntil {
		return
	}
	for _, l := range a.Children() {
		r.skipList(l, idx, "")
	}
}

func (r *run) skipList(l *workflow.ActionList, idx []int, branch string) {
	for _, c := range l.All() {
		if r.recs[recKey(c.Name, idx)] != nil {
			continue
		}
		why := ""
		if branch != "" {
			why = branch
		}
		r.skip(c, idx, why)
		if branch != "" {
			rc := r.recs[recKey(c.Name, idx)]
			rc.Code = "ActionBranchingConditionNotSatisfied"
			rc.Error = &actions.ActionError{Code: "ActionBranchingConditionNotSatisfied", Message: fmt.Sprintf("The execution of template action '%s' skipped: the branching condition for this action is not satisfied.", c.Name)}
		}
	}
}

// rootDone reports whether every top-level action has finished.
func (r *run) rootDone() bool {
	for _, a := range r.p.def.Actions.All() {
		rc := r.recs[a.Name]
		if rc == nil || !final(rc.Status) {
			return false
		}
	}
	return true
}

// listStatus judges an action list instance by the ends of its branches:
// a skipped end takes its predecessors' status.
func (r *run) listStatus(l *workflow.ActionList, idx []int) string {
	if l == nil {
		return stSucceeded
	}
	var eff func(a *workflow.Action, depth int) string
	eff = func(a *workflow.Action, depth int) string {
		rc := r.recs[recKey(a.Name, idx)]
		if rc == nil {
			return stSucceeded
		}
		if rc.Status != stSkipped || depth > 1000 {
			return rc.Status
		}
		out := stSucceeded
		for _, p := range l.Predecessors(a) {
			if s := eff(p, depth+1); s != stSucceeded && s != stSkipped {
				out = s
			}
		}
		return out
	}
	status := stSucceeded
	for _, a := range l.All() {
		if len(a.Successors()) > 0 {
			continue
		}
		switch eff(a, 0) {
		case stFailed, stTimedOut, stCancelled:
			status = stFailed
		}
	}
	return status
}

// flush commits the batch, then launches leaf actions and post-commit work.
func (r *run) flush(ctx context.Context) error {
	b := &r.batch
	for i := range b.Actions {
		if b.Actions[i].Data == nil {
			data, err := r.recs[b.Actions[i].Key].marshal(r.e.opts.Sealer, r.id)
			if err != nil {
				r.e.log.Warn("the secure data of an action stays in memory only", slog.String("run", r.id), slog.String("error", err.Error()))
			}
			b.Actions[i].Data = data
		}
	}
	if r.saveData {
		r.saveData = false
		if !r.finished {
			data, _ := json.Marshal(r.data)
			b.RunUpdates = append(b.RunUpdates, runDataUpdate(r.id, data))
		}
	}
	if r.parked && !b.Empty() && !r.finished {
		b.RunUpdates = append(b.RunUpdates, store.RunUpdate{ID: r.id, Status: store.StatusRunning, Parked: false})
		r.parked = false
	}
	if !b.Empty() {
		r.foldRunUpdates(b)
		err := r.e.st.Commit(ctx, b)
		if r.created != nil {
			r.created <- err
			r.created = nil
		}
		if err != nil {
			return err
		}
		if len(b.Work) > 0 || r.kickPoll {
			r.e.kick()
			r.kickPoll = false
		}
	}
	r.batch = store.Batch{}
	clear(r.inBatch)
	for _, lc := range r.launch {
		r.start(lc)
	}
	r.launch = r.launch[:0]
	pc := r.postCommit
	r.postCommit = nil
	for _, f := range pc {
		f()
	}
	return nil
}

// foldRunUpdates merges this run's updates in b into one (applied in
// order; a nil Data keeps the previous one) and, when b also creates the
// run, into the new row itself: a Request → Compose → Response run then
// writes its row once instead of three times (insert, Response data,
// final status).
func (r *run) foldRunUpdates(b *store.Batch) {
	n := 0
	for _, u := range b.RunUpdates {
		if u.ID == r.id {
			n++
		}
	}
	newRow := -1
	for i := range b.NewRuns {
		if b.NewRuns[i].ID == r.id {
			newRow = i
		}
	}
	if n == 0 || n == 1 && newRow < 0 {
		return
	}
	var merged store.RunUpdate
	out := b.RunUpdates[:0]
	for _, u := range b.RunUpdates {
		if u.ID != r.id {
			out = append(out, u)
			continue
		}
		if u.Data == nil {
			u.Data = merged.Data
		}
		merged = u
	}
	if newRow < 0 {
		b.RunUpdates = append(out, merged)
		return
	}
	nr := &b.NewRuns[newRow]
	nr.Status, nr.Parked, nr.Ended = merged.Status, merged.Parked, merged.Ended
	if merged.Data != nil {
		nr.Data = merged.Data
	}
	b.RunUpdates = out
}

func (r *run) start(lc *leafCall) {
	r.inflight++
	ctx := r.lctx
	var cancel context.CancelFunc
	if lc.timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, lc.timeout)
	}
	go func() {
		if cancel != nil {
			defer cancel()
		}
		start := r.e.now()
		res, err := safeCall(ctx, lc.f, lc.call)
		d := &leafDone{key: lc.rc.key, attempt: lc.attempt, res: res, err: err, start: start, end: r.e.now()}
		if err != nil && lc.timeout > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			d.timeout = true
		}
		r.post(event{leaf: d})
	}()
}

func safeCall(ctx context.Context, f actions.Func, c *actions.Call) (res actions.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &actions.ActionError{Code: "InternalError", Message: fmt.Sprintf("action '%s' panicked: %v", c.Name, p)}
		}
	}()
	return f(ctx, c)
}

// finish computes the run's status and outputs and queues the final update.
func (r *run) finish() {
	r.finished = true
	now := r.e.now()
	status := stSucceeded
	var rerr *actions.ActionError
	if t := r.data.Terminated; t != nil {
		status, rerr = t.Status, t.Error
		// Whatever was in progress is cancelled; a webhook action waiting
		// for its callback is unsubscribed and its callback URL retired,
		// so the service stops calling a run that will never listen.
		for _, rc := range r.recs {
			if rc.Status == stRunning {
				if rc.WaitKind == workCallback {
					r.batch.DoneCallbacks = append(r.batch.DoneCallbacks, rc.Token)
					r.unsubscribe(rc)
				}
				rc.Status, rc.End = stCancelled, now
				rc.Code = "Cancelled"
				r.save(rc)
			}
		}
		r.lcancel()
	} else if r.listStatus(r.p.def.Actions, nil) != stSucceeded {
		status = stFailed
		rerr = &actions.ActionError{Code: "ActionFailed", Message: "An action failed. No dependent actions succeeded."}
	}
	if len(r.p.def.Outputs) > 0 {
		outs := expr.NewObject(len(r.p.def.Outputs))
		names := make([]string, 0, len(r.p.def.Outputs))
		for n := range r.p.def.Outputs {
			names = append(names, n)
		}
		slices.Sort(names)
		env := r.env(nil, nil, nil)
		for _, n := range names {
			o := r.p.def.Outputs[n]
			c, err := r.p.compile(o, o.Value)
			var v any
			if err == nil {
				v, err = c.Eval(env)
			}
			if err != nil {
				if status == stSucceeded {
					status = stFailed
					rerr = &actions.ActionError{Code: "InvalidTemplate", Message: fmt.Sprintf("Unable to process template language expressions for the workflow output '%s': '%v'.", n, err)}
				}
				continue
			}
			if strings.HasPrefix(strings.ToLower(o.Type), "secure") {
				v = SecureMarker
			}
			outs.Set(n, map[string]any{"type": o.Type, "value": v})
		}
		r.data.Outputs = rawOf(outs)
	}
	r.data.Error = rerr
	data, _ := json.Marshal(r.data)
	r.batch.RunUpdates = append(r.batch.RunUpdates, store.RunUpdate{ID: r.id, Status: status, Ended: now, Data: data})
	if r.data.ParentRun != "" {
		payload := childPayload{Status: status, Error: rerr}
		r.batch.Work = append(r.batch.Work, store.WorkItem{RunID: r.data.ParentRun, Kind: workChild, Ref: r.data.ParentRef, Due: now, Payload: rawOf(payload)})
	}
	r.postCommit = append(r.postCommit, func() { r.e.notifyResponse(r.id, r.data.Response) })
	r.e.log.Debug("run finished", "run_id", r.id, "status", status)
}

type childPayload struct {
	Status   string               `json:"status"`
	Response *Response            `json:"response,omitempty"`
	Error    *actions.ActionError `json:"error,omitempty"`
}

// terminate ends the run with status (Terminate action, cancellation).
func (r *run) terminate(status string, err *actions.ActionError) {
	if r.data.Terminated != nil {
		return
	}
	if status == stFailed && err == nil {
		err = &actions.ActionError{Code: "Terminated", Message: "The run was terminated with status 'Failed'."}
	}
	if status != stFailed {
		err = nil
		if status == stCancelled {
			err = &actions.ActionError{Code: "Cancelled", Message: "The run was cancelled."}
		}
	}
	r.data.Terminated = &termination{Status: status, Error: err}
}

func branchList(a *workflow.Action, branch string) *workflow.ActionList {
	switch branch {
	case "":
		return nil
	case "actions":
		return a.Actions
	case "else":
		return a.Else
	case "default":
		return a.Default
	}
	if c := a.Case(branch); c != nil {
		return c.Actions
	}
	return nil
}
