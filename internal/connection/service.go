// SPDX-License-Identifier: Apache-2.0

package connection

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/junction-run/junction/connector"
)

// Options configure a [Service].
type Options struct {
	// Store persists connections; required.
	Store Store
	// Keyring seals secrets; required.
	Keyring *Keyring
	// Connectors looks up a connector by id; required.
	Connectors func(id string) (connector.Provider, bool)
	// Logger receives Warn logs (failed health writes ...); nil discards.
	Logger *slog.Logger
	// Now is the clock; nil uses time.Now.
	Now func() time.Time
	// HTTPClient calls token endpoints; nil uses a client with a 30 s
	// timeout. The gateway passes its egress-checked client.
	HTTPClient *http.Client
	// RedirectURL is the OAuth redirect URL (the server's /oauth/callback).
	RedirectURL string
	// ConsentTTL bounds how long a consent may take; 0 means 10 minutes.
	ConsentTTL time.Duration
	// RefreshMargin is the longest time before expiry at which a token is
	// refreshed; 0 means 5 minutes. A token is also refreshed within the
	// last tenth of its lifetime.
	RefreshMargin time.Duration
	// CacheTTL bounds how long resolved connections are kept in memory
	// between store reads; 0 means 5 seconds, negative disables the cache.
	CacheTTL time.Duration
}

// Service manages connections. It is safe for concurrent use.
type Service struct {
	o      Options
	store  Store
	kr     *Keyring
	log    *slog.Logger
	now    func() time.Time
	client *http.Client

	locks sync.Map // name -> *sync.Mutex

	cacheMu sync.RWMutex
	cache   map[string]*cached
}

type cached struct {
	conn   *Connection
	values map[string]any // opened non-OAuth secrets and clear values
	until  time.Time
}

// NewService returns a service. It has no side effects.
func NewService(o Options) (*Service, error) {
	if o.Store == nil || o.Keyring == nil || o.Connectors == nil {
		return nil, errors.New("connection service: Store, Keyring and Connectors are required")
	}
	s := &Service{o: o, store: o.Store, kr: o.Keyring, log: o.Logger, now: o.Now, client: o.HTTPClient, cache: map[string]*cached{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 30 * time.Second}
	}
	if s.o.ConsentTTL <= 0 {
		s.o.ConsentTTL = 10 * time.Minute
	}
	if s.o.RefreshMargin <= 0 {
		s.o.RefreshMargin = 5 * time.Minute
	}
	if s.o.CacheTTL == 0 {
		s.o.CacheTTL = 5 * time.Second
	}
	return s, nil
}

// Keyring returns the service's keyring.
func (s *Service) Keyring() *Keyring { return s.kr }

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

