// SPDX-License-Identifier: Apache-2.0

package ftp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/textproto"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/fsconn"
)

// ftpFS is one control connection's file system under the root folder.
type ftpFS struct {
	c      *ftp.ServerConn
	base   string // absolute
	conns  *connSet
	stop   func() bool
	reopen func(ctx context.Context) (fsconn.FS, error)
	once   sync.Once
}

// connSet holds the connection's sockets (control and data), so that a
// cancelled context can close them all.
type connSet struct {
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
}

func (s *connSet) add(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns = append(s.conns, c)
	return true
}

func (s *connSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.conns = nil
}

// deadlineConn bounds every read and write, so a server that stops
// answering fails the call instead of hanging it.
type deadlineConn struct {
	net.Conn
	d time.Duration
}

func (c deadlineConn) Read(p []byte) (int, error) {
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.d))
	return c.Conn.Read(p)
}

func (c deadlineConn) Write(p []byte) (int, error) {
	_ = c.Conn.SetWriteDeadline(time.Now().Add(c.d))
	return c.Conn.Write(p)
}

// tlsDataConn closes an upload's TLS data connection cleanly. Under TLS
// 1.3 the server sends session tickets after the handshake; a client that
// only writes never reads them, and closing a socket with unread data
// makes the kernel send a reset, which the server (vsftpd) reports as a
// failed upload (426). So Close sends close_notify and reads until the
// server's close_notify before closing the socket.
//
// A download closed early is drained for at most 1 MiB or 2 seconds.
type tlsDataConn struct {
	*tls.Conn
}

func (c *tlsDataConn) Close() error {
	if err := c.Conn.CloseWrite(); err == nil {
		_ = c.Conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, _ = io.Copy(io.Discard, io.LimitReader(c.Conn, 1<<20))
	}
	return c.Conn.Close()
}

