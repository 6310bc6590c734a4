// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
)

// get returns the value of key in o, ignoring case (Logic Apps property
// names are case-insensitive).
func get(o *expr.Object, key string) (any, bool) {
	if o == nil {
		return nil, false
	}
	if v, ok := o.Get(key); ok {
		return v, true
	}
	v, _, ok := o.GetFold(key)
	return v, ok
}

// getString returns the string value of key ("" when absent or not a
// string).
func getString(o *expr.Object, key string) string {
	v, _ := get(o, key)
	s, _ := v.(string)
	return s
}

// getObject returns the object value of key (nil when absent or not an
// object).
func getObject(o *expr.Object, key string) *expr.Object {
	v, _ := get(o, key)
	m, _ := v.(*expr.Object)
	return m
}

// rawInputs returns the action's raw inputs as an object.
func rawInputs(c *Call) (*expr.Object, error) {
	if c.Raw == nil {
		return nil, invalidInputs(c, "the action has no inputs")
	}
	o, ok := c.Raw.(*expr.Object)
	if !ok {
		return nil, invalidInputs(c, fmt.Sprintf("the inputs must be an object, not %s", expr.TypeName(c.Raw)))
	}
	return o, nil
}

// evalOne compiles and evaluates one raw value against env.
func evalOne(c *Call, env expr.Env, raw any, what string) (any, *ActionError) {
	comp, err := expr.CompileValue(raw)
	if err != nil {
		return nil, templateError(c, what, err)
	}
	v, err := comp.Eval(env)
	if err != nil {
		return nil, templateError(c, what, err)
	}
	return v, nil
}

// templateError is the InvalidTemplate failure of an expression in the
// action's inputs, in the wording of Logic Apps.
func templateError(c *Call, what string, err error) *ActionError {
	return &ActionError{Code: "InvalidTemplate", Message: fmt.Sprintf("Unable to process template language expressions in action '%s' inputs at line '1' and column '1': '%s' (%s).", c.Name, err.Error(), what)}
}

// invalidInputs is the failure of inputs of the wrong shape.
func invalidInputs(c *Call, msg string) *ActionError {
	return &ActionError{Code: "InvalidActionInputs", Message: fmt.Sprintf("The inputs of action '%s' are not valid: %s.", c.Name, msg)}
}

// failed returns a failed result with the given error and outputs.
func failed(inputs, outputs any, ae *ActionError) Result {
	return Result{Inputs: inputs, Outputs: outputs, Failed: true, Error: ae}
}

// fail turns an evaluation error into a failed result. Errors that are
// already *ActionError keep their code.
func fail(c *Call, inputs any, err error) Result {
	var ae *ActionError
	if errors.As(err, &ae) {
		return failed(inputs, nil, ae)
	}
	return failed(inputs, nil, templateError(c, "inputs", err))
}

// bodyOutputs is the outputs object {"body": v} of the data operations.
func bodyOutputs(v any) *expr.Object {
	o := expr.NewObject(1)
	o.Set("body", v)
	return o
}

// retryableError is the error of Subscribe and Unsubscribe when trying
// again may help: errors.As finds both the *ActionError (the code for run
// history) and the *connector.Error (kind and Retry-After for the retry
// policy).
type retryableError struct {
	action *ActionError
	cause  *connector.Error
}

func (e *retryableError) Error() string { return e.action.Error() }

// Unwrap returns the action error and the classified cause.
func (e *retryableError) Unwrap() []error { return []error{e.action, e.cause} }

// classify returns the error for helpers that report failures as errors
// (Subscribe, Unsubscribe): the *ActionError alone when retrying cannot
// help, a *retryableError otherwise.
func classify(ae *ActionError, ce *connector.Error) error {
	if ce == nil || !ce.Kind.Retryable() {
		return ae
	}
	return &retryableError{action: ae, cause: ce}
}

// retry marks a failed result retryable when the cause's kind says trying
// again may help, with the service's Retry-After hint.
func retry(res Result, ce *connector.Error) Result {
	if ce != nil && ce.Kind.Retryable() {
		res.Retryable, res.RetryAfter = true, ce.RetryAfter
	}
	return res
}

// statusCode returns the Logic Apps error code of an HTTP status: the name
// of the .NET HttpStatusCode member ("NotFound", "InternalServerError"), or
// the number when .NET has no name for it.
func statusCode(status int) string {
	switch status {
	case 414:
		return "RequestUriTooLong"
	case 505:
		return "HttpVersionNotSupported"
	case 418, 425, 0:
		return fmt.Sprint(status)
	}
	text := http.StatusText(status)
	if text == "" {
		return fmt.Sprint(status)
	}
	var b strings.Builder
	for _, r := range text {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
