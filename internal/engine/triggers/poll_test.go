// SPDX-License-Identifier: Apache-2.0

package triggers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/junction-run/junction/internal/engine/triggers"
	"github.com/junction-run/junction/internal/store"
)

func TestRecurrence(t *testing.T) {
	t.Parallel()
	h := newHarness(t, triggers.Options{}, nil)
	h.mustEnable("tick", `{"triggers":{"every":{"type":"Recurrence","recurrence":{"frequency":"Second","interval":1}}},"actions":{}}`)
	waitFor(t, 10*time.Second, "3 runs", func() bool { return len(h.runs("tick")) >= 3 })
	h.restart()
	h.mustEnable("tick", `{"triggers":{"every":{"type":"Recurrence","recurrence":{"frequency":"Second","interval":1}}},"actions":{}}`)
	before := len(h.runs("tick"))
	waitFor(t, 10*time.Second, "2 more runs after the restart", func() bool { return len(h.runs("tick")) >= before+2 })
	if err := h.d.Disable(context.Background(), "tick"); err != nil {
		t.Fatal(err)
	}
	hs, err := h.d.Histories(context.Background(), "tick", "every", 0)
	if err != nil {
		t.Fatal(err)
	}
	// One run per occurrence: no occurrence fired twice across the restart,
	// and every history entry names its run.
	seen := map[time.Time]bool{}
	runs := 0
	for _, x := range hs {
		if x.Status != "Succeeded" || !x.Fired || len(x.Runs) != 1 {
			t.Fatalf("history entry %+v", x)
		}
		if seen[x.ScheduledTime] {
			t.Fatalf("occurrence %v fired twice", x.ScheduledTime)
		}
		seen[x.ScheduledTime] = true
		runs++
		if lag := x.Time.Sub(x.ScheduledTime); lag < 0 || lag > 2*time.Second {
			t.Errorf("fired %v after its occurrence", lag)
		}
	}
	if got := len(h.runs("tick")); got != runs {
		t.Fatalf("%d runs, %d fires in the history", got, runs)
	}
	for _, r := range h.runs("tick") {
		rr, err := h.eng.Wait(context.Background(), r.ID)
		if err != nil || rr.Status != store.StatusSucceeded {
			t.Fatalf("run %s: %v %v", r.ID, rr.Status, err)
		}
	}
}

// feedServer serves pages of items with a cursor: GET /items?after=N
// answers 200 with the items after N and a Location to the next page, or
// 202 with Retry-After when there is nothing new.
type feedServer struct {
	mu       sync.Mutex
	items    []int
	requests []string
	srv      *httptest.Server
}

func newFeedServer(t testing.TB, n int) *feedServer {
	f := &feedServer{}
	for i := 1; i <= n; i++ {
		f.items = append(f.items, i)
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.requests = append(f.requests, r.URL.RequestURI())
		after, _ := strconv.Atoi(r.URL.Query().Get("after"))
		if r.Header.Get("X-Token") != "secret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		end := min(after+3, len(f.items))
		if after >= len(f.items) {
			w.Header().Set("Location", fmt.Sprintf("/items?after=%d", after))
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusAccepted)
			return
		}
		w.Header().Set("Location", fmt.Sprintf("/items?after=%d", end))
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"items": f.items[after:end], "page": after})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *feedServer) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

func TestHTTPPolling(t *testing.T) {
	t.Parallel()
	feed := newFeedServer(t, 7)
	h := newHarness(t, triggers.Options{}, nil)
	def := `{"parameters":{"token":{"type":"string","defaultValue":"secret"}},
	"triggers":{"poll":{"type":"Http","recurrence":{"frequency":"Second","interval":1},
	  "inputs":{"method":"GET","uri":"` + feed.srv.URL + `/items","headers":{"X-Token":"@parameters('token')"}},
	  "splitOn":"@triggerBody()?['items']"}},"actions":{}}`
	h.mustEnable("feed", def)
	want := []string{"1", "2", "3", "4", "5", "6", "7"}
	waitFor(t, 15*time.Second, "7 runs and a 202 poll", func() bool {
		return len(h.runs("feed")) >= 7 && slices.Contains(feed.seen(), "/items?after=7")
	})
	if got := h.bodies("feed"); !slices.Equal(got, want) {
		t.Fatalf("run bodies %v, want %v", got, want)
	}
	// The cursor survives a restart: the next poll goes to the Location.
	n := len(feed.seen())
	h.restart()
	h.mustEnable("feed", def)
	waitFor(t, 10*time.Second, "a poll after the restart", func() bool { return len(feed.seen()) > n })
	if got := feed.seen()[n]; got != "/items?after=7" {
		t.Fatalf("first poll after the restart went to %s", got)
	}
	if got := h.bodies("feed"); !slices.Equal(got, want) {
		t.Fatalf("after the restart: run bodies %v, want %v", got, want)
	}
	hs, err := h.d.Histories(context.Background(), "feed", "poll", 0)
	if err != nil {
		t.Fatal(err)
	}
	fired := 0
	for _, x := range hs {
		if x.Fired {
			fired += len(x.Runs)
		}
	}
	if fired != 7 {
		t.Fatalf("history names %d runs, want 7: %+v", fired, hs)
	}
}

