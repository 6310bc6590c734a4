// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"os"
	"strings"
	"testing"
)

// TestDocsListEveryFunction keeps docs/expressions.md in step with the
// registry.
func TestDocsListEveryFunction(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../docs/expressions.md")
	if err != nil {
		t.Skip(err)
	}
	doc := string(data)
	for _, f := range Funcs() {
		if !strings.Contains(doc, "`"+f.Signature+"`") {
			t.Errorf("docs/expressions.md does not list %s", f.Signature)
		}
	}
}
