// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/junction-run/junction/expr"
)

// decode parses JSON into the value model.
func decode(t testing.TB, s string) any {
	t.Helper()
	v, err := expr.Decode([]byte(s))
	noErr(t, err, "decoding %s", s)
	return v
}

// jsonText prints a value as compact JSON.
func jsonText(v any) string { return string(expr.AppendJSON(nil, v)) }

// call builds a Call of type typ with inputs given as JSON.
func call(t testing.TB, typ, inputs string, env expr.Env) *Call {
	t.Helper()
	if env == nil {
		env = &expr.MapEnv{}
	}
	return &Call{Name: "Act", Type: typ, Raw: decode(t, inputs), Env: env, OperationOptions: map[string]bool{}, Attempt: 1, RunID: "run1", WorkflowName: "wf"}
}

// invoke runs the registered implementation of c.Type.
func invoke(t testing.TB, ctx context.Context, c *Call) (Result, error) {
	t.Helper()
	f, ok := Lookup(c.Type)
	isTrue(t, ok, "type %s is registered", c.Type)
	return f(ctx, c)
}

// body returns outputs.body of a result.
func body(t testing.TB, r Result) any {
	t.Helper()
	o, ok := r.Outputs.(*expr.Object)
	isTrue(t, ok, "outputs are an object: %#v", r.Outputs)
	v, _ := o.Get("body")
	return v
}

func msg(args []any) string {
	if len(args) == 0 {
		return ""
	}
	if f, ok := args[0].(string); ok {
		return ": " + fmt.Sprintf(f, args[1:]...)
	}
	return ": " + fmt.Sprint(args...)
}

// noErr stops the test when err is not nil.
func noErr(t testing.TB, err error, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error %v%s", err, msg(args))
	}
}

// isTrue stops the test when cond is false.
func isTrue(t testing.TB, cond bool, args ...any) {
	t.Helper()
	if !cond {
		t.Fatalf("condition failed%s", msg(args))
	}
}

// isFalse stops the test when cond is true.
func isFalse(t testing.TB, cond bool, args ...any) {
	t.Helper()
	if cond {
		t.Fatalf("condition unexpectedly true%s", msg(args))
	}
}

// equal stops the test when want and got differ.
func equal(t testing.TB, want, got any, args ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("got  %#v\nwant %#v%s", got, want, msg(args))
	}
}
