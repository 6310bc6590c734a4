// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"fmt"
	"strings"
	"time"
)

// Loop is one enclosing Foreach or Until loop of a [MapEnv].
type Loop struct {
	Name  string
	Item  any
	Index int64
}

// MapEnv is an in-memory [Env] for tests, examples and the CLI. The zero
// value has no context at all; set the fields that the expressions need.
// Name lookups try the exact name first, then ignore case. A MapEnv must
// not be modified while expressions are evaluated with it.
type MapEnv struct {
	BaseEnv
	Variables     map[string]any
	Parameters    map[string]any
	TriggerResult *ActionResult
	Actions       map[string]*ActionResult
	Current       *ActionResult
	// Loops are the enclosing loops, outermost first; item() is the last.
	Loops         []Loop
	Results       map[string]any
	WorkflowValue any
	CallbackURL   string
	AppSettings   map[string]string
	// Clock is the fixed time utcNow() returns; zero means the system clock.
	Clock time.Time
	// GUID and RandFunc replace the random sources when set.
	GUID     func() string
	RandFunc func(min, max int64) (int64, error)
}

func lookupFold[V any](m map[string]V, name string) (V, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	var zero V
	return zero, false
}

// Trigger implements [Env].
func (e *MapEnv) Trigger() (*ActionResult, error) {
	if e.TriggerResult == nil {
		return e.BaseEnv.Trigger()
	}
	return e.TriggerResult, nil
}

// Action implements [Env].
func (e *MapEnv) Action(name string) (*ActionResult, error) {
	if r, ok := lookupFold(e.Actions, name); ok && r != nil {
		return r, nil
	}
	return nil, fmt.Errorf("the workflow has no action named '%s' that has run (%w)", name, ErrNotAvailable)
}

// CurrentAction implements [Env].
func (e *MapEnv) CurrentAction() (*ActionResult, error) {
	if e.Current == nil {
		return e.BaseEnv.CurrentAction()
	}
	return e.Current, nil
}

// Variable implements [Env].
func (e *MapEnv) Variable(name string) (any, error) {
	if v, ok := lookupFold(e.Variables, name); ok {
		return v, nil
	}
	return nil, fmt.Errorf("the workflow has no variable named '%s' (%w)", name, ErrNotAvailable)
}

// Parameter implements [Env].
func (e *MapEnv) Parameter(name string) (any, error) {
	if v, ok := lookupFold(e.Parameters, name); ok {
		return v, nil
	}
	return nil, fmt.Errorf("the workflow parameter '%s' is not found (%w)", name, ErrNotAvailable)
}

func (e *MapEnv) loop(name string) (*Loop, error) {
	if name == "" {
		if len(e.Loops) == 0 {
			return nil, fmt.Errorf("item() is only valid inside a Foreach loop (%w)", ErrNotAvailable)
		}
		return &e.Loops[len(e.Loops)-1], nil
	}
	for i := len(e.Loops) - 1; i >= 0; i-- {
		if strings.EqualFold(e.Loops[i].Name, name) {
			return &e.Loops[i], nil
		}
	}
	return nil, fmt.Errorf("'%s' is not an enclosing loop (%w)", name, ErrNotAvailable)
}

// Item implements [Env].
func (e *MapEnv) Item(loop string) (any, error) {
	l, err := e.loop(loop)
	if err != nil {
		return nil, err
	}
	return l.Item, nil
}

// IterationIndex implements [Env].
func (e *MapEnv) IterationIndex(loop string) (int64, error) {
	l, err := e.loop(loop)
	if err != nil {
		return 0, err
	}
	return l.Index, nil
}

// Result implements [Env].
func (e *MapEnv) Result(scope string) (any, error) {
	if v, ok := lookupFold(e.Results, scope); ok {
		return v, nil
	}
	return e.BaseEnv.Result(scope)
}

// Workflow implements [Env].
func (e *MapEnv) Workflow() (any, error) {
	if e.WorkflowValue == nil {
		return e.BaseEnv.Workflow()
	}
	return e.WorkflowValue, nil
}

// ListCallbackURL implements [Env].
func (e *MapEnv) ListCallbackURL() (string, error) {
	if e.CallbackURL == "" {
		return e.BaseEnv.ListCallbackURL()
	}
	return e.CallbackURL, nil
}

// AppSetting implements [Env].
func (e *MapEnv) AppSetting(name string) (string, error) {
	if v, ok := lookupFold(e.AppSettings, name); ok {
		return v, nil
	}
	return e.BaseEnv.AppSetting(name)
}

// Now implements [Env].
func (e *MapEnv) Now() time.Time {
	if e.Clock.IsZero() {
		return e.BaseEnv.Now()
	}
	return e.Clock
}

// NewGUID implements [Env].
func (e *MapEnv) NewGUID() string {
	if e.GUID != nil {
		return e.GUID()
	}
	return e.BaseEnv.NewGUID()
}

// Rand implements [Env].
func (e *MapEnv) Rand(min, max int64) (int64, error) {
	if e.RandFunc != nil {
		return e.RandFunc(min, max)
	}
	return e.BaseEnv.Rand(min, max)
}

