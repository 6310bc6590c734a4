// SPDX-License-Identifier: Apache-2.0

package imap

import (
	"encoding/json"
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

func param(in connector.Input, name string) string {
	switch v := in.Parameters[name].(type) {
	case string:
		return v
	case nil:
		return ""
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	}
	b, _ := json.Marshal(in.Parameters[name])
	return string(b)
}

func folderParam(in connector.Input, name string) string {
	f := strings.TrimSpace(param(in, name))
	if f == "" {
		return defaultFolder
	}
	return f
}

func boolParam(in connector.Input, name string, def bool) (bool, error) {
	switch v := in.Parameters[name].(type) {
	case nil:
		return def, nil
	case bool:
		return v, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "":
			return def, nil
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, connector.Errorf(connector.KindBadRequest, "%s must be true or false", name)
}

func intParam(in connector.Input, name string, def, lo, hi int) (int, error) {
	var n int
	switch v := in.Parameters[name].(type) {
	case nil:
		return def, nil
	case int:
		n = v
	case int64:
		n = int(v)
	case float64:
		n = int(v)
		if float64(n) != v {
			return 0, connector.Errorf(connector.KindBadRequest, "%s must be an integer", name)
		}
	case json.Number:
		x, err := v.Int64()
		if err != nil {
			return 0, connector.Errorf(connector.KindBadRequest, "%s must be an integer", name)
		}
		n = int(x)
	case string:
		if strings.TrimSpace(v) == "" {
			return def, nil
		}
		x, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return 0, connector.Errorf(connector.KindBadRequest, "%s must be an integer", name)
		}
		n = x
	default:
		return 0, connector.Errorf(connector.KindBadRequest, "%s must be an integer", name)
	}
	if n < lo || n > hi {
		return 0, connector.Errorf(connector.KindBadRequest, "%s must be between %d and %d", name, lo, hi)
	}
	return n, nil
}

// uidParam reads a message id: a UID, as a string or a number.
func uidParam(in connector.Input, name string) (uint32, error) {
	s := strings.TrimSpace(param(in, name))
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
