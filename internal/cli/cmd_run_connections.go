// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"os"
	"path/filepath"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/engine/actions"
)

// connectionsBeside returns the resolver of ApiConnection references for
// the workflow in file: the Logic Apps Standard connections.json beside it
// (or in the app folder above a <name>/workflow.json), or nil when there is
// none or it cannot be read (ApiConnection actions then fail clearly).
func connectionsBeside(file string) actions.ConnectionResolver {
	dir := filepath.Dir(file)
	for _, p := range []string{filepath.Join(dir, "connections.json"), filepath.Join(dir, "..", "connections.json")} {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		fc, err := actions.NewFileConnections(p, connector.Default(), os.LookupEnv)
		if err != nil {
			return nil
		}
		return fc
	}
	return nil
}
