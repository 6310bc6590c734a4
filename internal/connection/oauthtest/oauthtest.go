// SPDX-License-Identifier: Apache-2.0

// Package oauthtest runs a real OAuth 2.0 authorization server
// (github.com/go-oauth2/oauth2/v4, in-memory stores) on loopback for
// tests, with a protected resource that checks bearer tokens against it.
// The authorize endpoint approves every request as user "alice", so a
// test drives consent with a plain HTTP client.
package oauthtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/go-oauth2/oauth2/v4/server"
	"github.com/go-oauth2/oauth2/v4/store"
)

// Client credentials registered at the server.
const (
	ClientID     = "junction-test"
	ClientSecret = "client-secret-5b1f0c9e7d"
)

// Server is a running authorization server.
type Server struct {
	*httptest.Server
	Manager *manage.Manager
	OAuth   *server.Server
	clients *store.ClientStore
	// Refreshes counts refresh_token grants; Tokens counts all token
	// requests.
	Refreshes, Tokens atomic.Int64
	// ResourceCalls counts calls to the protected resource.
	ResourceCalls atomic.Int64
}

// Options configure [Start].
type Options struct {
	// AccessTokenExp is the access token lifetime; 0 means 10 minutes.
	AccessTokenExp time.Duration
	// RedirectDomain is the registered redirect base, e.g.
	// "http://127.0.0.1:1234".
	RedirectDomain string
}

// Start runs a server until the test ends. Endpoints: /authorize, /token,
// and /api/me (the protected resource: 200 {"user": ...} for a valid
// bearer token, 401 otherwise).
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	if o.AccessTokenExp == 0 {
		o.AccessTokenExp = 10 * time.Minute
	}
	m := manage.NewDefaultManager()
	m.SetAuthorizeCodeTokenCfg(&manage.Config{AccessTokenExp: o.AccessTokenExp, RefreshTokenExp: 24 * time.Hour, IsGenerateRefresh: true})
	m.SetRefreshTokenCfg(&manage.RefreshingConfig{AccessTokenExp: o.AccessTokenExp, RefreshTokenExp: 24 * time.Hour,
		IsGenerateRefresh: true, IsRemoveAccess: true, IsRemoveRefreshing: true})
	m.SetClientTokenCfg(&manage.Config{AccessTokenExp: o.AccessTokenExp})
	m.MustTokenStorage(store.NewMemoryTokenStore())
	cs := store.NewClientStore()
	dom := o.RedirectDomain
	if dom == "" {
		dom = "http://127.0.0.1"
	}
	if err := cs.Set(ClientID, &models.Client{ID: ClientID, Secret: ClientSecret, Domain: dom}); err != nil {
		t.Fatal(err)
	}
	m.MapClientStorage(cs)
	srv := server.NewDefaultServer(m)
	srv.Config.ForcePKCE = true
	srv.SetUserAuthorizationHandler(func(w http.ResponseWriter, r *http.Request) (string, error) { return "alice", nil })
	s := &Server{Manager: m, OAuth: srv, clients: cs}
	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		if err := srv.HandleAuthorizeRequest(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		s.Tokens.Add(1)
		if r.FormValue("grant_type") == "refresh_token" {
			s.Refreshes.Add(1)
		}
		_ = srv.HandleTokenRequest(w, r)
	})
	mux.HandleFunc("/api/me", func(w http.ResponseWriter, r *http.Request) {
		s.ResourceCalls.Add(1)
		ti, err := srv.ValidationBearerToken(r)
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_token"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"user": ti.GetUserID(), "client": ti.GetClientID()})
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// Approve follows a consent URL as an approving user and returns the
// state and code from the redirect to the client, without following it.
func (s *Server) Approve(t testing.TB, consentURL string) (state, code string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(consentURL)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize answered %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := loc.Query()
	if q.Get("error") != "" {
		t.Fatalf("authorize refused: %s %s", q.Get("error"), q.Get("error_description"))
	}
	return q.Get("state"), q.Get("code")
}

// RevokeFor removes the refresh token issued with access token access, so
// that the next refresh fails with invalid_grant.
func (s *Server) RevokeFor(t testing.TB, access string) {
	t.Helper()
	ctx := context.Background()
	ti, err := s.Manager.LoadAccessToken(ctx, access)
	if err != nil {
		t.Fatalf("loading access token: %v", err)
	}
	if err := s.Manager.RemoveRefreshToken(ctx, ti.GetRefresh()); err != nil {
		t.Fatalf("removing refresh token: %v", err)
	}
}

// RevokeAccess removes an access token, so that the resource answers 401.
func (s *Server) RevokeAccess(t testing.TB, access string) {
	t.Helper()
	if err := s.Manager.RemoveAccessToken(context.Background(), access); err != nil {
		t.Fatalf("removing access token: %v", err)
	}
}

// SetRedirectDomain registers the redirect base of the client, e.g.
// "http://127.0.0.1:1234" (the redirect URL must be on that host).
func (s *Server) SetRedirectDomain(t testing.TB, dom string) {
	t.Helper()
	if err := s.clients.Set(ClientID, &models.Client{ID: ClientID, Secret: ClientSecret, Domain: dom}); err != nil {
		t.Fatal(err)
	}
}
