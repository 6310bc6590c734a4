// SPDX-License-Identifier: Apache-2.0

package amqp

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/junction-run/junction/connector"
)

// Message is a received message, with the field names of the Logic Apps
// Service Bus message where they exist.
type Message struct {
	// ContentData is the body, base64.
	ContentData string `json:"ContentData"`
	// Content is the body as text when it is valid UTF-8.
	Content         string         `json:"Content,omitempty"`
	ContentType     string         `json:"ContentType,omitempty"`
	ContentEncoding string         `json:"ContentEncoding,omitempty"`
	Properties      map[string]any `json:"Properties,omitempty"`
	MessageID       string         `json:"MessageId,omitempty"`
	CorrelationID   string         `json:"CorrelationId,omitempty"`
	ReplyTo         string         `json:"ReplyTo,omitempty"`
	Expiration      string         `json:"Expiration,omitempty"`
	Priority        int            `json:"Priority"`
	Persistent      bool           `json:"Persistent"`
	Type            string         `json:"Type,omitempty"`
	AppID           string         `json:"AppId,omitempty"`
	Timestamp       *time.Time     `json:"Timestamp,omitempty"`
	Exchange        string         `json:"Exchange"`
	RoutingKey      string         `json:"RoutingKey"`
	// Redelivered says the broker delivered this message before (a lock
	// ended, a consumer died or the message was abandoned).
	Redelivered bool `json:"Redelivered"`
	// DeliveryCount is the x-delivery-count header (quorum queues), else
	// 1, or 2 when redelivered.
	DeliveryCount int64 `json:"DeliveryCount"`
	// LockToken settles the message (ReceiveMessages only).
	LockToken string `json:"LockToken,omitempty"`
	// LockedUntil is when the lock ends unless settled.
	LockedUntil *time.Time `json:"LockedUntil,omitempty"`
}

// jsonValue makes an AMQP table value JSON-friendly.
func jsonValue(v any) any {
	switch x := v.(type) {
	case amqp.Table:
		m := make(map[string]any, len(x))
		for k, y := range x {
			m[k] = jsonValue(y)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, y := range x {
			out[i] = jsonValue(y)
		}
		return out
	case []byte:
		if utf8.Valid(x) {
			return string(x)
		}
		return base64.StdEncoding.EncodeToString(x)
	case amqp.Decimal:
		return fmt.Sprintf("%de-%d", x.Value, x.Scale)
	case time.Time:
		return x.UTC()
	}
	return v
}

func messageOf(d amqp.Delivery) Message {
	m := Message{
		ContentData: base64.StdEncoding.EncodeToString(d.Body), ContentType: d.ContentType, ContentEncoding: d.ContentEncoding,
		MessageID: d.MessageId, CorrelationID: d.CorrelationId, ReplyTo: d.ReplyTo, Expiration: d.Expiration,
		Priority: int(d.Priority), Persistent: d.DeliveryMode == amqp.Persistent, Type: d.Type, AppID: d.AppId,
		Exchange: d.Exchange, RoutingKey: d.RoutingKey, Redelivered: d.Redelivered, DeliveryCount: 1,
	}
	if utf8.Valid(d.Body) {
		m.Content = string(d.Body)
	}
	if !d.Timestamp.IsZero() {
		ts := d.Timestamp.UTC()
		m.Timestamp = &ts
	}
	if d.Redelivered {
		m.DeliveryCount = 2
	}
	if len(d.Headers) > 0 {
		m.Properties = jsonValue(d.Headers).(map[string]any)
		switch n := d.Headers["x-delivery-count"].(type) {
		case int64:
			m.DeliveryCount = n + 1
		case int32:
			m.DeliveryCount = int64(n) + 1
		}
	}
	return m
}

// lock is one unsettled message taken with peek-lock.
type lock struct {
	lc    *lockChannel
	tag   uint64
	timer *time.Timer
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// takeLock removes and returns the lock with token; nil when it is not
// (any longer) held.
func (c *Connector) takeLock(token string) *lock {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.locks[token]
	if !ok {
		return nil
	}
	delete(c.locks, token)
	l.timer.Stop()
	return l
}

// receiveMessages takes up to maxMessageCount messages from a queue with
// basic.get, without acknowledging them, and returns them with lock tokens.
func receiveMessages(ctx context.Context, c *Connector, conn connector.Connection, in connector.Input) (connector.Output, error) {
	queue := in.String("queue")
	if queue == "" {
		return connector.Output{}, badRequest("parameter queue is required")
	}
	n, err := in.Int("maxMessageCount", 1, 1, 1000)
	if err != nil {
		return connector.Output{}, err
	}
	secs, err := in.Int("lockDurationSeconds", 300, 1, 1500)
	if err != nil {
		return connector.Output{}, err
	}
	s, err := c.session(ctx, conn)
	if err != nil {
		return connector.Output{}, err
	}
	lc, err := s.lockChannel(ctx, queue)
	if err != nil {
		return connector.Output{}, err
	}
	what := fmt.Sprintf("amqp: receiving from queue %q", queue)
	out := []Message{}
	for len(out) < n {
		if err := ctx.Err(); err != nil {
			// Messages already taken stay locked and are returned.
			break
		}
		d, ok, err := lc.ch.Get(queue, false)
		if err != nil {
			if len(out) > 0 && ctx.Err() == nil {
				break
			}
			return connector.Output{}, classify(ctx, what, err)
		}
		if !ok {
			break // queue empty
		}
		m := messageOf(d)
		m.LockToken = newToken()
		until := time.Now().Add(time.Duration(secs) * time.Second).UTC()
		m.LockedUntil = &until
		l := &lock{lc: lc, tag: d.DeliveryTag}
		token := m.LockToken
		c.mu.Lock()
		l.timer = time.AfterFunc(time.Duration(secs)*time.Second, func() {
			if l := c.takeLock(token); l != nil {
				_ = l.lc.ch.Nack(l.tag, false, true) // lock expired: requeue
			}
		})
		c.locks[token] = l
		c.mu.Unlock()
		out = append(out, m)
	}
	if len(out) == 0 {
		if err := ctx.Err(); err != nil {
			return connector.Output{}, fmt.Errorf("%s: %w", what, err)
		}
	}
	return connector.Output{StatusCode: 200, Body: map[string]any{"value": out}}, nil
}

type settlement int

const (
	settleComplete settlement = iota
	settleAbandon
	settleDeadLetter
)

// settler returns the handler of Complete, Abandon or DeadLetter.
func settler(how settlement) handler {
	return func(ctx context.Context, c *Connector, _ connector.Connection, in connector.Input) (connector.Output, error) {
		token := strings.TrimSpace(in.String("lockToken"))
		if token == "" {
			return connector.Output{}, badRequest("parameter lockToken is required")
		}
		l := c.takeLock(token)
		if l == nil || l.lc.ch.IsClosed() {
			return connector.Output{}, connector.Errorf(connector.KindNotFound,
				"amqp: lock %s is not held: already settled, expired, or lost with its channel (the broker redelivers the message)", token)
		}
		var err error
		switch how {
		case settleComplete:
			err = l.lc.ch.Ack(l.tag, false)
		case settleAbandon:
			err = l.lc.ch.Nack(l.tag, false, true)
		case settleDeadLetter:
			err = l.lc.ch.Nack(l.tag, false, false)
		}
		if err != nil {
			return connector.Output{}, classify(ctx, "amqp: settling message", err)
		}
		return connector.Output{StatusCode: 200}, nil
	}
}
