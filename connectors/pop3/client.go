// SPDX-License-Identifier: Apache-2.0

package pop3

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
)

// client is a small POP3 client (RFC 1939, STLS from RFC 2595) over
// net/textproto: USER/PASS, STAT, LIST, UIDL, TOP, RETR, DELE, QUIT.
// Every command has a deadline, and the connection closes as soon as the
// context given to dial is done. A client is used by one goroutine.
type client struct {
	conn    net.Conn
	tp      *textproto.Conn
	timeout time.Duration
	stop    func() bool
}

// respError is a -ERR answer.
type respError struct{ Msg string }

func (e *respError) Error() string { return "pop3 server: -ERR " + e.Msg }

// errProtocol is an answer that is neither +OK nor -ERR.
var errProtocol = errors.New("pop3: malformed server response")

// parseResponse reads a status line: "+OK text" gives text, "-ERR text" a
// *respError.
func parseResponse(line string) (string, error) {
	switch {
	case line == "+OK" || strings.HasPrefix(line, "+OK "):
		return strings.TrimPrefix(strings.TrimPrefix(line, "+OK"), " "), nil
	case line == "-ERR" || strings.HasPrefix(line, "-ERR "):
		return "", &respError{Msg: strings.TrimPrefix(strings.TrimPrefix(line, "-ERR"), " ")}
	}
	return "", fmt.Errorf("%w: %.40q", errProtocol, line)
}

// dial connects, upgrades with STLS when asked, and logs in.
func dial(ctx context.Context, s mailmsg.Settings, roots *x509.CertPool, timeout time.Duration) (*client, error) {
	conn, err := s.Dial(ctx, roots, timeout)
	if err != nil {
		return nil, err
	}
	c := &client{conn: conn, tp: textproto.NewConn(conn), timeout: timeout}
	c.stop = context.AfterFunc(ctx, func() { _ = c.conn.Close() })
	fail := func(what string, err error) (*client, error) {
		c.close()
		return nil, classify(ctx, what, err, s.Password)
	}
	if _, err := c.readStatus(); err != nil {
		return fail("reading the greeting of "+s.Addr(), err)
	}
	if s.Security == mailmsg.SecurityStartTLS {
		if _, err := c.cmd("STLS"); err != nil {
			var re *respError
			if errors.As(err, &re) {
				c.close()
				return nil, &connector.Error{Kind: connector.KindBadRequest, Message: "the pop3 server does not support STLS: " + mailmsg.Redact(re.Msg, s.Password)}
			}
			return fail("starting tls", err)
		}
		tc := tls.Client(c.conn, s.TLSConfig(roots))
		hctx, cancel := context.WithTimeout(ctx, timeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			c.close()
			return nil, mailmsg.NetError(ctx, "tls handshake with "+s.Addr(), err)
		}
		c.stop()
		c.conn = tc
		c.tp = textproto.NewConn(tc)
		c.stop = context.AfterFunc(ctx, func() { _ = tc.Close() })
	}
	if _, err := c.cmd("USER %s", s.Username); err != nil {
		return fail("logging in to "+s.Addr(), authError(err))
	}
	if _, err := c.cmd("PASS %s", s.Password); err != nil {
		return fail("logging in to "+s.Addr(), authError(err))
	}
	return c, nil
}

// authError makes a -ERR during login unauthenticated.
func authError(err error) error {
	var re *respError
	if errors.As(err, &re) {
		return &connector.Error{Kind: connector.KindUnauthenticated, Message: "login refused: " + re.Msg}
	}
	return err
}

func (c *client) close() {
	c.stop()
	_ = c.conn.Close()
}

func (c *client) deadline() { _ = c.conn.SetDeadline(time.Now().Add(c.timeout)) }

func (c *client) readStatus() (string, error) {
	c.deadline()
	line, err := c.tp.ReadLine()
	if err != nil {
		return "", err
	}
	return parseResponse(line)
}

// cmd sends one command and reads its status line. Arguments never contain
// line breaks (checked), so a value cannot inject a command.
func (c *client) cmd(format string, args ...any) (string, error) {
	for _, a := range args {
		if s, ok := a.(string); ok && strings.ContainsAny(s, "\r\n") {
			return "", connector.Errorf(connector.KindBadRequest, "pop3: a command argument contains a line break")
		}
	}
	c.deadline()
	if err := c.tp.PrintfLine(format, args...); err != nil {
		return "", err
	}
	return c.readStatus()
}

// lines reads a multi-line answer's lines (dot-unstuffed).
func (c *client) lines() ([]string, error) {
	c.deadline()
	return c.tp.ReadDotLines()
}

// msgInfo is one line of LIST or UIDL.
type msgInfo struct {
	Num  int
	Size int64
	UID  string
}

// parseListLine reads "n size".
func parseListLine(line string) (msgInfo, error) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return msgInfo{}, fmt.Errorf("%w: LIST line %.40q", errProtocol, line)
	}
	n, err1 := strconv.Atoi(f[0])
	size, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil || n < 1 || size < 0 {
		return msgInfo{}, fmt.Errorf("%w: LIST line %.40q", errProtocol, line)
	}
	return msgInfo{Num: n, Size: size}, nil
}

