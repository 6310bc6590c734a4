// SPDX-License-Identifier: Apache-2.0

// Package amqp is the built-in AMQP 0-9-1 messaging connector (RabbitMQ and
// compatible brokers): the Junction counterpart of the Logic Apps Service
// Bus connector.
//
// SendMessage publishes with publisher confirms and the mandatory flag, so a
// successful call means the broker has taken the message and routed it to at
// least one queue. ReceiveMessages has peek-lock semantics: it takes up to N
// messages without acknowledging them and returns each with a LockToken;
// CompleteMessage acknowledges, AbandonMessage hands the message back
// (requeue) and DeadLetterMessage rejects it without requeue, which sends it
// to the queue's dead-letter exchange when one is configured (and drops it
// otherwise).
//
// Locks: a lock lives on a channel the connector keeps per connection and
// queue. It ends when it is settled, when its lock duration passes (the
// message is then requeued, like a Service Bus lock expiring), or when the
// channel or the broker connection closes: on Close, on a restart of
// Junction, or on a network failure. The broker then redelivers the message
// (Redelivered is true) and settling the old token fails with not found. A
// lock token is only valid in the process that received it.
//
// The push trigger OnMessage is a [connector.Listener]: a long-lived consumer
// that acknowledges a message only after the host has stored the run it
// starts.
package amqp

import (
	"context"
	"errors"
	"fmt"
	"sync"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/junction-run/junction/connector"
)

// ID is the connector id.
const ID = "amqp"

func init() { connector.MustRegister(New(Config{})) }

// Config is the host's configuration of the connector.
type Config struct{}

// Connector serves the AMQP operations. It keeps one broker connection per
// distinct connection (keyed by a hash of its values), with one publishing
// channel in confirm mode and one lock channel per queue for peek-lock
// receives. Listen opens a connection of its own.
type Connector struct {
	cfg Config

	mu sync.Mutex
	connector.Logging
	sessions map[string]*session
	locks    map[string]*lock
}

// New returns a connector; it does no I/O.
func New(cfg Config) *Connector {
	return &Connector{cfg: cfg, sessions: map[string]*session{}, locks: map[string]*lock{}}
}

// Spec describes the connector.
func (c *Connector) Spec() connector.Spec { return spec() }

// Init does nothing: brokers are dialled on first use of a connection.
func (c *Connector) Init(context.Context) error { return nil }

// Close closes every broker connection. Unsettled locks end: the broker
// requeues their messages. It is idempotent and safe without Init.
func (c *Connector) Close(context.Context) error {
	c.mu.Lock()
	sessions := c.sessions
	c.sessions = map[string]*session{}
	for t, l := range c.locks {
		l.timer.Stop()
		delete(c.locks, t)
	}
	c.mu.Unlock()
	for _, s := range sessions {
		_ = s.conn.Close()
	}
	return nil
}

// session is one broker connection of the connector.
type session struct {
	conn *amqp.Connection

	pubMu   sync.Mutex
	pub     *amqp.Channel
	pubDone chan *amqp.Error
	returns chan amqp.Return

	lockMu sync.Mutex
	lockCh map[string]*lockChannel // by queue
}

// lockChannel is the channel holding the locks of one queue.
type lockChannel struct {
	ch     *amqp.Channel
	closed chan *amqp.Error
}

// session returns the live session for conn, dialling when needed.
func (c *Connector) session(ctx context.Context, conn connector.Connection) (*session, error) {
	s, err := parseSettings(conn)
	if err != nil {
		return nil, err
	}
	k := s.key()
	c.mu.Lock()
	if ss, ok := c.sessions[k]; ok && !ss.conn.IsClosed() {
		c.mu.Unlock()
		return ss, nil
	}
	c.mu.Unlock()
	ac, err := dial(ctx, s)
	if err != nil {
		return nil, err
	}
	ss := &session{conn: ac, lockCh: map[string]*lockChannel{}}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.sessions[k]; ok && !old.conn.IsClosed() {
		_ = ac.Close() // another call dialled first
		return old, nil
	}
	c.sessions[k] = ss
	return ss, nil
}

// publisher returns the session's confirm-mode channel; the caller holds
// pubMu.
func (s *session) publisher(ctx context.Context) (*amqp.Channel, error) {
	if s.pub != nil && !s.pub.IsClosed() {
		return s.pub, nil
	}
	ch, err := s.conn.Channel()
	if err != nil {
		return nil, classify(ctx, "amqp: opening channel", err)
	}
	if err := ch.Confirm(false); err != nil {
		_ = ch.Close()
		return nil, classify(ctx, "amqp: enabling publisher confirms", err)
	}
	s.pub = ch
	s.pubDone = ch.NotifyClose(make(chan *amqp.Error, 1))
	s.returns = ch.NotifyReturn(make(chan amqp.Return, 16))
	return ch, nil
}

// lockChannel returns the channel holding the locks of queue.
func (s *session) lockChannel(ctx context.Context, queue string) (*lockChannel, error) {
	s.lockMu.Lock()
	defer s.lockMu.Unlock()
	if lc, ok := s.lockCh[queue]; ok && !lc.ch.IsClosed() {
		return lc, nil
	}
	ch, err := s.conn.Channel()
	if err != nil {
		return nil, classify(ctx, "amqp: opening channel", err)
	}
	lc := &lockChannel{ch: ch, closed: ch.NotifyClose(make(chan *amqp.Error, 1))}
	s.lockCh[queue] = lc
	return lc, nil
}

// Test connects to the broker with the connection's values.
func (c *Connector) Test(ctx context.Context, conn connector.Connection) error {
	s, err := parseSettings(conn)
	if err != nil {
		return err
	}
	ac, err := dial(ctx, s)
	if err != nil {
		return err
	}
	return ac.Close()
}

type handler func(ctx context.Context, c *Connector, conn connector.Connection, in connector.Input) (connector.Output, error)

var actions = map[string]handler{
	"SendMessage":       sendMessage,
	"ReceiveMessages":   receiveMessages,
	"CompleteMessage":   settler(settleComplete),
	"AbandonMessage":    settler(settleAbandon),
	"DeadLetterMessage": settler(settleDeadLetter),
}

// Invoke runs an action.
func (c *Connector) Invoke(ctx context.Context, conn connector.Connection, operationID string, in connector.Input) (connector.Output, error) {
	h, ok := actions[operationID]
	if !ok {
		return connector.Output{}, badRequest("unknown action %q", operationID)
	}
	if err := ctx.Err(); err != nil {
		return connector.Output{}, fmt.Errorf("amqp %s: %w", operationID, err)
	}
	out, err := h(ctx, c, conn, in)
	if err != nil {
		if k := connector.KindOf(err); k == connector.KindUnknown && !errors.Is(err, context.Canceled) {
			c.Logger().Warn("amqp operation failed", "operation", operationID, "error", err.Error())
		}
		return connector.Output{}, fmt.Errorf("amqp %s: %w", operationID, err)
	}
	return out, nil
}

var (
	_ connector.Provider     = (*Connector)(nil)
	_ connector.Initializer  = (*Connector)(nil)
	_ connector.Closer       = (*Connector)(nil)
	_ connector.Tester       = (*Connector)(nil)
	_ connector.Listener     = (*Connector)(nil)
	_ connector.LoggerSetter = (*Connector)(nil)
)
