// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"net/url"
	"strings"
)

func init() {
	// The examples run against the test environment of funcs_test.go.
	examples := map[string][]Example{
		"trigger":                    {{Expr: "trigger().status", Want: `"Succeeded"`}},
		"triggerOutputs":             {{Expr: "triggerOutputs()['body']['n']", Want: "41"}},
		"triggerBody":                {{Expr: "triggerBody()?['name']", Want: `"Ada"`}, {Expr: "triggerBody()?['missing']", Want: "null"}},
		"actions":                    {{Expr: "actions('Http').status", Want: `"Succeeded"`}, {Expr: "actions('Nope')", Err: "no action named 'Nope'"}},
		"outputs":                    {{Expr: "outputs('Http').statusCode", Want: "200"}},
		"body":                       {{Expr: "body('Http')", Want: `{"ok":true}`}},
		"formDataValue":              {{Expr: "formDataValue('Form', 'b')", Want: `"3"`}},
		"formDataMultiValues":        {{Expr: "formDataMultiValues('Form', 'a')", Want: `["1","2"]`}},
		"multipartBody":              {{Expr: "multipartBody('Multi', 1)", Want: `{"x":1}`}},
		"item":                       {{Expr: "item()?['id']", Want: "7"}},
		"items":                      {{Expr: "items('Outer')", Want: `"o"`}},
		"iterationIndexes":           {{Expr: "iterationIndexes('Inner')", Want: "2"}},
		"variables":                  {{Expr: "variables('n')", Want: "41"}, {Expr: "variables('nope')", Err: "no variable named 'nope'"}},
		"parameters":                 {{Expr: "parameters('p')", Want: `"param"`}},
		"result":                     {{Expr: "result('Scope')[0]['status']", Want: `"Failed"`}},
		"workflow":                   {{Expr: "workflow().run.name", Want: `"run1"`}},
		"listCallbackUrl":            {{Expr: "listCallbackUrl()", Want: `"https://example.com/cb"`}},
		"appsetting":                 {{Expr: "appsetting('Setting')", Want: `"v"`}},
		"triggerFormDataValue":       {{Expr: "triggerFormDataValue('x')", Want: "null"}},
		"triggerFormDataMultiValues": {{Expr: "triggerFormDataMultiValues('x')", Want: "[]"}},
		"action":                     {{Expr: "action()", Err: "not available"}},
	}
	ctx := func(name string, min, max int, sig, doc string, fn impl) {
		register(FuncSpec{Name: name, Category: "workflow", MinArgs: min, MaxArgs: max, Context: true, Signature: sig, Doc: doc, Examples: examples[name]}, fn)
	}
	ctx("trigger", 0, 0, "trigger()", "Returns the trigger's run record.", func(s *state, args []any) (any, error) {
		r, err := s.env.Trigger()
		if err != nil || r == nil {
			return nil, s.ctxErr(err)
		}
		return r.Value(), nil
	})
	ctx("triggerOutputs", 0, 0, "triggerOutputs()", "Returns the trigger's outputs.", func(s *state, args []any) (any, error) {
		r, err := s.env.Trigger()
		if err != nil || r == nil {
			return nil, s.ctxErr(err)
		}
		return r.Outputs, nil
	})
	ctx("triggerBody", 0, 0, "triggerBody()", "Returns the trigger's body output (triggerOutputs().body).", func(s *state, args []any) (any, error) {
		r, err := s.env.Trigger()
		if err != nil || r == nil {
			return nil, s.ctxErr(err)
		}
		return bodyOf(r.Outputs), nil
	})
	ctx("triggerFormDataValue", 1, 1, "triggerFormDataValue(key)", "Returns the single value of a key in the trigger's form-data or form-encoded output.", func(s *state, args []any) (any, error) {
		r, err := s.env.Trigger()
		if err != nil || r == nil {
			return nil, s.ctxErr(err)
		}
		return s.formValue(r.Outputs, args, 0, true)
	})
	ctx("triggerFormDataMultiValues", 1, 1, "triggerFormDataMultiValues(key)", "Returns all values of a key in the trigger's form-data or form-encoded output.", func(s *state, args []any) (any, error) {
		r, err := s.env.Trigger()
		if err != nil || r == nil {
			return nil, s.ctxErr(err)
		}
		return s.formValue(r.Outputs, args, 0, false)
	})
	ctx("triggerMultipartBody", 1, 1, "triggerMultipartBody(index)", "Returns the body of a part of the trigger's multipart output.", func(s *state, args []any) (any, error) {
		r, err := s.env.Trigger()
		if err != nil || r == nil {
			return nil, s.ctxErr(err)
		}
		return s.multipart(r.Outputs, args, 0)
	})
	ctx("actions", 1, 1, "actions(actionName)", "Returns an action's run record.", func(s *state, args []any) (any, error) {
		r, err := s.action(args, 0)
		if err != nil {
			return nil, err
		}
		return r.Value(), nil
	})
	ctx("action", 0, 0, "action()", "Returns the current action's run record (trackedProperties, webhook unsubscribe, Until).", func(s *state, args []any) (any, error) {
		r, err := s.env.CurrentAction()
		if err != nil || r == nil {
			return nil, s.ctxErr(err)
		}
		return r.Value(), nil
	})
	outputs := func(s *state, args []any) (any, error) {
		r, err := s.action(args, 0)
		if err != nil {
			return nil, err
		}
		return r.Outputs, nil
	}
	body := func(s *state, args []any) (any, error) {
		r, err := s.action(args, 0)
		if err != nil {
			return nil, err
		}
		return bodyOf(r.Outputs), nil
	}
	ctx("outputs", 1, 1, "outputs(actionName)", "Returns an action's outputs.", outputs)
	ctx("actionOutputs", 1, 1, "actionOutputs(actionName)", "Returns an action's outputs (same as outputs()).", outputs)
	ctx("body", 1, 1, "body(actionName)", "Returns an action's body output (outputs(name).body).", body)
	ctx("actionBody", 1, 1, "actionBody(actionName)", "Returns an action's body output (same as body()).", body)
	ctx("formDataValue", 2, 2, "formDataValue(actionName, key)", "Returns the single value of a key in an action's form-data or form-encoded output.", func(s *state, args []any) (any, error) {
		r, err := s.action(args, 0)
		if err != nil {
			return nil, err
		}
		return s.formValue(r.Outputs, args, 1, true)
	})
	ctx("formDataMultiValues", 2, 2, "formDataMultiValues(actionName, key)", "Returns all values of a key in an action's form-data or form-encoded output.", func(s *state, args []any) (any, error) {
		r, err := s.action(args, 0)
		if err != nil {
			return nil, err
		}
		return s.formValue(r.Outputs, args, 1, false)
	})
	ctx("multipartBody", 2, 2, "multipartBody(actionName, index)", "Returns the body of a part of an action's multipart output.", func(s *state, args []any) (any, error) {
		r, err := s.action(args, 0)
		if err != nil {
			return nil, err
		}
		return s.multipart(r.Outputs, args, 1)
	})
	ctx("item", 0, 0, "item()", "Returns the current item of the innermost loop.", func(s *state, args []any) (any, error) {
		v, err := s.env.Item("")
		if err != nil {
			return nil, s.ctxErr(err)
		}
		return v, nil
	})
	ctx("items", 1, 1, "items(loopName)", "Returns the current item of the named loop.", func(s *state, args []any) (any, error) {
		name, err := s.str(args, 0)
		if err != nil {
			return nil, err
		}
		v, err := s.env.Item(name)
		if err != nil {
			return nil, s.ctxErr(err)
		}
		return v, nil
	})
	ctx("iterationIndexes", 1, 1, "iterationIndexes(loopName)", "Returns the 0-based iteration index of the named Until loop.", func(s *state, args []any) (any, error) {
		name, err := s.str(args, 0)
		if err != nil {
			return nil, err
		}
		v, err := s.env.IterationIndex(name)
		if err != nil {
			return nil, s.ctxErr(err)
		}
		return v, nil
	})
	ctx("variables", 1, 1, "variables(variableName)", "Returns the value of a variable.", func(s *state, args []any) (any, error) {
		name, err := s.str(args, 0)
		if err != nil {
			return nil, err
		}
		v, err := s.env.Variable(name)
		if err != nil {
			return nil, s.ctxErr(err)
		}
		return v, nil
	})
	ctx("parameters", 1, 1, "parameters(parameterName)", "Returns the value of a workflow parameter.", func(s *state, args []any) (any, error) {
		name, err := s.str(args, 0)
		if err != nil {
			return nil, err
		}
		v, err := s.env.Parameter(name)
		if err != nil {
			return nil, s.ctxErr(err)
		}
		return v, nil
	})
	ctx("result", 1, 1, "result(scopeName)", "Returns the results of the top-level actions in a scope or loop.", func(s *state, args []any) (any, error) {
		name, err := s.str(args, 0)
		if err != nil {
			return nil, err
		}
		v, err := s.env.Result(name)
		if err != nil {
			return nil, s.ctxErr(err)
		}
		return v, nil
	})
	ctx("workflow", 0, 0, "workflow()", "Returns details about the workflow and the current run.", func(s *state, args []any) (any, error) {
		v, err := s.env.Workflow()
		if err != nil {
			return nil, s.ctxErr(err)
		}
		return v, nil
	})
	ctx("listCallbackUrl", 0, 0, "listCallbackUrl()", "Returns the callback URL of the trigger or action.", func(s *state, args []any) (any, error) {
		v, err := s.env.ListCallbackURL()
		if err != nil {
			return nil, s.ctxErr(err)
		}
		return v, nil
	})
	ctx("appsetting", 1, 1, "appsetting(settingName)", "Returns an application setting (Standard).", func(s *state, args []any) (any, error) {
		name, err := s.str(args, 0)
		if err != nil {
			return nil, err
		}
		v, err := s.env.AppSetting(name)
		if err != nil {
			return nil, s.ctxErr(err)
		}
		return v, nil
	})
}

