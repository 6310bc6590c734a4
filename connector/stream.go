// SPDX-License-Identifier: Apache-2.0

package connector

import (
	"context"
	"io"
)

// Stream is binary content that flows through a provider without being held
// in memory: the output of [Streamer.InvokeStream], and an accepted
// [Input.Body] for the upload operations of a provider that implements
// [Streamer] (for example the blob connector's CreateBlob).
//
// Ownership: whoever receives a Stream must close Body once, whether or not
// it read it to the end. A provider that takes a Stream as input reads Body
// to its end (or until it fails) and does not close it: the caller does.
type Stream struct {
	// ContentType is the media type of the content; "" means
	// application/octet-stream.
	ContentType string
	// Size is the length of Body in bytes, or -1 when unknown.
	Size int64
	// Metadata is provider-specific information about the content (for a
	// blob: its name, ETag, last modified time...). It is small, JSON-able
	// and never holds secrets.
	Metadata map[string]any
	// Body is the content.
	Body io.ReadCloser
}

// Streamer is implemented by providers whose actions can return content as a
// [Stream] instead of the Logic Apps binary envelope
// {"$content-type": ..., "$content": <base64>} that [Provider.Invoke]
// returns. A host that can forward a stream (an HTTP response, a claim-check
// store, a file) calls InvokeStream; a host that needs a JSON value calls
// Invoke, which buffers the content (bounded by the provider's own limit).
//
// InvokeStream returns a [*Error] of kind [KindBadRequest] for an operation
// that does not stream; Streams reports which do. Errors before the stream
// starts (not found, unauthenticated...) are returned by InvokeStream itself;
// errors while reading come from Body.Read. Cancelling ctx aborts the
// transfer: a later Body.Read fails with an error wrapping ctx.Err(). The
// caller must close Body.
//
// Upload operations of such a provider also accept a *Stream (or a plain
// [io.Reader]) as [Input.Body] and read it in bounded memory.
type Streamer interface {
	// Streams reports whether operationID can return a Stream.
	Streams(operationID string) bool
	// InvokeStream runs operationID and returns its content as a stream.
	InvokeStream(ctx context.Context, conn Connection, operationID string, in Input) (*Stream, error)
}

// DeliverFunc hands one trigger item to the host. It returns nil once the
// host has durably stored what the item starts (the run and its trigger
// outputs), and an error otherwise (the store is unavailable, the workflow is
// disabled, ctx ended). A DeliverFunc may block for as long as storing takes;
// it must return promptly when ctx is cancelled.
type DeliverFunc func(ctx context.Context, item any) error

// Listener is implemented by providers whose push triggers keep a long-lived
// subscription open at the service instead of registering a callback URL
// ([Subscriber]): message queues (AMQP, MQTT, NATS, Kafka consumers...). The
// host runs one Listen call per enabled workflow trigger, on one node, and
// calls it again with a backoff when it returns with an error.
//
// Contract:
//
//   - Listen blocks until ctx ends, then returns an error wrapping ctx.Err()
//     (or nil); it returns earlier only on failure, with a classified
//     [*Error]: [KindRetryable] when the service went away (the host calls
//     Listen again after a backoff), [KindUnauthenticated] or
//     [KindBadRequest]/[KindNotFound] when retrying without a change cannot
//     help (the host marks the connection or the trigger failed).
//   - Listen calls deliver once per received item, from one goroutine at a
//     time: never concurrently, in the order the service handed the items
//     over. Redelivered items (after a requeue or a crash) may arrive out of
//     order and more than once: delivery is at least once, and an item
//     carries what the service says about redelivery so a workflow can
//     deduplicate.
//   - An item is acknowledged at the service only after deliver returned nil
//     for it. When deliver returns an error the item is handed back to the
//     service for redelivery (AMQP: basic.nack with requeue). When Listen
//     stops or the process dies between deliver and the acknowledgement, the
//     service redelivers the item, so nothing the host has not stored is
//     lost.
//   - Flow control: the provider keeps at most a bounded number of
//     unacknowledged items in flight (the trigger's prefetch input, a small
//     default otherwise), so a slow deliver slows the service down instead
//     of filling memory.
//   - Listen must not log at Info in normal operation, and never logs item
//     contents or secrets.
type Listener interface {
	Listen(ctx context.Context, conn Connection, operationID string, in Input, deliver DeliverFunc) error
}