// parseUIDLLine reads "n unique-id" (RFC 1939: 1-70 characters 0x21-0x7E).
func parseUIDLLine(line string) (msgInfo, error) {
	f := strings.Fields(line)
	if len(f) != 2 {
		return msgInfo{}, fmt.Errorf("%w: UIDL line %.40q", errProtocol, line)
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n < 1 || len(f[1]) > 70 {
		return msgInfo{}, fmt.Errorf("%w: UIDL line %.40q", errProtocol, line)
	}
	for i := 0; i < len(f[1]); i++ {
		if f[1][i] < 0x21 || f[1][i] > 0x7e {
			return msgInfo{}, fmt.Errorf("%w: UIDL line %.40q", errProtocol, line)
		}
	}
	return msgInfo{Num: n, UID: f[1]}, nil
}

// Stat returns the number of messages and their total size.
func (c *client) Stat() (int, int64, error) {
	msg, err := c.cmd("STAT")
	if err != nil {
		return 0, 0, err
	}
	info, err := parseListLine(msg)
	if err != nil {
		if strings.HasPrefix(msg, "0 ") {
			return 0, 0, nil
		}
		return 0, 0, err
	}
	return info.Num, info.Size, nil
}

// List returns every message's number, size and unique id, by number.
func (c *client) List() ([]msgInfo, error) {
	if _, err := c.cmd("LIST"); err != nil {
		return nil, err
	}
	ls, err := c.lines()
	if err != nil {
		return nil, err
	}
	out := make([]msgInfo, 0, len(ls))
	byNum := make(map[int]int, len(ls))
	for _, l := range ls {
		info, err := parseListLine(l)
		if err != nil {
			return nil, err
		}
		byNum[info.Num] = len(out)
		out = append(out, info)
	}
	if _, err := c.cmd("UIDL"); err != nil {
		return nil, fmt.Errorf("pop3 server without UIDL: %w", err)
	}
	if ls, err = c.lines(); err != nil {
		return nil, err
	}
	for _, l := range ls {
		info, err := parseUIDLLine(l)
		if err != nil {
			return nil, err
		}
		if i, ok := byNum[info.Num]; ok {
			out[i].UID = info.UID
		}
	}
	return out, nil
}

// Retr returns message n, at most max bytes (CRLF line ends become LF).
func (c *client) Retr(n int, max int64) ([]byte, error) {
	return c.read(max, "RETR %d", n)
}

// Top returns the header of message n.
func (c *client) Top(n int, max int64) ([]byte, error) {
	return c.read(max, "TOP %d 0", n)
}

func (c *client) read(max int64, format string, args ...any) ([]byte, error) {
	if _, err := c.cmd(format, args...); err != nil {
		return nil, err
	}
	c.deadline()
	r := c.tp.DotReader()
	b, err := io.ReadAll(io.LimitReader(deadlineReader{r, c}, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		// The rest is still on the wire: this session cannot go on.
		return nil, fmt.Errorf("%w: message larger than %d bytes", mailmsg.ErrTooLarge, max)
	}
	return b, nil
}

// deadlineReader extends the deadline while a long message streams in.
type deadlineReader struct {
	r io.Reader
	c *client
}

func (d deadlineReader) Read(p []byte) (int, error) {
	d.c.deadline()
	return d.r.Read(p)
}

// Dele marks message n deleted; the server deletes it at QUIT.
func (c *client) Dele(n int) error {
	_, err := c.cmd("DELE %d", n)
	return err
}

// Quit ends the session (committing deletions) and closes the connection.
func (c *client) Quit() error {
	defer c.close()
	_, err := c.cmd("QUIT")
	return err
}

var _ io.Reader = deadlineReader{}

// classify turns a POP3 or network failure into a classified connector
// error whose text never holds the password.
func classify(ctx context.Context, what string, err error, password string) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
	var ce *connector.Error
	if errors.As(err, &ce) {
		return &connector.Error{Kind: ce.Kind, Message: what + ": " + mailmsg.Redact(ce.Message, password), Err: ce.Err}
	}
	var re *respError
	switch {
	case errors.As(err, &re):
		kind := connector.KindBadRequest
		up := strings.ToUpper(re.Msg)
		if strings.HasPrefix(up, "[IN-USE]") || strings.HasPrefix(up, "[SYS/TEMP]") {
			kind = connector.KindRetryable
		} else if strings.HasPrefix(up, "[AUTH]") {
			kind = connector.KindUnauthenticated
		}
		return &connector.Error{Kind: kind, Message: what + ": " + mailmsg.Redact(re.Error(), password)}
	case errors.Is(err, mailmsg.ErrTooLarge):
		return &connector.Error{Kind: connector.KindBadRequest, Message: what + ": " + err.Error()}
	case errors.Is(err, errProtocol):
		return &connector.Error{Kind: connector.KindRetryable, Message: what + ": " + mailmsg.Redact(err.Error(), password)}
	}
	return mailmsg.NetError(ctx, what, errors.New(mailmsg.Redact(err.Error(), password)))
}
