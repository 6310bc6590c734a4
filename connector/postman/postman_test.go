// SPDX-License-Identifier: Apache-2.0

package postman

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/junction-run/junction/connector"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden is what a golden file holds: the spec and the warnings.
type golden struct {
	Spec     *connector.Spec     `json:"spec"`
	Warnings []connector.Warning `json:"warnings"`
}

func TestGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/*.postman_collection.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no collections in testdata: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			spec, warns, err := Load(file)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if err := spec.Validate(); err != nil {
				t.Errorf("imported spec is invalid: %v", err)
			}
			for i := range warns {
				warns[i].File = filepath.Base(warns[i].File)
			}
			got, err := json.MarshalIndent(golden{Spec: spec, Warnings: warns}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			want := strings.TrimSuffix(file, ".postman_collection.json") + ".golden.json"
			if *update {
				if err := os.WriteFile(want, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			w, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("reading golden file (run with -update): %v", err)
			}
			if !bytes.Equal(w, got) {
				t.Errorf("%s differs from the imported spec; run go test -update and review the diff\n got:\n%s", want, got)
			}
		})
	}
}

// parse imports a collection given as JSON text.
func parse(t *testing.T, doc string) (*connector.Spec, []connector.Warning) {
	t.Helper()
	spec, warns, err := Parse([]byte(doc), "c.json")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return spec, warns
}

func hasWarning(warns []connector.Warning, sub string) bool {
	for _, w := range warns {
		if strings.Contains(w.Message, sub) {
			return true
		}
	}
	return false
}

const v21 = `"schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"`

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		doc      string
		syntax   bool
		line     int
		notColl  bool
		contains string
	}{
		{name: "truncated", doc: "{\n  \"info\": {\n    \"name\": \"x\"\n", syntax: true, line: 4},
		{name: "garbage", doc: "{\n  \"info\": ]", syntax: true, line: 2},
		{name: "array", doc: `[1,2]`, notColl: true},
		{name: "openapi", doc: `{"swagger": "2.0", "paths": {}}`, notColl: true},
		{name: "v1", doc: `{"id": "x", "name": "Old", "requests": []}`, notColl: true, contains: "v1"},
		{name: "v1 schema", doc: `{"info": {"name": "x", "schema": "https://schema.getpostman.com/json/collection/v1.0.0/collection.json"}, "item": []}`, notColl: true, contains: "v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := Parse([]byte(tt.doc), "bad.json")
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			var se *connector.SyntaxError
			if got := errors.As(err, &se); got != tt.syntax {
				t.Fatalf("syntax error = %v, want %v (%v)", got, tt.syntax, err)
			}
			if tt.syntax && (se.File != "bad.json" || se.Line != tt.line || se.Column < 1) {
				t.Errorf("position %s:%d:%d, want bad.json:%d", se.File, se.Line, se.Column, tt.line)
			}
			if tt.notColl != errors.Is(err, ErrNotCollection) {
				t.Errorf("errors.Is(ErrNotCollection) = %v, want %v: %v", !tt.notColl, tt.notColl, err)
			}
			if tt.contains != "" && !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not mention %q", err, tt.contains)
			}
		})
	}
}

func TestMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		items string // the item array
		extra string // more top-level members
		check func(t *testing.T, s *connector.Spec, w []connector.Warning)
	}{
		{
			name:  "path params from colon and variables",
			items: `[{"name": "Get Item", "request": {"method": "get", "url": "https://api.example.com/a/:id/b/{{sub}}/v{{ver}}"}}]`,
			check: func(t *testing.T, s *connector.Spec, _ []connector.Warning) {
				op := s.Operations[0]
				if op.ID != "get_item" || op.Method != "GET" || op.Path != "/a/{id}/b/{sub}/v{ver}" {
					t.Errorf("op = %s %s %s", op.ID, op.Method, op.Path)
				}
				for _, n := range []string{"id", "sub", "ver"} {
					p, ok := op.Param(n)
					if !ok || p.In != connector.InPath || !p.Required {
						t.Errorf("path param %s = %+v", n, p)
					}
				}
				if s.BaseURL != "https://api.example.com" {
					t.Errorf("base URL %q", s.BaseURL)
				}
			},
		},
		{
			name:  "unique ids",
			items: `[{"name": "List", "request": "https://x.example/a"}, {"name": "list", "request": "https://x.example/b"}, {"name": "", "request": "https://x.example/c/d"}]`,
			check: func(t *testing.T, s *connector.Spec, w []connector.Warning) {
				ids := []string{s.Operations[0].ID, s.Operations[1].ID, s.Operations[2].ID}
				if strings.Join(ids, ",") != "list,list_2,get_c_d" {
					t.Errorf("ids %v", ids)
				}
				if !hasWarning(w, "no name") {
					t.Errorf("no warning for the unnamed request: %v", w)
				}
			},
		},
		{
			name:  "base url variable",
			extra: `"variable": [{"key": "baseUrl", "value": "https://api.example.com/v2/"}],`,
			items: `[{"name": "A", "request": {"url": {"raw": "{{baseUrl}}/x", "host": ["{{baseUrl}}"], "path": ["x"]}}}]`,
			check: func(t *testing.T, s *connector.Spec, _ []connector.Warning) {
				if s.BaseURL != "https://api.example.com/v2" {
					t.Errorf("base URL %q", s.BaseURL)
				}
				cp, ok := s.ConnectionParameter("baseUrl")
				if !ok || cp.Default != "https://api.example.com/v2/" || cp.DisplayName != "Base URL" {
					t.Errorf("baseUrl parameter %+v", cp)
				}
				if len(s.Policies) != 1 || s.Policies[0].TemplateID != "dynamichosturl" || s.Policies[0].Parameters["urlTemplate"] != "@connectionParameters('baseUrl')" {
					t.Errorf("policies %+v", s.Policies)
				}
			},
		},
		{
			name:  "host variable without scheme",
			extra: `"variable": [{"key": "host", "value": "eu.example.com"}],`,
			items: `[{"name": "A", "request": "{{host}}/x"}]`,
			check: func(t *testing.T, s *connector.Spec, _ []connector.Warning) {
				if s.BaseURL != "https://eu.example.com" || s.Policies[0].Parameters["urlTemplate"] != "https://@connectionParameters('host')" {
					t.Errorf("base %q policies %+v", s.BaseURL, s.Policies)
				}
			},
		},
		{
			name:  "auth v2.1 list and v2.0 object",
			extra: `"auth": {"type": "apikey", "apikey": [{"key": "key", "value": "X-Key"}, {"key": "in", "value": "query"}]},`,
			items: `[{"name": "A", "request": {"url": "https://x.example/a", "auth": {"type": "basic", "basic": {"username": "u", "password": "p"}}}}, {"name": "B", "request": "https://x.example/b"}]`,
			check: func(t *testing.T, s *connector.Spec, _ []connector.Warning) {
				if len(s.Auth) != 2 || s.Auth[0].Kind != connector.AuthBasic || s.Auth[1].Kind != connector.AuthAPIKey || s.Auth[1].In != "query" || s.Auth[1].ParamName != "X-Key" || s.Auth[1].Parameter != "api_key" {
					t.Errorf("auth %+v", s.Auth)
				}
				for _, n := range []string{"username", "password", "api_key"} {
					if _, ok := s.ConnectionParameter(n); !ok {
						t.Errorf("no connection parameter %s", n)
					}
				}
				if string(s.Operations[0].Extensions[ExtAuth]) != `"basic"` || string(s.Operations[1].Extensions[ExtAuth]) != `"api_key"` {
					t.Errorf("per-operation auth %s %s", s.Operations[0].Extensions[ExtAuth], s.Operations[1].Extensions[ExtAuth])
				}
			},
		},
		{
			name:  "inherit and noauth",
			extra: `"auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{tok}}"}]}, "variable": [{"key": "tok", "value": "s3cret"}],`,
			items: `[{"name": "F", "auth": {"type": "noauth"}, "item": [{"name": "A", "request": {"url": "https://x.example/a", "auth": {"type": "inherit"}}}]}, {"name": "B", "request": "https://x.example/b"}]`,
			check: func(t *testing.T, s *connector.Spec, _ []connector.Warning) {
				if string(s.Operations[0].Extensions[ExtAuth]) != `"none"` || string(s.Operations[1].Extensions[ExtAuth]) != `"bearer"` {
					t.Errorf("auth %s %s", s.Operations[0].Extensions[ExtAuth], s.Operations[1].Extensions[ExtAuth])
				}
				if _, ok := s.ConnectionParameter("tok"); ok {
					t.Error("variable used only by auth became a connection parameter")
				}
				if p, ok := s.ConnectionParameter("token"); !ok || p.Type != connector.TypeSecureString {
					t.Errorf("token parameter %+v", p)
				}
			},
		},
		{
			name:  "unsupported auth warns",
			items: `[{"name": "A", "request": {"url": "https://x.example/a", "auth": {"type": "awsv4", "awsv4": []}}}]`,
			check: func(t *testing.T, _ *connector.Spec, w []connector.Warning) {
				if !hasWarning(w, `auth type "awsv4" is not supported`) {
					t.Errorf("warnings %v", w)
				}
			},
		},
		{
			name:  "headers, content type and auth header",
			extra: `"auth": {"type": "apikey", "apikey": [{"key": "key", "value": "X-Key"}]},`,
			items: `[{"name": "A", "request": {"url": "https://x.example/a", "method": "POST", "header": [{"key": "Content-Type", "value": "application/xml"}, {"key": "X-Key", "value": "k"}, {"key": "X-Trace", "value": "1", "description": "Trace id."}, {"key": "Authorization", "value": "x"}], "body": {"mode": "raw", "raw": "<a/>"}}}]`,
			check: func(t *testing.T, s *connector.Spec, _ []connector.Warning) {
				op := s.Operations[0]
				if len(op.Consumes) != 1 || op.Consumes[0] != "application/xml" {
					t.Errorf("consumes %v", op.Consumes)
				}
				if _, ok := op.Param("X-Key"); ok {
					t.Error("api key header became a parameter")
				}
				if _, ok := op.Param("Authorization"); ok {
					t.Error("Authorization header became a parameter")
				}
				if p, ok := op.Param("X-Trace"); !ok || p.In != connector.InHeader || p.Description != "Trace id." {
					t.Errorf("X-Trace %+v", p)
				}
				if p, ok := op.Param("body"); !ok || string(p.Schema) != `{"type":"string"}` {
					t.Errorf("xml body %+v", p)
				}
			},
		},
		{
			name:  "json body schema",
			items: `[{"name": "A", "request": {"url": "https://x.example/a", "method": "POST", "body": {"mode": "raw", "raw": "{\"n\": 1, \"f\": 1.5, \"s\": \"x\", \"b\": true, \"l\": [{\"a\": 1}, {\"b\": \"y\"}], \"v\": {{var}}}", "options": {"raw": {"language": "json"}}}}}]`,
			check: func(t *testing.T, s *connector.Spec, _ []connector.Warning) {
				p, _ := s.Operations[0].Param("body")
				want := `{"properties":{"b":{"type":"boolean"},"f":{"type":"number"},"l":{"items":{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"},"type":"array"},"n":{"type":"integer"},"s":{"type":"string"},"v":{}},"type":"object"}`
				if string(p.Schema) != want {
					t.Errorf("schema\n got %s\nwant %s", p.Schema, want)
				}
				if s.Operations[0].Consumes[0] != "application/json" {
					t.Errorf("consumes %v", s.Operations[0].Consumes)
				}
			},
		},
		{
			name:  "form bodies",
			items: `[{"name": "U", "request": {"url": "https://x.example/u", "method": "POST", "body": {"mode": "urlencoded", "urlencoded": [{"key": "a", "value": "1"}]}}}, {"name": "F", "request": {"url": "https://x.example/f", "method": "POST", "body": {"mode": "formdata", "formdata": [{"key": "f", "type": "file"}]}}}]`,
			check: func(t *testing.T, s *connector.Spec, _ []connector.Warning) {
				u, f := s.Operations[0], s.Operations[1]
				if u.Consumes[0] != "application/x-www-form-urlencoded" || u.Parameters[0].In != connector.InFormData {
					t.Errorf("urlencoded %+v", u)
				}
				if f.Consumes[0] != "multipart/form-data" || string(f.Parameters[0].Schema) != `{"type":"file"}` {
					t.Errorf("formdata %+v", f)
				}
			},
		},
		{
			name:  "responses",
			items: `[{"name": "A", "request": "https://x.example/a", "response": [{"name": "ok", "code": 200, "body": "{\"id\": 1}"}, {"name": "again", "code": 200, "body": "{}"}, {"name": "gone", "code": 410, "status": "Gone"}]}]`,
			check: func(t *testing.T, s *connector.Spec, w []connector.Warning) {
				rs := s.Operations[0].Responses
				if len(rs) != 2 || rs[0].Status != "200" || string(rs[0].Schema) != `{"properties":{"id":{"type":"integer"}},"type":"object"}` || rs[1].Status != "410" || rs[1].Description != "gone (Gone)" {
					t.Errorf("responses %+v", rs)
				}
				if !hasWarning(w, "another example for status 200") {
					t.Errorf("warnings %v", w)
				}
			},
		},
		{
			name:  "folders become tags",
			items: `[{"name": "Outer", "description": "O.", "item": [{"name": "Inner", "item": [{"name": "A", "request": "https://x.example/a"}]}]}]`,
			check: func(t *testing.T, s *connector.Spec, _ []connector.Warning) {
				if len(s.Tags) != 2 || s.Tags[0].Name != "Outer" || s.Tags[0].Description != "O." || s.Tags[1].Name != "Outer / Inner" {
					t.Errorf("tags %+v", s.Tags)
				}
				if len(s.Operations[0].Tags) != 1 || s.Operations[0].Tags[0] != "Outer / Inner" {
					t.Errorf("op tags %v", s.Operations[0].Tags)
				}
			},
		},
		{
			name:  "variable header becomes a policy",
			extra: `"variable": [{"key": "tenant", "value": "acme"}, {"key": "unused", "value": "1"}],`,
			items: `[{"name": "A", "request": {"url": "https://x.example/a", "header": [{"key": "X-Tenant", "value": "{{tenant}}"}]}}, {"name": "B", "request": "https://x.example/b"}]`,
			check: func(t *testing.T, s *connector.Spec, w []connector.Warning) {
				if len(s.Policies) != 1 || s.Policies[0].TemplateID != "setheader" || s.Policies[0].Parameters["value"] != "@connectionParameters('tenant')" || len(s.Policies[0].Operations) != 1 || s.Policies[0].Operations[0] != "a" {
					t.Errorf("policies %+v", s.Policies)
				}
				if _, ok := s.ConnectionParameter("tenant"); !ok {
					t.Error("no tenant connection parameter")
				}
				if !hasWarning(w, `"unused" is not used`) {
					t.Errorf("warnings %v", w)
				}
			},
		},
		{
			name:  "scripts and odd items warn",
			items: `[{"name": "A", "event": [{"listen": "test", "script": {"exec": ["pm.test()"]}}], "request": "https://x.example/a"}, {"name": "nothing"}, 5]`,
			check: func(t *testing.T, s *connector.Spec, w []connector.Warning) {
				if len(s.Operations) != 1 || !hasWarning(w, "test script skipped") || !hasWarning(w, "neither a folder nor a request") || !hasWarning(w, "not an object") {
					t.Errorf("ops %d warnings %v", len(s.Operations), w)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := `{"info": {"name": "T", ` + v21 + `}, ` + tt.extra + ` "item": ` + tt.items + `}`
			s, w := parse(t, doc)
			if err := s.Validate(); err != nil {
				t.Errorf("invalid spec: %v", err)
			}
			tt.check(t, s, w)
		})
	}
}

func TestVersionDetection(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, doc, want string }{
		{"v2.0 schema", `{"info": {"name": "x", "schema": "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"}, "item": []}`, V20},
		{"v2.1 schema", `{"info": {"name": "x", ` + v21 + `}, "item": []}`, V21},
		{"object auth", `{"info": {"name": "x"}, "auth": {"type": "bearer", "bearer": {"token": "t"}}, "item": []}`, V20},
		{"list auth", `{"info": {"name": "x"}, "item": [{"request": {"url": "u", "auth": {"type": "bearer", "bearer": [{"key": "token"}]}}}]}`, V21},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var doc map[string]any
			if err := json.Unmarshal([]byte(tt.doc), &doc); err != nil {
				t.Fatal(err)
			}
			got, err := detectVersion(doc)
			if err != nil || got != tt.want {
				t.Errorf("detectVersion = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestIsCollection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		doc  string
		want bool
	}{
		{`{"info": {"name": "x", ` + v21 + `}, "item": []}`, true},
		{`{"info": {"name": "x"}, "item": []}`, true},
		{`{"swagger": "2.0", "info": {}, "paths": {}}`, false},
		{`not json`, false},
	}
	for _, tt := range tests {
		t.Run(tt.doc, func(t *testing.T) {
			t.Parallel()
			if got := IsCollection([]byte(tt.doc)); got != tt.want {
				t.Errorf("IsCollection = %v", got)
			}
		})
	}
}

func TestHumanize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"baseUrl": "Base URL", "api_key": "API Key", "tenant-id": "Tenant ID", "X-Trace": "X Trace", "petId": "Pet ID", "HTTPServer": "HTTP Server"} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			if got := humanize(in); got != want {
				t.Errorf("humanize(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.postman_collection.json")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"info": {"name": "x"}, "item": [{"request": "{{a}}/:b/{{c}}?d={{e}}"}]}`))
	f.Add([]byte(`{"info": {"name": "x", ` + v21 + `}, "item": [{"name": "a", "request": {"body": {"mode": "graphql", "graphql": {"variables": "[1]"}}}, "response": [{"code": 200, "body": "[[{}]]"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, _, err := Parse(data, "fuzz.json")
		if err != nil {
			return
		}
		if _, err := json.Marshal(spec); err != nil {
			t.Fatalf("spec does not marshal: %v", err)
		}
		seen := map[string]bool{}
		for _, op := range spec.Operations {
			if op.ID == "" || seen[op.ID] {
				t.Fatalf("operation id %q empty or repeated", op.ID)
			}
			seen[op.ID] = true
		}
	})
}
