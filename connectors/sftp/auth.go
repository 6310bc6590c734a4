// SPDX-License-Identifier: Apache-2.0

package sftp

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/junction-run/junction/connector"
)

// hostKeyPin is what a connection's hostKey accepts: public keys and
// SHA256 fingerprints.
type hostKeyPin struct {
	keys         []ssh.PublicKey
	fingerprints []string
}

// parseHostKey reads hostKey: one authorized_keys line ("ssh-ed25519 AAAA...
// comment") or fingerprint ("SHA256:...") per line.
func parseHostKey(v string) (*hostKeyPin, error) {
	pin := &hostKeyPin{}
	for _, line := range strings.Split(v, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "SHA256:") {
			pin.fingerprints = append(pin.fingerprints, strings.TrimRight(line, "="))
			continue
		}
		k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, connector.Errorf(connector.KindBadRequest, "sftp: hostKey line %q is neither a public key in authorized_keys format nor a SHA256 fingerprint", clip(line))
		}
		pin.keys = append(pin.keys, k)
	}
	if len(pin.keys) == 0 && len(pin.fingerprints) == 0 {
		return nil, connector.Errorf(connector.KindBadRequest, "sftp: hostKey holds no key")
	}
	return pin, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func (p *hostKeyPin) matches(k ssh.PublicKey) bool {
	for _, pk := range p.keys {
		if bytes.Equal(pk.Marshal(), k.Marshal()) {
			return true
		}
	}
	fp := ssh.FingerprintSHA256(k)
	for _, f := range p.fingerprints {
		if f == fp {
			return true
		}
	}
	return false
}

// algorithms asks the server for the pinned key types, so a server with
// several host keys presents the pinned one; nil (any) when fingerprints
// are pinned, whose type is unknown.
func (p *hostKeyPin) algorithms() []string {
	if len(p.fingerprints) > 0 {
		return nil
	}
	var out []string
	for _, k := range p.keys {
		switch t := k.Type(); t {
		case ssh.KeyAlgoRSA:
			out = append(out, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA)
		default:
			out = append(out, t)
		}
	}
	return out
}

// HostKeyMismatchError says the server presented a host key the
// connection does not pin. Fingerprint is the presented key's.
type HostKeyMismatchError struct {
	Host        string
	Fingerprint string
}

func (e *HostKeyMismatchError) Error() string {
	return fmt.Sprintf("host key of %s (%s) does not match the connection's hostKey: the server's key changed or someone is intercepting the connection", e.Host, e.Fingerprint)
}

// dial connects and authenticates. The returned connection is closed when
// ctx ends (which aborts what it is doing) or by the returned client's
// Close; stop unregisters the former.
func (c *Connector) dial(ctx context.Context, conn connector.Connection) (*ssh.Client, func() bool, error) {
	host := conn.String("host")
	user := conn.String("username")
	if host == "" || user == "" {
		return nil, nil, connector.Errorf(connector.KindBadRequest, "sftp: the connection needs host and username")
	}
	port := 22
	if v := conn.String("port"); v != "" && v != "0" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			return nil, nil, connector.Errorf(connector.KindBadRequest, "sftp: port %q is not a TCP port", v)
		}
		port = n
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))

	var methods []ssh.AuthMethod
	if pk := conn.String("privateKey"); pk != "" {
		var signer ssh.Signer
		var err error
		if pp := conn.String("privateKeyPassphrase"); pp != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(pk), []byte(pp))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(pk))
		}
		var missing *ssh.PassphraseMissingError
		switch {
		case errors.As(err, &missing):
			return nil, nil, connector.Errorf(connector.KindBadRequest, "sftp: privateKey is encrypted: set privateKeyPassphrase")
		case errors.Is(err, x509.IncorrectPasswordError):
			return nil, nil, connector.Errorf(connector.KindUnauthenticated, "sftp: privateKeyPassphrase does not decrypt privateKey")
		case err != nil:
			// The parser's message never quotes the key, but keep it out anyway.
			return nil, nil, connector.Errorf(connector.KindBadRequest, "sftp: privateKey is not a private key in OpenSSH or PEM format")
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if pw := conn.String("password"); pw != "" {
		methods = append(methods, ssh.Password(pw), ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
			answers := make([]string, len(qs))
			for i := range qs {
				answers[i] = pw
			}
			return answers, nil
		}))
	}
	if len(methods) == 0 {
		return nil, nil, connector.Errorf(connector.KindBadRequest, "sftp: the connection needs a password or a privateKey")
	}

	var pin *hostKeyPin
	if hk := conn.String("hostKey"); hk != "" {
		var err error
		if pin, err = parseHostKey(hk); err != nil {
			return nil, nil, err
		}
	} else if conn.String("insecureSkipHostKeyCheck") != "true" {
		return nil, nil, connector.Errorf(connector.KindBadRequest, "sftp: the connection has no hostKey: pin the server's host key (ssh-keyscan -p %d %s) or, for tests only, set insecureSkipHostKeyCheck", port, host)
	}
	var mismatch *HostKeyMismatchError
	cfg := &ssh.ClientConfig{
		User: user,
		Auth: methods,
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			if pin == nil {
				c.Logger().Warn("sftp: host key not checked (insecureSkipHostKeyCheck): pin it in hostKey", "host", addr, "fingerprint", ssh.FingerprintSHA256(key))
				return nil
			}
			if pin.matches(key) {
				return nil
			}
			mismatch = &HostKeyMismatchError{Host: addr, Fingerprint: ssh.FingerprintSHA256(key)}
			return mismatch
		},
		Timeout: c.cfg.Timeout,
	}
	if pin != nil {
		cfg.HostKeyAlgorithms = pin.algorithms()
	}

	d := net.Dialer{Timeout: c.cfg.Timeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, &connector.Error{Kind: connector.KindRetryable, Message: "sftp: connecting to " + addr, Err: err}
	}
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(c.cfg.Timeout))
	sc, chans, reqs, err := ssh.NewClientConn(nc, addr, cfg)
	if err != nil {
		stop()
		nc.Close()
		switch {
		case mismatch != nil:
			return nil, nil, &connector.Error{Kind: connector.KindUnauthenticated, Message: "sftp", Err: mismatch}
		case ctx.Err() != nil:
			return nil, nil, ctx.Err()
		case strings.Contains(err.Error(), "unable to authenticate"):
			return nil, nil, connector.Errorf(connector.KindUnauthenticated, "sftp: %s refused the credentials of user %q", addr, user)
		}
		return nil, nil, &connector.Error{Kind: connector.KindRetryable, Message: "sftp: SSH handshake with " + addr, Err: err}
	}
	_ = nc.SetDeadline(time.Time{})
	return ssh.NewClient(sc, chans, reqs), stop, nil
}
