// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine/actions"
	"github.com/junction-run/junction/workflow"
)

func templateError(a *workflow.Action, what string, err error) *actions.ActionError {
	return &actions.ActionError{Code: "InvalidTemplate", Message: fmt.Sprintf("Unable to process template language expressions in action '%s' %s: '%v'.", a.Name, what, err)}
}

func (r *run) newRec(a *workflow.Action, idx []int) *rec {
	rc := &rec{a: a, key: recKey(a.Name, idx), idx: idx, Name: a.Name, Status: stRunning, Start: r.e.now(), Imp: &impure{}}
	if rtc := a.RuntimeConfiguration; rtc != nil {
		rc.Secure = rtc.SecureData
	}
	return rc
}

// evalInputs evaluates the action's inputs with rc's recorded impure values.
func (r *run) evalInputs(rc *rec) (any, error) {
	a := rc.a
	if !a.HasInputs {
		return nil, nil
	}
	c, err := r.p.compile(a, a.Inputs)
	if err != nil {
		return nil, err
	}
	return c.Eval(r.env(a, rc.idx, rc))
}

func (r *run) evalValue(key any, raw any, rc *rec) (any, error) {
	c, err := r.p.compile(key, raw)
	if err != nil {
		return nil, err
	}
	return c.Eval(r.env(rc.a, rc.idx, rc))
}

// complete ends rc with status and schedules the rescan of its list.
func (r *run) complete(rc *rec, status string, outputs any, aerr *actions.ActionError) {
	r.mu.Lock()
	rc.Status, rc.Outputs, rc.Error, rc.End = status, outputs, aerr, r.e.now()
	rc.WaitKind = ""
	if aerr != nil {
		rc.Code = aerr.Code
	} else if status == stSucceeded {
		rc.Code = "OK"
	}
	r.mu.Unlock()
	if tp := rc.a.TrackedProperties; tp != nil {
		if v, err := r.evalValue(&rc.a.TrackedProperties, tp, rc); err == nil {
			rc.Tracked = v
		}
	}
	r.save(rc)
	r.markDirty(inst{list: rc.a.List, idx: rc.idx})
}

func (r *run) fail(rc *rec, aerr *actions.ActionError) { r.complete(rc, stFailed, nil, aerr) }

// startAction starts a whose runAfter is satisfied.
func (r *run) startAction(a *workflow.Action, idx []int) {
	rc := r.newRec(a, idx)
	r.mu.Lock()
	r.recs[rc.key] = rc
	r.mu.Unlock()
	r.save(rc)
	switch a.Canonical {
	case workflow.ActionCompose:
		v, err := r.evalInputs(rc)
		if err != nil {
			r.fail(rc, templateError(a, "inputs", err))
			return
		}
		rc.Inputs = v
		r.complete(rc, stSucceeded, v, nil)
	case workflow.ActionInitializeVariable, workflow.ActionSetVariable, workflow.ActionIncrementVariable,
		workflow.ActionDecrementVariable, workflow.ActionAppendToArrayVariable, workflow.ActionAppendToStringVariable:
		r.variableAction(rc)
	case workflow.ActionIf:
		r.startIf(rc)
	case workflow.ActionSwitch:
		r.startSwitch(rc)
	case workflow.ActionScope:
		rc.Branch = "actions"
		r.enterBranch(rc, a.Actions)
	case workflow.ActionForeach:
		r.startForeach(rc)
	case workflow.ActionUntil:
		r.startUntil(rc)
	case workflow.ActionTerminate:
		r.startTerminate(rc)
	case workflow.ActionResponse:
		r.startResponse(rc)
	case workflow.ActionWait:
		r.startWait(rc)
	case workflow.ActionWorkflow:
		r.startWorkflow(rc)
	case workflow.ActionHTTPWebhook, workflow.ActionAPIConnectionWebhook:
		rc.Token = newID() + newID()
		r.launchLeaf(rc)
	default:
		r.launchLeaf(rc)
	}
}

