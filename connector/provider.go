// SPDX-License-Identifier: Apache-2.0

package connector

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"
)

// Provider serves the operations of one connector.
//
// Lifecycle: a constructor has no side effects; if the provider implements
// [Initializer], the host calls Init once before any other call; then Spec,
// Invoke and the optional capabilities may be called concurrently from many
// goroutines; finally, if it implements [Closer], the host calls Close, which
// must be idempotent and safe after a failed Init.
//
// Errors: Invoke and the capabilities return an [*Error] (or an error wrapping
// one) to say what kind of failure it was; any other error counts as
// [KindUnknown], which the engine does not retry. When ctx is cancelled they
// return promptly with an error wrapping ctx.Err().
type Provider interface {
	// Spec describes the connector. It returns the same value every call.
	Spec() Spec
	// Invoke runs the action operationID with the connection's values.
	Invoke(ctx context.Context, conn Connection, operationID string, in Input) (Output, error)
}

// Initializer is implemented by providers that must set up before use.
type Initializer interface {
	Init(ctx context.Context) error
}

// Closer is implemented by providers that hold resources.
type Closer interface {
	Close(ctx context.Context) error
}

// Tester checks that a connection's values work (a cheap authenticated call).
type Tester interface {
	Test(ctx context.Context, conn Connection) error
}

// Poller serves polling triggers.
//
// Poll is called at the trigger's interval with the state it returned last
// time (nil on the first call). It returns the new items, if any, and the
// next state. The host stores the next state in the same transaction as the
// runs the items start, so a provider must not consider items consumed until
// it is called with the state that follows them; cleanup of what was read
// (delete or move) belongs in [Cleaner].
type Poller interface {
	Poll(ctx context.Context, conn Connection, operationID string, in Input, state json.RawMessage) (PollResult, error)
}

// Cleaner is implemented by polling triggers that can remove or move what
// they read once the runs it started are durably stored.
type Cleaner interface {
	Cleanup(ctx context.Context, conn Connection, operationID string, in Input, items []any) error
}

// PollResult is what one poll found.
type PollResult struct {
	// Items are the new items; each starts a run (after splitOn).
	Items []any
	// State is the cursor to pass to the next poll.
	State json.RawMessage
	// RetryAfter, when set, asks the host to poll again after this long
	// instead of the trigger's interval.
	RetryAfter time.Duration
}

// Subscriber serves push triggers that register a callback URL at the
// service (the x-ms-notification-url contract).
type Subscriber interface {
	Subscribe(ctx context.Context, conn Connection, operationID string, in Input, callbackURL string) (Subscription, error)
	Unsubscribe(ctx context.Context, conn Connection, sub Subscription) error
}

// Subscription is a registered callback at a service.
type Subscription struct {
	// Location is the URL to DELETE to unsubscribe (201 Location header).
	Location string `json:"location,omitempty"`
	// ExpiresAt is when the service drops the subscription; zero = never.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	// Data is provider-specific state.
	Data json.RawMessage `json:"data,omitempty"`
}

// DynamicValuer evaluates dynamic metadata (x-ms-dynamic-values and
// x-ms-dynamic-schema) for a parameter of an operation.
type DynamicValuer interface {
	DynamicValues(ctx context.Context, conn Connection, operationID, param string, in Input) ([]DynamicValue, error)
	DynamicSchema(ctx context.Context, conn Connection, operationID, param string, in Input) (json.RawMessage, error)
}

// DynamicValue is one choice for a parameter.
type DynamicValue struct {
	Value       any    `json:"value"`
	DisplayName string `json:"displayName"`
}

// Input is the input of one operation call.
type Input struct {
	// Parameters holds path, query, header and formData parameter values
	// by parameter name.
	Parameters map[string]any `json:"parameters,omitempty"`
	// Body is the request body: decoded JSON, a string, or []byte.
	Body any `json:"body,omitempty"`
}

// Output is the result of an action.
type Output struct {
	StatusCode int         `json:"statusCode"`
	Headers    http.Header `json:"headers,omitempty"`
	// Body is the response body: decoded JSON when the response was JSON,
	// a string for text, []byte otherwise.
	Body any `json:"body,omitempty"`
}

// Connection is a user's values for a connector's connection parameters,
// secrets included. It redacts itself in logs.
type Connection struct {
	// Name identifies the connection (for logs and errors).
	Name string
	// Values holds connection parameter values by name; an OAuth token
	// parameter holds the access token string.
	Values map[string]any
}

// String returns the value of a connection parameter as a string ("" when
// absent).
func (c Connection) String(name string) string {
	v, ok := c.Values[name]
	if !ok || v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// LogValue shows the connection's name and parameter names, never values.
func (c Connection) LogValue() slog.Value {
	names := make([]string, 0, len(c.Values))
	for k := range c.Values {
		names = append(names, k)
	}
	return slog.GroupValue(slog.String("name", c.Name), slog.Any("parameters", names))
}

var _ slog.LogValuer = Connection{}
