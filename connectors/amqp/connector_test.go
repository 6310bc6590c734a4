// SPDX-License-Identifier: Apache-2.0

package amqp_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/connectortest"
	"github.com/junction-run/junction/connectors/amqp"
	"github.com/junction-run/junction/internal/testserver"
)

// server returns a working connection and a raw channel for setup.
func server(t testing.TB) (connector.Connection, *amqp091.Channel) {
	t.Helper()
	env := testserver.Require(t, "amqp")
	u := env["JUNCTION_TEST_AMQP_URL"]
	raw, err := amqp091.Dial(u)
	if err != nil {
		t.Fatalf("dialling the test broker: %v", err)
	}
	t.Cleanup(func() { _ = raw.Close() })
	ch, err := raw.Channel()
	if err != nil {
		t.Fatal(err)
	}
	return connector.Connection{Name: "rabbit", Values: map[string]any{"url": u}}, ch
}

// queue declares a fresh queue, deleted when the test ends.
func queue(t testing.TB, ch *amqp091.Channel, args amqp091.Table) string {
	t.Helper()
	var b [5]byte
	_, _ = rand.Read(b[:])
	name := fmt.Sprintf("jt-%x", b)
	if _, err := ch.QueueDeclare(name, false, false, false, false, args); err != nil {
		t.Fatalf("declaring queue: %v", err)
	}
	t.Cleanup(func() { _, _ = ch.QueueDelete(name, false, false, false) })
	return name
}

func publish(t testing.TB, ch *amqp091.Channel, q, id, body string) {
	t.Helper()
	if err := ch.PublishWithContext(context.Background(), "", q, false, false, amqp091.Publishing{MessageId: id, Body: []byte(body)}); err != nil {
		t.Fatalf("publishing: %v", err)
	}
}

// ready polls until the queue holds n ready messages, or fails.
func ready(t testing.TB, ch *amqp091.Channel, q string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := ch.QueueDeclarePassive(q, false, false, false, false, nil)
		if err != nil {
			t.Fatalf("inspecting %s: %v", q, err)
		}
		if st.Messages == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue %s has %d ready messages, want %d", q, st.Messages, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func messages(t testing.TB, out connector.Output) []amqp.Message {
	t.Helper()
	b, _ := json.Marshal(out.Body)
	var v struct{ Value []amqp.Message }
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v.Value
}

func in(body any, kv ...any) connector.Input {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return connector.Input{Parameters: m, Body: body}
}

func TestConformance(t *testing.T) {
	conn, ch := server(t)
	q := queue(t, ch, nil)
	bad := connector.Connection{Name: "bad", Values: map[string]any{
		"url": strings.Replace(conn.String("url"), "guest:guest@", "guest:wrong-password-7@", 1)}}
	connectortest.Run(t, func() connector.Provider { return amqp.New(amqp.Config{}) }, connectortest.Options{
		Connection:    conn,
		BadConnection: &bad,
		Secrets:       []string{"wrong-password-7"},
		Cases: []connectortest.Case{
			{Name: "send text", Operation: "SendMessage", Input: in("hello", "queue", q, "messageId", "m1")},
			{Name: "send json", Operation: "SendMessage", Input: in(map[string]any{"a": 1.0}, "queue", q, "headers", map[string]any{"h": "v", "n": 2.0})},
			{Name: "send unroutable", Operation: "SendMessage", Input: in("x", "queue", q+"-missing"), WantKind: connector.KindNotFound},
			{Name: "send no exchange", Operation: "SendMessage", Input: in("x", "exchange", "jt-no-such-exchange", "routingKey", "k"), WantKind: connector.KindNotFound},
			{Name: "send after channel error", Operation: "SendMessage", Input: in("again", "queue", q)},
			{Name: "send no target", Operation: "SendMessage", Input: in("x"), WantKind: connector.KindBadRequest},
			{Name: "send bad expiration", Operation: "SendMessage", Input: in("x", "queue", q, "expiration", "soon"), WantKind: connector.KindBadRequest},
			{Name: "send bad credentials", Operation: "SendMessage", Input: in("x", "queue", q), UseBadConnection: true, WantKind: connector.KindUnauthenticated},
			{Name: "receive", Operation: "ReceiveMessages", Input: in(nil, "queue", q, "maxMessageCount", 10),
				Check: func(t testing.TB, out connector.Output) {
					ms := messages(t, out)
					if len(ms) != 3 || ms[0].Content != "hello" || ms[0].MessageID != "m1" || ms[0].LockToken == "" {
						t.Errorf("messages %+v", ms)
					}
					if ms[1].ContentType != "application/json" || ms[1].Properties["n"] != float64(2) {
						t.Errorf("second message %+v", ms[1])
					}
				}},
			{Name: "receive missing queue", Operation: "ReceiveMessages", Input: in(nil, "queue", q+"-missing"), WantKind: connector.KindNotFound},
			{Name: "complete unknown lock", Operation: "CompleteMessage", Input: in(nil, "lockToken", "0123"), WantKind: connector.KindNotFound},
			{Name: "abandon no lock", Operation: "AbandonMessage", Input: in(nil), WantKind: connector.KindBadRequest},
		},
	})
}

