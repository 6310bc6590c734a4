// SPDX-License-Identifier: Apache-2.0

package blob_test

import (
	"context"
	"io"
	"testing"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/blob"
	"github.com/junction-run/junction/connectors/internal/benchio"
	"github.com/junction-run/junction/connectors/internal/fsconn/fsconntest"
)

// benchSizeEnv names the variable that sets the object size of the
// streaming benchmarks in MiB (see [benchio.Size]).
const benchSizeEnv = "JUNCTION_BENCH_BLOB_MIB"

// BenchmarkStreamUpload uploads the benchmark size (benchSizeEnv) from a
// reader of unknown size (multipart, 16 MiB parts) and reports the heap
// peak: it stays near one part whatever the size.
func BenchmarkStreamUpload(b *testing.B) {
	conn, raw := server(b)
	bkt := bucket(b, raw)
	size := benchio.Size(b, benchSizeEnv)
	c := blob.New(blob.Config{})
	defer c.Close(context.Background())
	b.SetBytes(size)
	var peak float64
	b.ResetTimer()
	for range b.N {
		stop := benchio.HeapPeak()
		_, err := c.Invoke(context.Background(), conn, "CreateBlob", connector.Input{
			Parameters: fsconntest.Params("container", bkt, "blob", "bench.bin"),
			Body:       &connector.Stream{Body: io.NopCloser(benchio.Pattern(size)), Size: -1},
		})
		peak = max(peak, stop())
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(peak, "peak-heap-MiB")
	b.ReportMetric(float64(size>>20), "object-MiB")
}

// BenchmarkStreamDownload reads a blob of the benchmark size
// (benchSizeEnv) through InvokeStream and reports the heap peak.
func BenchmarkStreamDownload(b *testing.B) {
	conn, raw := server(b)
	bkt := bucket(b, raw)
	size := benchio.Size(b, benchSizeEnv)
	c := blob.New(blob.Config{})
	defer c.Close(context.Background())
	if _, err := c.Invoke(context.Background(), conn, "CreateBlob", connector.Input{
		Parameters: fsconntest.Params("container", bkt, "blob", "bench.bin"),
		Body:       &connector.Stream{Body: io.NopCloser(benchio.Pattern(size)), Size: -1},
	}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	var peak float64
	b.ResetTimer()
	for range b.N {
		stop := benchio.HeapPeak()
		st, err := c.InvokeStream(context.Background(), conn, "GetBlobContent", connector.Input{Parameters: fsconntest.Params("container", bkt, "blob", "bench.bin")})
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
	b.ReportMetric(float64(size>>20), "object-MiB")
}
