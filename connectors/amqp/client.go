// SPDX-License-Identifier: Apache-2.0

package amqp

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/junction-run/junction/connector"
)

// settings are a connection's values, decoded.
type settings struct {
	uri    amqp.URI
	useTLS bool
}

// key identifies a broker session by its settings without keeping the
// password readable.
func (s settings) key() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\x00%s\x00%s\x00%t", s.uri.Scheme, s.uri.Host, s.uri.Port, s.uri.Vhost, s.uri.Username, s.uri.Password, s.useTLS)
	return hex.EncodeToString(h.Sum(nil))
}

func badRequest(format string, args ...any) error {
	return connector.Errorf(connector.KindBadRequest, "amqp: "+format, args...)
}

// parseSettings reads the connection: url, or host/port/vhost/username/
// password. Errors never quote the url (it may hold the password).
func parseSettings(conn connector.Connection) (settings, error) {
	var s settings
	useTLS, err := conn.Bool("tls", false)
	if err != nil {
		return s, err
	}
	if raw := strings.TrimSpace(conn.String("url")); raw != "" {
		u, err := amqp.ParseURI(raw)
		if err != nil {
			return s, badRequest("connection parameter url is not an amqp:// or amqps:// URL")
		}
		s.uri, s.useTLS = u, useTLS || u.Scheme == "amqps"
		return s, nil
	}
	host := conn.String("host")
	if host == "" {
		return s, badRequest("connection needs url or host")
	}
	s.useTLS = useTLS
	s.uri = amqp.URI{Scheme: "amqp", Host: host, Port: 5672, Vhost: "/", Username: conn.String("username"), Password: conn.String("password")}
	if useTLS {
		s.uri.Scheme, s.uri.Port = "amqps", 5671
	}
	if p := conn.String("port"); p != "" && p != "0" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return s, badRequest("connection parameter port must be a TCP port")
		}
		s.uri.Port = n
	}
	if v := conn.String("vhost"); v != "" {
		s.uri.Vhost = v
	}
	if s.uri.Username == "" {
		s.uri.Username, s.uri.Password = "guest", "guest"
	}
	return s, nil
}

// dial connects to the broker; ctx bounds the TCP connect and the AMQP
// handshake only.
func dial(ctx context.Context, s settings) (*amqp.Connection, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("amqp: connecting: %w", err)
	}
	cfg := amqp.Config{
		Heartbeat: 10 * time.Second,
		Locale:    "en_US",
		Vhost:     s.uri.Vhost,
		SASL:      []amqp.Authentication{&amqp.PlainAuth{Username: s.uri.Username, Password: s.uri.Password}},
		Properties: amqp.Table{
			"product":         "Junction",
			"connection_name": "junction",
		},
		Dial: func(network, addr string) (net.Conn, error) {
			var d net.Dialer
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			// Bound the handshake: heartbeats start only after it.
			dl := time.Now().Add(30 * time.Second)
			if d, ok := ctx.Deadline(); ok && d.Before(dl) {
				dl = d
			}
			_ = c.SetDeadline(dl)
			return c, nil
		},
	}
	if s.useTLS {
		cfg.TLSClientConfig = &tls.Config{ServerName: s.uri.Host, MinVersion: tls.VersionTLS12}
	}
	// The URL given to DialConfig carries no credentials: SASL does.
	u := url.URL{Scheme: s.uri.Scheme, Host: net.JoinHostPort(s.uri.Host, strconv.Itoa(s.uri.Port)), Path: "/"}
	type result struct {
		c   *amqp.Connection
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := amqp.DialConfig(u.String(), cfg)
		ch <- result{c, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, classify(ctx, "amqp: connecting", r.err)
		}
		return r.c, nil
	case <-ctx.Done():
		go func() { // close whatever the dial still produces
			if r := <-ch; r.c != nil {
				_ = r.c.Close()
			}
		}()
		return nil, fmt.Errorf("amqp: connecting: %w", ctx.Err())
	}
}

// classify turns an amqp091 or network error into a classified error.
func classify(ctx context.Context, what string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	var ce *connector.Error
	if errors.As(err, &ce) {
		return fmt.Errorf("%s: %w", what, err)
	}
	var ae *amqp.Error
	if errors.As(err, &ae) {
		kind := connector.KindRetryable
		switch ae.Code {
		case amqp.AccessRefused, amqp.NotAllowed:
			kind = connector.KindUnauthenticated
		case amqp.NotFound:
			kind = connector.KindNotFound
		case amqp.PreconditionFailed, amqp.ResourceLocked, amqp.ContentTooLarge, amqp.NoRoute, amqp.NoConsumers,
			amqp.SyntaxError, amqp.CommandInvalid, amqp.NotImplemented:
			kind = connector.KindBadRequest
		case amqp.ResourceError:
			kind = connector.KindThrottled
		}
		e := &connector.Error{Kind: kind, Message: what, Err: errors.New(strings.ToLower(ae.Reason[:min(1, len(ae.Reason))]) + ae.Reason[min(1, len(ae.Reason)):])}
		if kind == connector.KindThrottled {
			e.RetryAfter = time.Second
		}
		return e
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) {
		return &connector.Error{Kind: connector.KindRetryable, Message: what, Err: err}
	}
	return &connector.Error{Kind: connector.KindUnknown, Message: what, Err: err}
}
