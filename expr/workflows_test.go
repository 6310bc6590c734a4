// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpusWorkflowsCompile compiles every string value of the 60 real
// workflow definitions in the shared corpus and checks that the calls they
// make are known functions with valid argument counts.
func TestCorpusWorkflowsCompile(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("/work/shared/corpus/wdl/workflows/*.json")
	if len(files) == 0 {
		t.Skip("corpus not available")
	}
	total := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		v, err := Decode(data)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(file), err)
			continue
		}
		c, err := CompileValue(v)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(file), err)
			continue
		}
		c.Templates(func(path string, tmpl *Template) {
			total++
			if strings.Contains(path, "/metadata/") {
				return
			}
			if err := tmpl.Check(); err != nil && !knownBad(tmpl.Source()) {
				t.Errorf("%s %s: %q: %v", filepath.Base(file), path, tmpl.Source(), err)
			}
		})
	}
	t.Logf("%d expressions in %d workflows", total, len(files))
}

// knownBad lists corpus strings that are not expected to check: the Agent
// action's agentParameters() (AI agent workflows are out of scope) and a
// designer UI fixture with concat() of nothing.
func knownBad(src string) bool {
	return strings.Contains(src, "agentParameters(") || strings.Contains(src, "concat())")
}
