// SPDX-License-Identifier: Apache-2.0

package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

const benchEcho = `{"triggers": {"manual": {"type": "Request", "kind": "Http"}},
 "actions": {"Compose": {"type": "Compose", "inputs": {"got": "@triggerBody()"}, "runAfter": {}},
  "Response": {"type": "Response", "kind": "Http", "inputs": {"statusCode": 200, "body": "@outputs('Compose')"},
   "runAfter": {"Compose": ["Succeeded"]}}}}`

// BenchmarkRequestComposeResponse drives the whole server handler in
// process (no sockets) with the workflow scripts/bench-serve.sh measures:
// every request creates a durable run (SQLite, synchronous=NORMAL) and
// waits for its Response action. Parallel, so concurrent runs share group
// commits as they do under a load generator.
func BenchmarkRequestComposeResponse(b *testing.B) {
	s := newTestServer(b)
	if rec := serve(s, "PUT", "/api/workflows/echo", benchEcho, true); rec.Code/100 != 2 {
		b.Fatalf("deploy: %d %s", rec.Code, rec.Body)
	}
	rec := serve(s, "POST", "/api/workflows/echo/triggers/manual/listCallbackUrl", "", true)
	var cb struct{ Value string }
	if err := json.Unmarshal(rec.Body.Bytes(), &cb); err != nil || cb.Value == "" {
		b.Fatalf("listCallbackUrl: %d %s", rec.Code, rec.Body)
	}
	u, err := url.Parse(cb.Value)
	if err != nil {
		b.Fatal(err)
	}
	target := u.RequestURI()
	const body = `{"order": 42, "items": ["a", "b"]}`
	b.ReportAllocs()
	b.SetParallelism(16) // 32 concurrent callers on 2 cores, like hey -c 32..64
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("POST", target, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, req)
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"order":42`) {
				b.Errorf("invoke: %d %s", w.Code, w.Body)
				return
			}
		}
	})
	// CPU time per run is steadier than ns/op on a shared machine.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
