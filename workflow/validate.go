// SPDX-License-Identifier: Apache-2.0

package workflow

import (
	"errors"
	"fmt"
	"strings"

	"github.com/junction-run/junction/expr"
)

// Problems returns every problem of the definition, errors and warnings, in
// definition order (parameters, triggers, actions depth first, outputs). It
// runs the checks each time it is called.
func (d *Definition) Problems() []Problem {
	v := &validator{d: d, ps: append(problems(nil), d.problems...)}
	v.run()
	return v.ps
}

// Validate returns a *[ValidationError] listing every problem (warnings
// included) when at least one is an error, and nil otherwise.
func (d *Definition) Validate() error {
	ps := d.Problems()
	for _, p := range ps {
		if p.Severity == SeverityError {
			return &ValidationError{Problems: ps}
		}
	}
	return nil
}

// Variable is a variable declared by an InitializeVariable action.
type Variable struct {
	Name string
	// Type is the declared type in canonical case (Boolean, Integer, Float,
	// String, Object, Array), or as written when unknown.
	Type   string
	Action *Action
}

// variableTypes are the InitializeVariable types, canonical case.
var variableTypes = []string{"Boolean", "Integer", "Float", "String", "Object", "Array"}

// Variables returns the variables declared by InitializeVariable actions,
// in definition order. Malformed declarations are left out.
func (d *Definition) Variables() []Variable {
	var out []Variable
	for _, a := range d.all {
		if a.Canonical != ActionInitializeVariable {
			continue
		}
		vars, ok := field(a.Inputs, "variables")
		if !ok {
			continue
		}
		arr, _ := vars.([]any)
		for _, e := range arr {
			name, _ := fieldString(e, "name")
			typ, _ := fieldString(e, "type")
			if name == "" {
				continue
			}
			for _, t := range variableTypes {
				if strings.EqualFold(t, typ) {
					typ = t
				}
			}
			out = append(out, Variable{Name: name, Type: typ, Action: a})
		}
	}
	return out
}

type validator struct {
	d    *Definition
	ps   problems
	vars map[string]Variable // lower-case name
}

func (v *validator) run() {
	d := v.d
	v.vars = map[string]Variable{}
	for _, vr := range d.Variables() {
		k := strings.ToLower(vr.Name)
		if _, dup := v.vars[k]; !dup {
			v.vars[k] = vr
		}
	}

	if len(d.Parameters) > MaxParameters {
		v.ps.add("$.parameters", CodeParameterLimit, "%d parameters declared; at most %d are allowed", len(d.Parameters), MaxParameters)
	}
	for _, name := range sortedKeys(d.Parameters) {
		v.parameter(d.Parameters[name])
	}

	if len(d.Triggers) > MaxTriggers {
		v.ps.add("$.triggers", CodeTriggerLimit, "%d triggers; at most %d are allowed", len(d.Triggers), MaxTriggers)
	}
	seenTrig := map[string]*Trigger{}
	for _, t := range d.Triggers {
		if o, dup := seenTrig[strings.ToLower(t.Name)]; dup {
			v.ps.add(t.Path, CodeDuplicateName, "trigger name '%s' is already used by trigger '%s' (names are case-insensitive)", t.Name, o.Name)
		} else {
			seenTrig[strings.ToLower(t.Name)] = t
		}
		v.trigger(t)
	}

	if n := len(d.all); n > MaxActions {
		v.ps.add("$.actions", CodeActionLimit, "%d actions; at most %d are allowed", n, MaxActions)
	}
	if n := len(v.vars); n > MaxVariables {
		v.ps.add("$.actions", CodeVariableLimit, "%d variables; at most %d are allowed", n, MaxVariables)
	}
	v.list(d.Actions)
	for _, a := range d.all {
		v.action(a)
	}

	if len(d.Outputs) > MaxOutputs {
		v.ps.add("$.outputs", CodeOutputLimit, "%d outputs declared; at most %d are allowed", len(d.Outputs), MaxOutputs)
	}
	for _, name := range sortedKeys(d.Outputs) {
		o := d.Outputs[name]
		if o.Type == "" {
			v.ps.add(o.Path, CodeMissingField, "output '%s' has no type", o.Name)
		} else if !validOutputType(o.Type) {
			v.ps.add(child(o.Path, "type"), CodeInvalidValue, "output type '%s' is not one of int, float, string, securestring, bool, array, object, secureobject", o.Type)
		}
		v.exprs(o.Value, child(o.Path, "value"), nil)
	}
}

var paramTypes = []string{"int", "float", "string", "bool", "array", "object", "securestring", "secureobject"}