// ctxErr reports a failure of the environment for the current function.
func (s *state) ctxErr(err error) error {
	if err == nil {
		return s.errorf("The template language function '%s' cannot be evaluated: %s.", s.fname(), "the value is not available")
	}
	return &EvalError{Func: s.fname(), Pos: s.node.Pos, Msg: "The template language function '" + s.fname() + "' cannot be evaluated: " + err.Error() + ".", Err: err}
}

func (s *state) action(args []any, i int) (*ActionResult, error) {
	name, err := s.str(args, i)
	if err != nil {
		return nil, err
	}
	r, err := s.env.Action(name)
	if err != nil || r == nil {
		return nil, s.ctxErr(err)
	}
	return r, nil
}

func bodyOf(outputs any) any {
	o, ok := outputs.(*Object)
	if !ok {
		return nil
	}
	v, _, _ := o.GetFold("body")
	return v
}

// formValue reads a key from form data in outputs. It understands the
// runtime's body shape {"$formdata": [{"key","value"}]}, a form-urlencoded
// $content body, and a plain map of key to values under "form-data" or in
// the body.
func (s *state) formValue(outputs any, args []any, i int, single bool) (any, error) {
	key, err := s.str(args, i)
	if err != nil {
		return nil, err
	}
	vals := formValues(outputs, key)
	if !single {
		if vals == nil {
			vals = []any{}
		}
		return vals, nil
	}
	switch len(vals) {
	case 0:
		return nil, nil
	case 1:
		return vals[0], nil
	}
	return nil, s.errorf("The template language function '%s' expects one value for key '%s' but found %d; use the multi-value function.", s.fname(), key, len(vals))
}

