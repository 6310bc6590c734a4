// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"bytes"
	"strings"
	"testing"
)

// run executes the command line in-process and returns its exit code and output.
func run(t testing.TB, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpListsEveryCommand(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, f := range commands {
		name := f().Name()
		if !strings.Contains(out, name) {
			t.Errorf("--help does not list %q:\n%s", name, out)
		}
	}
}

func TestUnknownCommandFails(t *testing.T) {
	t.Parallel()
	code, _, errOut := run(t, "", "no-such-command")
	if code == 0 || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "junction ") {
		t.Fatalf("exit %d, out %q", code, out)
	}
}
