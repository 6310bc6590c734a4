// SPDX-License-Identifier: Apache-2.0

package connection

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/junction-run/junction/connector"
)

// OAuthConfig is the OAuth 2.0 configuration of a connection, mapped from
// the connector's oauthSetting and the connection's [OAuthValue].
type OAuthConfig struct {
	// Config is the authorization code configuration (auth and token URL).
	Config oauth2.Config
	// RefreshURL is the token URL for refreshes when it differs.
	RefreshURL string
	// GrantType is GrantAuthorizationCode or GrantClientCredentials.
	GrantType string
	// AuthParams are extra authorization request parameters (resource=
	// for AAD v1); TokenParams extra token request parameters.
	AuthParams  url.Values
	TokenParams url.Values
}

// Default AAD login host.
const aadLogin = "https://login.microsoftonline.com"

func custom(m map[string]string, key string) string {
	if v, ok := m[key]; ok {
		return strings.TrimSpace(v)
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// MapOAuth builds the OAuth configuration of oauthSetting parameter param
// of spec for the connection value v. Identity providers: "aad" (Microsoft
// Entra ID: login.microsoftonline.com, or customParameters loginUri, with
// tenantId and, for the v1 endpoints, resourceUri), "oauth2" and
// "oauth2generic" (customParameters authorizationUrlTemplate,
// tokenUrlTemplate and refreshUrlTemplate), and any other provider with
// explicit authorization and token URLs. Without an oauthSetting, the
// spec's oauth2 security definition gives the URLs.
func MapOAuth(spec *connector.Spec, param string, v OAuthValue, redirectURL string) (*OAuthConfig, error) {
	var set connector.OAuthSetting
	if cp, ok := spec.ConnectionParameter(param); ok && cp.OAuth != nil {
		set = *cp.OAuth
	}
	for _, a := range spec.Auth {
		if a.Kind == connector.AuthOAuth2 {
			set.AuthorizationURL = firstOf(set.AuthorizationURL, a.AuthorizationURL)
			set.TokenURL = firstOf(set.TokenURL, a.TokenURL)
			set.RefreshURL = firstOf(set.RefreshURL, a.RefreshURL)
			if len(set.Scopes) == 0 {
				set.Scopes = a.Scopes
			}
			break
		}
	}
	oc := &OAuthConfig{GrantType: firstOf(v.GrantType, GrantAuthorizationCode), AuthParams: url.Values{}, TokenParams: url.Values{}}
	oc.Config.ClientID = firstOf(v.ClientID, set.ClientID)
	oc.Config.ClientSecret = v.ClientSecret
	oc.Config.RedirectURL = redirectURL
	oc.Config.Scopes = set.Scopes
	if len(v.Scopes) > 0 {
		oc.Config.Scopes = v.Scopes
	}
	cp := set.CustomParameters
	switch provider := strings.ToLower(set.IdentityProvider); provider {
	case "aad", "aadcertificate":
		login := strings.TrimRight(firstOf(custom(cp, "loginUri"), custom(cp, "loginUriAAD"), aadLogin), "/")
		tenant := firstOf(v.TenantID, custom(cp, "tenantId"), "common")
		if res := custom(cp, "resourceUri"); res != "" {
			oc.Config.Endpoint.AuthURL = login + "/" + url.PathEscape(tenant) + "/oauth2/authorize"
			oc.Config.Endpoint.TokenURL = login + "/" + url.PathEscape(tenant) + "/oauth2/token"
			oc.AuthParams.Set("resource", res)
			oc.TokenParams.Set("resource", res)
		} else {
			oc.Config.Endpoint.AuthURL = login + "/" + url.PathEscape(tenant) + "/oauth2/v2.0/authorize"
			oc.Config.Endpoint.TokenURL = login + "/" + url.PathEscape(tenant) + "/oauth2/v2.0/token"
		}
		// Explicit URLs win over the derived ones.
		oc.Config.Endpoint.AuthURL = firstOf(custom(cp, "authorizationUrl"), oc.Config.Endpoint.AuthURL)
		oc.Config.Endpoint.TokenURL = firstOf(custom(cp, "tokenUrl"), oc.Config.Endpoint.TokenURL)
		oc.RefreshURL = custom(cp, "refreshUrl")
	default:
		oc.Config.Endpoint.AuthURL = firstOf(custom(cp, "authorizationUrlTemplate"), custom(cp, "authorizationUrl"), set.AuthorizationURL)
		oc.Config.Endpoint.TokenURL = firstOf(custom(cp, "tokenUrlTemplate"), custom(cp, "tokenUrl"), set.TokenURL)
		oc.RefreshURL = firstOf(custom(cp, "refreshUrlTemplate"), custom(cp, "refreshUrl"), set.RefreshURL)
	}
	if oc.RefreshURL == oc.Config.Endpoint.TokenURL {
		oc.RefreshURL = ""
	}
	switch {
	case oc.Config.ClientID == "":
		return nil, invalidParam(param, "parameter %q: no client id (set clientId in the connection or the connector's oauthSetting)", param)
	case oc.Config.Endpoint.TokenURL == "":
		return nil, invalidParam(param, "parameter %q: the connector's oauthSetting has no token URL", param)
	case oc.GrantType == GrantAuthorizationCode && oc.Config.Endpoint.AuthURL == "":
		return nil, invalidParam(param, "parameter %q: the connector's oauthSetting has no authorization URL", param)
	case oc.GrantType == GrantClientCredentials && oc.Config.ClientSecret == "":
		return nil, invalidParam(param, "parameter %q: the client credentials grant needs clientSecret", param)
	}
	return oc, nil
}

func (oc *OAuthConfig) authOptions() []oauth2.AuthCodeOption {
	var opts []oauth2.AuthCodeOption
	for k, vs := range oc.AuthParams {
		for _, v := range vs {
			opts = append(opts, oauth2.SetAuthURLParam(k, v))
		}
	}
	return opts
}

func (oc *OAuthConfig) tokenOptions() []oauth2.AuthCodeOption {
	var opts []oauth2.AuthCodeOption
	for k, vs := range oc.TokenParams {
		for _, v := range vs {
			opts = append(opts, oauth2.SetAuthURLParam(k, v))
		}
	}
	return opts
}

// tokenData is a stored token set (sealed as a whole).
type tokenData struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	Obtained     time.Time `json:"obtained"`
}

// fresh reports whether the token is usable without a refresh: it has no
// expiry, or expires later than min(RefreshMargin, lifetime/10) from now.
func (s *Service) fresh(td *tokenData) bool {
	if td == nil || td.AccessToken == "" {
		return false
	}
	if td.Expiry.IsZero() {
		return true
	}
	margin := s.o.RefreshMargin
	if life := td.Expiry.Sub(td.Obtained); life > 0 && life/10 < margin {
		margin = life / 10
	}
	return s.now().Add(margin).Before(td.Expiry)
}

func (s *Service) openToken(c *Connection) (*tokenData, error) {
	if c.Token == "" {
		return nil, nil
	}
	plain, err := s.kr.Open(c.Token, aad(c.Name, aadToken))
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	var td tokenData
	if err := json.Unmarshal(plain, &td); err != nil {
		return nil, errors.New("stored token is not valid JSON")
	}
	return &td, nil
}

func (s *Service) oauthValue(c *Connection) (OAuthValue, error) {
	var v OAuthValue
	env := c.Sealed[c.OAuthParam]
	if env == "" {
		return v, nil
	}
	plain, err := s.kr.Open(env, aad(c.Name, c.OAuthParam))
	if err != nil {
		return v, err
	}
	defer clear(plain)
	if err := json.Unmarshal(plain, &v); err != nil {
		return v, errors.New("stored oauth setting is not valid JSON")
	}
	return v, nil
}

func (s *Service) oauthConfig(c *Connection) (*OAuthConfig, error) {
	spec, _, err := s.lookup(c.ConnectorID)
	if err != nil {
		return nil, err
	}
	v, err := s.oauthValue(c)
	if err != nil {
		return nil, &Error{Code: "SecretUnavailable", Kind: connector.KindUnknown, Param: c.OAuthParam,
			Msg: fmt.Sprintf("connection %q: parameter %q cannot be opened", c.Name, c.OAuthParam), Err: err}
	}
	return MapOAuth(spec, c.OAuthParam, v, s.o.RedirectURL)
}

func hashState(state string) string {
	h := sha256.Sum256([]byte(state))
	return hex.EncodeToString(h[:])
}

// StartConsent begins the authorization code flow with PKCE for
// connection name, which p must manage. It stores the state (hashed) and
// the sealed verifier and returns the URL to send the user to.
func (s *Service) StartConsent(ctx context.Context, p Principal, name string) (string, error) {
	c, err := s.get(ctx, name)
	if err != nil {
		return "", err
	}
	if !c.Manages(p) {
		return "", forbidden(p, name, "authorize")
	}
	if c.OAuthParam == "" {
		return "", &Error{Code: "ConnectionNotOAuth", Kind: connector.KindBadRequest, Msg: fmt.Sprintf("connection %q does not use OAuth", name)}
	}
	oc, err := s.oauthConfig(c)
	if err != nil {
		return "", err
	}
	if oc.GrantType != GrantAuthorizationCode {
		return "", &Error{Code: "ConsentNotNeeded", Kind: connector.KindBadRequest, Msg: fmt.Sprintf("connection %q uses the client credentials grant: no consent is needed", name)}
	}
	if s.o.RedirectURL == "" {
		return "", errors.New("starting consent: the service has no OAuth redirect URL configured")
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("starting consent: %w", err)
	}
	state := base64.RawURLEncoding.EncodeToString(b[:])
	verifier := oauth2.GenerateVerifier()
	env, err := s.kr.Seal([]byte(verifier), aad(name, aadVerifier))
	if err != nil {
		return "", fmt.Errorf("starting consent: %w", err)
	}
	cons := &Consent{StateHash: hashState(state), Connection: name, Verifier: env, RedirectURL: s.o.RedirectURL,
		Principal: p.Name, Expires: s.now().UTC().Add(s.o.ConsentTTL)}
	if err := s.store.PutConsent(ctx, cons); err != nil {
		return "", fmt.Errorf("starting consent: %w", err)
	}
	opts := append(oc.authOptions(), oauth2.S256ChallengeOption(verifier))
	return oc.Config.AuthCodeURL(state, opts...), nil
}

// CompleteConsent finishes the authorization code flow started by
// [Service.StartConsent]: it checks the state (known, unused, not
// expired), exchanges the code with the PKCE verifier and stores the
// tokens sealed. It returns the connection's name.
func (s *Service) CompleteConsent(ctx context.Context, state, code string) (string, error) {
	if state == "" || code == "" {
		return "", &Error{Code: "ConsentInvalid", Kind: connector.KindBadRequest, Msg: "the OAuth callback needs state and code"}
	}
	cons, err := s.store.TakeConsent(ctx, hashState(state))
	if errors.Is(err, ErrNotFound) {
		return "", &Error{Code: "ConsentInvalid", Kind: connector.KindBadRequest, Msg: "unknown or already used OAuth state"}
	}
	if err != nil {
		return "", fmt.Errorf("completing consent: %w", err)
	}
	if !s.now().Before(cons.Expires) {
		return "", &Error{Code: "ConsentExpired", Kind: connector.KindBadRequest, Msg: fmt.Sprintf("the consent for connection %q expired: start it again", cons.Connection)}
	}
	name := cons.Connection
	vb, err := s.kr.Open(cons.Verifier, aad(name, aadVerifier))
	if err != nil {
		return "", fmt.Errorf("completing consent: verifier: %w", err)
	}
	unlock := s.lock(name)
	defer unlock()
	c, err := s.get(ctx, name)
	if err != nil {
		return "", err
	}
	oc, err := s.oauthConfig(c)
	if err != nil {
		return "", err
	}
	octx := context.WithValue(ctx, oauth2.HTTPClient, s.client)
	tok, err := oc.Config.Exchange(octx, code, append(oc.tokenOptions(), oauth2.VerifierOption(string(vb)))...)
	if err != nil {
		e := &Error{Code: CodeUnauthenticated, Kind: connector.KindUnauthenticated,
			Msg: fmt.Sprintf("exchanging the authorization code of connection %q failed", name), Err: oauthErr(err)}
		s.setHealthLocked(ctx, c, Health{State: StateUnauthenticated, LastError: e.Error(), Code: e.Code, CheckedAt: s.now().UTC()})
		return "", e
	}
	if err := s.storeToken(ctx, c, tok, ""); err != nil {
		return "", err
	}
	return name, nil
}

// oauthErr keeps an OAuth error's code and description but drops the raw
// response body.
func oauthErr(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		msg := "the token endpoint answered"
		if re.Response != nil {
			msg += fmt.Sprintf(" %d", re.Response.StatusCode)
		}
		if re.ErrorCode != "" {
			msg += ": " + re.ErrorCode
		}
		if re.ErrorDescription != "" {
			msg += ": " + re.ErrorDescription
		}
		return errors.New(msg)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("calling the token endpoint: %w", ue.Err)
	}
	return err
}

