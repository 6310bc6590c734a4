// SPDX-License-Identifier: Apache-2.0

package postman

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/junction-run/junction/connector"
)

// ExtAuth is the operation extension naming the [connector.Auth] (by its
// Name) that a request uses when the collection's requests do not all
// authenticate the same way. "none" means the request sends no credentials.
const ExtAuth = "x-postman-auth"

// authDef is a resolved auth block.
type authDef struct {
	kind      connector.AuthKind
	in        string // apikey: header or query
	paramName string // apikey: header or query parameter name
	flow      string
	authURL   string
	tokenURL  string
	refresh   string
	scopes    []string
	clientID  string
	name      string // the connector.Auth name, set when registered
}

// authParams reads the parameters of an auth block: a list of {key, value}
// (v2.1) or an object (v2.0); either shape is accepted in both versions.
func authParams(v any) map[string]string {
	out := map[string]string{}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			m := obj(e)
			if k := str(m["key"]); k != "" {
				out[k] = str(m["value"])
				if out[k] == "" && m["value"] != nil {
					if b, err := json.Marshal(m["value"]); err == nil {
						out[k] = string(b)
					}
				}
			}
		}
	case map[string]any:
		for k, e := range t {
			out[k] = str(e)
		}
	}
	return out
}

// parseAuth reads an auth block. ok is false when the block is absent or
// says "inherit" (the parent's auth applies).
func (im *importer) parseAuth(v any, ptr string) (*authDef, bool) {
	if v == nil {
		return nil, false
	}
	m := obj(v)
	if m == nil {
		im.warn(ptr, "auth is not an object; inherited instead")
		return nil, false
	}
	typ := strings.ToLower(str(m["type"]))
	ps := authParams(m[typ])
	useVars := func(keys ...string) {
		for _, k := range keys {
			for _, sub := range varRE.FindAllStringSubmatch(ps[k], -1) {
				im.variable(sub[1]).usedAuth = true
			}
		}
	}
	switch typ {
	case "", "inherit":
		return nil, false
	case "noauth":
		return &authDef{kind: connector.AuthNone}, true
	case "apikey":
		in := strings.ToLower(ps["in"])
		if in == "" {
			in = "header"
		}
		if in != "header" && in != "query" {
			im.warn(ptr, "api key location %q is not supported; using header", in)
			in = "header"
		}
		name := ps["key"]
		if name == "" {
			name = "X-API-Key"
			im.warn(ptr, "api key auth has no key name; using %s", name)
		}
		useVars("value", "key")
		return &authDef{kind: connector.AuthAPIKey, in: in, paramName: name}, true
	case "basic":
		useVars("username", "password")
		return &authDef{kind: connector.AuthBasic}, true
	case "bearer":
		useVars("token")
		return &authDef{kind: connector.AuthBearer}, true
	case "oauth2":
		useVars("accessToken", "clientId", "clientSecret", "refreshToken", "password", "username")
		a := &authDef{
			kind:     connector.AuthOAuth2,
			authURL:  ps["authUrl"],
			tokenURL: ps["accessTokenUrl"],
			refresh:  ps["refreshTokenUrl"],
			flow:     oauthFlow(ps["grant_type"]),
		}
		if a.flow == "" && a.authURL != "" {
			a.flow = "accessCode"
		}
		if s := strings.TrimSpace(ps["scope"]); s != "" {
			a.scopes = strings.Fields(strings.ReplaceAll(s, ",", " "))
		}
		if id := ps["clientId"]; id != "" && !varRE.MatchString(id) {
			a.clientID = id
		}
		if a.tokenURL == "" && a.authURL == "" {
			im.warn(ptr, "oauth2 auth has no token URL; the connection must supply the token")
		}
		return a, true
	default:
		im.warn(ptr, "auth type %q is not supported; requests using it are imported without auth", typ)
		return &authDef{kind: connector.AuthNone}, true
	}
}

func oauthFlow(grant string) string {
	switch grant {
	case "authorization_code", "authorization_code_with_pkce", "":
		if grant == "" {
			return ""
		}
		return "accessCode"
	case "client_credentials":
		return "application"
	case "password_credentials":
		return "password"
	case "implicit":
		return "implicit"
	}
	return grant
}

func (a *authDef) signature() string {
	return fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s|%s", a.kind, a.in, strings.ToLower(a.paramName), a.flow, a.authURL, a.tokenURL, strings.Join(a.scopes, " "), a.clientID)
}

// applyAuth registers the request's auth with the spec and names it on the
// operation.
func (im *importer) applyAuth(op *connector.Operation, a *authDef) {
	name := im.registerAuth(a)
	if op.Extensions == nil {
		op.Extensions = map[string]json.RawMessage{}
	}
	op.Extensions[ExtAuth] = mustJSON(name)
}

