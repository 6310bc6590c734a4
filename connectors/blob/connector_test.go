// SPDX-License-Identifier: Apache-2.0

package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/connectortest"
	"github.com/junction-run/junction/connectors/blob"
	"github.com/junction-run/junction/connectors/internal/fsconn/fsconntest"
	"github.com/junction-run/junction/internal/testserver"
)

// server returns a working connection to the test S3 server and a raw
// minio client for setup and checks.
func server(t testing.TB) (connector.Connection, *minio.Client) {
	t.Helper()
	env := testserver.Require(t, "s3")
	conn := connector.Connection{Name: "s3", Values: map[string]any{
		"endpoint":  env["JUNCTION_TEST_S3_ENDPOINT"],
		"region":    env["JUNCTION_TEST_S3_REGION"],
		"accessKey": env["JUNCTION_TEST_S3_ACCESS_KEY"],
		"secretKey": env["JUNCTION_TEST_S3_SECRET_KEY"],
		"pathStyle": true,
	}}
	ep := strings.TrimPrefix(strings.TrimPrefix(env["JUNCTION_TEST_S3_ENDPOINT"], "http://"), "https://")
	raw, err := minio.New(ep, &minio.Options{
		Creds:  credentials.NewStaticV4(env["JUNCTION_TEST_S3_ACCESS_KEY"], env["JUNCTION_TEST_S3_SECRET_KEY"], ""),
		Secure: strings.HasPrefix(env["JUNCTION_TEST_S3_ENDPOINT"], "https://"), Region: env["JUNCTION_TEST_S3_REGION"],
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	return conn, raw
}

// bucket creates a fresh bucket, emptied and removed when the test ends.
func bucket(t testing.TB, raw *minio.Client) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := fmt.Sprintf("jt-%x", b)
	if err := raw.MakeBucket(t.Context(), name, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("making bucket: %v", err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		for o := range raw.ListObjects(ctx, name, minio.ListObjectsOptions{Recursive: true}) {
			if o.Err == nil {
				_ = raw.RemoveObject(ctx, name, o.Key, minio.RemoveObjectOptions{})
			}
		}
		_ = raw.RemoveBucket(ctx, name)
	})
	return name
}

func put(t testing.TB, raw *minio.Client, bucket, key, data string) {
	t.Helper()
	if _, err := raw.PutObject(t.Context(), bucket, key, strings.NewReader(data), int64(len(data)), minio.PutObjectOptions{}); err != nil {
		t.Fatalf("putting %s: %v", key, err)
	}
}

func exists(t testing.TB, raw *minio.Client, bucket, key string) bool {
	t.Helper()
	_, err := raw.StatObject(context.Background(), bucket, key, minio.StatObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code != "NoSuchKey" && minio.ToErrorResponse(err).StatusCode != 404 {
		t.Fatalf("stat %s: %v", key, err)
	}
	return err == nil
}

func badConn(conn connector.Connection) connector.Connection {
	bad := connector.Connection{Name: "s3-bad", Values: map[string]any{}}
	for k, v := range conn.Values {
		bad.Values[k] = v
	}
	bad.Values["secretKey"] = "not-the-secret-key-42"
	return bad
}

func TestConformance(t *testing.T) {
	conn, raw := server(t)
	bkt := bucket(t, raw)
	bad := badConn(conn)
	big := strings.Repeat("0123456789abcdef", 1<<20) // 16 MiB, for mid-call cancellation
	put(t, raw, bkt, "big.bin", big)
	put(t, raw, bkt, "docs/x/deep.txt", "deep")
	put(t, raw, bkt, "docs/y.txt", "y")
	in := fsconntest.In

	var seq atomic.Int64
	add := func(prefix string) func(t testing.TB, n int) []string {
		return func(t testing.TB, n int) []string {
			var keys []string
			for range n {
				k := fmt.Sprintf("%sb%03d.txt", prefix, seq.Add(1))
				put(t, raw, bkt, k, "item "+k)
				keys = append(keys, k)
			}
			return keys
		}
	}
	key := func(t testing.TB, item any) string {
		b, _ := json.Marshal(item)
		var it blob.Item
		if err := json.Unmarshal(b, &it); err != nil {
			t.Fatal(err)
		}
		return it.FileLocator
	}

	connectortest.Run(t, func() connector.Provider { return blob.New(blob.Config{}) }, connectortest.Options{
		Connection:    conn,
		BadConnection: &bad,
		Cases: []connectortest.Case{
			{Name: "create text", Operation: "CreateBlob", Input: in("hello", "container", bkt, "blob", "/docs/a.txt"),
				Check: func(t testing.TB, out connector.Output) {
					m := fsconntest.Body(t, out)
					if m["Path"] != "/"+bkt+"/docs/a.txt" || m["Size"] != float64(5) || m["FileLocator"] != "docs/a.txt" {
						t.Errorf("metadata %v", m)
					}
				}},
			{Name: "create binary", Operation: "CreateBlob",
				Input: in(map[string]any{"$content-type": "application/x-thing", "$content": base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 255})},
					"container", bkt, "blob", "b.bin", "metadata", map[string]any{"origin": "test"}),
				Check: func(t testing.TB, out connector.Output) {
					if m := fsconntest.Body(t, out); m["MediaType"] != "application/x-thing" || m["Size"] != float64(4) {
						t.Errorf("metadata %v", m)
					}
				}},
			{Name: "create bad base64", Operation: "CreateBlob", Input: in(map[string]any{"$content": "!!!"}, "container", bkt, "blob", "c.bin"), WantKind: connector.KindBadRequest},
			{Name: "create no body", Operation: "CreateBlob", Input: in(nil, "container", bkt, "blob", "c.bin"), WantKind: connector.KindBadRequest},
			{Name: "create missing bucket", Operation: "CreateBlob", Input: in("x", "container", bkt+"-missing", "blob", "c.bin"), WantKind: connector.KindNotFound},
			{Name: "get content", Operation: "GetBlobContent", Input: in(nil, "container", bkt, "blob", "docs/a.txt"),
				Check: func(t testing.TB, out connector.Output) {
					if got := fsconntest.Content(t, out); got != "hello" {
						t.Errorf("content %q", got)
					}
				}},
			{Name: "get content big", Operation: "GetBlobContent", Input: in(nil, "container", bkt, "blob", "big.bin"), CancelMidCall: true,
				Check: func(t testing.TB, out connector.Output) {
					if n := len(fsconntest.Content(t, out)); n != len(big) {
						t.Errorf("read %d bytes, want %d", n, len(big))
					}
				}},
			{Name: "get content missing key", Operation: "GetBlobContent", Input: in(nil, "container", bkt, "blob", "nope.txt"), WantKind: connector.KindNotFound},
			{Name: "get content missing bucket", Operation: "GetBlobContent", Input: in(nil, "container", bkt+"-missing", "blob", "a"), WantKind: connector.KindNotFound},
			{Name: "get content bad credentials", Operation: "GetBlobContent", Input: in(nil, "container", bkt, "blob", "docs/a.txt"), UseBadConnection: true, WantKind: connector.KindUnauthenticated},
			{Name: "metadata", Operation: "GetBlobMetadata", Input: in(nil, "container", bkt, "blob", "b.bin"),
				Check: func(t testing.TB, out connector.Output) {
					m := fsconntest.Body(t, out)
					if md, _ := m["Metadata"].(map[string]any); md["origin"] != "test" {
						t.Errorf("user metadata %v", m)
					}
				}},
			{Name: "metadata missing", Operation: "GetBlobMetadata", Input: in(nil, "container", bkt, "blob", "nope"), WantKind: connector.KindNotFound},
			{Name: "list all", Operation: "ListBlobs", Input: in(nil, "container", bkt, "prefix", "docs/"),
				Check: func(t testing.TB, out connector.Output) {
					var names []string
					for _, v := range fsconntest.Body(t, out)["value"].([]any) {
						names = append(names, v.(map[string]any)["FileLocator"].(string))
					}
					if strings.Join(names, ",") != "docs/a.txt,docs/x/deep.txt,docs/y.txt" {
						t.Errorf("names %v", names)
					}
				}},
			{Name: "list one level", Operation: "ListBlobs", Input: in(nil, "container", bkt, "prefix", "docs/", "delimiter", "/"),
				Check: func(t testing.TB, out connector.Output) {
					var names []string
					for _, v := range fsconntest.Body(t, out)["value"].([]any) {
						m := v.(map[string]any)
						names = append(names, fmt.Sprint(m["FileLocator"], ":", m["IsFolder"]))
					}
					if strings.Join(names, ",") != "docs/a.txt:false,docs/x/:true,docs/y.txt:false" {
						t.Errorf("names %v", names)
					}
				}},
			{Name: "list bad delimiter", Operation: "ListBlobs", Input: in(nil, "container", bkt, "delimiter", "|"), WantKind: connector.KindBadRequest},
			{Name: "list missing bucket", Operation: "ListBlobs", Input: in(nil, "container", bkt+"-missing"), WantKind: connector.KindNotFound},
			{Name: "copy", Operation: "CopyBlob", Input: in(nil, "sourceContainer", bkt, "source", "docs/a.txt", "destination", "copies/a.txt"),
				Check: func(t testing.TB, out connector.Output) {
					if !exists(t, raw, bkt, "copies/a.txt") {
						t.Error("copy missing")
					}
				}},
			{Name: "copy no overwrite", Operation: "CopyBlob", Input: in(nil, "sourceContainer", bkt, "source", "docs/a.txt", "destination", "copies/a.txt", "overwrite", false), WantKind: connector.KindBadRequest},
			{Name: "copy missing", Operation: "CopyBlob", Input: in(nil, "sourceContainer", bkt, "source", "nope", "destination", "copies/z.txt"), WantKind: connector.KindNotFound},
			{Name: "presign", Operation: "CreatePresignedURL", Input: in(nil, "container", bkt, "blob", "docs/a.txt", "expirySeconds", 60),
				Check: func(t testing.TB, out connector.Output) {
					if m := fsconntest.Body(t, out); !strings.Contains(m["url"].(string), "X-Amz-Signature=") || m["method"] != "GET" {
						t.Errorf("presigned %v", m)
					}
				}},
			{Name: "presign bad method", Operation: "CreatePresignedURL", Input: in(nil, "container", bkt, "blob", "a", "method", "DELETE"), WantKind: connector.KindBadRequest},
			{Name: "delete", Operation: "DeleteBlob", Input: in(nil, "container", bkt, "blob", "copies/a.txt"),
				Setup: func(t testing.TB) { put(t, raw, bkt, "copies/a.txt", "x") },
				Check: func(t testing.TB, out connector.Output) {
					if exists(t, raw, bkt, "copies/a.txt") {
						t.Error("still there")
					}
				}},
			{Name: "delete missing", Operation: "DeleteBlob", Input: in(nil, "container", bkt, "blob", "copies/a.txt"), WantKind: connector.KindNotFound},
		},
		Triggers: []connectortest.TriggerCase{
			{Name: "on updated", Operation: blob.OnUpdatedBlobs, Input: in(nil, "container", bkt, "prefix", "watch/", "includeContent", true),
				Add: add("watch/"), Key: key},
			{Name: "on updated delete", Operation: blob.OnUpdatedBlobs, Input: in(nil, "container", bkt, "prefix", "watch2/", "afterRead", "delete"),
				Add: add("watch2/"), Key: key,
				CheckCleanup: func(t testing.TB, keys []string) {
					for _, k := range keys {
						if exists(t, raw, bkt, k) {
							t.Errorf("%s still exists after cleanup", k)
						}
					}
				}},
		},
	})
}

