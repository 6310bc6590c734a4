// SPDX-License-Identifier: Apache-2.0

package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/policy"
	"github.com/junction-run/junction/connector/rest"
	"github.com/junction-run/junction/internal/connection"
)

// Limits are rate limits as token buckets. Zero rates mean unlimited.
type Limits struct {
	// PerConnection is the sustained calls per second of one connection.
	PerConnection float64 `json:"perConnection,omitempty"`
	// ConnectionBurst is how many calls may come at once; 0 means
	// max(1, PerConnection).
	ConnectionBurst int `json:"connectionBurst,omitempty"`
	// PerKey is the sustained calls per second of one caller.
	PerKey   float64 `json:"perKey,omitempty"`
	KeyBurst int     `json:"keyBurst,omitempty"`
}

// Options configure a [Gateway].
type Options struct {
	// Connections is the connection service; required.
	Connections *connection.Service
	// Keys authenticates caller keys and serves /api/keys; required.
	Keys *connection.Keys
	// Connectors looks up a connector by id; required. Providers of type
	// *rest.Provider (imported connectors) are rebuilt over the gateway's
	// egress-checked client, once per provider value, unless
	// ProviderFactory is set.
	Connectors func(id string) (connector.Provider, bool)
	// ProviderFactory, when set, returns the provider the gateway calls
	// for connector id (registered as orig), given the gateway's
	// egress-checked client. It replaces the default rebuild of
	// *rest.Provider values, which keeps only Client and Logger: a
	// connector catalogue that knows the options an imported connector was
	// built with (base URL, environment, ...) rebuilds it with all of them.
	// It is called once per provider value.
	ProviderFactory func(id string, orig connector.Provider, client *http.Client) connector.Provider
	// CheckAdmin reports whether an Authorization header carries the
	// server's admin key; optional.
	CheckAdmin func(authorization string) bool
	// AdminPrincipal is the principal name of the admin key; "" means
	// "admin".
	AdminPrincipal string
	// Limits are the rate limits.
	Limits Limits
	// Egress restricts the destinations of connector calls.
	Egress EgressRules
	// Client sends connector calls; nil builds one from Egress. A caller
	// that sets it is responsible for enforcing egress rules.
	Client *http.Client
	// Logger receives Warn logs of failures (never secrets); nil discards.
	Logger *slog.Logger
	// CallLogSize is how many calls are kept per connection; 0 means 200.
	CallLogSize int
	// MaxBodyBytes bounds request and pass-through bodies; 0 means 16 MiB.
	MaxBodyBytes int64
	// Now is the clock; nil uses time.Now.
	Now func() time.Time
}

// Gateway runs operation calls through the pipeline. It is safe for
// concurrent use.
type Gateway struct {
	o      Options
	conns  *connection.Service
	keys   *connection.Keys
	client *http.Client
	log    *slog.Logger
	now    func() time.Time

	mu    sync.RWMutex
	provs map[string]*provEntry

	connLim sync.Map // connection name -> *rate.Limiter
	keyLim  sync.Map // principal name -> *rate.Limiter

	callLog callLog
}

type provEntry struct {
	orig     connector.Provider
	p        connector.Provider
	spec     *connector.Spec
	policies *policy.Set
	routes   opRoutes // the pass-through's operation table
	base     *url.URL // the pass-through's base URL, or baseErr
	baseErr  error
}

// New returns a gateway. It has no side effects.
func New(o Options) (*Gateway, error) {
	if o.Connections == nil || o.Keys == nil || o.Connectors == nil {
		return nil, errors.New("gateway: Connections, Keys and Connectors are required")
	}
	g := &Gateway{o: o, conns: o.Connections, keys: o.Keys, client: o.Client, log: o.Logger, now: o.Now, provs: map[string]*provEntry{}}
	if g.client == nil {
		g.client = g.o.Egress.NewClient(0)
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.o.AdminPrincipal == "" {
		g.o.AdminPrincipal = "admin"
	}
	if g.o.CallLogSize <= 0 {
		g.o.CallLogSize = 200
	}
	if g.o.MaxBodyBytes <= 0 {
		g.o.MaxBodyBytes = 16 << 20
	}
	g.callLog.g = g
	return g, nil
}

// Close stores the call records still queued and stops the call log
// writer. It is idempotent; calls after Close record synchronously.
func (g *Gateway) Close(ctx context.Context) error { return g.callLog.shutdown(ctx) }

// FlushCalls waits until the call records queued so far are stored.
func (g *Gateway) FlushCalls(ctx context.Context) { g.callLog.flush(ctx) }

// Client returns the egress-checked HTTP client of connector calls (also
// right for OAuth token endpoints).
func (g *Gateway) Client() *http.Client { return g.client }

// Error is a gateway refusal: an HTTP status, a stable code and a
// message without secrets.
type Error struct {
	Status     int
	Code       string
	Detail     string
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Detail + ": " + e.Err.Error()
	}
	return e.Code + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.Err }