func (c *Connector) open(ctx context.Context, conn connector.Connection) (fsconn.FS, error) {
	host, user := conn.String("host"), conn.String("username")
	if host == "" || user == "" {
		return nil, connector.Errorf(connector.KindBadRequest, "ftp: the connection needs host and username")
	}
	mode := conn.String("tls")
	if mode == "" {
		mode = "none"
	}
	port := 21
	switch mode {
	case "none", "explicit":
	case "implicit":
		port = 990
	default:
		return nil, connector.Errorf(connector.KindBadRequest, "ftp: tls must be none, explicit or implicit, not %q", mode)
	}
	if v := conn.String("port"); v != "" && v != "0" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			return nil, connector.Errorf(connector.KindBadRequest, "ftp: port %q is not a TCP port", v)
		}
		port = n
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	var tlsCfg *tls.Config
	if mode != "none" {
		tlsCfg = &tls.Config{
			ServerName:         host,
			MinVersion:         tls.VersionTLS12,
			InsecureSkipVerify: conn.String("insecureSkipTLSVerify") == "true",
			// Servers such as vsftpd require data connections to resume
			// the control connection's TLS session.
			ClientSessionCache: tls.NewLRUClientSessionCache(4),
		}
		if ca := conn.String("caCertificate"); ca != "" {
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM([]byte(ca)) {
				return nil, connector.Errorf(connector.KindBadRequest, "ftp: caCertificate holds no PEM certificate")
			}
			tlsCfg.RootCAs = pool
		}
	}

	set := &connSet{}
	first := true
	dialer := net.Dialer{Timeout: c.cfg.Timeout}
	dial := func(network, address string) (net.Conn, error) {
		nc, err := dialer.DialContext(ctx, network, address)
		if err != nil {
			return nil, err
		}
		if !set.add(nc) {
			nc.Close()
			return nil, context.Canceled
		}
		var out net.Conn = deadlineConn{Conn: nc, d: c.cfg.Timeout}
		// The library upgrades the control connection itself after AUTH
		// TLS (explicit); the data connections and an implicit control
		// connection are TLS from the start.
		switch {
		case tlsCfg != nil && first && mode == "implicit":
			out = tls.Client(out, tlsCfg)
		case tlsCfg != nil && !first:
			out = &tlsDataConn{Conn: tls.Client(out, tlsCfg)}
		}
		first = false
		return out, nil
	}
	opts := []ftp.DialOption{ftp.DialWithDialFunc(dial), ftp.DialWithShutTimeout(c.cfg.Timeout), ftp.DialWithForceListHidden(true)}
	switch mode {
	case "explicit":
		opts = append(opts, ftp.DialWithExplicitTLS(tlsCfg))
	case "implicit":
		opts = append(opts, ftp.DialWithTLS(tlsCfg))
	}
	stop := context.AfterFunc(ctx, set.closeAll)
	fail := func(err error) (fsconn.FS, error) {
		stop()
		set.closeAll()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	sc, err := ftp.Dial(addr, opts...)
	if err != nil {
		var te *textproto.Error
		var ce *tls.CertificateVerificationError
		switch {
		case errors.As(err, &ce):
			return fail(&connector.Error{Kind: connector.KindUnauthenticated, Message: "ftp: the TLS certificate of " + addr + " is not trusted (set caCertificate)", Err: err})
		case errors.As(err, &te) && mode == "explicit" && te.Code >= 500:
			return fail(connector.Errorf(connector.KindBadRequest, "ftp: %s refused AUTH TLS (%d %s): use tls none or implicit", addr, te.Code, te.Msg))
		}
		return fail(&connector.Error{Kind: connector.KindRetryable, Message: "ftp: connecting to " + addr, Err: err})
	}
	if err := sc.Login(user, conn.String("password")); err != nil {
		_ = sc.Quit()
		var te *textproto.Error
		var ce *tls.CertificateVerificationError
		switch {
		case errors.As(err, &ce):
			return fail(&connector.Error{Kind: connector.KindUnauthenticated, Message: "ftp: the TLS certificate of " + addr + " is not trusted (set caCertificate)", Err: err})
		case errors.As(err, &te) && te.Code == ftp.StatusNotLoggedIn:
			return fail(connector.Errorf(connector.KindUnauthenticated, "ftp: %s refused the credentials of user %q", addr, user))
		case errors.As(err, &te) && te.Code >= 500:
			return fail(connector.Errorf(connector.KindBadRequest, "ftp: logging in to %s: %d %s", addr, te.Code, te.Msg))
		case te == nil && !isNetErr(err):
			// The library reports a refused USER (530 "must use
			// encryption", "no such user"...) as the server's bare text.
			return fail(connector.Errorf(connector.KindUnauthenticated, "ftp: %s refused user %q: %s", addr, user, err.Error()))
		}
		return fail(&connector.Error{Kind: connector.KindRetryable, Message: "ftp: logging in to " + addr, Err: err})
	}
	pwd, err := sc.CurrentDir()
	if err != nil {
		_ = sc.Quit()
		return fail(&connector.Error{Kind: connector.KindRetryable, Message: "ftp: reading the login folder", Err: err})
	}
	base := path.Clean("/" + pwd)
	if rf := conn.String("rootFolder"); rf != "" {
		if strings.HasPrefix(rf, "/") {
			base = path.Clean(rf)
		} else {
			base = path.Join(base, rf)
		}
	}
	return &ftpFS{c: sc, base: base, conns: set, stop: stop, reopen: func(ctx context.Context) (fsconn.FS, error) { return c.open(ctx, conn) }}, nil
}

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

func (f *ftpFS) full(name string) string { return path.Join(f.base, name) }