// TestMultipartStream uploads 12 MiB from a reader of unknown size with
// 5 MiB parts, then streams it back and compares.
func TestMultipartStream(t *testing.T) {
	t.Parallel()
	conn, raw := server(t)
	bkt := bucket(t, raw)
	c := blob.New(blob.Config{PartSize: 5 << 20})
	defer c.Close(context.Background())
	const size = 12 << 20
	src := io.LimitReader(rand.Reader, size)
	h := sha256.New()
	out, err := c.Invoke(t.Context(), conn, "CreateBlob", connector.Input{
		Parameters: fsconntest.Params("container", bkt, "blob", "large.bin"),
		Body:       &connector.Stream{Body: io.NopCloser(io.TeeReader(src, h)), Size: -1, ContentType: "application/x-test"},
	})
	if err != nil {
		t.Fatalf("CreateBlob: %v", err)
	}
	m := fsconntest.Body(t, out)
	if m["Size"] != float64(size) {
		t.Fatalf("size %v", m["Size"])
	}
	// A multipart ETag is "<md5>-<parts>".
	if etag, _ := m["ETag"].(string); !strings.HasSuffix(etag, "-3") {
		t.Errorf("ETag %q: want a 3-part multipart upload", etag)
	}
	st, err := c.InvokeStream(t.Context(), conn, "GetBlobContent", connector.Input{Parameters: fsconntest.Params("container", bkt, "blob", "large.bin")})
	if err != nil {
		t.Fatalf("InvokeStream: %v", err)
	}
	defer st.Body.Close()
	if st.Size != size || st.ContentType != "application/x-test" {
		t.Errorf("stream size %d type %q", st.Size, st.ContentType)
	}
	h2 := sha256.New()
	if _, err := io.Copy(h2, st.Body); err != nil {
		t.Fatalf("reading stream: %v", err)
	}
	if !bytes.Equal(h.Sum(nil), h2.Sum(nil)) {
		t.Error("downloaded content differs from what was uploaded")
	}
	if c.Streams("ListBlobs") {
		t.Error("ListBlobs must not stream")
	}
	if _, err := c.InvokeStream(t.Context(), conn, "ListBlobs", connector.Input{}); connector.KindOf(err) != connector.KindBadRequest {
		t.Errorf("InvokeStream(ListBlobs) = %v, want bad request", err)
	}
}