func validOutputType(t string) bool {
	for _, p := range paramTypes {
		if strings.EqualFold(p, t) {
			return true
		}
	}
	return false
}

func (v *validator) parameter(p *ParamDecl) {
	switch {
	case p.Type == "":
		if _, ok := v.d.Raw.Get("parameters"); ok {
			v.ps.add(p.Path, CodeMissingField, "parameter '%s' has no type", p.Name)
		}
	case !validOutputType(p.Type) && !strings.EqualFold(p.Type, "JSON object"):
		v.ps.add(child(p.Path, "type"), CodeInvalidValue, "parameter type '%s' is not one of %s", p.Type, strings.Join(paramTypes, ", "))
	}
	if p.AllowedValues != nil && p.HasDefault && p.DefaultValue != nil {
		found := false
		for _, av := range p.AllowedValues {
			if equalJSON(av, p.DefaultValue) {
				found = true
			}
		}
		if !found {
			v.ps.add(child(p.Path, "defaultValue"), CodeInvalidValue, "default value of parameter '%s' is not one of its allowedValues", p.Name)
		}
	}
}

func (v *validator) name(kind, name, path string) {
	if strings.TrimSpace(name) == "" {
		v.ps.add(path, CodeInvalidName, "%s name is empty", kind)
	}
	if n := len([]rune(name)); n > MaxNameLength {
		v.ps.add(path, CodeNameLength, "%s name is %d characters long; at most %d are allowed", kind, n, MaxNameLength)
	}
}

func (v *validator) description(desc, path string) {
	if n := len([]rune(desc)); n > MaxDescription {
		v.ps.warn(child(path, "description"), CodeDescriptionSize, "description is %d characters long; at most %d are allowed", n, MaxDescription)
	}
}

func (v *validator) trigger(t *Trigger) {
	v.name("trigger", t.Name, t.Path)
	switch {
	case t.Type == "":
		v.ps.add(t.Path, CodeMissingField, "trigger '%s' has no type", t.Name)
	case t.Canonical == "":
		v.ps.add(child(t.Path, "type"), CodeUnknownTrigger, "trigger type '%s' is not supported", t.Type)
	}
	switch t.Canonical {
	case TriggerRecurrence:
		if t.Recurrence == nil {
			v.ps.add(t.Path, CodeMissingField, "recurrence trigger '%s' has no recurrence", t.Name)
		}
	case TriggerHTTP, TriggerAPIConnection:
		if t.Inputs == nil {
			v.ps.add(t.Path, CodeMissingField, "trigger '%s' has no inputs", t.Name)
		}
	case TriggerHTTPWebhook:
		v.requireInputs(t.Inputs, child(t.Path, "inputs"), "subscribe")
	}
	if r := t.Recurrence; r != nil {
		v.recurrence(r)
	}
	v.options(t.OperationOptions, t.Path)
	if rc := t.RuntimeConfiguration; rc != nil {
		v.runtimeConfiguration(rc)
		if c := rc.Concurrency; c != nil && c.Runs != 0 && t.OperationOptions.Has(OptionSingleInstance) {
			v.ps.add(child(child(rc.Path, "concurrency"), "runs"), CodeConflict, "concurrency.runs and operationOptions SingleInstance exclude each other; set only one")
		}
	}
	v.description(t.Description, t.Path)
	v.exprs(t.Inputs, child(t.Path, "inputs"), nil)
	if t.SplitOn != "" {
		v.expr(t.SplitOn, child(t.Path, "splitOn"), nil)
	}
	for _, c := range t.Conditions {
		if c.Expression == "" {
			v.ps.add(c.Path, CodeMissingField, "trigger condition has no expression")
			continue
		}
		v.expr(c.Expression, child(c.Path, "expression"), nil)
	}
	v.exprs(t.Correlation, child(t.Path, "correlation"), nil)
}

func (v *validator) recurrence(r *Recurrence) {
	if r.Frequency == "" {
		v.ps.add(r.Path, CodeMissingField, "recurrence has no frequency")
	} else if !contains(frequencies, r.Frequency) {
		v.ps.add(child(r.Path, "frequency"), CodeInvalidValue, "frequency '%s' is not one of %s", r.Frequency, strings.Join(frequencies, ", "))
	}
	if r.Interval < 0 {
		v.ps.add(child(r.Path, "interval"), CodeInvalidValue, "interval must be at least 1")
	}
}

func contains(set []string, s string) bool {
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}

func (v *validator) options(o Options, path string) {
	for _, opt := range o {
		if !contains(KnownOptions, opt) {
			v.ps.warn(child(path, "operationOptions"), CodeUnknownOption, "unknown operationOptions value '%s'", opt)
		}
	}
}

