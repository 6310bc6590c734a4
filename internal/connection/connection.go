// SPDX-License-Identifier: Apache-2.0

package connection

import (
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"time"

	"github.com/junction-run/junction/connector"
)

// State is the health state of a connection.
type State string

// Health states.
const (
	StateUnknown         State = "unknown"
	StateConnected       State = "connected"
	StateUnauthenticated State = "unauthenticated"
	StateError           State = "error"
)

// Health is what the last use or test of a connection found.
type Health struct {
	State State `json:"state"`
	// LastError is the last failure's message (no secrets), "" when the
	// last use succeeded.
	LastError string `json:"lastError,omitempty"`
	// Code is a stable code for the last failure (ConnectionUnauthenticated ...).
	Code      string    `json:"code,omitempty"`
	CheckedAt time.Time `json:"checkedAt,omitzero"`
}

// Role is what a principal may do.
type Role string

// Roles.
const (
	RoleAdmin Role = "admin"
	RoleUser  Role = "user"
)

// Principal is an authenticated caller: a key's name and role.
type Principal struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
}

// Admin reports whether the principal is an administrator.
func (p Principal) Admin() bool { return p.Role == RoleAdmin }

// Connection is a stored connection. Secret parameter values are only in
// Sealed (envelopes), the OAuth token only in Token; Values holds the
// others in clear.
type Connection struct {
	Name        string   `json:"name"`
	ConnectorID string   `json:"connector"`
	Owner       string   `json:"owner"`
	SharedWith  []string `json:"sharedWith,omitempty"`
	// ParameterSet is the chosen parameter set, "" when the connector has
	// none.
	ParameterSet string `json:"parameterSet,omitempty"`
	// Values are the non-secret parameter values.
	Values map[string]any `json:"values,omitempty"`
	// Sealed are the secret parameter values (JSON, sealed) by name.
	Sealed map[string]string `json:"sealed,omitempty"`
	// Token is the sealed OAuth token set, "" before consent.
	Token string `json:"token,omitempty"`
	// OAuthParam is the name of the oauthSetting parameter, "" when the
	// connection does not use OAuth.
	OAuthParam string `json:"oauthParam,omitempty"`
	// TokenExpiry is the access token's expiry (not secret), zero if none
	// or unknown.
	TokenExpiry time.Time `json:"tokenExpiry,omitzero"`
	Health      Health    `json:"health"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}

// LogValue shows the name, connector, owner and health state only.
func (c *Connection) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", c.Name), slog.String("connector", c.ConnectorID),
		slog.String("owner", c.Owner), slog.String("state", string(c.Health.State)))
}

var _ slog.LogValuer = (*Connection)(nil)

// Allows reports whether p may use the connection: its owner, an admin,
// or a principal in SharedWith.
func (c *Connection) Allows(p Principal) bool {
	if p.Name == "" {
		return false
	}
	return p.Admin() || p.Name == c.Owner || slices.Contains(c.SharedWith, p.Name)
}

// Manages reports whether p may change or delete the connection: its
// owner or an admin.
func (c *Connection) Manages(p Principal) bool {
	return p.Name != "" && (p.Admin() || p.Name == c.Owner)
}

// Mask replaces secret values in views.
const Mask = "***"

// View is the shape of a connection shown to callers: no secret value.
type View struct {
	Name         string         `json:"name"`
	Connector    string         `json:"connector"`
	Owner        string         `json:"owner"`
	SharedWith   []string       `json:"sharedWith"`
	ParameterSet string         `json:"parameterSet,omitempty"`
	Parameters   map[string]any `json:"parameters"`
	OAuth        *OAuthView     `json:"oauth,omitempty"`
	Health       Health         `json:"health"`
	Created      time.Time      `json:"created"`
	Updated      time.Time      `json:"updated"`
}

// OAuthView is the visible state of a connection's OAuth token.
type OAuthView struct {
	Authorized bool      `json:"authorized"`
	ExpiresAt  time.Time `json:"expiresAt,omitzero"`
}

// View returns the connection without secrets: secret parameters are
// "***", the token is reduced to whether there is one and its expiry.
func (c *Connection) View() View {
	v := View{
		Name: c.Name, Connector: c.ConnectorID, Owner: c.Owner, SharedWith: c.SharedWith,
		ParameterSet: c.ParameterSet, Parameters: make(map[string]any, len(c.Values)+len(c.Sealed)),
		Health: c.Health, Created: c.Created, Updated: c.Updated,
	}
	if v.SharedWith == nil {
		v.SharedWith = []string{}
	}
	for k, val := range c.Values {
		v.Parameters[k] = val
	}
	for k := range c.Sealed {
		v.Parameters[k] = Mask
	}
	if c.Token != "" || c.OAuthParam != "" {
		v.OAuth = &OAuthView{Authorized: c.Token != "", ExpiresAt: c.TokenExpiry}
	}
	return v
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// ValidName reports whether s is a valid connection or key name: 1 to 128
// letters, digits, '.', '_' or '-', starting with a letter or digit.
func ValidName(s string) bool { return namePattern.MatchString(s) }

func checkName(kind, s string) error {
	if !ValidName(s) {
		return &Error{Code: "InvalidName", Kind: connector.KindBadRequest,
			Msg: fmt.Sprintf("%s name %q: use 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit", kind, s)}
	}
	return nil
}

// Error is a classified error of the service with a stable code
// (ConnectionNotFound, InvalidParameter, ConnectionUnauthenticated ...).
// Its message never contains a secret.
type Error struct {
	Code string
	Kind connector.ErrorKind
	// Param names the connection parameter the error is about, if any.
	Param string
	Msg   string
	Err   error
}

func (e *Error) Error() string {
	s := e.Code + ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// As lets [connector.KindOf] and errors.As see the error as a
// *connector.Error of its kind, so that engines classify it without
// knowing this package.
func (e *Error) As(target any) bool {
	if t, ok := target.(**connector.Error); ok {
		*t = &connector.Error{Kind: e.Kind, Message: e.Code + ": " + e.Msg, Err: e.Err}
		return true
	}
	return false
}

// Stable error codes.
const (
	CodeForbidden       = "Forbidden"
	CodeNotFound        = "ConnectionNotFound"
	CodeUnauthenticated = "ConnectionUnauthenticated"
	CodeInvalidParam    = "InvalidParameter"
)
