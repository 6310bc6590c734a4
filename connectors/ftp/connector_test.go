// SPDX-License-Identifier: Apache-2.0

package ftp_test

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goftp "github.com/jlaffaye/ftp"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/connectortest"
	"github.com/junction-run/junction/connectors/ftp"
	"github.com/junction-run/junction/internal/testserver"
)

// env is the test server: the connection values and a raw client that
// prepares and checks files under root.
type env struct {
	vals map[string]any
	mu   sync.Mutex
	raw  *goftp.ServerConn
	root string
}

func setup(t testing.TB) *env {
	t.Helper()
	v := testserver.Require(t, "ftp")
	host, port, _ := strings.Cut(v["JUNCTION_TEST_FTP_ADDR"], ":")
	raw, err := goftp.Dial(v["JUNCTION_TEST_FTP_ADDR"])
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Login(v["JUNCTION_TEST_FTP_USER"], v["JUNCTION_TEST_FTP_PASSWORD"]); err != nil {
		t.Fatal(err)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	root := "junction-test-" + hex.EncodeToString(rnd[:])
	if err := raw.MakeDir(root); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = raw.RemoveDirRecur(root)
		_ = raw.Quit()
	})
	return &env{raw: raw, root: root, vals: map[string]any{
		"host": host, "port": port, "username": v["JUNCTION_TEST_FTP_USER"], "password": v["JUNCTION_TEST_FTP_PASSWORD"],
		"rootFolder": root,
	}}
}

func (e *env) conn(kv ...any) connector.Connection {
	vals := map[string]any{}
	for k, v := range e.vals {
		vals[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(vals, kv[i].(string))
		} else {
			vals[kv[i].(string)] = kv[i+1]
		}
	}
	return connector.Connection{Name: "ftp-test", Values: vals}
}

func (e *env) write(t testing.TB, rel, data string) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	p := path.Join(e.root, rel)
	cur := ""
	for _, part := range strings.Split(path.Dir(p), "/") {
		cur = path.Join(cur, part)
		_ = e.raw.MakeDir(cur)
	}
	if err := e.raw.Stor(p, strings.NewReader(data)); err != nil {
		t.Fatal(err)
	}
}

