// SPDX-License-Identifier: Apache-2.0

package triggers_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine/triggers"
)

// hookServer records subscribe and unsubscribe requests.
type hookServer struct {
	mu  sync.Mutex
	log []string
	srv *httptest.Server
}

func newHookServer(t testing.TB) *hookServer {
	hs := &hookServer{}
	hs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hs.mu.Lock()
		hs.log = append(hs.log, r.Method+" "+r.URL.Path+" "+string(body))
		hs.mu.Unlock()
		switch {
		case r.URL.Path == "/fail":
			w.WriteHeader(http.StatusInternalServerError)
		case r.URL.Path == "/subscribe":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"id":"sub-1"}`))
		case r.Method == http.MethodPost && r.URL.Path == "/v1/hooks":
			if r.Header.Get("X-Api-Key") != feedKey {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.Header().Set("Location", hs.srv.URL+"/v1/hooks/h1")
			w.WriteHeader(http.StatusCreated)
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	t.Cleanup(hs.srv.Close)
	return hs
}

func (hs *hookServer) requests() []string {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return append([]string(nil), hs.log...)
}

func callbackURL(wf, trigger string) string {
	return "https://junction.test/api/workflows/" + wf + "/triggers/" + trigger + "/callback?sig=x"
}

func event(body any) *expr.Object {
	o := expr.NewObject(2)
	o.Set("headers", expr.NewObject(0))
	o.Set("body", expr.FromGo(body))
	return o
}

func TestHTTPWebhook(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hs := newHookServer(t)
	h := newHarness(t, triggers.Options{CallbackURL: callbackURL}, nil)
	def := `{"triggers":{"hook":{"type":"HttpWebhook","inputs":{
	  "subscribe":{"method":"POST","uri":"` + hs.srv.URL + `/subscribe","body":{"callback":"@{listCallbackUrl()}"}},
	  "unsubscribe":{"method":"POST","uri":"` + hs.srv.URL + `/unsubscribe/@{triggerOutputs()?['body']?['id']}"}},
	  "splitOn":"@triggerBody()?['events']"}},"actions":{}}`
	h.mustEnable("hooky", def)
	want := []string{`POST /subscribe {"callback":"` + callbackURL("hooky", "hook") + `"}`}
	if got := hs.requests(); !slices.Equal(got, want) {
		t.Fatalf("requests %q, want %q", got, want)
	}
	ids, err := h.d.HandleCallback(ctx, "hooky", "hook", event(map[string]any{"events": []any{1, 2}}))
	if err != nil || len(ids) != 2 {
		t.Fatalf("HandleCallback = %v, %v", ids, err)
	}
	if got := h.bodies("hooky"); !slices.Equal(got, []string{"1", "2"}) {
		t.Fatalf("bodies %v", got)
	}
	// Enabling again (a restart) keeps the subscription.
	h.restart()
	h.mustEnable("hooky", def)
	if got := hs.requests(); len(got) != 1 {
		t.Fatalf("re-enable sent %q", got[1:])
	}
	if err := h.d.Disable(ctx, "hooky"); err != nil {
		t.Fatal(err)
	}
	want = append(want, "POST /unsubscribe/sub-1 ")
	if got := hs.requests(); !slices.Equal(got, want) {
		t.Fatalf("requests %q, want %q", got, want)
	}
	if _, err := h.d.HandleCallback(ctx, "hooky", "hook", event(1)); !errors.Is(err, triggers.ErrNotEnabled) {
		t.Fatalf("callback after disable: %v", err)
	}
	hist, err := h.d.Histories(ctx, "hooky", "hook", 0)
	if err != nil || len(hist) != 1 || !hist[0].Fired || len(hist[0].Runs) != 2 {
		t.Fatalf("history %+v, %v", hist, err)
	}
}

func TestWebhookSubscribeFailureFailsEnable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hs := newHookServer(t)
	h := newHarness(t, triggers.Options{CallbackURL: callbackURL}, nil)
	err := h.enable("broken", `{"triggers":{"hook":{"type":"HttpWebhook","inputs":{
	  "subscribe":{"method":"POST","uri":"`+hs.srv.URL+`/fail","body":{"callback":"@{listCallbackUrl()}"},"retryPolicy":{"type":"none"}},
	  "unsubscribe":{"method":"POST","uri":"`+hs.srv.URL+`/unsubscribe"}}}},"actions":{}}`)
	if err == nil {
		t.Fatal("Enable succeeded with a failing subscription")
	}
	sts, err := h.db.TriggerStates(ctx, "broken")
	if err != nil || len(sts) != 0 {
		t.Fatalf("trigger states after a failed enable: %+v, %v", sts, err)
	}
	if _, err := h.d.HandleCallback(ctx, "broken", "hook", event(1)); !errors.Is(err, triggers.ErrNotEnabled) {
		t.Fatalf("callback of a failed enable: %v", err)
	}
}

func TestAPIConnectionWebhook(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, path string }{
		{"imported connector", "/hooks"},
		{"imported connector, path with the base path", "/v1/hooks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			hs := newHookServer(t)
			h := newHarness(t, triggers.Options{CallbackURL: callbackURL, Connections: connections(t, nil, hs.srv)}, nil)
			h.mustEnable("pushy", `{"triggers":{"onevent":{"type":"ApiConnectionWebhook","inputs":{
			  "host":{"connection":{"referenceName":"feed"}},"method":"post","path":"`+tc.path+`",
			  "body":{"NotificationUrl":"@{listCallbackUrl()}","topic":"orders"}}}},"actions":{}}`)
			got := hs.requests()
			if len(got) != 1 {
				t.Fatalf("requests %q", got)
			}
			var sub map[string]string
			if err := json.Unmarshal([]byte(got[0][len("POST /v1/hooks "):]), &sub); err != nil {
				t.Fatalf("subscribe request %q: %v", got[0], err)
			}
			if sub["NotificationUrl"] != callbackURL("pushy", "onevent") || sub["topic"] != "orders" {
				t.Fatalf("subscribe body %v", sub)
			}
			ids, err := h.d.HandleCallback(ctx, "pushy", "onevent", event(map[string]any{"id": 7}))
			if err != nil || len(ids) != 1 {
				t.Fatalf("HandleCallback = %v, %v", ids, err)
			}
			if err := h.d.Disable(ctx, "pushy"); err != nil {
				t.Fatal(err)
			}
			if got := hs.requests(); len(got) != 2 || got[1] != "DELETE /v1/hooks/h1 " {
				t.Fatalf("requests %q, want a DELETE of the Location", got)
			}
		})
	}
	t.Run("subscriber renewal", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		fake := &fakePoller{expiry: 2 * time.Second}
		h := newHarness(t, triggers.Options{CallbackURL: callbackURL, Connections: connections(t, fake, nil)}, nil)
		h.mustEnable("renew", `{"triggers":{"push":{"type":"ApiConnectionWebhook","inputs":{
		  "host":{"connection":{"referenceName":"fake"}},"method":"post","path":"/push"}}},"actions":{}}`)
		waitFor(t, 10*time.Second, "a renewal", func() bool {
			_, _, subs, unsubs := fake.snapshot()
			return len(subs) >= 2 && slices.Contains(unsubs, "sub-a")
		})
		if err := h.d.Disable(ctx, "renew"); err != nil {
			t.Fatal(err)
		}
		_, _, subs, unsubs := fake.snapshot()
		last := "sub-" + string(rune('a'+len(subs)-1))
		if unsubs[len(unsubs)-1] != last {
			t.Fatalf("disable removed %q, want the current subscription %s (subs %q)", unsubs, last, subs)
		}
	})
}
