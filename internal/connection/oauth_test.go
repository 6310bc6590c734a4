// SPDX-License-Identifier: Apache-2.0

package connection_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/connection"
	"github.com/junction-run/junction/internal/connection/oauthtest"
)

const redirect = "http://127.0.0.1:9/oauth/callback"

func oauthStub(as *oauthtest.Server) *stub {
	return &stub{spec: connector.Spec{
		ID: "oa", Title: "OA", BaseURL: as.URL,
		Auth: []connector.Auth{{Kind: connector.AuthOAuth2, Parameter: "token"}},
		ConnectionParameters: []connector.ConnectionParameter{{Name: "token", Type: connector.TypeOAuthSetting, OAuth: &connector.OAuthSetting{
			IdentityProvider: "oauth2generic", ClientID: oauthtest.ClientID, Scopes: []string{"read"},
			CustomParameters: map[string]string{
				"authorizationUrlTemplate": as.URL + "/authorize",
				"tokenUrlTemplate":         as.URL + "/token",
				"refreshUrlTemplate":       as.URL + "/token",
			},
		}}},
	}}
}

// me calls the protected resource with an access token.
func me(t *testing.T, as *oauthtest.Server, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, as.URL+"/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func wantUnauthenticated(t *testing.T, err error, msg string) {
	t.Helper()
	var ce *connection.Error
	if !errors.As(err, &ce) || ce.Code != connection.CodeUnauthenticated || connector.KindOf(err) != connector.KindUnauthenticated {
		t.Fatalf("error = %v, want ConnectionUnauthenticated", err)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Fatalf("error = %v, want %q", err, msg)
	}
}

