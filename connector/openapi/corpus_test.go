// SPDX-License-Identifier: Apache-2.0

package openapi

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/internal/jsonc"
)

// corpusDir is the certified connector corpus, outside the repository.
const corpusDir = "../../../shared/corpus/connectors/certified"

// corpusFolders lists the corpus connector folders, skipping the test when
// the corpus is absent.
func corpusFolders(tb testing.TB) []string {
	tb.Helper()
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		tb.Skipf("corpus not available at %s: %v", corpusDir, err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(corpusDir, e.Name()))
		}
	}
	return dirs
}

// expectedFailures are the corpus files that cannot be parsed at all: the
// import fails with a *connector.SyntaxError naming them.
var expectedFailures = map[string]string{
	"CognitiveServicesTextAnalytics": "apiDefinition.swagger.json",
	"ZohoSign":                       "apiDefinition.swagger.json",
	"Shopranos":                      "apiProperties.json",
	"gofileroom":                     "apiProperties.json",
}

// rawCounts counts (path, method) pairs and x-ms-trigger markers with plain
// encoding/json, independently of the importer.
func rawCounts(t *testing.T, file string) (ops, triggers int, ok bool) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	std, _, err := jsonc.Standardize(data, file)
	if err != nil {
		return 0, 0, false
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(std, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	for _, item := range doc.Paths {
		for method, raw := range item {
			switch strings.ToLower(method) {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
			default:
				continue
			}
			ops++
			var op map[string]json.RawMessage
			if json.Unmarshal(raw, &op) == nil {
				if _, has := op["x-ms-trigger"]; has {
					triggers++
				}
			}
		}
	}
	return ops, triggers, true
}

func TestCorpus(t *testing.T) {
	t.Parallel()
	dirs := corpusFolders(t)
	if len(dirs) < 600 {
		t.Fatalf("corpus has %d folders, want 619", len(dirs))
	}
	imported, failed := 0, 0
	var totalOps, totalTriggers, push int
	for _, dir := range dirs {
		name := filepath.Base(dir)
		spec, _, err := Load(dir)
		if wantFile, bad := expectedFailures[name]; bad {
			var se *connector.SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("%s: err = %v, want a *connector.SyntaxError", name, err)
				continue
			}
			if filepath.Base(se.File) != wantFile || se.Line < 1 || se.Column < 1 {
				t.Errorf("%s: syntax error %q does not name %s with a line and column", name, err, wantFile)
			}
			failed++
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		imported++
		wantOps, wantTriggers, ok := rawCounts(t, filepath.Join(dir, SwaggerFileName))
		if !ok {
			t.Errorf("%s: imported, but the raw count could not read it", name)
			continue
		}
		gotTriggers := 0
		for _, op := range spec.Operations {
			if op.Kind == connector.KindTrigger {
				gotTriggers++
				if op.Trigger == connector.TriggerPush {
					push++
				}
			}
		}
		if len(spec.Operations) != wantOps || gotTriggers != wantTriggers {
			t.Errorf("%s: %d operations, %d triggers; the raw document has %d and %d",
				name, len(spec.Operations), gotTriggers, wantOps, wantTriggers)
		}
		if err := spec.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		totalOps += len(spec.Operations)
		totalTriggers += gotTriggers
	}
	if failed != len(expectedFailures) {
		t.Errorf("%d expected failures happened, want %d", failed, len(expectedFailures))
	}
	t.Logf("imported %d of %d connectors (%d failed as expected): %d operations, %d triggers (%d push)",
		imported, len(dirs), failed, totalOps, totalTriggers, push)
}

// BenchmarkImportCorpus imports every connector of the corpus, one after
// the other, reading the files from disk each time.
func BenchmarkImportCorpus(b *testing.B) {
	dirs := corpusFolders(b)
	for b.Loop() {
		for _, dir := range dirs {
			_, _, _ = Load(dir)
		}
	}
}
