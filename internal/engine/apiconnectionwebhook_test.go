// SPDX-License-Identifier: Apache-2.0

package engine_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/engine/actions"
	"github.com/junction-run/junction/internal/store"
)

const approvalsKey = "approvals-key-1"

// approvalService serves the testdata approvals connector under /v1 and
// records every request.
type approvalService struct {
	mu   sync.Mutex
	log  []string
	subs []map[string]any // subscribe bodies
	srv  *httptest.Server
}

func newApprovalService(t testing.TB) *approvalService {
	t.Helper()
	as := &approvalService{}
	as.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The DELETE of the Location is sent without the connection's
		// credentials, as for ApiConnectionWebhook triggers.
		if r.Method == http.MethodPost && r.Header.Get("X-Api-Key") != approvalsKey {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		b, _ := io.ReadAll(r.Body)
		as.mu.Lock()
		defer as.mu.Unlock()
		as.log = append(as.log, r.Method+" "+r.URL.Path)
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v1/approvals":
			var sub map[string]any
			_ = json.Unmarshal(b, &sub)
			as.subs = append(as.subs, sub)
			w.Header().Set("Location", as.srv.URL+"/v1/approvals/a1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"id":"a1"}`))
		case r.Method == http.MethodDelete && r.URL.Path == "/v1/approvals/a1":
			w.WriteHeader(http.StatusOK)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(as.srv.Close)
	return as
}

func (as *approvalService) snapshot() ([]string, []map[string]any) {
	as.mu.Lock()
	defer as.mu.Unlock()
	return slices.Clone(as.log), slices.Clone(as.subs)
}

func (as *approvalService) connections(t testing.TB) actions.ConnectionResolver {
	t.Helper()
	settings := map[string]string{"APPROVALS_URL": as.srv.URL + "/v1", "APPROVALS_KEY": approvalsKey}
	fc, err := actions.NewFileConnections("testdata/apiconnwebhook/connections.json", connector.NewRegistry(), func(k string) (string, bool) {
		v, ok := settings[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	fc.HTTPClient = as.srv.Client()
	return fc
}

// An ApiConnectionWebhook action subscribes through an imported
// connector's x-ms-notification-url operation, waits for the callback
// (whose body becomes its outputs), then DELETEs the subscription's
// Location; on timeout it unsubscribes too.
func TestAPIConnectionWebhookAction(t *testing.T) {
	t.Parallel()
	const host = `"host":{"connection":{"referenceName":"approvals"}}`
	tests := []struct {
		name, inputs string
		timeout      bool // no callback: the action times out
	}{
		{"callback URL filled by the engine", `{` + host + `,"method":"post","path":"/approvals","body":{"to":"ann@example.com"}}`, false},
		{"callback URL in the body", `{` + host + `,"method":"post","path":"/approvals","body":{"NotificationUrl":"@{listCallbackUrl()}","to":"ann@example.com"}}`, false},
		{"consumption reference and base path", `{"host":{"connection":{"name":"@parameters('$connections')['approvals']['connectionId']"}},"method":"post","path":"/v1/approvals","body":{"to":"ann@example.com"}}`, false},
		{"timeout unsubscribes", `{` + host + `,"method":"post","path":"/approvals","body":{"to":"ann@example.com"}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			as := newApprovalService(t)
			e, _ := newEngine(t, engine.Options{CallbackBaseURL: "http://junction.test", Connections: as.connections(t)})
			limit := ""
			if tt.timeout {
				limit = `,"limit":{"timeout":"PT1S"}`
			}
			def := `{"parameters":{"$connections":{"type":"Object","defaultValue":{"approvals":{"connectionId":"/connections/approvals"}}}},
			  "actions":{"Approve":{"type":"ApiConnectionWebhook","inputs":` + tt.inputs + limit + `,"runAfter":{}},
			  "Got":{"type":"Compose","inputs":"@body('Approve')?['decision']","runAfter":{"Approve":["Succeeded"]}}}}`
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			v, err := e.Register(ctx, "wf", []byte(def))
			if err != nil {
				t.Fatal(err)
			}
			id, err := e.StartRun(ctx, "wf", v, engine.StartOptions{})
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the subscription", func() bool {
				_, subs := as.snapshot()
				return len(subs) == 1
			})
			_, subs := as.snapshot()
			cb, _ := subs[0]["NotificationUrl"].(string)
			if !strings.HasPrefix(cb, "http://junction.test/callbacks/") || subs[0]["to"] != "ann@example.com" {
				t.Fatalf("subscribe body %v", subs[0])
			}
			token := cb[strings.LastIndex(cb, "/")+1:]
			if !tt.timeout {
				payload := expr.NewObject(1)
				payload.Set("body", expr.FromGo(map[string]any{"decision": "Approve"}))
				// The callback may arrive before the subscription is recorded.
				waitFor(t, "the callback to be accepted", func() bool { return e.Callback(ctx, token, payload) == nil })
			}
			r, err := e.Wait(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			rec, _ := e.RunRecord(ctx, id)
			if tt.timeout {
				if st := status(rec, "Approve"); st != "TimedOut" || status(rec, "Got") != "Skipped" {
					t.Fatalf("run %s, Approve %s, Got %s", r.Status, st, status(rec, "Got"))
				}
			} else if r.Status != store.StatusSucceeded || status(rec, "Got") != "Succeeded" || outputs(rec, "Got") != "Approve" {
				b, _ := json.Marshal(rec)
				t.Fatalf("run %s, record %s", r.Status, b)
			}
			waitFor(t, "the unsubscribe", func() bool {
				log, _ := as.snapshot()
				return slices.Contains(log, "DELETE /v1/approvals/a1")
			})
			if log, _ := as.snapshot(); !slices.Equal(log, []string{"POST /v1/approvals", "DELETE /v1/approvals/a1"}) {
				t.Fatalf("requests %q", log)
			}
		})
	}
}
