// SPDX-License-Identifier: Apache-2.0

package gateway_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/connection"
	"github.com/junction-run/junction/internal/connection/oauthtest"
	"github.com/junction-run/junction/internal/gateway"
)

func idpSpec(as *oauthtest.Server) *connector.Spec {
	return &connector.Spec{
		ID: "idp", Title: "IdP", BaseURL: as.URL,
		Auth: []connector.Auth{{Kind: connector.AuthOAuth2, Parameter: "token"}},
		ConnectionParameters: []connector.ConnectionParameter{{Name: "token", Type: connector.TypeOAuthSetting, OAuth: &connector.OAuthSetting{
			IdentityProvider: "oauth2", ClientID: oauthtest.ClientID, Scopes: []string{"read"},
			CustomParameters: map[string]string{"authorizationUrlTemplate": as.URL + "/authorize", "tokenUrlTemplate": as.URL + "/token"},
		}}},
		Operations: []connector.Operation{{ID: "Me", Kind: connector.KindAction, Method: http.MethodGet, Path: "/api/me"}},
	}
}

func TestOAuthThroughGateway(t *testing.T) {
	t.Parallel()
	as := oauthtest.Start(t, oauthtest.Options{AccessTokenExp: time.Hour})
	f := newFixture(t, []*connector.Spec{idpSpec(as)}, gateway.Options{}, connection.Options{})
	as.SetRedirectDomain(t, f.srv.URL)
	alice := f.createKey(t, "alice", "user")
	f.answers = nil
	ctx := context.Background()
	if st, _, body := f.do(t, http.MethodPut, "/api/connections/me", alice, map[string]any{"connector": "idp", "parameters": map[string]any{"token": map[string]any{"clientSecret": oauthtest.ClientSecret}}}); st != 201 {
		t.Fatalf("PUT: %d %s", st, body)
	}
	invoke := func() (int, map[string]any) {
		st, _, body := f.do(t, http.MethodPost, "/api/connections/me/invoke/Me", alice, nil)
		return st, decode(t, body)
	}
	if st, p := invoke(); st != http.StatusFailedDependency || p["code"] != "ConnectionUnauthenticated" || !strings.Contains(p["detail"].(string), "complete the consent") {
		t.Fatalf("before consent: %d %v", st, p)
	}

	// Consent through the gateway's routes.
	st, _, body := f.do(t, http.MethodPost, "/api/connections/me/consent", alice, nil)
	if st != 200 {
		t.Fatalf("consent: %d %s", st, body)
	}
	state, code := as.Approve(t, decode(t, body)["url"].(string))
	if st, _, _ := f.do(t, http.MethodGet, "/oauth/callback?state=forged&code="+url.QueryEscape(code), "", nil); st != http.StatusBadRequest {
		t.Fatalf("forged state: %d", st)
	}
	st, _, body = f.do(t, http.MethodGet, "/oauth/callback?state="+url.QueryEscape(state)+"&code="+url.QueryEscape(code), "", nil)
	if st != 200 || decode(t, body)["state"] != "connected" {
		t.Fatalf("callback: %d %s", st, body)
	}
	if st, p := invoke(); st != 200 || p["statusCode"].(float64) != 200 || p["body"].(map[string]any)["user"] != "alice" {
		t.Fatalf("invoke after consent: %d %v", st, p)
	}
	if st, _, body := f.do(t, http.MethodGet, "/apim/idp/me/api/me", alice, nil); st != 200 || decode(t, body)["user"] != "alice" {
		t.Fatalf("pass-through: %d %s", st, body)
	}

	// The service refuses the token (revoked early): one refresh, one retry.
	var seen []string
	conn, err := f.svc.Resolve(ctx, "me")
	if err != nil {
		t.Fatal(err)
	}
	seen = append(seen, conn.String("token"))
	as.RevokeAccess(t, conn.String("token"))
	if st, p := invoke(); st != 200 || p["statusCode"].(float64) != 200 || as.Refreshes.Load() != 1 {
		t.Fatalf("invoke after a 401: %d %v (refreshes %d)", st, p, as.Refreshes.Load())
	}
	conn, _ = f.svc.Resolve(ctx, "me")
	seen = append(seen, conn.String("token"))
	as.RevokeAccess(t, conn.String("token"))
	if st, _, _ := f.do(t, http.MethodGet, "/apim/idp/me/api/me", alice, nil); st != 200 || as.Refreshes.Load() != 2 {
		t.Fatalf("pass-through after a 401: %d (refreshes %d)", st, as.Refreshes.Load())
	}

	// The refresh fails: the call fails visibly and the connection is
	// unauthenticated.
	conn, _ = f.svc.Resolve(ctx, "me")
	tok := conn.String("token")
	ti, err := as.Manager.LoadAccessToken(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	seen = append(seen, tok, ti.GetRefresh())
	as.RevokeFor(t, tok)
	as.RevokeAccess(t, tok)
	st, p := invoke()
	if st != http.StatusFailedDependency || p["code"] != "ConnectionUnauthenticated" || !strings.Contains(p["detail"].(string), `refreshing the token of connection "me" failed`) {
		t.Fatalf("failed refresh: %d %v", st, p)
	}
	_, _, body = f.do(t, http.MethodGet, "/api/connections/me", alice, nil)
	if h := decode(t, body)["health"].(map[string]any); h["state"] != "unauthenticated" || h["code"] != "ConnectionUnauthenticated" {
		t.Fatalf("health: %v", h)
	}
	_, _, body = f.do(t, http.MethodGet, "/api/connections/me/calls", alice, nil)
	if !strings.Contains(string(body), "ConnectionUnauthenticated") {
		t.Fatalf("calls: %s", body)
	}
	f.assertNoSecret(t, append(seen, oauthtest.ClientSecret)...)
}

func TestRotationKeepsGatewayWorking(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	as := oauthtest.Start(t, oauthtest.Options{AccessTokenExp: time.Hour})
	specs := []*connector.Spec{importContoso(t, strings.TrimPrefix(up.URL, "http://")), idpSpec(as)}
	dir := t.TempDir()
	f := newFixtureIn(t, dir, specs, gateway.Options{}, connection.Options{})
	ctx := context.Background()
	alice := connection.Principal{Name: "alice", Role: connection.RoleUser}
	if _, _, err := f.svc.Put(ctx, alice, "key", connection.PutInput{Connector: "contoso", Parameters: map[string]any{"api_key": secret}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Put(ctx, alice, "cc", connection.PutInput{Connector: "idp", Parameters: map[string]any{"token": map[string]any{"clientSecret": oauthtest.ClientSecret, "grantType": "client_credentials"}}}); err != nil {
		t.Fatal(err)
	}
	check := func(f *fixture) {
		t.Helper()
		if out, err := f.gw.Invoke(ctx, alice, "key", "GetItem", connector.Input{Parameters: map[string]any{"id": "1"}}); err != nil || up.last(t).Header.Get("X-Api-Key") != secret {
			t.Fatalf("api key connection: %+v %v", out, err)
		}
		if out, err := f.gw.Invoke(ctx, alice, "cc", "Me", connector.Input{}); err != nil || out.StatusCode != 200 {
			t.Fatalf("oauth connection: %+v %v", out, err)
		}
	}
	check(f)
	tokensBefore := as.Tokens.Load()
	res, err := f.svc.Rotate(ctx)
	if err != nil || res.Connections != 2 {
		t.Fatalf("Rotate = %+v, %v", res, err)
	}
	check(f)
	// Restart over the same directory: only the new key is there.
	f.db.Close()
	f2 := newFixtureIn(t, dir, specs, gateway.Options{}, connection.Options{})
	if ids := f2.svc.Keyring().IDs(); len(ids) != 1 || ids[0] != res.Key {
		t.Fatalf("keys after restart: %v", ids)
	}
	check(f2)
	if as.Tokens.Load() != tokensBefore {
		t.Fatal("the OAuth token was not kept across the rotation")
	}
	f2.assertNoSecret(t, secret, oauthtest.ClientSecret)
}
