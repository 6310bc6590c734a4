// SPDX-License-Identifier: Apache-2.0

package mailmsg

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

// Email is a received message as the Logic Apps email object (the shape of
// the Office 365 and IMAP connectors' outputs, in camelCase). Address lists
// are strings with addresses separated by "; ".
type Email struct {
	// ID addresses the message in its connector: the IMAP UID or the POP3
	// UIDL.
	ID        string `json:"id"`
	MessageID string `json:"messageId"`
	// Folder is the IMAP folder the message is in ("" for POP3).
	Folder  string `json:"folder,omitempty"`
	From    string `json:"from"`
	To      string `json:"to"`
	Cc      string `json:"cc"`
	Bcc     string `json:"bcc"`
	ReplyTo string `json:"replyTo"`
	Subject string `json:"subject"`
	// Body is the HTML body when there is one, the text body otherwise;
	// IsHTML says which.
	Body        string `json:"body"`
	IsHTML      bool   `json:"isHtml"`
	TextBody    string `json:"textBody"`
	HTMLBody    string `json:"htmlBody"`
	BodyPreview string `json:"bodyPreview"`
	// Importance is low, normal or high (Importance or X-Priority header).
	Importance     string       `json:"importance"`
	HasAttachments bool         `json:"hasAttachments"`
	Attachments    []Attachment `json:"attachments"`
	// IsRead and IsFlagged are known for IMAP only.
	IsRead    *bool `json:"isRead,omitempty"`
	IsFlagged *bool `json:"isFlagged,omitempty"`
	// ReceivedDateTime is ISO 8601 (RFC 3339): the server's arrival time
	// when known, else the newest Received header, else the Date header.
	ReceivedDateTime string `json:"receivedDateTime"`
	// SentDateTime is the Date header, ISO 8601; "" when missing or invalid.
	SentDateTime string `json:"sentDateTime"`
	InReplyTo    string `json:"inReplyTo"`
	References   string `json:"references"`
	// Headers holds every header, decoded, repeated ones joined with ", ".
	Headers map[string]string `json:"headers"`
	// Size is the size of the raw message in bytes.
	Size int64 `json:"size"`
}

// Attachment is one attached (or inline, non-body) part.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	// ContentBytes is the content, base64; empty when attachments were not
	// requested.
	ContentBytes string `json:"contentBytes,omitempty"`
	// Size is the decoded size in bytes.
	Size      int64  `json:"size"`
	ContentID string `json:"contentId,omitempty"`
	IsInline  bool   `json:"isInline"`
}

// Options tune [Parse].
type Options struct {
	// IncludeAttachments puts attachment contents in ContentBytes.
	IncludeAttachments bool
	// MaxBytes bounds the decoded size of all parts together; 0 means
	// 64 MiB. Past it, parsing fails.
	MaxBytes int64
}

// Limits of the MIME walk.
const (
	maxDepth       = 16
	maxParts       = 500
	defaultMaxSize = 64 << 20
	previewLen     = 255
)

// ErrTooLarge is returned when a message decodes past Options.MaxBytes or
// has more parts or nesting than the parser accepts.
var ErrTooLarge = errors.New("message too large or too deeply nested")

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, fmt.Errorf("unknown charset %q", charset)
	}
	return enc.NewDecoder().Reader(r), nil
}

// DecodeHeader decodes RFC 2047 encoded words; undecodable text is returned
// as it is.
func DecodeHeader(v string) string {
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		d = v
	}
	return strings.ToValidUTF8(d, "\uFFFD")
}

// Parse reads a raw RFC 5322 message. It fails only when the header block
// cannot be read; a malformed body part is kept as an attachment or text as
// far as it could be read.
func Parse(raw []byte, opts Options) (*Email, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = defaultMaxSize
	}
	m, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, fmt.Errorf("reading message header: %w", err)
	}
	e := &Email{Size: int64(len(raw)), Headers: make(map[string]string, len(m.Header)), Attachments: []Attachment{}}
	for k, vs := range m.Header {
		dec := make([]string, len(vs))
		for i, v := range vs {
			dec[i] = DecodeHeader(v)
		}
		e.Headers[k] = strings.Join(dec, ", ")
	}
	h := m.Header
	e.MessageID = strings.TrimSpace(h.Get("Message-Id"))
	e.From = addresses(h, "From")
	e.To = addresses(h, "To")
	e.Cc = addresses(h, "Cc")
	e.Bcc = addresses(h, "Bcc")
	e.ReplyTo = addresses(h, "Reply-To")
	e.Subject = DecodeHeader(h.Get("Subject"))
	e.InReplyTo = strings.TrimSpace(h.Get("In-Reply-To"))
	e.References = strings.Join(strings.Fields(h.Get("References")), " ")
	e.Importance = importance(h)
	if t, err := h.Date(); err == nil {
		e.SentDateTime = t.UTC().Format(time.RFC3339)
	}
	e.ReceivedDateTime = receivedTime(h)
	if e.ReceivedDateTime == "" {
		e.ReceivedDateTime = e.SentDateTime
	}

	p := &parser{opts: opts, email: e}
	if err := p.part(textproto.MIMEHeader(h), m.Body, 0); err != nil {
		return nil, err
	}
	e.HasAttachments = len(e.Attachments) > 0
	e.TextBody = strings.ToValidUTF8(e.TextBody, "\uFFFD")
	e.HTMLBody = strings.ToValidUTF8(e.HTMLBody, "\uFFFD")
	if e.HTMLBody != "" {
		e.Body, e.IsHTML = e.HTMLBody, true
	} else {
		e.Body = e.TextBody
	}
	e.BodyPreview = preview(e.TextBody, e.HTMLBody)
	return e, nil
}