// enterBranch runs list as the body of container rc (same iteration).
func (r *run) enterBranch(rc *rec, l *workflow.ActionList) {
	if l.Len() == 0 {
		r.complete(rc, stSucceeded, nil, nil)
		return
	}
	r.markDirty(inst{list: l, idx: rc.idx})
}

// instDone is called once when every action of a list instance has ended.
func (r *run) instDone(in inst) {
	owner := in.list.Owner
	if owner == nil {
		return
	}
	switch owner.Canonical {
	case workflow.ActionForeach:
		parent := in.idx[:len(in.idx)-1]
		rc := r.recs[recKey(owner.Name, parent)]
		if rc == nil || rc.Status != stRunning {
			return
		}
		rc.done++
		if r.listStatus(in.list, in.idx) != stSucceeded {
			rc.anyFailed = true
		}
		r.nextIterations(rc)
	case workflow.ActionUntil:
		parent := in.idx[:len(in.idx)-1]
		rc := r.recs[recKey(owner.Name, parent)]
		if rc == nil || rc.Status != stRunning || in.idx[len(in.idx)-1] != rc.Iter {
			return
		}
		r.untilPassDone(rc, in)
	default:
		rc := r.recs[recKey(owner.Name, in.idx)]
		if rc == nil || rc.Status != stRunning {
			return
		}
		r.complete(rc, r.listStatus(in.list, in.idx), rc.Outputs, failedInside(r.listStatus(in.list, in.idx)))
	}
}

func failedInside(status string) *actions.ActionError {
	if status == stSucceeded {
		return nil
	}
	return &actions.ActionError{Code: "ActionFailed", Message: "An action failed. No dependent actions succeeded."}
}

// condition evaluates an If/Until expression (string or object form).
func (r *run) condition(rc *rec, env expr.Env) (bool, error) {
	a := rc.a
	if s, ok := a.Expression.(string); ok {
		c, err := r.p.compile(&a.Expression, s)
		if err != nil {
			return false, err
		}
		v, err := c.Eval(env)
		if err != nil {
			return false, err
		}
		switch b := v.(type) {
		case bool:
			return b, nil
		case string:
			if strings.EqualFold(b, "true") {
				return true, nil
			}
			if strings.EqualFold(b, "false") {
				return false, nil
			}
		}
		return false, fmt.Errorf("the expression '%s' evaluated to a value of type '%s' and not a boolean", s, typeName(v))
	}
	c, err := r.p.compile(&a.Expression, a.Expression)
	if err != nil {
		return false, err
	}
	v, err := c.Eval(env)
	if err != nil {
		return false, err
	}
	return objectCondition(v)
}

func (r *run) startIf(rc *rec) {
	ok, err := r.condition(rc, r.env(rc.a, rc.idx, rc))
	if err != nil {
		r.fail(rc, templateError(rc.a, "expression", err))
		r.skipList(rc.a.Actions, rc.idx, "branch")
		r.skipList(rc.a.Else, rc.idx, "branch")
		return
	}
	in := expr.NewObject(1)
	in.Set("expressionResult", ok)
	rc.Inputs = in
	taken, other := rc.a.Actions, rc.a.Else
	rc.Branch = "actions"
	if !ok {
		taken, other = other, taken
		rc.Branch = "else"
	}
	if other != nil {
		r.skipList(other, rc.idx, "branch")
	}
	if taken == nil {
		r.complete(rc, stSucceeded, nil, nil)
		return
	}
	r.enterBranch(rc, taken)
}

func (r *run) startSwitch(rc *rec) {
	a := rc.a
	v, err := r.evalValue(&a.Expression, a.Expression, rc)
	if err != nil {
		r.fail(rc, templateError(a, "expression", err))
		for _, l := range a.Children() {
			r.skipList(l, rc.idx, "branch")
		}
		return
	}
	in := expr.NewObject(1)
	in.Set("expressionResult", v)
	rc.Inputs = in
	var taken *workflow.ActionList
	rc.Branch = "default"
	for _, c := range a.Cases {
		if switchMatch(v, c.Value) {
			taken, rc.Branch = c.Actions, c.Name
			break
		}
	}
	if rc.Branch == "default" {
		taken = a.Default
	}
	for _, l := range a.Children() {
		if l != taken {
			r.skipList(l, rc.idx, "branch")
		}
	}
	if taken == nil {
		r.complete(rc, stSucceeded, nil, nil)
		return
	}
	r.enterBranch(rc, taken)
}

