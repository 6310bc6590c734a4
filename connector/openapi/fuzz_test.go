// SPDX-License-Identifier: Apache-2.0

package openapi

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// fuzzSeeds are small documents covering both versions and both syntaxes;
// the corpus fixtures in testdata/connectors are added too.
var fuzzSeeds = []string{
	refsDoc, extensionsDoc, v3Doc, yamlDoc,
	`{"swagger":"2.0","paths":{"/a":{"get":{}}}}`,
	`{"openapi":"3.1.0","paths":{"/a":{"$ref":"#/paths/~1a"}}}`,
	`{"swagger":"2.0","definitions":{"A":{"$ref":"#/definitions/A"}},"paths":{"/a":{"get":{"responses":{"200":{"schema":{"$ref":"#/definitions/A"}}}}}}}`,
	"a: &x [*x]\n",
}

func fuzzFixture(f *testing.F, name, file string) []byte {
	f.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "connectors", name, file))
	if err != nil {
		f.Fatal(err)
	}
	return data
}

// FuzzParse checks that no document makes the importer panic and that an
// import that succeeds gives a valid Spec with JSON schemas. New inputs are
// large, so run it with a short minimization time:
//
//	go test -run - -fuzz 'FuzzParse$' -fuzztime 20s -fuzzminimizetime 2s ./connector/openapi
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Add(fuzzFixture(f, "DocuMotor", SwaggerFileName))
	f.Add(fuzzFixture(f, "Rainbird", SwaggerFileName))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, _, err := Parse(data, "fuzz.json")
		if err != nil {
			return
		}
		if err := spec.Validate(); err != nil {
			t.Fatalf("imported spec is invalid: %v", err)
		}
		for _, op := range spec.Operations {
			for _, p := range op.Parameters {
				if p.Schema != nil && !json.Valid(p.Schema) {
					t.Fatalf("%s: parameter %s: schema is not JSON: %s", op.ID, p.Name, p.Schema)
				}
			}
			for _, r := range op.Responses {
				if r.Schema != nil && !json.Valid(r.Schema) {
					t.Fatalf("%s: response %s: schema is not JSON: %s", op.ID, r.Status, r.Schema)
				}
			}
		}
	})
}

// FuzzParseFolder does the same for a swagger and apiProperties pair.
func FuzzParseFolder(f *testing.F) {
	f.Add([]byte(`{"swagger":"2.0","paths":{"/x":{"get":{"operationId":"Get"}}}}`), []byte(propsDoc))
	f.Add(fuzzFixture(f, "Feathery_Forms", SwaggerFileName), fuzzFixture(f, "Feathery_Forms", PropertiesFileName))
	f.Add(fuzzFixture(f, "ActiveCampaign", SwaggerFileName), []byte(`{"properties":{"connectionParameters":{"a":1}}}`))
	f.Fuzz(func(t *testing.T, swagger, props []byte) {
		if len(props) == 0 {
			props = nil
		}
		spec, _, err := ParseFolder(swagger, SwaggerFileName, props, PropertiesFileName)
		if err != nil {
			return
		}
		if err := spec.Validate(); err != nil {
			t.Fatalf("imported spec is invalid: %v", err)
		}
		if _, err := json.Marshal(spec); err != nil {
			t.Fatalf("spec does not marshal: %v", err)
		}
	})
}
