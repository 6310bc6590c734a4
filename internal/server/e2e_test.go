// SPDX-License-Identifier: Apache-2.0

package server_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const helloDef = `{"definition": {
 "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"schema": {
   "type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name"]}}}},
 "actions": {
  "Compose": {"type": "Compose", "inputs": "Hello @{triggerBody()?['name']}", "runAfter": {}},
  "Response": {"type": "Response", "kind": "Http", "runAfter": {"Compose": ["Succeeded"]},
   "inputs": {"statusCode": 201, "headers": {"X-Greeting": "yes"}, "body": {"msg": "@{outputs('Compose')}", "q": "@triggerOutputs()?['queries']?['lang']"}}}},
 "outputs": {}}, "kind": "Stateful"}`

// ordersDef answers GET /orders/{id} with the path parameter.
const ordersDef = `{"triggers": {"manual": {"type": "Manual", "inputs": {"method": "GET", "relativePath": "/orders/{id}"}}},
 "actions": {"Response": {"type": "Response", "runAfter": {},
   "inputs": {"statusCode": 200, "body": "order @{triggerOutputs()['relativePathParameters']['id']}"}}}}`

// asyncDef has no Response action.
const asyncDef = `{"triggers": {"manual": {"type": "Request", "kind": "Http"}},
 "actions": {"First": {"type": "Compose", "inputs": "@guid()", "runAfter": {}},
  "Second": {"type": "Compose", "inputs": "@concat(outputs('First'), '-', triggerBody()?['n'])", "runAfter": {"First": ["Succeeded"]}},
  "Secret": {"type": "Compose", "inputs": "s3cr3t-value-42", "runAfter": {"Second": ["Succeeded"]},
   "runtimeConfiguration": {"secureData": {"properties": ["inputs", "outputs"]}}}}}`

// slowDef reaches its Response only after a long wait.
const slowDef = `{"triggers": {"manual": {"type": "Request", "kind": "Http"}},
 "actions": {"Delay": {"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Hour"}}, "runAfter": {}},
  "Response": {"type": "Response", "inputs": {"statusCode": 200}, "runAfter": {"Delay": ["Succeeded"]}}}}`

// failDef fails before its Response.
const failDef = `{"triggers": {"manual": {"type": "Request", "kind": "Http"}},
 "actions": {"Stop": {"type": "Terminate", "inputs": {"runStatus": "Failed"}, "runAfter": {}},
  "Response": {"type": "Response", "inputs": {"statusCode": 200}, "runAfter": {"Stop": ["Succeeded"]}}}}`

