// SPDX-License-Identifier: Apache-2.0

package pop3

import (
	"encoding/json"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/mailmsg"
)

func schema(v map[string]any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func str(desc string) json.RawMessage {
	return schema(map[string]any{"type": "string", "description": desc})
}

func boolean(desc string, def bool) json.RawMessage {
	return schema(map[string]any{"type": "boolean", "description": desc, "default": def})
}

func q(name, summary, desc string, s json.RawMessage) connector.Param {
	return connector.Param{Name: name, In: connector.InQuery, Summary: summary, Description: desc, Schema: s}
}

var (
	idP = connector.Param{Name: "id", In: connector.InPath, Required: true, Summary: "Message id",
		Description: "Unique id (UIDL) of the message, as returned by the trigger or ListEmails.", Schema: str("message id")}
	attachmentsP = func(def bool) connector.Param {
		return q("includeAttachments", "Include attachments", "Put attachment contents (base64) in the output.", boolean("include attachments", def))
	}
)

func spec() connector.Spec {
	return connector.Spec{
		ID:          ID,
		Title:       "POP3",
		Description: "List, read and delete email in a POP3 mailbox, and start a workflow when a new email arrives.",
		Version:     "1.0.0",
		Status:      connector.StatusBeta,
		Publisher:   "Junction",
		BrandColor:  "#6d4c41",
		Auth:        []connector.Auth{{Kind: connector.AuthBasic}},
		ConnectionParameters: []connector.ConnectionParameter{
			{Name: "host", Type: connector.TypeString, Required: true, DisplayName: "Server address",
				Description: "Host name or IP address of the POP3 server, e.g. pop.example.com."},
			{Name: "port", Type: connector.TypeInt, DisplayName: "Port", Description: "Port of the POP3 server; 995 for tls, 110 otherwise when empty."},
			{Name: "username", Type: connector.TypeString, Required: true, DisplayName: "User name", Description: "Mailbox user name."},
			{Name: "password", Type: connector.TypeSecureString, Required: true, DisplayName: "Password", Description: "Mailbox password."},
			{Name: "security", Type: connector.TypeString, DisplayName: "Security", Default: "tls", AllowedValues: mailmsg.Securities,
				Description: "tls (implicit TLS, port 995), starttls (STLS upgrade, required, port 110) or none (plaintext, trusted networks only)."},
		},
		Capabilities: []string{"actions", "triggers"},
		Operations: []connector.Operation{
			{ID: ListEmails, Kind: connector.KindAction, Method: "GET", Path: "/Mail", Tags: []string{"email"},
				Summary: "List emails", Description: "Lists the newest emails of the mailbox, newest first.",
				Parameters: []connector.Param{
					q("top", "Top", "At most this many emails (1-1000).", schema(map[string]any{"type": "integer", "minimum": 1, "maximum": 1000, "default": 10, "description": "count"})),
					attachmentsP(false),
				},
				Responses: []connector.Response{{Status: "200", Description: "The emails, newest first.", Schema: json.RawMessage(mailmsg.EmailListSchema)}}},
			{ID: GetEmail, Kind: connector.KindAction, Method: "GET", Path: "/Mail/{id}", Tags: []string{"email"},
				Summary: "Get email", Description: "Gets one email with its headers, bodies and attachments.",
				Parameters: []connector.Param{idP, attachmentsP(true)},
				Responses:  []connector.Response{{Status: "200", Description: "The email.", Schema: json.RawMessage(mailmsg.EmailSchema)}}},
			{ID: DeleteEmail, Kind: connector.KindAction, Method: "DELETE", Path: "/Mail/{id}", Tags: []string{"email"},
				Summary: "Delete email", Description: "Deletes an email from the mailbox.",
				Parameters: []connector.Param{idP},
				Responses: []connector.Response{{Status: "200", Description: "The email was deleted.",
					Schema: json.RawMessage(`{"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}`)}}},
			{
				ID: OnNewEmail, Kind: connector.KindTrigger, Trigger: connector.TriggerPoll, Method: "GET", Path: "/Mail/OnNewEmail", Tags: []string{"email"},
				Summary: "When a new email arrives",
				Description: "Polls the mailbox and returns each email whose unique id it has not seen, oldest first. The first poll only records " +
					"what is there: email already in the mailbox does not fire. With deleteAfterRead, emails read are deleted once their runs are stored.",
				Parameters: []connector.Param{
					q("from", "From", "Only emails whose From header contains this text (case-insensitive).", str("sender")),
					q("subjectContains", "Subject contains", "Only emails whose subject contains this text (case-insensitive).", str("subject text")),
					q("hasAttachment", "Only with attachments", "Only emails that have attachments.", boolean("only with attachments", false)),
					attachmentsP(false),
					q("maxEmails", "Maximum emails per poll", "At most this many emails per poll; the rest come in the next polls.",
						schema(map[string]any{"type": "integer", "minimum": 1, "maximum": 500, "default": 25, "description": "emails per poll"})),
					q("deleteAfterRead", "Delete after read", "Delete each email once its run is stored.", boolean("delete after read", false)),
				},
				Responses: []connector.Response{{Status: "200", Description: "The new emails.", Schema: json.RawMessage(mailmsg.EmailListSchema)}},
			},
		},
	}
}