func TestPeekLock(t *testing.T) {
	t.Parallel()
	conn, ch := server(t)
	dlq := queue(t, ch, nil)
	q := queue(t, ch, amqp091.Table{"x-dead-letter-exchange": "", "x-dead-letter-routing-key": dlq})
	c := amqp.New(amqp.Config{})
	defer c.Close(context.Background())
	ctx := t.Context()
	for i, id := range []string{"a", "b", "c", "d"} {
		_, err := c.Invoke(ctx, conn, "SendMessage", in(fmt.Sprintf("body %d", i), "queue", q, "messageId", id, "correlationId", "corr",
			"replyTo", "replies", "priority", 3, "persistent", false, "contentType", "text/x-test"))
		if err != nil {
			t.Fatalf("SendMessage: %v", err)
		}
	}
	out, err := c.Invoke(ctx, conn, "ReceiveMessages", in(nil, "queue", q, "maxMessageCount", 4))
	if err != nil {
		t.Fatal(err)
	}
	ms := messages(t, out)
	if len(ms) != 4 {
		t.Fatalf("received %d messages", len(ms))
	}
	if m := ms[0]; m.MessageID != "a" || m.CorrelationID != "corr" || m.ReplyTo != "replies" || m.Priority != 3 || m.Persistent || m.ContentType != "text/x-test" || m.Redelivered {
		t.Errorf("properties %+v", m)
	}
	ready(t, ch, q, 0) // all locked
	settle := func(op, token string) error {
		_, err := c.Invoke(ctx, conn, op, in(nil, "lockToken", token))
		return err
	}
	if err := settle("CompleteMessage", ms[0].LockToken); err != nil {
		t.Fatalf("complete: %v", err)
	}
	if err := settle("CompleteMessage", ms[0].LockToken); connector.KindOf(err) != connector.KindNotFound {
		t.Errorf("second complete: %v, want not found", err)
	}
	if err := settle("AbandonMessage", ms[1].LockToken); err != nil {
		t.Fatalf("abandon: %v", err)
	}
	if err := settle("DeadLetterMessage", ms[2].LockToken); err != nil {
		t.Fatalf("dead-letter: %v", err)
	}
	ready(t, ch, dlq, 1)
	ready(t, ch, q, 1) // b is back
	out, err = c.Invoke(ctx, conn, "ReceiveMessages", in(nil, "queue", q, "maxMessageCount", 5))
	if err != nil {
		t.Fatal(err)
	}
	again := messages(t, out)
	if len(again) != 1 || again[0].MessageID != "b" || !again[0].Redelivered || again[0].DeliveryCount < 2 {
		t.Fatalf("after abandon: %+v", again)
	}
	// Restart with locks held: d and b come back to a new provider.
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	ready(t, ch, q, 2)
	c2 := amqp.New(amqp.Config{})
	defer c2.Close(context.Background())
	out, err = c2.Invoke(ctx, conn, "ReceiveMessages", in(nil, "queue", q, "maxMessageCount", 5))
	if err != nil {
		t.Fatal(err)
	}
	if got := messages(t, out); len(got) != 2 || !got[0].Redelivered || !got[1].Redelivered {
		t.Fatalf("after restart: %+v", got)
	}
	if err := settle("CompleteMessage", ms[3].LockToken); connector.KindOf(err) != connector.KindNotFound {
		t.Errorf("settling a lock of the closed provider: %v, want not found", err)
	}
}

