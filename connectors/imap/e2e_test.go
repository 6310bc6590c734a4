// SPDX-License-Identifier: Apache-2.0

package imap

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
	"github.com/junction-run/junction/connectors/smtp"
	"github.com/junction-run/junction/internal/testserver"
)

// TestSendReceive sends with the smtp connector through Postfix, which
// delivers into the Dovecot mailbox, and receives with OnNewEmail.
func TestSendReceive(t *testing.T) {
	t.Parallel()
	good, _ := server(t)
	senv := testserver.Require(t, "smtp")
	host, port, _ := net.SplitHostPort(senv["JUNCTION_TEST_SMTP_ADDR"])
	postfix := connector.Connection{Name: "postfix", Values: map[string]any{"host": host, "port": port, "security": "none"}}
	token := fmt.Sprintf("e2e%d", time.Now().UnixNano())
	trig := connector.Input{Parameters: map[string]any{"subjectContains": token, "includeAttachments": true, "afterRead": "delete"}}
	c := New(Config{})

	first, err := c.Poll(t.Context(), good, OnNewEmail, trig, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Items) != 0 {
		t.Fatalf("first poll returned %d items", len(first.Items))
	}
	_, err = smtp.New(smtp.Config{}).Invoke(t.Context(), postfix, smtp.SendEmail, connector.Input{Body: map[string]any{
		"from": "Orders <orders@example.test>", "to": senv["JUNCTION_TEST_SMTP_RCPT"], "cc": []any{senv["JUNCTION_TEST_SMTP_RCPT"]},
		"subject": token + " Bestellung über 5 €", "body": "<h1>Order</h1>", "isHtml": true, "importance": "high",
		"attachments": []any{map[string]any{"name": "order.json", "contentType": "application/json", "contentBytes": base64.StdEncoding.EncodeToString([]byte(`{"id":1}`))}},
	}})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	state := first.State
	deadline := time.Now().Add(30 * time.Second)
	var items []any
	for len(items) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the email did not reach the trigger within 30 s")
		}
		res, err := c.Poll(t.Context(), good, OnNewEmail, trig, state)
		if err != nil {
			t.Fatal(err)
		}
		items, state = res.Items, res.State
		if len(items) == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	var e mailmsg.Email
	raw, _ := json.Marshal(items[0])
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	att := ""
	if len(e.Attachments) == 1 {
		b, _ := base64.StdEncoding.DecodeString(e.Attachments[0].ContentBytes)
		att = string(b)
	}
	switch {
	case len(items) != 1:
		t.Errorf("got %d items, want 1", len(items))
	case e.Subject != token+" Bestellung über 5 €", e.From != "orders@example.test", e.Cc != senv["JUNCTION_TEST_SMTP_RCPT"], e.To != senv["JUNCTION_TEST_SMTP_RCPT"]:
		t.Errorf("headers: %+v", e)
	case !e.IsHTML || e.Body != "<h1>Order</h1>" || e.Importance != "high":
		t.Errorf("body %q isHtml %v importance %q", e.Body, e.IsHTML, e.Importance)
	case att != `{"id":1}` || e.Attachments[0].Name != "order.json" || e.Attachments[0].ContentType != "application/json":
		t.Errorf("attachments: %+v", e.Attachments)
	}
	if err := c.Cleanup(t.Context(), good, OnNewEmail, trig, items); err != nil {
		t.Fatalf("Cleanup: %v", err)
	}
	out, err := c.Invoke(t.Context(), good, GetEmail, connector.Input{Parameters: map[string]any{"id": e.ID}})
	if k := connector.KindOf(err); k != connector.KindNotFound {
		t.Errorf("GetEmail after cleanup (delete): %v %v, want not found", out.Body, err)
	}
}