func (v *validator) runtimeConfiguration(rc *RuntimeConfiguration) {
	if c := rc.Concurrency; c != nil {
		cp := child(rc.Path, "concurrency")
		if c.Runs < 0 || c.Runs > 100 {
			v.ps.add(child(cp, "runs"), CodeInvalidValue, "concurrency.runs is %d; it must be between 1 and 100", c.Runs)
		}
		if c.Repetitions < 0 || c.Repetitions > 50 {
			v.ps.add(child(cp, "repetitions"), CodeInvalidValue, "concurrency.repetitions is %d; it must be between 1 and 50", c.Repetitions)
		}
		if c.MaximumWaitingRuns < 0 || c.MaximumWaitingRuns > 100 {
			v.ps.add(child(cp, "maximumWaitingRuns"), CodeInvalidValue, "concurrency.maximumWaitingRuns is %d; it must be between 0 and 100", c.MaximumWaitingRuns)
		}
	}
	for _, p := range rc.SecureData {
		if p != "inputs" && p != "outputs" {
			v.ps.add(child(child(rc.Path, "secureData"), "properties"), CodeInvalidValue, "secureData property '%s' is not inputs or outputs", p)
		}
	}
	if sr := rc.StaticResult; sr != nil {
		found := false
		for n := range v.d.StaticResults {
			if strings.EqualFold(n, sr.Name) {
				found = true
			}
		}
		if !found {
			v.ps.add(child(child(rc.Path, "staticResult"), "name"), CodeUnknownStaticResult, "staticResult names '%s', which is not in staticResults", sr.Name)
		}
	}
}

// list checks the runAfter references and cycles of one action list and
// recurses into nested lists through the actions.
func (v *validator) list(l *ActionList) {
	for _, a := range l.actions {
		for _, name := range a.RunAfterNames() {
			if l.Get(name) != nil {
				continue
			}
			p := child(child(a.Path, "runAfter"), name)
			if other := v.d.Action(name); other != nil {
				where := "at top level"
				if other.Parent != nil {
					where = "inside '" + other.Parent.Name + "'"
				}
				v.ps.add(p, CodeRunAfterUnknown, "runAfter names '%s', which is not an action in this scope (it is %s)", name, where)
			} else if v.d.Trigger(name) != nil {
				v.ps.add(p, CodeRunAfterUnknown, "runAfter names trigger '%s'; actions that run first have an empty runAfter", name)
			} else {
				v.ps.add(p, CodeRunAfterUnknown, "runAfter names '%s', which is not an action in this scope", name)
			}
		}
	}
	if c := l.Cycle(); c != nil {
		names := make([]string, 0, len(c)+1)
		for _, a := range c {
			names = append(names, "'"+a.Name+"'")
		}
		names = append(names, "'"+c[0].Name+"'")
		v.ps.add(child(c[0].Path, "runAfter"), CodeRunAfterCycle, "runAfter cycle: %s", strings.Join(names, " -> "))
	}
}

// allowedFields lists container fields and the types that may have them.
var allowedFields = []struct {
	field string
	types []ActionType
	desc  string
}{
	{"actions", []ActionType{ActionScope, ActionIf, ActionForeach, ActionUntil}, "Scope, If, Foreach and Until actions"},
	{"else", []ActionType{ActionIf}, "If actions"},
	{"expression", []ActionType{ActionIf, ActionSwitch, ActionUntil}, "If, Switch and Until actions"},
	{"cases", []ActionType{ActionSwitch}, "Switch actions"},
	{"default", []ActionType{ActionSwitch}, "Switch actions"},
	{"foreach", []ActionType{ActionForeach}, "Foreach actions"},
}

