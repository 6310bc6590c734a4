// SPDX-License-Identifier: Apache-2.0

package server_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// crashPollerDef is the workflow of TestServeCrashPolling: an Http polling
// trigger (every second) on the test's item service, split into one run
// per item; each run waits 1 or 2 s, composes a note and reports it back.
// SVC is replaced by the service's URL.
const crashPollerDef = `{"definition": {
  "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
  "contentVersion": "1.0.0.0",
  "triggers": {"poll": {"type": "Http", "recurrence": {"frequency": "Second", "interval": 1},
    "inputs": {"method": "GET", "uri": "SVC/items"},
    "splitOn": "@triggerBody()?['items']"}},
  "actions": {
    "Nap": {"type": "Wait", "inputs": {"interval": {"count": "@add(1, mod(triggerBody()?['n'], 2))", "unit": "Second"}}, "runAfter": {}},
    "Note": {"type": "Compose", "inputs": "done @{triggerBody()?['id']}", "runAfter": {"Nap": ["Succeeded"]}},
    "Report": {"type": "Http", "inputs": {"method": "POST", "uri": "SVC/done",
      "body": {"item": "@{triggerBody()?['id']}", "run": "@{workflow()?['run']?['name']}", "note": "@{outputs('Note')}"}},
      "runAfter": {"Note": ["Succeeded"]}}
  }},
 "kind": "Stateful"}`

// itemService is the polled source of TestServeCrashPolling. Items are
// released over time (one every `every` from the first poll); GET
// /items?cursor=K answers 200 with the next page of released items and a
// Location holding the cursor after them, or 202 (Location: the same
// cursor) when nothing new is released. POST /done records a run's side
// effect.
type itemService struct {
	n, page int
	every   time.Duration // one item is released every `every`
	latency time.Duration // added to every 200 answer (a third of it to /done)

	mu      sync.Mutex
	start   time.Time
	cursors []int               // cursor of every poll, in arrival order
	handed  map[int]int         // item → how many pages carried it
	done    map[string][]string // item id → runs that reported it
}

func itemID(i int) string { return fmt.Sprintf("item-%03d", i) }

