// SPDX-License-Identifier: Apache-2.0

package imap

import (
	"context"
	"slices"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
)

// ListEmails is the id of the action "List emails".
const ListEmails = "ListEmails"

func listEmails(ctx context.Context, c *Connector, m mailbox, in connector.Input) (connector.Output, error) {
	folder := folderParam(in, "folder")
	top, err := in.Int("top", 10, 1, 1000)
	if err != nil {
		return connector.Output{}, err
	}
	unread, err := in.Bool("unreadOnly", false)
	if err != nil {
		return connector.Output{}, err
	}
	attachments, err := in.Bool("includeAttachments", false)
	if err != nil {
		return connector.Output{}, err
	}
	if _, err := m.Select(folder, true); err != nil {
		return connector.Output{}, err
	}
	uids, err := m.Search(criteria{Unseen: unread, Text: in.String("search"), From: in.String("from"), Subject: in.String("subjectContains")})
	if err != nil {
		return connector.Output{}, err
	}
	if len(uids) > top {
		uids = uids[len(uids)-top:] // the newest
	}
	if err := ctx.Err(); err != nil {
		return connector.Output{}, err
	}
	msgs, err := m.Fetch(uids, true)
	if err != nil {
		return connector.Output{}, err
	}
	out := make([]*mailmsg.Email, 0, len(msgs))
	for _, msg := range slices.Backward(msgs) {
		e, err := c.toEmail(folder, msg, attachments)
		if err != nil {
			return connector.Output{}, err
		}
		out = append(out, e)
	}
	return ok(out), nil
}
