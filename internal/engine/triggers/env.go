// SPDX-License-Identifier: Apache-2.0

package triggers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine/actions"
)

// env evaluates trigger inputs and conditions: workflow parameters,
// appsetting(), listCallbackUrl() and, for conditions and unsubscribe,
// trigger()/action().
type env struct {
	expr.BaseEnv
	d        *Dispatcher
	e        *entry
	now      time.Time
	callback string
	current  *expr.ActionResult
}

func (d *Dispatcher) env(e *entry, now time.Time, callback string) *env {
	return &env{d: d, e: e, now: now, callback: callback}
}

// Now implements [expr.Env].
func (x *env) Now() time.Time { return x.now }

// ListCallbackURL implements [expr.Env].
func (x *env) ListCallbackURL() (string, error) {
	if x.callback == "" {
		return x.BaseEnv.ListCallbackURL()
	}
	return x.callback, nil
}

// Trigger implements [expr.Env].
func (x *env) Trigger() (*expr.ActionResult, error) {
	if x.current == nil {
		return x.BaseEnv.Trigger()
	}
	return x.current, nil
}

// CurrentAction implements [expr.Env].
func (x *env) CurrentAction() (*expr.ActionResult, error) {
	if x.current == nil {
		return x.BaseEnv.CurrentAction()
	}
	return x.current, nil
}

// Workflow implements [expr.Env].
func (x *env) Workflow() (any, error) {
	o := expr.NewObject(2)
	o.Set("name", x.e.wf.Name)
	o.Set("version", x.e.wf.Version)
	return o, nil
}

// AppSetting implements [expr.Env].
func (x *env) AppSetting(name string) (string, error) {
	if v, ok := x.d.o.AppSettings[name]; ok {
		return v, nil
	}
	return x.BaseEnv.AppSetting(name)
}

// Parameter implements [expr.Env]: the workflow's parameter values, then
// the wrapper's values, then the declared default.
func (x *env) Parameter(name string) (any, error) {
	w := x.e.wf
	if v, ok := w.Parameters[name]; ok {
		return v, nil
	}
	for k, v := range w.Parameters {
		if strings.EqualFold(k, name) {
			return v, nil
		}
	}
	def := w.Definition
	if def.ParameterValues != nil {
		if pv, ok := getCI(def.ParameterValues, name).(*expr.Object); ok {
			if v, ok := pv.Get("value"); ok {
				return v, nil
			}
		}
	}
	if p := def.Parameter(name); p != nil {
		if p.HasDefault {
			return p.DefaultValue, nil
		}
		return nil, fmt.Errorf("the parameter '%s' has no value and no default", name)
	}
	return x.BaseEnv.Parameter(name)
}

// getCI returns o[k] with k matched case-insensitively.
func getCI(o *expr.Object, k string) any {
	if o == nil {
		return nil
	}
	if v, ok := o.Get(k); ok {
		return v
	}
	for _, x := range o.Keys() {
		if strings.EqualFold(x, k) {
			v, _ := o.Get(x)
			return v
		}
	}
	return nil
}

// opCall is an ApiConnection(Webhook) trigger's resolved operation call.
type opCall struct {
	prov  connector.Provider
	conn  connector.Connection
	ref   string
	op    *connector.Operation
	input connector.Input
}

// operation resolves the connection and operation of an ApiConnection or
// ApiConnectionWebhook trigger and evaluates its inputs (method, path,
// queries, headers, body) into a connector.Input.
func (d *Dispatcher) operation(ctx context.Context, e *entry, ev *env) (*opCall, error) {
	raw, _ := e.t.Inputs.(*expr.Object)
	if raw == nil {
		return nil, connector.Errorf(connector.KindBadRequest, "the trigger '%s' has no inputs", e.t.Name)
	}
	host, _ := getCI(raw, "host").(*expr.Object)
	cn, _ := getCI(host, "connection").(*expr.Object)
	ref := ""
	if s, ok := getCI(cn, "referenceName").(string); ok {
		ref = s
	} else if s, ok := getCI(cn, "name").(string); ok {
		if name, ok := actions.ConnectionReference(s); ok {
			ref = name
		} else if v, err := expr.EvalValue(s, ev); err == nil {
			ref = expr.Stringify(v)
			if i := strings.LastIndexByte(ref, '/'); i >= 0 {
				ref = ref[i+1:]
			}
		}
	}
	if ref == "" {
		return nil, connector.Errorf(connector.KindBadRequest, "the trigger '%s' names no connection (inputs.host.connection)", e.t.Name)
	}
	rest := expr.NewObject(raw.Len())
	for _, k := range raw.Keys() {
		if !strings.EqualFold(k, "host") {
			v, _ := raw.Get(k)
			rest.Set(k, v)
		}
	}
	v, err := expr.EvalValue(rest, ev)
	if err != nil {
		return nil, connector.Errorf(connector.KindBadRequest, "evaluating the inputs of trigger '%s': %v", e.t.Name, err)
	}
	in, _ := v.(*expr.Object)
	res := e.wf.Connections
	if res == nil {
		res = d.o.Connections
	}
	if res == nil {
		return nil, connector.Errorf(connector.KindBadRequest, "the trigger '%s' uses connection '%s', but no connections are configured", e.t.Name, ref)
	}
	prov, conn, err := res.Resolve(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("resolving connection '%s': %w", ref, err)
	}
	method := strings.ToUpper(expr.Stringify(getCI(in, "method")))
	if method == "" {
		method = http.MethodGet
	}
	path := expr.Stringify(getCI(in, "path"))
	spec := prov.Spec()
	// Trigger operations first; a webhook or polling trigger may also use
	// a plain operation.
	op, params, ae := actions.MatchOperation(&spec, method, path, connector.KindTrigger, connector.KindAction)
	if ae != nil {
		return nil, connector.Errorf(connector.KindBadRequest, "connection '%s' has no operation %s %s", ref, method, path)
	}
	input := actions.OperationInput(op, params, in)
	return &opCall{prov: prov, conn: conn, ref: ref, op: op, input: input}, nil
}