func switchMatch(v, c any) bool {
	if fv, ok := toFloat(v); ok {
		if fc, ok := toFloat(c); ok {
			return fv == fc
		}
	}
	vs, ok1 := v.(string)
	cs, ok2 := c.(string)
	return ok1 && ok2 && vs == cs
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	case int:
		return float64(n), true
	case expr.Decimal:
		f, err := json.Number(n.Text).Float64()
		return f, err == nil
	}
	return 0, false
}

const (
	defaultConcurrency = 20
	maxConcurrency     = 50
	maxForeachItems    = 100000
)

func (r *run) startForeach(rc *rec) {
	a := rc.a
	v, err := r.evalValue(&a.Foreach, a.Foreach, rc)
	if err != nil {
		r.fail(rc, templateError(a, "foreach", err))
		return
	}
	items, ok := v.([]any)
	if !ok {
		if v == nil {
			items = nil
		} else {
			r.fail(rc, &actions.ActionError{Code: "InvalidTemplate", Message: fmt.Sprintf("The execution of template action '%s' failed: the result of the evaluation of 'foreach' expression '%s' is of type '%s'. The result must be a valid array.", a.Name, a.Foreach, typeName(v))})
			return
		}
	}
	if len(items) > maxForeachItems {
		r.fail(rc, &actions.ActionError{Code: "InvalidTemplate", Message: fmt.Sprintf("the foreach of action '%s' has %d items; the limit is %d", a.Name, len(items), maxForeachItems)})
		return
	}
	if items == nil {
		items = []any{}
	}
	rc.Inputs = items
	if len(items) == 0 || a.Actions.Len() == 0 {
		r.complete(rc, stSucceeded, nil, nil)
		return
	}
	r.nextIterations(rc)
}

func foreachConcurrency(a *workflow.Action) int {
	if a.OperationOptions.Has(workflow.OptionSequential) {
		return 1
	}
	if rtc := a.RuntimeConfiguration; rtc != nil && rtc.Concurrency != nil && rtc.Concurrency.Repetitions > 0 {
		return int(min(rtc.Concurrency.Repetitions, maxConcurrency))
	}
	return defaultConcurrency
}

// nextIterations starts iterations up to the concurrency limit, or ends
// the loop when all have finished.
func (r *run) nextIterations(rc *rec) {
	items, _ := rc.Inputs.([]any)
	n := len(items)
	if rc.done >= n {
		status := stSucceeded
		if rc.anyFailed {
			status = stFailed
		}
		r.complete(rc, status, nil, failedInside(status))
		return
	}
	conc := foreachConcurrency(rc.a)
	started := false
	for rc.Started < n && rc.Started-rc.done < conc {
		r.markDirty(inst{list: rc.a.Actions, idx: appendIdx(rc.idx, rc.Started)})
		rc.Started++
		started = true
	}
	if started {
		r.save(rc)
	}
}

func (r *run) untilLimits(rc *rec) (int, time.Duration) {
	count, timeout := 60, time.Hour
	if l := rc.a.Limit; l != nil {
		if l.Count > 0 {
			count = int(l.Count)
		} else if l.CountExpression != "" {
			if v, err := r.evalValue(&l.CountExpression, l.CountExpression, rc); err == nil {
				if f, ok := toFloat(v); ok && f > 0 {
					count = int(f)
				}
			}
		}
		if l.Timeout != "" {
			if d, err := parseISODuration(l.Timeout); err == nil && d > 0 {
				timeout = d
			}
		}
	}
	return min(count, 5000), timeout
}

