// SPDX-License-Identifier: Apache-2.0

package workflow

import (
	"strings"

	"github.com/junction-run/junction/expr"
)

// Definition is a decoded workflow definition. It is built by [Decode] and
// must not be modified afterwards; it is safe for concurrent reads.
type Definition struct {
	// Schema is the $schema value, if any (any value is accepted).
	Schema string
	// ContentVersion is the contentVersion value ("" when absent).
	ContentVersion string
	// Kind is "Stateful" or "Stateless" when the definition came wrapped as a
	// Logic Apps Standard workflow.json, "" otherwise.
	Kind string
	// Wrapper says where the definition was found: "" (bare), "standard",
	// "arm-resource" or "arm-template".
	Wrapper string
	// ParameterValues holds the values the wrapper supplies for the
	// definition's parameters (ARM properties.parameters: name → {"value": x}),
	// or nil.
	ParameterValues *expr.Object

	// Parameters are the declared parameters by name.
	Parameters map[string]*ParamDecl
	// Triggers in definition order.
	Triggers []*Trigger
	// Actions is the top-level action list (path $.actions).
	Actions *ActionList
	// Outputs are the declared workflow outputs by name.
	Outputs map[string]*Output
	// StaticResults maps a static result name to its raw value
	// ({outputs, status}).
	StaticResults map[string]any
	// Raw is the whole definition object as decoded.
	Raw *expr.Object

	all      []*Action            // every action, depth first, definition order
	index    map[string][]*Action // lower-case name → actions (several only if duplicated)
	problems []Problem            // found while decoding
}

// ParamDecl is a parameter declaration.
type ParamDecl struct {
	Name string
	// Type is the declared type as written (int, float, string, bool, array,
	// object, securestring, secureobject; compare case-insensitively).
	Type string
	// DefaultValue is the raw defaultValue; HasDefault says whether it was
	// present (it may be null).
	DefaultValue  any
	HasDefault    bool
	AllowedValues []any
	Metadata      any
	Description   string
	Path          string
}

// Output is a declared workflow output.
type Output struct {
	Name string
	Type string
	// Value is the raw value, usually holding expressions.
	Value any
	Path  string
}

// Trigger is one entry of the definition's triggers.
type Trigger struct {
	Name string
	// Type is the type as written; Canonical is the known type it names
	// (compared case-insensitively), or "" when unknown.
	Type      string
	Canonical TriggerType
	Kind      string
	// Inputs is the raw inputs value (nil when absent).
	Inputs     any
	Recurrence *Recurrence
	// SplitOn is the splitOn expression string, or "".
	SplitOn    string
	Conditions []Condition
	// Correlation is the raw correlation value ({clientTrackingId}), or nil.
	Correlation          any
	OperationOptions     Options
	RuntimeConfiguration *RuntimeConfiguration
	Description          string
	Metadata             any
	// Raw is the whole trigger object.
	Raw  *expr.Object
	Path string
}

// Condition is a trigger condition: the run starts only if Expression is true.
type Condition struct {
	Expression string
	Path       string
}

// Recurrence is the schedule of a Recurrence trigger or a polling trigger.
type Recurrence struct {
	// Frequency is Second, Minute, Hour, Day, Week or Month (canonical case
	// when recognised, as written otherwise).
	Frequency string
	Interval  int64
	StartTime string
	TimeZone  string
	Schedule  *Schedule
	Path      string
}

// Schedule is the advanced schedule of a recurrence.
type Schedule struct {
	Hours     []int64
	Minutes   []int64
	WeekDays  []string
	MonthDays []int64
}

// Status is an action status that runAfter can name.
type Status string

// The statuses runAfter accepts.
const (
	StatusSucceeded Status = "Succeeded"
	StatusFailed    Status = "Failed"
	StatusSkipped   Status = "Skipped"
	StatusTimedOut  Status = "TimedOut"
)

// ParseStatus returns the canonical status for s (case-insensitive).
func ParseStatus(s string) (Status, bool) {
	for _, st := range []Status{StatusSucceeded, StatusFailed, StatusSkipped, StatusTimedOut} {
		if strings.EqualFold(s, string(st)) {
			return st, true
		}
	}
	return "", false
}