// provider returns the provider of a connector, rebuilding imported REST
// providers over the egress client.
func (g *Gateway) provider(id string) (*provEntry, error) {
	orig, ok := g.o.Connectors(id)
	if !ok {
		return nil, &Error{Status: http.StatusNotFound, Code: "ConnectorNotFound", Detail: fmt.Sprintf("connector %q does not exist", id)}
	}
	comparable := reflect.TypeOf(orig).Comparable()
	if comparable {
		g.mu.RLock()
		e := g.provs[id]
		g.mu.RUnlock()
		if e != nil && e.orig == orig {
			return e, nil
		}
	}
	_, isRest := orig.(*rest.Provider)
	spec := orig.Spec()
	e := &provEntry{orig: orig, p: orig, spec: &spec, policies: policy.New(spec.Policies, policy.Options{Logger: g.log}), routes: newOpRoutes(&spec)}
	e.base, e.baseErr = baseURL(e.spec)
	switch {
	case g.o.ProviderFactory != nil:
		if p := g.o.ProviderFactory(id, orig, g.client); p != nil {
			e.p = p
		}
	case isRest:
		e.p = rest.New(e.spec, rest.Options{Client: g.client, Logger: g.log})
	}
	if comparable {
		g.mu.Lock()
		g.provs[id] = e
		g.mu.Unlock()
	}
	return e, nil
}

func (g *Gateway) limiter(m *sync.Map, key string, r float64, burst int) *rate.Limiter {
	if v, ok := m.Load(key); ok {
		return v.(*rate.Limiter)
	}
	if burst <= 0 {
		burst = int(math.Max(1, math.Ceil(r)))
	}
	v, _ := m.LoadOrStore(key, rate.NewLimiter(rate.Limit(r), burst))
	return v.(*rate.Limiter)
}

// admit takes one token from the connection's and the caller's buckets,
// or returns a 429 *Error with the wait.
func (g *Gateway) admit(caller connection.Principal, conn string) error {
	now := g.now()
	var taken []*rate.Reservation
	check := func(m *sync.Map, key string, r float64, burst int, what func() string) error {
		if r <= 0 {
			return nil
		}
		res := g.limiter(m, key, r, burst).ReserveN(now, 1)
		d := res.DelayFrom(now)
		if !res.OK() || d > 0 {
			if res.OK() {
				res.CancelAt(now)
			} else {
				d = time.Second
			}
			for _, t := range taken {
				t.CancelAt(now)
			}
			return &Error{Status: http.StatusTooManyRequests, Code: "TooManyRequests", RetryAfter: d,
				Detail: fmt.Sprintf("the rate limit of %s is exceeded: retry after %s", what(), retrySeconds(d))}
		}
		taken = append(taken, res)
		return nil
	}
	// The names are formatted only for a refusal: admit runs on every call.
	if err := check(&g.connLim, conn, g.o.Limits.PerConnection, g.o.Limits.ConnectionBurst, func() string { return fmt.Sprintf("connection %q", conn) }); err != nil {
		return err
	}
	return check(&g.keyLim, caller.Name, g.o.Limits.PerKey, g.o.Limits.KeyBurst, func() string { return fmt.Sprintf("caller %q", caller.Name) })
}

func retrySeconds(d time.Duration) string {
	s := int(math.Ceil(d.Seconds()))
	if s < 1 {
		s = 1
	}
	return fmt.Sprintf("%ds", s)
}