func (r *run) startUntil(rc *rec) {
	rc.Iter = 0
	if rc.a.Actions.Len() == 0 {
		r.complete(rc, stSucceeded, nil, nil)
		return
	}
	r.markDirty(inst{list: rc.a.Actions, idx: appendIdx(rc.idx, 0)})
}

func (r *run) untilPassDone(rc *rec, in inst) {
	if r.listStatus(in.list, in.idx) != stSucceeded {
		r.complete(rc, stFailed, nil, failedInside(stFailed))
		return
	}
	env := r.env(rc.a, rc.idx, rc)
	env.selfLoop, env.selfIdx = rc.a, rc.Iter
	ok, err := r.condition(rc, env)
	if err != nil {
		r.fail(rc, templateError(rc.a, "expression", err))
		return
	}
	count, timeout := r.untilLimits(rc)
	if ok || rc.Iter+1 >= count || r.e.now().Sub(rc.Start) >= timeout {
		r.complete(rc, stSucceeded, nil, nil)
		return
	}
	rc.Iter++
	r.save(rc)
	r.markDirty(inst{list: rc.a.Actions, idx: appendIdx(rc.idx, rc.Iter)})
}

func (r *run) startTerminate(rc *rec) {
	v, err := r.evalInputs(rc)
	if err != nil {
		r.fail(rc, templateError(rc.a, "inputs", err))
		return
	}
	rc.Inputs = v
	status := stFailed
	var rerr *actions.ActionError
	if o, ok := v.(*expr.Object); ok {
		if s, ok := getCI(o, "runStatus").(string); ok {
			switch strings.ToLower(s) {
			case "succeeded":
				status = stSucceeded
			case "cancelled":
				status = stCancelled
			}
		}
		if e, ok := getCI(o, "runError").(*expr.Object); ok {
			rerr = &actions.ActionError{}
			rerr.Code, _ = getCI(e, "code").(string)
			rerr.Message, _ = getCI(e, "message").(string)
			if rerr.Code == "" {
				rerr.Code = "Terminated"
			}
		}
	}
	r.complete(rc, stSucceeded, nil, nil)
	r.terminate(status, rerr)
}

func getCI(o *expr.Object, key string) any {
	if v, ok := o.Get(key); ok {
		return v
	}
	for _, k := range o.Keys() {
		if strings.EqualFold(k, key) {
			v, _ := o.Get(k)
			return v
		}
	}
	return nil
}

