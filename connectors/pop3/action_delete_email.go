// SPDX-License-Identifier: Apache-2.0

package pop3

import (
	"context"
	"strings"

	"github.com/junction-run/junction/connector"
)

// DeleteEmail is the id of the action "Delete email".
const DeleteEmail = "DeleteEmail"

// deleteEmail marks the message deleted; the session's QUIT commits it.
func deleteEmail(ctx context.Context, c *Connector, cl *client, in connector.Input) (connector.Output, error) {
	id := strings.TrimSpace(in.String("id"))
	m, err := find(cl, id)
	if err != nil {
		return connector.Output{}, err
	}
	if err := cl.Dele(m.Num); err != nil {
		return connector.Output{}, err
	}
	return ok(map[string]any{"id": id}), nil
}