func (v *validator) action(a *Action) {
	d := v.d
	v.name("action", a.Name, a.Path)
	if as := d.index[strings.ToLower(a.Name)]; len(as) > 1 && as[0] != a {
		v.ps.add(a.Path, CodeDuplicateName, "action name '%s' is already used at %s (names are case-insensitive)", a.Name, as[0].Path)
	}
	if a.Depth == MaxDepth+1 {
		v.ps.add(a.Path, CodeDepthLimit, "action is nested %d levels deep; at most %d are allowed", a.Depth, MaxDepth)
	}
	switch {
	case a.Type == "":
		v.ps.add(a.Path, CodeMissingField, "action '%s' has no type", a.Name)
	case a.Canonical == "":
		v.ps.add(child(a.Path, "type"), CodeUnknownAction, "action type '%s' is not supported", a.Type)
	}
	if a.Canonical != "" {
		for _, f := range allowedFields {
			if _, stored, ok := a.Raw.GetFold(f.field); ok && !containsType(f.types, a.Canonical) {
				v.ps.add(child(a.Path, stored), CodeMisplacedField, "'%s' is only allowed on %s, not on %s", f.field, f.desc, a.Canonical)
			}
		}
	}
	v.shape(a)
	v.options(a.OperationOptions, a.Path)
	if rc := a.RuntimeConfiguration; rc != nil {
		v.runtimeConfiguration(rc)
		if c := rc.Concurrency; c != nil && c.Repetitions != 0 && a.OperationOptions.Has(OptionSequential) {
			v.ps.add(child(child(rc.Path, "concurrency"), "repetitions"), CodeConflict, "concurrency.repetitions and operationOptions Sequential exclude each other; set only one")
		}
	}
	if rp := a.RetryPolicy; rp != nil {
		v.retryPolicy(rp)
	}
	if a.Limit != nil && a.Limit.Count < 0 {
		v.ps.add(child(a.Limit.Path, "count"), CodeInvalidValue, "limit.count must be at least 1")
	}
	v.description(a.Description, a.Path)
	for _, l := range a.Children() {
		v.list(l)
	}

	// Expressions. The container's own expressions are evaluated outside
	// the loop; everything else of the action inside its ancestors.
	v.exprs(a.Inputs, child(a.Path, "inputs"), a)
	switch e := a.Expression.(type) {
	case string:
		v.expr(e, child(a.Path, "expression"), a)
	case *expr.Object:
		if a.Canonical == ActionIf || a.Canonical == ActionUntil {
			v.condition(e, child(a.Path, "expression"), a, 1)
		} else {
			v.exprs(e, child(a.Path, "expression"), a)
		}
	case nil:
	default:
		if a.Canonical == ActionIf || a.Canonical == ActionUntil {
			v.ps.add(child(a.Path, "expression"), CodeWrongType, "expression must be a string or an object, not %s", jsonType(e))
		}
	}
	if a.Foreach != "" {
		v.expr(a.Foreach, child(a.Path, "foreach"), a.Parent)
	}
	v.exprs(a.TrackedProperties, child(a.Path, "trackedProperties"), a)
}

func containsType(ts []ActionType, t ActionType) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// maxConditionDepth bounds the nesting of the object form of conditions.
const maxConditionDepth = 64

var conditionOps = map[string]int{
	"and": -1, "or": -1, "not": 0,
	"equals": 2, "greater": 2, "greaterorequals": 2, "less": 2, "lessorequals": 2,
	"contains": 2, "startswith": 2, "endswith": 2,
}

// condition checks the designer's object form of an If or Until condition.
func (v *validator) condition(o *expr.Object, path string, ctx *Action, depth int) {
	if depth > maxConditionDepth {
		v.ps.add(path, CodeInvalidValue, "condition nested deeper than %d levels", maxConditionDepth)
		return
	}
	if o.Len() != 1 {
		v.ps.add(path, CodeInvalidValue, "a condition object must have exactly one operator, not %d", o.Len())
	}
	for _, op := range o.Keys() {
		val, _ := o.Get(op)
		p := child(path, op)
		n, ok := conditionOps[strings.ToLower(op)]
		if !ok {
			v.ps.add(p, CodeInvalidValue, "unknown condition operator '%s'", op)
			continue
		}
		switch n {
		case -1:
			arr, ok := val.([]any)
			if !ok {
				v.ps.add(p, CodeWrongType, "'%s' takes an array of conditions, not %s", op, jsonType(val))
				continue
			}
			for i, e := range arr {
				eo, ok := e.(*expr.Object)
				if !ok {
					v.ps.add(index(p, i), CodeWrongType, "a condition must be an object, not %s", jsonType(e))
					continue
				}
				v.condition(eo, index(p, i), ctx, depth+1)
			}
		case 0:
			eo, ok := val.(*expr.Object)
			if !ok {
				v.ps.add(p, CodeWrongType, "'not' takes a condition object, not %s", jsonType(val))
				continue
			}
			v.condition(eo, p, ctx, depth+1)
		default:
			arr, ok := val.([]any)
			if !ok || len(arr) != 2 {
				v.ps.add(p, CodeWrongType, "'%s' takes an array of 2 operands", op)
				continue
			}
			v.exprs(arr, p, ctx)
		}
	}
}

func (v *validator) retryPolicy(rp *RetryPolicy) {
	switch rp.Type {
	case "":
		v.ps.add(rp.Path, CodeMissingField, "retryPolicy has no type")
	case "default", "none":
	case "fixed", "exponential":
		if rp.CountExpression == "" && (rp.Count < 1 || rp.Count > 90) {
			v.ps.add(child(rp.Path, "count"), CodeInvalidValue, "retryPolicy count must be between 1 and 90")
		}
		if rp.Interval == "" {
			v.ps.add(rp.Path, CodeMissingField, "%s retryPolicy has no interval", rp.Type)
		}
	default:
		v.ps.add(child(rp.Path, "type"), CodeInvalidValue, "retryPolicy type '%s' is not one of default, none, fixed, exponential", rp.Type)
	}
}