func (r *run) startResponse(rc *rec) {
	v, err := r.evalInputs(rc)
	if err != nil {
		r.fail(rc, templateError(rc.a, "inputs", err))
		return
	}
	rc.Inputs = v
	resp := &Response{StatusCode: 200}
	if o, ok := v.(*expr.Object); ok {
		if f, ok := toFloat(getCI(o, "statusCode")); ok {
			resp.StatusCode = int64(f)
		} else if s, ok := getCI(o, "statusCode").(string); ok {
			if n, err := json.Number(s).Int64(); err == nil {
				resp.StatusCode = n
			}
		}
		resp.Headers = getCI(o, "headers")
		resp.Body = getCI(o, "body")
	}
	if r.data.Response != nil {
		r.fail(rc, &actions.ActionError{Code: "ActionResponseAlreadySent", Message: "The response for this request has already been sent."})
		return
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 || resp.StatusCode/100 == 3 {
		r.fail(rc, &actions.ActionError{Code: "InvalidResponseStatusCode", Message: fmt.Sprintf("The response status code '%d' is not valid: use 1xx, 2xx, 4xx or 5xx.", resp.StatusCode)})
		return
	}
	if rc.secured("inputs") {
		resp.Body = SecureMarker
	}
	r.data.Response = resp
	out := expr.NewObject(3)
	out.Set("statusCode", resp.StatusCode)
	if resp.Headers != nil {
		out.Set("headers", resp.Headers)
	}
	out.Set("body", resp.Body)
	// The run data (with the response) is saved with this step: marshalled
	// once at flush, where the run's final update, when the run also ends
	// in this commit, already carries it.
	r.saveData = true
	r.parked = false
	if r.data.ParentRun != "" {
		r.batch.Work = append(r.batch.Work, childWork(r.data.ParentRun, r.data.ParentRef, r.e.now(), childPayload{Status: stSucceeded, Response: resp}))
	}
	r.postCommit = append(r.postCommit, func() { r.e.notifyResponse(r.id, resp) })
	r.complete(rc, stSucceeded, out, nil)
}

func (r *run) startWait(rc *rec) {
	v, err := r.evalInputs(rc)
	if err != nil {
		r.fail(rc, templateError(rc.a, "inputs", err))
		return
	}
	rc.Inputs = v
	o, _ := v.(*expr.Object)
	var due time.Time
	now := r.e.now()
	if o != nil {
		if iv, ok := getCI(o, "interval").(*expr.Object); ok {
			cnt, _ := toFloat(getCI(iv, "count"))
			if s, ok := getCI(iv, "count").(string); ok {
				cnt, _ = json.Number(s).Float64()
			}
			unit, _ := getCI(iv, "unit").(string)
			d, err := addUnit(now, cnt, unit)
			if err != nil {
				r.fail(rc, &actions.ActionError{Code: "InvalidWaitInterval", Message: err.Error()})
				return
			}
			due = d
		} else if uv, ok := getCI(o, "until").(*expr.Object); ok {
			ts, _ := getCI(uv, "timestamp").(string)
			t, err := parseTimestamp(ts)
			if err != nil {
				r.fail(rc, &actions.ActionError{Code: "InvalidWaitTimestamp", Message: fmt.Sprintf("the wait timestamp '%s' is not a valid date-time", ts)})
				return
			}
			due = t
		}
	}
	if due.IsZero() {
		r.fail(rc, &actions.ActionError{Code: "InvalidWaitInputs", Message: "a Wait action needs inputs.interval {count, unit} or inputs.until {timestamp}"})
		return
	}
	if !due.After(now) {
		r.complete(rc, stSucceeded, nil, nil)
		return
	}
	rc.WaitKind = workTimer
	r.batch.Work = append(r.batch.Work, workItem(r.id, workTimer, rc.key, due, nil))
}

func addUnit(now time.Time, count float64, unit string) (time.Time, error) {
	if count < 0 || math.IsNaN(count) {
		return now, fmt.Errorf("the wait count %v is not valid", count)
	}
	n := int(count)
	switch strings.ToLower(unit) {
	case "second":
		return now.Add(time.Duration(count * float64(time.Second))), nil
	case "minute":
		return now.Add(time.Duration(count * float64(time.Minute))), nil
	case "hour":
		return now.Add(time.Duration(count * float64(time.Hour))), nil
	case "day":
		return now.AddDate(0, 0, n), nil
	case "week":
		return now.AddDate(0, 0, 7*n), nil
	case "month":
		return now.AddDate(0, n, 0), nil
	}
	return now, fmt.Errorf("the wait unit '%s' is not one of Second, Minute, Hour, Day, Week, Month", unit)
}

func parseTimestamp(s string) (time.Time, error) {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("parse timestamp %q", s)
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "Null"
	case bool:
		return "Boolean"
	case int64, int:
		return "Integer"
	case float64, expr.Decimal:
		return "Float"
	case string:
		return "String"
	case []any:
		return "Array"
	case *expr.Object:
		return "Object"
	}
	return fmt.Sprintf("%T", v)
}