func (s *Service) lock(name string) func() {
	m, _ := s.locks.LoadOrStore(name, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

func (s *Service) invalidate(name string) {
	s.cacheMu.Lock()
	delete(s.cache, name)
	s.cacheMu.Unlock()
}

// aad binds a sealed value to its connection and parameter.
func aad(conn, param string) string { return conn + "\x00" + param }

// Token and verifier pseudo-parameter names (not valid parameter names).
const (
	aadToken    = "#oauth:token"
	aadVerifier = "#oauth:verifier"
)

// PutInput is the body of a connection PUT.
type PutInput struct {
	Connector  string         `json:"connector"`
	Parameters map[string]any `json:"parameters"`
	SharedWith []string       `json:"sharedWith"`
	// ParameterSet chooses a parameter set; optional when the parameters
	// fit only one.
	ParameterSet string `json:"parameterSet,omitempty"`
}

func notFound(name string) *Error {
	return &Error{Code: CodeNotFound, Kind: connector.KindNotFound, Msg: fmt.Sprintf("connection %q does not exist", name), Err: ErrNotFound}
}

func forbidden(p Principal, name, what string) *Error {
	return &Error{Code: CodeForbidden, Kind: connector.KindUnauthenticated, Msg: fmt.Sprintf("principal %q may not %s connection %q", p.Name, what, name)}
}

// lookup returns the spec of a connector.
func (s *Service) lookup(id string) (*connector.Spec, connector.Provider, error) {
	p, ok := s.o.Connectors(id)
	if !ok {
		return nil, nil, &Error{Code: "ConnectorNotFound", Kind: connector.KindBadRequest, Msg: fmt.Sprintf("connector %q does not exist", id)}
	}
	spec := p.Spec()
	return &spec, p, nil
}

// Put creates or replaces connection name for principal p. The creator
// becomes the owner; only the owner or an admin may replace it. A secret
// parameter given as "***" keeps its stored value. It reports whether the
// connection was created.
func (s *Service) Put(ctx context.Context, p Principal, name string, in PutInput) (View, bool, error) {
	if err := checkName("connection", name); err != nil {
		return View{}, false, err
	}
	if in.Connector == "" {
		return View{}, false, invalidParam("", "\"connector\" is required")
	}
	spec, _, err := s.lookup(in.Connector)
	if err != nil {
		return View{}, false, err
	}
	shared := make([]string, 0, len(in.SharedWith))
	for _, sw := range in.SharedWith {
		if err := checkName("principal", sw); err != nil {
			return View{}, false, err
		}
		if !slices.Contains(shared, sw) {
			shared = append(shared, sw)
		}
	}
	v, err := validate(spec, in.ParameterSet, in.Parameters)
	if err != nil {
		return View{}, false, err
	}
	unlock := s.lock(name)
	defer unlock()
	old, err := s.store.GetConnection(ctx, name)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return View{}, false, fmt.Errorf("reading connection %q: %w", name, err)
	}
	if old != nil && !old.Manages(p) {
		if !old.Allows(p) {
			return View{}, false, forbidden(p, name, "use")
		}
		return View{}, false, forbidden(p, name, "change")
	}
	now := s.now().UTC()
	c := &Connection{
		Name: name, ConnectorID: spec.ID, Owner: p.Name, SharedWith: shared, ParameterSet: v.set,
		Values: v.values, Sealed: map[string]string{}, OAuthParam: v.oauthParam,
		Health: Health{State: StateUnknown}, Created: now, Updated: now,
	}
	if old != nil {
		c.Owner, c.Created = old.Owner, old.Created
		if old.ConnectorID == c.ConnectorID && old.OAuthParam == c.OAuthParam {
			c.Token, c.TokenExpiry = old.Token, old.TokenExpiry
		}
	}
	for pn, val := range v.secrets {
		if s, ok := val.(string); ok && s == Mask {
			if old == nil || old.ConnectorID != c.ConnectorID || old.Sealed[pn] == "" {
				return View{}, false, invalidParam(pn, "parameter %q: %q keeps the stored value, but there is none", pn, Mask)
			}
			c.Sealed[pn] = old.Sealed[pn]
			continue
		}
		b, err := json.Marshal(val)
		if err != nil {
			return View{}, false, invalidParam(pn, "parameter %q: cannot be encoded", pn)
		}
		env, err := s.kr.Seal(b, aad(name, pn))
		if err != nil {
			return View{}, false, fmt.Errorf("sealing parameter %q: %w", pn, err)
		}
		c.Sealed[pn] = env
	}
	if c.Token != "" {
		c.Health = old.Health
	}
	if err := s.store.PutConnection(ctx, c); err != nil {
		return View{}, false, fmt.Errorf("storing connection %q: %w", name, err)
	}
	s.invalidate(name)
	return c.View(), old == nil, nil
}

// Authorize returns the connection if p may use it: a [CodeNotFound] or
// [CodeForbidden] *Error otherwise.
func (s *Service) Authorize(ctx context.Context, p Principal, name string) (*Connection, error) {
	e, err := s.entry(ctx, name)
	if err != nil {
		return nil, err
	}
	if !e.conn.Allows(p) {
		return nil, forbidden(p, name, "use")
	}
	return e.conn, nil
}

// Get returns the view of connection name if p may use it.
func (s *Service) Get(ctx context.Context, p Principal, name string) (View, error) {
	c, err := s.get(ctx, name)
	if err != nil {
		return View{}, err
	}
	if !c.Allows(p) {
		return View{}, forbidden(p, name, "use")
	}
	return c.View(), nil
}

func (s *Service) get(ctx context.Context, name string) (*Connection, error) {
	c, err := s.store.GetConnection(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return nil, notFound(name)
	}
	if err != nil {
		return nil, fmt.Errorf("reading connection %q: %w", name, err)
	}
	return c, nil
}

// List returns the views of the connections p may use, by name.
func (s *Service) List(ctx context.Context, p Principal) ([]View, error) {
	all, err := s.store.ListConnections(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing connections: %w", err)
	}
	views := make([]View, 0, len(all))
	for _, c := range all {
		if c.Allows(p) {
			views = append(views, c.View())
		}
	}
	slices.SortFunc(views, func(a, b View) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return views, nil
}

// Delete removes connection name; only its owner or an admin may.
func (s *Service) Delete(ctx context.Context, p Principal, name string) error {
	unlock := s.lock(name)
	defer unlock()
	c, err := s.get(ctx, name)
	if err != nil {
		return err
	}
	if !c.Manages(p) {
		if !c.Allows(p) {
			return forbidden(p, name, "use")
		}
		return forbidden(p, name, "delete")
	}
	if err := s.store.DeleteConnection(ctx, name); err != nil {
		return fmt.Errorf("deleting connection %q: %w", name, err)
	}
	s.invalidate(name)
	return nil
}

// entry returns the cached connection with its opened values.
func (s *Service) entry(ctx context.Context, name string) (*cached, error) {
	now := s.now()
	if s.o.CacheTTL > 0 {
		s.cacheMu.RLock()
		e := s.cache[name]
		s.cacheMu.RUnlock()
		if e != nil && now.Before(e.until) {
			return e, nil
		}
	}
	c, err := s.get(ctx, name)
	if err != nil {
		return nil, err
	}
	values := make(map[string]any, len(c.Values)+len(c.Sealed))
	for k, v := range c.Values {
		values[k] = v
	}
	for k, env := range c.Sealed {
		if k == c.OAuthParam {
			continue
		}
		plain, err := s.kr.Open(env, aad(c.Name, k))
		if err != nil {
			return nil, &Error{Code: "SecretUnavailable", Kind: connector.KindUnknown, Param: k,
				Msg: fmt.Sprintf("connection %q: parameter %q cannot be opened", name, k), Err: err}
		}
		var val any
		if err := json.Unmarshal(plain, &val); err != nil {
			return nil, &Error{Code: "SecretUnavailable", Kind: connector.KindUnknown, Param: k,
				Msg: fmt.Sprintf("connection %q: parameter %q holds no JSON value", name, k)}
		}
		values[k] = val
	}
	e := &cached{conn: c, values: values, until: now.Add(s.o.CacheTTL)}
	if s.o.CacheTTL > 0 {
		s.cacheMu.Lock()
		s.cache[name] = e
		s.cacheMu.Unlock()
	}
	return e, nil
}

// Resolve returns connection name with clear values, for the gateway
// only: secrets opened and, for OAuth, a valid access token in the
// oauthSetting parameter (refreshed first when it is about to expire). A
// connection whose token cannot be had returns a
// [connector.KindUnauthenticated] *Error with code
// ConnectionUnauthenticated. Callers must not log or show the values;
// connector.Connection redacts itself in logs.
func (s *Service) Resolve(ctx context.Context, name string) (connector.Connection, error) {
	e, err := s.entry(ctx, name)
	if err != nil {
		return connector.Connection{}, err
	}
	values := make(map[string]any, len(e.values)+1)
	for k, v := range e.values {
		values[k] = v
	}
	if e.conn.OAuthParam != "" {
		tok, err := s.accessToken(ctx, e.conn, "")
		if err != nil {
			return connector.Connection{}, err
		}
		values[e.conn.OAuthParam] = tok
	}
	return connector.Connection{Name: name, Values: values}, nil
}

// RefreshAfterUnauthorized refreshes the OAuth token of connection name
// after the service refused stale (the access token that was sent), once:
// when another caller refreshed meanwhile, the newer token is used. It
// returns the connection with the new token, or an error when the
// connection has no OAuth or the refresh failed.
func (s *Service) RefreshAfterUnauthorized(ctx context.Context, name string, stale connector.Connection) (connector.Connection, error) {
	e, err := s.entry(ctx, name)
	if err != nil {
		return connector.Connection{}, err
	}
	if e.conn.OAuthParam == "" {
		return connector.Connection{}, errors.New("connection has no OAuth token to refresh")
	}
	tok, err := s.accessToken(ctx, e.conn, stale.String(e.conn.OAuthParam))
	if err != nil {
		return connector.Connection{}, err
	}
	values := make(map[string]any, len(e.values)+1)
	for k, v := range e.values {
		values[k] = v
	}
	values[e.conn.OAuthParam] = tok
	return connector.Connection{Name: name, Values: values}, nil
}

// UsesOAuth reports whether connection name takes an OAuth token.
func (s *Service) UsesOAuth(ctx context.Context, name string) bool {
	e, err := s.entry(ctx, name)
	return err == nil && e.conn.OAuthParam != ""
}

// Report updates the health of connection name from a call result: nil
// means connected, a [connector.KindUnauthenticated] error unauthenticated,
// any other error error. The message is stored as given: callers pass
// errors without secrets (connector errors are redacted).
func (s *Service) Report(ctx context.Context, name string, callErr error) {
	if callErr == nil && s.o.CacheTTL > 0 {
		// Fast path: a success after a recent success changes nothing.
		s.cacheMu.RLock()
		e := s.cache[name]
		s.cacheMu.RUnlock()
		if e != nil && e.conn.Health.State == StateConnected && s.now().Sub(e.conn.Health.CheckedAt) < time.Minute {
			return
		}
	}
	h := s.healthOf(callErr)
	unlock := s.lock(name)
	defer unlock()
	s.setHealth(ctx, name, h)
}

func (s *Service) healthOf(callErr error) Health {
	h := Health{State: StateConnected, CheckedAt: s.now().UTC()}
	if callErr != nil {
		h.State, h.LastError = StateError, callErr.Error()
		if connector.KindOf(callErr) == connector.KindUnauthenticated {
			h.State = StateUnauthenticated
		}
		var ce *Error
		if errors.As(callErr, &ce) {
			h.Code = ce.Code
		}
		if len(h.LastError) > 1000 {
			h.LastError = h.LastError[:1000] + "…"
		}
	}
	return h
}

// setHealth stores h; the caller holds the connection's lock. A success
// after a success is written at most once a minute.
func (s *Service) setHealth(ctx context.Context, name string, h Health) {
	c, err := s.store.GetConnection(ctx, name)
	if err != nil {
		return
	}
	if h.State == StateConnected && c.Health.State == StateConnected && h.CheckedAt.Sub(c.Health.CheckedAt) < time.Minute {
		return
	}
	c.Health = h
	c.Updated = h.CheckedAt
	if err := s.store.PutConnection(ctx, c); err != nil {
		s.log.Warn("storing connection health failed", slog.String("connection", name), slog.String("error", err.Error()))
		return
	}
	s.invalidate(name)
}

// Test checks connection name for p: its provider's Test when it has one,
// otherwise resolving its credentials (and OAuth token). The health is
// updated and returned; the error is about the check, not its result.
func (s *Service) Test(ctx context.Context, p Principal, name string) (Health, error) {
	c, err := s.Authorize(ctx, p, name)
	if err != nil {
		return Health{}, err
	}
	_, prov, err := s.lookup(c.ConnectorID)
	if err != nil {
		return Health{}, err
	}
	conn, testErr := s.Resolve(ctx, name)
	if testErr == nil {
		if t, ok := prov.(connector.Tester); ok {
			testErr = t.Test(ctx, conn)
		}
	}
	if ctx.Err() != nil {
		return Health{}, ctx.Err()
	}
	h := s.healthOf(testErr)
	unlock := s.lock(name)
	c2, err := s.store.GetConnection(ctx, name)
	if err == nil {
		c2.Health, c2.Updated = h, h.CheckedAt
		err = s.store.PutConnection(ctx, c2)
		s.invalidate(name)
	}
	unlock()
	if err != nil {
		return Health{}, fmt.Errorf("storing the health of connection %q: %w", name, err)
	}
	return h, nil
}

// RecordCalls appends calls to their connections' call logs, keeping the
// newest keep calls of each.
func (s *Service) RecordCalls(ctx context.Context, calls []*Call, keep int) error {
	return s.store.AddCalls(ctx, calls, keep)
}

// Calls returns the newest calls of connection name, if p may use it.
func (s *Service) Calls(ctx context.Context, p Principal, name string, limit int) ([]*Call, error) {
	if _, err := s.Authorize(ctx, p, name); err != nil {
		return nil, err
	}
	calls, err := s.store.ListCalls(ctx, name, limit)
	if err != nil {
		return nil, fmt.Errorf("reading the calls of connection %q: %w", name, err)
	}
	return calls, nil
}

// RotateResult says what a rotation did.
type RotateResult struct {
	// Key is the id of the key everything is now sealed with.
	Key string `json:"key"`
	// Retired are the key ids removed from the keyring (from the key file;
	// with JUNCTION_SECRET_KEY the operator removes them from
	// JUNCTION_SECRET_KEY_PREVIOUS).
	Retired []string `json:"retired"`
	// Connections is how many connections were re-sealed.
	Connections int `json:"connections"`
}

// Rotate re-seals every secret under a new master key. With a key file, a
// key is generated and the file holds old and new keys until every
// connection is re-sealed, then only the new one. With JUNCTION_SECRET_KEY,
// the new key must already be there (and the old one in
// JUNCTION_SECRET_KEY_PREVIOUS): everything is re-sealed under it. An
// interrupted rotation can be run again.
//
// Each of also runs after the connections are re-sealed and before the old
// keys are retired, with a function that re-seals one envelope (sealed
// with aad) under the current key: what else the keyring sealed (the
// engine's secure run data) moves to the new key too.
func (s *Service) Rotate(ctx context.Context, also ...func(ctx context.Context, reseal func(envelope, aad string) (string, error)) error) (RotateResult, error) {
	if !s.kr.FromEnv() {
		if _, err := s.kr.addNew(); err != nil {
			return RotateResult{}, fmt.Errorf("rotating the master key: %w", err)
		}
	}
	res := RotateResult{Key: s.kr.CurrentID()}
	all, err := s.store.ListConnections(ctx)
	if err != nil {
		return res, fmt.Errorf("rotating the master key: listing connections: %w", err)
	}
	for _, c0 := range all {
		if err := s.reseal(ctx, c0.Name); err != nil {
			return res, fmt.Errorf("rotating the master key: %w", err)
		}
		res.Connections++
	}
	for _, fn := range also {
		if err := fn(ctx, s.resealed); err != nil {
			return res, fmt.Errorf("rotating the master key: %w", err)
		}
	}
	retired, err := s.kr.retireOld()
	if err != nil {
		return res, fmt.Errorf("rotating the master key: retiring old keys: %w", err)
	}
	res.Retired = retired
	if res.Retired == nil {
		res.Retired = []string{}
	}
	return res, nil
}

// resealed returns env, sealed with aad, sealed under the current key (env
// itself when it already is).
func (s *Service) resealed(env, aad string) (string, error) {
	if id, _ := SealedWith(env); id == s.kr.CurrentID() {
		return env, nil
	}
	plain, err := s.kr.Open(env, aad)
	if err != nil {
		return "", err
	}
	defer clear(plain)
	return s.kr.Seal(plain, aad)
}

func (s *Service) reseal(ctx context.Context, name string) error {
	unlock := s.lock(name)
	defer unlock()
	c, err := s.store.GetConnection(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading connection %q: %w", name, err)
	}
	redo := func(env, param string) (string, error) {
		out, err := s.resealed(env, aad(name, param))
		if err != nil {
			return "", fmt.Errorf("connection %q, parameter %q: %w", name, param, err)
		}
		return out, nil
	}
	for k, env := range c.Sealed {
		if c.Sealed[k], err = redo(env, k); err != nil {
			return err
		}
	}
	if c.Token != "" {
		if c.Token, err = redo(c.Token, aadToken); err != nil {
			return err
		}
	}
	if err := s.store.PutConnection(ctx, c); err != nil {
		return fmt.Errorf("storing connection %q: %w", name, err)
	}
	s.invalidate(name)
	return nil
}
