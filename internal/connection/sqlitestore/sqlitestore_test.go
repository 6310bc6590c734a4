// SPDX-License-Identifier: Apache-2.0

package sqlitestore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/junction-run/junction/internal/connection"
	"github.com/junction-run/junction/internal/connection/sqlitestore"
)

func open(t *testing.T) *sqlitestore.DB {
	t.Helper()
	db, err := sqlitestore.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T, db *sqlitestore.DB)
	}{
		{"connections", func(t *testing.T, db *sqlitestore.DB) {
			c := &connection.Connection{Name: "a", ConnectorID: "x", Owner: "o", Sealed: map[string]string{"k": "v1:id:zz"}, Health: connection.Health{State: connection.StateUnknown}}
			if err := db.PutConnection(ctx, c); err != nil {
				t.Fatal(err)
			}
			c.Owner = "p"
			if err := db.PutConnection(ctx, c); err != nil {
				t.Fatal(err)
			}
			got, err := db.GetConnection(ctx, "a")
			if err != nil || got.Owner != "p" || got.Sealed["k"] != "v1:id:zz" {
				t.Fatalf("Get = %+v, %v", got, err)
			}
			if list, err := db.ListConnections(ctx); err != nil || len(list) != 1 {
				t.Fatalf("List = %v, %v", list, err)
			}
			if err := db.DeleteConnection(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			for _, err := range []error{db.DeleteConnection(ctx, "a"), func() error { _, err := db.GetConnection(ctx, "a"); return err }()} {
				if !errors.Is(err, connection.ErrNotFound) {
					t.Fatalf("after delete: %v", err)
				}
			}
		}},
		{"consents are taken once", func(t *testing.T, db *sqlitestore.DB) {
			if err := db.PutConsent(ctx, &connection.Consent{StateHash: "h", Connection: "a", Expires: time.Now().Add(time.Minute)}); err != nil {
				t.Fatal(err)
			}
			if c, err := db.TakeConsent(ctx, "h"); err != nil || c.Connection != "a" {
				t.Fatalf("Take = %+v, %v", c, err)
			}
			if _, err := db.TakeConsent(ctx, "h"); !errors.Is(err, connection.ErrNotFound) {
				t.Fatalf("second Take = %v", err)
			}
		}},
		{"keys", func(t *testing.T, db *sqlitestore.DB) {
			k := &connection.KeyRecord{Name: "n", Role: connection.RoleUser, Hash: "abc", Created: time.Now()}
			if err := db.PutKey(ctx, k); err != nil {
				t.Fatal(err)
			}
			if err := db.PutKey(ctx, k); !errors.Is(err, connection.ErrExists) {
				t.Fatalf("duplicate = %v", err)
			}
			if got, err := db.KeyByHash(ctx, "abc"); err != nil || got.Name != "n" || got.Role != connection.RoleUser {
				t.Fatalf("KeyByHash = %+v, %v", got, err)
			}
			if err := db.DeleteKey(ctx, "n"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.KeyByHash(ctx, "abc"); !errors.Is(err, connection.ErrNotFound) {
				t.Fatalf("after delete: %v", err)
			}
		}},
		{"call log is trimmed", func(t *testing.T, db *sqlitestore.DB) {
			for i := range 10 {
				batch := make([]*connection.Call, 0, 10)
				for j := range 10 {
					batch = append(batch, &connection.Call{Connection: "a", Operation: fmt.Sprintf("op%d", i*10+j)})
				}
				if err := db.AddCalls(ctx, batch, 20); err != nil {
					t.Fatal(err)
				}
			}
			calls, err := db.ListCalls(ctx, "a", 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) < 20 || len(calls) > 36 || calls[0].Operation != "op99" {
				t.Fatalf("%d calls kept, newest %s", len(calls), calls[0].Operation)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, open(t))
		})
	}
}
