// SPDX-License-Identifier: Apache-2.0

package pop3

import (
	"context"
	"strings"

	"github.com/junction-run/junction/connector"
)

// GetEmail is the id of the action "Get email".
const GetEmail = "GetEmail"

func getEmail(ctx context.Context, c *Connector, cl *client, in connector.Input) (connector.Output, error) {
	attachments, err := in.Bool("includeAttachments", true)
	if err != nil {
		return connector.Output{}, err
	}
	m, err := find(cl, strings.TrimSpace(in.String("id")))
	if err != nil {
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
	return ok(e), nil
}