func (s *itemService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/items":
		cursor := 0
		if c := r.URL.Query().Get("cursor"); c != "" {
			var err error
			if cursor, err = strconv.Atoi(c); err != nil || cursor < 0 || cursor > s.n {
				http.Error(w, "bad cursor", http.StatusBadRequest)
				return
			}
		}
		s.mu.Lock()
		if s.start.IsZero() {
			s.start = time.Now()
		}
		s.cursors = append(s.cursors, cursor)
		avail := min(s.n, int(time.Since(s.start)/s.every)+1)
		end := min(avail, cursor+s.page)
		for i := cursor; i < end; i++ {
			s.handed[i]++
		}
		s.mu.Unlock()
		if cursor >= end {
			w.Header().Set("Location", "/items?cursor="+strconv.Itoa(cursor))
			w.WriteHeader(http.StatusAccepted)
			return
		}
		// A slow answer widens the window between a poll and its commit,
		// so that some kills land in it.
		time.Sleep(s.latency)
		items := make([]map[string]any, 0, end-cursor)
		for i := cursor; i < end; i++ {
			items = append(items, map[string]any{"id": itemID(i), "n": i})
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Location", "/items?cursor="+strconv.Itoa(end))
		w.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(w).Encode(map[string]any{"items": items})
	case r.Method == http.MethodPost && r.URL.Path == "/done":
		var in struct{ Item, Run, Note string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Item == "" || in.Run == "" || in.Note != "done "+in.Item {
			http.Error(w, fmt.Sprintf("bad report %+v: %v", in, err), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.done[in.Item] = append(s.done[in.Item], in.Run)
		s.mu.Unlock()
		// Answer late, so that a kill can land after the side effect and
		// before the engine records it: the step then runs again.
		time.Sleep(s.latency / 3)
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

// polls returns how many polls the service has seen and the last cursor.
func (s *itemService) polls() (int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cursors) == 0 {
		return 0, -1
	}
	return len(s.cursors), s.cursors[len(s.cursors)-1]
}

// kill SIGKILLs a server and waits until it is gone.
func (p *proc) kill(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill: %v", err)
	}
	<-p.done
}

// runInfo is what TestServeCrashPolling knows about one run.
type runInfo struct {
	status string
	item   string
}

// TestServeCrashPolling SIGKILLs a real `junction serve` at random points
// while an Http polling trigger hands out items (page by page, the cursor
// in the Location header) and the runs they started are in flight,
// restarts it on the same data directory each time, and checks that every
// item started exactly one run, every run succeeded, every item's side
// effect happened (at least once: a step in flight at a kill may repeat)
// and the polled cursor never went back.
func TestServeCrashPolling(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and SIGKILLs junction serve several times")
	}
	t.Parallel()
	const (
		items = 60
		kills = 4
		limit = 90 * time.Second
		wf    = "poller"
	)
	began := time.Now()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("JUNCTION_CRASH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("JUNCTION_CRASH_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("seed %d (JUNCTION_CRASH_SEED=%d reproduces the kill points)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	svc := &itemService{n: items, page: 7, every: 150 * time.Millisecond, latency: 300 * time.Millisecond, handed: map[int]int{}, done: map[string][]string{}}
	hs := httptest.NewServer(svc)
	t.Cleanup(hs.Close)

	wfDir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(wfDir, wf), 0o755); err != nil {
		t.Fatal(err)
	}
	def := strings.ReplaceAll(crashPollerDef, "SVC", hs.URL)
	if err := os.WriteFile(filepath.Join(wfDir, wf, "workflow.json"), []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	key := "jk_crash_" + strconv.FormatUint(rng.Uint64(), 36)

	var procs []*proc
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for i, p := range procs[:max(0, len(procs)-1)] { // the last one logs itself
			lines := strings.Split(strings.TrimRight(p.Log(), "\n"), "\n")
			t.Logf("log of server %d (killed), last lines:\n%s", i, strings.Join(lines[max(0, len(lines)-80):], "\n"))
		}
	})

	// Kill phase: each server is killed 0.3–2 s after it has polled once,
	// so the kills land among polls, commits and runs in flight.
	for k := range kills {
		p := startServerIn(t, data, key, "--workflows", wfDir)
		procs = append(procs, p)
		before, _ := svc.polls()
		wait := time.Now().Add(30 * time.Second)
		for {
			if n, _ := svc.polls(); n > before {
				break
			}
			if time.Now().After(wait) {
				t.Fatalf("server %d did not poll within 30 s\n%s", k, p.Log())
			}
			time.Sleep(10 * time.Millisecond)
		}
		d := 300*time.Millisecond + time.Duration(rng.Int64N(int64(1700*time.Millisecond)))
		select {
		case <-time.After(d):
		case <-p.done:
			t.Fatalf("server %d exited by itself: %v\n%s", k, p.err, p.Log())
		}
		p.kill(t)
		n, cur := svc.polls()
		svc.mu.Lock()
		reported := len(svc.done)
		svc.mu.Unlock()
		t.Logf("kill %d: %v after its first poll, %.1fs into the test; polls %d, cursor %d/%d, items reported %d",
			k+1, d.Round(time.Millisecond), time.Since(began).Seconds(), n, cur, items, reported)
	}

	// Let the last one finish.
	p := startServerIn(t, data, key, "--workflows", wfDir)
	procs = append(procs, p)
	runs := map[string]*runInfo{}
	deadline := began.Add(limit)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("not finished within %v: %s", limit, crashProgress(svc, runs, items))
		}
		if listRuns(t, p, wf, runs) {
			_, cur := svc.polls()
			covered := map[string]bool{}
			final := true
			for _, r := range runs {
				covered[r.item] = true
				if r.status == "Running" || r.status == "Waiting" || r.status == "" {
					final = false
				}
			}
			// cursor == items: the commit that handed the last item is
			// durable, so every run there will ever be is listed.
			if cur == items && final && len(covered) >= items {
				break
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("finished %.1fs into the test: %d runs", time.Since(began).Seconds(), len(runs))

	// Every item started exactly one run, and every run succeeded.
	byItem := map[string][]string{}
	for id, r := range runs {
		byItem[r.item] = append(byItem[r.item], id)
		if r.status != "Succeeded" {
			a := p.admin(t, "GET", "/api/workflows/"+wf+"/runs/"+id, nil)
			t.Errorf("run %s (%s) ended %s: %s", id, r.item, r.status, a.Body)
		}
	}
	for i := range items {
		if ids := byItem[itemID(i)]; len(ids) != 1 {
			t.Errorf("%s started %d runs %v, want exactly 1", itemID(i), len(ids), ids)
		}
	}
	if len(runs) != items {
		t.Errorf("%d runs for %d items", len(runs), items)
	}

	svc.mu.Lock()
	defer svc.mu.Unlock()
	// Every item's side effect happened, by its own run; repeats (a step
	// in flight at a kill) are allowed.
	dups := 0
	for i := range items {
		id := itemID(i)
		rs := svc.done[id]
		if len(rs) == 0 {
			t.Errorf("%s: no side effect recorded", id)
		}
		dups += max(0, len(rs)-1)
		for _, r := range rs {
			if ri := runs[r]; ri == nil || ri.item != id {
				t.Errorf("%s reported by run %s, which is not its run %v", id, r, byItem[id])
			}
		}
	}
	// The cursor never went back: a poll is repeated only when its commit
	// did not happen (killed in between), never after a later one.
	for i := 1; i < len(svc.cursors); i++ {
		if svc.cursors[i] < svc.cursors[i-1] {
			t.Errorf("poll %d asked for cursor %d after cursor %d: %v", i, svc.cursors[i], svc.cursors[i-1], svc.cursors)
			break
		}
	}
	rehanded := 0
	for _, n := range svc.handed {
		rehanded += n - 1
	}
	t.Logf("%d kills, %d polls, %d item handings repeated by polls that were not committed, %d duplicate side effects (at least once), %.1fs in all",
		kills, len(svc.cursors), rehanded, dups, time.Since(began).Seconds())
}

// listRuns reads every page of the workflow's runs into runs, fetching the
// record of each run not seen before to learn its item. It reports false
// while the workflow is not deployed yet.
func listRuns(t testing.TB, p *proc, wf string, runs map[string]*runInfo) bool {
	t.Helper()
	next := p.URL + "/api/workflows/" + wf + "/runs?top=50"
	for next != "" {
		a := do(t, "GET", next, p.Key, nil)
		if a.Status == http.StatusNotFound {
			return false
		}
		if a.Status != http.StatusOK {
			t.Fatalf("listing runs: %d %s", a.Status, a.Body)
		}
		var page struct {
			Value []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"value"`
			NextLink string `json:"nextLink"`
		}
		if err := json.Unmarshal(a.Body, &page); err != nil {
			t.Fatalf("runs page: %v\n%s", err, a.Body)
		}
		for _, v := range page.Value {
			r := runs[v.ID]
			if r == nil {
				rec := p.admin(t, "GET", "/api/workflows/"+wf+"/runs/"+v.ID, nil)
				if rec.Status != http.StatusOK {
					t.Fatalf("run %s: %d %s", v.ID, rec.Status, rec.Body)
				}
				var x struct {
					Trigger struct {
						Outputs struct {
							Body struct {
								ID string `json:"id"`
							} `json:"body"`
						} `json:"outputs"`
					} `json:"trigger"`
				}
				if err := json.Unmarshal(rec.Body, &x); err != nil || x.Trigger.Outputs.Body.ID == "" {
					t.Fatalf("run %s has no item in its trigger outputs (%v): %s", v.ID, err, rec.Body)
				}
				r = &runInfo{item: x.Trigger.Outputs.Body.ID}
				runs[v.ID] = r
			}
			r.status = v.Status
		}
		next = page.NextLink
	}
	return true
}

// crashProgress describes where TestServeCrashPolling got stuck.
func crashProgress(svc *itemService, runs map[string]*runInfo, items int) string {
	n, cur := svc.polls()
	st := map[string]int{}
	for _, r := range runs {
		st[r.status]++
	}
	var parts []string
	for k, v := range st {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	svc.mu.Lock()
	reported := len(svc.done)
	svc.mu.Unlock()
	return fmt.Sprintf("polls %d, cursor %d/%d, runs %d (%s), items reported %d", n, cur, items, len(runs), strings.Join(parts, ", "), reported)
}
