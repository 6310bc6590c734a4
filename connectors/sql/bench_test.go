// SPDX-License-Identifier: Apache-2.0

package sql_test

import (
	"context"
	dbsql "database/sql"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	sqlc "github.com/junction-run/junction/connectors/sql"
	"github.com/junction-run/junction/internal/testserver"
)

// BenchmarkOnNewItemsLoad measures the OnNewItems trigger detecting many new
// rows in PostgreSQL: it inserts JUNCTION_BENCH_SQL_ROWS rows (100,000 with
// JUNCTION_BENCH_SQL_ROWS=1) after the baseline poll, then polls with the
// returned cursor, as the dispatcher does, until every row came back
// (maxItems per poll: JUNCTION_BENCH_SQL_MAXITEMS, default 1000, the
// connector's largest page is 10,000). It reports rows/s and the heap.
//
// It runs the load once (use -benchtime 1x); JUNCTION_BENCH_SQL_ROWS sets
// the row count (default 100,000):
//
//	go test -run '^$' -bench OnNewItemsLoad -benchtime 1x ./connectors/sql/
func BenchmarkOnNewItemsLoad(b *testing.B) {
	var t testing.TB = b
	n, _ := strconv.Atoi(os.Getenv("JUNCTION_BENCH_SQL_ROWS"))
	if n <= 1 {
		n = 100_000
	}
	page := 1000
	if v, err := strconv.Atoi(os.Getenv("JUNCTION_BENCH_SQL_MAXITEMS")); err == nil && v > 0 {
		page = v
	}
	dsn := testserver.Require(t, "postgres")["JUNCTION_TEST_PG_DSN"]
	db, err := dbsql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	table := fmt.Sprintf("bench_newitems_%d", time.Now().UnixNano())
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE `+table+` (id bigserial PRIMARY KEY, customer text NOT NULL, total numeric(10,2), created timestamptz DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = db.Exec(`DROP TABLE ` + table) })

	c := sqlc.New()
	t.Cleanup(func() { _ = c.Close(ctx) })
	conn := connector.Connection{Name: "bench", Values: map[string]any{"driver": "postgres", "connectionString": dsn}}
	in := connector.Input{Parameters: map[string]any{"table": "public." + table, "maxItems": page}}
	res, err := c.Poll(ctx, conn, sqlc.OnNewItems, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	state := res.State

	start := time.Now()
	if _, err := db.ExecContext(ctx, `INSERT INTO `+table+` (customer, total) SELECT 'customer ' || g, g % 1000 + 0.99 FROM generate_series(1, $1) g`, n); err != nil {
		t.Fatal(err)
	}
	insert := time.Since(start)

	runtime.GC()
	var peak atomic.Uint64
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tk := time.NewTicker(5 * time.Millisecond)
		defer tk.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	got, polls := 0, 0
	var last int64
	var bytesOut int
	start = time.Now()
	for got < n {
		res, err := c.Poll(ctx, conn, sqlc.OnNewItems, in, state)
		if err != nil {
			t.Fatal(err)
		}
		polls++
		if len(res.Items) == 0 {
			t.Fatalf("poll %d returned nothing after %d of %d rows", polls, got, n)
		}
		// The dispatcher stores the items as trigger outputs: encode
		// them as it would.
		b, err := json.Marshal(res.Items)
		if err != nil {
			t.Fatal(err)
		}
		bytesOut += len(b)
		for _, it := range res.Items {
			m, _ := it.(map[string]any)
			id, err := strconv.ParseInt(fmt.Sprint(m["id"]), 10, 64)
			if err != nil || id != last+1 {
				t.Fatalf("row %v after %d: out of order or missing", m["id"], last)
			}
			last = id
		}
		got += len(res.Items)
		state = res.State
	}
	elapsed := time.Since(start)
	close(stop)
	<-sampled
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("OnNewItems: %d rows (insert %v) in %d polls of ≤%d in %v: %.0f rows/s, %.1f ms/poll; JSON %.1f MiB; heap in use before %.1f MiB, peak %.1f MiB; %.1f KiB allocated per row",
		n, insert.Round(time.Millisecond), polls, page, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(),
		float64(elapsed.Milliseconds())/float64(polls), float64(bytesOut)/(1<<20),
		float64(before.HeapInuse)/(1<<20), float64(peak.Load())/(1<<20), float64(after.TotalAlloc-before.TotalAlloc)/float64(n)/1024)
}
