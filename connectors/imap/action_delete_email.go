// SPDX-License-Identifier: Apache-2.0

package imap

import (
	"context"

	"github.com/junction-run/junction/connector"
)

// DeleteEmail is the id of the action "Delete email".
const DeleteEmail = "DeleteEmail"

// deleteEmail flags the message \Deleted and expunges it (only it, with
// UIDPLUS; otherwise every message flagged \Deleted in the folder).
func deleteEmail(ctx context.Context, c *Connector, m mailbox, in connector.Input) (connector.Output, error) {
	folder, uid, err := target(m, in)
	if err != nil {
		return connector.Output{}, err
	}
	if err := m.Delete([]uint32{uid}); err != nil {
		return connector.Output{}, err
	}
	return ok(map[string]any{"id": in.String("id"), "folder": folder}), nil
}
