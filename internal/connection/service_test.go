// SPDX-License-Identifier: Apache-2.0

package connection_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/connection"
)

func apiSpec() *stub {
	return &stub{spec: connector.Spec{
		ID: "svc", Title: "Svc", BaseURL: "https://svc.invalid",
		Auth: []connector.Auth{{Kind: connector.AuthAPIKey, In: "header", ParamName: "X-Key", Parameter: "api_key"}},
		ConnectionParameters: []connector.ConnectionParameter{
			{Name: "api_key", Type: connector.TypeSecureString, Required: true},
			{Name: "host", Type: connector.TypeString, Required: true},
			{Name: "region", Type: connector.TypeString, AllowedValues: []any{"eu", "us"}, Default: "eu"},
			{Name: "retries", Type: connector.TypeInt},
			{Name: "verbose", Type: connector.TypeBool},
		},
	}}
}

func setsSpec() *stub {
	return &stub{spec: connector.Spec{
		ID: "sets", Title: "Sets",
		ParameterSets: []connector.ParameterSet{
			{Name: "key", Parameters: []connector.ConnectionParameter{{Name: "api_key", Type: connector.TypeSecureString, Required: true}}},
			{Name: "basic", Parameters: []connector.ConnectionParameter{
				{Name: "username", Type: connector.TypeString, Required: true},
				{Name: "password", Type: connector.TypeSecureString, Required: true}}},
		},
	}}
}

func TestPutValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t.TempDir(), connection.Options{}, apiSpec(), setsSpec())
	num := func(s string) json.Number { return json.Number(s) }
	tests := []struct {
		name      string
		in        connection.PutInput
		wantParam string
		wantMsg   string
	}{
		{"ok", connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": "k", "host": "h", "retries": num("3"), "verbose": true}}, "", ""},
		{"unknown connector", connection.PutInput{Connector: "nope", Parameters: map[string]any{}}, "", `connector "nope" does not exist`},
		{"no connector", connection.PutInput{Parameters: map[string]any{}}, "", `"connector" is required`},
		{"unknown parameter", connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": "k", "host": "h", "colour": "red"}}, "colour", `parameter "colour" is not a connection parameter of connector svc`},
		{"missing required", connection.PutInput{Connector: "svc", Parameters: map[string]any{"host": "h"}}, "api_key", `missing required parameter "api_key" (securestring)`},
		{"wrong type string", connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": "k", "host": num("1")}}, "host", `parameter "host": want a string, got a number`},
		{"wrong type int", connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": "k", "host": "h", "retries": num("1.5")}}, "retries", `parameter "retries": want an integer`},
		{"wrong type bool", connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": "k", "host": "h", "verbose": "perhaps"}}, "verbose", `parameter "verbose": want a boolean, got a string`},
		{"secret wrong type", connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": num("12345678"), "host": "h"}}, "api_key", `parameter "api_key": want a string, got a number`},
		{"not allowed", connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": "k", "host": "h", "region": "mars"}}, "region", `parameter "region": value is not one of the allowed values [eu us]`},
		{"set chosen by parameters", connection.PutInput{Connector: "sets", Parameters: map[string]any{"username": "u", "password": "p"}}, "", ""},
		{"set named", connection.PutInput{Connector: "sets", ParameterSet: "key", Parameters: map[string]any{"api_key": "k"}}, "", ""},
		{"unknown set", connection.PutInput{Connector: "sets", ParameterSet: "oauth", Parameters: map[string]any{}}, "", `connector sets has no parameter set "oauth" (it has key, basic)`},
		{"ambiguous set", connection.PutInput{Connector: "sets", Parameters: map[string]any{}}, "", `choose one with "parameterSet"`},
		{"param of other set", connection.PutInput{Connector: "sets", ParameterSet: "key", Parameters: map[string]any{"api_key": "k", "password": "p"}}, "password", `parameter "password" is not a connection parameter`},
		{"mask without stored value", connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": connection.Mask, "host": "h"}}, "api_key", `keeps the stored value, but there is none`},
		{"bad shared name", connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": "k", "host": "h"}, SharedWith: []string{"bob smith"}}, "", `principal name "bob smith"`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, created, err := e.svc.Put(context.Background(), owner, fmt.Sprintf("c%d", i), tt.in)
			if tt.wantMsg == "" {
				if err != nil || !created {
					t.Fatalf("Put = %v, %v", created, err)
				}
				return
			}
			var ce *connection.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error = %v, want a *connection.Error", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) || ce.Param != tt.wantParam || connector.KindOf(err) != connector.KindBadRequest {
				t.Fatalf("error = %v (param %q, kind %v), want %q about %q", err, ce.Param, connector.KindOf(err), tt.wantMsg, tt.wantParam)
			}
		})
	}
	t.Run("bad name", func(t *testing.T) {
		t.Parallel()
		_, _, err := e.svc.Put(context.Background(), owner, "../x", connection.PutInput{Connector: "svc"})
		if err == nil || !strings.Contains(err.Error(), `connection name "../x"`) {
			t.Fatalf("error = %v", err)
		}
	})
}

const secret = "sk-live-7f3a9c1e5b2d4f6a8c0e"

func TestSecretsSealedMaskedAndResolved(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := newEnv(t, dir, connection.Options{}, apiSpec())
	ctx := context.Background()
	v, created, err := e.svc.Put(ctx, owner, "prod", connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": secret, "host": "api.example.com"}, SharedWith: []string{"bob"}})
	if err != nil || !created {
		t.Fatalf("Put = %v, %v", created, err)
	}
	if v.Parameters["api_key"] != connection.Mask || v.Parameters["host"] != "api.example.com" || v.Parameters["region"] != "eu" {
		t.Fatalf("view parameters = %v", v.Parameters)
	}
	// Re-PUT with the mask keeps the stored value.
	if _, created, err := e.svc.Put(ctx, owner, "prod", connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": connection.Mask, "host": "api2.example.com"}}); err != nil || created {
		t.Fatalf("re-Put = %v, %v", created, err)
	}
	conn, err := e.svc.Resolve(ctx, "prod")
	if err != nil {
		t.Fatal(err)
	}
	if conn.String("api_key") != secret || conn.String("host") != "api2.example.com" {
		t.Fatalf("resolved values wrong: host %q", conn.String("host"))
	}
	got, err := e.svc.Get(ctx, owner, "prod")
	if err != nil {
		t.Fatal(err)
	}
	list, err := e.svc.List(ctx, owner)
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %v, %v", list, err)
	}
	c, err := e.db.GetConnection(ctx, "prod")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(e.logs, nil))
	log.Info("resolved", "connection", conn, "stored", c)
	vb, _ := json.Marshal(got)
	lb, _ := json.Marshal(list)
	sealed := c.Sealed["api_key"]
	if !strings.HasPrefix(sealed, "v1:"+e.kr.CurrentID()+":") {
		t.Fatalf("stored value is not an envelope")
	}
	assertAbsent(t, secret, dir, string(vb), string(lb), e.logs.String(), fmt.Sprint(c))
	// The value is bound to its connection and parameter.
	if _, err := e.kr.Open(sealed, "other\x00api_key"); err == nil {
		t.Fatal("sealed value opened for another connection")
	}
}

func TestAccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t.TempDir(), connection.Options{}, apiSpec())
	ctx := context.Background()
	if _, _, err := e.svc.Put(ctx, owner, "shared", connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": secret, "host": "h"}, SharedWith: []string{"bob"}}); err != nil {
		t.Fatal(err)
	}
	bob := connection.Principal{Name: "bob", Role: connection.RoleUser}
	eve := connection.Principal{Name: "eve", Role: connection.RoleUser}
	root := connection.Principal{Name: "root", Role: connection.RoleAdmin}
	tests := []struct {
		name       string
		p          connection.Principal
		use, admin bool
	}{
		{"owner", owner, true, true},
		{"shared", bob, true, false},
		{"admin", root, true, true},
		{"stranger", eve, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := e.svc.Authorize(ctx, tt.p, "shared")
			if (err == nil) != tt.use {
				t.Fatalf("Authorize = %v, want use %v", err, tt.use)
			}
			if err != nil && !strings.Contains(err.Error(), "Forbidden") {
				t.Fatalf("error %v", err)
			}
			_, _, err = e.svc.Put(ctx, tt.p, "shared", connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": connection.Mask, "host": "h"}, SharedWith: []string{"bob"}})
			if (err == nil) != tt.admin {
				t.Fatalf("Put = %v, want allowed %v", err, tt.admin)
			}
			list, _ := e.svc.List(ctx, tt.p)
			if (len(list) == 1) != tt.use {
				t.Fatalf("List = %d entries", len(list))
			}
		})
	}
	t.Run("owner stays the creator", func(t *testing.T) {
		t.Parallel()
		v, err := e.svc.Get(ctx, root, "shared")
		if err != nil || v.Owner != "alice" {
			t.Fatalf("Get = %+v, %v", v, err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		t.Parallel()
		_, err := e.svc.Get(ctx, owner, "nope")
		if !errors.Is(err, connection.ErrNotFound) {
			t.Fatalf("error = %v", err)
		}
	})
}

func TestHealth(t *testing.T) {
	t.Parallel()
	fail := errors.New("boom")
	p := apiSpec()
	p.test = func(c connector.Connection) error {
		if c.String("host") == "bad" {
			return &connector.Error{Kind: connector.KindUnauthenticated, StatusCode: 401, Message: "the service refused the key"}
		}
		if c.String("host") == "down" {
			return &connector.Error{Kind: connector.KindRetryable, Message: "down", Err: fail}
		}
		return nil
	}
	e := newEnv(t, t.TempDir(), connection.Options{}, p)
	ctx := context.Background()
	tests := []struct {
		host string
		want connection.State
	}{{"good", connection.StateConnected}, {"bad", connection.StateUnauthenticated}, {"down", connection.StateError}}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			t.Parallel()
			if _, _, err := e.svc.Put(ctx, owner, tt.host, connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": secret, "host": tt.host}}); err != nil {
				t.Fatal(err)
			}
			h, err := e.svc.Test(ctx, owner, tt.host)
			if err != nil || h.State != tt.want {
				t.Fatalf("Test = %+v, %v; want %s", h, err, tt.want)
			}
			v, _ := e.svc.Get(ctx, owner, tt.host)
			if v.Health.State != tt.want || (tt.want != connection.StateConnected && v.Health.LastError == "") {
				t.Fatalf("stored health %+v", v.Health)
			}
			e.svc.Report(ctx, tt.host, nil)
			if v, _ := e.svc.Get(ctx, owner, tt.host); v.Health.State != connection.StateConnected {
				t.Fatalf("after a success: %+v", v.Health)
			}
		})
	}
}

func TestRotateKeyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := newEnv(t, dir, connection.Options{}, apiSpec())
	ctx := context.Background()
	for _, n := range []string{"a", "b", "c"} {
		if _, _, err := e.svc.Put(ctx, owner, n, connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": secret + n, "host": "h"}}); err != nil {
			t.Fatal(err)
		}
	}
	oldFile, _ := os.ReadFile(filepath.Join(dir, connection.KeyFile))
	oldID := e.kr.CurrentID()
	res, err := e.svc.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Connections != 3 || res.Key == oldID || len(res.Retired) != 1 || res.Retired[0] != oldID {
		t.Fatalf("Rotate = %+v", res)
	}
	newFile, _ := os.ReadFile(filepath.Join(dir, connection.KeyFile))
	oldKeyLine := strings.Split(strings.TrimSpace(string(oldFile)), "\n")[1]
	if strings.Contains(string(newFile), oldKeyLine) {
		t.Fatal("the old key is still in the key file")
	}
	// Restart: a new keyring from the file holds only the new key.
	kr2, err := connection.OpenKeyring(dir, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if ids := kr2.IDs(); len(ids) != 1 || ids[0] != res.Key {
		t.Fatalf("keyring after restart = %v", ids)
	}
	e2 := newEnv(t, dir, connection.Options{Keyring: kr2}, apiSpec())
	for _, n := range []string{"a", "b", "c"} {
		conn, err := e2.svc.Resolve(ctx, n)
		if err != nil || conn.String("api_key") != secret+n {
			t.Fatalf("Resolve %s after rotation: %v", n, err)
		}
		c, _ := e2.db.GetConnection(ctx, n)
		if id, _ := connection.SealedWith(c.Sealed["api_key"]); id != res.Key {
			t.Fatalf("connection %s sealed with %s", n, id)
		}
	}
}

func TestRotateEnvKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k1 := base64.StdEncoding.EncodeToString(key(1))
	k2 := base64.StdEncoding.EncodeToString(key(2))
	open := func(vars map[string]string) *connection.Keyring {
		kr, err := connection.OpenKeyring(dir, func(k string) string { return vars[k] })
		if err != nil {
			t.Fatal(err)
		}
		return kr
	}
	ctx := context.Background()
	e1 := newEnv(t, dir, connection.Options{Keyring: open(map[string]string{connection.EnvSecretKey: k1})}, apiSpec())
	if _, _, err := e1.svc.Put(ctx, owner, "x", connection.PutInput{Connector: "svc", Parameters: map[string]any{"api_key": secret, "host": "h"}}); err != nil {
		t.Fatal(err)
	}
	// Without the old key the value cannot be opened.
	e0 := newEnv(t, dir, connection.Options{Keyring: open(map[string]string{connection.EnvSecretKey: k2}), CacheTTL: -1}, apiSpec())
	if _, err := e0.svc.Resolve(ctx, "x"); err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("Resolve without the old key = %v", err)
	}
	e2 := newEnv(t, dir, connection.Options{Keyring: open(map[string]string{connection.EnvSecretKey: k2, connection.EnvPreviousKeys: k1})}, apiSpec())
	res, err := e2.svc.Rotate(ctx)
	if err != nil || res.Connections != 1 || len(res.Retired) != 1 {
		t.Fatalf("Rotate = %+v, %v", res, err)
	}
	e3 := newEnv(t, dir, connection.Options{Keyring: open(map[string]string{connection.EnvSecretKey: k2})}, apiSpec())
	conn, err := e3.svc.Resolve(ctx, "x")
	if err != nil || conn.String("api_key") != secret {
		t.Fatalf("Resolve after rotation: %v", err)
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := newEnv(t, dir, connection.Options{}, apiSpec())
	keys := connection.NewKeys(e.db, connection.KeysOptions{Reserved: []string{"admin"}})
	ctx := context.Background()
	k, err := keys.Create(ctx, "ci-bot", connection.RoleUser)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k.Key, "jk_") || len(k.Key) != 3+43 {
		t.Fatalf("key %q", k.Key)
	}
	p, err := keys.Authenticate(ctx, k.Key)
	if err != nil || p.Name != "ci-bot" || p.Role != connection.RoleUser {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	tests := []struct {
		name, key string
		role      connection.Role
		want      string
	}{
		{"duplicate", "ci-bot", connection.RoleUser, "KeyExists"},
		{"reserved", "admin", connection.RoleAdmin, "reserved"},
		{"bad role", "x", "root", "role must be"},
		{"bad name", "a b", connection.RoleUser, "InvalidName"},
	}
	t.Run("create errors", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				if _, err := keys.Create(ctx, tt.key, tt.role); err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Create = %v, want %q", err, tt.want)
				}
			})
		}
	})
	for _, bad := range []string{"", "jk_nope", k.Key + "x", strings.TrimPrefix(k.Key, "jk_")} {
		if _, err := keys.Authenticate(ctx, bad); !errors.Is(err, connection.ErrBadKey) {
			t.Fatalf("Authenticate(%q) = %v", bad, err)
		}
	}
	if err := keys.Delete(ctx, "ci-bot"); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Authenticate(ctx, k.Key); !errors.Is(err, connection.ErrBadKey) {
		t.Fatalf("revoked key authenticates: %v", err)
	}
	if err := keys.Delete(ctx, "ci-bot"); err == nil || !strings.Contains(err.Error(), "KeyNotFound") {
		t.Fatalf("second Delete = %v", err)
	}
	assertAbsent(t, k.Key, dir)
	assertAbsent(t, strings.TrimPrefix(k.Key, "jk_"), dir)
}
