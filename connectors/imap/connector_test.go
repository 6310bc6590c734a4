// SPDX-License-Identifier: Apache-2.0

package imap

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/connectortest"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
	"github.com/junction-run/junction/internal/testserver"
)

// server returns a working connection to the test Dovecot and a bad one.
func server(t testing.TB) (good, bad connector.Connection) {
	t.Helper()
	env := testserver.Require(t, "imap")
	host, port, err := net.SplitHostPort(env["JUNCTION_TEST_IMAP_ADDR"])
	if err != nil {
		t.Fatal(err)
	}
	good = connector.Connection{Name: "dovecot", Values: map[string]any{
		"host": host, "port": port, "security": "none",
		"username": env["JUNCTION_TEST_MAIL_USER"], "password": env["JUNCTION_TEST_MAIL_PASSWORD"],
	}}
	bad = connector.Connection{Name: "dovecot-bad", Values: map[string]any{
		"host": host, "port": port, "security": "none",
		"username": env["JUNCTION_TEST_MAIL_USER"], "password": "wrong-Pa55word-xyz",
	}}
	return good, bad
}

// withMailbox runs f in a session of conn (test setup and checks).
func withMailbox(t testing.TB, conn connector.Connection, f func(m mailbox)) {
	t.Helper()
	c := New(Config{})
	s, err := readSettings(conn)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, err := c.open(ctx, s)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer m.Logout()
	f(m)
}

// rawMessage builds a message; with attach it is multipart/mixed with a
// text and an HTML alternative and one attachment.
func rawMessage(subject string, attach bool) []byte {
	h := "From: Sender <sender@example.test>\r\nTo: mailtest@example.test, other@example.test\r\nCc: cc@example.test\r\n" +
		"Subject: " + subject + "\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", "-") + "@example.test>\r\nMIME-Version: 1.0\r\n"
	if !attach {
		return []byte(h + "Content-Type: text/plain; charset=utf-8\r\n\r\nHello " + subject + "\r\n")
	}
	return []byte(h + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n" +
		"--b2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello text\r\n" +
		"--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hello <b>html</b></p>\r\n--b2--\r\n" +
		"--b1\r\nContent-Type: application/pdf; name=\"doc.pdf\"\r\nContent-Disposition: attachment; filename=\"doc.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 fake")) + "\r\n--b1--\r\n")
}

func uidOf(t testing.TB, conn connector.Connection, folder, subject string) string {
	t.Helper()
	var uid uint32
	withMailbox(t, conn, func(m mailbox) {
		if _, err := m.Select(folder, true); err != nil {
			t.Fatal(err)
		}
		uids, err := m.Search(criteria{Subject: subject})
		if err != nil || len(uids) != 1 {
			t.Fatalf("search %q in %s: %v %v", subject, folder, uids, err)
		}
		uid = uids[0]
	})
	return strconv.FormatUint(uint64(uid), 10)
}

func decode(t testing.TB, v any, dst any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
}

