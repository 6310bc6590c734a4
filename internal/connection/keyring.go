// SPDX-License-Identifier: Apache-2.0

package connection

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Master key sources.
const (
	// EnvSecretKey holds the current master key: base64 of 32 bytes.
	EnvSecretKey = "JUNCTION_SECRET_KEY"
	// EnvPreviousKeys holds earlier master keys, comma-separated, still
	// accepted for opening (during a rotation).
	EnvPreviousKeys = "JUNCTION_SECRET_KEY_PREVIOUS"
	// KeyFile is the generated key file in the data directory (mode 0600):
	// one base64 key per line, the current key first.
	KeyFile = "secret.key"
)

const envelopeVersion = "v1"

// Keyring seals and opens secret values with AES-256-GCM. It holds a
// current key, which seals, and earlier keys, which only open. It is safe
// for concurrent use.
type Keyring struct {
	mu      sync.RWMutex
	order   []string // key ids, current first
	keys    map[string]cipher.AEAD
	raw     map[string][]byte
	file    string // key file, "" when the keys come from the environment
	fromEnv bool
}

// NewKeyring returns a keyring over 32-byte keys, the first one current.
// It is meant for tests and tools; servers use [OpenKeyring].
func NewKeyring(keys ...[]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("keyring: no key")
	}
	kr := &Keyring{keys: map[string]cipher.AEAD{}, raw: map[string][]byte{}}
	for i, k := range keys {
		if err := kr.add(k); err != nil {
			return nil, fmt.Errorf("keyring: key %d: %w", i+1, err)
		}
	}
	return kr, nil
}

// OpenKeyring returns the keyring of a server: from [EnvSecretKey] (and
// [EnvPreviousKeys]) when set, otherwise from the file [KeyFile] in
// dataDir, created with a new random key (mode 0600) if missing. getenv
// is os.Getenv in production.
func OpenKeyring(dataDir string, getenv func(string) string) (*Keyring, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := strings.TrimSpace(getenv(EnvSecretKey)); v != "" {
		kr := &Keyring{keys: map[string]cipher.AEAD{}, raw: map[string][]byte{}, fromEnv: true}
		k, err := decodeKey(v)
		if err != nil {
			return nil, fmt.Errorf("%s is malformed: %w", EnvSecretKey, err)
		}
		if err := kr.add(k); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvSecretKey, err)
		}
		for i, p := range strings.Split(getenv(EnvPreviousKeys), ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			k, err := decodeKey(p)
			if err != nil {
				return nil, fmt.Errorf("%s is malformed (entry %d): %w", EnvPreviousKeys, i+1, err)
			}
			if err := kr.add(k); err != nil {
				return nil, fmt.Errorf("%s: %w", EnvPreviousKeys, err)
			}
		}
		return kr, nil
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	kr := &Keyring{keys: map[string]cipher.AEAD{}, raw: map[string][]byte{}, file: filepath.Join(dataDir, KeyFile)}
	data, err := os.ReadFile(kr.file)
	if errors.Is(err, fs.ErrNotExist) {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, fmt.Errorf("generating the master key: %w", err)
		}
		if err := kr.add(k); err != nil {
			return nil, err
		}
		if err := kr.persist(); err != nil {
			return nil, err
		}
		return kr, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the key file: %w", err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := decodeKey(line)
		if err != nil {
			return nil, fmt.Errorf("key file %s is malformed (line %d): %w", kr.file, i+1, err)
		}
		if err := kr.add(k); err != nil {
			return nil, fmt.Errorf("key file %s: %w", kr.file, err)
		}
	}
	if len(kr.order) == 0 {
		return nil, fmt.Errorf("key file %s holds no key", kr.file)
	}
	return kr, nil
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != 32 {
				return nil, fmt.Errorf("want the base64 encoding of 32 bytes, got %d bytes", len(k))
			}
			return k, nil
		}
	}
	return nil, errors.New("want the base64 encoding of 32 bytes, got text that is not base64")
}

// keyID derives a public identifier from a key.
func keyID(k []byte) string {
	h := sha256.Sum256(append([]byte("junction-key-id:"), k...))
	return hex.EncodeToString(h[:6])
}