func TestServer(t *testing.T) {
	p := startServer(t, "--response-timeout", "1500ms")
	for name, def := range map[string]string{"hello": helloDef, "orders": ordersDef, "async": asyncDef, "slow": slowDef, "fail": failDef} {
		p.deploy(t, name, def)
	}

	t.Run("keys", func(t *testing.T) {
		t.Parallel()
		fi, err := os.Stat(filepath.Join(p.Data, "admin-key.sha256"))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("admin key hash mode %v, want 0600", fi.Mode().Perm())
		}
		b, _ := os.ReadFile(filepath.Join(p.Data, "admin-key.sha256"))
		if strings.Contains(string(b), p.Key) {
			t.Error("the admin key is stored in clear")
		}
		fi, err = os.Stat(filepath.Join(p.Data, "signing-key"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("signing key: %v %v", err, fi)
		}
	})

	t.Run("management needs the admin key", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct{ name, method, path, key string }{
			{"no key list", "GET", "/api/workflows", ""},
			{"wrong key list", "GET", "/api/workflows", "jk_wrong"},
			{"no key get", "GET", "/api/workflows/hello", ""},
			{"wrong key put", "PUT", "/api/workflows/evil", "jk_wrong"},
			{"no key runs", "GET", "/api/workflows/hello/runs", ""},
			{"no key callback url", "POST", "/api/workflows/hello/triggers/manual/listCallbackUrl", ""},
			{"basic scheme", "GET", "/api/workflows", "Basic " + p.Key},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				var a answer
				if strings.HasPrefix(tc.key, "Basic ") {
					a = do(t, tc.method, p.URL+tc.path, "", asyncDef, "Authorization", tc.key)
				} else {
					a = do(t, tc.method, p.URL+tc.path, tc.key, nil)
				}
				if a.Status != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401: %s", a.Status, a.Body)
				}
				if ct := a.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("content type %q", ct)
				}
			})
		}
		if a := p.admin(t, "GET", "/api/workflows", nil); a.Status != http.StatusOK {
			t.Fatalf("with the key: %d %s", a.Status, a.Body)
		}
	})

	t.Run("signed invocation with synchronous response", func(t *testing.T) {
		t.Parallel()
		u := p.callbackURL(t, "hello", "manual")
		a := do(t, "POST", u+"&lang=en", "", map[string]any{"name": "Ada"})
		if a.Status != http.StatusCreated {
			t.Fatalf("status %d: %s", a.Status, a.Body)
		}
		if a.Header.Get("X-Greeting") != "yes" || a.Header.Get("x-ms-workflow-run-id") == "" || a.Header.Get("x-ms-workflow-name") != "hello" {
			t.Errorf("headers %v", a.Header)
		}
		m := a.JSON(t)
		if m["msg"] != "Hello Ada" || m["q"] != "en" {
			t.Errorf("body %s", a.Body)
		}
		rec := p.waitRun(t, "hello", a.Header.Get("x-ms-workflow-run-id"))
		outs := rec["trigger"].(map[string]any)["outputs"].(map[string]any)
		if qs, _ := outs["queries"].(map[string]any); qs["lang"] != "en" || qs["sig"] != nil {
			t.Errorf("trigger queries %v (the signature must not be kept)", outs["queries"])
		}
	})

	t.Run("signature", func(t *testing.T) {
		t.Parallel()
		u := p.callbackURL(t, "hello", "manual")
		parsed, _ := url.Parse(u)
		q := parsed.Query()
		other := p.callbackURL(t, "async", "manual")
		op, _ := url.Parse(other)
		for _, tc := range []struct{ name, mutate string }{
			{"missing sig", "nosig"}, {"wrong sig", "wrong"}, {"another workflow's sig", "other"}, {"wrong sp", "sp"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				qq := url.Values{}
				for k, v := range q {
					qq[k] = v
				}
				switch tc.mutate {
				case "nosig":
					qq.Del("sig")
				case "wrong":
					qq.Set("sig", "AAAA"+q.Get("sig")[4:])
				case "other":
					qq.Set("sig", op.Query().Get("sig"))
				case "sp":
					qq.Set("sp", "/triggers/other/run")
				}
				target := *parsed
				target.RawQuery = qq.Encode()
				a := do(t, "POST", target.String(), "", map[string]any{"name": "x"})
				if a.Status != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401: %s", a.Status, a.Body)
				}
			})
		}
	})

	t.Run("unsigned invocation starts nothing", func(t *testing.T) {
		t.Parallel()
		p.deploy(t, "guarded", asyncDef)
		u := p.callbackURL(t, "guarded", "manual")
		for _, target := range []string{
			p.URL + "/api/workflows/guarded/triggers/manual/invoke",
			u[:strings.Index(u, "&sig=")],
			u[:strings.Index(u, "&sig=")] + "&sig=" + strings.Repeat("A", 43),
		} {
			if a := do(t, "POST", target, "", map[string]any{}); a.Status != http.StatusUnauthorized {
				t.Fatalf("%s: status %d: %s", target, a.Status, a.Body)
			}
		}
		if n := runCount(t, p, "guarded"); n != 0 {
			t.Fatalf("%d runs started", n)
		}
	})

	t.Run("method and relative path", func(t *testing.T) {
		t.Parallel()
		cb := p.admin(t, "POST", "/api/workflows/orders/triggers/manual/listCallbackUrl", nil).JSON(t)
		if cb["method"] != "GET" || cb["relativePath"] != "/orders/{id}" {
			t.Fatalf("callback %v", cb)
		}
		u := strings.Replace(cb["value"].(string), "/orders/%7Bid%7D", "/orders/{id}", 1)
		u = strings.Replace(u, "{id}", "42", 1)
		a := do(t, "GET", u, "", nil)
		if a.Status != http.StatusOK || string(a.Body) != "order 42" {
			t.Fatalf("GET: %d %q", a.Status, a.Body)
		}
		a = do(t, "POST", u, "", map[string]any{})
		if a.Status != http.StatusMethodNotAllowed || a.Header.Get("Allow") != "GET" {
			t.Fatalf("POST: %d %v %s", a.Status, a.Header, a.Body)
		}
		a = do(t, "GET", strings.Replace(u, "/orders/42", "/customers/42", 1), "", nil)
		if a.Status != http.StatusNotFound {
			t.Fatalf("other path: %d %s", a.Status, a.Body)
		}
	})

	t.Run("schema-invalid body", func(t *testing.T) {
		t.Parallel()
		u := p.callbackURL(t, "hello", "manual")
		for _, tc := range []struct {
			name, body, path string
		}{
			{"missing property", `{"age": 3}`, "$"},
			{"wrong type", `{"name": "a", "age": "three"}`, "$.age"},
			{"not json", `{"name":`, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				a := do(t, "POST", u, "", tc.body)
				if a.Status != http.StatusBadRequest {
					t.Fatalf("status %d: %s", a.Status, a.Body)
				}
				pr := a.JSON(t)
				if pr["status"] != float64(400) || pr["type"] == "" || pr["title"] == "" {
					t.Errorf("problem %s", a.Body)
				}
				if tc.path != "" {
					errs, _ := pr["errors"].([]any)
					found := false
					for _, e := range errs {
						if e.(map[string]any)["path"] == tc.path {
							found = true
						}
					}
					if !found {
						t.Errorf("no error at %s: %s", tc.path, a.Body)
					}
				}
			})
		}
	})

	t.Run("no response action answers 202", func(t *testing.T) {
		t.Parallel()
		u := p.callbackURL(t, "async", "manual")
		a := do(t, "POST", u, "", map[string]any{"n": 1})
		if a.Status != http.StatusAccepted {
			t.Fatalf("status %d: %s", a.Status, a.Body)
		}
		id := a.Header.Get("x-ms-workflow-run-id")
		if id == "" || a.Header.Get("x-ms-tracking-id") == "" || a.Header.Get("x-ms-workflow-name") != "async" {
			t.Fatalf("headers %v", a.Header)
		}
		rec := p.waitRun(t, "async", id)
		if rec["status"] != "Succeeded" {
			t.Fatalf("run %v", rec)
		}
		raw := p.admin(t, "GET", "/api/workflows/async/runs/"+id, nil).Body
		if strings.Contains(string(raw), "s3cr3t-value-42") {
			t.Errorf("secure data shown in the run record: %s", raw)
		}
		if strings.Contains(p.Log(), "s3cr3t-value-42") {
			t.Error("secure data in the server log")
		}
	})

	t.Run("secure trigger outputs", func(t *testing.T) {
		t.Parallel()
		p.deploy(t, "secure", `{"triggers": {"manual": {"type": "Request", "kind": "Http",
		  "runtimeConfiguration": {"secureData": {"properties": ["outputs"]}}}},
		 "actions": {"Use": {"type": "Compose", "inputs": "@length(triggerBody()?['password'])", "runAfter": {}}}}`)
		a := do(t, "POST", p.callbackURL(t, "secure", "manual"), "", map[string]any{"password": "hunter2-secret"})
		if a.Status != http.StatusAccepted {
			t.Fatalf("%d %s", a.Status, a.Body)
		}
		rec := p.waitRun(t, "secure", a.Header.Get("x-ms-workflow-run-id"))
		if action(rec, "Use")["outputs"] != float64(len("hunter2-secret")) {
			t.Errorf("the run did not see the body: %v", action(rec, "Use"))
		}
		raw := p.admin(t, "GET", "/api/workflows/secure/runs/"+a.Header.Get("x-ms-workflow-run-id"), nil).Body
		if strings.Contains(string(raw), "hunter2") {
			t.Errorf("secure trigger outputs shown: %s", raw)
		}
		if strings.Contains(p.Log(), "hunter2") {
			t.Error("secure trigger outputs logged")
		}
	})

	t.Run("response timeout", func(t *testing.T) {
		t.Parallel()
		a := do(t, "POST", p.callbackURL(t, "slow", "manual"), "", map[string]any{})
		if a.Status != http.StatusBadGateway {
			t.Fatalf("status %d: %s", a.Status, a.Body)
		}
		if pr := a.JSON(t); pr["code"] != "ResponseTimeout" || !strings.Contains(pr["detail"].(string), "Response") {
			t.Errorf("problem %s", a.Body)
		}
		id := a.Header.Get("x-ms-workflow-run-id")
		if id == "" {
			t.Fatal("no run id")
		}
		// Cancel the parked run.
		c := p.admin(t, "POST", "/api/workflows/slow/runs/"+id+"/cancel", nil)
		if c.Status != http.StatusAccepted {
			t.Fatalf("cancel: %d %s", c.Status, c.Body)
		}
		if rec := p.waitRun(t, "slow", id); rec["status"] != "Cancelled" {
			t.Fatalf("after cancel: %v", rec["status"])
		}
		if c := p.admin(t, "POST", "/api/workflows/slow/runs/"+id+"/cancel", nil); c.Status != http.StatusConflict {
			t.Fatalf("second cancel: %d %s", c.Status, c.Body)
		}
	})

	t.Run("response before the run ends", func(t *testing.T) {
		t.Parallel()
		p.deploy(t, "early", `{"triggers": {"manual": {"type": "Request", "kind": "Http"}},
		 "actions": {"Response": {"type": "Response", "inputs": {"statusCode": 200, "body": "early"}, "runAfter": {}},
		  "Later": {"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Hour"}}, "runAfter": {"Response": ["Succeeded"]}}}}`)
		a := do(t, "POST", p.callbackURL(t, "early", "manual"), "", map[string]any{})
		if a.Status != http.StatusOK || string(a.Body) != "early" {
			t.Fatalf("%d %s", a.Status, a.Body)
		}
		id := a.Header.Get("x-ms-workflow-run-id")
		if rec := p.admin(t, "GET", "/api/workflows/early/runs/"+id, nil).JSON(t); rec["status"] != "Running" {
			t.Fatalf("run status %v, want Running", rec["status"])
		}
		p.admin(t, "POST", "/api/workflows/early/runs/"+id+"/cancel", nil)
		if rec := p.waitRun(t, "early", id); rec["status"] != "Cancelled" {
			t.Fatalf("after cancel %v", rec["status"])
		}
	})

	t.Run("run ends without response", func(t *testing.T) {
		t.Parallel()
		a := do(t, "POST", p.callbackURL(t, "fail", "manual"), "", map[string]any{})
		if a.Status != http.StatusBadGateway || a.JSON(t)["code"] != "NoResponse" {
			t.Fatalf("status %d: %s", a.Status, a.Body)
		}
	})

	t.Run("invalid definition", func(t *testing.T) {
		t.Parallel()
		bad := `{"triggers": {"manual": {"type": "Request", "kind": "Http"}},
		 "actions": {"A": {"type": "Compose", "inputs": 1, "runAfter": {"Missing": ["Succeeded"]}},
		  "B": {"type": "If", "expression": "@true", "runAfter": {"A": ["Sometimes"]}}}}`
		a := p.admin(t, "PUT", "/api/workflows/bad", bad)
		if a.Status != http.StatusBadRequest {
			t.Fatalf("status %d: %s", a.Status, a.Body)
		}
		pr := a.JSON(t)
		errs, _ := pr["errors"].([]any)
		if len(errs) < 2 {
			t.Fatalf("want every problem: %s", a.Body)
		}
		for _, e := range errs {
			em := e.(map[string]any)
			if !strings.HasPrefix(em["path"].(string), "$.actions.") || em["message"] == "" {
				t.Errorf("problem entry %v", em)
			}
		}
		if g := p.admin(t, "GET", "/api/workflows/bad", nil); g.Status != http.StatusNotFound {
			t.Errorf("an invalid definition was deployed: %d", g.Status)
		}
		if a := p.admin(t, "PUT", "/api/workflows/bad", `{"triggers": `); a.Status != http.StatusBadRequest || a.JSON(t)["code"] != "InvalidJSON" {
			t.Errorf("syntax error: %d %s", a.Status, a.Body)
		}
	})

	t.Run("workflow lifecycle", func(t *testing.T) {
		t.Parallel()
		p.deploy(t, "life", asyncDef)
		g := p.admin(t, "GET", "/api/workflows/life", nil).JSON(t)
		if g["name"] != "life" || g["enabled"] != true || g["definition"] == nil || g["version"] == "" {
			t.Fatalf("get %v", g)
		}
		u := p.callbackURL(t, "life", "manual")
		if a := p.admin(t, "POST", "/api/workflows/life/disable", nil); a.Status != http.StatusOK {
			t.Fatalf("disable %d %s", a.Status, a.Body)
		}
		if a := do(t, "POST", u, "", map[string]any{}); a.Status != http.StatusConflict {
			t.Fatalf("disabled invoke %d %s", a.Status, a.Body)
		}
		p.admin(t, "POST", "/api/workflows/life/enable", nil)
		if a := do(t, "POST", u, "", map[string]any{}); a.Status != http.StatusAccepted {
			t.Fatalf("enabled invoke %d %s", a.Status, a.Body)
		}
		list := p.admin(t, "GET", "/api/workflows", nil).JSON(t)["value"].([]any)
		found := false
		for _, w := range list {
			found = found || w.(map[string]any)["name"] == "life"
		}
		if !found {
			t.Fatal("life not listed")
		}
		if a := p.admin(t, "DELETE", "/api/workflows/life", nil); a.Status != http.StatusNoContent {
			t.Fatalf("delete %d %s", a.Status, a.Body)
		}
		if a := do(t, "POST", u, "", map[string]any{}); a.Status != http.StatusNotFound {
			t.Fatalf("deleted invoke %d %s", a.Status, a.Body)
		}
	})

	t.Run("runs paging, resubmit and histories", func(t *testing.T) {
		t.Parallel()
		p.deploy(t, "paged", asyncDef)
		const n = 5
		ids := map[string]bool{}
		for i := range n {
			a := p.admin(t, "POST", "/api/workflows/paged/triggers/manual/run", map[string]any{"n": i})
			if a.Status != http.StatusAccepted {
				t.Fatalf("run: %d %s", a.Status, a.Body)
			}
			id := a.Header.Get("x-ms-workflow-run-id")
			ids[id] = true
			p.waitRun(t, "paged", id)
		}
		seen := map[string]bool{}
		next := p.URL + "/api/workflows/paged/runs?top=2"
		pages := 0
		for next != "" {
			pages++
			if pages > 10 {
				t.Fatal("paging does not end")
			}
			page := do(t, "GET", next, p.Key, nil).JSON(t)
			for _, v := range page["value"].([]any) {
				vm := v.(map[string]any)
				if vm["status"] != "Succeeded" || vm["startTime"] == nil || vm["endTime"] == nil {
					t.Errorf("entry %v", vm)
				}
				seen[vm["id"].(string)] = true
			}
			next, _ = page["nextLink"].(string)
		}
		if len(seen) != n || pages < 3 {
			t.Fatalf("saw %d runs in %d pages", len(seen), pages)
		}
		if a := p.admin(t, "GET", "/api/workflows/paged/runs?status=Failed", nil); len(a.JSON(t)["value"].([]any)) != 0 {
			t.Errorf("status filter: %s", a.Body)
		}
		if a := p.admin(t, "GET", "/api/workflows/paged/runs?top=0", nil); a.Status != http.StatusBadRequest {
			t.Errorf("top=0: %d", a.Status)
		}
		if a := p.admin(t, "GET", "/api/workflows/paged/runs?%24skiptoken=garbage", nil); a.Status != http.StatusBadRequest {
			t.Errorf("bad token: %d", a.Status)
		}
		h := p.admin(t, "GET", "/api/workflows/paged/triggers/manual/histories", nil).JSON(t)
		if len(h["value"].([]any)) != n {
			t.Errorf("histories %v", h)
		}

		var orig string
		for id := range ids {
			orig = id
			break
		}
		origRec := p.waitRun(t, "paged", orig)
		first := action(origRec, "First")["outputs"]

		// Whole run: same trigger outputs, new guid.
		a := p.admin(t, "POST", "/api/workflows/paged/runs/"+orig+"/resubmit", nil)
		if a.Status != http.StatusAccepted {
			t.Fatalf("resubmit %d %s", a.Status, a.Body)
		}
		whole := p.waitRun(t, "paged", a.JSON(t)["id"].(string))
		if whole["status"] != "Succeeded" || action(whole, "First")["outputs"] == first {
			t.Errorf("whole resubmission %v", whole)
		}
		if tb := whole["trigger"].(map[string]any)["outputs"].(map[string]any)["body"]; tb.(map[string]any)["n"] != origRec["trigger"].(map[string]any)["outputs"].(map[string]any)["body"].(map[string]any)["n"] {
			t.Errorf("trigger outputs differ: %v", tb)
		}
		if rf := whole["resubmittedFrom"].(map[string]any); rf["runId"] != orig {
			t.Errorf("link %v", rf)
		}

		// From Second: First keeps its outputs.
		for _, path := range []string{"/runs/" + orig + "/resubmit", "/runs/" + orig + "/actions/Second/resubmit"} {
			var body any
			if strings.HasSuffix(path, "/runs/"+orig+"/resubmit") {
				body = map[string]any{"fromAction": "Second"}
			}
			a = p.admin(t, "POST", "/api/workflows/paged"+path, body)
			if a.Status != http.StatusAccepted {
				t.Fatalf("resubmit from action %d %s", a.Status, a.Body)
			}
			rec := p.waitRun(t, "paged", a.JSON(t)["id"].(string))
			if rec["status"] != "Succeeded" || action(rec, "First")["outputs"] != first {
				t.Errorf("First re-ran: %v vs %v", action(rec, "First")["outputs"], first)
			}
			if action(rec, "Second")["outputs"] != action(origRec, "Second")["outputs"] {
				t.Errorf("Second gave %v, want %v", action(rec, "Second")["outputs"], action(origRec, "Second")["outputs"])
			}
			if action(rec, "Second")["startTime"] == action(origRec, "Second")["startTime"] {
				t.Error("Second did not run again")
			}
			if rf := rec["resubmittedFrom"].(map[string]any); rf["fromAction"] != "Second" {
				t.Errorf("link %v", rf)
			}
		}
		if a := p.admin(t, "POST", "/api/workflows/paged/runs/"+orig+"/actions/Nope/resubmit", nil); a.Status != http.StatusBadRequest {
			t.Errorf("unknown action %d %s", a.Status, a.Body)
		}
		if a := p.admin(t, "GET", "/api/workflows/paged/runs/"+orig+"/actions/First/repetitions", nil); a.Status != http.StatusBadRequest {
			t.Errorf("repetitions of a non-loop action %d %s", a.Status, a.Body)
		}
		if a := p.admin(t, "GET", "/api/workflows/hello/runs/"+orig, nil); a.Status != http.StatusNotFound {
			t.Errorf("run of another workflow %d", a.Status)
		}
	})
}

