// SPDX-License-Identifier: Apache-2.0

package server_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// upstream is a local service that records what it receives.
type upstream struct {
	*httptest.Server
	mu   sync.Mutex
	seen []http.Header
	path []string
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.seen = append(u.seen, r.Header.Clone())
		u.path = append(u.path, r.URL.Path)
		u.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"name":"Rex","path":"` + r.URL.Path + `"}`))
	}))
	t.Cleanup(u.Close)
	return u
}

// last returns the headers and path of the last request.
func (u *upstream) last(t *testing.T) (http.Header, string) {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.seen) == 0 {
		t.Fatal("the upstream received nothing")
	}
	return u.seen[len(u.seen)-1], u.path[len(u.path)-1]
}

// petsFolder is a Power Platform connector folder (as the PUT body) with an
// API-key security definition and a setheader policy.
func petsFolder(host string) string {
	return `{"apiDefinition": {"swagger": "2.0", "info": {"title": "Pets", "version": "1.0"},
  "host": "` + host + `", "basePath": "/", "schemes": ["http"],
  "securityDefinitions": {"api_key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}},
  "paths": {"/pets/{id}": {"get": {"operationId": "GetPet", "summary": "Get a pet",
    "parameters": [{"name": "id", "in": "path", "required": true, "type": "string"}],
    "responses": {"200": {"description": "ok", "schema": {"type": "object", "properties": {"name": {"type": "string"}}}}}}}}},
 "apiProperties": {"properties": {"connectionParameters": {"api_key": {"type": "securestring",
   "uiDefinition": {"displayName": "API key", "description": "The key", "tooltip": "The key", "constraints": {"required": "true"}}}},
  "policyTemplateInstances": [{"templateId": "setheader", "title": "tag calls", "parameters": {
   "x-ms-apimTemplateParameter.name": "X-Via", "x-ms-apimTemplateParameter.value": "junction",
   "x-ms-apimTemplateParameter.existsAction": "override", "x-ms-apimTemplate-policySection": "Request"}}]}}}`
}

// petFlow calls GetPet through the connection named by ref.
func petFlow(ref string) string {
	return `{"definition": {
 "triggers": {"manual": {"type": "Request", "kind": "Http"}},
 "actions": {
  "Get_pet": {"type": "ApiConnection", "runAfter": {}, "inputs": {
    "host": {"connection": {"referenceName": "` + ref + `"}},
    "method": "get", "path": "/pets/@{encodeURIComponent(triggerBody()?['id'])}"}},
  "Response": {"type": "Response", "runAfter": {"Get_pet": ["Succeeded"]},
   "inputs": {"statusCode": 200, "body": "@body('Get_pet')"}}}}, "kind": "Stateful"}`
}

const petsConnections = `{"managedApiConnections": {"petstore": {
  "api": {"id": "/subscriptions/s/providers/Microsoft.Web/locations/l/managedApis/pets"},
  "connection": {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Web/connections/petstore-1"},
  "connectionRuntimeUrl": "https://example.invalid/apim/pets/1",
  "authentication": {"type": "ManagedServiceIdentity"},
  "junction": {"connection": "pets-prod"}}}}`

// TestGatewayThroughServe drives connectors, connections and the gateway
// through a real junction serve: import a connector, create a connection,
// call it through invoke, the pass-through and a workflow, check 401, 403
// and 429, look for the secret everywhere, rotate the master key offline
// and call again after a restart.
func TestGatewayThroughServe(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	host := strings.TrimPrefix(up.URL, "http://")
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	secret := "sk_live_" + hex.EncodeToString(b)

	wfDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(wfDir, "connections.json"), []byte(petsConnections), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(wfDir, "petflow"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wfDir, "petflow", "workflow.json"), []byte(petFlow("petstore")), 0o600); err != nil {
		t.Fatal(err)
	}
	const adminKey = "jk_gateway-e2e-admin-key-0123456789"
	args := []string{"--workflows", wfDir, "--rate-per-connection", "20"}
	p := startServerIn(t, t.TempDir(), adminKey, args...)

	var mu sync.Mutex
	var answers []answer
	call := func(t *testing.T, method, path, key string, body any) answer {
		t.Helper()
		a := do(t, method, p.URL+path, key, body)
		mu.Lock()
		answers = append(answers, a)
		mu.Unlock()
		return a
	}
	want := func(t *testing.T, a answer, status int, what string) {
		t.Helper()
		if a.Status != status {
			t.Fatalf("%s: %d, want %d: %s", what, a.Status, status, a.Body)
		}
	}

	// Connector and connections.
	want(t, call(t, "PUT", "/api/connectors/pets", adminKey, petsFolder(host)), 201, "add connector")
	a := call(t, "GET", "/api/connectors", adminKey, nil)
	want(t, a, 200, "list connectors")
	if !strings.Contains(string(a.Body), `"id":"pets"`) || !strings.Contains(string(a.Body), `"builtin":true`) {
		t.Fatalf("connector list lacks pets or built-ins: %s", a.Body)
	}
	want(t, call(t, "PUT", "/api/connections/pets-prod", adminKey, map[string]any{"connector": "pets", "parameters": map[string]any{"api_key": secret}}), 201, "create connection")
	want(t, call(t, "PUT", "/api/connections/pets-throttle", adminKey, map[string]any{"connector": "pets", "parameters": map[string]any{"api_key": secret}}), 201, "create connection")
	want(t, call(t, "DELETE", "/api/connectors/pets", adminKey, nil), 409, "delete a connector in use")

	checkUpstream := func(t *testing.T, wantPath string) {
		t.Helper()
		h, path := up.last(t)
		if h.Get("X-Api-Key") != secret || h.Get("X-Via") != "junction" || path != wantPath {
			t.Fatalf("upstream saw path %s, key ok %v, X-Via %q", path, h.Get("X-Api-Key") == secret, h.Get("X-Via"))
		}
		if h.Get("Authorization") != "" {
			t.Fatal("the caller's Authorization header reached the upstream")
		}
	}
	invoke := func(t *testing.T, conn, id string) answer {
		return call(t, "POST", "/api/connections/"+conn+"/invoke/GetPet", adminKey, map[string]any{"parameters": map[string]any{"id": id}})
	}

	t.Run("invoke", func(t *testing.T) {
		a := invoke(t, "pets-prod", "7")
		want(t, a, 200, "invoke")
		if m := a.JSON(t); m["statusCode"] != float64(200) || !strings.Contains(string(a.Body), "Rex") {
			t.Fatalf("invoke answer %s", a.Body)
		}
		checkUpstream(t, "/pets/7")
	})
	t.Run("pass-through", func(t *testing.T) {
		a := call(t, "GET", "/apim/pets/pets-prod/pets/8", adminKey, nil)
		want(t, a, 200, "pass-through")
		checkUpstream(t, "/pets/8")
	})
	t.Run("workflow through connections.json", func(t *testing.T) {
		u := callbackURLOf(t, p, adminKey, "petflow")
		a := do(t, "POST", u, "", map[string]any{"id": "9"})
		mu.Lock()
		answers = append(answers, a)
		mu.Unlock()
		want(t, a, 200, "workflow")
		if !strings.Contains(string(a.Body), "Rex") {
			t.Fatalf("workflow answer %s", a.Body)
		}
		checkUpstream(t, "/pets/9")
		runID := a.Header.Get("x-ms-workflow-run-id")
		rec := call(t, "GET", "/api/workflows/petflow/runs/"+runID, adminKey, nil)
		want(t, rec, 200, "run record")
	})
	t.Run("workflow by server connection name", func(t *testing.T) {
		want(t, call(t, "PUT", "/api/workflows/petflow2", adminKey, petFlow("pets-prod")), 201, "deploy")
		u := callbackURLOf(t, p, adminKey, "petflow2")
		a := do(t, "POST", u, "", map[string]any{"id": "10"})
		mu.Lock()
		answers = append(answers, a)
		mu.Unlock()
		want(t, a, 200, "workflow")
		checkUpstream(t, "/pets/10")
	})
	t.Run("call log", func(t *testing.T) {
		a := call(t, "GET", "/api/connections/pets-prod/calls", adminKey, nil)
		want(t, a, 200, "calls")
		var calls struct {
			Value []struct {
				Operation, Caller string
				Status            int
			}
		}
		if err := json.Unmarshal(a.Body, &calls); err != nil {
			t.Fatal(err)
		}
		if len(calls.Value) < 4 {
			t.Fatalf("want 4 calls (invoke, pass-through, 2 workflows), got %s", a.Body)
		}
		h := call(t, "GET", "/api/connections/pets-prod", adminKey, nil)
		if !strings.Contains(string(h.Body), `"connected"`) {
			t.Fatalf("health: %s", h.Body)
		}
	})
	t.Run("401", func(t *testing.T) {
		for _, key := range []string{"", "jk_wrong"} {
			want(t, call(t, "POST", "/api/connections/pets-prod/invoke/GetPet", key, map[string]any{}), 401, "invoke without a key")
			want(t, call(t, "GET", "/apim/pets/pets-prod/pets/1", key, nil), 401, "pass-through without a key")
			want(t, call(t, "PUT", "/api/connectors/x", key, "{}"), 401, "connector without a key")
		}
	})
	t.Run("403", func(t *testing.T) {
		a := call(t, "POST", "/api/keys", adminKey, map[string]any{"name": "bob", "role": "user"})
		want(t, a, 201, "create key")
		bob, _ := a.JSON(t)["key"].(string)
		want(t, call(t, "POST", "/api/connections/pets-prod/invoke/GetPet", bob, map[string]any{"parameters": map[string]any{"id": "1"}}), 403, "bob invokes")
		want(t, call(t, "GET", "/apim/pets/pets-prod/pets/1", bob, nil), 403, "bob passes through")
		want(t, call(t, "PUT", "/api/connectors/x", bob, "{}"), 401, "bob adds a connector")
	})
	t.Run("429", func(t *testing.T) {
		var throttled answer
		for i := 0; i < 80 && throttled.Status == 0; i++ {
			if a := invoke(t, "pets-throttle", "1"); a.Status == 429 {
				throttled = a
			}
		}
		if throttled.Status != 429 || throttled.Header.Get("Retry-After") == "" {
			t.Fatalf("no 429 with Retry-After after 80 quick calls: %d", throttled.Status)
		}
	})
	t.Run("rotate refuses while serving", func(t *testing.T) {
		out, err := exec.Command(binary, "secrets", "rotate", "--data", p.Data).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "in use") {
			t.Fatalf("rotate while serving: %v %s", err, out)
		}
	})

	// Stop, rotate, restart: the connection still works.
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	oldKey, _ := os.ReadFile(filepath.Join(p.Data, "secret.key"))
	out, err := exec.Command(binary, "secrets", "rotate", "--data", p.Data).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "re-sealed 2 connections") {
		t.Fatalf("rotate: %v %s", err, out)
	}
	newKey, _ := os.ReadFile(filepath.Join(p.Data, "secret.key"))
	if bytes.Equal(oldKey, newKey) || len(newKey) == 0 {
		t.Fatal("the key file did not change")
	}
	logs := p.Log()
	q := startServerIn(t, p.Data, adminKey, args...)
	p = q
	a = invoke(t, "pets-prod", "11")
	want(t, a, 200, "invoke after rotation")
	checkUpstream(t, "/pets/11")
	a = call(t, "GET", "/api/connectors/pets", adminKey, nil)
	want(t, a, 200, "the connector survives a restart")

	// The secret is nowhere: data files, logs, answers.
	logs += q.Log()
	if strings.Contains(logs, secret) {
		t.Error("the secret is in the server log")
	}
	mu.Lock()
	for _, a := range answers {
		if bytes.Contains(a.Body, []byte(secret)) {
			t.Errorf("the secret is in an answer: %s", a.Body)
		}
		for k, v := range a.Header {
			if strings.Contains(strings.Join(v, " "), secret) {
				t.Errorf("the secret is in answer header %s", k)
			}
		}
	}
	mu.Unlock()
	err = filepath.WalkDir(p.Data, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("the secret is in clear in %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func callbackURLOf(t *testing.T, p *proc, key, name string) string {
	t.Helper()
	var u string
	deadline := time.Now().Add(20 * time.Second)
	for {
		a := do(t, "POST", p.URL+"/api/workflows/"+url.PathEscape(name)+"/triggers/manual/listCallbackUrl", key, nil)
		if a.Status == http.StatusOK {
			u, _ = a.JSON(t)["value"].(string)
			return u
		}
		if time.Now().After(deadline) {
			t.Fatalf("listCallbackUrl %s: %d %s", name, a.Status, a.Body)
		}
		time.Sleep(50 * time.Millisecond) // the folder sync deploys it
	}
}