func TestConformance(t *testing.T) {
	good, bad := server(t)
	run := fmt.Sprintf("jt%d", time.Now().UnixNano())
	folder, done, trash := run, run+"-done", run+"-moved"
	withMailbox(t, good, func(m mailbox) {
		for _, f := range []string{folder, done, trash, run + "-t2"} {
			if err := m.Create(f); err != nil {
				t.Fatalf("create %s: %v", f, err)
			}
		}
		for i, subj := range []string{"seed one", "seed two", "seed three", "seed four"} {
			if err := m.Append(folder, rawMessage(run+" "+subj, i == 0), nil); err != nil {
				t.Fatalf("append: %v", err)
			}
		}
	})
	t.Cleanup(func() {
		withMailbox(t, good, func(m mailbox) {
			for _, f := range []string{folder, done, trash, run + "-t2"} {
				_ = m.(*imapSession).c.Delete(f).Wait()
			}
		})
	})
	one := uidOf(t, good, folder, run+" seed one")
	two := uidOf(t, good, folder, run+" seed two")
	three := uidOf(t, good, folder, run+" seed three")
	in := func(kv ...any) connector.Input {
		p := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			p[kv[i].(string)] = kv[i+1]
		}
		return connector.Input{Parameters: p}
	}
	var seq atomic.Int64
	adder := func(f string) func(t testing.TB, n int) []string {
		return func(t testing.TB, n int) []string {
			var keys []string
			withMailbox(t, good, func(m mailbox) {
				for range n {
					subj := fmt.Sprintf("%s trigger %03d", run, seq.Add(1))
					if err := m.Append(f, rawMessage(subj, true), nil); err != nil {
						t.Fatalf("append: %v", err)
					}
					keys = append(keys, subj)
				}
			})
			return keys
		}
	}
	key := func(t testing.TB, item any) string {
		var e mailmsg.Email
		decode(t, item, &e)
		if e.ID == "" || e.Folder == "" || !e.HasAttachments || e.Attachments[0].ContentBytes != "" {
			t.Errorf("trigger item %+v: want an id, a folder and attachment metadata without content", e)
		}
		return e.Subject
	}
	inFolder := func(f string, want bool) func(t testing.TB, keys []string) {
		return func(t testing.TB, keys []string) {
			withMailbox(t, good, func(m mailbox) {
				if _, err := m.Select(f, true); err != nil {
					t.Fatal(err)
				}
				for _, k := range keys {
					uids, err := m.Search(criteria{Subject: k})
					if err != nil {
						t.Fatal(err)
					}
					if (len(uids) == 1) != want {
						t.Errorf("%q in %s: found %d, want present=%v", k, f, len(uids), want)
					}
				}
			})
		}
	}
	seenIn := func(f string) func(t testing.TB, keys []string) {
		return func(t testing.TB, keys []string) {
			withMailbox(t, good, func(m mailbox) {
				if _, err := m.Select(f, true); err != nil {
					t.Fatal(err)
				}
				for _, k := range keys {
					uids, _ := m.Search(criteria{Subject: k, Unseen: true})
					if len(uids) != 0 {
						t.Errorf("%q is still unread after cleanup", k)
					}
				}
			})
		}
	}

	connectortest.Run(t, func() connector.Provider { return New(Config{}) }, connectortest.Options{
		Connection:    good,
		BadConnection: &bad,
		Cases: []connectortest.Case{
			{Name: "list", Operation: ListEmails, Input: in("folder", folder, "top", 3), CancelMidCall: true,
				Check: func(t testing.TB, out connector.Output) {
					var list []mailmsg.Email
					decode(t, out.Body, &list)
					if len(list) != 3 || list[0].Subject != run+" seed four" {
						t.Errorf("ListEmails top 3: got %d, first %q; want the 3 newest, newest first", len(list), list[0].Subject)
					}
				}},
			{Name: "list_search", Operation: ListEmails, Input: in("folder", folder, "search", "seed two"),
				Check: func(t testing.TB, out connector.Output) {
					var list []mailmsg.Email
					decode(t, out.Body, &list)
					if len(list) != 1 || list[0].ID != two {
						t.Errorf("ListEmails search: %+v", list)
					}
				}},
			{Name: "list_missing_folder", Operation: ListEmails, Input: in("folder", run+"-nope"), WantKind: connector.KindNotFound},
			{Name: "list_bad_password", Operation: ListEmails, Input: in("folder", folder), UseBadConnection: true, WantKind: connector.KindUnauthenticated},
			{Name: "get", Operation: GetEmail, Input: in("folder", folder, "id", one),
				Check: func(t testing.TB, out connector.Output) {
					var e mailmsg.Email
					decode(t, out.Body, &e)
					pdf, _ := base64.StdEncoding.DecodeString(e.Attachments[0].ContentBytes)
					switch {
					case e.From != "sender@example.test", e.To != "mailtest@example.test; other@example.test", e.Cc != "cc@example.test":
						t.Errorf("addresses: %q %q %q", e.From, e.To, e.Cc)
					case !e.IsHTML || !strings.Contains(e.Body, "<b>html</b>") || !strings.Contains(e.TextBody, "Hello text"):
						t.Errorf("bodies: isHtml %v body %q text %q", e.IsHTML, e.Body, e.TextBody)
					case !e.HasAttachments || e.Attachments[0].Name != "doc.pdf" || string(pdf) != "%PDF-1.4 fake" || e.Attachments[0].ContentType != "application/pdf":
						t.Errorf("attachments: %+v", e.Attachments)
					case e.ReceivedDateTime == "" || e.IsRead == nil || *e.IsRead:
						t.Errorf("receivedDateTime %q isRead %v", e.ReceivedDateTime, e.IsRead)
					}
				}},
			{Name: "get_unknown_id", Operation: GetEmail, Input: in("folder", folder, "id", "999999"), WantKind: connector.KindNotFound},
			{Name: "get_bad_id", Operation: GetEmail, Input: in("folder", folder, "id", "abc"), WantKind: connector.KindNotFound},
			{Name: "mark_read", Operation: MarkAsRead, Input: in("folder", folder, "id", two)},
			{Name: "list_unread", Operation: ListEmails, Input: in("folder", folder, "unreadOnly", true, "top", 100),
				Check: func(t testing.TB, out connector.Output) {
					var list []mailmsg.Email
					decode(t, out.Body, &list)
					for _, e := range list {
						if e.ID == two {
							t.Errorf("message %s was marked as read but is listed as unread", two)
						}
					}
				}},
			{Name: "mark_unread", Operation: MarkAsUnread, Input: in("folder", folder, "id", two)},
			{Name: "flag", Operation: FlagEmail, Input: in("folder", folder, "id", two),
				Check: func(t testing.TB, _ connector.Output) {
					withMailbox(t, good, func(m mailbox) {
						_, _ = m.Select(folder, true)
						u, _ := strconv.Atoi(two)
						msgs, _ := m.Fetch([]uint32{uint32(u)}, false)
						if len(msgs) != 1 || !strings.Contains(strings.Join(msgs[0].Flags, " "), flagFlagged) || strings.Contains(strings.Join(msgs[0].Flags, " "), flagSeen) {
							t.Errorf("flags after MarkAsUnread+FlagEmail: %+v", msgs)
						}
					})
				}},
			{Name: "flag_unknown", Operation: FlagEmail, Input: in("folder", folder, "id", "999999"), WantKind: connector.KindNotFound},
			{Name: "move", Operation: MoveEmail, Input: in("folder", folder, "id", three, "destinationFolder", trash),
				Check: func(t testing.TB, _ connector.Output) { inFolder(trash, true)(t, []string{run + " seed three"}) }},
			{Name: "move_again", Operation: MoveEmail, Input: in("folder", folder, "id", three, "destinationFolder", trash), WantKind: connector.KindNotFound},
			{Name: "delete", Operation: DeleteEmail, Input: in("folder", folder, "id", two),
				Check: func(t testing.TB, _ connector.Output) { inFolder(folder, false)(t, []string{run + " seed two"}) }},
			{Name: "delete_again", Operation: DeleteEmail, Input: in("folder", folder, "id", two), WantKind: connector.KindNotFound},
		},
		Triggers: []connectortest.TriggerCase{
			{Name: "move_after_read", Operation: OnNewEmail, Add: adder(folder), Key: key,
				Input:        in("folder", folder, "afterRead", "move", "moveToFolder", done),
				CheckCleanup: inFolder(done, true)},
			{Name: "mark_read_with_filters", Operation: OnNewEmail, Add: adder(run + "-t2"), Key: key,
				Input:        in("folder", run+"-t2", "afterRead", "markAsRead", "subjectContains", "trigger", "hasAttachment", true, "from", "sender@example.test"),
				CheckCleanup: seenIn(run + "-t2")},
		},
	})
}

