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
// a writer stores them in batches (one transaction each). The queue is
// bounded; when it is full, callers wait, so no record is dropped.
type callLog struct {
	g      *Gateway
	once   sync.Once
	ch     chan logItem
	mu     sync.Mutex // guards closed
	stop   chan struct{}
	done   chan struct{}
	close  sync.Once
	closed bool
}

// gatherFor is how long the writer waits for more records before a write.
const gatherFor = 50 * time.Millisecond

type logItem struct {
	call  *connection.Call
	flush chan struct{} // closed when everything before it is stored
}

func (l *callLog) start() {
	l.once.Do(func() {
		l.ch = make(chan logItem, 4096)
		l.stop = make(chan struct{})
		l.done = make(chan struct{})
		go l.run()
	})
}

func (l *callLog) run() {
	defer close(l.done)
	for {
		var first logItem
		select {
		case first = <-l.ch:
		case <-l.stop:
			// Drain what is left.
			for {
				select {
				case it := <-l.ch:
					l.write([]logItem{it})
				default:
					return
				}
			}
		}
		batch := []logItem{first}
		// Gather for a moment: one transaction for many calls keeps the
		// writer's CPU (and so the callers' tail latency) low. A flush
		// request ends the wait.
		if first.flush == nil {
			timer := time.NewTimer(gatherFor)
		gather:
			for len(batch) < 512 {
				select {
				case it := <-l.ch:
					batch = append(batch, it)
					if it.flush != nil {
						break gather
					}
				case <-timer.C:
					break gather
				case <-l.stop:
					break gather
				}
			}
			timer.Stop()
		}
		l.write(batch)
	}
}

func (l *callLog) write(batch []logItem) {
	calls := make([]*connection.Call, 0, len(batch))
	for _, it := range batch {
		if it.call != nil {
			calls = append(calls, it.call)
		}
	}
	calls = newest(calls, l.g.o.CallLogSize)
	if len(calls) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := l.g.conns.RecordCalls(ctx, calls, l.g.o.CallLogSize); err != nil {
			l.g.log.Warn("recording calls failed", slog.Int("calls", len(calls)), slog.String("error", err.Error()))
		}
		cancel()
	}
	for _, it := range batch {
		if it.flush != nil {
			close(it.flush)
		}
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
	closed := l.closed
	if !closed {
		l.start()
	}
	l.mu.Unlock()
	if closed {
		l.write([]logItem{{call: c}})
		return
	}
	l.ch <- logItem{call: c}
}

// flush waits until every record queued before it is stored.
func (l *callLog) flush(ctx context.Context) {
	l.mu.Lock()
	if l.closed || l.ch == nil {
		l.mu.Unlock()
		return
	}
	l.mu.Unlock()
	done := make(chan struct{})
	select {
	case l.ch <- logItem{flush: done}:
	case <-ctx.Done():
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
}

func (l *callLog) shutdown(ctx context.Context) error {
	l.close.Do(func() {
		l.mu.Lock()
		l.closed = true
		started := l.ch != nil
		l.mu.Unlock()
		if started {
			close(l.stop)
		}
	})
	if l.done == nil {
		return nil
	}
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