type parser struct {
	opts  Options
	email *Email
	parts int
	used  int64
}

func (p *parser) read(r io.Reader) ([]byte, error) {
	left := p.opts.MaxBytes - p.used
	b, err := io.ReadAll(io.LimitReader(r, left+1))
	p.used += int64(len(b))
	if int64(len(b)) > left {
		return nil, ErrTooLarge
	}
	return b, err
}

func (p *parser) part(h textproto.MIMEHeader, body io.Reader, depth int) error {
	p.parts++
	if depth > maxDepth || p.parts > maxParts {
		return ErrTooLarge
	}
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mediaType == "" {
		mediaType, params = "text/plain", map[string]string{"charset": "us-ascii"}
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	if strings.HasPrefix(mediaType, "multipart/") && params["boundary"] != "" && disp != "attachment" {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			sub, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return nil // keep what was read of a malformed multipart
			}
			if err := p.part(sub.Header, sub, depth+1); err != nil {
				return err
			}
		}
	}
	data, err := p.read(decodeTransfer(h.Get("Content-Transfer-Encoding"), body))
	if err != nil && errors.Is(err, ErrTooLarge) {
		return err
	}
	name := DecodeHeader(dparams["filename"])
	if name == "" {
		name = DecodeHeader(params["name"])
	}
	isText := mediaType == "text/plain" || mediaType == "text/html"
	if isText && disp != "attachment" && name == "" {
		text := decodeCharset(params["charset"], data)
		if mediaType == "text/html" {
			p.email.HTMLBody = join(p.email.HTMLBody, text)
		} else {
			p.email.TextBody = join(p.email.TextBody, text)
		}
		return nil
	}
	if name == "" {
		name = defaultName(mediaType, len(p.email.Attachments)+1)
	}
	a := Attachment{
		Name:        name,
		ContentType: mediaType,
		Size:        int64(len(data)),
		ContentID:   strings.Trim(strings.TrimSpace(h.Get("Content-Id")), "<>"),
		IsInline:    disp == "inline",
	}
	if p.opts.IncludeAttachments {
		a.ContentBytes = base64.StdEncoding.EncodeToString(data)
	}
	p.email.Attachments = append(p.email.Attachments, a)
	return nil
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}

func defaultName(mediaType string, n int) string {
	if mediaType == "message/rfc822" {
		return fmt.Sprintf("message-%d.eml", n)
	}
	ext := ".bin"
	if exts, _ := mime.ExtensionsByType(mediaType); len(exts) > 0 {
		ext = exts[0]
	}
	return fmt.Sprintf("attachment-%d%s", n, ext)
}

func decodeTransfer(enc string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Cleaner{r: r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// base64Cleaner drops what is not base64 alphabet (spaces, stray
// characters), as mail clients do with sloppy senders.
type base64Cleaner struct{ r io.Reader }

func (c *base64Cleaner) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	j := 0
	for i := 0; i < n; i++ {
		b := p[i]
		switch {
		case b >= 'A' && b <= 'Z', b >= 'a' && b <= 'z', b >= '0' && b <= '9', b == '+', b == '/', b == '=':
			p[j] = b
			j++
		}
	}
	return j, err
}

func decodeCharset(charset string, data []byte) string {
	cs := strings.ToLower(strings.TrimSpace(charset))
	if cs == "" || cs == "utf-8" || cs == "us-ascii" || cs == "utf8" {
		return string(data)
	}
	enc, err := htmlindex.Get(cs)
	if err != nil {
		return string(data)
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return string(data)
	}
	return string(out)
}

func addresses(h mail.Header, key string) string {
	v := h.Get(key)
	if v == "" {
		return ""
	}
	ap := mail.AddressParser{WordDecoder: wordDecoder}
	list, err := ap.ParseList(v)
	if err != nil {
		return DecodeHeader(strings.TrimSpace(v))
	}
	out := make([]string, 0, len(list))
	for _, a := range list {
		out = append(out, a.Address)
	}
	return strings.Join(out, "; ")
}

func importance(h mail.Header) string {
	switch strings.ToLower(strings.TrimSpace(h.Get("Importance"))) {
	case "high":
		return "high"
	case "low":
		return "low"
	case "normal":
		return "normal"
	}
	if v := strings.TrimSpace(h.Get("X-Priority")); v != "" {
		switch v[0] {
		case '1', '2':
			return "high"
		case '4', '5':
			return "low"
		}
	}
	return "normal"
}

// receivedTime returns the date of the newest (topmost) Received header.
func receivedTime(h mail.Header) string {
	rs := h["Received"]
	if len(rs) == 0 {
		return ""
	}
	r := rs[0]
	i := strings.LastIndexByte(r, ';')
	if i < 0 {
		return ""
	}
	t, err := mail.ParseDate(strings.TrimSpace(r[i+1:]))
	if err != nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

var (
	tagRE   = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>|<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

func preview(text, html string) string {
	s := text
	if strings.TrimSpace(s) == "" {
		s = tagRE.ReplaceAllString(html, " ")
		s = strings.NewReplacer("&nbsp;", " ", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`).Replace(s)
	}
	s = strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
	if utf8.RuneCountInString(s) > previewLen {
		s = string([]rune(s)[:previewLen])
	}
	return s
}