// TestPresignedURL fetches and uploads through presigned URLs with plain
// net/http, no credentials.
func TestPresignedURL(t *testing.T) {
	t.Parallel()
	conn, raw := server(t)
	bkt := bucket(t, raw)
	put(t, raw, bkt, "p/get.txt", "presigned content")
	c := blob.New(blob.Config{})
	defer c.Close(context.Background())
	sign := func(method, key string) string {
		out, err := c.Invoke(t.Context(), conn, "CreatePresignedURL", connector.Input{Parameters: fsconntest.Params("container", bkt, "blob", key, "method", method, "expirySeconds", 300)})
		if err != nil {
			t.Fatalf("CreatePresignedURL: %v", err)
		}
		return out.Body.(blob.PresignedURL).URL
	}
	for _, tc := range []struct{ name, method, key string }{{"get", "GET", "p/get.txt"}, {"put", "PUT", "p/put.txt"}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := sign(tc.method, tc.key)
			var body io.Reader
			if tc.method == "PUT" {
				body = strings.NewReader("uploaded via URL")
			}
			req, err := http.NewRequestWithContext(t.Context(), tc.method, u, body)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Fatalf("%s %d: %s", tc.method, resp.StatusCode, got)
			}
			if tc.method == "GET" && string(got) != "presigned content" {
				t.Errorf("GET body %q", got)
			}
			if tc.method == "PUT" {
				out, err := c.Invoke(t.Context(), conn, "GetBlobContent", connector.Input{Parameters: fsconntest.Params("container", bkt, "blob", tc.key)})
				if err != nil || fsconntest.Content(t, out) != "uploaded via URL" {
					t.Errorf("after PUT: %v", err)
				}
			}
		})
	}
}