func action(rec map[string]any, name string) map[string]any {
	return rec["actions"].(map[string]any)[name].(map[string]any)
}

func runCount(t testing.TB, p *proc, name string) int {
	t.Helper()
	a := p.admin(t, "GET", "/api/workflows/"+name+"/runs?top=250", nil)
	if a.Status != http.StatusOK {
		t.Fatalf("runs: %d %s", a.Status, a.Body)
	}
	return len(a.JSON(t)["value"].([]any))
}

func TestRepetitions(t *testing.T) {
	t.Parallel()
	p := startServer(t)
	p.deploy(t, "loop", `{"triggers": {"manual": {"type": "Request", "kind": "Http"}},
	 "actions": {"Each": {"type": "Foreach", "foreach": "@createArray(1,2,3)", "runAfter": {},
	   "actions": {"Item": {"type": "Compose", "inputs": "@mul(items('Each'), 10)", "runAfter": {}}}}}}`)
	a := p.admin(t, "POST", "/api/workflows/loop/triggers/manual/run", nil)
	id := a.Header.Get("x-ms-workflow-run-id")
	p.waitRun(t, "loop", id)
	reps := p.admin(t, "GET", "/api/workflows/loop/runs/"+id+"/actions/Item/repetitions", nil)
	if reps.Status != http.StatusOK {
		t.Fatalf("%d %s", reps.Status, reps.Body)
	}
	if v := reps.JSON(t)["value"].([]any); len(v) != 3 {
		t.Fatalf("repetitions %s", reps.Body)
	}
}

