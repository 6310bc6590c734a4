// SPDX-License-Identifier: Apache-2.0

package sqlite_test

import (
	"testing"

	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/internal/store/sqlite"
	"github.com/junction-run/junction/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"NORMAL", "FULL"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			storetest.Run(t, func(t testing.TB) store.Store {
				db, err := sqlite.OpenDir(t.TempDir(), sqlite.Options{Sync: mode})
				if err != nil {
					t.Fatal(err)
				}
				return db
			})
		})
	}
}

func TestBadSync(t *testing.T) {
	t.Parallel()
	if _, err := sqlite.OpenDir(t.TempDir(), sqlite.Options{Sync: "OFF"}); err == nil {
		t.Fatal("synchronous=OFF accepted")
	}
}
