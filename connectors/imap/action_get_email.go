// SPDX-License-Identifier: Apache-2.0

package imap

import (
	"context"

	"github.com/junction-run/junction/connector"
)

// GetEmail is the id of the action "Get email".
const GetEmail = "GetEmail"

func getEmail(ctx context.Context, c *Connector, m mailbox, in connector.Input) (connector.Output, error) {
	folder := folderParam(in, "folder")
	uid, err := uidParam(in, "id")
	if err != nil {
		return connector.Output{}, err
	}
	attachments, err := in.Bool("includeAttachments", true)
	if err != nil {
		return connector.Output{}, err
	}
	if _, err := m.Select(folder, true); err != nil {
		return connector.Output{}, err
	}
	msgs, err := m.Fetch([]uint32{uid}, true)
	if err != nil {
		return connector.Output{}, err
	}
	if len(msgs) == 0 {
		return connector.Output{}, connector.Errorf(connector.KindNotFound, "no message %d in %s", uid, folder)
	}
	e, err := c.toEmail(folder, msgs[0], attachments)
	if err != nil {
		return connector.Output{}, err
	}
	return ok(e), nil
}