func TestOAuthAuthorizationCode(t *testing.T) {
	t.Parallel()
	as := oauthtest.Start(t, oauthtest.Options{AccessTokenExp: 10 * time.Minute, RedirectDomain: "http://127.0.0.1:9"})
	dir := t.TempDir()
	e := newEnv(t, dir, connection.Options{RedirectURL: redirect}, oauthStub(as))
	ctx := context.Background()
	var tokens []string
	secrets := func() []string {
		return append([]string{oauthtest.ClientSecret}, tokens...)
	}
	if _, _, err := e.svc.Put(ctx, owner, "gh", connection.PutInput{Connector: "oa", Parameters: map[string]any{"token": map[string]any{"clientSecret": oauthtest.ClientSecret}}}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Resolve(ctx, "gh")
	wantUnauthenticated(t, err, `connection "gh" has no OAuth token yet: complete the consent`)

	// Consent: PKCE S256, state, redirect.
	u, err := e.svc.StartConsent(ctx, owner, "gh")
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(u)
	q := pu.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("redirect_uri") != redirect || q.Get("client_id") != oauthtest.ClientID {
		t.Fatalf("consent URL %s", u)
	}
	if _, err := e.svc.StartConsent(ctx, connection.Principal{Name: "eve", Role: connection.RoleUser}, "gh"); err == nil {
		t.Fatal("a stranger started consent")
	}
	state, code := as.Approve(t, u)
	if state != q.Get("state") {
		t.Fatal("state changed")
	}
	if _, err := e.svc.CompleteConsent(ctx, "forged-state", code); err == nil || !strings.Contains(err.Error(), "unknown or already used OAuth state") {
		t.Fatalf("forged state: %v", err)
	}
	name, err := e.svc.CompleteConsent(ctx, state, code)
	if err != nil || name != "gh" {
		t.Fatalf("CompleteConsent = %q, %v", name, err)
	}
	if _, err := e.svc.CompleteConsent(ctx, state, code); err == nil {
		t.Fatal("state accepted twice")
	}
	conn, err := e.svc.Resolve(ctx, "gh")
	if err != nil {
		t.Fatal(err)
	}
	tok1 := conn.String("token")
	tokens = append(tokens, tok1)
	if me(t, as, tok1) != 200 {
		t.Fatal("the access token does not work")
	}
	v, _ := e.svc.Get(ctx, owner, "gh")
	if v.Health.State != connection.StateConnected || v.OAuth == nil || !v.OAuth.Authorized || v.OAuth.ExpiresAt.IsZero() {
		t.Fatalf("view after consent: %+v %+v", v.Health, v.OAuth)
	}

	// Still fresh: no refresh.
	e.clock.Advance(8 * time.Minute)
	if conn, _ := e.svc.Resolve(ctx, "gh"); conn.String("token") != tok1 || as.Refreshes.Load() != 0 {
		t.Fatal("refreshed too early")
	}
	// Within the margin (a tenth of 10 minutes): refreshed before expiry.
	e.clock.Advance(90 * time.Second)
	conn, err = e.svc.Resolve(ctx, "gh")
	if err != nil {
		t.Fatal(err)
	}
	tok2 := conn.String("token")
	tokens = append(tokens, tok2)
	if tok2 == tok1 || as.Refreshes.Load() != 1 || me(t, as, tok2) != 200 {
		t.Fatalf("no proactive refresh (refreshes %d)", as.Refreshes.Load())
	}

	// Single flight: many callers, one refresh; the rotated refresh token
	// was persisted (the server removed the old one).
	e.clock.Advance(9*time.Minute + 30*time.Second)
	var wg sync.WaitGroup
	got := make([]string, 8)
	errs := make([]error, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := e.svc.Resolve(ctx, "gh")
			got[i], errs[i] = c.String("token"), err
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i] != got[0] {
			t.Fatalf("concurrent Resolve %d: %v", i, errs[i])
		}
	}
	if as.Refreshes.Load() != 2 || got[0] == tok2 {
		t.Fatalf("refreshes = %d, want 2", as.Refreshes.Load())
	}
	tokens = append(tokens, got[0])
	ti, err := as.Manager.LoadAccessToken(ctx, got[0])
	if err != nil {
		t.Fatal(err)
	}
	tokens = append(tokens, ti.GetRefresh())

	// A refresh that fails marks the connection unauthenticated.
	as.RevokeFor(t, got[0])
	e.clock.Advance(9*time.Minute + 30*time.Second)
	_, err = e.svc.Resolve(ctx, "gh")
	wantUnauthenticated(t, err, `refreshing the token of connection "gh" failed: the token endpoint answered`)
	v, _ = e.svc.Get(ctx, owner, "gh")
	if v.Health.State != connection.StateUnauthenticated || v.Health.Code != connection.CodeUnauthenticated || !strings.Contains(v.Health.LastError, "refreshing the token") {
		t.Fatalf("health after a failed refresh: %+v", v.Health)
	}

	vb, _ := json.Marshal(v)
	for _, s := range secrets() {
		assertAbsent(t, s, dir, string(vb), e.logs.String(), err.Error(), v.Health.LastError)
	}
}

func TestOAuthClientCredentials(t *testing.T) {
	t.Parallel()
	as := oauthtest.Start(t, oauthtest.Options{AccessTokenExp: time.Hour})
	dir := t.TempDir()
	e := newEnv(t, dir, connection.Options{}, oauthStub(as))
	ctx := context.Background()
	put := func(name, secret string) {
		t.Helper()
		if _, _, err := e.svc.Put(ctx, owner, name, connection.PutInput{Connector: "oa", Parameters: map[string]any{"token": map[string]any{"clientSecret": secret, "grantType": "client_credentials"}}}); err != nil {
			t.Fatal(err)
		}
	}
	put("cc", oauthtest.ClientSecret)
	conn, err := e.svc.Resolve(ctx, "cc")
	if err != nil {
		t.Fatal(err)
	}
	tok := conn.String("token")
	if me(t, as, tok) != 200 {
		t.Fatal("client credentials token does not work")
	}
	e.clock.Advance(56 * time.Minute)
	conn, err = e.svc.Resolve(ctx, "cc")
	if err != nil || conn.String("token") == tok {
		t.Fatalf("no new client credentials token: %v", err)
	}
	if _, err := e.svc.StartConsent(ctx, owner, "cc"); err == nil || !strings.Contains(err.Error(), "no consent is needed") {
		t.Fatalf("StartConsent = %v", err)
	}
	put("wrong", "not-the-secret-123")
	_, err = e.svc.Resolve(ctx, "wrong")
	wantUnauthenticated(t, err, `getting a token for connection "wrong" with client credentials failed`)
	assertAbsent(t, oauthtest.ClientSecret, dir, e.logs.String(), err.Error())
	assertAbsent(t, tok, dir)
}