func (e *env) read(rel string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, err := e.raw.Retr(path.Join(e.root, rel))
	if err != nil {
		return "", err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	return string(b), err
}

func (e *env) remove(rel string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	_ = e.raw.Delete(path.Join(e.root, rel))
}

func (e *env) exists(rel string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, err := e.raw.FileSize(path.Join(e.root, rel))
	return err == nil
}

func body(t testing.TB, out connector.Output) map[string]any {
	t.Helper()
	raw, err := json.Marshal(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("body %s: %v", raw, err)
	}
	return m
}

func decoded(t testing.TB, out connector.Output) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(body(t, out)["$content"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func zipOf(t testing.TB, files map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(data))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestConformance(t *testing.T) {
	e := setup(t)
	big := strings.Repeat("0123456789abcdef", 1<<20) // 16 MiB, for mid-call cancellation
	e.write(t, "big.bin", big)
	e.write(t, "in.zip", zipOf(t, map[string]string{"a.txt": "A", "sub/b.txt": "B"}))
	e.write(t, "evil.zip", zipOf(t, map[string]string{"../evil.txt": "x"}))
	conn := e.conn()
	bad := e.conn("password", "wrong-password-123")
	factory := func() connector.Provider { return ftp.New(ftp.Config{}) }

	adder := func(dir, prefix string) func(t testing.TB, n int) []string {
		var seq atomic.Int64
		return func(t testing.TB, n int) []string {
			var keys []string
			for range n {
				name := fmt.Sprintf("%s%03d.txt", prefix, seq.Add(1))
				e.write(t, path.Join(dir, name), "item "+name)
				keys = append(keys, "/"+dir+"/"+name)
			}
			return keys
		}
	}
	key := func(t testing.TB, item any) string {
		raw, _ := json.Marshal(item)
		var m struct {
			ID string `json:"Id"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	movedTo := func(dir string) func(t testing.TB, keys []string) {
		return func(t testing.TB, keys []string) {
			for _, k := range keys {
				if e.exists(k) {
					t.Errorf("%s still exists after cleanup", k)
				}
				if !e.exists(path.Join(dir, path.Base(k))) {
					t.Errorf("%s was not moved to %s", k, dir)
				}
			}
		}
	}
	in := func(body any, kv ...any) connector.Input {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return connector.Input{Parameters: m, Body: body}
	}
	wantContent := func(want string) func(t testing.TB, out connector.Output) {
		return func(t testing.TB, out connector.Output) {
			if got := decoded(t, out); got != want {
				t.Errorf("content %q, want %q", got, want)
			}
		}
	}
	fileHas := func(rel, want string) func(t testing.TB, out connector.Output) {
		return func(t testing.TB, out connector.Output) {
			if got, err := e.read(rel); err != nil || got != want {
				t.Errorf("%s = %q (%v), want %q", rel, got, err, want)
			}
		}
	}
	connectortest.Run(t, factory, connectortest.Options{
		Connection:    conn,
		BadConnection: &bad,
		Cases: []connectortest.Case{
			{Name: "create text", Operation: "CreateFile", Input: in("hello", "folderPath", "/docs", "name", "a.txt"),
				Setup: func(t testing.TB) { e.remove("docs/a.txt") },
				Check: func(t testing.TB, out connector.Output) {
					if m := body(t, out); m["Path"] != "/docs/a.txt" || m["Size"] != float64(5) || m["MediaType"] != "text/plain; charset=utf-8" {
						t.Errorf("metadata %v", m)
					}
				}},
			{Name: "create exists", Operation: "CreateFile", Input: in("x", "folderPath", "/docs", "name", "a.txt"), WantKind: connector.KindBadRequest},
			{Name: "create binary", Operation: "CreateFile",
				Input: in(map[string]any{"$content-type": "application/octet-stream", "$content": base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 255})}, "folderPath", "/", "name", "b.bin", "overwrite", true),
				Check: fileHas("b.bin", "\x00\x01\x02\xff")},
			{Name: "create bad base64", Operation: "CreateFile", Input: in(map[string]any{"$content": "!!!"}, "folderPath", "/", "name", "c.bin"), WantKind: connector.KindBadRequest},
			{Name: "create name with folder", Operation: "CreateFile", Input: in("x", "folderPath", "/", "name", "x/y.txt"), WantKind: connector.KindBadRequest},
			{Name: "get content", Operation: "GetFileContent", Input: in(nil, "id", "/docs/a.txt"), Check: wantContent("hello")},
			{Name: "get content big", Operation: "GetFileContent", Input: in(nil, "id", "big.bin"), CancelMidCall: true,
				Check: func(t testing.TB, out connector.Output) {
					if n := len(decoded(t, out)); n != len(big) {
						t.Errorf("read %d bytes, want %d", n, len(big))
					}
				}},
			{Name: "get content missing", Operation: "GetFileContent", Input: in(nil, "id", "/nope.txt"), WantKind: connector.KindNotFound},
			{Name: "dotdot", Operation: "GetFileContent", Input: in(nil, "id", "/docs/../../secret.txt"), WantKind: connector.KindBadRequest},
			{Name: "bad connection", Operation: "GetFileMetadata", Input: in(nil, "id", "/docs"), UseBadConnection: true, WantKind: connector.KindUnauthenticated},
			{Name: "metadata", Operation: "GetFileMetadata", Input: in(nil, "id", "/docs"),
				Check: func(t testing.TB, out connector.Output) {
					if m := body(t, out); m["IsFolder"] != true || m["Name"] != "docs" {
						t.Errorf("metadata %v", m)
					}
				}},
			{Name: "list root", Operation: "ListFolder", Input: in(nil, "id", "/"),
				Check: func(t testing.TB, out connector.Output) {
					raw, _ := json.Marshal(out.Body)
					if !strings.Contains(string(raw), `"Path":"/docs"`) || strings.Contains(string(raw), ".junction-") {
						t.Errorf("listing %s", raw)
					}
				}},
			{Name: "list missing", Operation: "ListFolder", Input: in(nil, "id", "/nope"), WantKind: connector.KindNotFound},
			{Name: "update", Operation: "UpdateFile", Input: in("hello again", "id", "/docs/a.txt"), Check: fileHas("docs/a.txt", "hello again")},
			{Name: "update missing", Operation: "UpdateFile", Input: in("x", "id", "/docs/none.txt"), WantKind: connector.KindNotFound},
			{Name: "append", Operation: "AppendFile", Input: in("line\n", "id", "/log/app.log"),
				Setup: func(t testing.TB) { e.write(t, "log/app.log", "first\n") },
				Check: fileHas("log/app.log", "first\nline\n")},
			{Name: "append new file", Operation: "AppendFile", Input: in("only\n", "id", "/log/new.log"),
				Setup: func(t testing.TB) { e.remove("log/new.log") },
				Check: fileHas("log/new.log", "only\n")},
			{Name: "copy", Operation: "CopyFile", Input: in(nil, "source", "/docs/a.txt", "destination", "/copies/a.txt", "overwrite", true), Check: fileHas("copies/a.txt", "hello again")},
			{Name: "copy no overwrite", Operation: "CopyFile", Input: in(nil, "source", "/docs/a.txt", "destination", "/copies/a.txt"), WantKind: connector.KindBadRequest},
			{Name: "copy missing", Operation: "CopyFile", Input: in(nil, "source", "/docs/none.txt", "destination", "/copies/n.txt"), WantKind: connector.KindNotFound},
			{Name: "move", Operation: "MoveFile", Input: in(nil, "source", "/copies/a.txt", "destination", "/moved/a.txt"),
				Setup: func(t testing.TB) {
					e.remove("moved/a.txt")
					e.write(t, "copies/a.txt", "hello again")
				},
				Check: fileHas("moved/a.txt", "hello again")},
			{Name: "move no overwrite", Operation: "MoveFile", Input: in(nil, "source", "/docs/a.txt", "destination", "/moved/a.txt"), WantKind: connector.KindBadRequest},
			{Name: "rename", Operation: "RenameFile", Input: in(nil, "id", "/moved/a.txt", "newName", "b.txt"), Check: fileHas("moved/b.txt", "hello again")},
			{Name: "rename missing", Operation: "RenameFile", Input: in(nil, "id", "/moved/a.txt", "newName", "c.txt"), WantKind: connector.KindNotFound},
			{Name: "delete", Operation: "DeleteFile", Input: in(nil, "id", "/moved/b.txt"),
				Setup: func(t testing.TB) { e.write(t, "moved/b.txt", "x") },
				Check: func(t testing.TB, out connector.Output) {
					if e.exists("moved/b.txt") {
						t.Error("file still there")
					}
				}},
			{Name: "delete missing", Operation: "DeleteFile", Input: in(nil, "id", "/moved/b.txt"), WantKind: connector.KindNotFound},
			{Name: "delete folder", Operation: "DeleteFile", Input: in(nil, "id", "/docs"), WantKind: connector.KindBadRequest},
			{Name: "extract", Operation: "ExtractFolder", Input: in(nil, "source", "/in.zip", "destination", "/out", "overwrite", true),
				Check: func(t testing.TB, out connector.Output) {
					fileHas("out/a.txt", "A")(t, out)
					fileHas("out/sub/b.txt", "B")(t, out)
				}},
			{Name: "extract zip slip", Operation: "ExtractFolder", Input: in(nil, "source", "/evil.zip", "destination", "/out2"), WantKind: connector.KindBadRequest},
			{Name: "extract not zip", Operation: "ExtractFolder", Input: in(nil, "source", "/docs/a.txt", "destination", "/out3"), WantKind: connector.KindBadRequest},
		},
		Triggers: []connectortest.TriggerCase{
			{Name: "keep", Operation: ftp.OnUpdatedFile, Input: in(nil, "folderId", "/watch"), Add: adder("watch", "f"), Key: key},
			{Name: "move after read", Operation: ftp.OnUpdatedFile, Input: in(nil, "folderId", "/watch2", "afterRead", "move", "moveToFolder", "/done", "includeFileContent", false),
				Add: adder("watch2", "g"), Key: key, CheckCleanup: movedTo("done")},
		},
	})
}

// TestConnect checks authentication and TLS options against the real
// server: each failure has its kind and never shows the credentials.
func TestConnect(t *testing.T) {
	e := setup(t)
	secrets := []string{"wrong-password-123", e.vals["password"].(string)}
	tests := []struct {
		name string
		kv   []any
		want connector.ErrorKind // KindUnknown: must succeed
	}{
		{"password", nil, connector.KindUnknown},
		{"tls none", []any{"tls", "none"}, connector.KindUnknown},
		{"wrong password", []any{"password", "wrong-password-123"}, connector.KindUnauthenticated},
		{"unknown user", []any{"username", "nobody-here"}, connector.KindUnauthenticated},
		// The test server has no TLS: AUTH TLS is refused, clearly.
		{"explicit tls refused", []any{"tls", "explicit", "insecureSkipTLSVerify", true}, connector.KindBadRequest},
		{"implicit tls on a plain port", []any{"tls", "implicit"}, connector.KindRetryable},
		{"bad tls mode", []any{"tls", "sometimes"}, connector.KindBadRequest},
		{"bad ca", []any{"tls", "explicit", "caCertificate", "not pem"}, connector.KindBadRequest},
		{"nothing listens", []any{"port", "1"}, connector.KindRetryable},
		{"missing root", []any{"rootFolder", e.root + "/nope"}, connector.KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := ftp.New(ftp.Config{Timeout: 5 * time.Second})
			err := c.Test(t.Context(), e.conn(tt.kv...))
			if tt.want == connector.KindUnknown {
				if err != nil {
					t.Fatalf("Test: %v", err)
				}
				return
			}
			if err == nil || connector.KindOf(err) != tt.want {
				t.Fatalf("Test: %v (kind %v), want kind %v", err, connector.KindOf(err), tt.want)
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error shows a password: %v", err)
				}
			}
		})
	}
}

// TestStream reads a file through InvokeStream and writes one from a
// connector.Stream body.
func TestStream(t *testing.T) {
	e := setup(t)
	c := ftp.New(ftp.Config{})
	data := strings.Repeat("stream me ", 300_000) // 3 MB
	_, err := c.Invoke(t.Context(), e.conn(), "CreateFile", connector.Input{
		Parameters: map[string]any{"folderPath": "/s", "name": "big.txt"},
		Body:       &connector.Stream{Body: io.NopCloser(strings.NewReader(data)), Size: -1},
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.InvokeStream(t.Context(), e.conn(), "GetFileContent", connector.Input{Parameters: map[string]any{"id": "/s/big.txt"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(st.Body)
	if cerr := st.Body.Close(); err == nil {
		err = cerr
	}
	if err != nil || string(got) != data || st.Size != int64(len(data)) || st.ContentType != "text/plain; charset=utf-8" {
		t.Fatalf("stream: %d bytes (size %d, %s), err %v", len(got), st.Size, st.ContentType, err)
	}
	if _, err := c.InvokeStream(t.Context(), e.conn(), "GetFileContent", connector.Input{Parameters: map[string]any{"id": "/s/none"}}); connector.KindOf(err) != connector.KindNotFound {
		t.Errorf("missing file: %v", err)
	}
}