// Invoke calls operation operationID of connection connectionName for
// caller through the whole pipeline. Like a REST provider, on an HTTP
// status of 400 or more it returns the answer and a *connector.Error.
// Refusals are a *Error (429 rate limit) or a *connection.Error (not
// found, forbidden, unauthenticated connection).
func (g *Gateway) Invoke(ctx context.Context, caller connection.Principal, connectionName, operationID string, in connector.Input) (connector.Output, error) {
	return g.run(ctx, caller, connectionName, operationID, func(pe *provEntry) error {
		if _, ok := pe.spec.Operation(operationID); !ok {
			if _, isRest := pe.orig.(*rest.Provider); isRest || len(pe.spec.Operations) > 0 {
				return &Error{Status: http.StatusNotFound, Code: "OperationNotFound",
					Detail: fmt.Sprintf("connector %s has no operation %q", pe.spec.ID, operationID)}
			}
		}
		return nil
	}, func(pe *provEntry, conn connector.Connection) (connector.Output, error) {
		return pe.p.Invoke(ctx, conn, operationID, in)
	})
}

// Poll runs one poll of polling trigger operationID of connection
// connectionName through the pipeline, as [Gateway.Invoke] runs an
// action: access check, rate limits, credentials (an OAuth token
// refreshed once after a 401), health and a call record.
func (g *Gateway) Poll(ctx context.Context, caller connection.Principal, connectionName, operationID string, in connector.Input, state json.RawMessage) (connector.PollResult, error) {
	var res connector.PollResult
	_, err := g.run(ctx, caller, connectionName, operationID, nil, func(pe *provEntry, conn connector.Connection) (connector.Output, error) {
		pl, ok := pe.p.(connector.Poller)
		if !ok {
			return connector.Output{}, connector.Errorf(connector.KindBadRequest, "connector %s has no polling triggers", pe.spec.ID)
		}
		var err error
		res, err = pl.Poll(ctx, conn, operationID, in, state)
		return statusOutput(err), err
	})
	return res, err
}

// Subscribe subscribes webhook trigger operationID of connection
// connectionName to callbackURL through the pipeline.
func (g *Gateway) Subscribe(ctx context.Context, caller connection.Principal, connectionName, operationID string, in connector.Input, callbackURL string) (connector.Subscription, error) {
	var sub connector.Subscription
	_, err := g.run(ctx, caller, connectionName, operationID, nil, func(pe *provEntry, conn connector.Connection) (connector.Output, error) {
		sb, ok := pe.p.(connector.Subscriber)
		if !ok {
			return connector.Output{}, connector.Errorf(connector.KindBadRequest, "connector %s has no webhook triggers", pe.spec.ID)
		}
		var err error
		sub, err = sb.Subscribe(ctx, conn, operationID, in, callbackURL)
		return statusOutput(err), err
	})
	return sub, err
}

// Unsubscribe ends a webhook subscription of connection connectionName
// through the pipeline.
func (g *Gateway) Unsubscribe(ctx context.Context, caller connection.Principal, connectionName string, sub connector.Subscription) error {
	_, err := g.run(ctx, caller, connectionName, "Unsubscribe", nil, func(pe *provEntry, conn connector.Connection) (connector.Output, error) {
		sb, ok := pe.p.(connector.Subscriber)
		if !ok {
			return connector.Output{}, connector.Errorf(connector.KindBadRequest, "connector %s has no webhook triggers", pe.spec.ID)
		}
		err := sb.Unsubscribe(ctx, conn, sub)
		return statusOutput(err), err
	})
	return err
}

// Cleanup runs the clean-up of a polling trigger's stored items
// (afterRead: delete, move, mark as read) through the pipeline.
func (g *Gateway) Cleanup(ctx context.Context, caller connection.Principal, connectionName, operationID string, in connector.Input, items []any) error {
	_, err := g.run(ctx, caller, connectionName, operationID+" (cleanup)", nil, func(pe *provEntry, conn connector.Connection) (connector.Output, error) {
		cl, ok := pe.p.(connector.Cleaner)
		if !ok {
			return connector.Output{}, connector.Errorf(connector.KindBadRequest, "connector %s does not clean up after its triggers", pe.spec.ID)
		}
		err := cl.Cleanup(ctx, conn, operationID, in, items)
		return statusOutput(err), err
	})
	return err
}

