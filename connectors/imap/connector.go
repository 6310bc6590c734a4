// SPDX-License-Identifier: Apache-2.0

// Package imap is the built-in IMAP connector: read, move, flag and delete
// email in any IMAP4rev1 mailbox, and trigger on new email.
//
// Messages are addressed by their IMAP UID in a folder: the id an operation
// returns is the UID as a decimal string, valid with the same folder for as
// long as the folder's UIDVALIDITY does not change. Outputs are the Logic
// Apps email object (see [mailmsg.Email]): id, from, to, cc, subject, body,
// isHtml, hasAttachments, attachments[{name, contentType, contentBytes,
// size}], receivedDateTime (the server's INTERNALDATE, ISO 8601).
//
// The trigger OnNewEmail polls a folder. Its state is the folder's
// UIDVALIDITY and the highest UID it has looked at. The first poll only
// records that cursor, so — like Logic Apps' "When a new email arrives" —
// mail already in the folder never fires the trigger. When the server
// changes the folder's UIDVALIDITY (the folder was recreated or rebuilt),
// the old UIDs mean nothing any more: the trigger re-baselines, returning
// nothing for that poll and starting from the folder as it is (mail that
// arrived since the previous poll is not returned; a warning is logged).
// Marking as read, moving or deleting what it read (afterRead) happens in
// Cleanup, after the host stored the runs, never in Poll.
//
// Every call opens its own session (connect, login, work, logout); a
// cancelled context closes it at once. go-imap v2 (a pinned beta) stays
// behind the small mailbox interface in client.go.
package imap

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
)

// ID is the connector id.
const ID = "imap"

func init() { connector.MustRegister(New(Config{})) }

// Config is the host's configuration of the connector.
type Config struct {
	// RootCAs, when set, replaces the system roots for verifying servers.
	RootCAs *x509.CertPool
	// Timeout bounds connecting; 0 means 30 s.
	Timeout time.Duration
	// CallTimeout bounds one whole operation; 0 means 5 min.
	CallTimeout time.Duration
	// MaxMessageBytes bounds the decoded size of one message; 0 means
	// 64 MiB.
	MaxMessageBytes int64
}

// Connector serves the IMAP operations.
type Connector struct {
	cfg Config
	connector.Logging
}

// New returns a connector; it does no I/O.
func New(cfg Config) *Connector {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 5 * time.Minute
	}
	return &Connector{cfg: cfg}
}

// Spec describes the connector.
func (c *Connector) Spec() connector.Spec { return spec() }

// Close releases nothing (sessions live for one call); it is idempotent.
func (c *Connector) Close(context.Context) error { return nil }

// defaultPorts are the well-known IMAP ports per security mode.
var defaultPorts = map[mailmsg.Security]int{
	mailmsg.SecurityNone:     143,
	mailmsg.SecurityStartTLS: 143,
	mailmsg.SecurityTLS:      993,
}

func readSettings(conn connector.Connection) (mailmsg.Settings, error) {
	s, err := mailmsg.ReadSettings(conn, defaultPorts, mailmsg.SecurityTLS, true)
	if err != nil {
		return s, fmt.Errorf("imap: %w", err)
	}
	return s, nil
}

// session runs f with a logged-in mailbox and logs out afterwards.
func (c *Connector) session(ctx context.Context, conn connector.Connection, f func(ctx context.Context, m mailbox, s mailmsg.Settings) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s, err := readSettings(conn)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.CallTimeout)
	defer cancel()
	m, err := c.open(ctx, s)
	if err != nil {
		return err
	}
	err = f(ctx, m, s)
	if lerr := m.Logout(); err == nil && lerr != nil && ctx.Err() == nil {
		// The work is done; a failed LOGOUT is not worth failing the call.
		c.Logger().Warn("imap logout failed", "error", mailmsg.Redact(lerr.Error(), s.Password))
	}
	if err != nil {
		return classify(ctx, "imap", err, s.Password)
	}
	return nil
}

// Test logs in and selects INBOX.
func (c *Connector) Test(ctx context.Context, conn connector.Connection) error {
	return c.session(ctx, conn, func(ctx context.Context, m mailbox, s mailmsg.Settings) error {
		_, err := m.Select("INBOX", true)
		return classify(ctx, "selecting INBOX", err, s.Password)
	})
}

type handler func(ctx context.Context, c *Connector, m mailbox, in connector.Input) (connector.Output, error)

var actions = map[string]handler{
	ListEmails:   listEmails,
	GetEmail:     getEmail,
	MoveEmail:    moveEmail,
	DeleteEmail:  deleteEmail,
	MarkAsRead:   markAsRead,
	MarkAsUnread: markAsUnread,
	FlagEmail:    flagEmail,
}

// Invoke runs an action.
func (c *Connector) Invoke(ctx context.Context, conn connector.Connection, operationID string, in connector.Input) (connector.Output, error) {
	h, ok := actions[operationID]
	if !ok {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "imap: unknown action %q", operationID)
	}
	var out connector.Output
	err := c.session(ctx, conn, func(ctx context.Context, m mailbox, s mailmsg.Settings) error {
		var err error
		out, err = h(ctx, c, m, in)
		if err != nil {
			return classify(ctx, "imap server", err, s.Password)
		}
		return nil
	})
	if err != nil {
		if k := connector.KindOf(err); k == connector.KindUnknown && !errors.Is(err, context.Canceled) {
			c.Logger().Warn("imap operation failed", "operation", operationID, "error", err.Error())
		}
		return connector.Output{}, fmt.Errorf("imap %s: %w", operationID, err)
	}
	return out, nil
}

var (
	_ connector.Provider     = (*Connector)(nil)
	_ connector.Closer       = (*Connector)(nil)
	_ connector.Tester       = (*Connector)(nil)
	_ connector.Poller       = (*Connector)(nil)
	_ connector.Cleaner      = (*Connector)(nil)
	_ connector.LoggerSetter = (*Connector)(nil)
)
