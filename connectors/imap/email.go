// SPDX-License-Identifier: Apache-2.0

package imap

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
)

// defaultFolder is the folder operations use when none is given.
const defaultFolder = "INBOX"

// toEmail parses a fetched message into the email object.
func (c *Connector) toEmail(folder string, m message, attachments bool) (*mailmsg.Email, error) {
	e, err := mailmsg.Parse(m.Raw, mailmsg.Options{IncludeAttachments: attachments, MaxBytes: c.cfg.MaxMessageBytes})
	if err != nil {
		return nil, connector.Errorf(connector.KindBadRequest, "message %d in %s cannot be parsed: %v", m.UID, folder, err)
	}
	e.ID = strconv.FormatUint(uint64(m.UID), 10)
	e.Folder = folder
	read, flagged := slices.Contains(m.Flags, flagSeen), slices.Contains(m.Flags, flagFlagged)
	e.IsRead, e.IsFlagged = &read, &flagged
	if !m.InternalDate.IsZero() {
		e.ReceivedDateTime = m.InternalDate.UTC().Format(time.RFC3339)
	}
	if m.Size > 0 {
		e.Size = m.Size
	}
	return e, nil
}

func folderParam(in connector.Input, name string) string {
	f := strings.TrimSpace(in.String(name))
	if f == "" {
		return defaultFolder
	}
	return f
}

// uidParam reads a message id: a UID, as a string or a number.
func uidParam(in connector.Input, name string) (uint32, error) {
	s := strings.TrimSpace(in.String(name))
	if s == "" {
		return 0, connector.Errorf(connector.KindBadRequest, "%s is required", name)
	}
	u, err := strconv.ParseUint(s, 10, 32)
	if err != nil || u == 0 {
		return 0, connector.Errorf(connector.KindNotFound, "%s %q is not a message id of this connector (an IMAP UID)", name, s)
	}
	return uint32(u), nil
}

func ok(body any) connector.Output { return connector.Output{StatusCode: 200, Body: body} }
