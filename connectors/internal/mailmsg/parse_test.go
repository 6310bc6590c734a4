// SPDX-License-Identifier: Apache-2.0

package mailmsg

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	pdf := base64.StdEncoding.EncodeToString([]byte("%PDF-1.4"))
	cases := []struct {
		name  string
		raw   string
		check func(t *testing.T, e *Email)
	}{
		{"plain", "From: Ann <ann@example.com>\r\nTo: b@example.com, \"C, D\" <c@example.com>\r\nSubject: hi\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n\r\nhello\r\n",
			func(t *testing.T, e *Email) {
				if e.From != "ann@example.com" || e.To != "b@example.com; c@example.com" || e.Subject != "hi" || e.IsHTML || e.Body != "hello\r\n" {
					t.Errorf("%+v", e)
				}
				if e.SentDateTime != "2026-11-23T09:00:00Z" || e.ReceivedDateTime != e.SentDateTime || e.Importance != "normal" || e.HasAttachments {
					t.Errorf("dates/importance: %+v", e)
				}
			}},
		{"encoded_words_qp_latin1", "From: =?UTF-8?B?SsO8cmdlbg==?= <j@example.com>\r\nSubject: =?ISO-8859-1?Q?Gr=FC=DFe?=\r\nX-Priority: 1 (Highest)\r\n" +
			"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe aus K=F6ln=\r\n!\r\n",
			func(t *testing.T, e *Email) {
				if e.Subject != "Grüße" || e.Body != "Grüße aus Köln!\r\n" || e.Importance != "high" {
					t.Errorf("subject %q body %q importance %q", e.Subject, e.Body, e.Importance)
				}
			}},
		{"alternative_and_attachment", "From: a@example.com\r\nSubject: s\r\nImportance: low\r\nReceived: from x by y; Tue, 24 Nov 2026 08:00:00 +0000\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n" +
			"preamble\r\n--XX\r\nContent-Type: multipart/alternative; boundary=YY\r\n\r\n--YY\r\nContent-Type: text/plain\r\n\r\ntext part\r\n--YY\r\nContent-Type: text/html\r\n\r\n<p>html&nbsp;part</p>\r\n--YY--\r\n" +
			"--XX\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" + pdf + "\r\n" +
			"--XX\r\nContent-Type: image/png\r\nContent-Disposition: inline\r\nContent-ID: <img1@x>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0K\r\n--XX--\r\n",
			func(t *testing.T, e *Email) {
				if !e.IsHTML || !strings.Contains(e.Body, "html&nbsp;part") || !strings.Contains(e.TextBody, "text part") || e.BodyPreview != "text part" {
					t.Errorf("bodies: %+v", e)
				}
				if len(e.Attachments) != 2 || e.Attachments[0].Name != "résumé.pdf" || e.Attachments[0].Size != 8 || e.Attachments[0].ContentBytes != pdf {
					t.Errorf("attachments: %+v", e.Attachments)
				}
				if a := e.Attachments[1]; !a.IsInline || a.ContentID != "img1@x" || a.ContentType != "image/png" || !strings.HasPrefix(a.Name, "attachment-2") {
					t.Errorf("inline part: %+v", a)
				}
				if e.Importance != "low" || e.ReceivedDateTime != "2026-11-24T08:00:00Z" {
					t.Errorf("importance %q received %q", e.Importance, e.ReceivedDateTime)
				}
			}},
		{"lf_only_and_no_content_type", "Subject: lf\nFrom: x@example.com\n\nline1\n.dot line\n",
			func(t *testing.T, e *Email) {
				if e.Subject != "lf" || e.Body != "line1\n.dot line\n" {
					t.Errorf("%q %q", e.Subject, e.Body)
				}
			}},
		{"html_only_preview", "Content-Type: text/html; charset=utf-8\r\n\r\n<style>p{}</style><p>Hello   <b>world</b> &amp; more</p>",
			func(t *testing.T, e *Email) {
				if !e.IsHTML || e.BodyPreview != "Hello world & more" {
					t.Errorf("preview %q", e.BodyPreview)
				}
			}},
		{"broken_multipart_kept", "Content-Type: multipart/mixed; boundary=ZZ\r\n\r\n--ZZ\r\nContent-Type: text/plain\r\n\r\npartial",
			func(t *testing.T, e *Email) {
				if e.HasAttachments {
					t.Errorf("%+v", e)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := Parse([]byte(tc.raw), Options{IncludeAttachments: true})
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, e)
			if _, err := json.Marshal(e); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	t.Parallel()
	nested := ""
	for i := 0; i < 30; i++ {
		nested += fmt.Sprintf("--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i, i+1)
	}
	cases := []struct {
		name string
		raw  string
		opts Options
	}{
		{"too_deep", "Content-Type: multipart/mixed; boundary=b0\r\n\r\n" + nested, Options{}},
		{"too_big", "Content-Type: text/plain\r\n\r\n" + strings.Repeat("x", 2000), Options{MaxBytes: 1000}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tc.raw), tc.opts)
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("got %v, want ErrTooLarge", err)
			}
		})
	}
	if _, err := Parse([]byte("no header line\r\n"), Options{}); err == nil {
		t.Errorf("a message without a header block parsed")
	}
}

// FuzzParse checks that no input makes Parse panic and that what it
// returns encodes as JSON.
func FuzzParse(f *testing.F) {
	f.Add([]byte("Subject: a\r\n\r\nb"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!\r\n--X--"))
	f.Add([]byte("Subject: =?utf-8?q?=FF?=\r\nContent-Type: text/plain; charset=nope\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ"))
	f.Add([]byte("Content-Type: multipart/alternative; boundary=\"a\"\r\n\r\n--a\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nx\r\n--a--"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := Parse(raw, Options{IncludeAttachments: true, MaxBytes: 1 << 20})
		if err != nil {
			return
		}
		if _, err := json.Marshal(e); err != nil {
			t.Fatalf("json: %v", err)
		}
	})
}