// objectCondition evaluates the designer's object condition form after its
// expressions have been evaluated.
func objectCondition(v any) (bool, error) {
	o, ok := v.(*expr.Object)
	if !ok {
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return false, fmt.Errorf("the condition is a %s, not an object", typeName(v))
	}
	if o.Len() != 1 {
		return false, fmt.Errorf("a condition object needs exactly one operator, not %d", o.Len())
	}
	op := o.Keys()[0]
	arg, _ := o.Get(op)
	switch strings.ToLower(op) {
	case "and", "or":
		arr, ok := arg.([]any)
		if !ok {
			return false, fmt.Errorf("'%s' needs an array of conditions", op)
		}
		isAnd := strings.EqualFold(op, "and")
		for _, c := range arr {
			b, err := objectCondition(c)
			if err != nil {
				return false, err
			}
			if isAnd && !b {
				return false, nil
			}
			if !isAnd && b {
				return true, nil
			}
		}
		return isAnd, nil
	case "not":
		b, err := objectCondition(arg)
		return !b, err
	}
	arr, ok := arg.([]any)
	if !ok || len(arr) != 2 {
		return false, fmt.Errorf("'%s' needs an array of two operands", op)
	}
	fn, ok := map[string]string{"equals": "equals", "greater": "greater", "greaterorequals": "greaterOrEquals",
		"less": "less", "lessorequals": "lessOrEquals", "contains": "contains", "startswith": "startsWith", "endswith": "endsWith"}[strings.ToLower(op)]
	if !ok {
		return false, fmt.Errorf("unknown condition operator '%s'", op)
	}
	res, err := callBinary(fn, arr[0], arr[1])
	if err != nil {
		return false, err
	}
	return res, nil
}

// callBinary calls a comparison function of the expression language on two
// values by binding them as parameters.
func callBinary(fn string, x, y any) (bool, error) {
	t, err := expr.Compile("@" + fn + "(parameters('x'), parameters('y'))")
	if err != nil {
		return false, err
	}
	v, err := t.Eval(paramEnv{x: x, y: y})
	if err != nil {
		return false, err
	}
	b, _ := v.(bool)
	return b, nil
}

type paramEnv struct {
	expr.BaseEnv
	x, y any
}

func (p paramEnv) Parameter(name string) (any, error) {
	if name == "x" {
		return p.x, nil
	}
	return p.y, nil
}

// retry policy

type retryPolicy struct {
	kind             string
	count            int
	interval, lo, hi time.Duration
}

func (r *run) retryPolicy(rc *rec) retryPolicy {
	rp := rc.a.RetryPolicy
	def := retryPolicy{kind: "exponential", count: 4, interval: 7 * time.Second, lo: 5 * time.Second, hi: time.Hour}
	if rp == nil || rp.Type == "" || rp.Type == "default" {
		switch rc.a.Canonical {
		case workflow.ActionHTTP, workflow.ActionAPIConnection, workflow.ActionAPIConnectionWebhook, workflow.ActionHTTPWebhook, workflow.ActionServiceProvider:
			return def
		}
		return retryPolicy{kind: "none"}
	}
	p := retryPolicy{kind: rp.Type, count: int(rp.Count), lo: 5 * time.Second, hi: time.Hour}
	if rp.CountExpression != "" {
		if v, err := r.evalValue(&rp.CountExpression, rp.CountExpression, rc); err == nil {
			if f, ok := toFloat(v); ok {
				p.count = int(f)
			}
		}
	}
	p.count = min(max(p.count, 0), 90)
	if d, err := parseISODuration(rp.Interval); err == nil {
		p.interval = d
	}
	if d, err := parseISODuration(rp.MinimumInterval); err == nil && rp.MinimumInterval != "" {
		p.lo = d
	}
	if d, err := parseISODuration(rp.MaximumInterval); err == nil && rp.MaximumInterval != "" {
		p.hi = d
	}
	return p
}

// delay returns the wait before retry n (1-based).
func (p retryPolicy) delay(n int, rnd func(int64) int64) time.Duration {
	if p.kind == "fixed" {
		return p.interval
	}
	lo := time.Duration(0)
	if n > 1 {
		lo = p.interval * time.Duration(1<<(n-2))
	}
	hi := p.interval * time.Duration(1<<(n-1))
	lo, hi = max(lo, p.lo), min(hi, p.hi)
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rnd(int64(hi-lo)))
}

func isRetryable(err error) bool {
	return connector.KindOf(err).Retryable()
}