// shape checks the fields each action type requires.
func (v *validator) shape(a *Action) {
	ip := child(a.Path, "inputs")
	needsInputs := a.Canonical != "" && !a.Canonical.IsContainer()
	if needsInputs && !a.HasInputs {
		v.ps.add(a.Path, CodeMissingField, "%s action '%s' has no inputs", a.Canonical, a.Name)
		needsInputs = false
	}
	in, isObj := a.Inputs.(*expr.Object)
	// Inputs computed by one expression cannot be checked statically.
	if needsInputs && !isObj {
		if _, isStr := a.Inputs.(string); !isStr && a.Canonical != ActionCompose {
			v.ps.add(ip, CodeWrongType, "inputs must be an object, not %s", jsonType(a.Inputs))
		}
	}
	req := func(fields ...string) {
		if isObj {
			v.requireInputs(in, ip, fields...)
		}
	}
	switch a.Canonical {
	case ActionIf:
		if a.Expression == nil {
			v.ps.add(a.Path, CodeMissingField, "If action '%s' has no expression", a.Name)
		}
	case ActionSwitch:
		if a.Expression == nil {
			v.ps.add(a.Path, CodeMissingField, "Switch action '%s' has no expression", a.Name)
		}
		if _, _, ok := a.Raw.GetFold("cases"); !ok {
			v.ps.add(a.Path, CodeMissingField, "Switch action '%s' has no cases", a.Name)
		}
		if len(a.Cases) > MaxCases {
			v.ps.add(child(a.Path, "cases"), CodeCaseLimit, "%d cases; at most %d are allowed", len(a.Cases), MaxCases)
		}
		seen := map[string]*Case{}
		for _, c := range a.Cases {
			switch c.Value.(type) {
			case nil:
				v.ps.add(c.Path, CodeMissingField, "case '%s' has no case value", c.Name)
				continue
			case string, int64, float64:
			default:
				v.ps.add(child(c.Path, "case"), CodeWrongType, "case value must be a string or a number, not %s", jsonType(c.Value))
				continue
			}
			k := fmt.Sprintf("%T:%v", c.Value, c.Value)
			if o, dup := seen[k]; dup {
				v.ps.add(child(c.Path, "case"), CodeInvalidValue, "case value %s is already used by case '%s'", quoteValue(c.Value), o.Name)
			} else {
				seen[k] = c
			}
		}
	case ActionForeach:
		if _, _, ok := a.Raw.GetFold("foreach"); !ok {
			v.ps.add(a.Path, CodeMissingField, "Foreach action '%s' has no foreach expression", a.Name)
		}
	case ActionUntil:
		if a.Expression == nil {
			v.ps.add(a.Path, CodeMissingField, "Until action '%s' has no expression", a.Name)
		}
		if a.Limit == nil || a.Limit.Count == 0 && a.Limit.CountExpression == "" && a.Limit.Timeout == "" {
			v.ps.add(a.Path, CodeMissingField, "Until action '%s' has no limit; set limit.count, limit.timeout or both", a.Name)
		} else if a.Limit.Count > 5000 {
			v.ps.add(child(a.Limit.Path, "count"), CodeInvalidValue, "limit.count is %d; at most 5000 is allowed", a.Limit.Count)
		}
	case ActionTerminate:
		v.inLoop(a)
		if isObj {
			rs, ok := fieldString(in, "runStatus")
			switch {
			case !ok:
				v.ps.add(ip, CodeMissingField, "Terminate action '%s' has no runStatus", a.Name)
			case !isExpr(rs) && !equalsAny(rs, "Succeeded", "Failed", "Cancelled"):
				v.ps.add(child(ip, "runStatus"), CodeInvalidValue, "runStatus '%s' is not one of Succeeded, Failed, Cancelled", rs)
			}
			if _, has := field(in, "runError"); has && ok && !isExpr(rs) && !strings.EqualFold(rs, "Failed") {
				v.ps.warn(child(ip, "runError"), CodeInvalidValue, "runError is only used when runStatus is Failed")
			}
		}
	case ActionResponse:
		v.inLoop(a)
		if isObj {
			if sc, ok := field(in, "statusCode"); ok {
				if n, isInt := toInt(sc); isInt && (n < 100 || n > 599 || n >= 300 && n < 400) {
					v.ps.add(child(ip, "statusCode"), CodeInvalidValue, "statusCode %d is not allowed; use 1xx, 2xx, 4xx or 5xx", n)
				}
			}
		}
	case ActionInitializeVariable:
		if a.Parent != nil {
			v.ps.add(a.Path, CodeMisplacedAction, "InitializeVariable is only allowed at top level, not inside '%s'", a.Parent.Name)
		}
		if isObj {
			v.initVariable(a, in, ip)
		}
	case ActionSetVariable, ActionIncrementVariable, ActionDecrementVariable,
		ActionAppendToArrayVariable, ActionAppendToStringVariable:
		if isObj {
			v.useVariable(a, in, ip)
		}
	case ActionParseJSON:
		req("content", "schema")
	case ActionQuery:
		req("from", "where")
	case ActionSelect:
		req("from", "select")
	case ActionJoin:
		req("from", "joinWith")
	case ActionTable:
		req("from", "format")
		if f, ok := fieldString(in, "format"); ok && !isExpr(f) && !equalsAny(f, "CSV", "HTML") {
			v.ps.add(child(ip, "format"), CodeInvalidValue, "table format '%s' is not CSV or HTML", f)
		}
	case ActionWait:
		if isObj {
			_, hasInt := field(in, "interval")
			_, hasUntil := field(in, "until")
			switch {
			case hasInt && hasUntil:
				v.ps.add(ip, CodeConflict, "Wait takes interval or until, not both")
			case !hasInt && !hasUntil:
				v.ps.add(ip, CodeMissingField, "Wait action '%s' has neither interval nor until", a.Name)
			case hasInt:
				iv, _ := field(in, "interval")
				if io, ok := iv.(*expr.Object); ok {
					v.requireInputs(io, child(ip, "interval"), "count", "unit")
					if u, ok := fieldString(io, "unit"); ok && !isExpr(u) && !equalsAny(u, frequencies...) {
						v.ps.add(child(child(ip, "interval"), "unit"), CodeInvalidValue, "unit '%s' is not one of %s", u, strings.Join(frequencies, ", "))
					}
				}
			}
		}
	case ActionHTTP:
		req("method", "uri")
	case ActionHTTPWebhook:
		req("subscribe")
	case ActionWorkflow:
		req("host")
	case ActionJavaScriptCode:
		req("code")
	case ActionAPIConnection, ActionAPIConnectionWebhook:
		req("host")
	}
}