func formValues(outputs any, key string) []any {
	o, _ := outputs.(*Object)
	if o == nil {
		return nil
	}
	fromMap := func(v any) ([]any, bool) {
		m, ok := v.(*Object)
		if !ok {
			return nil, false
		}
		if fd, _, ok := m.GetFold("$formdata"); ok {
			var out []any
			arr, _ := fd.([]any)
			for _, e := range arr {
				if kv, ok := e.(*Object); ok {
					if k, _, _ := kv.GetFold("key"); k == key {
						v, _, _ := kv.GetFold("value")
						out = append(out, v)
					}
				}
			}
			return out, true
		}
		if c, ok := contentBytes(m); ok && strings.Contains(contentType(m), "form-urlencoded") {
			q, err := url.ParseQuery(string(c))
			if err != nil {
				return nil, true
			}
			var out []any
			for _, v := range q[key] {
				out = append(out, v)
			}
			return out, true
		}
		v, _, found := m.GetFold(key)
		if !found {
			return nil, false
		}
		if arr, ok := v.([]any); ok {
			return arr, true
		}
		return []any{v}, true
	}
	for _, k := range []string{"form-data", "body"} {
		if v, _, ok := o.GetFold(k); ok {
			if out, ok := fromMap(v); ok {
				return out
			}
		}
	}
	return nil
}

func (s *state) multipart(outputs any, args []any, i int) (any, error) {
	idx, err := s.integer(args, i)
	if err != nil {
		return nil, err
	}
	parts, _ := objPath(bodyOf(outputs), "$multipart").([]any)
	if idx < 0 || idx >= int64(len(parts)) {
		return nil, s.errorf("The template language function '%s' cannot find part %d: the multipart body has %d part(s).", s.fname(), idx, len(parts))
	}
	p, _ := parts[idx].(*Object)
	if p == nil {
		return parts[idx], nil
	}
	if b, _, ok := p.GetFold("body"); ok {
		return b, nil
	}
	return p, nil
}

func objPath(v any, key string) any {
	o, ok := v.(*Object)
	if !ok {
		return nil
	}
	r, _, _ := o.GetFold(key)
	return r
}
