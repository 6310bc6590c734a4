// SPDX-License-Identifier: Apache-2.0

package rest

import (
	"encoding/base64"
	"log/slog"
	"sort"
	"strings"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/policy"
)

// Connection parameter names of the Power Platform convention.
const (
	ParamAPIKey   = "api_key"
	ParamUsername = "username"
	ParamPassword = "password"
	ParamToken    = "token"
)

// authorize places the connection's credentials on the request per the
// first security definition the connection has values for, and returns that
// definition (nil when none applied).
func (p *Provider) authorize(r *policy.Request, conn connector.Connection) *connector.Auth {
	for i := range p.spec.Auth {
		a := &p.spec.Auth[i]
		switch a.Kind {
		case connector.AuthAPIKey:
			key := conn.String(paramName(a, ParamAPIKey))
			if key == "" {
				continue
			}
			name := a.ParamName
			if name == "" {
				name = "Authorization"
			}
			if strings.EqualFold(a.In, "query") {
				r.Query.Set(name, key)
			} else {
				r.Header.Set(name, key)
			}
			return a
		case connector.AuthBasic:
			user, pass := conn.String(ParamUsername), conn.String(ParamPassword)
			if user == "" && pass == "" {
				continue
			}
			r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
			return a
		case connector.AuthOAuth2, connector.AuthBearer:
			tok := conn.String(paramName(a, ParamToken))
			if tok == "" {
				continue
			}
			r.Header.Set("Authorization", "Bearer "+tok)
			return a
		}
	}
	if len(p.spec.Auth) > 0 {
		p.logger.Debug("no credentials for any security definition", slog.Any("connection", conn))
	}
	return nil
}

func paramName(a *connector.Auth, def string) string {
	if a.Parameter != "" {
		return a.Parameter
	}
	return def
}

// redactor hides a connection's secret values in error messages.
type redactor struct{ secrets []string }

// redactor collects the values of secret connection parameters: those the
// spec marks secret, the credential parameters, and any whose name says
// key, secret, token or password.
func (p *Provider) redactor(conn connector.Connection) redactor {
	var rd redactor
	for name := range conn.Values {
		secret := false
		if cp, ok := p.spec.ConnectionParameter(name); ok && cp.Secret() {
			secret = true
		}
		ln := strings.ToLower(name)
		for _, w := range []string{"key", "secret", "token", "password", "credential"} {
			if strings.Contains(ln, w) {
				secret = true
			}
		}
		for _, a := range p.spec.Auth {
			if a.Parameter == name {
				secret = true
			}
		}
		if !secret {
			continue
		}
		if s := conn.String(name); len(s) >= 3 {
			rd.secrets = append(rd.secrets, s)
			if enc := base64.StdEncoding.EncodeToString([]byte(s)); enc != s {
				rd.secrets = append(rd.secrets, enc)
			}
		}
	}
	if user, pass := conn.String(ParamUsername), conn.String(ParamPassword); pass != "" {
		rd.secrets = append(rd.secrets, base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	}
	// Longest first, so a secret containing another is hidden whole.
	sort.Slice(rd.secrets, func(i, j int) bool { return len(rd.secrets[i]) > len(rd.secrets[j]) })
	return rd
}

func (rd redactor) string(s string) string {
	for _, sec := range rd.secrets {
		s = strings.ReplaceAll(s, sec, "***")
	}
	return s
}

// err returns err with secrets hidden from its message. A *connector.Error
// stays one (its kind, status and hint kept) so callers can classify it.
func (rd redactor) err(err error) error {
	if err == nil || len(rd.secrets) == 0 {
		return err
	}
	if ce, ok := err.(*connector.Error); ok {
		c := *ce
		c.Message = rd.string(c.Message)
		if c.Err != nil {
			c.Err = &redactedError{msg: rd.string(c.Err.Error()), err: c.Err}
		}
		return &c
	}
	return &redactedError{msg: rd.string(err.Error()), err: err}
}

// redactedError has a message without secrets and keeps its cause for
// errors.Is/As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
