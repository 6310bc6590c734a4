// SPDX-License-Identifier: Apache-2.0

package sftp_test

import (
	"context"
	"crypto/rand"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/sftp"
)

// benchSize is the file size of the streaming benchmarks:
// $JUNCTION_BENCH_SFTP_MIB MiB, 256 by default (1024 for the 1 GiB target).
func benchSize(b *testing.B) int64 {
	mib := int64(256)
	if v := os.Getenv("JUNCTION_BENCH_SFTP_MIB"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			b.Fatalf("JUNCTION_BENCH_SFTP_MIB=%q: want a positive integer", v)
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

func newPattern(n int64) *patternReader {
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

// heapPeak samples the heap in use until stopped and returns the peak
// above the level when it started, in MiB.
func heapPeak() (stop func() float64) {
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

func upload(b *testing.B, c *sftp.Connector, conn connector.Connection, size int64) {
	b.Helper()
	_, err := c.Invoke(context.Background(), conn, "CreateFile", connector.Input{
		Parameters: map[string]any{"folderPath": "/", "name": "bench.bin", "overwrite": true},
		Body:       &connector.Stream{Body: io.NopCloser(newPattern(size)), Size: -1},
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkStreamUpload writes benchSize bytes from a connector.Stream
// through CreateFile and reports the heap peak: it stays flat whatever the
// size.
func BenchmarkStreamUpload(b *testing.B) {
	e := setup(b)
	size := benchSize(b)
	c := sftp.New(sftp.Config{})
	b.SetBytes(size)
	var peak float64
	b.ResetTimer()
	for range b.N {
		stop := heapPeak()
		upload(b, c, e.conn(), size)
		peak = max(peak, stop())
	}
	b.ReportMetric(peak, "peak-heap-MiB")
	b.ReportMetric(float64(size>>20), "file-MiB")
}

// BenchmarkStreamDownload reads a benchSize file through InvokeStream and
// reports the heap peak.
func BenchmarkStreamDownload(b *testing.B) {
	e := setup(b)
	size := benchSize(b)
	c := sftp.New(sftp.Config{})
	upload(b, c, e.conn(), size)
	b.SetBytes(size)
	var peak float64
	b.ResetTimer()
	for range b.N {
		stop := heapPeak()
		st, err := c.InvokeStream(context.Background(), e.conn(), "GetFileContent", connector.Input{Parameters: map[string]any{"id": "/bench.bin"}})
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, st.Body)
		st.Body.Close()
		peak = max(peak, stop())
		if err != nil || n != size {
			b.Fatalf("read %d bytes: %v", n, err)
		}
	}
	b.ReportMetric(peak, "peak-heap-MiB")
	b.ReportMetric(float64(size>>20), "file-MiB")
}