// TestUIDValidityChange checks the documented re-baseline: a cursor from
// another UIDVALIDITY returns nothing and restarts from the folder's end.
func TestUIDValidityChange(t *testing.T) {
	t.Parallel()
	good, _ := server(t)
	c := New(Config{})
	st, _ := json.Marshal(cursor{UIDValidity: 1, LastUID: 0})
	res, err := c.Poll(t.Context(), good, OnNewEmail, connector.Input{}, st)
	if err != nil {
		t.Fatal(err)
	}
	var cur cursor
	if err := json.Unmarshal(res.State, &cur); err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 0 || cur.UIDValidity == 1 {
		t.Errorf("after a UIDVALIDITY change: %d items, cursor %+v; want none and the folder's UIDVALIDITY", len(res.Items), cur)
	}
}

func TestBadInputs(t *testing.T) {
	t.Parallel()
	good, _ := server(t)
	c := New(Config{})
	cases := []struct {
		name string
		op   string
		in   map[string]any
		conn map[string]any
		want connector.ErrorKind
	}{
		{"no_host", ListEmails, nil, map[string]any{"host": ""}, connector.KindBadRequest},
		{"bad_security", ListEmails, nil, map[string]any{"security": "ssl3"}, connector.KindBadRequest},
		{"bad_port", ListEmails, nil, map[string]any{"port": "x"}, connector.KindBadRequest},
		{"no_password", ListEmails, nil, map[string]any{"password": ""}, connector.KindUnauthenticated},
		{"top_zero", ListEmails, map[string]any{"top": 0}, nil, connector.KindBadRequest},
		{"move_no_dest", MoveEmail, map[string]any{"id": "1"}, nil, connector.KindBadRequest},
		{"refused", ListEmails, nil, map[string]any{"port": 1}, connector.KindRetryable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conn := connector.Connection{Name: "x", Values: map[string]any{}}
			for k, v := range good.Values {
				conn.Values[k] = v
			}
			for k, v := range tc.conn {
				conn.Values[k] = v
			}
			_, err := c.Invoke(t.Context(), conn, tc.op, connector.Input{Parameters: tc.in})
			if k := connector.KindOf(err); k != tc.want {
				t.Errorf("got %v (kind %v), want kind %v", err, k, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), good.String("password")) {
				t.Errorf("error holds the password: %v", err)
			}
		})
	}
}
