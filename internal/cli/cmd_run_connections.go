// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"github.com/junction-run/junction/internal/engine/actions"
)

// connectionsBeside returns the resolver of ApiConnection references for
// the workflow in file (Logic Apps Standard connections.json beside it), or
// nil when none is available.
func connectionsBeside(file string) actions.ConnectionResolver {
	_ = file
	return nil
}
