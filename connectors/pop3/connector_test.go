// SPDX-License-Identifier: Apache-2.0

package pop3

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/connectortest"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
	"github.com/junction-run/junction/connectors/smtp"
	"github.com/junction-run/junction/internal/testserver"
)

type servers struct {
	good, bad, postfix connector.Connection
	rcpt               string
}

// testServers returns connections to the test Dovecot (POP3) and Postfix,
// which delivers into the same mailbox.
func testServers(t testing.TB) servers {
	t.Helper()
	env := testserver.Require(t, "pop3")
	senv := testserver.Require(t, "smtp")
	host, port, err := net.SplitHostPort(env["JUNCTION_TEST_POP3_ADDR"])
	if err != nil {
		t.Fatal(err)
	}
	shost, sport, _ := net.SplitHostPort(senv["JUNCTION_TEST_SMTP_ADDR"])
	v := func(pw string) map[string]any {
		return map[string]any{"host": host, "port": port, "security": "none", "username": env["JUNCTION_TEST_MAIL_USER"], "password": pw}
	}
	return servers{
		good:    connector.Connection{Name: "dovecot-pop3", Values: v(env["JUNCTION_TEST_MAIL_PASSWORD"])},
		bad:     connector.Connection{Name: "dovecot-pop3-bad", Values: v("Wrong-pop3-pw-77")},
		postfix: connector.Connection{Name: "postfix", Values: map[string]any{"host": shost, "port": sport, "security": "none", "from": "sender@example.test"}},
		rcpt:    senv["JUNCTION_TEST_SMTP_RCPT"],
	}
}

// session runs f in a POP3 session (test setup and checks).
func session(t testing.TB, conn connector.Connection, f func(cl *client)) {
	t.Helper()
	if err := New(Config{}).session(context.Background(), conn, func(_ context.Context, cl *client) error {
		f(cl)
		return nil
	}); err != nil {
		t.Fatalf("pop3 session: %v", err)
	}
}

// subjects returns the subject of every message whose subject holds token,
// by unique id.
func subjects(t testing.TB, conn connector.Connection, token string) map[string]string {
	t.Helper()
	out := map[string]string{}
	session(t, conn, func(cl *client) {
		list, err := cl.List()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			h, err := cl.Top(m.Num, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			e, err := mailmsg.Parse(append(h, '\n'), mailmsg.Options{})
			if err == nil && strings.Contains(e.Subject, token) {
				out[m.UID] = e.Subject
			}
		}
	})
	return out
}

