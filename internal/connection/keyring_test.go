// SPDX-License-Identifier: Apache-2.0

package connection_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/junction-run/junction/internal/connection"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func TestKeyringSealOpen(t *testing.T) {
	t.Parallel()
	kr, err := connection.NewKeyring(key(1))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := connection.NewKeyring(key(2))
	env, err := kr.Seal([]byte("hunter2-secret"), "conn\x00api_key")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(env, "v1:"+kr.CurrentID()+":") || strings.Contains(env, "hunter2") {
		t.Fatalf("envelope %q", env)
	}
	tamper := []byte(env)
	tamper[len(tamper)-2] ^= 1
	tests := []struct {
		name    string
		kr      *connection.Keyring
		env     string
		aad     string
		wantErr string
	}{
		{"round trip", kr, env, "conn\x00api_key", ""},
		{"other parameter", kr, env, "conn\x00password", "does not authenticate"},
		{"other connection", kr, env, "conn2\x00api_key", "does not authenticate"},
		{"tampered", kr, string(tamper), "conn\x00api_key", ""},
		{"unknown key", other, env, "conn\x00api_key", "not in the keyring"},
		{"not an envelope", kr, "hunter2", "x", "not a v1 envelope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.kr.Open(tt.env, tt.aad)
			if tt.name == "tampered" {
				if err == nil {
					t.Fatal("tampered envelope opened")
				}
				return
			}
			if tt.wantErr == "" {
				if err != nil || string(got) != "hunter2-secret" {
					t.Fatalf("Open = %q, %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Open error = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatal("error leaks the value")
			}
		})
	}
}

func TestOpenKeyring(t *testing.T) {
	t.Parallel()
	good := base64.StdEncoding.EncodeToString(key(7))
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"env key", map[string]string{connection.EnvSecretKey: good}, ""},
		{"env key with previous", map[string]string{connection.EnvSecretKey: good, connection.EnvPreviousKeys: base64.StdEncoding.EncodeToString(key(8))}, ""},
		{"short key", map[string]string{connection.EnvSecretKey: base64.StdEncoding.EncodeToString([]byte("tooshort-value"))}, "JUNCTION_SECRET_KEY is malformed: want the base64 encoding of 32 bytes, got 14 bytes"},
		{"not base64", map[string]string{connection.EnvSecretKey: "not*base64*value!"}, "JUNCTION_SECRET_KEY is malformed"},
		{"bad previous", map[string]string{connection.EnvSecretKey: good, connection.EnvPreviousKeys: "zz*"}, "JUNCTION_SECRET_KEY_PREVIOUS is malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			kr, err := connection.OpenKeyring(dir, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				for _, v := range tt.env {
					if strings.Contains(err.Error(), v) {
						t.Fatal("error quotes the key")
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !kr.FromEnv() {
				t.Fatal("not from env")
			}
			if _, err := os.Stat(filepath.Join(dir, connection.KeyFile)); !os.IsNotExist(err) {
				t.Fatal("a key file was written although the key comes from the environment")
			}
		})
	}
}

func TestKeyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	noEnv := func(string) string { return "" }
	kr, err := connection.OpenKeyring(dir, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, connection.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	env, _ := kr.Seal([]byte("v"), "a")
	kr2, err := connection.OpenKeyring(dir, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if kr2.CurrentID() != kr.CurrentID() {
		t.Fatal("reopened keyring has another key")
	}
	if got, err := kr2.Open(env, "a"); err != nil || string(got) != "v" {
		t.Fatalf("Open = %q, %v", got, err)
	}
}
