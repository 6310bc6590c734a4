// SPDX-License-Identifier: Apache-2.0

// Package junction_test holds meta-tests over the whole module: every package
// is documented, and the layering of DESIGN.md holds.
package junction_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/junction-run/junction"

type pkgInfo struct {
	importPath string
	dir        string
	doc        bool
	imports    []string
}

func listPackages(t *testing.T) []pkgInfo {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}\t{{.Dir}}\t{{.Doc}}\t{{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkgInfo
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, "\t", 4)
		if len(f) < 4 {
			t.Fatalf("go list line %q", line)
		}
		pkgs = append(pkgs, pkgInfo{importPath: f[0], dir: f[1], doc: f[2] != "", imports: strings.Fields(f[3])})
	}
	return pkgs
}

// TestPackageDocs checks every package has a package doc comment.
func TestPackageDocs(t *testing.T) {
	for _, p := range listPackages(t) {
		if !p.doc && p.importPath != module {
			t.Errorf("package %s has no package doc comment", p.importPath)
		}
	}
}

// TestLayering checks the import rules of DESIGN.md: connector, expr and
// workflow import nothing of internal/, and connector packages never import
// the engine.
func TestLayering(t *testing.T) {
	public := []string{module + "/connector", module + "/expr", module + "/workflow"}
	for _, p := range listPackages(t) {
		for _, root := range public {
			if p.importPath != root && !strings.HasPrefix(p.importPath, root+"/") {
				continue
			}
			for _, imp := range p.imports {
				if strings.HasPrefix(imp, module+"/internal/") {
					t.Errorf("%s imports %s: public packages must not import internal/", p.importPath, imp)
				}
			}
		}
		if strings.HasPrefix(p.importPath, module+"/connectors/") {
			for _, imp := range p.imports {
				if strings.HasPrefix(imp, module+"/internal/engine") {
					t.Errorf("%s imports %s: a connector never imports the engine", p.importPath, imp)
				}
			}
		}
	}
}