func TestShutdown(t *testing.T) {
	t.Parallel()
	p := startServer(t)
	p.deploy(t, "w", asyncDef)
	if a := do(t, "POST", p.callbackURL(t, "w", "manual"), "", map[string]any{}); a.Status != http.StatusAccepted {
		t.Fatalf("invoke %d", a.Status)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	if p.err != nil {
		t.Fatalf("exit: %v\n%s", p.err, p.Log())
	}
	if !strings.Contains(p.Log(), "stopped") {
		t.Errorf("log: %s", p.Log())
	}
	// The data survives: a new server on the same directory has the workflow.
	q := startServerIn(t, p.Data, "k-test-0123456789")
	if a := do(t, "GET", q.URL+"/api/workflows/w", "k-test-0123456789", nil); a.Status != http.StatusOK {
		t.Fatalf("after restart %d %s", a.Status, a.Body)
	}
}

func TestWorkflowsFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("greet/workflow.json", `{"definition": {"parameters": {"greeting": {"type": "String"}},
	 "triggers": {"manual": {"type": "Request", "kind": "Http"}},
	 "actions": {"Response": {"type": "Response", "inputs": {"statusCode": 200, "body": "@parameters('greeting')"}, "runAfter": {}}}}, "kind": "Stateful"}`)
	write("parameters.json", `{"greeting": {"type": "String", "value": "hi"}}`)
	p := startServer(t, "--workflows", dir)
	a := do(t, "POST", p.callbackURL(t, "greet", "manual"), "", map[string]any{})
	if a.Status != http.StatusOK || string(a.Body) != "hi" {
		t.Fatalf("%d %q", a.Status, a.Body)
	}
	write("other/workflow.json", asyncDef)
	deadline := time.Now().Add(20 * time.Second)
	for p.admin(t, "GET", "/api/workflows/other", nil).Status != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("new workflow not picked up")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := os.RemoveAll(filepath.Join(dir, "other")); err != nil {
		t.Fatal(err)
	}
	for p.admin(t, "GET", "/api/workflows/other", nil).Status != http.StatusNotFound {
		if time.Now().After(deadline) {
			t.Fatal("removed workflow still deployed")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
