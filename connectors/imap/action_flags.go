// SPDX-License-Identifier: Apache-2.0

package imap

import (
	"context"

	"github.com/junction-run/junction/connector"
)

// Ids of the flag actions.
const (
	MarkAsRead   = "MarkAsRead"
	MarkAsUnread = "MarkAsUnread"
	FlagEmail    = "FlagEmail"
)

func setFlag(m mailbox, in connector.Input, flag string, add bool) (connector.Output, error) {
	folder, uid, err := target(m, in)
	if err != nil {
		return connector.Output{}, err
	}
	if err := m.SetFlags([]uint32{uid}, []string{flag}, add); err != nil {
		return connector.Output{}, err
	}
	return ok(map[string]any{"id": in.String("id"), "folder": folder}), nil
}

func markAsRead(_ context.Context, _ *Connector, m mailbox, in connector.Input) (connector.Output, error) {
	return setFlag(m, in, flagSeen, true)
}

func markAsUnread(_ context.Context, _ *Connector, m mailbox, in connector.Input) (connector.Output, error) {
	return setFlag(m, in, flagSeen, false)
}

// flagEmail sets \Flagged, or clears it when flagged is false.
func flagEmail(_ context.Context, _ *Connector, m mailbox, in connector.Input) (connector.Output, error) {
	flagged, err := in.Bool("flagged", true)
	if err != nil {
		return connector.Output{}, err
	}
	return setFlag(m, in, flagFlagged, flagged)
}
