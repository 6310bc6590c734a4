// SPDX-License-Identifier: Apache-2.0

package connection

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/junction-run/junction/connector"
)

// KeyPrefix starts every caller key.
const KeyPrefix = "jk_"

// Keys issues and checks caller keys. Keys are shown once and stored as
// SHA-256 hashes: a key is 32 random bytes, so its hash is a safe
// verifier. It is safe for concurrent use.
type Keys struct {
	store Store
	now   func() time.Time
	ttl   time.Duration
	// Reserved names cannot be given to keys (the server's admin
	// principal).
	reserved []string

	mu    sync.Mutex
	cache map[string]keyHit // hash -> principal
}

type keyHit struct {
	p     Principal
	until time.Time
}

// KeysOptions configure [NewKeys].
type KeysOptions struct {
	// Reserved names cannot be used for keys, e.g. the admin principal.
	Reserved []string
	// CacheTTL bounds how long a successful lookup is reused; 0 means 5
	// seconds, negative disables the cache. A deleted key is dropped from
	// this node's cache at once.
	CacheTTL time.Duration
	Now      func() time.Time
}

// NewKeys returns a key manager over store.
func NewKeys(store Store, o KeysOptions) *Keys {
	k := &Keys{store: store, now: o.Now, ttl: o.CacheTTL, reserved: o.Reserved, cache: map[string]keyHit{}}
	if k.now == nil {
		k.now = time.Now
	}
	if k.ttl == 0 {
		k.ttl = 5 * time.Second
	}
	return k
}

// CreatedKey is the answer of [Keys.Create]: the only time the key is
// shown.
type CreatedKey struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	Key  string `json:"key"`
}

func hashKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// Create issues a key for principal name with role.
func (k *Keys) Create(ctx context.Context, name string, role Role) (CreatedKey, error) {
	if err := checkName("key", name); err != nil {
		return CreatedKey{}, err
	}
	for _, r := range k.reserved {
		if strings.EqualFold(r, name) {
			return CreatedKey{}, &Error{Code: "InvalidName", Kind: connector.KindBadRequest, Msg: fmt.Sprintf("key name %q is reserved", name)}
		}
	}
	if role != RoleAdmin && role != RoleUser {
		return CreatedKey{}, &Error{Code: "InvalidRole", Kind: connector.KindBadRequest, Msg: fmt.Sprintf("role must be %q or %q", RoleAdmin, RoleUser)}
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return CreatedKey{}, fmt.Errorf("creating key: %w", err)
	}
	key := KeyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	rec := &KeyRecord{Name: name, Role: role, Hash: hashKey(key), Created: k.now().UTC()}
	if err := k.store.PutKey(ctx, rec); err != nil {
		if errors.Is(err, ErrExists) {
			return CreatedKey{}, &Error{Code: "KeyExists", Kind: connector.KindBadRequest, Msg: fmt.Sprintf("a key named %q already exists", name), Err: ErrExists}
		}
		return CreatedKey{}, fmt.Errorf("storing key %q: %w", name, err)
	}
	return CreatedKey{Name: name, Role: role, Key: key}, nil
}

// Delete revokes the key named name.
func (k *Keys) Delete(ctx context.Context, name string) error {
	if err := k.store.DeleteKey(ctx, name); err != nil {
		if errors.Is(err, ErrNotFound) {
			return &Error{Code: "KeyNotFound", Kind: connector.KindNotFound, Msg: fmt.Sprintf("no key named %q", name), Err: ErrNotFound}
		}
		return fmt.Errorf("deleting key %q: %w", name, err)
	}
	k.mu.Lock()
	for h, hit := range k.cache {
		if hit.p.Name == name {
			delete(k.cache, h)
		}
	}
	k.mu.Unlock()
	return nil
}

// List returns the keys (names, roles, creation times; never hashes).
func (k *Keys) List(ctx context.Context) ([]*KeyRecord, error) {
	return k.store.ListKeys(ctx)
}

// ErrBadKey means a presented key is unknown, revoked or malformed.
var ErrBadKey = errors.New("unknown or revoked key")

// Authenticate returns the principal of a presented key.
func (k *Keys) Authenticate(ctx context.Context, key string) (Principal, error) {
	if !strings.HasPrefix(key, KeyPrefix) || len(key) > 200 {
		return Principal{}, ErrBadKey
	}
	h := hashKey(key)
	now := k.now()
	if k.ttl > 0 {
		k.mu.Lock()
		hit, ok := k.cache[h]
		k.mu.Unlock()
		if ok && now.Before(hit.until) {
			return hit.p, nil
		}
	}
	rec, err := k.store.KeyByHash(ctx, h)
	if errors.Is(err, ErrNotFound) {
		return Principal{}, ErrBadKey
	}
	if err != nil {
		return Principal{}, fmt.Errorf("checking key: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(rec.Hash), []byte(h)) != 1 {
		return Principal{}, ErrBadKey
	}
	p := Principal{Name: rec.Name, Role: rec.Role}
	if k.ttl > 0 {
		k.mu.Lock()
		if len(k.cache) > 10000 {
			clear(k.cache)
		}
		k.cache[h] = keyHit{p: p, until: now.Add(k.ttl)}
		k.mu.Unlock()
	}
	return p, nil
}
