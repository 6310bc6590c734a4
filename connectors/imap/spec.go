// SPDX-License-Identifier: Apache-2.0

package imap

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

func q(name, summary, desc string, required bool, s json.RawMessage) connector.Param {
	return connector.Param{Name: name, In: connector.InQuery, Required: required, Summary: summary, Description: desc, Schema: s}
}

var (
	folderP = q("folder", "Folder", "IMAP folder, e.g. INBOX or Archive/2026; INBOX when empty.", false,
		schema(map[string]any{"type": "string", "default": "INBOX", "description": "folder"}))
	idP     = inPath(q("id", "Message id", "Id of the message (its IMAP UID in the folder), as returned by the trigger or ListEmails.", true, str("message id")))
	doneSch = `{"type": "object", "properties": {"id": {"type": "string"}, "folder": {"type": "string"}, "destinationFolder": {"type": "string"}}, "required": ["id", "folder"]}`
)

// inPath makes a parameter a path parameter.
func inPath(prm connector.Param) connector.Param {
	prm.In = connector.InPath
	prm.Required = true
	return prm
}

// action declares an action. Its method and path are what an ApiConnection
// action's inputs.method and inputs.path match.
func action(id, method, path, summary, desc string, params []connector.Param, respDesc, respSchema string) connector.Operation {
	return connector.Operation{ID: id, Kind: connector.KindAction, Method: method, Path: path, Summary: summary, Description: desc, Tags: []string{"email"},
		Parameters: params, Responses: []connector.Response{{Status: "200", Description: respDesc, Schema: json.RawMessage(respSchema)}}}
}

func spec() connector.Spec {
	return connector.Spec{
		ID:          ID,
		Title:       "IMAP",
		Description: "Read, move, flag and delete email in an IMAP mailbox, and start a workflow when a new email arrives.",
		Version:     "1.0.0",
		Status:      connector.StatusBeta,
		Publisher:   "Junction",
		BrandColor:  "#2e7d32",
		Auth:        []connector.Auth{{Kind: connector.AuthBasic}},
		ConnectionParameters: []connector.ConnectionParameter{
			{Name: "host", Type: connector.TypeString, Required: true, DisplayName: "Server address",
				Description: "Host name or IP address of the IMAP server, e.g. imap.example.com."},
			{Name: "port", Type: connector.TypeInt, DisplayName: "Port",
				Description: "Port of the IMAP server; 993 for tls, 143 otherwise when empty."},
			{Name: "username", Type: connector.TypeString, Required: true, DisplayName: "User name", Description: "Mailbox user name."},
			{Name: "password", Type: connector.TypeSecureString, Required: true, DisplayName: "Password", Description: "Mailbox password."},
			{Name: "security", Type: connector.TypeString, DisplayName: "Security", Default: "tls", AllowedValues: mailmsg.Securities,
				Description: "tls (implicit TLS, port 993), starttls (required upgrade, port 143) or none (plaintext, trusted networks only)."},
		},
		Capabilities: []string{"actions", "triggers"},
		Operations: []connector.Operation{
			action(ListEmails, "GET", "/Mail", "List emails", "Lists the newest emails of a folder, newest first, optionally only unread ones or those matching a search.",
				[]connector.Param{
					folderP,
					q("top", "Top", "At most this many emails (1-1000).", false, schema(map[string]any{"type": "integer", "minimum": 1, "maximum": 1000, "default": 10, "description": "count"})),
					q("unreadOnly", "Only unread", "Only emails without the \\Seen flag.", false, boolean("unread only", false)),
					q("search", "Search text", "Only emails whose headers or body contain this text (IMAP SEARCH TEXT).", false, str("text")),
					q("from", "From", "Only emails whose From header contains this text.", false, str("sender")),
					q("subjectContains", "Subject contains", "Only emails whose subject contains this text.", false, str("subject text")),
					q("includeAttachments", "Include attachments", "Put attachment contents (base64) in the output.", false, boolean("include attachments", false)),
				}, "The emails, newest first.", mailmsg.EmailListSchema),
			action(GetEmail, "GET", "/Mail/{id}", "Get email", "Gets one email with its headers, text and HTML bodies and attachments. Does not mark it as read.",
				[]connector.Param{folderP, idP,
					q("includeAttachments", "Include attachments", "Put attachment contents (base64) in the output.", false, boolean("include attachments", true))},
				"The email.", mailmsg.EmailSchema),
			action(MoveEmail, "POST", "/Mail/{id}/move", "Move email", "Moves an email to another folder (MOVE, or COPY and expunge where MOVE is missing).",
				[]connector.Param{folderP, idP, q("destinationFolder", "Destination folder", "Folder to move the email to; it must exist.", true, str("folder"))},
				"The email was moved.", doneSch),
			action(DeleteEmail, "DELETE", "/Mail/{id}", "Delete email", "Deletes an email for good (\\Deleted and expunge).",
				[]connector.Param{folderP, idP}, "The email was deleted.", doneSch),
			action(MarkAsRead, "POST", "/Mail/{id}/markAsRead", "Mark as read", "Sets the \\Seen flag of an email.",
				[]connector.Param{folderP, idP}, "The email is marked as read.", doneSch),
			action(MarkAsUnread, "POST", "/Mail/{id}/markAsUnread", "Mark as unread", "Clears the \\Seen flag of an email.",
				[]connector.Param{folderP, idP}, "The email is marked as unread.", doneSch),
			action(FlagEmail, "POST", "/Mail/{id}/flag", "Flag email", "Sets the \\Flagged flag of an email, or clears it when flagged is false.",
				[]connector.Param{folderP, idP, q("flagged", "Flagged", "true to flag, false to clear the flag.", false, boolean("flag", true))},
				"The email's flag is set.", doneSch),
			{
				ID: OnNewEmail, Kind: connector.KindTrigger, Trigger: connector.TriggerPoll, Tags: []string{"email"},
				Method: "GET", Path: "/Mail/OnNewEmail",
				Summary: "When a new email arrives",
				Description: "Polls a folder and returns each email that arrived since the last poll, oldest first. The first poll only records " +
					"where the folder is: email already there does not fire. With afterRead, emails read are marked as read, moved or deleted once their runs are stored.",
				Parameters: []connector.Param{
					folderP,
					q("from", "From", "Only emails whose From header contains this text.", false, str("sender")),
					q("subjectContains", "Subject contains", "Only emails whose subject contains this text.", false, str("subject text")),
					q("hasAttachment", "Only with attachments", "Only emails that have attachments.", false, boolean("only with attachments", false)),
					q("includeAttachments", "Include attachments", "Put attachment contents (base64) in the output.", false, boolean("include attachments", false)),
					q("maxEmails", "Maximum emails per poll", "At most this many emails per poll; the rest come in the next polls.", false,
						schema(map[string]any{"type": "integer", "minimum": 1, "maximum": 500, "default": 25, "description": "emails per poll"})),
					q("afterRead", "After read", "What to do with an email once its run is stored: none, markAsRead, move (to moveToFolder) or delete.", false,
						schema(map[string]any{"type": "string", "enum": []string{"none", "markAsRead", "move", "delete"}, "default": "none", "description": "cleanup"})),
					q("moveToFolder", "Move to folder", "Folder the emails go to when afterRead is move (created when missing).", false, str("folder")),
				},
				Responses: []connector.Response{{Status: "200", Description: "The new emails.", Schema: json.RawMessage(mailmsg.EmailListSchema)}},
			},
		},
	}
}
