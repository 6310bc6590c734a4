// SPDX-License-Identifier: Apache-2.0

// Package actions implements the leaf action types of the engine.
//
// A leaf action is a function of its evaluated inputs: it does not start
// other actions, does not suspend the run and keeps no state between calls.
// The engine (package engine) owns every structural or stateful action type
// (Compose, variables, If, Switch, Foreach, Until, Scope, Terminate,
// Response, Wait, Workflow, and the wait of HttpWebhook and
// ApiConnectionWebhook) and calls the functions registered here for the
// others (Http, ParseJson, Query, Select, Join, Table, JavaScriptCode,
// ApiConnection, the subscribe step of ApiConnectionWebhook ...).
//
// A [Func] may be called more than once for the same action of the same
// run: on retries, and after a crash when the step was in flight
// (at-least-once). The engine records every attempt.
//
// # Implemented types
//
// Http, ParseJson, Query, Select, Join, Table, JavaScriptCode,
// ApiConnection and ApiConnectionWebhook register themselves from init (one
// file per type, action_<type>.go). Their inputs, outputs and error codes are described in
// docs/actions.md. Outputs are the whole outputs object: {statusCode,
// headers, body} for Http and ApiConnection, {body} for the others.
//
// Failures are results, not errors: a Result with Failed set, an Error
// code and, when there are any, the outputs (an HTTP answer of 400 or
// more). Retryable and RetryAfter mark the failures the retry policy may
// retry (408, 429, 5xx, connection failures). A non-nil error is returned
// only when the context ended (it wraps ctx.Err()).
//
// # Webhook helpers
//
// [Subscribe] and [Unsubscribe] perform the subscribe and unsubscribe
// requests of HttpWebhook from the raw inputs (Subscribe binds
// listCallbackUrl() to the callback URL); [SendHTTP] sends already
// evaluated inputs. They build requests as Http does and report failures as
// errors carrying an *ActionError and, when retryable, a *connector.Error.
//
// # Connector operations
//
// [ConnectionReference], [MatchOperation], [OperationInput],
// [SubscribeOperation] and [UnsubscribeOperation] map ApiConnection inputs
// onto connector operations and implement the x-ms-notification-url
// subscription contract; the trigger dispatcher uses them too.
// [UnsubscribeAPIConnectionWebhook] removes an ApiConnectionWebhook
// action's subscription once the engine has its callback.
//
// # Connections
//
// [FileConnections] resolves ApiConnection references from a Logic Apps
// Standard connections.json file (docs/connections-json.md).
package actions

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
)

// Call is one execution attempt of a leaf action.
type Call struct {
	Name string // action name
	Type string // canonical type ("Http", "ParseJson", ...)
	// Raw holds the action's inputs as written (value model, expressions
	// unevaluated).
	Raw any
	// Env is the run context; impure values (utcNow(), guid(), rand())
	// are already recorded by the engine's Env, so re-evaluating Raw on a
	// retry gives the same values.
	Env expr.Env
	// OperationOptions holds the action's operationOptions, lower-cased.
	OperationOptions map[string]bool
	HTTPClient       *http.Client
	Logger           *slog.Logger
	// Connections resolves ApiConnection references (may be nil).
	Connections  ConnectionResolver
	RunID        string
	WorkflowName string
	// Attempt is the 1-based attempt number of this execution.
	Attempt int
	// Action is the whole action definition as written (value model), for
	// types that need more than inputs (e.g. "limit", "metadata").
	Action *expr.Object
	// Compiled is Raw compiled once per definition version (may be nil);
	// EvalInputs uses it when set.
	Compiled *expr.Compiled
}

// EvalInputs evaluates Raw against Env (most actions start with this).
func (c *Call) EvalInputs() (any, error) {
	if c.Raw == nil {
		return nil, nil
	}
	comp := c.Compiled
	if comp == nil {
		var err error
		comp, err = expr.CompileValue(c.Raw)
		if err != nil {
			return nil, fmt.Errorf("compile inputs of '%s': %w", c.Name, err)
		}
	}
	v, err := comp.Eval(c.Env)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Result is what a leaf action produced.
type Result struct {
	Inputs  any          // inputs as shown in run history (usually the evaluated Raw)
	Outputs any          // value model
	Failed  bool         // ran but failed (e.g. Http status >= 400): outputs kept, status Failed
	Error   *ActionError // {Code, Message} when Failed
	// Retryable marks a Failed result the action's retry policy may retry
	// (e.g. Http 408, 429, 5xx); RetryAfter, when set, is the delay the
	// server asked for.
	Retryable  bool
	RetryAfter time.Duration
}

// ActionError is the error of a failed action as shown in run history.
type ActionError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error implements error.
func (e *ActionError) Error() string { return e.Code + ": " + e.Message }

// Func runs one attempt of a leaf action. A non-nil error means the action
// could not complete: connector.KindOf(err).Retryable() decides whether the
// engine retries under the action's retry policy, and
// connector.RetryAfterOf(err) is honoured as the delay. An *ActionError
// returned as error gives the code shown in run history.
type Func func(ctx context.Context, c *Call) (Result, error)

// ConnectionResolver finds the provider and connection an ApiConnection
// action refers to.
type ConnectionResolver interface {
	Resolve(ctx context.Context, referenceName string) (connector.Provider, connector.Connection, error)
}

var (
	mu       sync.RWMutex
	registry = map[string]entry{}
)

type entry struct {
	typ string
	f   Func
}

// Register makes f the implementation of the canonical action type typ.
// Lookup is case-insensitive. Registering a type twice replaces it.
func Register(typ string, f Func) {
	mu.Lock()
	defer mu.Unlock()
	registry[strings.ToLower(typ)] = entry{typ: typ, f: f}
}

// Lookup returns the implementation of typ (case-insensitive).
func Lookup(typ string) (Func, bool) {
	mu.RLock()
	defer mu.RUnlock()
	e, ok := registry[strings.ToLower(typ)]
	return e.f, ok
}

// Types returns the canonical names of the registered types.
func Types() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(registry))
	for _, e := range registry {
		out = append(out, e.typ)
	}
	return out
}
