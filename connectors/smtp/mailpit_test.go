// SPDX-License-Identifier: Apache-2.0

package smtp_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Mailpit (github.com/axllent/mailpit v1.31.0) is a real SMTP server with
// SMTP AUTH, STARTTLS/TLS and an HTTP API to read what arrived. The tests
// start their own instances, each on free loopback ports, from the binary
// named by $JUNCTION_TEST_MAILPIT_BIN (or $JUNCTION_TEST_STATE/bin/mailpit,
// or mailpit on $PATH); without one they skip. Build it with:
//
//	go mod download github.com/axllent/mailpit@v1.31.0
//	cd "$(go env GOMODCACHE)/github.com/axllent/mailpit@v1.31.0" && GOFLAGS=-mod=mod go build -o /tmp/junction-test-servers/bin/mailpit .

const (
	mailpitUser     = "junction"
	mailpitPassword = "mailpit-Secret-pw"
)

type mailpit struct {
	SMTPPort int
	API      string
	Roots    *x509.CertPool
}

type mailpitOpts struct {
	tls    string // "", "starttls" or "tls"
	chaos  string // --chaos-triggers
	noAuth bool
}

func mailpitBin() string {
	if b := os.Getenv("JUNCTION_TEST_MAILPIT_BIN"); b != "" {
		return b
	}
	state := os.Getenv("JUNCTION_TEST_STATE")
	if state == "" {
		state = "/tmp/junction-test-servers"
	}
	if b := filepath.Join(state, "bin", "mailpit"); fileExists(b) {
		return b
	}
	if b, err := exec.LookPath("mailpit"); err == nil {
		return b
	}
	return ""
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startMailpit starts a Mailpit instance for the test and stops it (by
// its own PID) when the test ends.
func startMailpit(t testing.TB, o mailpitOpts) *mailpit {
	t.Helper()
	bin := mailpitBin()
	if bin == "" {
		msg := "mailpit not found: set JUNCTION_TEST_MAILPIT_BIN, or build it with: scripts/test-servers.sh start && eval \"$(scripts/test-servers.sh env)\""
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	smtpPort, httpPort := freePort(t), freePort(t)
	args := []string{"--listen", fmt.Sprintf("127.0.0.1:%d", httpPort), "--smtp", fmt.Sprintf("127.0.0.1:%d", smtpPort),
		"--database", filepath.Join(dir, "mailpit.db"), "--disable-version-check", "--quiet",
		"--smtp-allowed-recipients", `@example\.(test|com)$`}
	if !o.noAuth {
		auth := filepath.Join(dir, "auth")
		if err := os.WriteFile(auth, []byte(mailpitUser+":"+mailpitPassword+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--smtp-auth-file", auth)
		if o.tls == "" {
			args = append(args, "--smtp-auth-allow-insecure")
		}
	}
	mp := &mailpit{SMTPPort: smtpPort, API: fmt.Sprintf("http://127.0.0.1:%d", httpPort)}
	if o.tls != "" {
		cert, key, roots := selfSigned(t, dir)
		mp.Roots = roots
		args = append(args, "--smtp-tls-cert", cert, "--smtp-tls-key", key)
		if o.tls == "tls" {
			args = append(args, "--smtp-require-tls")
		} else {
			args = append(args, "--smtp-require-starttls")
		}
	}
	if o.chaos != "" {
		args = append(args, "--chaos-triggers", o.chaos)
	}
	var logs bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting mailpit: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(mp.API + "/api/v1/info")
		if err == nil {
			resp.Body.Close()
			if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", smtpPort), time.Second); err == nil {
				c.Close()
				return mp
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and localhost.
func selfSigned(t testing.TB, dir string) (certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	roots = x509.NewCertPool()
	roots.AddCert(c)
	return certFile, keyFile, roots
}

// mpMessage is what Mailpit's API returns for one message.
type mpMessage struct {
	ID      string
	From    struct{ Address string }
	To, Cc  []struct{ Address string }
	Bcc     []struct{ Address string }
	ReplyTo []struct{ Address string }
	Subject string
	Text    string
	HTML    string
	// Attachments are the parts with Content-Disposition attachment.
	Attachments []struct {
		FileName    string
		ContentType string
		Size        int
		PartID      string
	}
}

// find waits until a message with this subject arrived and returns it.
func (m *mailpit) find(t testing.TB, subject string) mpMessage {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var list struct {
			Messages []struct{ ID string }
		}
		getJSON(t, m.API+"/api/v1/search?query="+url.QueryEscape(`subject:"`+subject+`"`), &list)
		if len(list.Messages) > 0 {
			var msg mpMessage
			getJSON(t, m.API+"/api/v1/message/"+list.Messages[0].ID, &msg)
			return msg
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message %q arrived in mailpit", subject)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (m *mailpit) headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	var h map[string][]string
	getJSON(t, m.API+"/api/v1/message/"+id+"/headers", &h)
	return h
}

func (m *mailpit) part(t testing.TB, id, part string) []byte {
	t.Helper()
	resp, err := http.Get(m.API + "/api/v1/message/" + id + "/part/" + part)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return b.Bytes()
}

func getJSON(t testing.TB, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}
