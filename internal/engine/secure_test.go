// SPDX-License-Identifier: Apache-2.0

package engine_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/internal/store/sqlite"
)

// gcmSealer is AES-256-GCM with the AAD bound, as connection.Keyring seals.
type gcmSealer struct{ aead cipher.AEAD }

func newGCMSealer(t *testing.T) *gcmSealer {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		t.Fatal(err)
	}
	return &gcmSealer{aead: aead}
}

func (s *gcmSealer) Seal(plain []byte, aad string) (string, error) {
	return base64.StdEncoding.EncodeToString(s.aead.Seal(nil, nil, plain, []byte(aad))), nil
}

func (s *gcmSealer) Open(env, aad string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(env)
	if err != nil {
		return nil, err
	}
	return s.aead.Open(nil, nil, b, []byte(aad))
}

// parkThenRestart parks a run of def on a fresh store with an engine
// using sealer, checks the store does not hold secret in clear, then
// starts a second engine on the store; it returns the store, the run ID
// and the second engine.
func parkThenRestart(t *testing.T, sealer engine.Sealer, def []byte, so engine.StartOptions, secret string) (store.Store, string, *engine.Engine) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.OpenDir(t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	id := startParked(t, st, engine.Options{Sealer: sealer}, def, so)
	row, err := st.Run(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	acts, err := st.Actions(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	stored := []string{string(row.Trigger)}
	for _, a := range acts {
		stored = append(stored, string(a.Data))
	}
	for _, s := range stored {
		if strings.Contains(s, secret) {
			t.Fatalf("the store holds the secure value in clear: %s", s)
		}
	}
	e := engine.New(st, engine.Options{Sealer: sealer})
	t.Cleanup(func() { _ = e.Close() })
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return st, id, e
}

// TestSecureDataSurvivesRestart: outputs hidden by secureData are sealed
// in the store, so a run resumed by another engine still passes the real
// value on, while the run history and the store show only the marker.
// Without a sealer the resumed run reads the marker (the documented
// fallback).
func TestSecureDataSurvivesRestart(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-value-from-a-vault"
	def := []byte(`{"actions":{
	  "Get": {"type": "Compose", "inputs": {"password": "` + secret + `"}, "runAfter": {},
	    "runtimeConfiguration": {"secureData": {"properties": ["inputs", "outputs"]}}},
	  "W": {"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Second"}}, "runAfter": {"Get": ["Succeeded"]}},
	  "Use": {"type": "Compose", "inputs": "@outputs('Get')?['password']", "runAfter": {"W": ["Succeeded"]}}}}`)
	for _, tc := range []struct {
		name   string
		sealer engine.Sealer
		want   string
	}{
		{"sealed", newGCMSealer(t), secret},
		{"memory only", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			_, id, e2 := parkThenRestart(t, tc.sealer, def, engine.StartOptions{}, secret)
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if r, err := e2.Wait(wctx, id); err != nil || r.Status != store.StatusSucceeded {
				t.Fatalf("run %+v, %v", r, err)
			}
			rec, err := e2.RunRecord(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := outputs(rec, "Use").(string); got != tc.want {
				t.Errorf("Use read %q after the restart, want %q", got, tc.want)
			}
			if got := outputs(rec, "Get"); got != engine.SecureMarker {
				t.Errorf("history shows Get's outputs as %v", got)
			}
		})
	}
}

// TestResealSecureData: a key rotation re-seals the secure data of running
// runs, which then resume under the new key only.
func TestResealSecureData(t *testing.T) {
	t.Parallel()
	const secret = "rotate-me-42"
	def := []byte(`{"triggers": {"manual": {"type": "Request", "kind": "Http",
	    "runtimeConfiguration": {"secureData": {"properties": ["outputs"]}}}},
	  "actions":{
	  "Get": {"type": "Compose", "inputs": "` + secret + `", "runAfter": {},
	    "runtimeConfiguration": {"secureData": {"properties": ["outputs"]}}},
	  "W": {"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Second"}}, "runAfter": {"Get": ["Succeeded"]}},
	  "Use": {"type": "Compose", "inputs": "@outputs('Get')", "runAfter": {"W": ["Succeeded"]}},
	  "UseTrigger": {"type": "Compose", "inputs": "@triggerBody()", "runAfter": {"W": ["Succeeded"]}}}}`)
	ctx := context.Background()
	st, err := sqlite.OpenDir(t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	oldKey, newKey := newGCMSealer(t), newGCMSealer(t)
	id := startParked(t, st, engine.Options{Sealer: oldKey}, def, engine.StartOptions{Trigger: map[string]any{"body": "trigger " + secret}})

	moved := map[string]bool{}
	n, err := engine.ResealSecureData(ctx, st, func(env, aad string) (string, error) {
		if moved[env] {
			return env, nil // already under the new key
		}
		plain, err := oldKey.Open(env, aad)
		if err != nil {
			return "", err
		}
		fresh, err := newKey.Seal(plain, aad)
		moved[fresh] = true
		return fresh, err
	})
	if err != nil || n != 2 {
		t.Fatalf("re-sealed %d records, %v; want 2 (an action, the trigger)", n, err)
	}
	if n, err := engine.ResealSecureData(ctx, st, func(env, _ string) (string, error) {
		if !moved[env] {
			t.Errorf("a record is still under the old key")
		}
		return env, nil
	}); err != nil || n != 0 {
		t.Fatalf("a second pass re-sealed %d records, %v", n, err)
	}

	e2 := engine.New(st, engine.Options{Sealer: newKey})
	t.Cleanup(func() { _ = e2.Close() })
	if err := e2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if r, err := e2.Wait(wctx, id); err != nil || r.Status != store.StatusSucceeded {
		t.Fatalf("run %+v, %v", r, err)
	}
	rec, err := e2.RunRecord(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := outputs(rec, "Use"); got != secret {
		t.Errorf("Use read %v under the new key, want %q", got, secret)
	}
	if got := outputs(rec, "UseTrigger"); got != "trigger "+secret {
		t.Errorf("UseTrigger read %v under the new key", got)
	}
}

// TestSecureTriggerOutputs: a trigger with secureData keeps its outputs
// out of the store in clear (sealed beside the marker), a resumed run and
// a resubmitted one still read them, and history shows the marker.
func TestSecureTriggerOutputs(t *testing.T) {
	t.Parallel()
	const secret = "trigger-secret-7"
	def := []byte(`{"triggers": {"manual": {"type": "Request", "kind": "Http",
	    "runtimeConfiguration": {"secureData": {"properties": ["inputs"]}}}},
	  "actions": {
	  "W": {"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Second"}}, "runAfter": {}},
	  "Use": {"type": "Compose", "inputs": "@triggerBody()?['pw']", "runAfter": {"W": ["Succeeded"]}}}}`)
	so := engine.StartOptions{Trigger: map[string]any{"body": map[string]any{"pw": secret}}}
	for _, tc := range []struct {
		name   string
		sealer engine.Sealer
		want   string
	}{
		{"sealed", newGCMSealer(t), secret},
		{"memory only", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st, id, e2 := parkThenRestart(t, tc.sealer, def, so, secret)
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			use := func(id string) string {
				t.Helper()
				if r, err := e2.Wait(wctx, id); err != nil || r.Status != store.StatusSucceeded {
					t.Fatalf("run %+v, %v", r, err)
				}
				rec, err := e2.RunRecord(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := outputs(rec, "Use").(string)
				return got
			}
			if got := use(id); got != tc.want {
				t.Errorf("Use read %q after the restart, want %q", got, tc.want)
			}
			rec, err := e2.RunRecord(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			trig, _ := rec.Get("trigger")
			if got, _ := trig.(*expr.Object).Get("outputs"); got != engine.SecureMarker {
				t.Errorf("history shows the trigger outputs as %v", got)
			}
			again, err := e2.Resubmit(ctx, id, engine.ResubmitOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := use(again); got != tc.want {
				t.Errorf("the resubmitted run read %q, want %q", got, tc.want)
			}
			if row, _ := st.Run(ctx, again); strings.Contains(string(row.Trigger), secret) {
				t.Errorf("the resubmitted run stores the secret in clear: %s", row.Trigger)
			}
		})
	}
}
