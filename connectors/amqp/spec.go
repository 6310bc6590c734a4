// SPDX-License-Identifier: Apache-2.0

package amqp

import (
	"encoding/json"

	"github.com/junction-run/junction/connector"
)

const messageSchema = `{
  "type": "object",
  "description": "A message (Service Bus message field names where they exist).",
  "properties": {
    "ContentData": {"type": "string", "contentEncoding": "base64", "description": "Body, base64."},
    "Content": {"type": "string", "description": "Body as text, when it is UTF-8."},
    "ContentType": {"type": "string"},
    "ContentEncoding": {"type": "string"},
    "Properties": {"type": "object", "description": "Application headers."},
    "MessageId": {"type": "string"},
    "CorrelationId": {"type": "string"},
    "ReplyTo": {"type": "string"},
    "Expiration": {"type": "string"},
    "Priority": {"type": "integer"},
    "Persistent": {"type": "boolean"},
    "Type": {"type": "string"},
    "AppId": {"type": "string"},
    "Timestamp": {"type": "string", "format": "date-time"},
    "Exchange": {"type": "string"},
    "RoutingKey": {"type": "string"},
    "Redelivered": {"type": "boolean", "description": "The broker delivered this message before."},
    "DeliveryCount": {"type": "integer"},
    "LockToken": {"type": "string", "description": "Settles the message (peek-lock receive only)."},
    "LockedUntil": {"type": "string", "format": "date-time"}
  },
  "required": ["ContentData", "Exchange", "RoutingKey", "Redelivered"]
}`

const bodySchema = `{
  "description": "Message body: a string (sent as UTF-8 text), {\"$content-type\", \"$content\" (base64)} for binary, or any other JSON value (sent as application/json)."
}`