// send delivers messages through Postfix and waits until POP3 shows them.
func send(t testing.TB, s servers, token string, subjectsToSend ...string) {
	t.Helper()
	p := smtp.New(smtp.Config{})
	for _, subj := range subjectsToSend {
		_, err := p.Invoke(context.Background(), s.postfix, smtp.SendEmail, connector.Input{Body: map[string]any{
			"to": s.rcpt, "subject": subj, "body": "<p>hello " + subj + "</p>", "isHtml": true,
			"attachments": []any{map[string]any{"name": "a.txt", "contentBytes": base64.StdEncoding.EncodeToString([]byte("attached " + subj))}},
		}})
		if err != nil {
			t.Fatalf("sending %q: %v", subj, err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := map[string]bool{}
		for _, v := range subjects(t, s.good, token) {
			got[v] = true
		}
		missing := 0
		for _, subj := range subjectsToSend {
			if !got[subj] {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %v did not arrive over POP3 within 30 s", missing, subjectsToSend)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// purge deletes every message whose subject holds token.
func purge(t testing.TB, conn connector.Connection, token string) {
	ids := subjects(t, conn, token)
	session(t, conn, func(cl *client) {
		list, _ := cl.List()
		for _, m := range list {
			if _, ok := ids[m.UID]; ok {
				_ = cl.Dele(m.Num)
			}
		}
	})
}

func TestConformance(t *testing.T) {
	s := testServers(t)
	run := fmt.Sprintf("p%d", time.Now().UnixNano())
	t.Cleanup(func() { purge(t, s.good, run) })
	send(t, s, run, run+" seed one", run+" seed two")
	var one, two string
	for id, subj := range subjects(t, s.good, run) {
		switch subj {
		case run + " seed one":
			one = id
		case run + " seed two":
			two = id
		}
	}
	var seq atomic.Int64
	add := func(t testing.TB, n int) []string {
		var keys []string
		for range n {
			keys = append(keys, fmt.Sprintf("%s trigger %03d", run, seq.Add(1)))
		}
		send(t, s, run, keys...)
		return keys
	}
	key := func(t testing.TB, item any) string {
		var e mailmsg.Email
		raw, _ := json.Marshal(item)
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		if e.ID == "" || !e.IsHTML || !e.HasAttachments || e.From != "sender@example.test" {
			t.Errorf("trigger item: %+v", e)
		}
		return e.Subject
	}
	gone := func(t testing.TB, keys []string) {
		left := subjects(t, s.good, run)
		for _, k := range keys {
			for _, subj := range left {
				if subj == k {
					t.Errorf("%q is still in the mailbox after cleanup", k)
				}
			}
		}
	}
	in := func(kv ...any) connector.Input {
		p := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			p[kv[i].(string)] = kv[i+1]
		}
		return connector.Input{Parameters: p}
	}
	connectortest.Run(t, func() connector.Provider { return New(Config{}) }, connectortest.Options{
		Connection:    s.good,
		BadConnection: &s.bad,
		Cases: []connectortest.Case{
			{Name: "list", Operation: ListEmails, Input: in("top", 5), CancelMidCall: true},
			{Name: "get", Operation: GetEmail, Input: in("id", one), Check: func(t testing.TB, out connector.Output) {
				e := out.Body.(*mailmsg.Email)
				a, _ := base64.StdEncoding.DecodeString(e.Attachments[0].ContentBytes)
				if e.Subject != run+" seed one" || !strings.Contains(e.Body, "hello") || string(a) != "attached "+run+" seed one" || e.ReceivedDateTime == "" {
					t.Errorf("GetEmail: %+v", e)
				}
			}},
			{Name: "get_unknown", Operation: GetEmail, Input: in("id", "no-such-uidl"), WantKind: connector.KindNotFound},
			{Name: "get_bad_password", Operation: GetEmail, Input: in("id", one), UseBadConnection: true, WantKind: connector.KindUnauthenticated},
			{Name: "delete", Operation: DeleteEmail, Input: in("id", two), Check: func(t testing.TB, _ connector.Output) {
				if _, ok := subjects(t, s.good, run)[two]; ok {
					t.Errorf("message %s is still there after DeleteEmail", two)
				}
			}},
			{Name: "delete_again", Operation: DeleteEmail, Input: in("id", two), WantKind: connector.KindNotFound},
		},
		Triggers: []connectortest.TriggerCase{{
			Name: "delete_after_read", Operation: OnNewEmail, Add: add, Key: key, CheckCleanup: gone,
			Input: in("subjectContains", run+" trigger", "deleteAfterRead", true, "includeAttachments", true),
		}},
	})
}

func TestBadInputs(t *testing.T) {
	t.Parallel()
	s := testServers(t)
	cases := []struct {
		name string
		op   string
		in   map[string]any
		conn map[string]any
		want connector.ErrorKind
	}{
		{"no_host", ListEmails, nil, map[string]any{"host": ""}, connector.KindBadRequest},
		{"bad_security", ListEmails, nil, map[string]any{"security": "ssl"}, connector.KindBadRequest},
		{"no_password", ListEmails, nil, map[string]any{"password": ""}, connector.KindUnauthenticated},
		{"top_zero", ListEmails, map[string]any{"top": 0}, nil, connector.KindBadRequest},
		{"no_id", GetEmail, nil, nil, connector.KindBadRequest},
		{"refused", ListEmails, nil, map[string]any{"port": 1}, connector.KindRetryable},
		{"stls_unsupported", ListEmails, nil, map[string]any{"security": "starttls"}, connector.KindBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conn := connector.Connection{Name: "x", Values: map[string]any{}}
			for k, v := range s.good.Values {
				conn.Values[k] = v
			}
			for k, v := range tc.conn {
				conn.Values[k] = v
			}
			_, err := New(Config{}).Invoke(t.Context(), conn, tc.op, connector.Input{Parameters: tc.in})
			if k := connector.KindOf(err); k != tc.want {
				t.Errorf("got %v (kind %v), want kind %v", err, k, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), s.good.String("password")) {
				t.Errorf("error holds the password: %v", err)
			}
		})
	}
}
