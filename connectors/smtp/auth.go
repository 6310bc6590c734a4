// SPDX-License-Identifier: Apache-2.0

package smtp

import (
	"fmt"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
)

// defaultPorts are the well-known SMTP ports per security mode.
var defaultPorts = map[mailmsg.Security]int{
	mailmsg.SecurityNone:     25,
	mailmsg.SecurityStartTLS: 587,
	mailmsg.SecurityTLS:      465,
}

// settings are a connection's values: the server, and the default sender.
type settings struct {
	mailmsg.Settings
	From string
}

func readSettings(conn connector.Connection) (settings, error) {
	s, err := mailmsg.ReadSettings(conn, defaultPorts, mailmsg.SecurityStartTLS, false)
	if err != nil {
		return settings{}, fmt.Errorf("smtp: %w", err)
	}
	if s.Username == "" && s.Password != "" {
		return settings{}, connector.Errorf(connector.KindBadRequest, "smtp: a password needs a username")
	}
	return settings{Settings: s, From: conn.String("from")}, nil
}
