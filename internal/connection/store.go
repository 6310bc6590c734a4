// SPDX-License-Identifier: Apache-2.0

package connection

import (
	"context"
	"errors"
	"time"
)

// Errors of a [Store].
var (
	// ErrNotFound means the addressed record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists means a record with that name already exists.
	ErrExists = errors.New("already exists")
)

// Store persists connections, pending OAuth consents, caller keys and the
// call log. Secret values reach it only sealed.
//
// Implementations are safe for concurrent use. Get, Take and Delete methods
// return an error wrapping [ErrNotFound] for a missing record; PutKey
// returns one wrapping [ErrExists] for a name already taken.
type Store interface {
	GetConnection(ctx context.Context, name string) (*Connection, error)
	ListConnections(ctx context.Context) ([]*Connection, error)
	// PutConnection creates or replaces the connection.
	PutConnection(ctx context.Context, c *Connection) error
	// DeleteConnection removes the connection, its consents and its calls.
	DeleteConnection(ctx context.Context, name string) error

	PutConsent(ctx context.Context, c *Consent) error
	// TakeConsent returns and deletes the consent with the state hash.
	TakeConsent(ctx context.Context, stateHash string) (*Consent, error)

	PutKey(ctx context.Context, k *KeyRecord) error
	KeyByHash(ctx context.Context, hash string) (*KeyRecord, error)
	ListKeys(ctx context.Context) ([]*KeyRecord, error)
	DeleteKey(ctx context.Context, name string) error

	// AddCalls appends call records in one transaction and keeps the
	// newest keep records of each connection (all when keep <= 0).
	AddCalls(ctx context.Context, calls []*Call, keep int) error
	// ListCalls returns up to limit calls of a connection, newest first.
	ListCalls(ctx context.Context, connection string, limit int) ([]*Call, error)
}

// Consent is a pending OAuth authorization code flow.
type Consent struct {
	// StateHash is the hex SHA-256 of the state parameter.
	StateHash  string `json:"stateHash"`
	Connection string `json:"connection"`
	// Verifier is the PKCE code verifier, sealed.
	Verifier    string    `json:"verifier"`
	RedirectURL string    `json:"redirectUrl"`
	Principal   string    `json:"principal,omitempty"`
	Expires     time.Time `json:"expires"`
}

// KeyRecord is a stored caller key: its hash, never the key.
type KeyRecord struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Hash is the hex SHA-256 of the key.
	Hash    string    `json:"-"`
	Created time.Time `json:"created"`
}

// Call is one operation call through the gateway. It holds no secret and
// no payload.
type Call struct {
	ID         int64     `json:"id"`
	Connection string    `json:"connection"`
	Operation  string    `json:"operation"`
	Method     string    `json:"method,omitempty"`
	Path       string    `json:"path,omitempty"`
	Status     int       `json:"status"`
	LatencyMS  float64   `json:"latencyMs"`
	Caller     string    `json:"caller"`
	At         time.Time `json:"at"`
	// Error is the error kind and a redacted message, "" on success.
	Error string `json:"error,omitempty"`
}
