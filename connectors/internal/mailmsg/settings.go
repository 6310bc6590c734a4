// SPDX-License-Identifier: Apache-2.0

package mailmsg

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/junction-run/junction/connector"
)

// Security is how a connection to a mail server is protected.
type Security string

// Security modes.
const (
	// SecurityNone is plaintext (only for trusted networks and tests).
	SecurityNone Security = "none"
	// SecurityStartTLS upgrades a plaintext connection (STARTTLS, STLS);
	// the upgrade is required, never skipped.
	SecurityStartTLS Security = "starttls"
	// SecurityTLS is implicit TLS from the first byte (ports 465, 993, 995).
	SecurityTLS Security = "tls"
)

// Securities lists the accepted values, for specs.
var Securities = []any{string(SecurityNone), string(SecurityStartTLS), string(SecurityTLS)}

// Settings are the values of a mail server connection. Password is a
// secret: Settings redacts itself in logs and never puts it in errors.
type Settings struct {
	Host     string
	Port     int
	Username string
	Password string
	Security Security
}

// LogValue shows everything but the password.
func (s Settings) LogValue() slog.Value {
	return slog.GroupValue(slog.String("host", s.Host), slog.Int("port", s.Port),
		slog.String("username", s.Username), slog.String("security", string(s.Security)))
}

var _ slog.LogValuer = Settings{}

// Addr is host:port.
func (s Settings) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// ReadSettings reads host, port, username, password and security from a
// connection. ports gives the default port per security mode and
// defaultSecurity the mode when the parameter is absent. With needAuth,
// username and password are required.
func ReadSettings(conn connector.Connection, ports map[Security]int, defaultSecurity Security, needAuth bool) (Settings, error) {
	s := Settings{
		Host:     strings.TrimSpace(conn.String("host")),
		Username: conn.String("username"),
		Password: conn.String("password"),
		Security: Security(strings.ToLower(strings.TrimSpace(conn.String("security")))),
	}
	if s.Host == "" {
		return s, connector.Errorf(connector.KindBadRequest, "connection parameter host is required")
	}
	if s.Security == "" {
		s.Security = defaultSecurity
	}
	if _, ok := ports[s.Security]; !ok {
		return s, connector.Errorf(connector.KindBadRequest, "connection parameter security must be none, starttls or tls, not %q", s.Security)
	}
	port, err := conn.Int("port", 0, 0, 65535)
	if err != nil {
		return s, err
	}
	if port == 0 {
		port = ports[s.Security]
	}
	s.Port = port
	if needAuth && (s.Username == "" || s.Password == "") {
		return s, connector.Errorf(connector.KindUnauthenticated, "connection parameters username and password are required")
	}
	return s, nil
}

// TLSConfig is the client TLS configuration for the server: TLS 1.2 or
// newer, the server name checked against Host, roots from the system unless
// given.
func (s Settings) TLSConfig(roots *x509.CertPool) *tls.Config {
	return &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12, RootCAs: roots}
}

// Dial connects to the server, with TLS from the start when Security is
// tls. The context bounds connecting only.
func (s Settings) Dial(ctx context.Context, roots *x509.CertPool, timeout time.Duration) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout}
	var (
		c   net.Conn
		err error
	)
	if s.Security == SecurityTLS {
		c, err = (&tls.Dialer{NetDialer: d, Config: s.TLSConfig(roots)}).DialContext(ctx, "tcp", s.Addr())
	} else {
		c, err = d.DialContext(ctx, "tcp", s.Addr())
	}
	if err != nil {
		return nil, NetError(ctx, "connecting to "+s.Addr(), err)
	}
	return c, nil
}

// NetError classifies a transport failure: the context's error when it is
// done, bad request for a certificate the client does not trust, retryable
// otherwise (refused, reset, timeout, EOF).
func NetError(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	var (
		cv  *tls.CertificateVerificationError
		uae x509.UnknownAuthorityError
		hn  x509.HostnameError
	)
	if errors.As(err, &cv) || errors.As(err, &uae) || errors.As(err, &hn) {
		return &connector.Error{Kind: connector.KindBadRequest, Message: what + ": server certificate not trusted", Err: err}
	}
	// Refused, reset, timed out, closed: the server may be back soon.
	return &connector.Error{Kind: connector.KindRetryable, Message: what, Err: err}
}

// Redact replaces every occurrence of the secrets in s, for error texts
// that quote a server's answer.
func Redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 3 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}
