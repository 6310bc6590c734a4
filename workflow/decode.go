// SPDX-License-Identifier: Apache-2.0

package workflow

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/junction-run/junction/expr"
)

// SyntaxError is unreadable JSON. Line and Col are 1-based; Col counts bytes.
type SyntaxError struct {
	Offset int64
	Line   int
	Col    int
	Msg    string
}

// Error returns "line L, column C: message".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// Decode reads a workflow definition from JSON: bare, wrapped as a Logic
// Apps Standard workflow.json, inside an ARM resource or inside an ARM
// template (see the package documentation). Unreadable JSON gives a
// *[SyntaxError]; a document without a definition gives a
// *[ValidationError] with code WF1011. Every other problem is kept for
// [Definition.Validate].
func Decode(data []byte) (*Definition, error) {
	v, err := expr.Decode(data)
	if err != nil {
		return nil, syntaxError(data, err)
	}
	return DecodeValue(v)
}

// syntaxError turns a JSON decoding error into a *SyntaxError with a line
// and column.
func syntaxError(data []byte, err error) error {
	var off int64
	msg := err.Error()
	var se *json.SyntaxError
	var v any
	// The value decoder does not always say where it stopped (trailing data,
	// truncated input), so ask encoding/json for the offset.
	if uerr := json.Unmarshal(data, &v); errors.As(uerr, &se) {
		off, msg = se.Offset, se.Error()
	} else if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(uerr, io.ErrUnexpectedEOF) {
		off, msg = int64(len(data)), "unexpected end of JSON input"
	} else if errors.As(err, &se) {
		off, msg = se.Offset, se.Error()
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	// encoding/json reports the offset after the bad byte; at the end of
	// the input the column just past the last byte is right.
	if se != nil && !strings.Contains(msg, "unexpected end") && col > 1 && data[off-1] != '\n' {
		col--
	}
	return &SyntaxError{Offset: off, Line: line, Col: col, Msg: msg}
}

// DecodeValue is [Decode] for a value already decoded with expr.Decode.
func DecodeValue(v any) (*Definition, error) {
	root, ok := v.(*expr.Object)
	if !ok {
		return nil, &ValidationError{Problems: []Problem{{Path: "$", Code: CodeNoDefinition, Message: "the document is not a JSON object"}}}
	}
	d := &Definition{}
	def := unwrap(root, d)
	if def == nil {
		return nil, &ValidationError{Problems: []Problem{{Path: "$", Code: CodeNoDefinition,
			Message: "no workflow definition: expected an object with triggers and actions, a workflow.json with \"definition\", or an ARM resource or template"}}}
	}
	dec := &decoder{d: d}
	dec.definition(def)
	d.problems = dec.ps
	d.index = make(map[string][]*Action, len(d.all))
	for _, a := range d.all {
		k := strings.ToLower(a.Name)
		d.index[k] = append(d.index[k], a)
	}
	return d, nil
}

var definitionKeys = []string{"triggers", "actions", "$schema", "contentVersion", "parameters", "outputs", "staticResults"}

// unwrap finds the definition object in root and records the wrapper in d.
func unwrap(root *expr.Object, d *Definition) *expr.Object {
	if v, _, ok := root.GetFold("definition"); ok {
		if def, ok := v.(*expr.Object); ok {
			d.Wrapper = "standard"
			if k, _, ok := root.GetFold("kind"); ok {
				d.Kind, _ = k.(string)
			}
			return def
		}
	}
	if def := armDefinition(root, d); def != nil {
		d.Wrapper = "arm-resource"
		return def
	}
	if v, _, ok := root.GetFold("resources"); ok {
		if rs, ok := v.([]any); ok {
			for _, r := range rs {
				ro, ok := r.(*expr.Object)
				if !ok {
					continue
				}
				t, _, _ := ro.GetFold("type")
				if ts, _ := t.(string); !strings.EqualFold(ts, "Microsoft.Logic/workflows") {
					continue
				}
				if def := armDefinition(ro, d); def != nil {
					d.Wrapper = "arm-template"
					return def
				}
			}
		}
	}
	if root.Len() == 0 {
		return root
	}
	for _, k := range definitionKeys {
		if _, _, ok := root.GetFold(k); ok {
			return root
		}
	}
	return nil
}

func armDefinition(res *expr.Object, d *Definition) *expr.Object {
	p, _, ok := res.GetFold("properties")
	if !ok {
		return nil
	}
	props, ok := p.(*expr.Object)
	if !ok {
		return nil
	}
	v, _, ok := props.GetFold("definition")
	if !ok {
		return nil
	}
	def, ok := v.(*expr.Object)
	if !ok {
		return nil
	}
	if pv, _, ok := props.GetFold("parameters"); ok {
		d.ParameterValues, _ = pv.(*expr.Object)
	}
	return def
}

// maxReadDepth is the deepest action level Decode reads.
const maxReadDepth = 2 * MaxDepth

// decoder holds the state of one Decode call.
type decoder struct {
	d  *Definition
	ps problems
}

func (dec *decoder) definition(o *expr.Object) {
	d := dec.d
	d.Raw = o
	d.Schema, _ = dec.str(o, "$schema", "$")
	d.ContentVersion, _ = dec.str(o, "contentVersion", "$")

	d.Parameters = map[string]*ParamDecl{}
	if po, path, ok := dec.obj(o, "parameters", "$"); ok {
		for _, name := range po.Keys() {
			v, _ := po.Get(name)
			p := &ParamDecl{Name: name, Path: child(path, name)}
			if pd, ok := dec.asObj(v, p.Path); ok {
				p.Type, _ = dec.str(pd, "type", p.Path)
				p.DefaultValue, _, p.HasDefault = pd.GetFold("defaultValue")
				p.AllowedValues, _, _ = dec.arr(pd, "allowedValues", p.Path)
				p.Metadata, _, _ = pd.GetFold("metadata")
				if mo, ok := p.Metadata.(*expr.Object); ok {
					if s, _, ok := mo.GetFold("description"); ok {
						p.Description, _ = s.(string)
					}
				}
			}
			d.Parameters[name] = p
		}
	}

	if to, path, ok := dec.obj(o, "triggers", "$"); ok {
		for _, name := range to.Keys() {
			v, _ := to.Get(name)
			if t := dec.trigger(name, v, child(path, name)); t != nil {
				d.Triggers = append(d.Triggers, t)
			}
		}
	}

	if v, stored, ok := o.GetFold("actions"); ok {
		d.Actions = dec.list(v, child("$", stored), nil, "", 1)
	} else {
		d.Actions = dec.list(nil, "$.actions", nil, "", 1)
	}

	d.Outputs = map[string]*Output{}
	if oo, path, ok := dec.obj(o, "outputs", "$"); ok {
		for _, name := range oo.Keys() {
			v, _ := oo.Get(name)
			out := &Output{Name: name, Path: child(path, name)}
			if od, ok := dec.asObj(v, out.Path); ok {
				out.Type, _ = dec.str(od, "type", out.Path)
				out.Value, _, _ = od.GetFold("value")
			}
			d.Outputs[name] = out
		}
	}

	d.StaticResults = map[string]any{}
	if so, _, ok := dec.obj(o, "staticResults", "$"); ok {
		for _, name := range so.Keys() {
			d.StaticResults[name], _ = so.Get(name)
		}
	}
}

func (dec *decoder) trigger(name string, v any, path string) *Trigger {
	o, ok := dec.asObj(v, path)
	if !ok {
		return nil
	}
	t := &Trigger{Name: name, Path: path, Raw: o}
	t.Type, _ = dec.str(o, "type", path)
	t.Canonical, _ = LookupTriggerType(t.Type)
	t.Kind, _ = dec.str(o, "kind", path)
	t.Inputs, _, _ = o.GetFold("inputs")
	if ro, rpath, ok := dec.obj(o, "recurrence", path); ok {
		t.Recurrence = dec.recurrence(ro, rpath)
	}
	t.SplitOn, _ = dec.str(o, "splitOn", path)
	if cs, cpath, ok := dec.arr(o, "conditions", path); ok {
		for i, c := range cs {
			cp := index(cpath, i)
			co, ok := dec.asObj(c, cp)
			if !ok {
				continue
			}
			s, _ := dec.str(co, "expression", cp)
			t.Conditions = append(t.Conditions, Condition{Expression: s, Path: cp})
		}
	}
	t.Correlation, _, _ = o.GetFold("correlation")
	t.OperationOptions = dec.options(o, path)
	t.RuntimeConfiguration = dec.runtimeConfiguration(o, path)
	t.Description, _ = dec.str(o, "description", path)
	t.Metadata, _, _ = o.GetFold("metadata")
	return t
}

var frequencies = []string{"Second", "Minute", "Hour", "Day", "Week", "Month"}

func (dec *decoder) recurrence(o *expr.Object, path string) *Recurrence {
	r := &Recurrence{Path: path}
	r.Frequency, _ = dec.str(o, "frequency", path)
	for _, f := range frequencies {
		if strings.EqualFold(f, r.Frequency) {
			r.Frequency = f
		}
	}
	r.Interval, _ = dec.int(o, "interval", path)
	r.StartTime, _ = dec.str(o, "startTime", path)
	r.TimeZone, _ = dec.str(o, "timeZone", path)
	if so, spath, ok := dec.obj(o, "schedule", path); ok {
		s := &Schedule{}
		s.Hours = dec.ints(so, "hours", spath)
		s.Minutes = dec.ints(so, "minutes", spath)
		s.MonthDays = dec.ints(so, "monthDays", spath)
		if wd, wpath, ok := dec.arr(so, "weekDays", spath); ok {
			for i, w := range wd {
				if ws, ok := w.(string); ok {
					s.WeekDays = append(s.WeekDays, ws)
				} else {
					dec.ps.add(index(wpath, i), CodeWrongType, "week day must be a string, not %s", jsonType(w))
				}
			}
		}
		r.Schedule = s
	}
	return r
}

// list decodes an object of actions.
func (dec *decoder) list(v any, path string, owner *Action, branch string, depth int) *ActionList {
	l := &ActionList{Path: path, Owner: owner, Branch: branch}
	if depth > maxReadDepth {
		// Far beyond the limit (reported by validation at MaxDepth+1):
		// stop, so hostile input cannot make paths quadratic in size.
		if v != nil {
			dec.ps.add(path, CodeDepthLimit, "actions nested deeper than %d levels are not read", maxReadDepth)
		}
		v = nil
	}
	if v != nil {
		if o, ok := dec.asObj(v, path); ok {
			for _, name := range o.Keys() {
				av, _ := o.Get(name)
				if a := dec.action(name, av, child(path, name), l, depth); a != nil {
					l.actions = append(l.actions, a)
				}
			}
		}
	}
	buildGraph(l)
	return l
}

func (dec *decoder) action(name string, v any, path string, l *ActionList, depth int) *Action {
	o, ok := dec.asObj(v, path)
	if !ok {
		return nil
	}
	a := &Action{Name: name, Path: path, Raw: o, List: l, Parent: l.Owner, Depth: depth}
	dec.d.all = append(dec.d.all, a)
	a.Type, _ = dec.str(o, "type", path)
	a.Canonical, _ = LookupActionType(a.Type)
	a.Kind, _ = dec.str(o, "kind", path)
	a.Inputs, _, a.HasInputs = o.GetFold("inputs")

	a.RunAfter = map[string][]Status{}
	if ro, rpath, ok := dec.obj(o, "runAfter", path); ok {
		for _, pred := range ro.Keys() {
			sv, _ := ro.Get(pred)
			ppath := child(rpath, pred)
			ss, ok := sv.([]any)
			if !ok {
				dec.ps.add(ppath, CodeWrongType, "runAfter statuses must be an array, not %s", jsonType(sv))
				a.RunAfter[pred] = nil
				continue
			}
			sts := []Status{}
			for i, s := range ss {
				str, _ := s.(string)
				st, ok := ParseStatus(str)
				if !ok {
					dec.ps.add(index(ppath, i), CodeInvalidValue, "runAfter status %s is not one of Succeeded, Failed, Skipped, TimedOut", quoteValue(s))
					continue
				}
				sts = append(sts, st)
			}
			a.RunAfter[pred] = sts
		}
	}

	if v, stored, ok := o.GetFold("actions"); ok {
		a.Actions = dec.list(v, child(path, stored), a, "actions", depth+1)
	}
	if eo, epath, ok := dec.obj(o, "else", path); ok {
		v, stored, _ := eo.GetFold("actions")
		a.Else = dec.list(v, child(epath, firstNonEmpty(stored, "actions")), a, "else", depth+1)
	}
	a.Expression, _, _ = o.GetFold("expression")
	if co, cpath, ok := dec.obj(o, "cases", path); ok {
		for _, cn := range co.Keys() {
			cv, _ := co.Get(cn)
			c := &Case{Name: cn, Path: child(cpath, cn)}
			if cd, ok := dec.asObj(cv, c.Path); ok {
				c.Value, _, _ = cd.GetFold("case")
				v, stored, _ := cd.GetFold("actions")
				c.Actions = dec.list(v, child(c.Path, firstNonEmpty(stored, "actions")), a, cn, depth+1)
			} else {
				c.Actions = dec.list(nil, child(c.Path, "actions"), a, cn, depth+1)
			}
			a.Cases = append(a.Cases, c)
		}
	}
	if do, dpath, ok := dec.obj(o, "default", path); ok {
		v, stored, _ := do.GetFold("actions")
		a.Default = dec.list(v, child(dpath, firstNonEmpty(stored, "actions")), a, "default", depth+1)
	}
	a.Foreach, _ = dec.str(o, "foreach", path)
	if lo, lpath, ok := dec.obj(o, "limit", path); ok {
		a.Limit = &Limit{Path: lpath}
		a.Limit.Count, a.Limit.CountExpression = dec.intOrExpr(lo, "count", lpath)
		a.Limit.Timeout, _ = dec.str(lo, "timeout", lpath)
	}
	if io, ok := a.Inputs.(*expr.Object); ok {
		ipath := child(path, "inputs")
		if ro, rpath, ok := dec.obj(io, "retryPolicy", ipath); ok {
			rp := &RetryPolicy{Path: rpath}
			rp.Type, _ = dec.str(ro, "type", rpath)
			rp.Type = strings.ToLower(rp.Type)
			rp.Count, rp.CountExpression = dec.intOrExpr(ro, "count", rpath)
			rp.Interval, _ = dec.str(ro, "interval", rpath)
			rp.MinimumInterval, _ = dec.str(ro, "minimumInterval", rpath)
			rp.MaximumInterval, _ = dec.str(ro, "maximumInterval", rpath)
			a.RetryPolicy = rp
		}
	}
	a.OperationOptions = dec.options(o, path)
	a.RuntimeConfiguration = dec.runtimeConfiguration(o, path)
	a.TrackedProperties, _, _ = o.GetFold("trackedProperties")
	a.Description, _ = dec.str(o, "description", path)
	a.Metadata, _, _ = o.GetFold("metadata")
	return a
}

func firstNonEmpty(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

func (dec *decoder) options(o *expr.Object, path string) Options {
	s, ok := dec.str(o, "operationOptions", path)
	if !ok {
		return nil
	}
	var out Options
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		for _, k := range KnownOptions {
			if strings.EqualFold(k, part) {
				part = k
			}
		}
		if !out.Has(part) {
			out = append(out, part)
		}
	}
	return out
}

func (dec *decoder) runtimeConfiguration(o *expr.Object, path string) *RuntimeConfiguration {
	ro, rpath, ok := dec.obj(o, "runtimeConfiguration", path)
	if !ok {
		return nil
	}
	rc := &RuntimeConfiguration{Path: rpath}
	if co, cpath, ok := dec.obj(ro, "concurrency", rpath); ok {
		rc.Concurrency = &Concurrency{}
		rc.Concurrency.Repetitions, _ = dec.int(co, "repetitions", cpath)
		rc.Concurrency.Runs, _ = dec.int(co, "runs", cpath)
		rc.Concurrency.MaximumWaitingRuns, _ = dec.int(co, "maximumWaitingRuns", cpath)
	}
	if so, spath, ok := dec.obj(ro, "secureData", rpath); ok {
		if ps, ppath, ok := dec.arr(so, "properties", spath); ok {
			for i, p := range ps {
				s, ok := p.(string)
				if !ok {
					dec.ps.add(index(ppath, i), CodeWrongType, "secureData property must be a string, not %s", jsonType(p))
					continue
				}
				rc.SecureData = append(rc.SecureData, strings.ToLower(s))
			}
		}
	}
	if so, spath, ok := dec.obj(ro, "staticResult", rpath); ok {
		rc.StaticResult = &StaticResultRef{}
		rc.StaticResult.Name, _ = dec.str(so, "name", spath)
		opt, _ := dec.str(so, "staticResultOptions", spath)
		rc.StaticResult.Enabled = strings.EqualFold(opt, "Enabled")
	}
	if po, ppath, ok := dec.obj(ro, "paginationPolicy", rpath); ok {
		rc.PaginationPolicy = &PaginationPolicy{}
		rc.PaginationPolicy.MinimumItemCount, _ = dec.int(po, "minimumItemCount", ppath)
	}
	if co, cpath, ok := dec.obj(ro, "contentTransfer", rpath); ok {
		rc.ContentTransfer, _ = dec.str(co, "transferMode", cpath)
	}
	return rc
}

// Field readers. Field names are matched case-insensitively, as Logic Apps
// does; a present field of the wrong JSON type is a problem and reads as
// absent.

func (dec *decoder) asObj(v any, path string) (*expr.Object, bool) {
	o, ok := v.(*expr.Object)
	if !ok {
		dec.ps.add(path, CodeWrongType, "expected an object, not %s", jsonType(v))
	}
	return o, ok
}

func (dec *decoder) obj(o *expr.Object, key, path string) (*expr.Object, string, bool) {
	v, stored, ok := o.GetFold(key)
	if !ok || v == nil {
		return nil, "", false
	}
	p := child(path, stored)
	vo, ok := v.(*expr.Object)
	if !ok {
		dec.ps.add(p, CodeWrongType, "%s must be an object, not %s", key, jsonType(v))
		return nil, "", false
	}
	return vo, p, true
}

func (dec *decoder) arr(o *expr.Object, key, path string) ([]any, string, bool) {
	v, stored, ok := o.GetFold(key)
	if !ok || v == nil {
		return nil, "", false
	}
	p := child(path, stored)
	va, ok := v.([]any)
	if !ok {
		dec.ps.add(p, CodeWrongType, "%s must be an array, not %s", key, jsonType(v))
		return nil, "", false
	}
	return va, p, true
}

func (dec *decoder) str(o *expr.Object, key, path string) (string, bool) {
	v, stored, ok := o.GetFold(key)
	if !ok || v == nil {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		dec.ps.add(child(path, stored), CodeWrongType, "%s must be a string, not %s", key, jsonType(v))
	}
	return s, ok
}

func (dec *decoder) int(o *expr.Object, key, path string) (int64, bool) {
	v, stored, ok := o.GetFold(key)
	if !ok || v == nil {
		return 0, false
	}
	n, ok := toInt(v)
	if !ok {
		dec.ps.add(child(path, stored), CodeWrongType, "%s must be an integer, not %s", key, quoteValue(v))
	}
	return n, ok
}

// intOrExpr reads an integer field that may also be an expression string
// (for example "@parameters('loopLimit')"), returned as the second result.
func (dec *decoder) intOrExpr(o *expr.Object, key, path string) (int64, string) {
	v, _, ok := o.GetFold(key)
	if s, isStr := v.(string); ok && isStr && strings.HasPrefix(s, "@") {
		return 0, s
	}
	n, _ := dec.int(o, key, path)
	return n, ""
}

func (dec *decoder) ints(o *expr.Object, key, path string) []int64 {
	vs, p, ok := dec.arr(o, key, path)
	if !ok {
		return nil
	}
	out := []int64{}
	for i, v := range vs {
		n, ok := toInt(v)
		if !ok {
			dec.ps.add(index(p, i), CodeWrongType, "%s must hold integers, not %s", key, quoteValue(v))
			continue
		}
		out = append(out, n)
	}
	return out
}

// toInt accepts integers, integral floats and strings holding an integer
// (the designer writes schedule hours as strings).
func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		return i, err == nil
	}
	return 0, false
}

// jsonType names the JSON type of v for messages.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case int64, float64, expr.Decimal:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case *expr.Object:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// quoteValue renders a scalar for messages: strings quoted, others by type.
func quoteValue(v any) string {
	switch v := v.(type) {
	case string:
		return "'" + v + "'"
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strconv.FormatBool(v)
	}
	return jsonType(v)
}