// requireInputs reports each missing field of the object inputs; path is
// the object's path.
func (v *validator) requireInputs(inputs any, path string, fields ...string) {
	in, ok := inputs.(*expr.Object)
	if !ok {
		return
	}
	for _, f := range fields {
		if _, ok := field(in, f); !ok {
			v.ps.add(path, CodeMissingField, "required field '%s' is missing", f)
		}
	}
}

// inLoop reports Terminate and Response inside Foreach or Until.
func (v *validator) inLoop(a *Action) {
	for _, p := range a.Ancestors() {
		if p.Canonical == ActionForeach || p.Canonical == ActionUntil {
			v.ps.add(a.Path, CodeMisplacedAction, "%s is not allowed inside %s '%s'", a.Canonical, p.Canonical, p.Name)
			return
		}
	}
}

func (v *validator) initVariable(a *Action, in *expr.Object, ip string) {
	vars, ok := field(in, "variables")
	vp := child(ip, "variables")
	if !ok {
		v.ps.add(ip, CodeMissingField, "required field 'variables' is missing")
		return
	}
	arr, ok := vars.([]any)
	if !ok {
		v.ps.add(vp, CodeWrongType, "variables must be an array, not %s", jsonType(vars))
		return
	}
	if len(arr) != 1 {
		v.ps.add(vp, CodeInvalidValue, "InitializeVariable declares exactly one variable, not %d", len(arr))
	}
	for i, e := range arr {
		ep := index(vp, i)
		eo, ok := e.(*expr.Object)
		if !ok {
			v.ps.add(ep, CodeWrongType, "a variable must be an object, not %s", jsonType(e))
			continue
		}
		name, ok := fieldString(eo, "name")
		if !ok || name == "" {
			v.ps.add(ep, CodeMissingField, "variable has no name")
		} else if vr := v.vars[strings.ToLower(name)]; vr.Action != nil && vr.Action != a {
			v.ps.add(child(ep, "name"), CodeDuplicateVariable, "variable '%s' is already initialized by '%s'", name, vr.Action.Name)
		}
		typ, ok := fieldString(eo, "type")
		if !ok {
			v.ps.add(ep, CodeMissingField, "variable '%s' has no type", name)
			continue
		}
		canon := ""
		for _, t := range variableTypes {
			if strings.EqualFold(t, typ) {
				canon = t
			}
		}
		if canon == "" {
			v.ps.add(child(ep, "type"), CodeInvalidValue, "variable type '%s' is not one of boolean, integer, float, string, object, array", typ)
			continue
		}
		if val, ok := field(eo, "value"); ok && !fitsType(val, canon) {
			v.ps.add(child(ep, "value"), CodeInvalidValue, "value of %s variable '%s' is %s", strings.ToLower(canon), name, jsonType(val))
		}
	}
}

