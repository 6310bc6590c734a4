// SPDX-License-Identifier: Apache-2.0

package jsonc

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/junction-run/junction/connector"
)

func TestStandardize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		want     string // standard JSON, compared as values
		warnings []string
	}{
		{"strict", `{"a": [1, 2], "b": "x"}`, `{"a":[1,2],"b":"x"}`, nil},
		{"bom", "\xEF\xBB\xBF{\"a\": 1}", `{"a":1}`, []string{"byte order mark"}},
		{"latin1", "{\"a\": \"caf\xE9\"}", `{"a":"café"}`, []string{"1:11: file is not valid UTF-8"}},
		{"line comment", "{\n // note\n \"a\": 1}", `{"a":1}`, []string{"2:2: file contains comments"}},
		{"block comment", "{\"a\": /* x */ 1}", `{"a":1}`, []string{"1:7: file contains comments"}},
		{"slashes in strings are not comments", `{"u": "http://x/*y*/"}`, `{"u":"http://x/*y*/"}`, nil},
		{"trailing comma", "{\"a\": [1, 2,],\n}", `{"a":[1,2]}`, []string{"trailing comma"}},
		{"missing comma", "{\"a\": 1\n \"b\": [1\n2]}", `{"a":1,"b":[1,2]}`, []string{"1:8: missing comma", "2:9: missing comma"}},
		{"control character", "{\"a\": \"x\ty\"}", `{"a":"x\ty"}`, []string{"1:9: string contains a raw control character"}},
		{"duplicate key", "{\"a\": 1,\n \"b\": {\"c\": 1, \"c\": 2}, \"a\": 3}", `{"b":{"c":2},"a":3}`,
			[]string{`1:2: duplicate key "a" at /a`, `2:8: duplicate key "c" at /b/c`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, warns, err := Standardize([]byte(tt.in), "f.json")
			if err != nil {
				t.Fatal(err)
			}
			var gv, wv any
			if err := json.Unmarshal(got, &gv); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, got)
			}
			_ = json.Unmarshal([]byte(tt.want), &wv)
			gb, _ := json.Marshal(gv)
			wb, _ := json.Marshal(wv)
			if string(gb) != string(wb) {
				t.Errorf("got %s, want %s", gb, wb)
			}
			if strings.Contains(tt.name, "duplicate") && !strings.HasPrefix(strings.Join(strings.Fields(string(got)), ""), `{"b":`) {
				t.Errorf("duplicate removal changed member order: %s", got)
			}
			if len(warns) != len(tt.warnings) {
				t.Fatalf("warnings %v, want %d like %v", warns, len(tt.warnings), tt.warnings)
			}
			for i, w := range tt.warnings {
				if !strings.Contains(warns[i].String(), w) {
					t.Errorf("warning %d = %q, want it to contain %q", i, warns[i], w)
				}
			}
		})
	}
}

func TestStandardizeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in  string
		line, col int
		msg       string
	}{
		{"missing comma on one line", `{"a": 1 "b": 2}`, 1, 9, "after object value"},
		{"double comma", `{"a": 1,, }`, 1, 9, "invalid character ','"},
		{"truncated", "{\"a\": [1,\n", 2, 1, "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := Standardize([]byte(tt.in), "f.json")
			var se *connector.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a SyntaxError", err)
			}
			if se.File != "f.json" || se.Line != tt.line || se.Column != tt.col || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("got %q (line %d col %d), want line %d col %d containing %q", se, se.Line, se.Column, tt.line, tt.col, tt.msg)
			}
		})
	}
}

// TestCorpusUnparseable checks the files the corpus README lists as broken
// beyond repair fail with a position, and the repairable ones pass.
func TestCorpus(t *testing.T) {
	t.Parallel()
	root := "../../../../shared/corpus/connectors/certified"
	if _, err := os.Stat(root); err != nil {
		t.Skipf("corpus not found at %s", root)
	}
	broken := map[string]bool{
		"CognitiveServicesTextAnalytics/apiDefinition.swagger.json": true,
		"ZohoSign/apiDefinition.swagger.json":                       true,
		"Shopranos/apiProperties.json":                              true,
		"gofileroom/apiProperties.json":                             true,
	}
	files, _ := filepath.Glob(filepath.Join(root, "*", "*.json"))
	if len(files) < 1000 {
		t.Fatalf("found %d corpus files", len(files))
	}
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out, _, err := Standardize(data, rel)
		if broken[rel] {
			var se *connector.SyntaxError
			if !errors.As(err, &se) || se.Line == 0 {
				t.Errorf("%s: err = %v, want a syntax error with a position", rel, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if !json.Valid(out) {
			t.Errorf("%s: output is not valid JSON", rel)
		}
	}
}

func FuzzStandardize(f *testing.F) {
	for _, s := range []string{`{"a":1}`, "{/*c*/\"a\":[1,],}", "\xEF\xBB\xBF[]", "{\"a\":1,\"a\":2}", "\xE9"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, _, err := Standardize(data, "fuzz.json")
		if err == nil && !json.Valid(out) {
			t.Fatalf("Standardize(%q) = %q, not valid JSON", data, out)
		}
	})
}

func BenchmarkStandardizeCorpus(b *testing.B) {
	files, _ := filepath.Glob("../../../../shared/corpus/connectors/certified/*/*.json")
	var datas [][]byte
	for _, f := range files {
		d, _ := os.ReadFile(f)
		datas = append(datas, d)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, d := range datas {
			_, _, _ = Standardize(d, "x")
		}
	}
}