// storeToken seals and stores a new token set on c (whose lock the caller
// holds) and marks it connected. oldRefresh is kept when the answer has
// no refresh token.
func (s *Service) storeToken(ctx context.Context, c *Connection, tok *oauth2.Token, oldRefresh string) error {
	now := s.now().UTC()
	td := tokenData{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: tok.TokenType, Obtained: now}
	if td.RefreshToken == "" {
		td.RefreshToken = oldRefresh
	}
	switch {
	case tok.ExpiresIn > 0:
		td.Expiry = now.Add(time.Duration(tok.ExpiresIn) * time.Second)
	case !tok.Expiry.IsZero():
		td.Expiry = now.Add(time.Until(tok.Expiry))
	}
	b, err := json.Marshal(td)
	if err != nil {
		return fmt.Errorf("encoding the token: %w", err)
	}
	env, err := s.kr.Seal(b, aad(c.Name, aadToken))
	clear(b)
	if err != nil {
		return fmt.Errorf("sealing the token: %w", err)
	}
	c.Token, c.TokenExpiry = env, td.Expiry
	c.Health = Health{State: StateConnected, CheckedAt: now}
	c.Updated = now
	if err := s.store.PutConnection(ctx, c); err != nil {
		return fmt.Errorf("storing the token of connection %q: %w", c.Name, err)
	}
	s.invalidate(c.Name)
	return nil
}

