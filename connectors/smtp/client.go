// SPDX-License-Identifier: Apache-2.0

package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"slices"
	"strings"
	"sync"

	mail "github.com/wneessen/go-mail"
	smtpauth "github.com/wneessen/go-mail/smtp"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
)

// session is one go-mail client whose connections close when ctx is done,
// so a cancelled call returns at once instead of after the SMTP timeout.
type session struct {
	client *mail.Client
	mu     sync.Mutex
	stops  []func() bool
}

func (s *session) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, stop := range s.stops {
		stop()
	}
	s.stops = nil
}

func (c *Connector) newSession(ctx context.Context, s settings) (*session, error) {
	ss := &session{}
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := s.Settings.Dial(dctx, c.cfg.RootCAs, c.cfg.Timeout)
		if err != nil {
			return nil, err
		}
		stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
		ss.mu.Lock()
		ss.stops = append(ss.stops, stop)
		ss.mu.Unlock()
		// A *tls.Conn is returned as it is: go-mail recognises it as
		// encrypted and allows AUTH PLAIN over it.
		return conn, nil
	}
	opts := []mail.Option{
		mail.WithPort(s.Port),
		mail.WithTimeout(c.cfg.Timeout),
		mail.WithHELO(c.cfg.HELO),
		mail.WithDialContextFunc(dial),
		mail.WithTLSConfig(s.TLSConfig(c.cfg.RootCAs)),
	}
	switch s.Security {
	case mailmsg.SecurityStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default: // none, or tls already done by dial
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if s.Username != "" {
		if s.Security == mailmsg.SecurityStartTLS {
			// After STARTTLS go-mail picks the strongest mechanism offered
			// (SCRAM, CRAM-MD5, PLAIN, LOGIN...).
			opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.Username), mail.WithPassword(s.Password))
		} else {
			// go-mail only knows a connection is encrypted when it did the
			// TLS itself, so with our dialer it would find no mechanism:
			// choose PLAIN or LOGIN by what the server offers. Both refuse
			// to send the password over plaintext except to localhost.
			opts = append(opts, mail.WithSMTPAuthCustom(&plainOrLogin{user: s.Username, password: s.Password, host: s.Host}))
		}
	}
	cl, err := mail.NewClient(s.Host, opts...)
	if err != nil {
		return nil, connector.Errorf(connector.KindBadRequest, "configuring smtp client: %v", mailmsg.Redact(err.Error(), s.Password))
	}
	ss.client = cl
	return ss, nil
}

// plainOrLogin is SMTP AUTH PLAIN, or LOGIN when the server does not offer
// PLAIN.
type plainOrLogin struct {
	user, password, host string
	chosen               smtpauth.Auth
}

func (a *plainOrLogin) Start(server *smtpauth.ServerInfo) (string, []byte, error) {
	a.chosen = smtpauth.PlainAuth("", a.user, a.password, a.host, false)
	if !slices.Contains(server.Auth, "PLAIN") && slices.Contains(server.Auth, "LOGIN") {
		a.chosen = smtpauth.LoginAuth(a.user, a.password, a.host, false)
	}
	return a.chosen.Start(server)
}

func (a *plainOrLogin) Next(fromServer []byte, more bool) ([]byte, error) {
	return a.chosen.Next(fromServer, more)
}

var _ smtpauth.Auth = (*plainOrLogin)(nil)

// check connects, negotiates TLS, authenticates and quits.
func (c *Connector) check(ctx context.Context, s settings) error {
	ss, err := c.newSession(ctx, s)
	if err != nil {
		return err
	}
	defer ss.release()
	if err := ss.client.DialWithContext(ctx); err != nil {
		return classify(ctx, "connecting to "+s.Addr(), err, s.Password)
	}
	if err := ss.client.Close(); err != nil {
		return classify(ctx, "closing the smtp session", err, s.Password)
	}
	return nil
}

// send delivers one message.
func (c *Connector) send(ctx context.Context, s settings, m *mail.Msg) error {
	ss, err := c.newSession(ctx, s)
	if err != nil {
		return err
	}
	defer ss.release()
	if err := ss.client.DialAndSendWithContext(ctx, m); err != nil {
		return classify(ctx, "sending to "+s.Addr(), err, s.Password)
	}
	return nil
}

// authCodes are the SMTP replies that mean the credentials were refused or
// are needed (RFC 4954).
var authCodes = map[int]bool{530: true, 534: true, 535: true}

// classify turns a go-mail or network error into a classified connector
// error whose text never holds the password.
func classify(ctx context.Context, what string, err error, password string) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
	msg := mailmsg.Redact(err.Error(), password)
	code, temp := replyCode(err)
	var kind connector.ErrorKind
	switch {
	case code != 0 && authCodes[code]:
		kind = connector.KindUnauthenticated
	case code == 454 && strings.Contains(strings.ToLower(msg), "auth"):
		kind = connector.KindUnauthenticated
	case code >= 400 && code < 500, temp:
		kind = connector.KindRetryable
	case code >= 500:
		kind = connector.KindBadRequest
	case strings.Contains(msg, "does not support SMTP AUTH"), strings.Contains(msg, "AUTH type"),
		strings.Contains(msg, "unencrypted connection"):
		kind = connector.KindBadRequest
	case strings.Contains(msg, "does not support STARTTLS"):
		kind = connector.KindBadRequest
	default:
		var ne net.Error
		var te *tls.CertificateVerificationError
		switch {
		case errors.As(err, &te):
			kind = connector.KindBadRequest
		case errors.As(err, &ne), errors.Is(err, net.ErrClosed), strings.Contains(msg, "EOF"), strings.Contains(msg, "connection reset"):
			kind = connector.KindRetryable
		default:
			if ke := connector.KindOf(err); ke != connector.KindUnknown {
				kind = ke
			} else {
				kind = connector.KindRetryable
			}
		}
	}
	e := &connector.Error{Kind: kind, Message: what + ": " + msg}
	if code != 0 {
		e.Message = fmt.Sprintf("%s (smtp %d)", e.Message, code)
	}
	return e
}

// replyCode finds the SMTP reply code of err and whether go-mail judged it
// temporary.
func replyCode(err error) (int, bool) {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code, te.Code >= 400 && te.Code < 500
	}
	var se *mail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode(), se.IsTemp()
	}
	return 0, false
}
