// SPDX-License-Identifier: Apache-2.0

package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Key file names in the data directory (mode 0600).
const (
	AdminKeyHashFile = "admin-key.sha256"
	SigningKeyFile   = "signing-key"
)

// Callback URL query constants, as Logic Apps writes them.
const (
	APIVersion = "2022-05-01"
	SigVersion = "1.0"
)

// Keys holds the admin key's hash and the signing key of trigger URLs.
// The admin key itself is never kept: it is a high-entropy random string,
// so its SHA-256 is a safe verifier.
type Keys struct {
	adminHash [32]byte
	signing   []byte
}

// NewKeys returns keys from an admin key and a signing key (tests).
func NewKeys(adminKey string, signing []byte) *Keys {
	return &Keys{adminHash: sha256.Sum256([]byte(adminKey)), signing: signing}
}

// LoadKeys reads the keys from data directory dir, creating what is
// missing. envAdmin (JUNCTION_ADMIN_KEY), when set, is the admin key and
// nothing is stored for it. Otherwise a key is generated on first start:
// its hash is stored and the key is returned in generated, to be shown
// once.
func LoadKeys(dir, envAdmin string) (k *Keys, generated string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", fmt.Errorf("create data directory: %w", err)
	}
	k = &Keys{}
	sk, err := readOrCreate(filepath.Join(dir, SigningKeyFile), func() ([]byte, error) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		return []byte(base64.RawURLEncoding.EncodeToString(b)), nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("signing key: %w", err)
	}
	k.signing, err = base64.RawURLEncoding.DecodeString(strings.TrimSpace(string(sk)))
	if err != nil || len(k.signing) < 16 {
		return nil, "", fmt.Errorf("signing key %s is malformed", filepath.Join(dir, SigningKeyFile))
	}
	if envAdmin != "" {
		k.adminHash = sha256.Sum256([]byte(envAdmin))
		return k, "", nil
	}
	hf := filepath.Join(dir, AdminKeyHashFile)
	hb, err := readOrCreate(hf, func() ([]byte, error) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		generated = "jk_" + base64.RawURLEncoding.EncodeToString(b)
		h := sha256.Sum256([]byte(generated))
		return []byte(hex.EncodeToString(h[:]) + "\n"), nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("admin key: %w", err)
	}
	h, err := hex.DecodeString(strings.TrimSpace(string(hb)))
	if err != nil || len(h) != 32 {
		return nil, "", fmt.Errorf("admin key hash %s is malformed", hf)
	}
	copy(k.adminHash[:], h)
	return k, generated, nil
}

// readOrCreate returns the content of path, or creates it (0600,
// exclusively) with the content make returns.
func readOrCreate(path string, make func() ([]byte, error)) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return b, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	b, err = make()
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process won the race
			return os.ReadFile(path)
		}
		return nil, err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, err
	}
	return b, f.Close()
}

// CheckAdmin reports whether the Authorization header carries the admin
// key (constant-time comparison of hashes).
func (k *Keys) CheckAdmin(authorization string) bool {
	const prefix = "bearer "
	if len(authorization) <= len(prefix) || !strings.EqualFold(authorization[:len(prefix)], prefix) {
		return false
	}
	h := sha256.Sum256([]byte(strings.TrimSpace(authorization[len(prefix):])))
	return subtle.ConstantTimeCompare(h[:], k.adminHash[:]) == 1
}

// sp is the permission a trigger URL grants.
func triggerPermission(trigger string) string { return "/triggers/" + trigger + "/run" }

// sign returns the signature of a trigger URL of workflow name.
func (k *Keys) sign(name, trigger, sp, sv string) string {
	m := hmac.New(sha256.New, k.signing)
	m.Write([]byte(name + "\n" + trigger + "\n" + sp + "\n" + sv))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// SignedQuery returns the query of a signed trigger URL.
func (k *Keys) SignedQuery(name, trigger string) url.Values {
	sp := triggerPermission(trigger)
	q := url.Values{}
	q.Set("api-version", APIVersion)
	q.Set("sp", sp)
	q.Set("sv", SigVersion)
	q.Set("sig", k.sign(name, trigger, sp, SigVersion))
	return q
}

// CheckSignature reports whether q carries a valid signature for the
// trigger of workflow name.
func (k *Keys) CheckSignature(name, trigger string, q url.Values) bool {
	sig, sp, sv := q.Get("sig"), q.Get("sp"), q.Get("sv")
	if sig == "" || sv != SigVersion || sp != triggerPermission(trigger) {
		return false
	}
	want := k.sign(name, trigger, sp, sv)
	return hmac.Equal([]byte(sig), []byte(want))
}
