// SPDX-License-Identifier: Apache-2.0

package smtp_test

import (
	"encoding/base64"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/connectortest"
	"github.com/junction-run/junction/connectors/smtp"
	"github.com/junction-run/junction/internal/testserver"
)

func conn(port int, security, user, password string) connector.Connection {
	v := map[string]any{"host": "127.0.0.1", "port": port, "security": security, "from": "Junction <junction@example.test>"}
	if user != "" {
		v["username"], v["password"] = user, password
	}
	return connector.Connection{Name: "smtp-" + security, Values: v}
}

func email(kv ...any) connector.Input {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return connector.Input{Body: m}
}

// TestConformance runs the suite against Mailpit with SMTP AUTH.
func TestConformance(t *testing.T) {
	mp := startMailpit(t, mailpitOpts{})
	good := conn(mp.SMTPPort, "none", mailpitUser, mailpitPassword)
	bad := conn(mp.SMTPPort, "none", mailpitUser, "Wrong-password-123")
	run := fmt.Sprintf("c%d", time.Now().UnixNano())
	pdf := base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 junction"))

	connectortest.Run(t, func() connector.Provider { return smtp.New(smtp.Config{}) }, connectortest.Options{
		Connection:    good,
		BadConnection: &bad,
		Cases: []connectortest.Case{
			{Name: "text", Operation: smtp.SendEmail, Input: email("to", "ann@example.test", "subject", run+" text", "body", "hello"),
				Check: func(t testing.TB, out connector.Output) {
					m := mp.find(t, run+" text")
					if m.From.Address != "junction@example.test" || len(m.To) != 1 || m.To[0].Address != "ann@example.test" || strings.TrimSpace(m.Text) != "hello" {
						t.Errorf("arrived: %+v", m)
					}
				}},
			{Name: "html_attachments_importance", Operation: smtp.SendEmail,
				Input: email("from", "Sales <sales@example.test>", "to", "a@example.test; b@example.test", "cc", []any{"c@example.test"},
					"bcc", "d@example.test", "replyTo", "r1@example.test, r2@example.test", "subject", run+" html ünïcode",
					"body", "<p>Hi <b>there</b></p>", "isHtml", true, "importance", "high",
					"attachments", []any{map[string]any{"name": "doc.pdf", "contentBytes": pdf, "contentType": "application/pdf"},
						map[string]any{"name": "notes.txt", "contentBytes": base64.StdEncoding.EncodeToString([]byte("notes"))}}),
				Check: func(t testing.TB, out connector.Output) {
					body := out.Body.(map[string]any)
					if rc := body["recipients"].([]string); len(rc) != 4 {
						t.Errorf("recipients %v, want 4 (to, cc, bcc)", rc)
					}
					m := mp.find(t, run+" html")
					if m.Subject != run+" html ünïcode" || !strings.Contains(m.HTML, "<b>there</b>") || m.From.Address != "sales@example.test" {
						t.Errorf("arrived: subject %q html %q from %q", m.Subject, m.HTML, m.From.Address)
					}
					if len(m.To) != 2 || len(m.Cc) != 1 || len(m.Bcc) != 1 || len(m.ReplyTo) != 2 {
						t.Errorf("addresses: to %v cc %v bcc %v replyTo %v", m.To, m.Cc, m.Bcc, m.ReplyTo)
					}
					if len(m.Attachments) != 2 || m.Attachments[0].FileName != "doc.pdf" || m.Attachments[0].ContentType != "application/pdf" ||
						string(mp.part(t, m.ID, m.Attachments[0].PartID)) != "%PDF-1.4 junction" || !strings.HasPrefix(m.Attachments[1].ContentType, "text/plain") {
						t.Errorf("attachments: %+v", m.Attachments)
					}
					h := mp.headers(t, m.ID)
					if got := strings.Join(h["Importance"], ","); !strings.EqualFold(got, "high") || len(h["X-Priority"]) == 0 {
						t.Errorf("importance headers: Importance %q X-Priority %q", got, h["X-Priority"])
					}
					if id := strings.Trim(strings.Join(h["Message-Id"], ""), "<>"); id != body["messageId"] {
						t.Errorf("messageId %q, header %q", body["messageId"], id)
					}
				}},
			{Name: "logic_apps_names", Operation: smtp.SendEmail,
				Input: email("To", "la@example.test", "Subject", run+" la", "Body", "<i>x</i>", "IsHtml", true,
					"Attachments", []any{map[string]any{"FileName": "a.bin", "ContentData": base64.StdEncoding.EncodeToString([]byte{0, 1, 2})}}),
				Check: func(t testing.TB, _ connector.Output) {
					if m := mp.find(t, run+" la"); len(m.Attachments) != 1 || !strings.Contains(m.HTML, "<i>x</i>") {
						t.Errorf("arrived: %+v", m)
					}
				}},
			{Name: "big_attachment_cancelled_mid_call", Operation: smtp.SendEmail, CancelMidCall: true,
				Input: email("to", "big@example.test", "subject", run+" big", "body", "b",
					"attachments", []any{map[string]any{"name": "big.bin", "contentBytes": base64.StdEncoding.EncodeToString(make([]byte, 8<<20))}})},
			{Name: "rejected_recipient", Operation: smtp.SendEmail, Input: email("to", "x@elsewhere.invalid", "subject", "s", "body", "b"), WantKind: connector.KindBadRequest},
			{Name: "no_recipient", Operation: smtp.SendEmail, Input: email("subject", "s"), WantKind: connector.KindBadRequest},
			{Name: "bad_address", Operation: smtp.SendEmail, Input: email("to", "not an address"), WantKind: connector.KindBadRequest},
			{Name: "bad_base64", Operation: smtp.SendEmail, Input: email("to", "a@example.test", "attachments", []any{map[string]any{"name": "a", "contentBytes": "%%%"}}), WantKind: connector.KindBadRequest},
			{Name: "bad_importance", Operation: smtp.SendEmail, Input: email("to", "a@example.test", "importance", "urgent!"), WantKind: connector.KindBadRequest},
			{Name: "wrong_password", Operation: smtp.SendEmail, Input: email("to", "a@example.test", "subject", "s"), UseBadConnection: true, WantKind: connector.KindUnauthenticated},
		},
	})
}