// statusOutput is the output of a call that returns no HTTP answer: the
// status its error carries, or 200.
func statusOutput(err error) connector.Output {
	if err == nil {
		return connector.Output{StatusCode: http.StatusOK}
	}
	var ce *connector.Error
	if errors.As(err, &ce) {
		return connector.Output{StatusCode: ce.StatusCode}
	}
	return connector.Output{}
}

// run is the pipeline around one call of connection name: access check,
// rate limits, the connector (check, when set, may refuse the call before
// it is made), credentials with an OAuth refresh after a 401, health and
// a call record labelled operation.
func (g *Gateway) run(ctx context.Context, caller connection.Principal, name, operation string, check func(*provEntry) error, fn func(*provEntry, connector.Connection) (connector.Output, error)) (connector.Output, error) {
	start := g.now()
	c, err := g.conns.Authorize(ctx, caller, name)
	if err != nil {
		return connector.Output{}, err
	}
	if err := g.admit(caller, name); err != nil {
		g.record(ctx, &connection.Call{Connection: name, Operation: operation, Status: http.StatusTooManyRequests, Caller: caller.Name, At: start, Error: "throttled by the gateway"}, start)
		return connector.Output{}, err
	}
	pe, err := g.provider(c.ConnectorID)
	if err != nil {
		return connector.Output{}, err
	}
	if check != nil {
		if err := check(pe); err != nil {
			return connector.Output{}, err
		}
	}
	out, err := g.call(ctx, name, func(conn connector.Connection) (connector.Output, error) { return fn(pe, conn) })
	g.finish(ctx, c, pe, &connection.Call{Connection: name, Operation: operation, Status: out.StatusCode, Caller: caller.Name, At: start}, start, err)
	return out, err
}

// call resolves the connection's credentials and runs fn, refreshing an
// OAuth token once when the service answers 401.
func (g *Gateway) call(ctx context.Context, name string, fn func(connector.Connection) (connector.Output, error)) (connector.Output, error) {
	conn, err := g.conns.Resolve(ctx, name)
	if err != nil {
		return connector.Output{}, err
	}
	out, err := fn(conn)
	if err != nil && out.StatusCode == http.StatusUnauthorized && g.conns.UsesOAuth(ctx, name) {
		conn2, rerr := g.conns.RefreshAfterUnauthorized(ctx, name, conn)
		if rerr != nil {
			return connector.Output{}, rerr
		}
		out, err = fn(conn2)
	}
	return out, err
}

// finish updates health and records the call.
func (g *Gateway) finish(ctx context.Context, c *connection.Connection, pe *provEntry, rec *connection.Call, start time.Time, err error) {
	if err != nil {
		rec.Error = connector.KindOf(err).String() + ": " + err.Error()
		if rec.Status == 0 {
			var ee *EgressError
			if errors.As(err, &ee) {
				rec.Status = http.StatusForbidden
			}
		}
	}
	switch k := connector.KindOf(err); {
	case err == nil:
		g.conns.Report(ctx, c.Name, nil)
	case errors.Is(err, context.Canceled):
	case k == connector.KindBadRequest || k == connector.KindNotFound:
		// The caller's input, not the connection.
	default:
		var ce *connection.Error
		if !errors.As(err, &ce) { // the service already recorded its own failures
			g.conns.Report(ctx, c.Name, err)
		}
	}
	g.record(ctx, rec, start)
}

func (g *Gateway) record(ctx context.Context, rec *connection.Call, start time.Time) {
	rec.LatencyMS = float64(g.now().Sub(start).Microseconds()) / 1000
	if len(rec.Error) > 500 {
		rec.Error = rec.Error[:500] + "…"
	}
	g.callLog.add(rec)
}

// secretValues lists the clear secret values of a resolved connection, to
// scrub them from anything shown.
func secretValues(spec *connector.Spec, conn connector.Connection) []string {
	var out []string
	for name := range conn.Values {
		secret := false
		if cp, ok := spec.ConnectionParameter(name); ok && cp.Secret() {
			secret = true
		}
		ln := strings.ToLower(name)
		for _, w := range []string{"key", "secret", "token", "password"} {
			if strings.Contains(ln, w) {
				secret = true
			}
		}
		if s := conn.String(name); secret && len(s) >= 4 {
			out = append(out, s)
		}
	}
	return out
}

func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, connection.Mask)
	}
	return s
}
