// SPDX-License-Identifier: Apache-2.0

// Package fsconntest holds the test fixtures the file-like connectors
// share: helpers that read outputs and build inputs (file, ftp, sftp,
// blob), and the whole conformance run of the remote file connectors built
// on [fsconn] (ftp, sftp), written once against a [Server] each connector
// test implements with its own raw client.
//
// It imports package testing and is meant for _test.go files only.
package fsconntest

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/connectortest"
)

// Body decodes the output's body as a JSON object.
func Body(t testing.TB, out connector.Output) map[string]any {
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

// Content decodes the base64 "$content" of the output's body.
func Content(t testing.TB, out connector.Output) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(Body(t, out)["$content"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Zip returns a zip archive that holds files (name to content).
func Zip(t testing.TB, files map[string]string) string {
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

// Params builds operation parameters from name, value pairs.
func Params(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// In builds an input from a body and parameter name, value pairs.
func In(body any, kv ...any) connector.Input {
	return connector.Input{Parameters: Params(kv...), Body: body}
}

// WantContent checks that the output's content is want.
func WantContent(want string) func(t testing.TB, out connector.Output) {
	return func(t testing.TB, out connector.Output) {
		if got := Content(t, out); got != want {
			t.Errorf("content %q, want %q", got, want)
		}
	}
}

// Connection returns a connection named name with a copy of vals changed
// by name, value pairs: a nil value removes the name.
func Connection(name string, vals map[string]any, kv ...any) connector.Connection {
	m := map[string]any{}
	for k, v := range vals {
		m[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(m, kv[i].(string))
		} else {
			m[kv[i].(string)] = kv[i+1]
		}
	}
	return connector.Connection{Name: name, Values: m}
}

// Server is a remote file server under test, reached by a raw client of
// its own. Paths are relative to the connection's root folder, without a
// leading "/". Its methods may be called from several goroutines.
type Server interface {
	// Write creates or replaces the file rel (and its parent folders); it
	// fails the test when it cannot.
	Write(t testing.TB, rel, data string)
	// Read returns the content of the file rel.
	Read(rel string) (string, error)
	// Remove deletes the file rel if it exists.
	Remove(rel string)
	// Exists reports whether rel exists.
	Exists(rel string) bool
}

// Remote runs the conformance suite of a remote file connector built on
// [fsconn]: every action against srv, and the OnUpdatedFile trigger
// (trigger) with and without a move after read. conn must work, and bad
// must differ only by a wrong password.
func Remote(t *testing.T, factory func() connector.Provider, srv Server, conn, bad connector.Connection, trigger string) {
	big := strings.Repeat("0123456789abcdef", 1<<20) // 16 MiB, for mid-call cancellation
	srv.Write(t, "big.bin", big)
	srv.Write(t, "in.zip", Zip(t, map[string]string{"a.txt": "A", "sub/b.txt": "B"}))
	srv.Write(t, "evil.zip", Zip(t, map[string]string{"../evil.txt": "x"}))

	adder := func(dir, prefix string) func(t testing.TB, n int) []string {
		var seq atomic.Int64
		return func(t testing.TB, n int) []string {
			var keys []string
			for range n {
				name := fmt.Sprintf("%s%03d.txt", prefix, seq.Add(1))
				srv.Write(t, path.Join(dir, name), "item "+name)
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
				if srv.Exists(k) {
					t.Errorf("%s still exists after cleanup", k)
				}
				if !srv.Exists(path.Join(dir, path.Base(k))) {
					t.Errorf("%s was not moved to %s", k, dir)
				}
			}
		}
	}
	fileHas := func(rel, want string) func(t testing.TB, out connector.Output) {
		return func(t testing.TB, out connector.Output) {
			if got, err := srv.Read(rel); err != nil || got != want {
				t.Errorf("%s = %q (%v), want %q", rel, got, err, want)
			}
		}
	}
	in := In
	connectortest.Run(t, factory, connectortest.Options{
		Connection:    conn,
		BadConnection: &bad,
		Cases: []connectortest.Case{
			{Name: "create text", Operation: "CreateFile", Input: in("hello", "folderPath", "/docs", "name", "a.txt"),
				Setup: func(t testing.TB) { srv.Remove("docs/a.txt") },
				Check: func(t testing.TB, out connector.Output) {
					if m := Body(t, out); m["Path"] != "/docs/a.txt" || m["Size"] != float64(5) || m["MediaType"] != "text/plain; charset=utf-8" {
						t.Errorf("metadata %v", m)
					}
				}},
			{Name: "create exists", Operation: "CreateFile", Input: in("x", "folderPath", "/docs", "name", "a.txt"), WantKind: connector.KindBadRequest},
			{Name: "create binary", Operation: "CreateFile",
				Input: in(map[string]any{"$content-type": "application/octet-stream", "$content": base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 255})}, "folderPath", "/", "name", "b.bin", "overwrite", true),
				Check: fileHas("b.bin", "\x00\x01\x02\xff")},
			{Name: "create bad base64", Operation: "CreateFile", Input: in(map[string]any{"$content": "!!!"}, "folderPath", "/", "name", "c.bin"), WantKind: connector.KindBadRequest},
			{Name: "create name with folder", Operation: "CreateFile", Input: in("x", "folderPath", "/", "name", "x/y.txt"), WantKind: connector.KindBadRequest},
			{Name: "get content", Operation: "GetFileContent", Input: in(nil, "id", "/docs/a.txt"), Check: WantContent("hello")},
			{Name: "get content big", Operation: "GetFileContent", Input: in(nil, "id", "big.bin"), CancelMidCall: true,
				Check: func(t testing.TB, out connector.Output) {
					if n := len(Content(t, out)); n != len(big) {
						t.Errorf("read %d bytes, want %d", n, len(big))
					}
				}},
			{Name: "get content missing", Operation: "GetFileContent", Input: in(nil, "id", "/nope.txt"), WantKind: connector.KindNotFound},
			{Name: "dotdot", Operation: "GetFileContent", Input: in(nil, "id", "/docs/../../secret.txt"), WantKind: connector.KindBadRequest},
			{Name: "bad connection", Operation: "GetFileMetadata", Input: in(nil, "id", "/docs"), UseBadConnection: true, WantKind: connector.KindUnauthenticated},
			{Name: "metadata", Operation: "GetFileMetadata", Input: in(nil, "id", "/docs"),
				Check: func(t testing.TB, out connector.Output) {
					if m := Body(t, out); m["IsFolder"] != true || m["Name"] != "docs" {
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
				Setup: func(t testing.TB) { srv.Write(t, "log/app.log", "first\n") },
				Check: fileHas("log/app.log", "first\nline\n")},
			{Name: "append new file", Operation: "AppendFile", Input: in("only\n", "id", "/log/new.log"),
				Setup: func(t testing.TB) { srv.Remove("log/new.log") },
				Check: fileHas("log/new.log", "only\n")},
			{Name: "copy", Operation: "CopyFile", Input: in(nil, "source", "/docs/a.txt", "destination", "/copies/a.txt", "overwrite", true), Check: fileHas("copies/a.txt", "hello again")},
			{Name: "copy no overwrite", Operation: "CopyFile", Input: in(nil, "source", "/docs/a.txt", "destination", "/copies/a.txt"), WantKind: connector.KindBadRequest},
			{Name: "copy missing", Operation: "CopyFile", Input: in(nil, "source", "/docs/none.txt", "destination", "/copies/n.txt"), WantKind: connector.KindNotFound},
			{Name: "move", Operation: "MoveFile", Input: in(nil, "source", "/copies/a.txt", "destination", "/moved/a.txt"),
				Setup: func(t testing.TB) {
					srv.Remove("moved/a.txt")
					srv.Write(t, "copies/a.txt", "hello again")
				},
				Check: fileHas("moved/a.txt", "hello again")},
			{Name: "move no overwrite", Operation: "MoveFile", Input: in(nil, "source", "/docs/a.txt", "destination", "/moved/a.txt"), WantKind: connector.KindBadRequest},
			{Name: "rename", Operation: "RenameFile", Input: in(nil, "id", "/moved/a.txt", "newName", "b.txt"), Check: fileHas("moved/b.txt", "hello again")},
			{Name: "rename missing", Operation: "RenameFile", Input: in(nil, "id", "/moved/a.txt", "newName", "c.txt"), WantKind: connector.KindNotFound},
			{Name: "delete", Operation: "DeleteFile", Input: in(nil, "id", "/moved/b.txt"),
				Setup: func(t testing.TB) { srv.Write(t, "moved/b.txt", "x") },
				Check: func(t testing.TB, out connector.Output) {
					if srv.Exists("moved/b.txt") {
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
			{Name: "keep", Operation: trigger, Input: in(nil, "folderId", "/watch"), Add: adder("watch", "f"), Key: key},
			{Name: "move after read", Operation: trigger, Input: in(nil, "folderId", "/watch2", "afterRead", "move", "moveToFolder", "/done", "includeFileContent", false),
				Add: adder("watch2", "g"), Key: key, CheckCleanup: movedTo("done")},
		},
	})
}

// StreamProvider is a connector that reads and writes content as streams.
type StreamProvider interface {
	connector.Provider
	connector.Streamer
}

// Stream reads a file through InvokeStream and writes one from a
// connector.Stream body, with the file operations of [fsconn].
func Stream(t *testing.T, c StreamProvider, conn connector.Connection) {
	t.Helper()
	data := strings.Repeat("stream me ", 300_000) // 3 MB
	_, err := c.Invoke(t.Context(), conn, "CreateFile", connector.Input{
		Parameters: map[string]any{"folderPath": "/s", "name": "big.txt"},
		Body:       &connector.Stream{Body: io.NopCloser(strings.NewReader(data)), Size: -1},
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.InvokeStream(t.Context(), conn, "GetFileContent", connector.Input{Parameters: map[string]any{"id": "/s/big.txt"}})
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
	if _, err := c.InvokeStream(t.Context(), conn, "GetFileContent", connector.Input{Parameters: map[string]any{"id": "/s/none"}}); connector.KindOf(err) != connector.KindNotFound {
		t.Errorf("missing file: %v", err)
	}
}

// CheckTest checks the result of a Tester.Test call: success when want is
// KindUnknown, else an error of kind want whose text shows none of secrets.
func CheckTest(t testing.TB, err error, want connector.ErrorKind, secrets []string) {
	t.Helper()
	if want == connector.KindUnknown {
		if err != nil {
			t.Fatalf("Test: %v", err)
		}
		return
	}
	if err == nil || connector.KindOf(err) != want {
		t.Fatalf("Test: %v (kind %v), want kind %v", err, connector.KindOf(err), want)
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error shows a password: %v", err)
		}
	}
}
