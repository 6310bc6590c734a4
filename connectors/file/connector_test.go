// SPDX-License-Identifier: Apache-2.0

package file_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/connectortest"
	"github.com/junction-run/junction/connectors/file"
	"github.com/junction-run/junction/connectors/internal/fsconn/fsconntest"
)

func writeFile(t testing.TB, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestConformance(t *testing.T) {
	allowed := t.TempDir()
	rootDir := filepath.Join(allowed, "root")
	outside := t.TempDir()
	if err := os.Mkdir(rootDir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(outside, "secret.txt"), "outside")
	if err := os.Symlink(outside, filepath.Join(rootDir, "escape")); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("0123456789abcdef", 1<<20) // 16 MiB, for mid-call cancellation
	writeFile(t, filepath.Join(rootDir, "big.bin"), big)
	writeFile(t, filepath.Join(rootDir, "in.zip"), fsconntest.Zip(t, map[string]string{"a.txt": "A", "sub/b.txt": "B"}))
	writeFile(t, filepath.Join(rootDir, "evil.zip"), fsconntest.Zip(t, map[string]string{"../evil.txt": "x"}))

	conn := connector.Connection{Name: "files", Values: map[string]any{"rootFolder": rootDir}}
	bad := connector.Connection{Name: "elsewhere", Values: map[string]any{"rootFolder": outside}}
	factory := func() connector.Provider { return file.New(file.Config{AllowedRoots: []string{allowed}}) }

	var seq atomic.Int64
	watch := filepath.Join(rootDir, "watch")
	add := func(t testing.TB, n int) []string {
		var keys []string
		for range n {
			name := fmt.Sprintf("f%03d.txt", seq.Add(1))
			writeFile(t, filepath.Join(watch, name), "item "+name)
			keys = append(keys, "/watch/"+name)
		}
		return keys
	}
	var seq2 atomic.Int64
	watch2 := filepath.Join(rootDir, "watch2")
	add2 := func(t testing.TB, n int) []string {
		var keys []string
		for range n {
			name := fmt.Sprintf("g%03d.txt", seq2.Add(1))
			writeFile(t, filepath.Join(watch2, name), "item "+name)
			keys = append(keys, "/watch2/"+name)
		}
		return keys
	}
	key := func(t testing.TB, item any) string {
		raw, _ := json.Marshal(item)
		var m struct {
			ID      string `json:"Id"`
			Content *struct {
				Content string `json:"$content"`
			}
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	gone := func(dir string) func(t testing.TB, keys []string) {
		return func(t testing.TB, keys []string) {
			for _, k := range keys {
				if _, err := os.Stat(filepath.Join(rootDir, k)); !os.IsNotExist(err) {
					t.Errorf("%s still exists after cleanup (%v)", k, err)
				}
				if dir != "" {
					if _, err := os.Stat(filepath.Join(rootDir, dir, filepath.Base(k))); err != nil {
						t.Errorf("%s was not moved to %s: %v", k, dir, err)
					}
				}
			}
		}
	}
	in, wantContent := fsconntest.In, fsconntest.WantContent
	fileHas := func(rel, want string) func(t testing.TB, out connector.Output) {
		return func(t testing.TB, out connector.Output) {
			b, err := os.ReadFile(filepath.Join(rootDir, rel))
			if err != nil || string(b) != want {
				t.Errorf("%s = %q (%v), want %q", rel, b, err, want)
			}
		}
	}

	connectortest.Run(t, factory, connectortest.Options{
		Connection:    conn,
		BadConnection: &bad,
		NoSideEffects: func(t testing.TB) {
			entries, _ := os.ReadDir(outside)
			if len(entries) != 1 {
				t.Errorf("construction touched the file system: %v", entries)
			}
		},
		Cases: []connectortest.Case{
			{Name: "create text", Operation: "CreateFile", Input: in("hello", "folderPath", "/docs", "name", "a.txt"),
				Setup: func(t testing.TB) { os.Remove(filepath.Join(rootDir, "docs", "a.txt")) },
				Check: func(t testing.TB, out connector.Output) {
					if m := fsconntest.Body(t, out); m["Path"] != "/docs/a.txt" || m["Size"] != float64(5) || m["MediaType"] != "text/plain; charset=utf-8" {
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
					if n := len(fsconntest.Content(t, out)); n != len(big) {
						t.Errorf("read %d bytes, want %d", n, len(big))
					}
				}},
			{Name: "get content missing", Operation: "GetFileContent", Input: in(nil, "id", "/nope.txt"), WantKind: connector.KindNotFound},
			{Name: "dotdot", Operation: "GetFileContent", Input: in(nil, "id", "/docs/../../secret.txt"), WantKind: connector.KindBadRequest},
			{Name: "symlink escape", Operation: "GetFileContent", Input: in(nil, "id", "/escape/secret.txt"), WantKind: connector.KindBadRequest},
			{Name: "bad connection", Operation: "GetFileMetadata", Input: in(nil, "id", "/secret.txt"), UseBadConnection: true, WantKind: connector.KindUnauthenticated},
			{Name: "metadata", Operation: "GetFileMetadata", Input: in(nil, "id", "/docs"),
				Check: func(t testing.TB, out connector.Output) {
					if m := fsconntest.Body(t, out); m["IsFolder"] != true || m["Name"] != "docs" {
						t.Errorf("metadata %v", m)
					}
				}},
			{Name: "list root", Operation: "ListFolder", Input: in(nil, "id", "/")},
			{Name: "list missing", Operation: "ListFolder", Input: in(nil, "id", "/nope"), WantKind: connector.KindNotFound},
			{Name: "update", Operation: "UpdateFile", Input: in("hello again", "id", "/docs/a.txt"), Check: fileHas("docs/a.txt", "hello again")},
			{Name: "update missing", Operation: "UpdateFile", Input: in("x", "id", "/docs/none.txt"), WantKind: connector.KindNotFound},
			{Name: "append", Operation: "AppendFile", Input: in("line\n", "id", "/log/app.log"),
				Setup: func(t testing.TB) { writeFile(t, filepath.Join(rootDir, "log", "app.log"), "first\n") },
				Check: fileHas("log/app.log", "first\nline\n")},
			{Name: "copy", Operation: "CopyFile", Input: in(nil, "source", "/docs/a.txt", "destination", "/copies/a.txt", "overwrite", true), Check: fileHas("copies/a.txt", "hello again")},
			{Name: "copy no overwrite", Operation: "CopyFile", Input: in(nil, "source", "/docs/a.txt", "destination", "/copies/a.txt"), WantKind: connector.KindBadRequest},
			{Name: "copy missing", Operation: "CopyFile", Input: in(nil, "source", "/docs/none.txt", "destination", "/copies/n.txt"), WantKind: connector.KindNotFound},
			{Name: "move", Operation: "MoveFile", Input: in(nil, "source", "/copies/a.txt", "destination", "/moved/a.txt"),
				Setup: func(t testing.TB) {
					os.Remove(filepath.Join(rootDir, "moved", "a.txt"))
					writeFile(t, filepath.Join(rootDir, "copies", "a.txt"), "hello again")
				},
				Check: fileHas("moved/a.txt", "hello again")},
			{Name: "rename", Operation: "RenameFile", Input: in(nil, "id", "/moved/a.txt", "newName", "b.txt"), Check: fileHas("moved/b.txt", "hello again")},
			{Name: "rename missing", Operation: "RenameFile", Input: in(nil, "id", "/moved/a.txt", "newName", "c.txt"), WantKind: connector.KindNotFound},
			{Name: "delete", Operation: "DeleteFile", Input: in(nil, "id", "/moved/b.txt"),
				Setup: func(t testing.TB) { writeFile(t, filepath.Join(rootDir, "moved", "b.txt"), "x") },
				Check: func(t testing.TB, out connector.Output) {
					if _, err := os.Stat(filepath.Join(rootDir, "moved", "b.txt")); !os.IsNotExist(err) {
						t.Errorf("file still there: %v", err)
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
			{Name: "keep", Operation: file.OnUpdatedFile, Input: in(nil, "folderId", "/watch"), Add: add, Key: key},
			{Name: "move after read", Operation: file.OnUpdatedFile, Input: in(nil, "folderId", "/watch2", "afterRead", "move", "moveToFolder", "/done", "includeFileContent", false),
				Add: add2, Key: key, CheckCleanup: gone("done")},
		},
	})
}

// TestTriggerBatches checks that more new files than maxFileCount come in
// several polls, oldest first, each exactly once, even with equal times.
func TestTriggerBatches(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := file.New(file.Config{})
	conn := connector.Connection{Values: map[string]any{"rootFolder": dir}}
	in := connector.Input{Parameters: map[string]any{"folderId": "/", "maxFileCount": 2, "afterRead": "delete"}}
	ctx := t.Context()
	res, err := c.Poll(ctx, conn, file.OnUpdatedFile, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	same := time.Now().Add(-time.Hour)
	for i := range 5 {
		name := filepath.Join(dir, fmt.Sprintf("%d.txt", i))
		writeFile(t, name, "x")
		if err := os.Chtimes(name, same, same); err != nil {
			t.Fatal(err)
		}
	}
	// All five share one time older than the empty folder's cursor (zero).
	seen := map[string]int{}
	state := res.State
	for range 4 {
		res, err = c.Poll(ctx, conn, file.OnUpdatedFile, in, state)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) > 2 {
			t.Fatalf("%d items, want at most 2", len(res.Items))
		}
		for _, it := range res.Items {
			seen[it.(file.Item).Name]++
		}
		state = res.State
	}
	if len(seen) != 5 {
		t.Errorf("saw %v, want 5 files once each", seen)
	}
	for n, k := range seen {
		if k != 1 {
			t.Errorf("%s seen %d times", n, k)
		}
	}
}
