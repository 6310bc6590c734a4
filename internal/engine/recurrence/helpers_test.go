// SPDX-License-Identifier: Apache-2.0

package recurrence

import (
	"fmt"
	"reflect"
	"testing"
)

// req holds the few assertions the tests need, failing the test at once
// like testify's require (the module does not depend on testify).
var req assertions

type assertions struct{}

func (assertions) fail(tb testing.TB, what string, msg []any) {
	tb.Helper()
	if len(msg) > 0 {
		what += ": " + fmt.Sprintf(fmt.Sprint(msg[0]), msg[1:]...)
	}
	tb.Fatal(what)
}

func (a assertions) NoError(tb testing.TB, err error, msg ...any) {
	tb.Helper()
	if err != nil {
		a.fail(tb, "unexpected error: "+err.Error(), msg)
	}
}

func (a assertions) Error(tb testing.TB, err error, msg ...any) {
	tb.Helper()
	if err == nil {
		a.fail(tb, "expected an error", msg)
	}
}

func (a assertions) Equal(tb testing.TB, want, got any, msg ...any) {
	tb.Helper()
	if !reflect.DeepEqual(want, got) {
		a.fail(tb, fmt.Sprintf("\nwant: %#v\n got: %#v", want, got), msg)
	}
}

func (a assertions) True(tb testing.TB, ok bool, msg ...any) {
	tb.Helper()
	if !ok {
		a.fail(tb, "condition is false", msg)
	}
}

func (a assertions) Nil(tb testing.TB, v any, msg ...any) {
	tb.Helper()
	if v != nil && !reflect.ValueOf(v).IsNil() {
		a.fail(tb, fmt.Sprintf("want nil, got %#v", v), msg)
	}
}
