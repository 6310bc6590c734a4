// SPDX-License-Identifier: Apache-2.0

package amqp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/junction-run/junction/connector"
)

// SendResult is the output of SendMessage.
type SendResult struct {
	MessageID  string `json:"MessageId,omitempty"`
	Exchange   string `json:"Exchange"`
	RoutingKey string `json:"RoutingKey"`
}

// messageBody turns an action body into bytes and a default content type: a
// string as UTF-8 text, the binary envelope {"$content-type", "$content"}
// decoded from base64, []byte as is, any other JSON value as JSON.
func messageBody(body any) ([]byte, string, error) {
	switch b := body.(type) {
	case nil:
		return nil, "", badRequest("body (the message content) is required")
	case string:
		return []byte(b), "text/plain; charset=utf-8", nil
	case []byte:
		return b, "application/octet-stream", nil
	case map[string]any:
		if raw, ok := b["$content"].(string); ok {
			data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(raw))
			if err != nil {
				return nil, "", badRequest("body $content is not valid base64")
			}
			ct, _ := b["$content-type"].(string)
			if ct == "" {
				ct = "application/octet-stream"
			}
			return data, ct, nil
		}
	}
	data, err := json.Marshal(body)
	if err != nil {
		return nil, "", badRequest("body cannot be encoded as JSON: %v", err)
	}
	return data, "application/json", nil
}

// headerTable converts the headers parameter to an AMQP table.
func headerTable(v any) (amqp.Table, error) {
	if v == nil || v == "" {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, badRequest("headers must be an object")
	}
	t := amqp.Table{}
	for k, x := range m {
		switch y := x.(type) {
		case float64:
			if y == float64(int64(y)) {
				t[k] = int64(y)
			} else {
				t[k] = y
			}
		case string, bool, int, int64, nil:
			t[k] = y
		default:
			b, _ := json.Marshal(y)
			t[k] = string(b)
		}
	}
	if err := t.Validate(); err != nil {
		return nil, badRequest("headers: %v", err)
	}
	return t, nil
}

// sendMessage publishes one message and waits for the broker's confirm. It
// is published mandatory: a message no queue takes comes back and the call
// fails with not found instead of the message vanishing.
func sendMessage(ctx context.Context, c *Connector, conn connector.Connection, in connector.Input) (connector.Output, error) {
	exchange, queue, key := in.String("exchange"), in.String("queue"), in.String("routingKey")
	switch {
	case queue != "" && (exchange != "" || key != ""):
		return connector.Output{}, badRequest("give either queue, or exchange and routingKey")
	case queue != "":
		key = queue // the default exchange routes by queue name
	case exchange == "" && key == "":
		return connector.Output{}, badRequest("queue or exchange is required")
	}
	data, ct, err := messageBody(in.Body)
	if err != nil {
		return connector.Output{}, err
	}
	if v := in.String("contentType"); v != "" {
		ct = v
	}
	headers, err := headerTable(in.Parameters["headers"])
	if err != nil {
		return connector.Output{}, err
	}
	prio, err := in.Int("priority", 0, 0, 255)
	if err != nil {
		return connector.Output{}, err
	}
	persistent, err := in.Bool("persistent", true)
	if err != nil {
		return connector.Output{}, err
	}
	mandatory, err := in.Bool("mandatory", true)
	if err != nil {
		return connector.Output{}, err
	}
	msg := amqp.Publishing{
		Headers: headers, ContentType: ct, Body: data, Priority: uint8(prio),
		MessageId: in.String("messageId"), CorrelationId: in.String("correlationId"), ReplyTo: in.String("replyTo"),
		Type: in.String("type"), AppId: in.String("appId"), Timestamp: time.Now().UTC().Truncate(time.Second),
	}
	if exp := in.String("expiration"); exp != "" {
		if n, err := strconv.ParseUint(exp, 10, 32); err != nil || n == 0 {
			return connector.Output{}, badRequest("expiration must be a positive number of milliseconds")
		}
		msg.Expiration = exp
	}
	if persistent {
		msg.DeliveryMode = amqp.Persistent
	}
	s, err := c.session(ctx, conn)
	if err != nil {
		return connector.Output{}, err
	}
	what := fmt.Sprintf("amqp: publishing to exchange %q with routing key %q", exchange, key)
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	ch, err := s.publisher(ctx)
	if err != nil {
		return connector.Output{}, err
	}
	dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, exchange, key, mandatory, false, msg)
	if err != nil {
		return connector.Output{}, classify(ctx, what, err)
	}
	select {
	case <-dc.Done():
	case e := <-s.pubDone:
		s.pub = nil
		if e == nil {
			e = amqp.ErrClosed
		}
		return connector.Output{}, classify(ctx, what, e)
	case <-ctx.Done():
		// The outcome is unknown. Drop the channel so that a late return
		// of this message cannot be taken for one of the next.
		_ = ch.Close()
		s.pub = nil
		return connector.Output{}, fmt.Errorf("%s: %w", what, ctx.Err())
	}
	if !dc.Acked() {
		select {
		case e := <-s.pubDone: // the channel closed (e.g. no such exchange)
			s.pub = nil
			if e != nil {
				return connector.Output{}, classify(ctx, what, e)
			}
		default:
		}
		return connector.Output{}, &connector.Error{Kind: connector.KindRetryable, Message: what + ": the broker did not accept the message (nack)"}
	}
	// A return precedes the confirm of the same message on the channel.
	select {
	case r := <-s.returns:
		return connector.Output{}, &connector.Error{Kind: connector.KindNotFound,
			Message: fmt.Sprintf("%s: no queue took the message (%s)", what, strings.ToLower(r.ReplyText))}
	default:
	}
	return connector.Output{StatusCode: 200, Body: SendResult{MessageID: msg.MessageId, Exchange: exchange, RoutingKey: key}}, nil
}