// NewMapEnv builds a MapEnv from a decoded JSON context object with these
// optional keys:
//
//	variables, parameters, appsettings   objects of name → value
//	trigger            the trigger record {inputs, outputs, status ...}
//	triggerOutputs     shorthand for trigger.outputs
//	triggerBody        shorthand for trigger.outputs.body
//	actions            name → {inputs, outputs, status, code, error ...}
//	items              loop name → current item, outermost loop first
//	item               the current item of an anonymous innermost loop
//	iterationIndexes   loop name → 0-based index
//	result             scope name → array of action results
//	workflow           the workflow() object
//	callbackUrl        the listCallbackUrl() value
//	now (or utcNow)    a fixed clock, ISO 8601
func NewMapEnv(ctx any) (*MapEnv, error) {
	e := &MapEnv{}
	if ctx == nil {
		return e, nil
	}
	o, ok := ctx.(*Object)
	if !ok {
		return nil, fmt.Errorf("context must be a JSON object, not %s", TypeName(ctx))
	}
	toMap := func(key string) (map[string]any, error) {
		v, ok := o.Get(key)
		if !ok || v == nil {
			return nil, nil
		}
		m, ok := v.(*Object)
		if !ok {
			return nil, fmt.Errorf("context %q must be an object", key)
		}
		out := make(map[string]any, m.Len())
		for _, k := range m.Keys() {
			out[k], _ = m.Get(k)
		}
		return out, nil
	}
	var err error
	if e.Variables, err = toMap("variables"); err != nil {
		return nil, err
	}
	if e.Parameters, err = toMap("parameters"); err != nil {
		return nil, err
	}
	settings, err := toMap("appsettings")
	if err != nil {
		return nil, err
	}
	for k, v := range settings {
		if e.AppSettings == nil {
			e.AppSettings = map[string]string{}
		}
		e.AppSettings[k] = Stringify(v)
	}
	if v, ok := o.Get("trigger"); ok && v != nil {
		if e.TriggerResult, err = recordOf("trigger", v); err != nil {
			return nil, err
		}
	}
	if v, ok := o.Get("triggerOutputs"); ok {
		if e.TriggerResult == nil {
			e.TriggerResult = &ActionResult{Status: "Succeeded"}
		}
		e.TriggerResult.Outputs = v
	}
	if v, ok := o.Get("triggerBody"); ok {
		if e.TriggerResult == nil {
			e.TriggerResult = &ActionResult{Status: "Succeeded"}
		}
		out, _ := e.TriggerResult.Outputs.(*Object)
		if out == nil {
			out = NewObject(1)
		} else {
			out = out.Clone()
		}
		out.Set("body", v)
		e.TriggerResult.Outputs = out
	}
	actions, err := toMap("actions")
	if err != nil {
		return nil, err
	}
	for name, v := range actions {
		r, err := recordOf("actions/"+name, v)
		if err != nil {
			return nil, err
		}
		if r.Name == "" {
			r.Name = name
		}
		if e.Actions == nil {
			e.Actions = map[string]*ActionResult{}
		}
		e.Actions[name] = r
	}
	if v, ok := o.Get("items"); ok && v != nil {
		m, ok := v.(*Object)
		if !ok {
			return nil, fmt.Errorf("context \"items\" must be an object of loop name to item")
		}
		for _, k := range m.Keys() {
			it, _ := m.Get(k)
			e.Loops = append(e.Loops, Loop{Name: k, Item: it})
		}
	}
	if v, ok := o.Get("item"); ok {
		e.Loops = append(e.Loops, Loop{Item: v})
	}
	idx, err := toMap("iterationIndexes")
	if err != nil {
		return nil, err
	}
	for name, v := range idx {
		n, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("context iterationIndexes/%s must be an integer", name)
		}
		found := false
		for i := range e.Loops {
			if strings.EqualFold(e.Loops[i].Name, name) {
				e.Loops[i].Index, found = n, true
			}
		}
		if !found {
			e.Loops = append([]Loop{{Name: name, Index: n}}, e.Loops...)
		}
	}
	if e.Results, err = toMap("result"); err != nil {
		return nil, err
	}
	e.WorkflowValue, _ = o.Get("workflow")
	if v, ok := o.Get("callbackUrl"); ok {
		e.CallbackURL = Stringify(v)
	}
	for _, key := range []string{"now", "utcNow"} {
		if v, ok := o.Get(key); ok {
			s, _ := v.(string)
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, fmt.Errorf("context %q: %v", key, err)
			}
			e.Clock = t.UTC()
		}
	}
	return e, nil
}

func recordOf(where string, v any) (*ActionResult, error) {
	m, ok := v.(*Object)
	if !ok {
		return nil, fmt.Errorf("context %s must be an object", where)
	}
	r := &ActionResult{Status: "Succeeded"}
	for _, k := range m.Keys() {
		f, _ := m.Get(k)
		str, _ := f.(string)
		switch strings.ToLower(k) {
		case "name":
			r.Name = str
		case "inputs":
			r.Inputs = f
		case "outputs":
			r.Outputs = f
		case "status":
			r.Status = str
		case "code":
			r.Code = str
		case "error":
			r.Error = f
		case "trackingid":
			r.TrackingID = str
		case "clienttrackingid":
			r.ClientTrackingID = str
		case "starttime", "endtime":
			t, err := time.Parse(time.RFC3339Nano, str)
			if err != nil {
				return nil, fmt.Errorf("context %s/%s: %v", where, k, err)
			}
			if strings.EqualFold(k, "starttime") {
				r.StartTime = t
			} else {
				r.EndTime = t
			}
		}
	}
	return r, nil
}
