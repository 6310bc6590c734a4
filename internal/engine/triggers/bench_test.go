// SPDX-License-Identifier: Apache-2.0

package triggers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/internal/engine/actions"
	"github.com/junction-run/junction/internal/engine/triggers"
)

// BenchmarkScheduleLoad enables 1,000 triggers at a 10-second interval and
// reports the scheduling skew (actual − planned fire time, from the
// history) and the process CPU time over the window, once (run it with
// -benchtime 1x):
//
//	JUNCTION_TRIGGER_BENCH=recurrence go test -run ^$ -bench ScheduleLoad -benchtime 1x ./internal/engine/triggers/
//	JUNCTION_TRIGGER_BENCH=poll ...  (ApiConnection triggers on an in-process Poller; every poll finds one item)
//
// JUNCTION_TRIGGER_BENCH_SECONDS sets the window (default 40);
// JUNCTION_TRIGGER_BENCH_SPREAD=1 spreads the start times over the interval.
func BenchmarkScheduleLoad(b *testing.B) {
	var t testing.TB = b
	mode := os.Getenv("JUNCTION_TRIGGER_BENCH")
	if mode == "" {
		mode = "recurrence"
	}
	window := 40 * time.Second
	if s, err := strconv.Atoi(os.Getenv("JUNCTION_TRIGGER_BENCH_SECONDS")); err == nil && s > 0 {
		window = time.Duration(s) * time.Second
	}
	const n = 1000
	reg := connector.NewRegistry()
	if err := reg.Register(&endlessPoller{}); err != nil {
		t.Fatal(err)
	}
	fc, err := actions.NewFileConnections("testdata/connections.json", reg, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, triggers.Options{Connections: fc}, nil)
	def := `{"triggers":{"every":{"type":"Recurrence","recurrence":{"frequency":"Second","interval":10}}},"actions":{}}`
	if mode == "poll" {
		def = `{"triggers":{"every":{"type":"ApiConnection","recurrence":{"frequency":"Second","interval":10},
		  "inputs":{"host":{"connection":{"referenceName":"fake"}},"method":"get","path":"/new/orders"}}},"actions":{}}`
	}
	spread := os.Getenv("JUNCTION_TRIGGER_BENCH_SPREAD") != ""
	start := time.Now()
	for i := range n {
		d := def
		if spread {
			// Start times 0-9 s apart: 100 triggers due per second instead
			// of bursts of 1,000.
			d = strings.Replace(def, `"interval":10`, fmt.Sprintf(`"interval":10,"startTime":"2026-01-01T00:00:%02dZ"`, i%10), 1)
		}
		h.mustEnable(fmt.Sprintf("wf%04d", i), d)
	}
	t.Logf("enabled %d triggers in %v", n, time.Since(start).Round(time.Millisecond))
	// Warm up one interval, then measure.
	time.Sleep(10 * time.Second) //nolint:forbidigo // a measurement window, not a synchronisation
	from := time.Now()
	cpu0 := cpuTime(t)
	time.Sleep(window) //nolint:forbidigo // a measurement window
	cpu := cpuTime(t) - cpu0
	to := time.Now()
	var skews []time.Duration
	for i := range n {
		hs, err := h.d.Histories(context.Background(), fmt.Sprintf("wf%04d", i), "every", 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range hs {
			if x.Time.Before(from) || x.Time.After(to) {
				continue
			}
			skews = append(skews, x.Time.Sub(x.ScheduledTime))
		}
	}
	slices.Sort(skews)
	if len(skews) == 0 {
		t.Fatal("no fires in the window")
	}
	pct := func(p float64) time.Duration { return skews[min(len(skews)-1, int(p*float64(len(skews))))] }
	want := int(float64(n) * window.Seconds() / 10)
	t.Logf("mode %s (spread %v): %d fires in %v (expected ~%d); skew p50 %v p99 %v max %v; CPU %v (%.1f%% of one core)",
		mode, spread, len(skews), window, want, pct(0.5), pct(0.99), skews[len(skews)-1], cpu.Round(time.Millisecond),
		100*cpu.Seconds()/to.Sub(from).Seconds())
}

// endlessPoller finds one new item at every poll.
type endlessPoller struct{ fakePoller }

func (*endlessPoller) Poll(context.Context, connector.Connection, string, connector.Input, json.RawMessage) (connector.PollResult, error) {
	return connector.PollResult{Items: []any{map[string]any{"n": 1}}, State: json.RawMessage(`1`)}, nil
}

func cpuTime(t testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
