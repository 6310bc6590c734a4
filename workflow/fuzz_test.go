// SPDX-License-Identifier: Apache-2.0

package workflow

import (
	"os"
	"strings"
	"testing"
	"time"
)

func addCorpusSeeds(f *testing.F) {
	for _, file := range corpusFiles(f) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(defWith(`{"A": {"type": "Compose", "inputs": 1, "runAfter": {"A": []}}}`)))
	f.Add([]byte(`{"definition": {"actions": {"S": {"type": "Switch", "cases": {"c": {"case": 1}}}}}}`))
}

// FuzzDecode checks that decoding arbitrary input never panics and that a
// decoded definition is consistent: every action is indexed and reachable
// through its list.
func FuzzDecode(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Decode(data)
		if err != nil {
			return
		}
		for _, a := range d.AllActions() {
			if d.Action(a.Name) == nil || a.List.Get(a.Name) == nil {
				t.Fatalf("action %q at %s not indexed", a.Name, a.Path)
			}
		}
	})
}

// FuzzValidate checks that validation never panics, finishes quickly and
// gives every problem a path and a code.
func FuzzValidate(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Decode(data)
		if err != nil {
			return
		}
		start := time.Now()
		ps := d.Problems()
		if el := time.Since(start); el > 2*time.Second && len(data) < 1<<16 {
			t.Fatalf("validation took %v", el)
		}
		for _, p := range ps {
			if p.Path == "" || p.Code == "" || p.Message == "" {
				t.Fatalf("incomplete problem %+v", p)
			}
		}
	})
}

// TestDeepInputs checks that deeply nested values and conditions are
// handled without quadratic paths or deep recursion on paths.
func TestDeepInputs(t *testing.T) {
	t.Parallel()
	arr := strings.Repeat("[", 9000) + `"@x("` + strings.Repeat("]", 9000)
	cond := strings.Repeat(`{"not":`, 3000) + `{"equals":[1,2]}` + strings.Repeat("}", 3000)
	for name, doc := range map[string]string{
		"array":     `{"actions":{"A":{"type":"Compose","inputs":` + arr + `}}}`,
		"condition": `{"actions":{"A":{"type":"If","expression":` + cond + `}}}`,
	} {
		d, err := Decode([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		start := time.Now()
		if ps := d.Problems(); len(ps) != 1 {
			t.Errorf("%s: %d problems, want 1: %v", name, len(ps), ps)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("%s: validation took %v", name, el)
		}
	}
}
