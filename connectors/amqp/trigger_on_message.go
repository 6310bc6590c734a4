// SPDX-License-Identifier: Apache-2.0

package amqp

import (
	"context"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/junction-run/junction/connector"
)

// OnMessage is the id of the trigger "When a message is received in a
// queue".
const OnMessage = "OnMessage"

// Listen consumes a queue and hands each message (a [Message] without a
// lock token) to deliver, one at a time in arrival order. A message is
// acknowledged only after deliver returned nil; when deliver fails it is
// nacked with requeue and Listen waits a backoff (100 ms doubling to 5 s,
// reset by a success) before taking the next one, so a failing host does
// not spin. At most prefetch messages (input "prefetch", default 10) are
// unacknowledged at a time.
//
// Listen uses a broker connection of its own: when it returns (ctx ended,
// or the connection failed) or the process dies, the broker requeues every
// message not yet acknowledged, including one whose deliver had returned
// but whose ack was not sent. Delivery is therefore at least once; a
// redelivered message has Redelivered true.
//
// It returns an error wrapping ctx.Err() when ctx ends, a [KindNotFound]
// error when the queue does not exist, [KindUnauthenticated] for refused
// credentials, and [KindRetryable] when the broker connection is lost.
func (c *Connector) Listen(ctx context.Context, conn connector.Connection, operationID string, in connector.Input, deliver connector.DeliverFunc) error {
	if operationID != OnMessage {
		return badRequest("unknown trigger %q", operationID)
	}
	queue := in.String("queue")
	if queue == "" {
		return badRequest("parameter queue is required")
	}
	prefetch, err := in.Int("prefetch", 10, 1, 10000)
	if err != nil {
		return err
	}
	s, err := parseSettings(conn)
	if err != nil {
		return err
	}
	ac, err := dial(ctx, s)
	if err != nil {
		return err
	}
	defer ac.Close()
	what := fmt.Sprintf("amqp: consuming queue %q", queue)
	ch, err := ac.Channel()
	if err != nil {
		return classify(ctx, what, err)
	}
	if err := ch.Qos(prefetch, 0, false); err != nil {
		return classify(ctx, what, err)
	}
	closed := ac.NotifyClose(make(chan *amqp.Error, 1))
	chClosed := ch.NotifyClose(make(chan *amqp.Error, 1))
	deliveries, err := ch.ConsumeWithContext(ctx, queue, "", false, false, false, false, nil)
	if err != nil {
		return classify(ctx, what, err)
	}
	backoff := time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case e := <-closed:
			return lost(ctx, what, e)
		case e := <-chClosed:
			return lost(ctx, what, e)
		case d, ok := <-deliveries:
			if !ok {
				return lost(ctx, what, nil)
			}
			if err := deliver(ctx, messageOf(d)); err != nil {
				if nerr := d.Nack(false, true); nerr != nil {
					return classify(ctx, what, nerr)
				}
				if ctx.Err() != nil {
					return fmt.Errorf("%s: %w", what, ctx.Err())
				}
				backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
				t := time.NewTimer(backoff)
				select {
				case <-ctx.Done():
					t.Stop()
					return fmt.Errorf("%s: %w", what, ctx.Err())
				case <-t.C:
				}
				continue
			}
			backoff = 0
			if err := d.Ack(false); err != nil {
				return classify(ctx, what, err)
			}
		}
	}
}

// lost reports the end of a consumer that ctx did not ask for.
func lost(ctx context.Context, what string, e *amqp.Error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
	if e != nil {
		return classify(ctx, what, e)
	}
	return &connector.Error{Kind: connector.KindRetryable, Message: what + ": the broker closed the consumer"}
}
