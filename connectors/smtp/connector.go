// SPDX-License-Identifier: Apache-2.0

// Package smtp is the built-in SMTP connector: it sends email through any
// SMTP server (submission with STARTTLS, implicit TLS, or plaintext to a
// local relay), with SMTP AUTH when a username is set.
//
// Its one action, SendEmail, mirrors the Logic Apps SMTP connector's "Send
// Email": to/cc/bcc/replyTo as comma- or semicolon-separated strings or
// arrays, a text and/or HTML body, base64 attachments and an importance
// that becomes the Importance, X-Priority and X-MSMail-Priority headers.
//
// Errors are classified from the SMTP reply: 535/534/530 (authentication)
// are unauthenticated, other 4xx replies and network failures retryable,
// other 5xx replies bad request. The password never appears in errors or
// logs. Each call opens its own connection and closes it; a cancelled
// context closes the connection at once.
package smtp

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/junction-run/junction/connector"
)

// ID is the connector id.
const ID = "smtp"

func init() { connector.MustRegister(New(Config{})) }

// Config is the host's configuration of the connector.
type Config struct {
	// RootCAs, when set, replaces the system roots for verifying servers
	// (a private CA; tests).
	RootCAs *x509.CertPool
	// Timeout bounds connecting and each SMTP command; 0 means 30 s.
	Timeout time.Duration
	// HELO is the name sent in EHLO; empty means "localhost".
	HELO string
}

// Connector sends email. It holds no connection between calls.
type Connector struct {
	cfg Config
	connector.Logging
}

// New returns a connector; it does no I/O.
func New(cfg Config) *Connector {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.HELO == "" {
		cfg.HELO = "localhost"
	}
	return &Connector{cfg: cfg}
}

// Spec describes the connector.
func (c *Connector) Spec() connector.Spec { return spec() }

// Close releases nothing; it is idempotent.
func (c *Connector) Close(context.Context) error { return nil }

// Test connects, negotiates TLS and authenticates, then quits.
func (c *Connector) Test(ctx context.Context, conn connector.Connection) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s, err := readSettings(conn)
	if err != nil {
		return err
	}
	return c.check(ctx, s)
}

// Invoke runs an action.
func (c *Connector) Invoke(ctx context.Context, conn connector.Connection, operationID string, in connector.Input) (connector.Output, error) {
	if operationID != SendEmail {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "smtp: unknown action %q", operationID)
	}
	if err := ctx.Err(); err != nil {
		return connector.Output{}, err
	}
	s, err := readSettings(conn)
	if err != nil {
		return connector.Output{}, err
	}
	out, err := c.sendEmail(ctx, s, in)
	if err != nil {
		if k := connector.KindOf(err); k == connector.KindUnknown && !errors.Is(err, context.Canceled) {
			c.Logger().Warn("smtp send failed", "error", err.Error())
		}
		return connector.Output{}, fmt.Errorf("smtp %s: %w", operationID, err)
	}
	return out, nil
}

var (
	_ connector.Provider     = (*Connector)(nil)
	_ connector.Closer       = (*Connector)(nil)
	_ connector.Tester       = (*Connector)(nil)
	_ connector.LoggerSetter = (*Connector)(nil)
)
