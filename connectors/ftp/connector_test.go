// SPDX-License-Identifier: Apache-2.0

package ftp_test

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	goftp "github.com/jlaffaye/ftp"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/ftp"
	"github.com/junction-run/junction/connectors/internal/fsconn/fsconntest"
	"github.com/junction-run/junction/internal/testserver"
)

// env is the test server: the connection values and a raw client that
// prepares and checks files under root.
type env struct {
	vals map[string]any
	mu   sync.Mutex
	raw  *goftp.ServerConn
	root string
}

func setup(t testing.TB) *env {
	t.Helper()
	v := testserver.Require(t, "ftp")
	host, port, _ := strings.Cut(v["JUNCTION_TEST_FTP_ADDR"], ":")
	raw, err := goftp.Dial(v["JUNCTION_TEST_FTP_ADDR"])
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Login(v["JUNCTION_TEST_FTP_USER"], v["JUNCTION_TEST_FTP_PASSWORD"]); err != nil {
		t.Fatal(err)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	root := "junction-test-" + hex.EncodeToString(rnd[:])
	if err := raw.MakeDir(root); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = raw.RemoveDirRecur(root)
		_ = raw.Quit()
	})
	return &env{raw: raw, root: root, vals: map[string]any{
		"host": host, "port": port, "username": v["JUNCTION_TEST_FTP_USER"], "password": v["JUNCTION_TEST_FTP_PASSWORD"],
		"rootFolder": root,
	}}
}

func (e *env) conn(kv ...any) connector.Connection {
	return fsconntest.Connection("ftp-test", e.vals, kv...)
}

// Write, Read, Remove and Exists make env a [fsconntest.Server]; the raw
// FTP connection serves one command at a time.
func (e *env) Write(t testing.TB, rel, data string) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	p := path.Join(e.root, rel)
	cur := ""
	for _, part := range strings.Split(path.Dir(p), "/") {
		cur = path.Join(cur, part)
		_ = e.raw.MakeDir(cur)
	}
	if err := e.raw.Stor(p, strings.NewReader(data)); err != nil {
		t.Fatal(err)
	}
}

func (e *env) Read(rel string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, err := e.raw.Retr(path.Join(e.root, rel))
	if err != nil {
		return "", err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	return string(b), err
}

func (e *env) Remove(rel string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	_ = e.raw.Delete(path.Join(e.root, rel))
}

func (e *env) Exists(rel string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, err := e.raw.FileSize(path.Join(e.root, rel))
	return err == nil
}

var _ fsconntest.Server = (*env)(nil)

func TestConformance(t *testing.T) {
	e := setup(t)
	factory := func() connector.Provider { return ftp.New(ftp.Config{}) }
	fsconntest.Remote(t, factory, e, e.conn(), e.conn("password", "wrong-password-123"), ftp.OnUpdatedFile)
}

// TestConnect checks authentication and TLS options against the real
// server: each failure has its kind and never shows the credentials.
func TestConnect(t *testing.T) {
	e := setup(t)
	secrets := []string{"wrong-password-123", e.vals["password"].(string)}
	tests := []struct {
		name string
		kv   []any
		want connector.ErrorKind // KindUnknown: must succeed
	}{
		{"password", nil, connector.KindUnknown},
		{"tls none", []any{"tls", "none"}, connector.KindUnknown},
		{"wrong password", []any{"password", "wrong-password-123"}, connector.KindUnauthenticated},
		{"unknown user", []any{"username", "nobody-here"}, connector.KindUnauthenticated},
		// The test server has no TLS: AUTH TLS is refused, clearly.
		{"explicit tls refused", []any{"tls", "explicit", "insecureSkipTLSVerify", true}, connector.KindBadRequest},
		{"implicit tls on a plain port", []any{"tls", "implicit"}, connector.KindRetryable},
		{"bad tls mode", []any{"tls", "sometimes"}, connector.KindBadRequest},
		{"bad ca", []any{"tls", "explicit", "caCertificate", "not pem"}, connector.KindBadRequest},
		{"nothing listens", []any{"port", "1"}, connector.KindRetryable},
		{"missing root", []any{"rootFolder", e.root + "/nope"}, connector.KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := ftp.New(ftp.Config{Timeout: 5 * time.Second})
			err := c.Test(t.Context(), e.conn(tt.kv...))
			fsconntest.CheckTest(t, err, tt.want, secrets)
		})
	}
}

// TestStream reads a file through InvokeStream and writes one from a
// connector.Stream body.
func TestStream(t *testing.T) {
	e := setup(t)
	fsconntest.Stream(t, ftp.New(ftp.Config{}), e.conn())
}
