// SPDX-License-Identifier: Apache-2.0

package gateway

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/openapi"
)

// TestDynamicAnnotationsOfCorpus: every dynamic annotation of the
// certified connectors — on parameters, on body schemas and on properties
// inside them — is found by the path a UI would ask for, and reads as an
// annotation the endpoint can evaluate.
func TestDynamicAnnotationsOfCorpus(t *testing.T) {
	dir := "../../../shared/corpus/connectors/certified"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("corpus not available at %s: %v", dir, err)
	}
	var params, properties, builtin, unknownOp int
	var failures []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		spec, _, err := openapi.Load(filepath.Join(dir, e.Name()))
		if err != nil {
			continue // the few broken files; connector/openapi tests them
		}
		for i := range spec.Operations {
			op := &spec.Operations[i]
			check := func(param string) {
				raw, _, ok := annotation(op, param)
				if !ok || len(raw) == 0 {
					failures = append(failures, e.Name()+" "+op.ID+" "+param+": not found")
					return
				}
				var ref dynamicRef
				if err := json.Unmarshal(raw, &ref); err != nil {
					failures = append(failures, e.Name()+" "+op.ID+" "+param+": "+err.Error())
					return
				}
				switch {
				case ref.OperationID == "":
					builtin++ // builtInOperation (AadGraph.GetUsers ...): not evaluated here
				case !hasOperation(spec, ref.OperationID):
					unknownOp++
				}
			}
			for _, prm := range op.Parameters {
				if len(prm.DynamicValues)+len(prm.DynamicList)+len(prm.DynamicSchema)+len(prm.DynamicProperties) > 0 || rootAnnotated(prm.Schema) {
					params++
					check(prm.Name)
				}
				for _, path := range annotatedProperties(prm.Schema, nil, 0) {
					properties++
					check(prm.Name + "." + strings.Join(path, "."))
				}
			}
		}
	}
	t.Logf("%d parameter and %d body property annotations; %d name a built-in operation, %d an operation the connector lacks", params, properties, builtin, unknownOp)
	if params < 1000 || properties < 100 {
		t.Errorf("too few annotations seen: %d parameters, %d properties", params, properties)
	}
	if len(failures) > 0 {
		t.Errorf("%d annotations not usable, first: %s", len(failures), strings.Join(failures[:min(10, len(failures))], "\n"))
	}
}

func hasOperation(spec *connector.Spec, id string) bool {
	_, ok := spec.Operation(id)
	return ok
}

func rootAnnotated(schema json.RawMessage) bool {
	var node map[string]json.RawMessage
	if json.Unmarshal(schema, &node) != nil {
		return false
	}
	for _, k := range dynamicKeys {
		if _, ok := node[k.key]; ok {
			return true
		}
	}
	return false
}

// annotatedProperties lists the property paths under a schema that carry
// a dynamic annotation, walked independently of annotation().
func annotatedProperties(schema json.RawMessage, path []string, depth int) [][]string {
	var node struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Items      json.RawMessage            `json:"items"`
	}
	if depth > 8 || json.Unmarshal(schema, &node) != nil {
		return nil
	}
	var out [][]string
	if node.Properties == nil && len(node.Items) > 0 {
		return annotatedProperties(node.Items, path, depth+1)
	}
	for name, sub := range node.Properties {
		if strings.ContainsAny(name, "./") {
			continue // not addressable as a path segment
		}
		p := append(append([]string(nil), path...), name)
		if rootAnnotated(sub) {
			out = append(out, p)
		}
		out = append(out, annotatedProperties(sub, p, depth+1)...)
	}
	return out
}
