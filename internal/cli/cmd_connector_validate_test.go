// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodConnector = "../../connector/certify/testdata/good"

// writeConnector copies the good connector into a temporary folder and
// applies edit to its swagger text.
func writeConnector(t *testing.T, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"apiDefinition.swagger.json", "apiProperties.json"} {
		data, err := os.ReadFile(filepath.Join(goodConnector, name))
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if name == "apiDefinition.swagger.json" {
			text = edit(text)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestConnectorValidate(t *testing.T) {
	t.Parallel()
	noContact := func(s string) string {
		return strings.Replace(s, `"contact": {"name": "Contoso Support", "url": "https://contoso.example.com/support", "email": "support@contoso.example.com"}`, `"x-contact": {}`, 1)
	}
	badPath := func(s string) string { return strings.Replace(s, `"/tasks/{taskId}"`, `"/tasks/{id}"`, 1) }
	trailingComma := func(s string) string {
		return strings.Replace(s, `"produces": ["application/json"],`, `"produces": ["application/json",],`, 1)
	}
	tests := []struct {
		name     string
		edit     func(string) string
		args     []string
		code     int
		contains []string
	}{
		{name: "good", edit: func(s string) string { return s }, code: 0, contains: []string{"0 errors, 0 warnings, 0 infos (certification profile)"}},
		{name: "missing contact fails certification", edit: noContact, code: 1,
			contains: []string{"ERROR swagger.info.contact ", "apiDefinition.swagger.json#/info: the 'contact' property is required"}},
		{name: "missing contact warns under platform", edit: noContact, args: []string{"--profile", "platform"}, code: 0,
			contains: []string{"WARNING swagger.info.contact "}},
		{name: "path parameter mismatch fails both", edit: badPath, args: []string{"--profile=platform"}, code: 1,
			contains: []string{"ERROR parameter.path.missing", "ERROR parameter.path.undefined", "#/paths/~1tasks~1{id}/get/parameters/0:"}},
		{name: "lenient JSON is an error for certification", edit: trailingComma, code: 1,
			contains: []string{"ERROR json.strict ", "trailing comma"}},
		{name: "lenient JSON is a warning for platform", edit: trailingComma, args: []string{"--profile", "platform"}, code: 0,
			contains: []string{"WARNING json.strict "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeConnector(t, tt.edit)
			code, out, errOut := run(t, "", append([]string{"connector", "validate", dir}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			for _, s := range tt.contains {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
		})
	}
}

func TestConnectorValidateJSON(t *testing.T) {
	t.Parallel()
	dir := writeConnector(t, func(s string) string { return strings.Replace(s, `"summary": "Get a task",`, ``, 1) })
	code, out, _ := run(t, "", "connector", "validate", "--json", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	var got struct {
		Findings []struct {
			Severity, Rule, Message, Pointer, File string
		} `json:"findings"`
		Errors   *int `json:"errors"`
		Warnings *int `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if got.Errors == nil || *got.Errors != 1 || got.Warnings == nil {
		t.Fatalf("errors/warnings counts wrong: %s", out)
	}
	f := got.Findings[0]
	if f.Severity != "error" || f.Rule != "operation.summary" || f.Pointer != "/paths/~1tasks~1{taskId}/get" || !strings.HasSuffix(f.File, "apiDefinition.swagger.json") || f.Message == "" {
		t.Errorf("finding %+v", f)
	}
}

func TestConnectorValidateFailures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken")
	if err := os.MkdirAll(broken, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, "apiDefinition.swagger.json"), []byte("{\n  \"swagger\": \"2.0\",\n  \"info\": ]\n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		contains string
		stderr   bool
	}{
		{name: "no such path", args: []string{filepath.Join(dir, "nope")}, contains: "no such file", stderr: true},
		{name: "unknown profile", args: []string{goodConnector, "--profile", "strict"}, contains: "unknown profile", stderr: true},
		{name: "unparseable swagger", args: []string{broken}, contains: "ERROR json.syntax "},
		{name: "no arguments", args: nil, contains: "accepts 1 arg", stderr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(t, "", append([]string{"connector", "validate"}, tt.args...)...)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			text := out
			if tt.stderr {
				text = errOut
			}
			if !strings.Contains(text, tt.contains) {
				t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", tt.contains, out, errOut)
			}
		})
	}
}

func TestConnectorValidateHelpNamesDefaultProfile(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "", "connector", "validate", "--help")
	if code != 0 || !strings.Contains(out, "certification  (default)") || !strings.Contains(out, `default "certification"`) {
		t.Errorf("exit %d, help:\n%s", code, out)
	}
}

func TestConnectorValidatePostman(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "", "connector", "validate", "--profile", "platform", "../../connector/postman/testdata/crm.v20.postman_collection.json")
	if code != 0 || !strings.Contains(out, "WARNING operation.description") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
