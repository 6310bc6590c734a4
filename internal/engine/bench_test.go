// SPDX-License-Identifier: Apache-2.0

package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/store"
)

func chainDef(n int) []byte {
	var sb strings.Builder
	sb.WriteString(`{"actions":{`)
	for i := range n {
		if i > 0 {
			sb.WriteString(",")
		}
		ra := "{}"
		if i > 0 {
			ra = fmt.Sprintf(`{"C%d":["Succeeded"]}`, i-1)
		}
		in := `"@triggerBody()"`
		if i > 0 {
			in = fmt.Sprintf(`{"prev":"@outputs('C%d')?['i']","i":%d}`, i-1, i)
		}
		fmt.Fprintf(&sb, `"C%d":{"type":"Compose","inputs":%s,"runAfter":%s}`, i, in, ra)
	}
	sb.WriteString(`}}`)
	return []byte(sb.String())
}

// BenchmarkComposeChain measures the per-action overhead of a 50-action
// Compose chain with durable persistence (SQLite, synchronous=NORMAL).
func BenchmarkComposeChain(b *testing.B) {
	for _, mode := range []struct {
		name     string
		each     bool
		parallel int
	}{{"wave-commit", false, 1}, {"wave-commit-8-runs", false, 8}, {"commit-each-step", true, 1}, {"commit-each-step-8-runs", true, 8}} {
		b.Run(mode.name, func(b *testing.B) {
			e, _ := newEngine(b, engine.Options{CommitEachStep: mode.each})
			ctx := context.Background()
			v, err := e.Register(ctx, "chain", chainDef(50))
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			cpu0 := cpuTime()
			var runs atomic.Int64
			var wg sync.WaitGroup
			for range mode.parallel {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for runs.Add(1) <= int64(b.N) {
						id, err := e.StartRun(ctx, "chain", v, engine.StartOptions{Trigger: map[string]any{"body": "x"}})
						if err != nil {
							b.Error(err)
							return
						}
						r, err := e.Wait(ctx, id)
						if err != nil || r.Status != store.StatusSucceeded {
							b.Errorf("run %s: %v", r.Status, err)
							return
						}
					}
				}()
			}
			wg.Wait()
			el := time.Since(start)
			b.ReportMetric(float64(el.Microseconds())/float64(b.N*50), "µs/action")
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*50), "cpu-µs/action")
		})
	}
}

// cpuTime is the CPU time (user+system) used by this process so far: on
// a shared machine it measures our cost independently of other load.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rss is the resident set size (it includes SQLite's page cache, which
// modernc allocates outside the Go heap).
func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// BenchmarkParkedWaits parks 10,000 runs in a 1-hour Wait and reports the
// heap they cost (they should cost store rows, not memory).
func BenchmarkParkedWaits(b *testing.B) {
	const n = 10000
	for range b.N {
		e, st := newEngine(b, engine.Options{})
		ctx := context.Background()
		v, err := e.Register(ctx, "wait", []byte(`{"actions":{"W":{"type":"Wait","inputs":{"interval":{"count":1,"unit":"Hour"}},"runAfter":{}},"A":{"type":"Compose","inputs":1,"runAfter":{"W":["Succeeded"]}}}}`))
		if err != nil {
			b.Fatal(err)
		}
		idle := heapInUse()
		idleRSS := rss()
		goroutines := runtime.NumGoroutine()
		start := time.Now()
		var wg sync.WaitGroup
		sem := make(chan struct{}, 64)
		for range n {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if _, err := e.StartRun(ctx, "wait", v, engine.StartOptions{}); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
		// Every run parks: no unparked running runs remain.
		deadline := time.Now().Add(2 * time.Minute)
		for {
			un, err := st.ListRuns(ctx, store.RunFilter{Unparked: true})
			if err != nil {
				b.Fatal(err)
			}
			if len(un) == 0 {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%d runs still not parked", len(un))
			}
			time.Sleep(20 * time.Millisecond)
		}
		el := time.Since(start)
		used := heapInUse()
		b.ReportMetric(float64(int64(used)-int64(idle))/(1<<20), "MB-heap-above-idle")
		b.ReportMetric(float64(rss()-idleRSS)/(1<<20), "MB-RSS-above-idle")
		b.ReportMetric(float64(runtime.NumGoroutine()-goroutines), "extra-goroutines")
		b.ReportMetric(el.Seconds(), "s-to-park-all")
	}
}

// BenchmarkForeachHTTP runs a parallel Foreach over 5,000 items, each
// calling a local HTTP server, with concurrency 50.
func BenchmarkForeachHTTP(b *testing.B) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	e, _ := newEngine(b, engine.Options{HTTPClient: client})
	ctx := context.Background()
	def := `{"actions":{"Loop":{"type":"Foreach","foreach":"@range(0, 5000)","runtimeConfiguration":{"concurrency":{"repetitions":50}},"actions":{
	  "Call":{"type":"Http","inputs":{"method":"GET","uri":"` + srv.URL + `/item/@{item()}"},"runAfter":{}}},"runAfter":{}}}}`
	v, err := e.Register(ctx, "fan", []byte(def))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		id, err := e.StartRun(ctx, "fan", v, engine.StartOptions{})
		if err != nil {
			b.Fatal(err)
		}
		r, err := e.Wait(ctx, id)
		if err != nil || r.Status != store.StatusSucceeded {
			b.Fatalf("run %s: %v", r.Status, err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/run")
	}
	if got := calls.Load(); got < int64(5000*b.N) {
		b.Fatalf("%d calls, want %d", got, 5000*b.N)
	}
}
