// SPDX-License-Identifier: Apache-2.0

package smtp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/mail"
	"path"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/junction-run/junction/connector"
)

// emailInput is SendEmail's body. Keys are matched without regard to case,
// so the Logic Apps SMTP connector's names (To, CC, Body, IsHtml,
// Attachments[].FileName/ContentData) work too.
type emailInput struct {
	From, Subject, Body, TextBody, Importance string
	IsHTML                                    bool
	To, Cc, Bcc, ReplyTo                      []string
	Attachments                               []attachmentInput
}

type attachmentInput struct {
	Name, ContentType string
	Content           []byte
}

// Limits of one message.
const (
	maxRecipients = 500
	maxAttachment = 50 << 20
)

func badRequest(format string, args ...any) error {
	return connector.Errorf(connector.KindBadRequest, format, args...)
}

func decodeInput(body any) (emailInput, error) {
	var in emailInput
	m, err := asMap(body)
	if err != nil {
		return in, err
	}
	m = lowerKeys(m)
	str := func(key string) (string, error) {
		switch v := m[key].(type) {
		case nil:
			return "", nil
		case string:
			return v, nil
		}
		return "", badRequest("%s must be a string", key)
	}
	if in.From, err = str("from"); err != nil {
		return in, err
	}
	if in.Subject, err = str("subject"); err != nil {
		return in, err
	}
	if in.Body, err = str("body"); err != nil {
		return in, err
	}
	if in.TextBody, err = str("textbody"); err != nil {
		return in, err
	}
	if in.Importance, err = str("importance"); err != nil {
		return in, err
	}
	switch v := m["ishtml"].(type) {
	case nil:
	case bool:
		in.IsHTML = v
	case string:
		in.IsHTML = strings.EqualFold(v, "true")
	default:
		return in, badRequest("isHtml must be a boolean")
	}
	for key, dst := range map[string]*[]string{"to": &in.To, "cc": &in.Cc, "bcc": &in.Bcc, "replyto": &in.ReplyTo} {
		if *dst, err = addressList(key, m[key]); err != nil {
			return in, err
		}
	}
	if len(in.To)+len(in.Cc)+len(in.Bcc) == 0 {
		return in, badRequest("at least one recipient (to, cc or bcc) is required")
	}
	if len(in.To)+len(in.Cc)+len(in.Bcc) > maxRecipients {
		return in, badRequest("at most %d recipients", maxRecipients)
	}
	if v, ok := m["attachments"]; ok && v != nil {
		list, ok := v.([]any)
		if !ok {
			return in, badRequest("attachments must be an array")
		}
		for i, it := range list {
			am, ok := it.(map[string]any)
			if !ok {
				return in, badRequest("attachments[%d] must be an object", i)
			}
			am = lowerKeys(am)
			a := attachmentInput{}
			a.Name, _ = firstString(am, "name", "filename")
			a.ContentType, _ = firstString(am, "contenttype")
			content, ok := firstString(am, "contentbytes", "contentdata", "$content")
			if a.Name == "" || !ok {
				return in, badRequest("attachments[%d] needs name and contentBytes", i)
			}
			if a.Content, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(content), "")); err != nil {
				return in, badRequest("attachments[%d].contentBytes is not base64", i)
			}
			if len(a.Content) > maxAttachment {
				return in, badRequest("attachments[%d] is larger than %d bytes", i, maxAttachment)
			}
			in.Attachments = append(in.Attachments, a)
		}
	}
	return in, nil
}

func asMap(body any) (map[string]any, error) {
	switch b := body.(type) {
	case map[string]any:
		return b, nil
	case nil:
		return nil, badRequest("the email is required")
	case string, []byte:
		var raw []byte
		if s, ok := b.(string); ok {
			raw = []byte(s)
		} else {
			raw = b.([]byte)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, badRequest("the email must be a JSON object")
		}
		return m, nil
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, badRequest("the email must be a JSON object")
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, badRequest("the email must be a JSON object")
	}
	return m, nil
}