func TestLockExpiry(t *testing.T) {
	t.Parallel()
	conn, ch := server(t)
	q := queue(t, ch, nil)
	publish(t, ch, q, "x", "expiring")
	c := amqp.New(amqp.Config{})
	defer c.Close(context.Background())
	out, err := c.Invoke(t.Context(), conn, "ReceiveMessages", in(nil, "queue", q, "lockDurationSeconds", 1))
	if err != nil || len(messages(t, out)) != 1 {
		t.Fatalf("receive: %v", err)
	}
	ready(t, ch, q, 1) // requeued when the lock expired
	_, err = c.Invoke(t.Context(), conn, "CompleteMessage", in(nil, "lockToken", messages(t, out)[0].LockToken))
	if connector.KindOf(err) != connector.KindNotFound {
		t.Errorf("complete after expiry: %v, want not found", err)
	}
}

// listen runs Listen in the background; the returned func stops it and
// returns its error.
func listen(t testing.TB, c *amqp.Connector, conn connector.Connection, q string, deliver connector.DeliverFunc) func() error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Listen(ctx, conn, amqp.OnMessage, in(nil, "queue", q), deliver) }()
	var stopped atomic.Bool
	stop := func() error {
		if stopped.Swap(true) {
			return nil
		}
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(connectortest.CancelGrace):
			t.Errorf("Listen did not return within %v of cancellation", connectortest.CancelGrace)
			return nil
		}
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// TestListenAcksAfterDeliver: a failed deliver requeues the message, a
// successful one acknowledges it.
func TestListenAcksAfterDeliver(t *testing.T) {
	t.Parallel()
	conn, ch := server(t)
	q := queue(t, ch, nil)
	c := amqp.New(amqp.Config{})
	type got struct {
		id          string
		redelivered bool
	}
	seen := make(chan got, 10)
	var calls atomic.Int32
	stop := listen(t, c, conn, q, func(ctx context.Context, item any) error {
		m := item.(amqp.Message)
		seen <- got{m.MessageID, m.Redelivered}
		if calls.Add(1) == 1 {
			return errors.New("store unavailable")
		}
		return nil
	})
	publish(t, ch, q, "m1", "one")
	first, second := <-seen, <-seen
	if first != (got{"m1", false}) || second != (got{"m1", true}) {
		t.Fatalf("deliveries %v then %v; want m1 then m1 redelivered", first, second)
	}
	ready(t, ch, q, 0)
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Listen returned %v, want context.Canceled", err)
	}
	st, err := ch.QueueDeclarePassive(q, false, false, false, false, nil)
	if err != nil || st.Messages != 0 {
		t.Errorf("after ack the queue holds %d messages (%v)", st.Messages, err)
	}
}

// TestListenCrashBeforeAck kills a consumer process between deliver and
// ack: the broker must redeliver the message to the next consumer.
func TestListenCrashBeforeAck(t *testing.T) {
	t.Parallel()
	conn, ch := server(t)
	q := queue(t, ch, nil)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperListener$")
	cmd.Env = append(os.Environ(), "JUNCTION_AMQP_HELPER_QUEUE="+q)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	publish(t, ch, q, "crash-1", "payload")
	lines := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(30 * time.Second)
	for delivered := false; !delivered; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("helper exited before delivering")
			}
			delivered = l == "DELIVERED crash-1"
		case <-deadline:
			t.Fatal("helper did not deliver the message")
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no ack, no clean close
		t.Fatal(err)
	}
	_ = cmd.Wait()
	c := amqp.New(amqp.Config{})
	seen := make(chan amqp.Message, 1)
	stop := listen(t, c, conn, q, func(ctx context.Context, item any) error {
		seen <- item.(amqp.Message)
		return nil
	})
	select {
	case m := <-seen:
		if m.MessageID != "crash-1" || !m.Redelivered {
			t.Errorf("after the crash got %+v, want crash-1 redelivered", m)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the broker did not redeliver the message after the consumer died")
	}
	ready(t, ch, q, 0)
	_ = stop()
}

