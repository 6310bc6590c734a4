// SPDX-License-Identifier: Apache-2.0

package gateway

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/junction-run/junction/internal/connection"
)

// callLog persists call records off the call path: records queue up and
// a writer stores them in batches (one transaction each). Queuing is an
// append under a mutex, with no goroutine woken per call; the writer
// wakes for the first record after a write, gathers for gatherFor, and
// writes sooner when a batch is full or a reader flushes. The queue is
// bounded; when it is full, callers wait, so no record is dropped.
type callLog struct {
	g *Gateway

	mu      sync.Mutex
	space   sync.Cond // signalled when the writer takes the queue
	pending []*connection.Call
	waiters []chan struct{} // flushes: closed once what came before is stored
	started bool
	closed  bool

	first  chan struct{} // the queue went from empty to one record
	urgent chan struct{} // a full batch, a flush or the close
	done   chan struct{} // the writer has stopped
}

// gatherFor is how long the writer waits for more records before a
// write, and maxBatch how many records make it write at once. A store
// keeps the newest CallLogSize records of a connection, so a batch writes
// at most that many per connection however many calls it holds: on a
// busy connection, a longer gather means fewer rows written per call (at
// 10,000 calls/s, 200 rows for 5,000 calls instead of 200 for 512).
// Readers do not wait for it: GET .../calls flushes the queue first.
// maxQueue bounds the queue.
const (
	gatherFor = 500 * time.Millisecond
	maxBatch  = 8192
	maxQueue  = 4 * maxBatch
)

// start starts the writer; l.mu is held.
func (l *callLog) start() {
	if l.started {
		return
	}
	l.started = true
	l.space.L = &l.mu
	l.first = make(chan struct{}, 1)
	l.urgent = make(chan struct{}, 1)
	l.done = make(chan struct{})
	go l.run()
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (l *callLog) run() {
	defer close(l.done)
	timer := time.NewTimer(gatherFor)
	timer.Stop()
	for {
		select {
		case <-l.first:
			// Gather for a moment: one transaction for many calls keeps
			// the writer's CPU (and so the callers' tail latency) low.
			timer.Reset(gatherFor)
			select {
			case <-timer.C:
			case <-l.urgent:
				timer.Stop()
			}
		case <-l.urgent:
		}
		if stop := l.writePending(); stop {
			return
		}
	}
}

// writePending stores the queue and reports whether the log is closed.
func (l *callLog) writePending() bool {
	l.mu.Lock()
	calls, waiters, closed := l.pending, l.waiters, l.closed
	l.pending, l.waiters = nil, nil
	l.space.Broadcast()
	l.mu.Unlock()
	l.write(calls)
	for _, w := range waiters {
		close(w)
	}
	return closed
}

func (l *callLog) write(calls []*connection.Call) {
	calls = newest(calls, l.g.o.CallLogSize)
	if len(calls) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.g.conns.RecordCalls(ctx, calls, l.g.o.CallLogSize); err != nil {
		l.g.log.Warn("recording calls failed", slog.Int("calls", len(calls)), slog.String("error", err.Error()))
	}
}

// newest leaves out of calls (in call order) those that are older than
// the keep newest of their connection in the same batch: the store keeps
// only the newest keep calls of a connection, so it would delete them in
// the same transaction, and no reader could ever see them. Under a load
// of more than keep calls per connection per batch, this saves most of
// the call log's inserts.
func newest(calls []*connection.Call, keep int) []*connection.Call {
	if keep <= 0 || len(calls) <= keep {
		return calls
	}
	seen := map[string]int{}
	out := calls[:0:0]
	for i := len(calls) - 1; i >= 0; i-- {
		c := calls[i]
		if seen[c.Connection] < keep {
			seen[c.Connection]++
			out = append(out, c)
		}
	}
	slices.Reverse(out)
	return out
}

// add queues a record; after Close it is stored at once.
func (l *callLog) add(c *connection.Call) {
	l.mu.Lock()
	if !l.closed {
		l.start()
	}
	for !l.closed && len(l.pending) >= maxQueue {
		l.space.Wait()
	}
	if l.closed {
		l.mu.Unlock()
		l.write([]*connection.Call{c})
		return
	}
	l.pending = append(l.pending, c)
	n := len(l.pending)
	l.mu.Unlock()
	switch n {
	case 1:
		signal(l.first)
	case maxBatch:
		signal(l.urgent)
	}
}

// flush waits until every record queued before it is stored.
func (l *callLog) flush(ctx context.Context) {
	l.mu.Lock()
	if l.closed || !l.started {
		l.mu.Unlock()
		return
	}
	done := make(chan struct{})
	l.waiters = append(l.waiters, done)
	l.mu.Unlock()
	signal(l.urgent)
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// shutdown stores what is queued and stops the writer; later records
// are stored at once.
func (l *callLog) shutdown(ctx context.Context) error {
	l.mu.Lock()
	l.closed = true
	started := l.started
	l.space.Broadcast()
	l.mu.Unlock()
	if !started {
		return nil
	}
	signal(l.urgent)
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