func lowerKeys(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

func firstString(m map[string]any, keys ...string) (string, bool) {
	for _, k := range keys {
		if s, ok := m[k].(string); ok {
			return s, true
		}
	}
	return "", false
}

// addressList accepts "a@x, b@y; c@z" or ["a@x", "b@y"] and checks each
// address.
func addressList(key string, v any) ([]string, error) {
	var parts []string
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		parts = splitAddresses(x)
	case []any:
		for _, it := range x {
			s, ok := it.(string)
			if !ok {
				return nil, badRequest("%s must hold strings", key)
			}
			parts = append(parts, splitAddresses(s)...)
		}
	case []string:
		for _, s := range x {
			parts = append(parts, splitAddresses(s)...)
		}
	default:
		return nil, badRequest("%s must be a string or an array of strings", key)
	}
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		a, err := mail.ParseAddress(p)
		if err != nil {
			return nil, badRequest("%s: %q is not an email address", key, p)
		}
		out = append(out, a.String())
	}
	return out, nil
}

// splitAddresses splits on commas and semicolons outside quotes and angle
// brackets.
func splitAddresses(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, angle := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case r == '<' && !quoted:
			angle = true
		case r == '>' && !quoted:
			angle = false
		case (r == ',' || r == ';') && !quoted && !angle:
			if t := strings.TrimSpace(cur.String()); t != "" {
				out = append(out, t)
			}
			cur.Reset()
			continue
		}
		cur.WriteRune(r)
	}
	if t := strings.TrimSpace(cur.String()); t != "" {
		out = append(out, t)
	}
	return out
}

// buildMessage turns the input into a go-mail message.
func buildMessage(in emailInput, defaultFrom string) (*gomail.Msg, string, error) {
	m := gomail.NewMsg()
	from := in.From
	if from == "" {
		from = defaultFrom
	}
	if from == "" {
		return nil, "", badRequest("from is required (set it in the email or as the connection's default sender)")
	}
	if err := m.From(from); err != nil {
		return nil, "", badRequest("from: %q is not an email address", from)
	}
	set := func(f func(...string) error, key string, list []string) error {
		if len(list) == 0 {
			return nil
		}
		if err := f(list...); err != nil {
			return badRequest("%s: %v", key, err)
		}
		return nil
	}
	if err := set(m.To, "to", in.To); err != nil {
		return nil, "", err
	}
	if err := set(m.Cc, "cc", in.Cc); err != nil {
		return nil, "", err
	}
	if err := set(m.Bcc, "bcc", in.Bcc); err != nil {
		return nil, "", err
	}
	if len(in.ReplyTo) > 0 {
		// Several Reply-To addresses go in the header as one list.
		if err := m.SetAddrHeader(gomail.HeaderReplyTo, in.ReplyTo...); err != nil {
			return nil, "", badRequest("replyTo: %v", err)
		}
	}
	m.Subject(in.Subject)
	switch strings.ToLower(in.Importance) {
	case "", "normal":
	case "high":
		m.SetImportance(gomail.ImportanceHigh)
	case "low":
		m.SetImportance(gomail.ImportanceLow)
	default:
		return nil, "", badRequest("importance must be low, normal or high, not %q", in.Importance)
	}
	switch {
	case in.IsHTML && in.TextBody != "":
		m.SetBodyString(gomail.TypeTextPlain, in.TextBody)
		m.AddAlternativeString(gomail.TypeTextHTML, in.Body)
	case in.IsHTML:
		m.SetBodyString(gomail.TypeTextHTML, in.Body)
	default:
		m.SetBodyString(gomail.TypeTextPlain, in.Body)
	}
	for _, a := range in.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = mime.TypeByExtension(path.Ext(a.Name))
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		if err := m.AttachReader(a.Name, bytes.NewReader(a.Content), gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return nil, "", badRequest("attachment %q: %v", a.Name, err)
		}
	}
	m.SetMessageID()
	m.SetDate()
	ids := m.GetGenHeader(gomail.HeaderMessageID)
	id := ""
	if len(ids) > 0 {
		id = strings.Trim(ids[0], "<>")
	}
	return m, id, nil
}

func (c *Connector) sendEmail(ctx context.Context, s settings, in connector.Input) (connector.Output, error) {
	email, err := decodeInput(in.Body)
	if err != nil {
		return connector.Output{}, err
	}
	m, id, err := buildMessage(email, s.From)
	if err != nil {
		return connector.Output{}, err
	}
	if err := c.send(ctx, s, m); err != nil {
		return connector.Output{}, err
	}
	rcpts, err := m.GetRecipients()
	if err != nil {
		return connector.Output{}, fmt.Errorf("reading recipients: %w", err)
	}
	from, _ := m.GetSender(false)
	return connector.Output{StatusCode: 200, Body: map[string]any{"messageId": id, "from": from, "recipients": rcpts}}, nil
}
