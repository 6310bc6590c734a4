// SPDX-License-Identifier: Apache-2.0

package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/connection"
	"github.com/junction-run/junction/internal/gateway"
)

// WorkflowPrincipal is the principal of workflow calls through the
// gateway. Workflows have no owner of their own yet: they are deployed
// with the admin key, so they act as the admin (any connection may be
// used by a workflow).
var WorkflowPrincipal = connection.Principal{Name: "admin", Role: connection.RoleAdmin}

// GatewayConnections resolves workflow connection references to
// connections of the server and calls their operations through the
// gateway in process, so workflow calls get the same pipeline as outside
// calls: access check, rate limits, policies, credential injection, call
// records and health.
type GatewayConnections struct {
	gw        *gateway.Gateway
	svc       *connection.Service
	lookup    func(id string) (connector.Provider, bool)
	principal connection.Principal
}

// NewGatewayConnections returns a resolver over a gateway and its
// connection service; lookup finds connectors by id (the catalogue's).
func NewGatewayConnections(gw *gateway.Gateway, svc *connection.Service, lookup func(id string) (connector.Provider, bool)) *GatewayConnections {
	return &GatewayConnections{gw: gw, svc: svc, lookup: lookup, principal: WorkflowPrincipal}
}

// Has reports whether the server has a connection named name.
func (g *GatewayConnections) Has(ctx context.Context, name string) bool {
	if !connection.ValidName(name) {
		return false
	}
	_, err := g.svc.Authorize(ctx, g.principal, name)
	return err == nil
}

// Resolve returns a provider whose calls go through the gateway with the
// connection's credentials, and a connector.Connection that carries only
// the name: the clear values never reach the engine.
func (g *GatewayConnections) Resolve(ctx context.Context, name string) (connector.Provider, connector.Connection, error) {
	c, err := g.svc.Authorize(ctx, g.principal, name)
	if err != nil {
		return nil, connector.Connection{}, fmt.Errorf("server connection '%s': %w", name, err)
	}
	orig, ok := g.lookup(c.ConnectorID)
	if !ok {
		return nil, connector.Connection{}, fmt.Errorf("server connection '%s': its connector '%s' is not in the catalogue", name, c.ConnectorID)
	}
	gp := &gatewayProvider{g: g, orig: orig, spec: orig.Spec(), name: name}
	if _, ok := orig.(connector.Cleaner); ok {
		// Only then: the dispatcher keeps items for Cleanup when the
		// provider is a Cleaner.
		return &gatewayCleaner{gp}, connector.Connection{Name: name}, nil
	}
	return gp, connector.Connection{Name: name}, nil
}

// gatewayProvider calls one server connection through the gateway.
type gatewayProvider struct {
	g    *GatewayConnections
	orig connector.Provider
	spec connector.Spec
	name string
}

func (p *gatewayProvider) Spec() connector.Spec { return p.spec }

func (p *gatewayProvider) Invoke(ctx context.Context, _ connector.Connection, operationID string, in connector.Input) (connector.Output, error) {
	out, err := p.g.gw.Invoke(ctx, p.g.principal, p.name, operationID, in)
	return out, classify(err)
}

// Poll, Subscribe, Unsubscribe and Cleanup serve triggers through the
// gateway's pipeline too: access check, rate limits, credentials (OAuth
// refreshed once after a 401), health and a call record.
func (p *gatewayProvider) Poll(ctx context.Context, _ connector.Connection, operationID string, in connector.Input, state json.RawMessage) (connector.PollResult, error) {
	res, err := p.g.gw.Poll(ctx, p.g.principal, p.name, operationID, in, state)
	return res, classify(err)
}

func (p *gatewayProvider) Subscribe(ctx context.Context, _ connector.Connection, operationID string, in connector.Input, callbackURL string) (connector.Subscription, error) {
	sub, err := p.g.gw.Subscribe(ctx, p.g.principal, p.name, operationID, in, callbackURL)
	return sub, classify(err)
}

func (p *gatewayProvider) Unsubscribe(ctx context.Context, _ connector.Connection, sub connector.Subscription) error {
	return classify(p.g.gw.Unsubscribe(ctx, p.g.principal, p.name, sub))
}

// Listen serves listener push triggers (amqp OnMessage) with the
// connection's resolved credentials: a listener holds its connection for
// as long as the workflow is enabled, which is not one call to record.
func (p *gatewayProvider) Listen(ctx context.Context, _ connector.Connection, operationID string, in connector.Input, deliver connector.DeliverFunc) error {
	ln, ok := p.orig.(connector.Listener)
	if !ok {
		return &connector.Error{Kind: connector.KindBadRequest, Message: fmt.Sprintf("connector %s has no listener triggers", p.spec.ID)}
	}
	if _, err := p.g.svc.Authorize(ctx, p.g.principal, p.name); err != nil {
		return err
	}
	conn, err := p.g.svc.Resolve(ctx, p.name)
	if err != nil {
		return err
	}
	return ln.Listen(ctx, conn, operationID, in, deliver)
}

// gatewayCleaner is a gatewayProvider whose connector cleans up after its
// trigger items are stored (afterRead: delete, move, markAsRead...).
type gatewayCleaner struct{ *gatewayProvider }

func (p *gatewayCleaner) Cleanup(ctx context.Context, _ connector.Connection, operationID string, in connector.Input, items []any) error {
	return classify(p.g.gw.Cleanup(ctx, p.g.principal, p.name, operationID, in, items))
}

// classify turns gateway refusals into connector errors the engine's
// retry policy understands (a 429 of the gateway is throttling).
func classify(err error) error {
	var ge *gateway.Error
	if err == nil || !errors.As(err, &ge) {
		return err
	}
	kind := connector.KindUnknown
	switch {
	case ge.Status == 429:
		kind = connector.KindThrottled
	case ge.Status == 404:
		kind = connector.KindNotFound
	case ge.Status >= 400 && ge.Status < 500:
		kind = connector.KindBadRequest
	case ge.Status >= 500:
		kind = connector.KindRetryable
	}
	return &connector.Error{Kind: kind, RetryAfter: ge.RetryAfter, Message: ge.Code + ": " + ge.Detail, Err: err}
}

var (
	_ connector.Poller     = (*gatewayProvider)(nil)
	_ connector.Subscriber = (*gatewayProvider)(nil)
	_ connector.Listener   = (*gatewayProvider)(nil)
	_ connector.Cleaner    = (*gatewayCleaner)(nil)
)
