// SPDX-License-Identifier: Apache-2.0

package pop3

import (
	"context"
	"slices"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
)

// ListEmails is the id of the action "List emails".
const ListEmails = "ListEmails"

// listEmails returns the newest messages (highest message numbers), newest
// first.
func listEmails(ctx context.Context, c *Connector, cl *client, in connector.Input) (connector.Output, error) {
	top, err := in.Int("top", 10, 1, 1000)
	if err != nil {
		return connector.Output{}, err
	}
	attachments, err := in.Bool("includeAttachments", false)
	if err != nil {
		return connector.Output{}, err
	}
	list, err := cl.List()
	if err != nil {
		return connector.Output{}, err
	}
	if len(list) > top {
		list = list[len(list)-top:]
	}
	out := make([]*mailmsg.Email, 0, len(list))
	for _, m := range slices.Backward(list) {
		if err := ctx.Err(); err != nil {
			return connector.Output{}, err
		}
		raw, err := cl.Retr(m.Num, c.cfg.MaxMessageBytes)
		if err != nil {
			return connector.Output{}, err
		}
		e, err := c.parse(m, raw, attachments)
		if err != nil {
			return connector.Output{}, err
		}
		out = append(out, e)
	}
	return ok(out), nil
}