func TestHTTPPollingConditionsAndFailures(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"level": 1}`))
	}))
	t.Cleanup(srv.Close)
	h := newHarness(t, triggers.Options{}, nil)
	h.mustEnable("cond", `{"triggers":{"poll":{"type":"Http","recurrence":{"frequency":"Second","interval":1},
	  "inputs":{"method":"GET","uri":"`+srv.URL+`"},
	  "conditions":[{"expression":"@greater(triggerBody()?['level'], 5)"}]}},"actions":{}}`)
	history := func(status string) func() bool {
		return func() bool {
			hs, err := h.d.Histories(context.Background(), "cond", "poll", 0)
			if err != nil {
				t.Fatal(err)
			}
			return slices.ContainsFunc(hs, func(x triggers.History) bool { return x.Status == status })
		}
	}
	waitFor(t, 10*time.Second, "a skipped entry", history("Skipped"))
	mu.Lock()
	status = http.StatusInternalServerError
	mu.Unlock()
	waitFor(t, 10*time.Second, "a failed entry", history("Failed"))
	if n := len(h.runs("cond")); n != 0 {
		t.Fatalf("%d runs started", n)
	}
	hs, _ := h.d.Histories(context.Background(), "cond", "poll", 1)
	if hs[0].Error == nil || hs[0].Code == "" {
		t.Fatalf("failed entry %+v", hs[0])
	}
}

func TestAPIConnectionPolling(t *testing.T) {
	t.Parallel()
	t.Run("fake poller", func(t *testing.T) {
		t.Parallel()
		fake := &fakePoller{}
		fake.publish(map[string]any{"id": 1}, map[string]any{"id": 2})
		h := newHarness(t, triggers.Options{Connections: connections(t, fake, nil)}, nil)
		def := `{"triggers":{"new":{"type":"ApiConnection","recurrence":{"frequency":"Second","interval":1},
		  "inputs":{"host":{"connection":{"name":"@parameters('$connections')['fake']['connectionId']"}},"method":"get","path":"/new/@{encodeURIComponent('orders')}"}}},"actions":{}}`
		h.mustEnable("fake", def)
		waitFor(t, 10*time.Second, "2 runs", func() bool { return len(h.runs("fake")) == 2 })
		fake.publish(map[string]any{"id": 3})
		waitFor(t, 10*time.Second, "3 runs", func() bool { return len(h.runs("fake")) == 3 })
		want := []string{`{"id":1}`, `{"id":2}`, `{"id":3}`}
		if got := h.bodies("fake"); !slices.Equal(got, want) {
			t.Fatalf("bodies %v, want %v", got, want)
		}
		waitFor(t, 5*time.Second, "cleanup of 3 items", func() bool { _, c, _, _ := fake.snapshot(); return len(c) == 3 })
	})
	t.Run("imported connector", func(t *testing.T) {
		t.Parallel()
		var mu sync.Mutex
		var seen []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, r.URL.RequestURI())
			if r.Header.Get("X-Api-Key") != feedKey {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			switch r.URL.Query().Get("page") {
			case "":
				w.Header().Set("Location", "/v1/events/orders/new?page=2")
				_, _ = w.Write([]byte(`{"value":[{"n":1},{"n":2}]}`))
			case "2":
				w.Header().Set("Location", "/v1/events/orders/new?page=3")
				_, _ = w.Write([]byte(`{"value":[{"n":3}]}`))
			default:
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusAccepted)
			}
		}))
		t.Cleanup(srv.Close)
		h := newHarness(t, triggers.Options{Connections: connections(t, nil, srv)}, nil)
		def := `{"triggers":{"onnew":{"type":"ApiConnection","recurrence":{"frequency":"Second","interval":1},
		  "splitOn":"@triggerBody()?['value']",
		  "inputs":{"host":{"connection":{"referenceName":"feed"}},"method":"get","path":"/events/orders/new"}}},"actions":{}}`
		h.mustEnable("rest", def)
		waitFor(t, 15*time.Second, "3 runs and an empty poll", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(h.runs("rest")) >= 3 && slices.Contains(seen, "/v1/events/orders/new?page=3")
		})
		want := []string{`{"n":1}`, `{"n":2}`, `{"n":3}`}
		if got := h.bodies("rest"); !slices.Equal(got, want) {
			t.Fatalf("bodies %v, want %v", got, want)
		}
	})
}

// TestAtomicPollCommit fails the commit of the first poll that found
// items (as a crash between poll and commit would): the same items are
// polled again with the old cursor and each starts exactly one run; a
// restart on the same data directory starts nothing more.
func TestAtomicPollCommit(t *testing.T) {
	t.Parallel()
	fake := &fakePoller{}
	fake.publish(map[string]any{"id": "a"}, map[string]any{"id": "b"}, map[string]any{"id": "c"})
	var fs *failingStore
	wrap := func(s store.Store) store.Store {
		fs = &failingStore{Store: s}
		fs.armed.Store(true)
		return fs
	}
	h := newHarness(t, triggers.Options{Connections: connections(t, fake, nil)}, wrap)
	def := `{"triggers":{"new":{"type":"ApiConnection","recurrence":{"frequency":"Second","interval":1},
	  "inputs":{"host":{"connection":{"referenceName":"fake"}},"method":"get","path":"/new/orders"}}},"actions":{}}`
	h.mustEnable("atomic", def)
	waitFor(t, 10*time.Second, "3 runs", func() bool { return len(h.runs("atomic")) >= 3 })
	if fs.failed.Load() != 1 {
		t.Fatalf("the commit failed %d times, want 1", fs.failed.Load())
	}
	cursors, _, _, _ := fake.snapshot()
	if len(cursors) < 2 || cursors[0] != "" || cursors[1] != "" {
		t.Fatalf("cursors %q: want the first poll repeated with no cursor", cursors)
	}
	want := []string{`{"id":"a"}`, `{"id":"b"}`, `{"id":"c"}`}
	if got := h.bodies("atomic"); !slices.Equal(got, want) {
		t.Fatalf("bodies %v, want %v", got, want)
	}
	h.restart()
	fs.armed.Store(false)
	h.mustEnable("atomic", def)
	n := len(cursors)
	waitFor(t, 10*time.Second, "a poll after the restart", func() bool { c, _, _, _ := fake.snapshot(); return len(c) > n })
	c, _, _, _ := fake.snapshot()
	if c[n] != "3" {
		t.Fatalf("poll after the restart used cursor %q, want 3", c[n])
	}
	fake.publish(map[string]any{"id": "d"})
	waitFor(t, 10*time.Second, "the 4th run", func() bool { return len(h.runs("atomic")) >= 4 })
	want = append(want, `{"id":"d"}`)
	if got := h.bodies("atomic"); !slices.Equal(got, want) {
		t.Fatalf("bodies %v, want %v", got, want)
	}
}

// TestSplitOnShapes: a connector poll's items are split by splitOn
// @triggerBody() (the body is the array, as the file and mail trigger
// examples are written) and by @triggerBody()?['value'].
func TestSplitOnShapes(t *testing.T) {
	t.Parallel()
	for i, split := range []string{"@triggerBody()", "@triggerOutputs()?['body']", "@triggerBody()?['value']"} {
		t.Run(split, func(t *testing.T) {
			t.Parallel()
			fake := &fakePoller{}
			fake.publish(map[string]any{"id": "a"}, map[string]any{"id": "b"})
			h := newHarness(t, triggers.Options{Connections: connections(t, fake, nil)}, nil)
			name := "split" + strconv.Itoa(i)
			h.mustEnable(name, `{"triggers":{"new":{"type":"ApiConnection","recurrence":{"frequency":"Second","interval":1},
			  "splitOn":"`+split+`",
			  "inputs":{"host":{"connection":{"referenceName":"fake"}},"method":"get","path":"/new/orders"}}},"actions":{}}`)
			waitFor(t, 10*time.Second, "2 runs", func() bool { return len(h.runs(name)) >= 2 })
			if got, want := h.bodies(name), []string{`{"id":"a"}`, `{"id":"b"}`}; !slices.Equal(got, want) {
				t.Fatalf("bodies %v, want %v", got, want)
			}
		})
	}
}
