// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"fmt"

	"github.com/junction-run/junction/expr"
)

// itemEnv is the run context with item() bound to one element of a data
// operation's "from" array; items('loop') and everything else still read
// the enclosing context.
type itemEnv struct {
	expr.Env
	item any
}

// Item implements [expr.Env]: item() is the current element.
func (e *itemEnv) Item(loop string) (any, error) {
	if loop == "" {
		return e.item, nil
	}
	return e.Env.Item(loop)
}

// fromArray evaluates the raw "from" input of a data operation and checks
// that it is an array.
func fromArray(c *Call, in *expr.Object) (any, []any, *ActionError) {
	raw, ok := get(in, "from")
	if !ok {
		return nil, nil, invalidInputs(c, "'from' is required")
	}
	v, err := evalOne(c, c.Env, raw, "from")
	if err != nil {
		return nil, nil, err
	}
	arr, ok := v.([]any)
	if !ok {
		return v, nil, &ActionError{Code: "InvalidTemplate", Message: fmt.Sprintf("The 'from' property value in the '%s' action inputs is of type '%s'. The value must be an array.", c.Name, expr.TypeName(v))}
	}
	return v, arr, nil
}

// shownInputs returns the inputs as shown in run history for a data
// operation that evaluates one property per item: the evaluated "from" and
// the other properties as written.
func shownInputs(in *expr.Object, from any) *expr.Object {
	out := expr.NewObject(in.Len())
	for _, k := range in.Keys() {
		if k == "from" {
			out.Set(k, from)
			continue
		}
		v, _ := in.Get(k)
		out.Set(k, v)
	}
	return out
}
