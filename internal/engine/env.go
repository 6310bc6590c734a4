// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine/actions"
	"github.com/junction-run/junction/workflow"
)

// actEnv is the expression context of one action execution. Impure values
// are recorded in the action's record and replayed on re-evaluation.
type actEnv struct {
	expr.BaseEnv
	r        *run
	a        *workflow.Action // nil at the workflow level (outputs)
	idx      []int
	rc       *rec
	gi, ri   int
	selfLoop *workflow.Action
	selfIdx  int
}

func (r *run) env(a *workflow.Action, idx []int, rc *rec) *actEnv {
	return &actEnv{r: r, a: a, idx: idx, rc: rc}
}

var _ expr.Env = (*actEnv)(nil)

func errValue(e *actions.ActionError) any {
	if e == nil {
		return nil
	}
	o := expr.NewObject(2)
	o.Set("code", e.Code)
	o.Set("message", e.Message)
	return o
}

func (x *actEnv) result(rc *rec) *expr.ActionResult {
	return &expr.ActionResult{
		Name: rc.Name, Inputs: rc.Inputs, Outputs: rc.Outputs, Status: rc.Status, Code: rc.Code,
		StartTime: rc.Start, EndTime: rc.End, Error: errValue(rc.Error), TrackingID: rc.key,
	}
}

// Trigger implements [expr.Env].
func (x *actEnv) Trigger() (*expr.ActionResult, error) {
	t := x.r.trigger
	return &expr.ActionResult{Name: t.Name, Outputs: t.Outputs, Status: stSucceeded, Code: "OK", StartTime: t.Time, EndTime: t.Time}, nil
}

// Action implements [expr.Env].
func (x *actEnv) Action(name string) (*expr.ActionResult, error) {
	b := x.r.p.def.Action(name)
	if b == nil {
		return nil, fmt.Errorf("the action '%s' is %w: it does not exist in the workflow", name, expr.ErrNotAvailable)
	}
	loops := x.r.p.loops[b]
	if len(loops) > len(x.idx) {
		return nil, fmt.Errorf("the action '%s' runs inside a loop that does not enclose this action: it is %w here", name, expr.ErrNotAvailable)
	}
	x.r.mu.RLock()
	rc := x.r.recs[recKey(b.Name, x.idx[:len(loops)])]
	x.r.mu.RUnlock()
	if rc == nil {
		return nil, fmt.Errorf("the action '%s' has not run yet: its result is %w", name, expr.ErrNotAvailable)
	}
	return x.result(rc), nil
}

// CurrentAction implements [expr.Env].
func (x *actEnv) CurrentAction() (*expr.ActionResult, error) {
	if x.rc == nil {
		return x.BaseEnv.CurrentAction()
	}
	res := x.result(x.rc)
	if x.rc.Sub != nil && res.Outputs == nil {
		res.Outputs = x.rc.Sub
	}
	return res, nil
}

// Variable implements [expr.Env].
func (x *actEnv) Variable(name string) (any, error) {
	x.r.mu.RLock()
	v, ok := x.r.vars[strings.ToLower(name)]
	x.r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("the variable '%s' is %w: it has not been initialized", name, expr.ErrNotAvailable)
	}
	return v, nil
}

// Parameter implements [expr.Env].
func (x *actEnv) Parameter(name string) (any, error) {
	if v, ok := x.r.data.Parameters[name]; ok {
		return v, nil
	}
	for k, v := range x.r.data.Parameters {
		if strings.EqualFold(k, name) {
			return v, nil
		}
	}
	d := x.r.p.def
	if d.ParameterValues != nil {
		if pv, ok := getCI(d.ParameterValues, name).(*expr.Object); ok {
			if v, ok := pv.Get("value"); ok {
				return v, nil
			}
		}
	}
	if p := d.Parameter(name); p != nil {
		if p.HasDefault {
			return p.DefaultValue, nil
		}
		return nil, fmt.Errorf("the parameter '%s' has no value and no default", name)
	}
	return nil, fmt.Errorf("the parameter '%s' is %w: it is not declared", name, expr.ErrNotAvailable)
}

func (x *actEnv) loops() []*workflow.Action {
	if x.a == nil {
		return nil
	}
	return x.r.p.loops[x.a]
}

// Item implements [expr.Env].
func (x *actEnv) Item(loop string) (any, error) {
	ls := x.loops()
	for j := len(ls) - 1; j >= 0; j-- {
		l := ls[j]
		if loop == "" && l.Canonical != workflow.ActionForeach {
			continue
		}
		if loop != "" && !strings.EqualFold(l.Name, loop) {
			continue
		}
		if l.Canonical != workflow.ActionForeach || j >= len(x.idx) {
			break
		}
		x.r.mu.RLock()
		rc := x.r.recs[recKey(l.Name, x.idx[:j])]
		x.r.mu.RUnlock()
		if rc == nil {
			break
		}
		items, _ := rc.Inputs.([]any)
		if i := x.idx[j]; i < len(items) {
			return items[i], nil
		}
		break
	}
	return x.BaseEnv.Item(loop)
}

