// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Regenerate the inspect golden files with go test ./internal/cli -run
// TestInspectGolden -update. The flag may be registered by another test
// file of the package, so it is looked up rather than declared twice.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// openapiTestdata holds the connector fixtures of connector/openapi.
const openapiTestdata = "../../connector/openapi/testdata"

func TestInspectGolden(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, path string }{
		{"3E_Events", "connectors/3E_Events"},
		{"ActiveCampaign", "connectors/ActiveCampaign"},
		{"DocuMotor", "connectors/DocuMotor"},
		{"Feathery_Forms", "connectors/Feathery_Forms"},
		{"Microsoft_Bookings", "connectors/Microsoft_Bookings"},
		{"Rainbird", "connectors/Rainbird"},
		{"petstore3", "petstore3.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(t, "", "connector", "inspect", "--json", filepath.Join(openapiTestdata, tt.path))
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden := filepath.Join(openapiTestdata, "golden", tt.name+".json")
			if updateGolden() {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if out != string(want) {
				t.Errorf("inspect --json output differs from %s (run with -update to accept):\n%s", golden, out)
			}
		})
	}
}

func TestInspectJSONKeys(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "tiny.json")
	doc := `{"swagger": "2.0", "info": {"title": "Tiny"}, "paths": {"/a": {"get": {"operationId": "A", "responses": {}}}}}`
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "", "connector", "inspect", file, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := "auth,baseUrl,connectionParameters,description,id,operations,policies,title,warnings"
	if strings.Join(keys, ",") != want {
		t.Errorf("keys = %v, want %s", keys, want)
	}
	for _, k := range []string{"auth", "connectionParameters", "policies", "warnings"} {
		if string(got[k]) != "[]" {
			t.Errorf("%s = %s, want []", k, got[k])
		}
	}
	var ops []map[string]any
	if err := json.Unmarshal(got["operations"], &ops); err != nil || len(ops) != 1 {
		t.Fatalf("operations = %s", got["operations"])
	}
	var opKeys []string
	for k := range ops[0] {
		opKeys = append(opKeys, k)
	}
	sort.Strings(opKeys)
	if strings.Join(opKeys, ",") != "deprecated,id,kind,method,path,summary,trigger,visibility" {
		t.Errorf("operation keys = %v", opKeys)
	}
	if ops[0]["kind"] != "action" || ops[0]["trigger"] != "" || ops[0]["method"] != "GET" {
		t.Errorf("operation = %v", ops[0])
	}
}

func TestInspectText(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, "", "connector", "inspect", filepath.Join(openapiTestdata, "petstore3.yaml"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Petstore YAML (petstore_yaml)", "Base URL: https://petstore.example/v1", "apiKey (header X-Api-Key)",
		"api_key (securestring, required)", "Operations (3):", "listPets", "onNewPet", "trigger/poll (deprecated)",
		"post_pets", "Warnings (1):", "no operationId",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestInspectErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(broken, []byte("{\n  \"swagger\": \"2.0\",\n  \"paths\": {\n    \"/a\": [}\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	brokenYAML := filepath.Join(dir, "broken.yaml")
	if err := os.WriteFile(brokenYAML, []byte("openapi: 3.0.0\ninfo:\n  title: x\n   oops: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(folder, "apiDefinition.swagger.json"), []byte(`{"swagger": "2.0", "paths": {}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(folder, "apiProperties.json"), []byte("{\n\"properties\": {{\n}"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"broken json", []string{broken}, broken + ":4:12: invalid JSON"},
		{"broken json with --json", []string{broken, "--json"}, broken + ":4:12: invalid JSON"},
		{"broken yaml", []string{brokenYAML}, brokenYAML + ":4:4: invalid YAML"},
		{"broken apiProperties", []string{folder}, filepath.Join(folder, "apiProperties.json") + ":2:16: invalid JSON"},
		{"missing", []string{filepath.Join(dir, "nope.json")}, "no such file"},
		{"empty folder", []string{t.TempDir()}, "has no apiDefinition.swagger.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(t, "", append([]string{"connector", "inspect"}, tt.args...)...)
			if code != 1 || out != "" || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, errOut, tt.want)
			}
		})
	}
}

func TestLoadConnectorDetectsPostman(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, doc := range map[string]string{
		"id.json":     `{"info": {"_postman_id": "x", "name": "P"}, "item": []}`,
		"schema.json": `{"info": {"name": "P", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": []}`,
		"api.json":    `{"swagger": "2.0", "info": {"title": "mentions _postman_id"}, "paths": {}}`,
		"api.yaml":    "openapi: 3.0.0\ninfo: {title: schema.getpostman.com}\npaths: {}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		file    string
		postman bool
	}{{"id.json", true}, {"schema.json", true}, {"api.json", false}, {"api.yaml", false}}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			if got := isPostman(filepath.Join(dir, tt.file)); got != tt.postman {
				t.Errorf("isPostman = %v, want %v", got, tt.postman)
			}
		})
	}
}
