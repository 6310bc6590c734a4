// SPDX-License-Identifier: Apache-2.0

package connection_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/connection"
	"github.com/junction-run/junction/internal/connection/sqlitestore"
)

// clock is a real clock that tests can move forward.
type clock struct{ off atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) Advance(d time.Duration) { c.off.Add(int64(d)) }

// stub is a provider with a fixed spec and an optional Test.
type stub struct {
	spec connector.Spec
	test func(connector.Connection) error
}

func (s *stub) Spec() connector.Spec { return s.spec }
func (s *stub) Invoke(context.Context, connector.Connection, string, connector.Input) (connector.Output, error) {
	return connector.Output{StatusCode: 200}, nil
}
func (s *stub) Test(_ context.Context, c connector.Connection) error {
	if s.test == nil {
		return nil
	}
	return s.test(c)
}

var _ connector.Tester = (*stub)(nil)

func lookup(provs ...connector.Provider) func(string) (connector.Provider, bool) {
	m := map[string]connector.Provider{}
	for _, p := range provs {
		m[p.Spec().ID] = p
	}
	return func(id string) (connector.Provider, bool) { p, ok := m[id]; return p, ok }
}

type env struct {
	dir   string
	db    *sqlitestore.DB
	kr    *connection.Keyring
	svc   *connection.Service
	logs  *bytes.Buffer
	clock *clock
}

// newEnv opens a store and a file keyring in dir and a service over them.
func newEnv(t testing.TB, dir string, o connection.Options, provs ...connector.Provider) *env {
	t.Helper()
	db, err := sqlitestore.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	kr := o.Keyring
	if kr == nil {
		kr, err = connection.OpenKeyring(dir, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
	}
	e := &env{dir: dir, db: db, kr: kr, logs: &bytes.Buffer{}, clock: &clock{}}
	o.Store, o.Keyring, o.Connectors = db, kr, lookup(provs...)
	o.Logger = slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if o.Now == nil {
		o.Now = e.clock.Now
	}
	e.svc, err = connection.NewService(o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// assertAbsent fails when any file under dir, or any of the texts,
// contains secret.
func assertAbsent(t testing.TB, secret string, dir string, texts ...string) {
	t.Helper()
	if dir != "" {
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("file %s contains the secret in clear", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range texts {
		if strings.Contains(s, secret) {
			t.Errorf("text %d contains the secret: %s", i, s)
		}
	}
}

var owner = connection.Principal{Name: "alice", Role: connection.RoleUser}
