// SPDX-License-Identifier: Apache-2.0

package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the junction binary built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "junction-server-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "junction")
	out, err := exec.Command("go", "build", "-o", binary, "github.com/junction-run/junction/cmd/junction").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building junction: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running `junction serve`.
type proc struct {
	cmd  *exec.Cmd
	URL  string
	Key  string
	Data string
	mu   sync.Mutex
	log  bytes.Buffer
	done chan struct{}
	err  error
}

// Log returns what the server wrote to stderr so far.
func (p *proc) Log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

var (
	listenRE = regexp.MustCompile(`listening on (http://\S+)`)
	keyRE    = regexp.MustCompile(`admin key .*: (jk_\S+)`)
)

// startServer starts `junction serve` on a free loopback port with a new
// data directory and waits until it prints its address and admin key.
func startServer(t testing.TB, args ...string) *proc {
	t.Helper()
	return startServerIn(t, t.TempDir(), "", args...)
}

// startServerIn starts `junction serve` on data directory data; a non-empty
// adminKey is passed as JUNCTION_ADMIN_KEY.
func startServerIn(t testing.TB, data, adminKey string, args ...string) *proc {
	t.Helper()
	p := &proc{Data: data, Key: adminKey, done: make(chan struct{})}
	all := append([]string{"serve", "--listen", "127.0.0.1:0", "--data", p.Data, "--log-level", "debug"}, args...)
	p.cmd = exec.Command(binary, all...)
	p.cmd.Env = append(os.Environ(), "JUNCTION_ADMIN_KEY="+adminKey)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.log.WriteString(line + "\n")
			if m := listenRE.FindStringSubmatch(line); m != nil {
				p.URL = m[1]
			}
			if m := keyRE.FindStringSubmatch(line); m != nil {
				p.Key = m[1]
			}
			if !signalled && p.URL != "" && p.Key != "" {
				signalled = true
				close(ready)
			}
			p.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, stderr)
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	select {
	case <-ready:
	case <-p.done:
		t.Fatalf("junction serve exited: %v\n%s", p.err, p.Log())
	case <-time.After(60 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Fatalf("junction serve did not start in time\n%s", p.Log())
	}
	t.Cleanup(func() {
		select {
		case <-p.done:
			return
		default:
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("server log:\n%s", p.Log())
		}
	})
	return p
}

// answer is a decoded HTTP answer.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (a answer) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.Body, &m); err != nil {
		t.Fatalf("answer %d is not a JSON object: %v\n%s", a.Status, err, a.Body)
	}
	return m
}

var client = &http.Client{Timeout: 60 * time.Second}

// do sends a request; key "" sends no Authorization header.
func do(t testing.TB, method, url, key string, body any, hdr ...string) answer {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// admin calls a management endpoint with the admin key.
func (p *proc) admin(t testing.TB, method, path string, body any) answer {
	t.Helper()
	return do(t, method, p.URL+path, p.Key, body)
}

// deploy PUTs a definition and fails the test unless it is accepted.
func (p *proc) deploy(t testing.TB, name, definition string) {
	t.Helper()
	a := p.admin(t, "PUT", "/api/workflows/"+name, definition)
	if a.Status != http.StatusCreated && a.Status != http.StatusOK {
		t.Fatalf("deploying %s: %d %s", name, a.Status, a.Body)
	}
}

// callbackURL returns the signed URL of a trigger.
func (p *proc) callbackURL(t testing.TB, name, trigger string) string {
	t.Helper()
	a := p.admin(t, "POST", "/api/workflows/"+name+"/triggers/"+trigger+"/listCallbackUrl", nil)
	if a.Status != http.StatusOK {
		t.Fatalf("listCallbackUrl: %d %s", a.Status, a.Body)
	}
	u, _ := a.JSON(t)["value"].(string)
	if u == "" {
		t.Fatalf("listCallbackUrl gave no value: %s", a.Body)
	}
	return u
}

// waitRun polls a run until its status is final and returns its record.
func (p *proc) waitRun(t testing.TB, name, id string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		a := p.admin(t, "GET", "/api/workflows/"+name+"/runs/"+id, nil)
		if a.Status != http.StatusOK {
			t.Fatalf("get run %s: %d %s", id, a.Status, a.Body)
		}
		rec := a.JSON(t)
		if st, _ := rec["status"].(string); st != "Running" {
			return rec
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s still running: %s", id, a.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
