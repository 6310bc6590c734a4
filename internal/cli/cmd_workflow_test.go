// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWorkflowValidate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	valid := write("valid.json", `{"definition": {"triggers": {"manual": {"type": "Request", "kind": "Http"}},
		"actions": {"A": {"type": "Compose", "inputs": 1, "runAfter": {}},
		"S": {"type": "Scope", "actions": {"B": {"type": "Compose", "inputs": 2}}, "runAfter": {"A": ["SUCCEEDED"]}}}}, "kind": "Stateful"}`)
	invalid := write("invalid.json", `{"triggers": {}, "actions": {
		"A": {"type": "Xslt", "inputs": {}, "runAfter": {"Nope": ["Succeeded"]}},
		"B": {"type": "Compose", "inputs": "@concat('a',"}}}`)
	warn := write("warn.json", `{"actions": {"A": {"type": "Compose", "inputs": "@parameters('fromFile')"}}}`)
	broken := write("broken.json", "{\n  \"actions\": {\n    \"A\": {,}\n  }\n}")
	tests := []struct {
		name      string
		args      []string
		stdin     string
		code      int
		stdout    []string // line prefixes
		stderrHas string
	}{
		{"valid", []string{valid}, "", 0, []string{"valid: 3 actions, 1 triggers"}, ""},
		{"stdin", []string{"-"}, `{"actions": {}}`, 0, []string{"valid: 0 actions, 0 triggers"}, ""},
		{"invalid", []string{invalid}, "", 1, []string{
			"$.actions.A.runAfter.Nope: runAfter names 'Nope', which is not an action in this scope [WF2001]",
			"$.actions.A.type: action type 'Xslt' is not supported [WF1003]",
			"$.actions.B.inputs: expression does not parse at column 13: ",
		}, ""},
		{"warnings only", []string{warn}, "", 0, []string{
			"$.actions.A.inputs: warning: parameters('fromFile') is not declared in the definition; it must come from parameters.json [WF2010]",
			"valid: 1 actions, 0 triggers",
		}, ""},
		{"bad json", []string{broken}, "", 1, nil, "broken.json:3:11: invalid JSON: invalid character ','"},
		{"no definition", []string{"-"}, `{"x": 1}`, 1, []string{
			`$: no workflow definition: expected an object with triggers and actions, a workflow.json with "definition", or an ARM resource or template [WF1011]`,
		}, ""},
		{"missing file", []string{filepath.Join(dir, "nope.json")}, "", 1, nil, "nope.json"},
		{"no argument", nil, "", 1, nil, "accepts 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(t, tt.stdin, append([]string{"workflow", "validate"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			var lines []string
			if s := strings.TrimRight(out, "\n"); s != "" {
				lines = strings.Split(s, "\n")
			}
			ok := len(lines) == len(tt.stdout)
			for i := 0; ok && i < len(lines); i++ {
				ok = strings.HasPrefix(lines[i], tt.stdout[i])
			}
			if !ok {
				t.Errorf("stdout:\n%s\nwant lines starting:\n%s", out, strings.Join(tt.stdout, "\n"))
			}
			if !strings.Contains(errOut, tt.stderrHas) {
				t.Errorf("stderr %q, want %q", errOut, tt.stderrHas)
			}
		})
	}
}