// TestTLS sends over STARTTLS and implicit TLS to Mailpit with a
// self-signed certificate the connector is told to trust, and checks that
// an untrusted certificate is refused.
func TestTLS(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			mp := startMailpit(t, mailpitOpts{tls: mode})
			c := conn(mp.SMTPPort, mode, mailpitUser, mailpitPassword)
			subject := fmt.Sprintf("tls %s %d", mode, time.Now().UnixNano())
			if _, err := smtp.New(smtp.Config{RootCAs: mp.Roots}).Invoke(t.Context(), c, smtp.SendEmail, email("to", "t@example.test", "subject", subject, "body", "x")); err != nil {
				t.Fatalf("send over %s: %v", mode, err)
			}
			mp.find(t, subject)
			err := smtp.New(smtp.Config{}).Test(t.Context(), c)
			if k := connector.KindOf(err); k != connector.KindBadRequest {
				t.Errorf("untrusted certificate: got %v (kind %v), want bad_request", err, k)
			}
			if err := smtp.New(smtp.Config{RootCAs: mp.Roots}).Test(t.Context(), c); err != nil {
				t.Errorf("Test over %s: %v", mode, err)
			}
		})
	}
}

// TestErrorKinds covers temporary SMTP failures and transport errors.
func TestErrorKinds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(t *testing.T) connector.Connection
		want  connector.ErrorKind
	}{
		{"sender_451", func(t *testing.T) connector.Connection {
			mp := startMailpit(t, mailpitOpts{chaos: "Sender:451:100"})
			return conn(mp.SMTPPort, "none", mailpitUser, mailpitPassword)
		}, connector.KindRetryable},
		{"auth_535_chaos", func(t *testing.T) connector.Connection {
			mp := startMailpit(t, mailpitOpts{chaos: "Authentication:535:100"})
			return conn(mp.SMTPPort, "none", mailpitUser, mailpitPassword)
		}, connector.KindUnauthenticated},
		{"refused", func(t *testing.T) connector.Connection {
			return conn(freeClosedPort(t), "none", "", "")
		}, connector.KindRetryable},
		{"starttls_unsupported", func(t *testing.T) connector.Connection {
			mp := startMailpit(t, mailpitOpts{noAuth: true})
			return conn(mp.SMTPPort, "starttls", "", "")
		}, connector.KindBadRequest},
		{"auth_unsupported", func(t *testing.T) connector.Connection {
			mp := startMailpit(t, mailpitOpts{noAuth: true})
			return conn(mp.SMTPPort, "none", "user", "Secret-pw-999")
		}, connector.KindBadRequest},
		{"bad_security", func(t *testing.T) connector.Connection {
			return conn(25, "ssl", "", "")
		}, connector.KindBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := tc.setup(t)
			_, err := smtp.New(smtp.Config{Timeout: 10 * time.Second}).Invoke(t.Context(), c, smtp.SendEmail, email("to", "a@example.test", "subject", "s", "body", "b"))
			if k := connector.KindOf(err); k != tc.want {
				t.Errorf("got %v (kind %v), want kind %v", err, k, tc.want)
			}
			if err != nil && (strings.Contains(err.Error(), mailpitPassword) || strings.Contains(err.Error(), "Secret-pw-999")) {
				t.Errorf("error holds the password: %v", err)
			}
		})
	}
}

func freeClosedPort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return p
}

// TestPostfix checks the connection to the test Postfix (no AUTH) and that
// its 550 for an unknown recipient is a bad request.
func TestPostfix(t *testing.T) {
	t.Parallel()
	env := testserver.Require(t, "smtp")
	host, port, _ := net.SplitHostPort(env["JUNCTION_TEST_SMTP_ADDR"])
	c := connector.Connection{Name: "postfix", Values: map[string]any{"host": host, "port": port, "security": "none"}}
	p := smtp.New(smtp.Config{})
	if err := p.Test(t.Context(), c); err != nil {
		t.Fatalf("Test: %v", err)
	}
	// Delivery through Postfix is tested end to end by the imap and pop3
	// packages, which read the mail back and delete it; here only a refusal.
	_, err := p.Invoke(t.Context(), c, smtp.SendEmail, email("from", "junction@example.test", "to", "no-such-user@example.test", "subject", "s"))
	if k := connector.KindOf(err); k != connector.KindBadRequest {
		t.Errorf("unknown local user: got %v (kind %v), want bad_request (550 user unknown)", err, k)
	}
}
