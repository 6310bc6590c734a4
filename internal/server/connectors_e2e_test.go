// SPDX-License-Identifier: Apache-2.0

package server_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/rabbitmq/amqp091-go"

	"github.com/junction-run/junction/internal/testserver"
)

// TestConnectorWorkflowsThroughServe deploys workflows that use every
// built-in connector through server connections of a real junction serve,
// against the real test servers:
//
//	(a) a file on SFTP → sftp OnUpdatedFile → blob CreateBlob + smtp SendEmail
//	(e) that email (Postfix → Dovecot) → imap OnNewEmail and pop3 OnNewEmail
//	(b) a PostgreSQL row (sql PostItem) → sql OnNewItems → amqp SendMessage
//	(c) a file on FTP → ftp OnUpdatedFile (afterRead delete) → file CreateFile
//	(d) a RabbitMQ message → amqp OnMessage (Listener) → file CreateFile
func TestConnectorWorkflowsThroughServe(t *testing.T) {
	t.Parallel()
	env := map[string]string{}
	for _, s := range []string{"sftp", "ftp", "imap", "pop3", "smtp", "s3", "amqp", "postgres"} {
		for k, v := range testserver.Require(t, s) {
			env[k] = v
		}
	}
	tok := token()
	ctx := context.Background()
	p := startServer(t)

	// Server connections of the nine built-in connectors.
	host, port := splitAddr(t, env["JUNCTION_TEST_SFTP_ADDR"])
	hostKey, err := os.ReadFile(env["JUNCTION_TEST_SFTP_HOST_KEY"])
	if err != nil {
		t.Fatal(err)
	}
	ftpHost, ftpPort := splitAddr(t, env["JUNCTION_TEST_FTP_ADDR"])
	smtpHost, smtpPort := splitAddr(t, env["JUNCTION_TEST_SMTP_ADDR"])
	imapHost, imapPort := splitAddr(t, env["JUNCTION_TEST_IMAP_ADDR"])
	popHost, popPort := splitAddr(t, env["JUNCTION_TEST_POP3_ADDR"])
	outDir := t.TempDir()
	conns := map[string]map[string]any{
		"e2e-sftp": {"connector": "sftp", "parameters": map[string]any{"host": host, "port": port,
			"username": env["JUNCTION_TEST_SFTP_USER"], "password": env["JUNCTION_TEST_SFTP_PASSWORD"], "hostKey": strings.TrimSpace(string(hostKey))}},
		"e2e-ftp": {"connector": "ftp", "parameters": map[string]any{"host": ftpHost, "port": ftpPort,
			"username": env["JUNCTION_TEST_FTP_USER"], "password": env["JUNCTION_TEST_FTP_PASSWORD"]}},
		"e2e-file": {"connector": "file", "parameters": map[string]any{"rootFolder": outDir}},
		"e2e-sql":  {"connector": "sql", "parameters": map[string]any{"driver": "postgres", "connectionString": env["JUNCTION_TEST_PG_DSN"]}},
		"e2e-smtp": {"connector": "smtp", "parameters": map[string]any{"host": smtpHost, "port": smtpPort, "security": "none", "from": "junction-e2e@example.test"}},
		"e2e-imap": {"connector": "imap", "parameters": map[string]any{"host": imapHost, "port": imapPort, "security": "none",
			"username": env["JUNCTION_TEST_MAIL_USER"], "password": env["JUNCTION_TEST_MAIL_PASSWORD"]}},
		"e2e-pop3": {"connector": "pop3", "parameters": map[string]any{"host": popHost, "port": popPort, "security": "none",
			"username": env["JUNCTION_TEST_MAIL_USER"], "password": env["JUNCTION_TEST_MAIL_PASSWORD"]}},
		"e2e-s3": {"connector": "blob", "parameters": map[string]any{"endpoint": env["JUNCTION_TEST_S3_ENDPOINT"], "region": env["JUNCTION_TEST_S3_REGION"],
			"accessKey": env["JUNCTION_TEST_S3_ACCESS_KEY"], "secretKey": env["JUNCTION_TEST_S3_SECRET_KEY"], "pathStyle": true}},
		"e2e-amqp": {"connector": "amqp", "parameters": map[string]any{"url": env["JUNCTION_TEST_AMQP_URL"]}},
	}
	for name, body := range conns {
		if a := p.admin(t, "PUT", "/api/connections/"+name, body); a.Status != http.StatusCreated && a.Status != http.StatusOK {
			t.Fatalf("creating connection %s: %d %s", name, a.Status, a.Body)
		}
	}

	// Fixtures the workflows need: a bucket, two queues, a table, folders.
	bucket := "e2e-" + tok
	mc := minioClient(t, env)
	if err := mc.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: env["JUNCTION_TEST_S3_REGION"]}); err != nil {
		t.Fatalf("creating bucket: %v", err)
	}
	t.Cleanup(func() {
		for o := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
			_ = mc.RemoveObject(ctx, bucket, o.Key, minio.RemoveObjectOptions{})
		}
		_ = mc.RemoveBucket(ctx, bucket)
	})
	ch := rabbitChannel(t, env["JUNCTION_TEST_AMQP_URL"])
	outQ, inQ := "e2e-out-"+tok, "e2e-in-"+tok
	for _, q := range []string{outQ, inQ} {
		if _, err := ch.QueueDeclare(q, false, false, false, false, nil); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = ch.QueueDelete(q, false, false, false) })
	}
	table := "e2e_" + tok
	p.invoke(t, "e2e-sql", "ExecutePassThroughNativeQuery", nil, map[string]any{"query": "CREATE TABLE " + table + " (id serial PRIMARY KEY, name text NOT NULL)"})
	t.Cleanup(func() {
		p.invoke(t, "e2e-sql", "ExecutePassThroughNativeQuery", nil, map[string]any{"query": "DROP TABLE IF EXISTS " + table})
	})
	sftpDir, ftpDir := "/e2e-"+tok, "/e2e-"+tok
	p.invoke(t, "e2e-sftp", "CreateFile", map[string]any{"folderPath": sftpDir, "name": "seed.txt"}, "seed")
	p.invoke(t, "e2e-ftp", "CreateFile", map[string]any{"folderPath": ftpDir, "name": "seed.txt"}, "seed")
	t.Cleanup(func() {
		for _, c := range []string{"e2e-sftp", "e2e-ftp"} {
			for _, f := range []string{"seed.txt", "order.txt", "prices.csv"} {
				_, _ = p.tryInvoke(t, c, "DeleteFile", map[string]any{"id": sftpDir + "/" + f}, nil)
			}
		}
	})

	subject := "e2e " + tok + " order.txt"
	const second = `"recurrence": {"frequency": "Second", "interval": 1}`
	polling := func(conn, path string, queries map[string]any) string {
		q, _ := json.Marshal(queries)
		return `"type": "ApiConnection", ` + second + `, "splitOn": "@triggerBody()",
			"inputs": {"host": {"connection": {"referenceName": "` + conn + `"}}, "method": "get", "path": "` + path + `", "queries": ` + string(q) + `}`
	}
	action := func(conn, method, path string, queries map[string]any, body string, after string) string {
		q, _ := json.Marshal(queries)
		ra := `{}`
		if after != "" {
			ra = `{"` + after + `": ["Succeeded"]}`
		}
		return `{"type": "ApiConnection", "inputs": {"host": {"connection": {"referenceName": "` + conn + `"}}, "method": "` + method + `", "path": "` + path + `", "queries": ` + string(q) + `, "body": ` + body + `}, "runAfter": ` + ra + `}`
	}

	// (e) mail → imap and pop3 triggers; deployed (and baselined) first.
	p.deploy(t, "e2e-imap", `{"triggers": {"mail": {`+polling("e2e-imap", "/Mail/OnNewEmail", map[string]any{"folder": "INBOX", "subjectContains": tok})+`}},
		"actions": {"C": {"type": "Compose", "inputs": "@triggerBody()?['subject']", "runAfter": {}}}}`)
	p.deploy(t, "e2e-pop3", `{"triggers": {"mail": {`+polling("e2e-pop3", "/Mail/OnNewEmail", map[string]any{"subjectContains": tok})+`}},
		"actions": {"C": {"type": "Compose", "inputs": "@triggerBody()?['subject']", "runAfter": {}}}}`)
	// (a) sftp → blob + smtp.
	p.deploy(t, "e2e-sftp", `{"triggers": {"file": {`+polling("e2e-sftp", "/datasets/default/triggers/onupdatedfile", map[string]any{"folderId": sftpDir, "includeFileContent": true})+`}},
		"actions": {
			"Put_blob": `+action("e2e-s3", "post", "/datasets/default/containers/@{encodeURIComponent('"+bucket+"')}/blobs",
		map[string]any{"blob": "in/@{triggerBody()?['Name']}"}, `"@triggerBody()?['Content']"`, "")+`,
			"Mail": `+action("e2e-smtp", "post", "/SendEmail", map[string]any{},
		`{"to": "`+env["JUNCTION_TEST_SMTP_RCPT"]+`", "subject": "e2e `+tok+` @{triggerBody()?['Name']}", "body": "stored as @{body('Put_blob')?['Name']}"}`, "Put_blob")+`}}`)
	// (b) sql → amqp.
	p.deploy(t, "e2e-sql", `{"triggers": {"row": {`+polling("e2e-sql", "/tables/@{encodeURIComponent('public."+table+"')}/onnewitems", map[string]any{})+`}},
		"actions": {"Send": `+action("e2e-amqp", "post", "/messages", map[string]any{"queue": outQ, "messageId": "row-@{triggerBody()?['id']}"}, `"@triggerBody()"`, "")+`}}`)
	// (c) ftp → file.
	p.deploy(t, "e2e-ftp", `{"triggers": {"file": {`+polling("e2e-ftp", "/datasets/default/triggers/onupdatedfile", map[string]any{"folderId": ftpDir, "afterRead": "delete"})+`}},
		"actions": {"Copy": `+action("e2e-file", "post", "/datasets/default/files", map[string]any{"folderPath": "/from-ftp", "name": "@{triggerBody()?['Name']}", "overwrite": true}, `"@triggerBody()?['Content']"`, "")+`}}`)
	// (d) amqp OnMessage (a Listener, no recurrence) → file.
	p.deploy(t, "e2e-amqp", `{"triggers": {"msg": {"type": "ApiConnection",
			"inputs": {"host": {"connection": {"referenceName": "e2e-amqp"}}, "method": "get", "path": "/queues/@{encodeURIComponent('`+inQ+`')}/messages/trigger"}}},
		"actions": {"Write": `+action("e2e-file", "post", "/datasets/default/files", map[string]any{"folderPath": "/from-amqp", "name": "@{triggerBody()?['MessageId']}.txt"}, `"@triggerBody()?['Content']"`, "")+`}}`)

	// The first poll of these triggers only records what is there: poll
	// each once now so that what the test adds next is new.
	for _, wf := range []string{"e2e-imap", "e2e-pop3", "e2e-sftp", "e2e-sql", "e2e-ftp"} {
		trigger := map[string]string{"e2e-imap": "mail", "e2e-pop3": "mail", "e2e-sftp": "file", "e2e-sql": "row", "e2e-ftp": "file"}[wf]
		if a := p.admin(t, "POST", "/api/workflows/"+wf+"/triggers/"+trigger+"/run", nil); a.Status != http.StatusAccepted && a.Status != http.StatusOK {
			t.Fatalf("baseline poll of %s: %d %s", wf, a.Status, a.Body)
		}
	}

	// The events.
	p.invoke(t, "e2e-sftp", "CreateFile", map[string]any{"folderPath": sftpDir, "name": "order.txt"}, "order 42 from sftp")
	p.invoke(t, "e2e-sql", "PostItem", map[string]any{"table": "public." + table}, map[string]any{"name": "first"})
	p.invoke(t, "e2e-sql", "PostItem", map[string]any{"table": "public." + table}, map[string]any{"name": "second"})
	p.invoke(t, "e2e-ftp", "CreateFile", map[string]any{"folderPath": ftpDir, "name": "prices.csv"}, "sku,price\nA,1\n")
	for i := range 3 {
		if err := ch.PublishWithContext(ctx, "", inQ, false, false, amqp091.Publishing{MessageId: "m" + strconv.Itoa(i), Body: []byte("message " + strconv.Itoa(i))}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("a: sftp file to blob and email (sftp, blob, smtp)", func(t *testing.T) {
		p.waitRuns(t, "e2e-sftp", 1)
		obj, err := mc.GetObject(ctx, bucket, "in/order.txt", minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Close()
		b, err := io.ReadAll(obj)
		if err != nil || string(b) != "order 42 from sftp" {
			t.Fatalf("blob content %q, %v", b, err)
		}
	})
	t.Run("e: the email fires imap and pop3 triggers (imap, pop3)", func(t *testing.T) {
		for _, wf := range []string{"e2e-imap", "e2e-pop3"} {
			rec := p.waitRuns(t, wf, 1)[0]
			if got := composeOutput(rec); got != subject {
				t.Errorf("%s: run saw subject %q, want %q", wf, got, subject)
			}
		}
	})
	t.Run("b: sql rows to amqp messages (sql, amqp)", func(t *testing.T) {
		p.waitRuns(t, "e2e-sql", 2)
		got := map[string]string{}
		deadline := time.Now().Add(20 * time.Second)
		for len(got) < 2 {
			d, ok, err := ch.Get(outQ, true)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				got[d.MessageId] = string(d.Body)
				continue
			}
			if time.Now().After(deadline) {
				t.Fatalf("messages %v, want 2", got)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if !strings.Contains(got["row-1"], `"first"`) || !strings.Contains(got["row-2"], `"second"`) {
			t.Fatalf("messages %v", got)
		}
	})
	t.Run("c: ftp file copied with the file connector (ftp, file)", func(t *testing.T) {
		p.waitRuns(t, "e2e-ftp", 1)
		b, err := os.ReadFile(filepath.Join(outDir, "from-ftp", "prices.csv"))
		if err != nil || string(b) != "sku,price\nA,1\n" {
			t.Fatalf("copied file %q, %v", b, err)
		}
		// afterRead: delete runs through the server connection's Cleanup
		// once the run is stored.
		deadline := time.Now().Add(20 * time.Second)
		for {
			st, b := p.tryInvoke(t, "e2e-ftp", "GetFileMetadata", map[string]any{"id": ftpDir + "/prices.csv"}, nil)
			if st == http.StatusNotFound {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the FTP file is still there after its run: %d %s", st, b)
			}
			time.Sleep(100 * time.Millisecond)
		}
		// The trigger's polls and its clean-up went through the gateway:
		// they are in the connection's call log, made by the workflow's
		// principal.
		a := p.admin(t, "GET", "/api/connections/e2e-ftp/calls?limit=1000", nil)
		var calls struct {
			Value []struct {
				Operation, Caller string
				Status            int
			} `json:"value"`
		}
		if err := json.Unmarshal(a.Body, &calls); err != nil {
			t.Fatalf("calls: %d %s", a.Status, a.Body)
		}
		seen := map[string]bool{}
		for _, c := range calls.Value {
			if c.Caller == "admin" && c.Status == http.StatusOK {
				seen[c.Operation] = true
			}
		}
		if !seen["OnUpdatedFile"] || !seen["OnUpdatedFile (cleanup)"] {
			t.Fatalf("the call log has no poll or no clean-up of the trigger: %s", a.Body)
		}
	})
	t.Run("d: amqp messages through the listener trigger to files (amqp, file)", func(t *testing.T) {
		p.waitRuns(t, "e2e-amqp", 3)
		for i := range 3 {
			b, err := os.ReadFile(filepath.Join(outDir, "from-amqp", "m"+strconv.Itoa(i)+".txt"))
			if err != nil || string(b) != "message "+strconv.Itoa(i) {
				t.Fatalf("file of m%d: %q, %v", i, b, err)
			}
		}
		st, err := ch.QueueDeclarePassive(inQ, false, false, false, false, nil)
		if err != nil || st.Messages != 0 {
			t.Fatalf("queue %s after the runs: %+v %v (want every message acked)", inQ, st, err)
		}
	})
}

func token() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x", b)
}

func splitAddr(t testing.TB, addr string) (string, int) {
	t.Helper()
	i := strings.LastIndexByte(addr, ':')
	port, err := strconv.Atoi(addr[i+1:])
	if i < 0 || err != nil {
		t.Fatalf("bad address %q", addr)
	}
	return addr[:i], port
}

func minioClient(t testing.TB, env map[string]string) *minio.Client {
	t.Helper()
	u, err := url.Parse(env["JUNCTION_TEST_S3_ENDPOINT"])
	if err != nil {
		t.Fatal(err)
	}
	mc, err := minio.New(u.Host, &minio.Options{Creds: credentials.NewStaticV4(env["JUNCTION_TEST_S3_ACCESS_KEY"], env["JUNCTION_TEST_S3_SECRET_KEY"], ""),
		Secure: u.Scheme == "https", Region: env["JUNCTION_TEST_S3_REGION"], BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	return mc
}

func rabbitChannel(t testing.TB, u string) *amqp091.Channel {
	t.Helper()
	c, err := amqp091.Dial(u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ch, err := c.Channel()
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// tryInvoke calls an operation of a server connection through the gateway
// and returns the operation's status and body.
func (p *proc) tryInvoke(t testing.TB, conn, op string, params map[string]any, body any) (int, json.RawMessage) {
	t.Helper()
	req := map[string]any{"parameters": params}
	if body != nil {
		req["body"] = body
	}
	a := p.admin(t, "POST", "/api/connections/"+conn+"/invoke/"+op, req)
	if a.Status != http.StatusOK {
		return a.Status, a.Body
	}
	var out struct {
		StatusCode int             `json:"statusCode"`
		Body       json.RawMessage `json:"body"`
	}
	_ = json.Unmarshal(a.Body, &out)
	return out.StatusCode, out.Body
}

// invoke is tryInvoke that fails the test on a non-2xx answer.
func (p *proc) invoke(t testing.TB, conn, op string, params map[string]any, body any) json.RawMessage {
	t.Helper()
	st, b := p.tryInvoke(t, conn, op, params, body)
	if st < 200 || st > 299 {
		t.Fatalf("%s %s: %d %s", conn, op, st, b)
	}
	return b
}

// waitRuns waits until workflow name has at least n runs, all ended, and
// fails unless they all succeeded. It returns the run records.
func (p *proc) waitRuns(t testing.TB, name string, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	for {
		a := p.admin(t, "GET", "/api/workflows/"+name+"/runs?top=50", nil)
		var l struct {
			Value []struct {
				ID     string `json:"id"`
				Name   string `json:"name"`
				Status string `json:"status"`
			}
		}
		_ = json.Unmarshal(a.Body, &l)
		if len(l.Value) >= n {
			var recs []map[string]any
			for _, r := range l.Value {
				id := r.ID
				if id == "" {
					id = r.Name
				}
				rec := p.waitRun(t, name, id)
				if rec["status"] != "Succeeded" {
					b, _ := json.Marshal(rec)
					t.Fatalf("run %s of %s: %s", id, name, b)
				}
				recs = append(recs, rec)
			}
			return recs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d runs, want %d: %s", name, len(l.Value), n, a.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// composeOutput returns the output of action C of a run record.
func composeOutput(rec map[string]any) string {
	b, _ := json.Marshal(rec)
	var r struct {
		Actions map[string]struct {
			Outputs any `json:"outputs"`
		} `json:"actions"`
	}
	_ = json.Unmarshal(b, &r)
	if s, ok := r.Actions["C"].Outputs.(string); ok {
		return s
	}
	o, _ := json.Marshal(r.Actions["C"].Outputs)
	return string(o)
}
