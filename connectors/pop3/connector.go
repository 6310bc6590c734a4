// SPDX-License-Identifier: Apache-2.0

// Package pop3 is the built-in POP3 connector: list, read and delete the
// email of a POP3 mailbox, and trigger on new email.
//
// It speaks POP3 itself (client.go, over net/textproto: USER/PASS, STLS,
// STAT, LIST, UIDL, TOP, RETR, DELE, QUIT, with dot-unstuffing and a
// deadline on every command). Messages are addressed by their UIDL unique
// id, which — unlike POP3 message numbers — stays the same across sessions.
// Outputs are the Logic Apps email object ([mailmsg.Email]);
// receivedDateTime comes from the newest Received header (POP3 has no
// arrival time), else the Date header.
//
// The trigger OnNewEmail remembers the unique ids it has seen. The first
// poll records the ids present and returns nothing, so — like Logic Apps'
// "When a new email arrives" — mail already in the mailbox never fires the
// trigger. Later polls return the messages whose ids are new. The state
// keeps only ids still on the server, at most 10,000 of them: a mailbox
// that keeps more messages than that should use deleteAfterRead (done in
// Cleanup, once the runs are stored) or the IMAP connector.
package pop3

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
const ID = "pop3"

func init() { connector.MustRegister(New(Config{})) }

// Config is the host's configuration of the connector.
type Config struct {
	// RootCAs, when set, replaces the system roots for verifying servers.
	RootCAs *x509.CertPool
	// Timeout bounds connecting and each command; 0 means 30 s.
	Timeout time.Duration
	// CallTimeout bounds one whole operation; 0 means 5 min.
	CallTimeout time.Duration
	// MaxMessageBytes bounds one message; 0 means 64 MiB.
	MaxMessageBytes int64
}

// Connector serves the POP3 operations. Every call opens its own session.
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
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = 64 << 20
	}
	return &Connector{cfg: cfg}
}

// Spec describes the connector.
func (c *Connector) Spec() connector.Spec { return spec() }

// Close releases nothing (sessions live for one call); it is idempotent.
func (c *Connector) Close(context.Context) error { return nil }

// defaultPorts are the well-known POP3 ports per security mode.
var defaultPorts = map[mailmsg.Security]int{
	mailmsg.SecurityNone:     110,
	mailmsg.SecurityStartTLS: 110,
	mailmsg.SecurityTLS:      995,
}

func readSettings(conn connector.Connection) (mailmsg.Settings, error) {
	s, err := mailmsg.ReadSettings(conn, defaultPorts, mailmsg.SecurityTLS, true)
	if err != nil {
		return s, fmt.Errorf("pop3: %w", err)
	}
	return s, nil
}

// session runs f with a logged-in client; QUIT commits deletions.
func (c *Connector) session(ctx context.Context, conn connector.Connection, f func(ctx context.Context, cl *client) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s, err := readSettings(conn)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.CallTimeout)
	defer cancel()
	cl, err := dial(ctx, s, c.cfg.RootCAs, c.cfg.Timeout)
	if err != nil {
		return err
	}
	if err := f(ctx, cl); err != nil {
		cl.close() // no QUIT: nothing marked deleted is committed
		return classify(ctx, "pop3", err, s.Password)
	}
	if err := cl.Quit(); err != nil {
		return classify(ctx, "pop3 quit", err, s.Password)
	}
	return nil
}

// Test logs in and asks STAT.
func (c *Connector) Test(ctx context.Context, conn connector.Connection) error {
	return c.session(ctx, conn, func(ctx context.Context, cl *client) error {
		_, _, err := cl.Stat()
		return err
	})
}

type handler func(ctx context.Context, c *Connector, cl *client, in connector.Input) (connector.Output, error)

var actions = map[string]handler{
	ListEmails:  listEmails,
	GetEmail:    getEmail,
	DeleteEmail: deleteEmail,
}

// Invoke runs an action.
func (c *Connector) Invoke(ctx context.Context, conn connector.Connection, operationID string, in connector.Input) (connector.Output, error) {
	h, ok := actions[operationID]
	if !ok {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "pop3: unknown action %q", operationID)
	}
	var out connector.Output
	err := c.session(ctx, conn, func(ctx context.Context, cl *client) error {
		var err error
		out, err = h(ctx, c, cl, in)
		return err
	})
	if err != nil {
		if k := connector.KindOf(err); k == connector.KindUnknown && !errors.Is(err, context.Canceled) {
			c.Logger().Warn("pop3 operation failed", "operation", operationID, "error", err.Error())
		}
		return connector.Output{}, fmt.Errorf("pop3 %s: %w", operationID, err)
	}
	return out, nil
}

// parse reads a retrieved message as the email object.
func (c *Connector) parse(info msgInfo, raw []byte, attachments bool) (*mailmsg.Email, error) {
	e, err := mailmsg.Parse(raw, mailmsg.Options{IncludeAttachments: attachments, MaxBytes: c.cfg.MaxMessageBytes})
	if err != nil {
		return nil, connector.Errorf(connector.KindBadRequest, "message %s cannot be parsed: %v", info.UID, err)
	}
	e.ID = info.UID
	if info.Size > 0 {
		e.Size = info.Size
	}
	return e, nil
}

// find returns the message with this unique id.
func find(cl *client, id string) (msgInfo, error) {
	if id == "" {
		return msgInfo{}, connector.Errorf(connector.KindBadRequest, "id is required")
	}
	list, err := cl.List()
	if err != nil {
		return msgInfo{}, err
	}
	for _, m := range list {
		if m.UID == id {
			return m, nil
		}
	}
	return msgInfo{}, connector.Errorf(connector.KindNotFound, "no message with id %q", id)
}

func ok(body any) connector.Output { return connector.Output{StatusCode: 200, Body: body} }

var (
	_ connector.Provider     = (*Connector)(nil)
	_ connector.Closer       = (*Connector)(nil)
	_ connector.Tester       = (*Connector)(nil)
	_ connector.Poller       = (*Connector)(nil)
	_ connector.Cleaner      = (*Connector)(nil)
	_ connector.LoggerSetter = (*Connector)(nil)
)