func TestMapOAuth(t *testing.T) {
	t.Parallel()
	spec := func(set connector.OAuthSetting) *connector.Spec {
		return &connector.Spec{ID: "x", ConnectionParameters: []connector.ConnectionParameter{{Name: "token", Type: connector.TypeOAuthSetting, OAuth: &set}}}
	}
	tests := []struct {
		name                string
		set                 connector.OAuthSetting
		v                   connection.OAuthValue
		auth, token, refr   string
		authParam, wantErr  string
		scopes              []string
		wantClientID, grant string
	}{
		{name: "aad v1 with resource", set: connector.OAuthSetting{IdentityProvider: "aad", ClientID: "cid", CustomParameters: map[string]string{"resourceUri": "https://graph.microsoft.com", "tenantId": "contoso"}},
			auth: "https://login.microsoftonline.com/contoso/oauth2/authorize", token: "https://login.microsoftonline.com/contoso/oauth2/token", authParam: "resource=https%3A%2F%2Fgraph.microsoft.com", wantClientID: "cid"},
		{name: "aad v2 common", set: connector.OAuthSetting{IdentityProvider: "aad", ClientID: "cid", Scopes: []string{"User.Read"}},
			auth: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize", token: "https://login.microsoftonline.com/common/oauth2/v2.0/token", scopes: []string{"User.Read"}, wantClientID: "cid"},
		{name: "aad login uri and tenant from the connection", set: connector.OAuthSetting{IdentityProvider: "aad", ClientID: "cid", CustomParameters: map[string]string{"loginUri": "https://login.windows.net/"}},
			v:    connection.OAuthValue{TenantID: "fabrikam", ClientID: "mine", Scopes: []string{"a"}},
			auth: "https://login.windows.net/fabrikam/oauth2/v2.0/authorize", token: "https://login.windows.net/fabrikam/oauth2/v2.0/token", scopes: []string{"a"}, wantClientID: "mine"},
		{name: "oauth2generic templates", set: connector.OAuthSetting{IdentityProvider: "oauth2generic", ClientID: "cid", CustomParameters: map[string]string{"authorizationUrlTemplate": "https://a/auth", "tokenUrlTemplate": "https://a/token", "refreshUrlTemplate": "https://a/refresh"}},
			auth: "https://a/auth", token: "https://a/token", refr: "https://a/refresh", wantClientID: "cid"},
		{name: "generic urls", set: connector.OAuthSetting{IdentityProvider: "github", ClientID: "cid", AuthorizationURL: "https://gh/auth", TokenURL: "https://gh/token"},
			auth: "https://gh/auth", token: "https://gh/token", wantClientID: "cid"},
		{name: "no token url", set: connector.OAuthSetting{IdentityProvider: "github", ClientID: "cid", AuthorizationURL: "https://gh/auth"}, wantErr: "has no token URL"},
		{name: "no client id", set: connector.OAuthSetting{IdentityProvider: "oauth2", TokenURL: "https://t"}, wantErr: "no client id"},
		{name: "client credentials without secret", set: connector.OAuthSetting{IdentityProvider: "oauth2", ClientID: "c", TokenURL: "https://t"}, v: connection.OAuthValue{GrantType: "client_credentials"}, wantErr: "needs clientSecret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			oc, err := connection.MapOAuth(spec(tt.set), "token", tt.v, redirect)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if oc.Config.Endpoint.AuthURL != tt.auth || oc.Config.Endpoint.TokenURL != tt.token || oc.RefreshURL != tt.refr || oc.Config.ClientID != tt.wantClientID {
				t.Fatalf("config = %+v refresh %q", oc.Config, oc.RefreshURL)
			}
			if tt.scopes != nil && strings.Join(oc.Config.Scopes, " ") != strings.Join(tt.scopes, " ") {
				t.Fatalf("scopes = %v", oc.Config.Scopes)
			}
			if tt.authParam != "" && oc.AuthParams.Encode() != tt.authParam {
				t.Fatalf("auth params = %s", oc.AuthParams.Encode())
			}
		})
	}
}