func schema(v map[string]any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func str(desc string) json.RawMessage {
	return schema(map[string]any{"type": "string", "description": desc})
}

func q(name, summary, desc string, required bool, s json.RawMessage) connector.Param {
	return connector.Param{Name: name, In: connector.InQuery, Required: required, Summary: summary, Description: desc, Schema: s}
}

func integer(desc string, def, lo, hi int) json.RawMessage {
	return schema(map[string]any{"type": "integer", "description": desc, "default": def, "minimum": lo, "maximum": hi})
}

func boolean(desc string, def bool) json.RawMessage {
	return schema(map[string]any{"type": "boolean", "description": desc, "default": def})
}

// action declares an action; an ApiConnection action's inputs.method and
// inputs.path match its method and path.
func action(id, method, path, summary, desc string, params []connector.Param, respDesc, respSchema string) connector.Operation {
	r := connector.Response{Status: "200", Description: respDesc}
	if respSchema != "" {
		r.Schema = json.RawMessage(respSchema)
	}
	return connector.Operation{ID: id, Kind: connector.KindAction, Method: method, Path: path, Summary: summary, Description: desc,
		Parameters: params, Responses: []connector.Response{r}, Tags: []string{"messages"}}
}

var (
	queueParam = connector.Param{Name: "queue", In: connector.InPath, Required: true, Summary: "Queue", Description: "Queue name.", Schema: str("queue name")}
	lockParam  = q("lockToken", "Lock token", "LockToken of a message received with ReceiveMessages, by this Junction process.", true, str("lock token"))
)

func spec() connector.Spec {
	return connector.Spec{
		ID:          ID,
		Title:       "AMQP (RabbitMQ)",
		Description: "Send and receive messages with an AMQP 0-9-1 broker such as RabbitMQ: publisher-confirmed sends, peek-lock receives with complete, abandon and dead-letter, and a trigger that acknowledges a message only once its run is stored.",
		Version:     "1.0.0",
		Status:      connector.StatusBeta,
		Publisher:   "Junction",
		BrandColor:  "#ff6600",
		Auth:        []connector.Auth{{Kind: connector.AuthBasic, Description: "Broker user name and password (SASL PLAIN)."}},
		ConnectionParameters: []connector.ConnectionParameter{
			{Name: "url", Type: connector.TypeSecureString, DisplayName: "Connection URL",
				Description: "amqp://user:password@host:port/vhost or amqps://... When set, the other parameters except tls are ignored."},
			{Name: "host", Type: connector.TypeString, DisplayName: "Host", Description: "Broker host name, when no URL is given."},
			{Name: "port", Type: connector.TypeInt, DisplayName: "Port", Default: 5672, Description: "Broker port (5672, or 5671 with TLS)."},
			{Name: "vhost", Type: connector.TypeString, DisplayName: "Virtual host", Default: "/", Description: "Virtual host."},
			{Name: "username", Type: connector.TypeString, DisplayName: "User name", Description: "Broker user name."},
			{Name: "password", Type: connector.TypeSecureString, DisplayName: "Password", Description: "Broker password."},
			{Name: "tls", Type: connector.TypeBool, DisplayName: "Use TLS", Default: false, Advanced: true, Description: "Connect with TLS (amqps)."},
		},
		Capabilities: []string{"actions", "triggers"},
		Operations: []connector.Operation{
			action("SendMessage", "POST", "/messages", "Send message",
				"Publishes a message to a queue (through the default exchange) or to an exchange with a routing key, and waits for the broker's publisher confirm. Fails with not found when no queue takes the message (mandatory).",
				[]connector.Param{
					q("queue", "Queue", "Queue to send to; or give exchange and routingKey.", false, str("queue name")),
					q("exchange", "Exchange", "Exchange to publish to.", false, str("exchange name")),
					q("routingKey", "Routing key", "Routing key for the exchange.", false, str("routing key")),
					q("contentType", "Content type", "Media type of the body; default from the body.", false, str("media type")),
					q("headers", "Properties", "Application headers.", false, schema(map[string]any{"type": "object", "description": "headers"})),
					q("messageId", "Message id", "message-id property.", false, str("message id")),
					q("correlationId", "Correlation id", "correlation-id property.", false, str("correlation id")),
					q("replyTo", "Reply to", "reply-to property.", false, str("queue name")),
					q("type", "Type", "type property.", false, str("message type")),
					q("appId", "App id", "app-id property.", false, str("application id")),
					q("expiration", "Time to live (ms)", "Per-message TTL in milliseconds.", false, str("milliseconds")),
					q("priority", "Priority", "0-255 (the queue's x-max-priority bounds it).", false, integer("priority", 0, 0, 255)),
					q("persistent", "Persistent", "Store the message on disk (delivery mode 2).", false, boolean("persistent", true)),
					q("mandatory", "Mandatory", "Fail when no queue takes the message.", false, boolean("mandatory", true)),
					{Name: "body", In: connector.InBody, Required: true, Summary: "Content", Description: "The message body.", Schema: json.RawMessage(bodySchema)},
				}, "The broker confirmed the message.",
				`{"type": "object", "description": "Where the message went.", "properties": {"MessageId": {"type": "string"}, "Exchange": {"type": "string"}, "RoutingKey": {"type": "string"}}, "required": ["Exchange", "RoutingKey"]}`),
			action("ReceiveMessages", "GET", "/queues/{queue}/messages/batch/peek", "Get messages from a queue (peek-lock)",
				"Takes up to maxMessageCount messages without removing them and returns them with lock tokens. Settle each with CompleteMessage, AbandonMessage or DeadLetterMessage; a lock not settled within lockDurationSeconds, or lost with its channel (restart, network failure), makes the broker redeliver the message.",
				[]connector.Param{queueParam,
					q("maxMessageCount", "Maximum message count", "At most this many messages.", false, integer("messages", 1, 1, 1000)),
					q("lockDurationSeconds", "Lock duration (s)", "How long the locks last before the messages are requeued.", false, integer("seconds", 300, 1, 1500)),
				}, "The messages received (possibly none).",
				`{"type": "object", "description": "Messages.", "properties": {"value": {"type": "array", "items": `+messageSchema+`}}, "required": ["value"]}`),
			action("CompleteMessage", "POST", "/messages/complete", "Complete the message", "Acknowledges a locked message: the broker removes it.",
				[]connector.Param{lockParam}, "Completed.", ""),
			action("AbandonMessage", "POST", "/messages/abandon", "Abandon the message", "Releases a locked message back to its queue (nack with requeue); it is delivered again.",
				[]connector.Param{lockParam}, "Abandoned.", ""),
			action("DeadLetterMessage", "POST", "/messages/deadletter", "Move the message to the dead-letter queue", "Rejects a locked message without requeue: the broker routes it to the queue's dead-letter exchange, or drops it when the queue has none.",
				[]connector.Param{lockParam}, "Dead-lettered.", ""),
			{
				ID: OnMessage, Kind: connector.KindTrigger, Trigger: connector.TriggerPush,
				Method: "GET", Path: "/queues/{queue}/messages/trigger",
				Summary:     "When a message is received in a queue",
				Description: "Consumes a queue and starts a run per message. A message is acknowledged only once its run is stored; a failure to store it requeues it (at-least-once delivery). Served by a long-lived consumer (connector.Listener), not by a callback URL.",
				Tags:        []string{"messages"},
				Parameters: []connector.Param{queueParam,
					q("prefetch", "Prefetch", "Messages the broker may send ahead of acknowledgements.", false, integer("messages", 10, 1, 10000)),
				},
				Responses:  []connector.Response{{Status: "200", Description: "The message.", Schema: json.RawMessage(messageSchema)}},
				Extensions: map[string]json.RawMessage{"x-junction-listener": json.RawMessage(`true`)},
			},
		},
	}
}