// Action is one action of the definition, at any depth.
type Action struct {
	Name string
	// Type is the type as written; Canonical is the known type it names
	// (compared case-insensitively), or "" when unknown.
	Type      string
	Canonical ActionType
	Kind      string
	// Inputs is the raw inputs value; HasInputs says whether the field was
	// present.
	Inputs    any
	HasInputs bool
	// RunAfter maps each predecessor (as written; resolve names with
	// [ActionList.Get] or [ActionList.Predecessors], which ignore case) to
	// the statuses it must end in. Empty means: start when the enclosing
	// list starts.
	RunAfter map[string][]Status

	// Actions holds the nested actions of Scope, If (the true branch),
	// Foreach and Until; nil for other types.
	Actions *ActionList
	// Else is the false branch of an If (nil when absent).
	Else *ActionList
	// Expression is the condition of If (a string or the designer's object
	// form), Until (string or object) and the value switched on by Switch.
	// Nil when absent.
	Expression any
	// Cases are the cases of a Switch, in definition order.
	Cases []*Case
	// Default is the default branch of a Switch (nil when absent).
	Default *ActionList
	// Foreach is the array expression of a Foreach.
	Foreach string

	Limit                *Limit
	RetryPolicy          *RetryPolicy
	OperationOptions     Options
	RuntimeConfiguration *RuntimeConfiguration
	TrackedProperties    any
	Description          string
	Metadata             any

	// Raw is the whole action object.
	Raw *expr.Object
	// Path is the JSON path of the action, e.g. $.actions.Scope_1.actions.Compose_2.
	Path string
	// Parent is the container action, nil at top level.
	Parent *Action
	// List is the action list the action belongs to.
	List *ActionList
	// Depth is 1 at top level, 2 inside one container, and so on.
	Depth int
}

// Case is one case of a Switch.
type Case struct {
	Name string
	// Value is the raw case value (string or number).
	Value   any
	Actions *ActionList
	Path    string
}

// Limit bounds an action: Until's count and timeout, or an asynchronous
// action's timeout.
type Limit struct {
	// Count is the Until iteration limit (0 when absent or an expression).
	Count int64
	// CountExpression is the count when written as an expression string
	// (evaluated when the loop starts), or "".
	CountExpression string
	// Timeout is an ISO 8601 duration ("" when absent).
	Timeout string
	Path    string
}

// RetryPolicy is inputs.retryPolicy of an action.
type RetryPolicy struct {
	// Type is "default", "none", "fixed" or "exponential" (lower case).
	Type  string
	Count int64
	// CountExpression is the count when written as an expression string,
	// or "".
	CountExpression string
	// Interval, MinimumInterval and MaximumInterval are ISO 8601 durations.
	Interval        string
	MinimumInterval string
	MaximumInterval string
	Path            string
}

// SecureOutputs reports whether the trigger hides its outputs from run
// history: runtimeConfiguration.secureData lists "outputs", or "inputs" (a
// Request trigger's inputs are its outputs).
func (t *Trigger) SecureOutputs() bool {
	if t == nil || t.RuntimeConfiguration == nil {
		return false
	}
	for _, p := range t.RuntimeConfiguration.SecureData {
		if p == "outputs" || p == "inputs" {
			return true
		}
	}
	return false
}

// RuntimeConfiguration is the runtimeConfiguration of a trigger or action.
type RuntimeConfiguration struct {
	Concurrency *Concurrency
	// SecureData lists "inputs" and/or "outputs" (lower case) to hide from
	// run history.
	SecureData       []string
	StaticResult     *StaticResultRef
	PaginationPolicy *PaginationPolicy
	// ContentTransfer is transferMode ("Chunked"), or "".
	ContentTransfer string
	Path            string
}

// Concurrency is runtimeConfiguration.concurrency; zero means unset.
type Concurrency struct {
	Repetitions        int64
	Runs               int64
	MaximumWaitingRuns int64
}

// StaticResultRef selects a static result of the definition.
type StaticResultRef struct {
	Name string
	// Enabled is true when staticResultOptions is "Enabled".
	Enabled bool
}

// PaginationPolicy is runtimeConfiguration.paginationPolicy.
type PaginationPolicy struct {
	MinimumItemCount int64
}

// Options is a set of operationOptions values. Known options are stored in
// their canonical case; compare with [Options.Has].
type Options []string

// Has reports whether o contains opt (case-insensitive).
func (o Options) Has(opt string) bool {
	for _, x := range o {
		if strings.EqualFold(x, opt) {
			return true
		}
	}
	return false
}

// Known operationOptions values.
const (
	OptionSequential                           = "Sequential"
	OptionDisableAsyncPattern                  = "DisableAsyncPattern"
	OptionSuppressWorkflowHeaders              = "SuppressWorkflowHeaders"
	OptionSuppressWorkflowHeadersOnResponse    = "SuppressWorkflowHeadersOnResponse"
	OptionIncludeAuthorizationHeadersInOutputs = "IncludeAuthorizationHeadersInOutputs"
	OptionSingleInstance                       = "SingleInstance"
	OptionEnableSchemaValidation               = "EnableSchemaValidation"
	OptionAsynchronous                         = "Asynchronous"
	OptionNone                                 = "None"
)

// KnownOptions lists the operationOptions values the model recognises.
var KnownOptions = []string{
	OptionSequential, OptionDisableAsyncPattern, OptionSuppressWorkflowHeaders,
	OptionSuppressWorkflowHeadersOnResponse, OptionIncludeAuthorizationHeadersInOutputs,
	OptionSingleInstance, OptionEnableSchemaValidation, OptionAsynchronous, OptionNone,
}

