// SPDX-License-Identifier: Apache-2.0

package xmlconv

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// checker holds small assertion helpers; must stops the test on failure,
// check records it and goes on. (The module does not depend on testify.)
type checker struct{ fatal bool }

var (
	must  = checker{fatal: true}
	check = checker{}
)

func (c checker) fail(tb testing.TB, what string, msgAndArgs []any) {
	tb.Helper()
	if len(msgAndArgs) > 0 {
		what += ": " + fmt.Sprintf(fmt.Sprint(msgAndArgs[0]), msgAndArgs[1:]...)
	}
	if c.fatal {
		tb.Fatal(what)
	}
	tb.Error(what)
}

func (c checker) NoError(tb testing.TB, err error, msgAndArgs ...any) {
	tb.Helper()
	if err != nil {
		c.fail(tb, fmt.Sprintf("unexpected error: %v", err), msgAndArgs)
	}
}

func (c checker) Error(tb testing.TB, err error, msgAndArgs ...any) {
	tb.Helper()
	if err == nil {
		c.fail(tb, "expected an error", msgAndArgs)
	}
}

func (c checker) True(tb testing.TB, ok bool, msgAndArgs ...any) {
	tb.Helper()
	if !ok {
		c.fail(tb, "condition is false", msgAndArgs)
	}
}

func (c checker) Equal(tb testing.TB, want, got any, msgAndArgs ...any) {
	tb.Helper()
	if !reflect.DeepEqual(want, got) {
		c.fail(tb, fmt.Sprintf("\nwant %#v\n got %#v", want, got), msgAndArgs)
	}
}

func (c checker) Contains(tb testing.TB, s, sub string, msgAndArgs ...any) {
	tb.Helper()
	if !strings.Contains(s, sub) {
		c.fail(tb, fmt.Sprintf("%q does not contain %q", s, sub), msgAndArgs)
	}
}

func (c checker) NotContains(tb testing.TB, s, sub string, msgAndArgs ...any) {
	tb.Helper()
	if strings.Contains(s, sub) {
		c.fail(tb, fmt.Sprintf("%q contains %q", s, sub), msgAndArgs)
	}
}

func (c checker) NotEmpty(tb testing.TB, s string, msgAndArgs ...any) {
	tb.Helper()
	if s == "" {
		c.fail(tb, "empty string", msgAndArgs)
	}
}
