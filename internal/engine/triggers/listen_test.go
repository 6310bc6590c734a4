// SPDX-License-Identifier: Apache-2.0

package triggers_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rabbitmq/amqp091-go"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/amqp"
	"github.com/junction-run/junction/internal/engine/triggers"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/internal/testserver"
)

// oneConnection resolves every reference name to one provider and
// connection.
type oneConnection struct {
	prov connector.Provider
	conn connector.Connection
}

func (o oneConnection) Resolve(context.Context, string) (connector.Provider, connector.Connection, error) {
	return o.prov, o.conn, nil
}

// rabbit returns a resolver for the test broker, a raw channel for setup
// and a fresh queue (deleted when the test ends).
func rabbit(t testing.TB) (oneConnection, *amqp091.Channel, string) {
	t.Helper()
	u := testserver.Require(t, "amqp")["JUNCTION_TEST_AMQP_URL"]
	raw, err := amqp091.Dial(u)
	if err != nil {
		t.Fatalf("dialling the test broker: %v", err)
	}
	t.Cleanup(func() { _ = raw.Close() })
	ch, err := raw.Channel()
	if err != nil {
		t.Fatal(err)
	}
	var b [5]byte
	_, _ = rand.Read(b[:])
	q := fmt.Sprintf("jt-trig-%x", b)
	if _, err := ch.QueueDeclare(q, false, false, false, false, nil); err != nil {
		t.Fatalf("declaring queue: %v", err)
	}
	t.Cleanup(func() { _, _ = ch.QueueDelete(q, false, false, false) })
	return oneConnection{prov: amqp.New(amqp.Config{}), conn: connector.Connection{Name: "rabbit", Values: map[string]any{"url": u}}}, ch, q
}

func publishN(t testing.TB, ch *amqp091.Channel, q string, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if err := ch.PublishWithContext(context.Background(), "", q, false, false,
			amqp091.Publishing{MessageId: "m" + strconv.Itoa(i), Body: []byte(`{"n":` + strconv.Itoa(i) + `}`)}); err != nil {
			t.Fatalf("publishing: %v", err)
		}
	}
}

// queueState returns the ready messages and consumers of q.
func queueState(t testing.TB, ch *amqp091.Channel, q string) (messages, consumers int) {
	t.Helper()
	st, err := ch.QueueDeclarePassive(q, false, false, false, false, nil)
	if err != nil {
		t.Fatalf("inspecting %s: %v", q, err)
	}
	return st.Messages, st.Consumers
}

// listenerDef is a workflow whose trigger consumes queue q with the amqp
// OnMessage listener, as an ApiConnectionWebhook or an ApiConnection (with
// or without a recurrence, which a listener ignores).
func listenerDef(typ, q string) string {
	rec := ""
	if typ == "ApiConnection+recurrence" {
		typ, rec = "ApiConnection", `"recurrence": {"frequency": "Minute", "interval": 1},`
	}
	return `{"triggers": {"msg": {"type": "` + typ + `", ` + rec + `
		"inputs": {"host": {"connection": {"referenceName": "rabbit"}}, "method": "get",
			"path": "/queues/` + q + `/messages/trigger", "queries": {"prefetch": 5}}}},
		"actions": {"c": {"type": "Compose", "inputs": "@triggerBody()?['MessageId']"}}}`
}

// messageIDs returns the MessageId of the trigger body of every run.
func messageIDs(t testing.TB, h *harness, wf string) map[string]int {
	t.Helper()
	ids := map[string]int{}
	for _, b := range h.bodies(wf) {
		var m struct{ MessageId string }
		if err := json.Unmarshal([]byte(b), &m); err != nil {
			t.Fatal(err)
		}
		ids[m.MessageId]++
	}
	return ids
}

