// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine/actions"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/workflow"
)

type varValue struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

var varTypes = map[string]string{"boolean": "Boolean", "integer": "Integer", "float": "Float", "string": "String", "object": "Object", "array": "Array"}

func (r *run) setVar(name, typ string, v any) {
	l := strings.ToLower(name)
	r.mu.Lock()
	r.vars[l], r.varTypes[l] = v, typ
	r.mu.Unlock()
	b, _ := json.Marshal(varValue{Type: typ, Value: rawOf(v)})
	if b == nil {
		b = []byte("null")
	}
	for i := range r.batch.Variables {
		if r.batch.Variables[i].Name == l {
			r.batch.Variables[i].Value = b
			return
		}
	}
	r.batch.Variables = append(r.batch.Variables, store.Variable{RunID: r.id, Name: l, Value: b})
}

func varError(format string, args ...any) *actions.ActionError {
	return &actions.ActionError{Code: "InvalidVariable", Message: fmt.Sprintf(format, args...)}
}

// coerce checks v against a variable type.
func coerce(typ string, v any) (any, bool) {
	switch typ {
	case "Boolean":
		_, ok := v.(bool)
		return v, ok
	case "Integer":
		switch n := v.(type) {
		case int64:
			return n, true
		case float64:
			if n == math.Trunc(n) {
				return int64(n), true
			}
		}
		return v, false
	case "Float":
		switch n := v.(type) {
		case int64:
			return float64(n), true
		case float64, expr.Decimal:
			return n, true
		}
		return v, false
	case "String":
		_, ok := v.(string)
		return v, ok
	case "Array":
		_, ok := v.([]any)
		return v, ok
	case "Object":
		_, ok := v.(*expr.Object)
		return v, ok
	}
	return v, false
}

func zeroOf(typ string) any {
	switch typ {
	case "Boolean":
		return false
	case "Integer":
		return int64(0)
	case "Float":
		return float64(0)
	case "String":
		return ""
	case "Array":
		return []any{}
	case "Object":
		return expr.NewObject(0)
	}
	return nil
}

func (r *run) variableAction(rc *rec) {
	a := rc.a
	v, err := r.evalInputs(rc)
	if err != nil {
		r.fail(rc, templateError(a, "inputs", err))
		return
	}
	rc.Inputs = v
	o, _ := v.(*expr.Object)
	if o == nil {
		r.fail(rc, varError("the inputs of action '%s' must be an object", a.Name))
		return
	}
	if a.Canonical == workflow.ActionInitializeVariable {
		arr, _ := getCI(o, "variables").([]any)
		if len(arr) != 1 {
			r.fail(rc, varError("the action '%s' must initialize exactly one variable", a.Name))
			return
		}
		vo, _ := arr[0].(*expr.Object)
		if vo == nil {
			r.fail(rc, varError("the variable of action '%s' must be an object", a.Name))
			return
		}
		name, _ := getCI(vo, "name").(string)
		typeStr, _ := getCI(vo, "type").(string)
		typ, ok := varTypes[strings.ToLower(typeStr)]
		if name == "" || !ok {
			r.fail(rc, varError("the variable of action '%s' needs a name and a type among Boolean, Integer, Float, String, Object, Array", a.Name))
			return
		}
		if _, exists := r.vars[strings.ToLower(name)]; exists {
			r.fail(rc, varError("the variable '%s' is already initialized", name))
			return
		}
		val, has := vo.Get("value")
		if !has || val == nil {
			val = zeroOf(typ)
		}
		cv, ok := coerce(typ, val)
		if !ok {
			r.fail(rc, varError("the value of variable '%s' is of type '%s', not '%s'", name, typeName(val), typ))
			return
		}
		r.setVar(name, typ, cv)
		r.complete(rc, stSucceeded, nil, nil)
		return
	}
	name, _ := getCI(o, "name").(string)
	l := strings.ToLower(name)
	cur, exists := r.vars[l]
	typ := r.varTypes[l]
	if !exists {
		r.fail(rc, varError("the variable '%s' has not been initialized", name))
		return
	}
	val, has := o.Get("value")
	var nv any
	switch a.Canonical {
	case workflow.ActionSetVariable:
		if !has {
			r.fail(rc, varError("the action '%s' needs a value", a.Name))
			return
		}
		cv, ok := coerce(typ, val)
		if !ok {
			r.fail(rc, varError("the value for variable '%s' is of type '%s', not '%s'", name, typeName(val), typ))
			return
		}
		nv = cv
	case workflow.ActionIncrementVariable, workflow.ActionDecrementVariable:
		if !has || val == nil {
			val = int64(1)
		}
		if typ != "Integer" && typ != "Float" {
			r.fail(rc, varError("the variable '%s' is of type '%s': only Integer and Float variables can be incremented or decremented", name, typ))
			return
		}
		sign := int64(1)
		if a.Canonical == workflow.ActionDecrementVariable {
			sign = -1
		}
		ci, ok1 := cur.(int64)
		vi, ok2 := val.(int64)
		if ok1 && ok2 && typ == "Integer" {
			nv = ci + sign*vi
			break
		}
		cf, ok1 := toFloat(cur)
		vf, ok2 := toFloat(val)
		if !ok1 || !ok2 {
			r.fail(rc, varError("the value '%v' cannot be added to variable '%s'", val, name))
			return
		}
		if typ == "Integer" {
			r.fail(rc, varError("the value for the Integer variable '%s' must be an integer", name))
			return
		}
		nv = cf + float64(sign)*vf
	case workflow.ActionAppendToArrayVariable:
		arr, ok := cur.([]any)
		if !ok {
			r.fail(rc, varError("the variable '%s' is of type '%s', not Array", name, typ))
			return
		}
		out := make([]any, len(arr), len(arr)+1)
		copy(out, arr)
		nv = append(out, val)
	case workflow.ActionAppendToStringVariable:
		s, ok := cur.(string)
		if !ok {
			r.fail(rc, varError("the variable '%s' is of type '%s', not String", name, typ))
			return
		}
		switch x := val.(type) {
		case string:
			nv = s + x
		case nil:
			nv = s
		default:
			nv = s + string(rawOf(x))
		}
	}
	r.setVar(name, typ, nv)
	var out any
	if a.Canonical != workflow.ActionAppendToArrayVariable && a.Canonical != workflow.ActionAppendToStringVariable {
		body := expr.NewObject(2)
		body.Set("name", name)
		body.Set("value", nv)
		o := expr.NewObject(1)
		o.Set("body", body)
		out = o
	}
	r.complete(rc, stSucceeded, out, nil)
}