// ActionList is an ordered list of sibling actions (the top level or one
// branch of a container) with its runAfter graph.
type ActionList struct {
	// Path is the JSON path of the list object, e.g. $.actions or
	// $.actions.Condition.else.actions.
	Path string
	// Owner is the container action, nil at top level.
	Owner *Action
	// Branch names the list within its owner: "actions", "else",
	// "default" or the case name; "" at top level.
	Branch string

	actions []*Action // definition order
	byName  map[string]*Action
	start   []*Action
	succ    map[*Action][]*Action
	order   []*Action // topological; nil when the list has a cycle
	cycle   []*Action
}

// Len returns the number of actions in the list (0 for a nil list).
func (l *ActionList) Len() int {
	if l == nil {
		return 0
	}
	return len(l.actions)
}

// All returns the actions in definition order. The slice must not be
// modified.
func (l *ActionList) All() []*Action {
	if l == nil {
		return nil
	}
	return l.actions
}

// Get returns the action named name in this list (case-insensitive), or nil.
func (l *ActionList) Get(name string) *Action {
	if l == nil {
		return nil
	}
	return l.byName[strings.ToLower(name)]
}

// Start returns the actions with an empty runAfter: those that start when the
// list starts, in definition order.
func (l *ActionList) Start() []*Action {
	if l == nil {
		return nil
	}
	return l.start
}

// Successors returns the actions of this list whose runAfter names the
// action called name, in definition order.
func (l *ActionList) Successors(name string) []*Action {
	a := l.Get(name)
	if a == nil {
		return nil
	}
	return l.succ[a]
}

// Predecessors returns the actions of this list named in a's runAfter, in the
// order of a's runAfter keys (sorted). Names that are not in the list are
// left out.
func (l *ActionList) Predecessors(a *Action) []*Action {
	var out []*Action
	for _, n := range a.RunAfterNames() {
		if p := l.Get(n); p != nil {
			out = append(out, p)
		}
	}
	return out
}

// Order returns the actions in a topological order of runAfter (ties in
// definition order), or nil when the list has a cycle.
func (l *ActionList) Order() []*Action {
	if l == nil {
		return nil
	}
	return l.order
}

// Cycle returns the actions of one runAfter cycle (the first action repeated
// implicitly), or nil.
func (l *ActionList) Cycle() []*Action {
	if l == nil {
		return nil
	}
	return l.cycle
}

// Successors returns the siblings that run after a.
func (a *Action) Successors() []*Action { return a.List.succ[a] }

// RunAfterNames returns the keys of RunAfter, sorted.
func (a *Action) RunAfterNames() []string { return sortedKeys(a.RunAfter) }

// Children returns the nested action lists of a container in a fixed order:
// actions (Scope, If true branch, Foreach, Until), else, each case, default.
func (a *Action) Children() []*ActionList {
	var out []*ActionList
	if a.Actions != nil {
		out = append(out, a.Actions)
	}
	if a.Else != nil {
		out = append(out, a.Else)
	}
	for _, c := range a.Cases {
		if c.Actions != nil {
			out = append(out, c.Actions)
		}
	}
	if a.Default != nil {
		out = append(out, a.Default)
	}
	return out
}

// Case returns the Switch case named name (exact match first, then
// case-insensitive), or nil.
func (a *Action) Case(name string) *Case {
	for _, c := range a.Cases {
		if c.Name == name {
			return c
		}
	}
	for _, c := range a.Cases {
		if strings.EqualFold(c.Name, name) {
			return c
		}
	}
	return nil
}

// Ancestors returns the enclosing container actions, innermost first.
func (a *Action) Ancestors() []*Action {
	var out []*Action
	for p := a.Parent; p != nil; p = p.Parent {
		out = append(out, p)
	}
	return out
}

// Action returns the action named name at any depth (case-insensitive), or
// nil. With duplicated names (a validation error) the first in depth-first
// definition order is returned.
func (d *Definition) Action(name string) *Action {
	if as := d.index[strings.ToLower(name)]; len(as) > 0 {
		return as[0]
	}
	return nil
}

// AllActions returns every action at any depth, depth first in definition
// order (a container before its contents). The slice must not be modified.
func (d *Definition) AllActions() []*Action { return d.all }

// Trigger returns the trigger named name (case-insensitive), or nil.
func (d *Definition) Trigger(name string) *Trigger {
	for _, t := range d.Triggers {
		if strings.EqualFold(t.Name, name) {
			return t
		}
	}
	return nil
}

// List returns the action list at path (as in [ActionList.Path]), or nil.
func (d *Definition) List(path string) *ActionList {
	if d.Actions != nil && d.Actions.Path == path {
		return d.Actions
	}
	for _, a := range d.all {
		for _, l := range a.Children() {
			if l.Path == path {
				return l
			}
		}
	}
	return nil
}

// Parameter returns the declaration of the named parameter (exact match
// first, then case-insensitive), or nil.
func (d *Definition) Parameter(name string) *ParamDecl {
	if p, ok := d.Parameters[name]; ok {
		return p
	}
	for n, p := range d.Parameters {
		if strings.EqualFold(n, name) {
			return p
		}
	}
	return nil
}