// TestHelperListener is the consumer process TestListenCrashBeforeAck
// kills: its deliver reports the message and never returns. Run as a plain
// test it does nothing (the os/exec helper-process pattern).
func TestHelperListener(t *testing.T) {
	q := os.Getenv("JUNCTION_AMQP_HELPER_QUEUE")
	if q == "" {
		return
	}
	conn := connector.Connection{Values: map[string]any{"url": os.Getenv("JUNCTION_TEST_AMQP_URL")}}
	_ = amqp.New(amqp.Config{}).Listen(context.Background(), conn, amqp.OnMessage, in(nil, "queue", q), func(ctx context.Context, item any) error {
		fmt.Printf("DELIVERED %s\n", item.(amqp.Message).MessageID)
		<-ctx.Done() // "storing" forever: killed before it returns
		return ctx.Err()
	})
}

func TestListenErrors(t *testing.T) {
	t.Parallel()
	conn, _ := server(t)
	bad := connector.Connection{Values: map[string]any{"host": "127.0.0.1", "username": "guest", "password": "wrong-password-9"}}
	cases := []struct {
		name string
		conn connector.Connection
		op   string
		in   connector.Input
		want connector.ErrorKind
	}{
		{"missing queue", conn, amqp.OnMessage, in(nil, "queue", "jt-no-such-queue"), connector.KindNotFound},
		{"bad credentials", bad, amqp.OnMessage, in(nil, "queue", "q"), connector.KindUnauthenticated},
		{"no queue", conn, amqp.OnMessage, in(nil), connector.KindBadRequest},
		{"unknown trigger", conn, "Nope", in(nil, "queue", "q"), connector.KindBadRequest},
		{"unreachable", connector.Connection{Values: map[string]any{"host": "127.0.0.1", "port": 1}}, amqp.OnMessage, in(nil, "queue", "q"), connector.KindRetryable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := amqp.New(amqp.Config{}).Listen(t.Context(), tc.conn, tc.op, tc.in, func(context.Context, any) error { return nil })
			if got := connector.KindOf(err); got != tc.want {
				t.Fatalf("kind %v (%v), want %v", got, err, tc.want)
			}
			if strings.Contains(err.Error(), "wrong-password-9") {
				t.Errorf("error holds the password: %v", err)
			}
		})
	}
}

// BenchmarkListen measures messages per second through Listen → a no-op
// deliver → ack, with the default prefetch of 10 and with 100.
func BenchmarkListen(b *testing.B) {
	conn, ch := server(b)
	for _, prefetch := range []int{10, 100} {
		b.Run(fmt.Sprintf("prefetch=%d", prefetch), func(b *testing.B) {
			q := queue(b, ch, nil)
			body := []byte(strings.Repeat("x", 256))
			for i := range b.N {
				if err := ch.PublishWithContext(context.Background(), "", q, false, false, amqp091.Publishing{Body: body, MessageId: fmt.Sprint(i)}); err != nil {
					b.Fatal(err)
				}
			}
			ready(b, ch, q, b.N)
			c := amqp.New(amqp.Config{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var n atomic.Int64
			done := make(chan error, 1)
			b.ResetTimer()
			start := time.Now()
			go func() {
				done <- c.Listen(ctx, conn, amqp.OnMessage, in(nil, "queue", q, "prefetch", prefetch), func(context.Context, any) error {
					if n.Add(1) == int64(b.N) {
						cancel()
					}
					return nil
				})
			}()
			<-done
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}

// BenchmarkSendMessage measures confirmed sends per second through one
// connection (sends on a connection are serialised on its confirm channel).
func BenchmarkSendMessage(b *testing.B) {
	conn, ch := server(b)
	q := queue(b, ch, nil)
	c := amqp.New(amqp.Config{})
	defer c.Close(context.Background())
	input := in(strings.Repeat("x", 256), "queue", q, "persistent", false)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, err := c.Invoke(context.Background(), conn, "SendMessage", input); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}
