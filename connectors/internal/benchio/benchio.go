// SPDX-License-Identifier: Apache-2.0

// Package benchio is what the streaming benchmarks of the connectors share:
// a size read from the environment, a reader of patterned bytes that
// allocates nothing per read, and a sampler of the heap peak, so a
// benchmark can show that moving a large content keeps memory flat.
//
// It is meant for _test.go files only.
package benchio

import (
	"crypto/rand"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Size is the content size of a streaming benchmark in bytes: $env MiB,
// 256 by default (1024 for the 1 GiB target).
func Size(b *testing.B, env string) int64 {
	mib := int64(256)
	if v := os.Getenv(env); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a positive integer", env, v)
		}
		mib = n
	}
	return mib << 20
}

// patternReader yields n bytes by repeating one random block, allocating
// nothing per read.
type patternReader struct {
	block []byte
	left  int64
	off   int
}

// Pattern returns a reader of n bytes that repeats one random 1 MiB block
// and allocates nothing per read.
func Pattern(n int64) io.Reader {
	b := make([]byte, 1<<20)
	_, _ = rand.Read(b)
	return &patternReader{block: b, left: n}
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n := copy(p, r.block[r.off:])
	r.off = (r.off + n) % len(r.block)
	r.left -= int64(n)
	return n, nil
}

// HeapPeak samples the heap in use until stop is called; stop returns the
// peak above the level when sampling started, in MiB.
func HeapPeak() (stop func() float64) {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()
	return func() float64 {
		close(done)
		wg.Wait()
		p := peak.Load()
		if p < base {
			return 0
		}
		return float64(p-base) / (1 << 20)
	}
}