// TestErrorKinds checks the classification of connection-level failures and
// that the secret never shows in an error.
func TestErrorKinds(t *testing.T) {
	t.Parallel()
	conn, raw := server(t)
	bkt := bucket(t, raw)
	wrongKey := connector.Connection{Name: "wrong-key", Values: map[string]any{}}
	for k, v := range conn.Values {
		wrongKey.Values[k] = v
	}
	wrongKey.Values["accessKey"] = "nosuchaccesskey"
	cases := []struct {
		name string
		conn connector.Connection
		op   string
		in   connector.Input
		want connector.ErrorKind
	}{
		{"test bad secret", badConn(conn), "", connector.Input{}, connector.KindUnauthenticated},
		{"test bad access key", wrongKey, "", connector.Input{}, connector.KindUnauthenticated},
		{"list bad secret", badConn(conn), "ListBlobs", connector.Input{Parameters: fsconntest.Params("container", bkt)}, connector.KindUnauthenticated},
		{"put bad secret", badConn(conn), "CreateBlob", connector.Input{Parameters: fsconntest.Params("container", bkt, "blob", "x"), Body: "x"}, connector.KindUnauthenticated},
		{"missing bucket", conn, "GetBlobMetadata", connector.Input{Parameters: fsconntest.Params("container", bkt+"-nope", "blob", "x")}, connector.KindNotFound},
		{"missing key", conn, "DeleteBlob", connector.Input{Parameters: fsconntest.Params("container", bkt, "blob", "x")}, connector.KindNotFound},
		{"invalid bucket name", conn, "ListBlobs", connector.Input{Parameters: fsconntest.Params("container", "Bad_Bucket!")}, connector.KindBadRequest},
		{"no endpoint", connector.Connection{Values: map[string]any{"secretKey": "s3cr3t-value"}}, "ListBlobs", connector.Input{Parameters: fsconntest.Params("container", bkt)}, connector.KindBadRequest},
		{"unreachable", connector.Connection{Values: map[string]any{"endpoint": "http://127.0.0.1:1", "region": "us-east-1", "accessKey": "a", "secretKey": "s3cr3t-value"}},
			"ListBlobs", connector.Input{Parameters: fsconntest.Params("container", bkt)}, connector.KindRetryable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := blob.New(blob.Config{})
			defer c.Close(context.Background())
			var err error
			if tc.op == "" {
				err = c.Test(t.Context(), tc.conn)
			} else {
				_, err = c.Invoke(t.Context(), tc.conn, tc.op, tc.in)
			}
			if got := connector.KindOf(err); got != tc.want {
				t.Fatalf("kind %v (%v), want %v", got, err, tc.want)
			}
			for _, s := range []string{"not-the-secret-key-42", conn.String("secretKey"), "s3cr3t-value"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error holds a secret: %v", err)
				}
			}
		})
	}
}