// fitsType reports whether a literal initial value fits a variable type.
// Strings holding expressions are checked when the run evaluates them.
func fitsType(val any, typ string) bool {
	if s, ok := val.(string); ok && isExpr(s) {
		return true
	}
	switch val.(type) {
	case nil:
		return true
	case bool:
		return typ == "Boolean"
	case int64:
		return typ == "Integer" || typ == "Float"
	case float64, expr.Decimal:
		return typ == "Float"
	case string:
		return typ == "String"
	case []any:
		return typ == "Array"
	case *expr.Object:
		return typ == "Object"
	}
	return false
}

func (v *validator) useVariable(a *Action, in *expr.Object, ip string) {
	name, ok := fieldString(in, "name")
	if !ok || name == "" {
		v.ps.add(ip, CodeMissingField, "required field 'name' is missing")
		return
	}
	if _, has := field(in, "value"); !has && (a.Canonical == ActionSetVariable || a.Canonical == ActionAppendToArrayVariable || a.Canonical == ActionAppendToStringVariable) {
		v.ps.add(ip, CodeMissingField, "required field 'value' is missing")
	}
	if isExpr(name) {
		return
	}
	vr, ok := v.vars[strings.ToLower(name)]
	if !ok {
		v.ps.add(child(ip, "name"), CodeUndeclaredVariable, "variable '%s' is not initialized by any InitializeVariable action", name)
		return
	}
	var want []string
	switch a.Canonical {
	case ActionIncrementVariable, ActionDecrementVariable:
		want = []string{"Integer", "Float"}
	case ActionAppendToArrayVariable:
		want = []string{"Array"}
	case ActionAppendToStringVariable:
		want = []string{"String"}
	}
	if want != nil && contains(variableTypes, vr.Type) && !contains(want, vr.Type) {
		v.ps.add(child(ip, "name"), CodeVariableType, "%s cannot be used on %s variable '%s'", a.Canonical, strings.ToLower(vr.Type), vr.Name)
	}
	if a.Canonical == ActionSetVariable {
		if val, ok := field(in, "value"); ok && contains(variableTypes, vr.Type) && !fitsType(val, vr.Type) {
			v.ps.add(child(ip, "value"), CodeVariableType, "value of %s variable '%s' is %s", strings.ToLower(vr.Type), vr.Name, jsonType(val))
		}
	}
}

// exprs checks every string inside a JSON value as an expression. ctx is
// the action whose ancestors enclose the value (nil outside actions).
func (v *validator) exprs(val any, path string, ctx *Action) {
	v.walkStrings(val, &lazyPath{base: path}, ctx)
}

// lazyPath is a path built only when a problem needs it, so deeply nested
// values do not cost a string per level.
type lazyPath struct {
	parent *lazyPath
	base   string // for the root
	key    string
	idx    int // for array elements: key == "" and isIdx
	isIdx  bool
}

func (p *lazyPath) String() string {
	var segs []*lazyPath
	for q := p; q.parent != nil; q = q.parent {
		segs = append(segs, q)
	}
	var b strings.Builder
	for q := p; ; q = q.parent {
		if q.parent == nil {
			b.WriteString(q.base)
			break
		}
	}
	for i := len(segs) - 1; i >= 0; i-- {
		if q := segs[i]; q.isIdx {
			b.WriteString(index("", q.idx))
		} else {
			b.WriteString(child("", q.key))
		}
	}
	return b.String()
}

func (v *validator) walkStrings(val any, path *lazyPath, ctx *Action) {
	switch x := val.(type) {
	case string:
		if strings.Contains(x, "@") {
			v.expr(x, path.String(), ctx)
		}
	case []any:
		for i, e := range x {
			v.walkStrings(e, &lazyPath{parent: path, idx: i, isIdx: true}, ctx)
		}
	case *expr.Object:
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			v.walkStrings(e, &lazyPath{parent: path, key: k}, ctx)
		}
	}
}

