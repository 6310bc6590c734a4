// SPDX-License-Identifier: Apache-2.0

package imap

import (
	"context"
	"strings"

	"github.com/junction-run/junction/connector"
)

// MoveEmail is the id of the action "Move email".
const MoveEmail = "MoveEmail"

// target selects folder read-write and checks that the message exists.
func target(m mailbox, in connector.Input) (folder string, uid uint32, err error) {
	folder = folderParam(in, "folder")
	if uid, err = uidParam(in, "id"); err != nil {
		return "", 0, err
	}
	if _, err = m.Select(folder, false); err != nil {
		return "", 0, err
	}
	found, err := m.Search(criteria{UIDs: []uint32{uid}})
	if err != nil {
		return "", 0, err
	}
	if len(found) == 0 || found[0] != uid {
		return "", 0, connector.Errorf(connector.KindNotFound, "no message %d in %s", uid, folder)
	}
	return folder, uid, nil
}

func moveEmail(ctx context.Context, c *Connector, m mailbox, in connector.Input) (connector.Output, error) {
	dest := strings.TrimSpace(in.String("destinationFolder"))
	if dest == "" {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "destinationFolder is required")
	}
	folder, uid, err := target(m, in)
	if err != nil {
		return connector.Output{}, err
	}
	if err := m.Move([]uint32{uid}, dest); err != nil {
		return connector.Output{}, err
	}
	return ok(map[string]any{"id": in.String("id"), "folder": folder, "destinationFolder": dest}), nil
}