// TestCancelUpload cancels a streamed upload from a reader that never ends:
// the call must return promptly with context.Canceled.
func TestCancelUpload(t *testing.T) {
	t.Parallel()
	conn, raw := server(t)
	bkt := bucket(t, raw)
	c := blob.New(blob.Config{PartSize: 5 << 20})
	defer c.Close(context.Background())
	ctx, cancel := context.WithCancel(t.Context())
	var read atomic.Int64
	r := readerFunc(func(b []byte) (int, error) {
		if read.Add(int64(len(b))) > 8<<20 {
			cancel() // cancel once the second part is under way
		}
		return len(b), nil
	})
	done := make(chan error, 1)
	go func() {
		_, err := c.Invoke(ctx, conn, "CreateBlob", connector.Input{Parameters: fsconntest.Params("container", bkt, "blob", "endless.bin"), Body: r})
		done <- err
	}()
	<-ctx.Done()
	start := time.Now()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled upload returned %v", err)
		}
		if d := time.Since(start); d > connectortest.CancelGrace {
			t.Errorf("took %v to return after cancel", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancelled upload did not return")
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(b []byte) (int, error) { return f(b) }

// TestListPaging pages through blobs and folders one at a time.
func TestListPaging(t *testing.T) {
	t.Parallel()
	conn, raw := server(t)
	bkt := bucket(t, raw)
	for _, k := range []string{"a.txt", "d/1.txt", "d/2.txt", "e.txt", "f/x/y.txt"} {
		put(t, raw, bkt, k, k)
	}
	c := blob.New(blob.Config{})
	defer c.Close(context.Background())
	for _, tc := range []struct {
		name, delim, want string
	}{
		{"flat", "", "a.txt,d/1.txt,d/2.txt,e.txt,f/x/y.txt"},
		{"one level", "/", "a.txt,d/,e.txt,f/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var names []string
			token := ""
			for range 10 {
				out, err := c.Invoke(t.Context(), conn, "ListBlobs", connector.Input{Parameters: fsconntest.Params("container", bkt, "delimiter", tc.delim, "top", 1, "continuationToken", token)})
				if err != nil {
					t.Fatal(err)
				}
				page := out.Body.(blob.BlobList)
				for _, m := range page.Value {
					names = append(names, m.FileLocator)
				}
				if token = page.NextPageMarker; token == "" {
					break
				}
			}
			if got := strings.Join(names, ","); got != tc.want {
				t.Errorf("pages gave %s, want %s", got, tc.want)
			}
		})
	}
}
