// SPDX-License-Identifier: Apache-2.0

package mailmsg

// AttachmentSchema is the JSON Schema of an [Attachment].
const AttachmentSchema = `{
  "type": "object",
  "properties": {
    "name": {"type": "string", "description": "File name."},
    "contentType": {"type": "string", "description": "Media type, e.g. application/pdf."},
    "contentBytes": {"type": "string", "contentEncoding": "base64", "description": "Content, base64 (only when attachments are included)."},
    "size": {"type": "integer", "description": "Decoded size in bytes."},
    "contentId": {"type": "string", "description": "Content-ID of an inline part, without angle brackets."},
    "isInline": {"type": "boolean"}
  },
  "required": ["name", "contentType", "size"]
}`

// EmailSchema is the JSON Schema of an [Email].
const EmailSchema = `{
  "type": "object",
  "description": "An email message (the Logic Apps email object).",
  "properties": {
    "id": {"type": "string", "description": "Id of the message in this connector (IMAP UID or POP3 UIDL)."},
    "messageId": {"type": "string", "description": "The Message-ID header."},
    "folder": {"type": "string", "description": "IMAP folder of the message."},
    "from": {"type": "string", "description": "Sender address."},
    "to": {"type": "string", "description": "Recipient addresses separated by '; '."},
    "cc": {"type": "string", "description": "Cc addresses separated by '; '."},
    "bcc": {"type": "string", "description": "Bcc addresses separated by '; ' (rarely present on received mail)."},
    "replyTo": {"type": "string", "description": "Reply-To addresses separated by '; '."},
    "subject": {"type": "string"},
    "body": {"type": "string", "description": "The HTML body when there is one, else the text body."},
    "isHtml": {"type": "boolean", "description": "Whether body is HTML."},
    "textBody": {"type": "string"},
    "htmlBody": {"type": "string"},
    "bodyPreview": {"type": "string", "description": "The first 255 characters of the text."},
    "importance": {"type": "string", "enum": ["low", "normal", "high"]},
    "hasAttachments": {"type": "boolean"},
    "attachments": {"type": "array", "items": ` + AttachmentSchema + `},
    "isRead": {"type": "boolean"},
    "isFlagged": {"type": "boolean"},
    "receivedDateTime": {"type": "string", "format": "date-time", "description": "When the server received the message, ISO 8601."},
    "sentDateTime": {"type": "string", "description": "The Date header, ISO 8601, or empty."},
    "inReplyTo": {"type": "string"},
    "references": {"type": "string"},
    "headers": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Every header, decoded."},
    "size": {"type": "integer", "description": "Raw size in bytes."}
  },
  "required": ["id", "from", "to", "cc", "subject", "body", "isHtml", "hasAttachments", "attachments", "receivedDateTime"]
}`

// EmailListSchema is the JSON Schema of a list of [Email].
const EmailListSchema = `{"type": "array", "items": ` + EmailSchema + `}`