func (im *importer) registerAuth(a *authDef) string {
	sig := a.signature()
	if name, ok := im.auths[sig]; ok {
		return name
	}
	base := map[connector.AuthKind]string{
		connector.AuthNone: "none", connector.AuthAPIKey: "api_key", connector.AuthBasic: "basic",
		connector.AuthBearer: "bearer", connector.AuthOAuth2: "oauth2",
	}[a.kind]
	name := base
	for n := 2; im.authNameTaken(name); n++ {
		name = fmt.Sprintf("%s_%d", base, n)
	}
	im.auths[sig] = name
	auth := connector.Auth{Name: name, Kind: a.kind}
	switch a.kind {
	case connector.AuthAPIKey:
		auth.In, auth.ParamName = a.in, a.paramName
		auth.Parameter = im.addAuthParam(connector.ConnectionParameter{
			Name: "api_key", Type: connector.TypeSecureString, Required: true, DisplayName: "API Key",
			Description: fmt.Sprintf("The API key, sent in the %s %s.", a.paramName, a.in),
		})
	case connector.AuthBasic:
		im.addAuthParam(connector.ConnectionParameter{Name: "username", Type: connector.TypeString, Required: true, DisplayName: "Username", Description: "The user name for basic authentication."})
		im.addAuthParam(connector.ConnectionParameter{Name: "password", Type: connector.TypeSecureString, Required: true, DisplayName: "Password", Description: "The password for basic authentication."})
	case connector.AuthBearer:
		auth.Parameter = im.addAuthParam(connector.ConnectionParameter{Name: "token", Type: connector.TypeSecureString, Required: true, DisplayName: "Token", Description: "The bearer token sent in the Authorization header."})
	case connector.AuthOAuth2:
		auth.Flow, auth.AuthorizationURL, auth.TokenURL, auth.RefreshURL, auth.Scopes = a.flow, a.authURL, a.tokenURL, a.refresh, a.scopes
		auth.Parameter = im.addAuthParam(connector.ConnectionParameter{
			Name: "token", Type: connector.TypeOAuthSetting, Required: true, DisplayName: "OAuth 2.0",
			Description: "The OAuth 2.0 connection.",
			OAuth: &connector.OAuthSetting{
				IdentityProvider: "oauth2generic", ClientID: a.clientID, Scopes: a.scopes,
				AuthorizationURL: a.authURL, TokenURL: a.tokenURL, RefreshURL: a.refresh,
			},
		})
	}
	im.spec.Auth = append(im.spec.Auth, auth)
	return name
}

func (im *importer) authNameTaken(name string) bool {
	for _, a := range im.spec.Auth {
		if a.Name == name {
			return true
		}
	}
	return false
}

// addAuthParam adds a connection parameter for an auth kind. A parameter
// of the same name and type is shared; another type gets a suffixed name.
func (im *importer) addAuthParam(p connector.ConnectionParameter) string {
	base := p.Name
	for n := 2; ; n++ {
		found := false
		for _, q := range im.authParams {
			if q.Name == p.Name {
				if q.Type == p.Type {
					return p.Name
				}
				found = true
			}
		}
		if !found {
			break
		}
		p.Name = fmt.Sprintf("%s_%d", base, n)
	}
	im.authParams = append(im.authParams, p)
	return p.Name
}

// registerBase records the base URL template a request uses.
func (im *importer) registerBase(base, ptr string) {
	if base == "" {
		im.warn(ptr+"/request/url", "request has no host")
	}
	if _, ok := im.bases[base]; !ok {
		im.baseOrder = append(im.baseOrder, base)
	}
	im.bases[base]++
	im.opBase = append(im.opBase, [2]string{base, ptr})
}

// finishBase picks the most used base URL template as the connector's base
// URL. Variables in it become connection parameters, and a dynamichosturl
// policy builds the host from them for each connection.
func (im *importer) finishBase() {
	best := ""
	for _, b := range im.baseOrder {
		if b != "" && im.bases[b] > im.bases[best] {
			best = b
		}
	}
	if best == "" {
		return
	}
	for i, ob := range im.opBase {
		if b := ob[0]; b != best && b != "" {
			im.warn(ob[1]+"/request/url", "request %q uses base URL %s, not the connector's %s; its path is kept relative to the connector's base URL", im.spec.Operations[i].ID, b, best)
		}
	}
	resolved := varRE.ReplaceAllStringFunc(best, func(m string) string {
		name := varRE.FindStringSubmatch(m)[1]
		return strings.TrimRight(str(im.vars[name].valueOrNil()), "/")
	})
	if !strings.Contains(resolved, "://") && resolved != "" {
		resolved = "https://" + resolved
	}
	if !varRE.MatchString(best) {
		im.spec.BaseURL = resolved
		return
	}
	if !strings.Contains(resolved, "://") || strings.HasPrefix(resolved, "https://") && strings.HasSuffix(resolved, "://") {
		resolved = ""
	}
	im.spec.BaseURL = resolved
	im.useVarsIn(best)
	tmpl := connParamExpr(best)
	if !strings.Contains(best, "://") {
		// {{baseUrl}} usually holds the scheme; a bare host needs one.
		first := varRE.FindStringSubmatch(best)[1]
		if !strings.HasPrefix(best, "{{") || !strings.Contains(str(im.vars[first].valueOrNil()), "://") {
			tmpl = "https://" + tmpl
		}
	}
	im.spec.Policies = append([]connector.PolicyInstance{{
		TemplateID: "dynamichosturl",
		Title:      "Set host URL",
		Parameters: map[string]any{"urlTemplate": tmpl},
	}}, im.spec.Policies...)
	for k, i := range im.policies {
		im.policies[k] = i + 1
	}
}

func (v *variable) valueOrNil() any {
	if v == nil {
		return nil
	}
	return v.value
}
