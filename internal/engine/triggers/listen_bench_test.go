// SPDX-License-Identifier: Apache-2.0

package triggers_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/junction-run/junction/internal/engine/triggers"
	"github.com/junction-run/junction/internal/store"
)

// countRuns counts the runs committed through it.
type countRuns struct {
	store.Store
	runs atomic.Int64
}

func (c *countRuns) Commit(ctx context.Context, b *store.Batch) error {
	err := c.Store.Commit(ctx, b)
	if err == nil {
		c.runs.Add(int64(len(b.NewRuns)))
	}
	return err
}

// BenchmarkListenerLoad measures AMQP messages per second from the broker to a
// durably started run: JUNCTION_BENCH_AMQP_MESSAGES messages (5,000 with
// =1) are queued in RabbitMQ, then the workflow is enabled and the time
// until every message's run is committed to the SQLite store (and the
// message acked) is measured. Each run executes a Compose action
// meanwhile. JUNCTION_BENCH_AMQP_PREFETCH sets the trigger's prefetch.
//
// It runs the load once (use -benchtime 1x); JUNCTION_BENCH_AMQP_MESSAGES
// sets the message count (default 5,000):
//
//	go test -run '^$' -bench ListenerLoad -benchtime 1x ./internal/engine/triggers/
func BenchmarkListenerLoad(b *testing.B) {
	var t testing.TB = b
	n, _ := strconv.Atoi(os.Getenv("JUNCTION_BENCH_AMQP_MESSAGES"))
	if n <= 1 {
		n = 5000
	}
	prefetch := 10
	if v, err := strconv.Atoi(os.Getenv("JUNCTION_BENCH_AMQP_PREFETCH")); err == nil && v > 0 {
		prefetch = v
	}
	res, ch, q := rabbit(t)
	cr := &countRuns{}
	h := newHarness(t, triggers.Options{Connections: res}, func(s store.Store) store.Store { cr.Store = s; return cr })
	publishN(t, ch, q, 0, n)
	waitFor(t, 30*time.Second, "the queued messages", func() bool { m, _ := queueState(t, ch, q); return m == n })

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	h.mustEnable("load", `{"triggers": {"msg": {"type": "ApiConnection",
		"inputs": {"host": {"connection": {"referenceName": "rabbit"}}, "method": "get",
			"path": "/queues/`+q+`/messages/trigger", "queries": {"prefetch": `+strconv.Itoa(prefetch)+`}}}},
		"actions": {"c": {"type": "Compose", "inputs": "@triggerBody()?['MessageId']"}}}`)
	deadline := time.Now().Add(10 * time.Minute)
	for cr.runs.Load() < int64(n) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d runs committed", cr.runs.Load(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	waitFor(t, 30*time.Second, "an empty queue", func() bool { m, _ := queueState(t, ch, q); return m == 0 })
	if got := len(h.runs("load")); got != n {
		t.Fatalf("%d runs, want %d", got, n)
	}
	t.Logf("AMQP listener: %d messages to committed runs in %v: %.0f msg/s (%.2f ms each), prefetch %d; heap in use %.1f MiB after, %.1f KiB allocated per message (engine runs included)",
		n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), float64(elapsed.Microseconds())/float64(n)/1000, prefetch,
		float64(after.HeapInuse)/(1<<20), float64(after.TotalAlloc-before.TotalAlloc)/float64(n)/1024)
}