// IterationIndex implements [expr.Env].
func (x *actEnv) IterationIndex(loop string) (int64, error) {
	if x.selfLoop != nil && (loop == "" || strings.EqualFold(loop, x.selfLoop.Name)) {
		return int64(x.selfIdx), nil
	}
	ls := x.loops()
	for j := len(ls) - 1; j >= 0; j-- {
		if (loop == "" || strings.EqualFold(ls[j].Name, loop)) && j < len(x.idx) {
			return int64(x.idx[j]), nil
		}
	}
	return x.BaseEnv.IterationIndex(loop)
}

// Result implements [expr.Env].
func (x *actEnv) Result(scope string) (any, error) {
	s := x.r.p.def.Action(scope)
	if s == nil || len(s.Children()) == 0 {
		return x.BaseEnv.Result(scope)
	}
	outer := x.r.p.loops[s]
	if len(outer) > len(x.idx) {
		return x.BaseEnv.Result(scope)
	}
	prefix := idxKey(x.idx[:len(outer)])
	isLoop := s.Canonical == workflow.ActionForeach || s.Canonical == workflow.ActionUntil
	out := []any{}
	x.r.mu.RLock()
	defer x.r.mu.RUnlock()
	for _, l := range s.Children() {
		for _, a := range l.All() {
			if !isLoop {
				if rc := x.r.recs[recKey(a.Name, x.idx[:len(outer)])]; rc != nil {
					out = append(out, x.result(rc).Value())
				}
				continue
			}
			for _, rc := range x.r.repetitions(a.Name, len(outer)+1, prefix) {
				out = append(out, x.result(rc).Value())
			}
		}
	}
	return out, nil
}

// repetitions returns the records of name with n iteration indexes whose
// first n-1 indexes are prefix, in iteration order. Callers hold r.mu.
func (r *run) repetitions(name string, n int, prefix string) []*rec {
	var out []*rec
	for _, rc := range r.recs {
		if rc.Name != name || len(rc.idx) != n || idxKey(rc.idx[:n-1]) != prefix {
			continue
		}
		out = append(out, rc)
	}
	sortRecs(out)
	return out
}

func sortRecs(rs []*rec) {
	less := func(a, b []int) bool {
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				return a[i] < b[i]
			}
		}
		return len(a) < len(b)
	}
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && less(rs[j].idx, rs[j-1].idx); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// Workflow implements [expr.Env].
func (x *actEnv) Workflow() (any, error) {
	o := expr.NewObject(5)
	o.Set("id", x.r.row.Workflow)
	o.Set("name", x.r.row.Workflow)
	o.Set("type", "Microsoft.Logic/workflows")
	run := expr.NewObject(3)
	run.Set("id", x.r.id)
	run.Set("name", x.r.id)
	run.Set("type", "Microsoft.Logic/workflows/runs")
	o.Set("run", run)
	o.Set("version", x.r.row.Version)
	return o, nil
}

// ListCallbackURL implements [expr.Env].
func (x *actEnv) ListCallbackURL() (string, error) {
	if x.rc == nil || x.rc.Token == "" {
		return x.BaseEnv.ListCallbackURL()
	}
	return strings.TrimRight(x.r.e.opts.CallbackBaseURL, "/") + "/callbacks/" + x.rc.Token, nil
}

// AppSetting implements [expr.Env].
func (x *actEnv) AppSetting(name string) (string, error) {
	if v, ok := x.r.e.opts.AppSettings[name]; ok {
		return v, nil
	}
	return x.BaseEnv.AppSetting(name)
}

// Now implements [expr.Env]: the time is taken once per action execution.
func (x *actEnv) Now() time.Time {
	if x.rc == nil || x.rc.Imp == nil {
		return x.r.e.now()
	}
	x.rc.impMu.Lock()
	defer x.rc.impMu.Unlock()
	if x.rc.Imp.Now.IsZero() {
		x.rc.Imp.Now = x.r.e.now()
	}
	return x.rc.Imp.Now
}

// NewGUID implements [expr.Env] with recorded values.
func (x *actEnv) NewGUID() string {
	if x.rc == nil || x.rc.Imp == nil {
		return x.BaseEnv.NewGUID()
	}
	x.rc.impMu.Lock()
	defer x.rc.impMu.Unlock()
	if x.gi < len(x.rc.Imp.GUIDs) {
		x.gi++
		return x.rc.Imp.GUIDs[x.gi-1]
	}
	g := x.BaseEnv.NewGUID()
	x.rc.Imp.GUIDs = append(x.rc.Imp.GUIDs, g)
	x.gi++
	return g
}

// Rand implements [expr.Env] with recorded values.
func (x *actEnv) Rand(lo, hi int64) (int64, error) {
	if x.rc == nil || x.rc.Imp == nil {
		return x.BaseEnv.Rand(lo, hi)
	}
	x.rc.impMu.Lock()
	defer x.rc.impMu.Unlock()
	if x.ri < len(x.rc.Imp.Rands) {
		x.ri++
		return x.rc.Imp.Rands[x.ri-1], nil
	}
	v, err := x.BaseEnv.Rand(lo, hi)
	if err != nil {
		return 0, err
	}
	x.rc.Imp.Rands = append(x.rc.Imp.Rands, v)
	x.ri++
	return v, nil
}