// wrap maps an FTP reply to the fs errors fsconn classifies.
func wrap(op, name string, err error) error {
	if err == nil {
		return nil
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		switch {
		case te.Code == ftp.StatusNotLoggedIn:
			return &connector.Error{Kind: connector.KindUnauthenticated, Message: op + " " + fsconn.UserPath(name), Err: err}
		case te.Code == ftp.StatusFileUnavailable && strings.Contains(strings.ToLower(te.Msg), "permission"):
			err = fs.ErrPermission
		case te.Code == ftp.StatusFileUnavailable:
			err = fs.ErrNotExist
		case te.Code >= 400 && te.Code < 500:
			return &connector.Error{Kind: connector.KindRetryable, Message: op + " " + fsconn.UserPath(name), Err: err}
		case te.Code >= 500:
			return &connector.Error{Kind: connector.KindBadRequest, Message: op + " " + fsconn.UserPath(name), Err: err}
		}
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// isDir reports whether p is a folder (CWD succeeds). Paths are absolute,
// so changing the working folder has no other effect.
func (f *ftpFS) isDir(p string) bool { return f.c.ChangeDir(p) == nil }

func (f *ftpFS) Stat(_ context.Context, name string) (fs.FileInfo, error) {
	if name == "." {
		if !f.isDir(f.base) {
			return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
		}
		return fsconn.FileInfo{FName: ".", FIsDir: true}, nil
	}
	entries, err := f.c.List(f.full(path.Dir(name)))
	if err != nil {
		return nil, wrap("stat", name, err)
	}
	for _, e := range entries {
		if e.Name == path.Base(name) {
			return f.info(name, e), nil
		}
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// info converts a listing entry; a file's time comes from MDTM, precise to
// the second, unless the listing already is (MLSD).
func (f *ftpFS) info(name string, e *ftp.Entry) fs.FileInfo {
	fi := fsconn.FileInfo{FName: e.Name, FSize: int64(e.Size), FModTime: e.Time, FIsDir: e.Type == ftp.EntryTypeFolder}
	if e.Type == ftp.EntryTypeLink && f.isDir(f.full(name)) {
		fi.FIsDir, fi.FSize = true, 0
	}
	if !fi.FIsDir && !f.c.IsTimePreciseInList() && f.c.IsGetTimeSupported() {
		if t, err := f.c.GetTime(f.full(name)); err == nil {
			fi.FModTime = t
		}
		if e.Type == ftp.EntryTypeLink {
			if n, err := f.c.FileSize(f.full(name)); err == nil {
				fi.FSize = n
			}
		}
	}
	return fi
}

func (f *ftpFS) ReadDir(_ context.Context, name string) ([]fs.FileInfo, error) {
	p := f.full(name)
	// LIST of a missing folder may succeed with no entries.
	if !f.isDir(p) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	entries, err := f.c.List(p)
	if err != nil {
		return nil, wrap("readdir", name, err)
	}
	out := make([]fs.FileInfo, 0, len(entries))
	for _, e := range entries {
		if e.Name == "." || e.Name == ".." || e.Name == "" {
			continue
		}
		out = append(out, f.info(path.Join(name, e.Name), e))
	}
	return out, nil
}

func (f *ftpFS) Open(_ context.Context, name string) (io.ReadCloser, error) {
	r, err := f.c.Retr(f.full(name))
	if err != nil {
		return nil, wrap("open", name, err)
	}
	return &retrReader{r: r, name: name}, nil
}

// retrReader reports the server's verdict on the transfer at the end of
// the data: a transfer the server aborted (426, 451) fails instead of
// looking like a short file.
type retrReader struct {
	r    *ftp.Response
	name string
	done bool
	err  error
}

func (r *retrReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err == io.EOF {
		if cerr := r.finish(); cerr != nil {
			return n, cerr
		}
	}
	return n, err
}

func (r *retrReader) finish() error {
	if !r.done {
		r.done = true
		r.err = wrap("read", r.name, r.r.Close())
	}
	return r.err
}

// Close before the end abandons the transfer; the server's complaint about
// it is expected and ignored.
func (r *retrReader) Close() error {
	if r.done {
		return nil
	}
	r.done = true
	_ = r.r.Close()
	return nil
}

func (f *ftpFS) Write(_ context.Context, name string, src io.Reader, _ bool) error {
	// STOR cannot refuse an existing file; callers use fresh random names.
	return wrap("write", name, f.c.Stor(f.full(name), src))
}

func (f *ftpFS) Append(_ context.Context, name string, src io.Reader) error {
	return wrap("append", name, f.c.Append(f.full(name), src))
}

func (f *ftpFS) Rename(ctx context.Context, from, to string, overwrite bool) error {
	if !overwrite {
		if _, err := f.Stat(ctx, to); err == nil {
			return &fs.PathError{Op: "rename", Path: to, Err: fs.ErrExist}
		}
	}
	return wrap("rename", from, f.c.Rename(f.full(from), f.full(to)))
}

func (f *ftpFS) Remove(_ context.Context, name string) error {
	return wrap("remove", name, f.c.Delete(f.full(name)))
}

func (f *ftpFS) MkdirAll(_ context.Context, name string) error {
	if name == "." || f.isDir(f.full(name)) {
		return nil
	}
	cur := f.base
	for _, part := range strings.Split(name, "/") {
		cur = path.Join(cur, part)
		if err := f.c.MakeDir(cur); err != nil && !f.isDir(cur) {
			return wrap("mkdir", name, err)
		}
	}
	return nil
}

// Clone opens a second control connection: one FTP connection cannot read
// a file while it writes another.
func (f *ftpFS) Clone(ctx context.Context) (fsconn.FS, error) { return f.reopen(ctx) }

func (f *ftpFS) Close() error {
	f.once.Do(func() {
		f.stop()
		_ = f.c.Quit()
		f.conns.closeAll()
	})
	return nil
}

var (
	_ fsconn.FS     = (*ftpFS)(nil)
	_ fsconn.Cloner = (*ftpFS)(nil)
)
