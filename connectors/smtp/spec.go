// SPDX-License-Identifier: Apache-2.0

package smtp

import (
	"encoding/json"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
)

// SendEmail is the id of the action "Send Email".
const SendEmail = "SendEmail"

const addressListSchema = `{
  "description": "Addresses separated by commas or semicolons, or an array of addresses. An address may carry a name: \"Ann <ann@example.com>\".",
  "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
}`

const emailSchema = `{
  "type": "object",
  "description": "The message to send.",
  "properties": {
    "from": {"type": "string", "description": "Sender; the connection's from address when empty."},
    "to": ` + addressListSchema + `,
    "cc": ` + addressListSchema + `,
    "bcc": ` + addressListSchema + `,
    "replyTo": ` + addressListSchema + `,
    "subject": {"type": "string", "description": "Subject line."},
    "body": {"type": "string", "description": "The body: text, or HTML when isHtml is true."},
    "isHtml": {"type": "boolean", "default": false, "description": "Whether body is HTML."},
    "textBody": {"type": "string", "description": "A text alternative sent beside an HTML body."},
    "importance": {"type": "string", "enum": ["low", "normal", "high", "Low", "Normal", "High"], "default": "normal"},
    "attachments": {
      "type": "array",
      "items": {
        "type": "object",
        "properties": {
          "name": {"type": "string", "description": "File name."},
          "contentBytes": {"type": "string", "contentEncoding": "base64", "description": "Content, base64."},
          "contentType": {"type": "string", "description": "Media type; guessed from the name when empty."}
        },
        "required": ["name", "contentBytes"]
      }
    }
  },
  "required": ["to"]
}`

const sentSchema = `{
  "type": "object",
  "properties": {
    "messageId": {"type": "string", "description": "The Message-ID header of the sent message, without angle brackets."},
    "from": {"type": "string"},
    "recipients": {"type": "array", "items": {"type": "string"}, "description": "Every address the server accepted (to, cc and bcc)."}
  },
  "required": ["messageId", "from", "recipients"]
}`

func spec() connector.Spec {
	return connector.Spec{
		ID:          ID,
		Title:       "SMTP",
		Description: "Send email through an SMTP server, with STARTTLS or implicit TLS and SMTP AUTH, text or HTML bodies and attachments.",
		Version:     "1.0.0",
		Status:      connector.StatusBeta,
		Publisher:   "Junction",
		BrandColor:  "#1f6fb2",
		Auth:        []connector.Auth{{Kind: connector.AuthBasic}},
		ConnectionParameters: []connector.ConnectionParameter{
			{Name: "host", Type: connector.TypeString, Required: true, DisplayName: "Server address",
				Description: "Host name or IP address of the SMTP server, e.g. smtp.example.com."},
			{Name: "port", Type: connector.TypeInt, DisplayName: "Port",
				Description: "Port of the SMTP server; 587 for starttls, 465 for tls, 25 for none when empty."},
			{Name: "username", Type: connector.TypeString, DisplayName: "User name",
				Description: "User name for SMTP AUTH; no authentication when empty."},
			{Name: "password", Type: connector.TypeSecureString, DisplayName: "Password",
				Description: "Password for SMTP AUTH."},
			{Name: "security", Type: connector.TypeString, DisplayName: "Security", Default: "starttls",
				AllowedValues: mailmsg.Securities,
				Description:   "starttls (required upgrade, port 587), tls (implicit TLS, port 465) or none (plaintext; a password is then only sent to localhost)."},
			{Name: "from", Type: connector.TypeString, DisplayName: "Default sender",
				Description: "Sender address used when an email does not name one, e.g. \"Orders <orders@example.com>\"."},
		},
		Capabilities: []string{"actions"},
		Operations: []connector.Operation{{
			ID: SendEmail, Kind: connector.KindAction, Tags: []string{"email"}, Method: "POST", Path: "/SendEmail",
			Summary:     "Send Email",
			Description: "Sends an email to one or more recipients, with an optional HTML body, attachments and importance.",
			Parameters: []connector.Param{{
				Name: "body", In: connector.InBody, Required: true, Summary: "Email",
				Description: "The email: from, to, cc, bcc, replyTo, subject, body, isHtml, importance, attachments.",
				Schema:      json.RawMessage(emailSchema),
			}},
			Responses: []connector.Response{{Status: "200", Description: "The server accepted the message.", Schema: json.RawMessage(sentSchema)}},
		}},
	}
}
