// SPDX-License-Identifier: Apache-2.0

package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTriggersThroughServe checks the trigger dispatcher inside junction
// serve: a Recurrence trigger fires and has a history, an HttpWebhook
// trigger subscribes when deployed, its signed callback URL starts runs
// (and refuses a wrong signature), and disabling the workflow
// unsubscribes.
func TestTriggersThroughServe(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var callback string
	unsubscribed := make(chan struct{}, 1)
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/subscribe":
			var in struct{ Callback string }
			_ = json.Unmarshal(b, &in)
			mu.Lock()
			callback = in.Callback
			mu.Unlock()
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"id": "sub-1"}`))
		case "/unsubscribe":
			select {
			case unsubscribed <- struct{}{}:
			default:
			}
			w.WriteHeader(http.StatusOK)
		}
	}))
	t.Cleanup(svc.Close)
	p := startServer(t)

	p.deploy(t, "tick", `{"triggers": {"every": {"type": "Recurrence", "recurrence": {"frequency": "Second", "interval": 1}}},
	  "actions": {"C": {"type": "Compose", "inputs": "tick", "runAfter": {}}}}`)
	p.deploy(t, "hooked", `{"triggers": {"hook": {"type": "HttpWebhook", "inputs": {
	    "subscribe": {"method": "POST", "uri": "`+svc.URL+`/subscribe", "body": {"callback": "@{listCallbackUrl()}"}},
	    "unsubscribe": {"method": "POST", "uri": "`+svc.URL+`/unsubscribe"}}}},
	  "actions": {"C": {"type": "Compose", "inputs": "@triggerBody()", "runAfter": {}}}}`)

	t.Run("recurrence fires and has a history", func(t *testing.T) {
		deadline := time.Now().Add(20 * time.Second)
		for {
			a := p.admin(t, "GET", "/api/workflows/tick/triggers/every/histories", nil)
			if a.Status != http.StatusOK {
				t.Fatalf("histories: %d %s", a.Status, a.Body)
			}
			var h struct {
				Value []struct {
					Status string
					Fired  bool
					Run    struct{ Name string }
				}
			}
			_ = json.Unmarshal(a.Body, &h)
			if len(h.Value) > 0 && h.Value[0].Fired && h.Value[0].Run.Name != "" {
				rec := p.waitRun(t, "tick", h.Value[0].Run.Name)
				if rec["status"] != "Succeeded" {
					t.Fatalf("run %v", rec["status"])
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no fire in time: %s", a.Body)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	t.Run("webhook", func(t *testing.T) {
		mu.Lock()
		cb := callback
		mu.Unlock()
		if !strings.Contains(cb, "/api/workflows/hooked/triggers/hook/callback?") || !strings.Contains(cb, "sig=") {
			t.Fatalf("subscribed callback URL %q", cb)
		}
		if a := do(t, "POST", strings.Replace(cb, "sig=", "sig=x", 1), "", map[string]any{"n": 1}); a.Status != http.StatusUnauthorized {
			t.Fatalf("wrong signature: %d %s", a.Status, a.Body)
		}
		a := do(t, "POST", cb, "", map[string]any{"n": 42})
		if a.Status != http.StatusAccepted {
			t.Fatalf("event: %d %s", a.Status, a.Body)
		}
		var res struct{ Runs []string }
		_ = json.Unmarshal(a.Body, &res)
		if len(res.Runs) != 1 {
			t.Fatalf("runs %s", a.Body)
		}
		rec := p.waitRun(t, "hooked", res.Runs[0])
		if b, _ := json.Marshal(rec); !strings.Contains(string(b), `"n":42`) {
			t.Fatalf("run record %s", b)
		}
		if a := p.admin(t, "POST", "/api/workflows/hooked/disable", nil); a.Status != http.StatusOK {
			t.Fatalf("disable: %d %s", a.Status, a.Body)
		}
		select {
		case <-unsubscribed:
		case <-time.After(20 * time.Second):
			t.Fatal("disabling did not unsubscribe")
		}
		if a := do(t, "POST", cb, "", map[string]any{"n": 2}); a.Status != http.StatusNotFound {
			t.Fatalf("event after disable: %d %s", a.Status, a.Body)
		}
	})
}
