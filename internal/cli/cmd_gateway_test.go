// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/connection"
	"github.com/junction-run/junction/internal/connection/sqlitestore"
	"github.com/junction-run/junction/internal/server"
)

// fakeServer records the requests of API commands and answers with body.
func fakeServer(t *testing.T, status int, body string) (*httptest.Server, func() (string, string, []byte)) {
	t.Helper()
	var mu sync.Mutex
	var method, path string
	var got []byte
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		method, path, got = r.Method, r.URL.Path, b
		mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer k1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(ts.Close)
	return ts, func() (string, string, []byte) { mu.Lock(); defer mu.Unlock(); return method, path, got }
}

func TestConnectorAdd(t *testing.T) {
	t.Parallel()
	folder := filepath.Join("testdata", "call", "items")
	for _, tc := range []struct {
		name, path string
		args       []string
		wantPath   string
		folder     bool
	}{
		{"folder", folder, nil, "/api/connectors/items", true},
		{"folder with id", folder, []string{"--id", "my_items"}, "/api/connectors/my_items", true},
		{"file", filepath.Join(folder, "apiDefinition.swagger.json"), []string{"--id", "raw"}, "/api/connectors/raw", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts, got := fakeServer(t, 201, `{"id": "x", "operations": 3, "warnings": [{"message": "careful"}]}`)
			args := append([]string{"connector", "add", tc.path, "--server", ts.URL, "--key", "k1"}, tc.args...)
			code, out, errOut := run(t, "", args...)
			if code != 0 || !strings.Contains(out, "added (3 operations)") || !strings.Contains(errOut, "careful") {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			method, path, body := got()
			if method != "PUT" || path != tc.wantPath {
				t.Fatalf("%s %s", method, path)
			}
			var env map[string]json.RawMessage
			isEnv := json.Unmarshal(body, &env) == nil && env["apiDefinition"] != nil
			if isEnv != tc.folder {
				t.Fatalf("folder envelope %v, want %v: %.100s", isEnv, tc.folder, body)
			}
		})
	}
	t.Run("unreadable file", func(t *testing.T) {
		t.Parallel()
		bad := filepath.Join(t.TempDir(), "bad.json")
		if err := os.WriteFile(bad, []byte("{\n  \"swagger\": \"2.0\",\n  oops\n}"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := run(t, "", "connector", "add", bad, "--server", "http://127.0.0.1:1", "--key", "k1")
		if code != 1 || !strings.Contains(errOut, "bad.json:3:") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	})
}

func TestConnectionsList(t *testing.T) {
	t.Parallel()
	ts, _ := fakeServer(t, 200, `{"value": [{"name": "pets-prod", "connector": "pets", "owner": "admin", "health": {"state": "connected"}}]}`)
	code, out, errOut := run(t, "", "connections", "--server", ts.URL, "--key", "k1")
	if code != 0 || !strings.Contains(out, "pets-prod") || !strings.Contains(out, "connected") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = run(t, "", "connections", "--server", ts.URL, "--key", "wrong")
	if code != 1 || !strings.Contains(errOut, "401") {
		t.Fatalf("wrong key: exit %d %s", code, errOut)
	}
}

func TestSecretsRotate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	const secret = "s3cr3t-value-for-rotation"
	spec := connector.Spec{ID: "pets", Title: "Pets", Operations: []connector.Operation{},
		ConnectionParameters: []connector.ConnectionParameter{{Name: "api_key", Type: "securestring"}}}
	lookup := func(id string) (connector.Provider, bool) { return stubProvider{spec}, id == "pets" }
	open := func() (*connection.Service, *sqlitestore.DB) {
		kr, err := connection.OpenKeyring(dir, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		db, err := sqlitestore.OpenDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		svc, err := connection.NewService(connection.Options{Store: db, Keyring: kr, Connectors: lookup, CacheTTL: -1})
		if err != nil {
			t.Fatal(err)
		}
		return svc, db
	}
	svc, db := open()
	admin := connection.Principal{Name: "admin", Role: connection.RoleAdmin}
	if _, _, err := svc.Put(ctx, admin, "p1", connection.PutInput{Connector: "pets", Parameters: map[string]any{"api_key": secret}}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(filepath.Join(dir, "secret.key"))

	// Refused while the data directory is locked (a server running).
	unlock, err := server.LockDataDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "", "secrets", "rotate", "--data", dir)
	unlock()
	if code != 1 || !strings.Contains(errOut, "in use") {
		t.Fatalf("locked: exit %d %s", code, errOut)
	}

	code, out, errOut := run(t, "", "secrets", "rotate", "--data", dir)
	if code != 0 || !strings.Contains(out, "re-sealed 1 connections") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "secret.key"))
	if bytes.Equal(before, after) {
		t.Fatal("the key file did not change")
	}
	svc, db = open()
	defer db.Close()
	conn, err := svc.Resolve(ctx, "p1")
	if err != nil || conn.String("api_key") != secret {
		t.Fatalf("after rotation: %v", err)
	}
	if strings.Contains(out+errOut, secret) {
		t.Fatal("the secret is in the output")
	}
}

type stubProvider struct{ spec connector.Spec }

func (s stubProvider) Spec() connector.Spec { return s.spec }
func (s stubProvider) Invoke(context.Context, connector.Connection, string, connector.Input) (connector.Output, error) {
	return connector.Output{}, nil
}
