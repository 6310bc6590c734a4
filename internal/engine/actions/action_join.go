// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"fmt"
	"strings"

	"github.com/junction-run/junction/expr"
)

func init() { Register("Join", runJoin) }

// runJoin implements Join: the items of "from" converted to text (as
// string interpolation does: strings as they are, numbers invariant,
// objects and arrays as JSON, null as "") and joined with "joinWith".
// Outputs are {body: string}.
func runJoin(_ context.Context, c *Call) (Result, error) {
	v, err := c.EvalInputs()
	if err != nil {
		return fail(c, c.Raw, err), nil
	}
	in, ok := v.(*expr.Object)
	if !ok {
		return failed(v, nil, invalidInputs(c, "the inputs must be an object")), nil
	}
	from, _ := get(in, "from")
	arr, ok := from.([]any)
	if !ok {
		return failed(in, nil, &ActionError{Code: "InvalidTemplate", Message: fmt.Sprintf("The 'from' property value in the '%s' action inputs is of type '%s'. The value must be an array.", c.Name, expr.TypeName(from))}), nil
	}
	sepv, _ := get(in, "joinWith")
	sep := expr.Stringify(sepv)
	var b strings.Builder
	for i, e := range arr {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(expr.Stringify(e))
	}
	return Result{Inputs: in, Outputs: bodyOutputs(b.String())}, nil
}