// expr checks one definition string: syntax, length and the names it
// refers to. ctx is the innermost action the string belongs to; loops
// enclosing it are ctx itself (for its nested actions' strings) or its
// ancestors.
func (v *validator) expr(s, path string, ctx *Action) {
	if !strings.Contains(s, "@") {
		return
	}
	t, err := expr.Compile(s)
	if err != nil {
		var pe *expr.ParseError
		if errors.As(err, &pe) {
			if pe.Line > 1 {
				v.ps.add(path, CodeExprSyntax, "expression does not parse at line %d, column %d: %s", pe.Line, pe.Col, pe.Msg)
			} else {
				v.ps.add(path, CodeExprSyntax, "expression does not parse at column %d: %s", pe.Col, pe.Msg)
			}
		} else {
			v.ps.add(path, CodeExprSyntax, "expression does not parse: %v", err)
		}
		return
	}
	if t.IsLiteral() {
		return
	}
	if len(s) > MaxExpressionLength {
		v.ps.add(path, CodeExprLength, "expression is %d characters long; at most %d are allowed", len(s), MaxExpressionLength)
	}
	if err := t.Check(); err != nil {
		v.ps.warn(path, CodeExprFunction, "expression fails when evaluated: %v", err)
	}
	for _, c := range t.Calls() {
		if len(c.Args) == 0 || !c.ArgConst[0] {
			continue
		}
		arg, ok := c.Args[0].(string)
		if !ok {
			continue
		}
		fn := strings.ToLower(c.Name)
		switch fn {
		case "parameters":
			switch {
			case v.d.Parameter(arg) != nil:
			case v.standard():
				v.ps.warn(path, CodeExternalParam, "parameters('%s') is not declared in the definition; it must come from parameters.json", arg)
			default:
				v.ps.add(path, CodeUndeclaredParam, "parameters('%s') names a parameter that is not declared", arg)
			}
		case "actions", "body", "outputs", "result", "actionbody", "actionoutputs":
			if v.d.Action(arg) == nil {
				v.ps.add(path, CodeUnknownActionRef, "%s('%s') names an action that does not exist", c.Name, arg)
			}
		case "variables":
			if _, ok := v.vars[strings.ToLower(arg)]; !ok {
				v.ps.add(path, CodeUndeclaredVariable, "variables('%s') names a variable that is not initialized by any InitializeVariable action", arg)
			}
		case "items", "iterationindexes":
			want := ActionForeach
			if fn == "iterationindexes" {
				want = ActionUntil
			}
			if !enclosedBy(ctx, arg, want) {
				v.ps.add(path, CodeNotEnclosingLoop, "%s('%s') names '%s', which is not an enclosing %s", c.Name, arg, arg, want)
			}
		}
	}
}

// standard reports whether the definition looks like a Logic Apps Standard
// one, whose parameters live in parameters.json rather than in the
// definition: it came from a workflow.json wrapper, or it is bare and
// declares no parameters at all.
func (v *validator) standard() bool {
	if v.d.Wrapper == "standard" {
		return true
	}
	if v.d.Wrapper != "" {
		return false
	}
	_, _, declares := v.d.Raw.GetFold("parameters")
	return !declares
}

// enclosedBy reports whether ctx (inclusive: a string inside a loop's own
// inputs counts as inside) or one of its ancestors is a loop of type t
// named name. The foreach expression of a loop is checked with the loop's
// parent as ctx.
func enclosedBy(ctx *Action, name string, t ActionType) bool {
	for a := ctx; a != nil; a = a.Parent {
		if a.Canonical == t && strings.EqualFold(a.Name, name) {
			return true
		}
	}
	return false
}

// field returns an object field (case-insensitive).
func field(v any, key string) (any, bool) {
	o, ok := v.(*expr.Object)
	if !ok {
		return nil, false
	}
	x, _, ok := o.GetFold(key)
	return x, ok
}

func fieldString(v any, key string) (string, bool) {
	x, ok := field(v, key)
	if !ok {
		return "", false
	}
	s, ok := x.(string)
	return s, ok
}

// isExpr reports whether a definition string holds an expression (so its
// value is only known at run time).
func isExpr(s string) bool {
	t, err := expr.Compile(s)
	return err != nil || !t.IsLiteral()
}

func equalsAny(s string, set ...string) bool {
	for _, x := range set {
		if strings.EqualFold(s, x) {
			return true
		}
	}
	return false
}

// equalJSON compares two decoded JSON values.
func equalJSON(a, b any) bool {
	switch x := a.(type) {
	case *expr.Object:
		y, ok := b.(*expr.Object)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for _, k := range x.Keys() {
			xv, _ := x.Get(k)
			yv, ok := y.Get(k)
			if !ok || !equalJSON(xv, yv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return fmt.Sprint(a) == fmt.Sprint(b) && fmt.Sprintf("%T", a) == fmt.Sprintf("%T", b)
}
