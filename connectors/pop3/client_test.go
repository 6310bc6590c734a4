// SPDX-License-Identifier: Apache-2.0

package pop3

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
	"github.com/junction-run/junction/connectors/smtp"
)

func TestParseResponse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		line, msg string
		err       bool
	}{
		{"+OK", "", false},
		{"+OK 2 320", "2 320", false},
		{"-ERR [AUTH] Authentication failed.", "", true},
		{"-ERR", "", true},
		{"+OKAY", "", true},
		{"", "", true},
		{"* 1 EXISTS", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			t.Parallel()
			msg, err := parseResponse(tc.line)
			if (err != nil) != tc.err || msg != tc.msg {
				t.Errorf("parseResponse(%q) = %q, %v", tc.line, msg, err)
			}
		})
	}
}

func TestParseLines(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		f    func(string) (msgInfo, error)
		line string
		want msgInfo
		err  bool
	}{
		{"list", parseListLine, "3 1200", msgInfo{Num: 3, Size: 1200}, false},
		{"list_extra", parseListLine, "3 1200 extra", msgInfo{Num: 3, Size: 1200}, false},
		{"list_zero", parseListLine, "0 10", msgInfo{}, true},
		{"list_negative", parseListLine, "1 -5", msgInfo{}, true},
		{"uidl", parseUIDLLine, "1 000000010000abcd", msgInfo{Num: 1, UID: "000000010000abcd"}, false},
		{"uidl_control", parseUIDLLine, "1 a\x01b", msgInfo{}, true},
		{"uidl_long", parseUIDLLine, "1 " + strings.Repeat("x", 71), msgInfo{}, true},
		{"uidl_missing", parseUIDLLine, "1", msgInfo{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.f(tc.line)
			if (err != nil) != tc.err || got != tc.want {
				t.Errorf("got %+v, %v", got, err)
			}
			if err != nil && !errors.Is(err, errProtocol) {
				t.Errorf("error %v does not wrap errProtocol", err)
			}
		})
	}
}

// FuzzResponses feeds arbitrary server output to the status, LIST and
// UIDL parsers and the multi-line (dot-unstuffing) reader: no panics.
func FuzzResponses(f *testing.F) {
	f.Add("+OK 1 2\r\n1 abc\r\n..dot\r\n.\r\n")
	f.Add("-ERR no\r\n")
	f.Add("+OK\r\n1 2\r\n2\r\n.")
	f.Fuzz(func(t *testing.T, s string) {
		r := textproto.NewReader(bufio.NewReader(strings.NewReader(s)))
		line, err := r.ReadLine()
		if err != nil {
			return
		}
		_, _ = parseResponse(line)
		_, _ = parseListLine(line)
		_, _ = parseUIDLLine(line)
		lines, _ := r.ReadDotLines()
		for _, l := range lines {
			_, _ = parseListLine(l)
			if info, err := parseUIDLLine(l); err == nil && (info.Num < 1 || info.UID == "") {
				t.Fatalf("accepted %q as %+v", l, info)
			}
		}
		_, _ = io.ReadAll(textproto.NewReader(bufio.NewReader(strings.NewReader(s))).DotReader())
	})
}

// TestDotStuffing sends a body with lines that start with dots through
// Postfix and reads it back over POP3: the dots must survive.
func TestDotStuffing(t *testing.T) {
	t.Parallel()
	s := testServers(t)
	subject := "dots " + time.Now().Format(time.RFC3339Nano)
	t.Cleanup(func() { purge(t, s.good, subject) })
	body := "first\r\n.\r\n..two dots\r\n.one dot\r\nlast"
	if _, err := smtp.New(smtp.Config{}).Invoke(t.Context(), s.postfix, smtp.SendEmail,
		connector.Input{Body: map[string]any{"to": s.rcpt, "subject": subject, "body": body}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		for id := range subjects(t, s.good, subject) {
			out, err := New(Config{}).Invoke(context.Background(), s.good, GetEmail, connector.Input{Parameters: map[string]any{"id": id}})
			if err != nil {
				t.Fatal(err)
			}
			got := strings.ReplaceAll(out.Body.(*mailmsg.Email).Body, "\r\n", "\n")
			if strings.TrimRight(got, "\n") != strings.ReplaceAll(body, "\r\n", "\n") {
				t.Errorf("body after POP3: %q, want %q", got, body)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("message did not arrive")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
