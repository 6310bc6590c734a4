// SPDX-License-Identifier: Apache-2.0

package sftp_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"path"
	"strings"
	"testing"

	pkgsftp "github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/fsconn/fsconntest"
	"github.com/junction-run/junction/connectors/sftp"
	"github.com/junction-run/junction/internal/testserver"
)

// env is the test server: the connection values and a raw client that
// prepares and checks files under root.
type env struct {
	vals map[string]any
	raw  *pkgsftp.Client
	root string
}

func setup(t testing.TB) *env {
	t.Helper()
	v := testserver.Require(t, "sftp")
	hostKey, err := os.ReadFile(v["JUNCTION_TEST_SFTP_HOST_KEY"])
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(v["JUNCTION_TEST_SFTP_ADDR"], ":")
	pk, _, _, _, err := ssh.ParseAuthorizedKey(hostKey)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ssh.Dial("tcp", v["JUNCTION_TEST_SFTP_ADDR"], &ssh.ClientConfig{
		User: v["JUNCTION_TEST_SFTP_USER"], Auth: []ssh.AuthMethod{ssh.Password(v["JUNCTION_TEST_SFTP_PASSWORD"])},
		HostKeyCallback: ssh.FixedHostKey(pk),
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := pkgsftp.NewClient(sc)
	if err != nil {
		t.Fatal(err)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	root := "junction-test-" + hex.EncodeToString(rnd[:])
	if err := raw.Mkdir(root); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		removeAll(raw, root)
		raw.Close()
		sc.Close()
	})
	return &env{raw: raw, root: root, vals: map[string]any{
		"host": host, "port": port, "username": v["JUNCTION_TEST_SFTP_USER"], "password": v["JUNCTION_TEST_SFTP_PASSWORD"],
		"hostKey": strings.TrimSpace(string(hostKey)), "rootFolder": root,
	}}
}

func removeAll(c *pkgsftp.Client, p string) {
	fis, _ := c.ReadDir(p)
	for _, fi := range fis {
		if fi.IsDir() {
			removeAll(c, path.Join(p, fi.Name()))
		} else {
			_ = c.Remove(path.Join(p, fi.Name()))
		}
	}
	_ = c.RemoveDirectory(p)
}

func (e *env) conn(kv ...any) connector.Connection {
	return fsconntest.Connection("sftp-test", e.vals, kv...)
}

// Write, Read, Remove and Exists make env a [fsconntest.Server].
func (e *env) Write(t testing.TB, rel, data string) {
	t.Helper()
	p := path.Join(e.root, rel)
	if err := e.raw.MkdirAll(path.Dir(p)); err != nil {
		t.Fatal(err)
	}
	f, err := e.raw.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func (e *env) Read(rel string) (string, error) {
	f, err := e.raw.Open(path.Join(e.root, rel))
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	return string(b), err
}

func (e *env) Remove(rel string) { _ = e.raw.Remove(path.Join(e.root, rel)) }

func (e *env) Exists(rel string) bool {
	_, err := e.raw.Stat(path.Join(e.root, rel))
	return err == nil
}

var _ fsconntest.Server = (*env)(nil)

func TestConformance(t *testing.T) {
	e := setup(t)
	factory := func() connector.Provider { return sftp.New(sftp.Config{}) }
	fsconntest.Remote(t, factory, e, e.conn(), e.conn("password", "wrong-password-123"), sftp.OnUpdatedFile)
}

// TestConnect checks authentication and host key pinning against the real
// server: each failure has its kind and never shows the credentials.
func TestConnect(t *testing.T) {
	e := setup(t)
	v := testserver.Require(t, "sftp")
	key, err := os.ReadFile(v["JUNCTION_TEST_SFTP_KEY"])
	if err != nil {
		t.Fatal(err)
	}
	hostPub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(e.vals["hostKey"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	other, _ := ssh.NewPublicKey(otherPub)
	otherLine := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(other)))
	secrets := []string{"wrong-password-123", e.vals["password"].(string)}

	tests := []struct {
		name string
		kv   []any
		want connector.ErrorKind // KindUnknown: must succeed
	}{
		{"password", nil, connector.KindUnknown},
		{"private key", []any{"password", nil, "privateKey", string(key)}, connector.KindUnknown},
		{"fingerprint pin", []any{"hostKey", ssh.FingerprintSHA256(hostPub)}, connector.KindUnknown},
		{"several pins", []any{"hostKey", otherLine + "\n" + e.vals["hostKey"].(string)}, connector.KindUnknown},
		{"insecure skip", []any{"hostKey", nil, "insecureSkipHostKeyCheck", true}, connector.KindUnknown},
		{"wrong password", []any{"password", "wrong-password-123"}, connector.KindUnauthenticated},
		{"host key mismatch", []any{"hostKey", otherLine}, connector.KindUnauthenticated},
		{"fingerprint mismatch", []any{"hostKey", ssh.FingerprintSHA256(other)}, connector.KindUnauthenticated},
		{"no host key", []any{"hostKey", nil}, connector.KindBadRequest},
		{"bad host key", []any{"hostKey", "not a key"}, connector.KindBadRequest},
		{"bad private key", []any{"password", nil, "privateKey", "-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n-----END OPENSSH PRIVATE KEY-----\n"}, connector.KindBadRequest},
		{"no credentials", []any{"password", nil}, connector.KindBadRequest},
		{"nothing listens", []any{"port", "1"}, connector.KindRetryable},
		{"missing root", []any{"rootFolder", e.root + "/nope"}, connector.KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := sftp.New(sftp.Config{})
			err := c.Test(t.Context(), e.conn(tt.kv...))
			fsconntest.CheckTest(t, err, tt.want, secrets)
			if tt.want != connector.KindUnknown && strings.Contains(tt.name, "mismatch") && !strings.Contains(err.Error(), "does not match") {
				t.Errorf("mismatch error is unclear: %v", err)
			}
		})
	}
}

// TestStream reads a file through InvokeStream and writes one from a
// connector.Stream body.
func TestStream(t *testing.T) {
	e := setup(t)
	fsconntest.Stream(t, sftp.New(sftp.Config{}), e.conn())
}
