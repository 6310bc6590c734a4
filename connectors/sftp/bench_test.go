// SPDX-License-Identifier: Apache-2.0

package sftp_test

import (
	"context"
	"io"
	"testing"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connectors/internal/benchio"
	"github.com/junction-run/junction/connectors/sftp"
)

// benchSizeEnv names the variable that sets the file size of the
// streaming benchmarks in MiB (see [benchio.Size]).
const benchSizeEnv = "JUNCTION_BENCH_SFTP_MIB"

func upload(b *testing.B, c *sftp.Connector, conn connector.Connection, size int64) {
	b.Helper()
	_, err := c.Invoke(context.Background(), conn, "CreateFile", connector.Input{
		Parameters: map[string]any{"folderPath": "/", "name": "bench.bin", "overwrite": true},
		Body:       &connector.Stream{Body: io.NopCloser(benchio.Pattern(size)), Size: -1},
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkStreamUpload writes the benchmark size (benchSizeEnv) from a
// connector.Stream through CreateFile and reports the heap peak: it stays
// flat whatever the size.
func BenchmarkStreamUpload(b *testing.B) {
	e := setup(b)
	size := benchio.Size(b, benchSizeEnv)
	c := sftp.New(sftp.Config{})
	b.SetBytes(size)
	var peak float64
	b.ResetTimer()
	for range b.N {
		stop := benchio.HeapPeak()
		upload(b, c, e.conn(), size)
		peak = max(peak, stop())
	}
	b.ReportMetric(peak, "peak-heap-MiB")
	b.ReportMetric(float64(size>>20), "file-MiB")
}

// BenchmarkStreamDownload reads a file of the benchmark size
// (benchSizeEnv) through InvokeStream and reports the heap peak.
func BenchmarkStreamDownload(b *testing.B) {
	e := setup(b)
	size := benchio.Size(b, benchSizeEnv)
	c := sftp.New(sftp.Config{})
	upload(b, c, e.conn(), size)
	b.SetBytes(size)
	var peak float64
	b.ResetTimer()
	for range b.N {
		stop := benchio.HeapPeak()
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