func (s *Service) setHealthLocked(ctx context.Context, c *Connection, h Health) {
	c.Health, c.Updated = h, h.CheckedAt
	if err := s.store.PutConnection(ctx, c); err != nil {
		s.log.Warn("storing connection health failed", "connection", c.Name, "error", err.Error())
	}
	s.invalidate(c.Name)
}

// accessToken returns a valid access token of c, refreshing it when it is
// about to expire or when stale (a token the service refused) is still the
// stored one. One refresh runs per connection at a time; the others wait
// and use its result.
func (s *Service) accessToken(ctx context.Context, c *Connection, stale string) (string, error) {
	if td, err := s.openToken(c); err == nil && td != nil && s.fresh(td) && (stale == "" || td.AccessToken != stale) {
		return td.AccessToken, nil
	}
	unlock := s.lock(c.Name)
	defer unlock()
	c, err := s.get(ctx, c.Name)
	if err != nil {
		return "", err
	}
	td, err := s.openToken(c)
	if err != nil {
		return "", &Error{Code: "SecretUnavailable", Kind: connector.KindUnknown, Msg: fmt.Sprintf("connection %q: the stored token cannot be opened", c.Name), Err: err}
	}
	if td != nil && s.fresh(td) && (stale == "" || td.AccessToken != stale) {
		return td.AccessToken, nil
	}
	fail := func(msg string, cause error) (string, error) {
		e := &Error{Code: CodeUnauthenticated, Kind: connector.KindUnauthenticated, Msg: msg, Err: cause}
		s.setHealthLocked(ctx, c, Health{State: StateUnauthenticated, LastError: e.Error(), Code: e.Code, CheckedAt: s.now().UTC()})
		return "", e
	}
	oc, err := s.oauthConfig(c)
	if err != nil {
		return fail(fmt.Sprintf("connection %q has no usable OAuth configuration", c.Name), err)
	}
	octx := context.WithValue(ctx, oauth2.HTTPClient, s.client)
	var tok *oauth2.Token
	oldRefresh := ""
	if oc.GrantType == GrantClientCredentials {
		cc := clientcredentials.Config{ClientID: oc.Config.ClientID, ClientSecret: oc.Config.ClientSecret,
			TokenURL: oc.Config.Endpoint.TokenURL, Scopes: oc.Config.Scopes, EndpointParams: oc.TokenParams}
		tok, err = cc.Token(octx)
		if err != nil {
			return fail(fmt.Sprintf("getting a token for connection %q with client credentials failed", c.Name), oauthErr(err))
		}
	} else {
		if td == nil {
			return fail(fmt.Sprintf("connection %q has no OAuth token yet: complete the consent (POST /api/connections/%s/consent)", c.Name, c.Name), nil)
		}
		if td.RefreshToken == "" {
			return fail(fmt.Sprintf("the token of connection %q expired and there is no refresh token: consent again", c.Name), nil)
		}
		oldRefresh = td.RefreshToken
		cfg := oc.Config
		if oc.RefreshURL != "" {
			cfg.Endpoint.TokenURL = oc.RefreshURL
		}
		tok, err = cfg.TokenSource(octx, &oauth2.Token{RefreshToken: td.RefreshToken}).Token()
		if err != nil {
			return fail(fmt.Sprintf("refreshing the token of connection %q failed", c.Name), oauthErr(err))
		}
	}
	if err := s.storeToken(ctx, c, tok, oldRefresh); err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}