func (kr *Keyring) add(k []byte) error {
	block, err := aes.NewCipher(k)
	if err != nil {
		return fmt.Errorf("bad key: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return fmt.Errorf("bad key: %w", err)
	}
	id := keyID(k)
	if _, dup := kr.keys[id]; dup {
		return nil
	}
	kr.keys[id] = aead
	kr.raw[id] = append([]byte(nil), k...)
	kr.order = append(kr.order, id)
	return nil
}

// persist writes the key file atomically (mode 0600).
func (kr *Keyring) persist() error {
	var b strings.Builder
	b.WriteString("# junction master keys: the first line seals, the others only open. Keep this file secret.\n")
	for _, id := range kr.order {
		b.WriteString(base64.StdEncoding.EncodeToString(kr.raw[id]))
		b.WriteByte('\n')
	}
	tmp, err := os.CreateTemp(filepath.Dir(kr.file), ".secret.key-*")
	if err != nil {
		return fmt.Errorf("writing the key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the key file: %w", err)
	}
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the key file: %w", err)
	}
	if err := os.Rename(tmp.Name(), kr.file); err != nil {
		return fmt.Errorf("writing the key file: %w", err)
	}
	return nil
}

// CurrentID returns the id of the key that seals.
func (kr *Keyring) CurrentID() string {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.order[0]
}

// IDs returns the ids of all keys, the current one first.
func (kr *Keyring) IDs() []string {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return append([]string(nil), kr.order...)
}

// FromEnv reports whether the keys come from the environment (so that a
// rotation needs the operator to set the new key).
func (kr *Keyring) FromEnv() bool { return kr.fromEnv }

// Seal encrypts plain under the current key, bound to aad.
func (kr *Keyring) Seal(plain []byte, aad string) (string, error) {
	kr.mu.RLock()
	id := kr.order[0]
	aead := kr.keys[id]
	kr.mu.RUnlock()
	ct := aead.Seal(nil, nil, plain, []byte(aad))
	return envelopeVersion + ":" + id + ":" + base64.RawURLEncoding.EncodeToString(ct), nil
}

// Open decrypts an envelope sealed with aad. The error never contains the
// envelope or the value.
func (kr *Keyring) Open(envelope, aad string) ([]byte, error) {
	id, ct, err := parseEnvelope(envelope)
	if err != nil {
		return nil, err
	}
	kr.mu.RLock()
	aead, ok := kr.keys[id]
	kr.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("sealed value: key %s is not in the keyring (was it retired before a rotation finished?)", id)
	}
	plain, err := aead.Open(nil, nil, ct, []byte(aad))
	if err != nil {
		return nil, errors.New("sealed value does not authenticate (wrong key, or moved to another connection or parameter)")
	}
	return plain, nil
}

// SealedWith returns the key id of an envelope.
func SealedWith(envelope string) (string, error) {
	id, _, err := parseEnvelope(envelope)
	return id, err
}

func parseEnvelope(envelope string) (id string, ct []byte, err error) {
	ver, rest, ok1 := strings.Cut(envelope, ":")
	id, data, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || ver != envelopeVersion || id == "" {
		return "", nil, errors.New("sealed value: not a v1 envelope")
	}
	ct, err = base64.RawURLEncoding.DecodeString(data)
	if err != nil {
		return "", nil, errors.New("sealed value: bad base64")
	}
	return id, ct, nil
}

// addNew generates a key and makes it current, persisting the key file
// (which then holds the new and the old keys).
func (kr *Keyring) addNew() (string, error) {
	if kr.fromEnv {
		return "", fmt.Errorf("the master key comes from %s: set the new key there and the old one in %s, then rotate", EnvSecretKey, EnvPreviousKeys)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return "", fmt.Errorf("generating a master key: %w", err)
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	old := kr.order
	nk := &Keyring{keys: map[string]cipher.AEAD{}, raw: map[string][]byte{}}
	if err := nk.add(k); err != nil {
		return "", err
	}
	id := nk.order[0]
	kr.keys[id], kr.raw[id] = nk.keys[id], nk.raw[id]
	kr.order = append([]string{id}, old...)
	if kr.file != "" {
		if err := kr.persist(); err != nil {
			kr.order = old
			delete(kr.keys, id)
			delete(kr.raw, id)
			return "", err
		}
	}
	return id, nil
}

// retireOld drops every key but the current one, persisting the key file,
// and returns the retired ids.
func (kr *Keyring) retireOld() ([]string, error) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	retired := append([]string(nil), kr.order[1:]...)
	if kr.fromEnv {
		return retired, nil
	}
	old := kr.order
	kr.order = kr.order[:1]
	if kr.file != "" {
		if err := kr.persist(); err != nil {
			kr.order = old
			return nil, err
		}
	}
	for _, id := range retired {
		delete(kr.keys, id)
		clear(kr.raw[id])
		delete(kr.raw, id)
	}
	return retired, nil
}