func TestListenerAMQP(t *testing.T) {
	for _, typ := range []string{"ApiConnectionWebhook", "ApiConnection", "ApiConnection+recurrence"} {
		t.Run(typ, func(t *testing.T) {
			t.Parallel()
			res, ch, q := rabbit(t)
			// No CallbackURL: a listener trigger needs none.
			h := newHarness(t, triggers.Options{Connections: res}, nil)
			h.mustEnable("consume", listenerDef(typ, q))
			const n = 25
			publishN(t, ch, q, 0, n)
			waitFor(t, 20*time.Second, "a run per message", func() bool { return len(h.runs("consume")) >= n })
			// Every message was acknowledged (after its run was stored).
			waitFor(t, 10*time.Second, "an empty queue", func() bool { m, _ := queueState(t, ch, q); return m == 0 })
			ids := messageIDs(t, h, "consume")
			if len(ids) != n {
				t.Fatalf("runs for %d distinct messages, want %d: %v", len(ids), n, ids)
			}
			for id, c := range ids {
				if c != 1 {
					t.Errorf("message %s started %d runs", id, c)
				}
			}
			hs, err := h.d.Histories(context.Background(), "consume", "msg", 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(hs) != n || !hs[0].Fired || len(hs[0].Runs) != 1 {
				t.Fatalf("history: %d entries (first %+v), want %d fired entries with one run each", len(hs), hs[0], n)
			}

			// Disable stops the consumer: new messages stay in the queue.
			if err := h.d.Disable(context.Background(), "consume"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 10*time.Second, "no consumer", func() bool { _, c := queueState(t, ch, q); return c == 0 })
			publishN(t, ch, q, n, 3)
			waitFor(t, 10*time.Second, "3 ready messages", func() bool { m, _ := queueState(t, ch, q); return m == 3 })
			if got := len(h.runs("consume")); got != n {
				t.Fatalf("%d runs after Disable, want %d", got, n)
			}

			// Enabling again consumes what arrived meanwhile.
			h.mustEnable("consume", listenerDef(typ, q))
			waitFor(t, 20*time.Second, "the runs of the 3 queued messages", func() bool { return len(h.runs("consume")) == n+3 })
			// Close (a shutdown) stops it too.
			h.stop()
			waitFor(t, 10*time.Second, "no consumer after Close", func() bool { _, c := queueState(t, ch, q); return c == 0 })
		})
	}
}

// failRuns fails the first armed Commit that starts runs.
type failRuns struct {
	store.Store
	armed  atomic.Bool
	failed atomic.Int32
}

func (f *failRuns) Commit(ctx context.Context, b *store.Batch) error {
	if len(b.NewRuns) > 0 && f.armed.CompareAndSwap(true, false) {
		f.failed.Add(1)
		return errors.New("simulated store failure")
	}
	return f.Store.Commit(ctx, b)
}

func TestListenerCommitFailureRedelivers(t *testing.T) {
	t.Parallel()
	res, ch, q := rabbit(t)
	fs := &failRuns{}
	fs.armed.Store(true)
	h := newHarness(t, triggers.Options{Connections: res}, func(s store.Store) store.Store { fs.Store = s; return fs })
	h.mustEnable("consume", listenerDef("ApiConnectionWebhook", q))
	publishN(t, ch, q, 0, 1)
	waitFor(t, 20*time.Second, "the run of the redelivered message", func() bool { return len(h.runs("consume")) == 1 })
	if fs.failed.Load() != 1 {
		t.Fatalf("%d failed commits, want 1", fs.failed.Load())
	}
	var m struct {
		MessageId   string
		Redelivered bool
	}
	if err := json.Unmarshal([]byte(h.bodies("consume")[0]), &m); err != nil {
		t.Fatal(err)
	}
	if m.MessageId != "m0" || !m.Redelivered {
		t.Fatalf("run's message %+v, want m0 redelivered (nacked after the failed commit)", m)
	}
	waitFor(t, 10*time.Second, "an empty queue", func() bool { m, _ := queueState(t, ch, q); return m == 0 })
	if got := len(h.runs("consume")); got != 1 {
		t.Fatalf("%d runs, want 1", got)
	}
}

func TestListenerBadQueueRecordsFailure(t *testing.T) {
	t.Parallel()
	res, _, _ := rabbit(t)
	h := newHarness(t, triggers.Options{Connections: res}, nil)
	h.mustEnable("missing", listenerDef("ApiConnectionWebhook", "jt-no-such-queue"))
	var hs []triggers.History
	waitFor(t, 10*time.Second, "a failed history entry", func() bool {
		hs, _ = h.d.Histories(context.Background(), "missing", "msg", 0)
		return len(hs) > 0
	})
	if hs[0].Status != "Failed" || hs[0].Error == nil || hs[0].Error.Code != "NotFound" {
		t.Fatalf("history %+v, want Failed NotFound", hs[0])
	}
}
