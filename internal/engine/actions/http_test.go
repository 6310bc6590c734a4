// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/expr"
)

// echoServer answers /echo with a JSON description of the request, and
// /status/N with status N.
func echoServer(t testing.TB) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		o := expr.NewObject(8)
		o.Set("method", r.Method)
		o.Set("query", r.URL.RawQuery)
		o.Set("contentType", r.Header.Get("Content-Type"))
		o.Set("authorization", r.Header.Get("Authorization"))
		o.Set("cookie", r.Header.Get("Cookie"))
		o.Set("custom", r.Header.Get("X-Custom"))
		o.Set("workflow", r.Header.Get("X-Ms-Workflow-Name")+"/"+r.Header.Get("X-Ms-Workflow-Run-Id")+"/"+r.Header.Get("X-Ms-Workflow-Operation-Name"))
		o.Set("body", string(data))
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(expr.AppendJSON(nil, o))
	})
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("code") {
		case "404":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"error":{"code":"NoSuchThing","message":"gone"}}`)
		case "500":
			w.WriteHeader(500)
			_, _ = io.WriteString(w, "boom")
		case "503":
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(503)
		case "429":
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(429)
		case "408":
			w.WriteHeader(408)
		case "204":
			w.WriteHeader(204)
		}
	})
	mux.HandleFunc("/binary", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write([]byte{0x89, 'P', 'N', 'G', 0, 0xff})
	})
	mux.HandleFunc("/text", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		_, _ = io.WriteString(w, "a,b\n1,2\n")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestHTTP(t *testing.T) {
	t.Parallel()
	srv := echoServer(t)
	env := &expr.MapEnv{Parameters: map[string]any{"base": srv.URL, "secret": "s3cr3t-pa55"}}
	tests := []struct {
		name, inputs string
		opts         string // operation options, comma-separated
		check        func(t *testing.T, res Result, out *expr.Object)
		code         string // failure code
		retryable    bool
		retryAfter   time.Duration
	}{
		{name: "get with queries headers cookie", inputs: `{"method":"get","uri":"@{parameters('base')}/echo?x=1","queries":{"q":"a b","n":5},"headers":{"X-Custom":"@concat('c','d')"},"cookie":"k=v"}`,
			check: func(t *testing.T, res Result, out *expr.Object) {
				equal(t, int64(200), mustGet(out, "statusCode"))
				b := mustGet(out, "body").(*expr.Object)
				equal(t, "GET", mustGet(b, "method"))
				equal(t, "n=5&q=a+b&x=1", mustGet(b, "query"))
				equal(t, "cd", mustGet(b, "custom"))
				equal(t, "k=v", mustGet(b, "cookie"))
				equal(t, "wf/run1/Act", mustGet(b, "workflow"))
				isTrue(t, strings.HasPrefix(getString(getObject(out, "headers"), "Content-Type"), "application/json"))
			}},
		{name: "post object body as json in order", inputs: `{"method":"POST","uri":"@{parameters('base')}/echo","body":{"z":1,"a":[true,null]}}`,
			check: func(t *testing.T, res Result, out *expr.Object) {
				b := getObject(out, "body")
				equal(t, "application/json", mustGet(b, "contentType"))
				equal(t, `{"z":1,"a":[true,null]}`, mustGet(b, "body"))
			}},
		{name: "string body as is", inputs: `{"method":"PUT","uri":"@{parameters('base')}/echo","body":"<x/>","headers":{"Content-Type":"application/xml"}}`,
			check: func(t *testing.T, res Result, out *expr.Object) {
				b := getObject(out, "body")
				equal(t, "application/xml", mustGet(b, "contentType"))
				equal(t, "<x/>", mustGet(b, "body"))
			}},
		{name: "binary body", inputs: `{"method":"PATCH","uri":"@{parameters('base')}/echo","body":{"$content-type":"application/octet-stream","$content":"aGVsbG8="}}`,
			check: func(t *testing.T, res Result, out *expr.Object) {
				b := getObject(out, "body")
				equal(t, "application/octet-stream", mustGet(b, "contentType"))
				equal(t, "hello", mustGet(b, "body"))
			}},
		{name: "basic auth", inputs: `{"method":"GET","uri":"@{parameters('base')}/echo","authentication":{"type":"Basic","username":"ann","password":"@parameters('secret')"}}`,
			check: func(t *testing.T, res Result, out *expr.Object) {
				equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("ann:s3cr3t-pa55")), mustGet(getObject(out, "body"), "authorization"))
				isFalse(t, strings.Contains(jsonText(res.Inputs), "s3cr3t"), "inputs hide the password: %s", jsonText(res.Inputs))
			}},
		{name: "raw auth", inputs: `{"method":"GET","uri":"@{parameters('base')}/echo","authentication":{"type":"Raw","value":"Bearer @{parameters('secret')}"}}`,
			check: func(t *testing.T, res Result, out *expr.Object) {
				equal(t, "Bearer s3cr3t-pa55", mustGet(getObject(out, "body"), "authorization"))
				isFalse(t, strings.Contains(jsonText(res.Inputs), "s3cr3t"), "inputs hide the value")
			}},
		{name: "suppress workflow headers", inputs: `{"method":"GET","uri":"@{parameters('base')}/echo"}`, opts: "suppressworkflowheaders",
			check: func(t *testing.T, res Result, out *expr.Object) {
				equal(t, "//", mustGet(getObject(out, "body"), "workflow"))
			}},
		{name: "binary response", inputs: `{"method":"GET","uri":"@{parameters('base')}/binary"}`,
			check: func(t *testing.T, res Result, out *expr.Object) {
				equal(t, `{"$content-type":"image/png","$content":"iVBORwD/"}`, jsonText(mustGet(out, "body")))
			}},
		{name: "text response", inputs: `{"method":"GET","uri":"@{parameters('base')}/text"}`,
			check: func(t *testing.T, res Result, out *expr.Object) {
				equal(t, "a,b\n1,2\n", mustGet(out, "body"))
			}},
		{name: "no content", inputs: `{"method":"DELETE","uri":"@{parameters('base')}/status/204"}`,
			check: func(t *testing.T, res Result, out *expr.Object) {
				equal(t, int64(204), mustGet(out, "statusCode"))
				_, has := out.Get("body")
				isFalse(t, has, "no body")
			}},
		{name: "404 fails with outputs", inputs: `{"method":"GET","uri":"@{parameters('base')}/status/404"}`, code: "NotFound",
			check: func(t *testing.T, res Result, out *expr.Object) {
				equal(t, int64(404), mustGet(out, "statusCode"))
				equal(t, `{"error":{"code":"NoSuchThing","message":"gone"}}`, jsonText(mustGet(out, "body")))
			}},
		{name: "500 retryable", inputs: `{"method":"GET","uri":"@{parameters('base')}/status/500"}`, code: "InternalServerError", retryable: true,
			check: func(t *testing.T, res Result, out *expr.Object) { equal(t, "boom", mustGet(out, "body")) }},
		{name: "503 retry after", inputs: `{"method":"GET","uri":"@{parameters('base')}/status/503"}`, code: "ServiceUnavailable", retryable: true, retryAfter: 7 * time.Second},
		{name: "429 throttled", inputs: `{"method":"GET","uri":"@{parameters('base')}/status/429"}`, code: "TooManyRequests", retryable: true, retryAfter: 3 * time.Second},
		{name: "408 retryable", inputs: `{"method":"GET","uri":"@{parameters('base')}/status/408"}`, code: "RequestTimeout", retryable: true},
		{name: "managed identity unsupported", inputs: `{"method":"GET","uri":"@{parameters('base')}/echo","authentication":{"type":"ManagedServiceIdentity"}}`, code: "AuthenticationTypeNotSupported"},
		{name: "aad oauth unsupported", inputs: `{"method":"GET","uri":"@{parameters('base')}/echo","authentication":{"type":"ActiveDirectoryOAuth","secret":"@parameters('secret')"}}`, code: "AuthenticationTypeNotSupported"},
		{name: "relative uri", inputs: `{"method":"GET","uri":"/echo?sig=abc"}`, code: "InvalidRequestUri"},
		{name: "missing method", inputs: `{"uri":"http://example.invalid"}`, code: "InvalidActionInputs"},
		{name: "bad method", inputs: `{"method":"GE T","uri":"http://example.invalid"}`, code: "InvalidActionInputs"},
		{name: "bad expression", inputs: `{"method":"GET","uri":"@parameters('nope')"}`, code: "InvalidTemplate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := call(t, "Http", tt.inputs, env)
			c.HTTPClient = srv.Client()
			for _, o := range strings.Split(tt.opts, ",") {
				if o != "" {
					c.OperationOptions[o] = true
				}
			}
			res, err := invoke(t, context.Background(), c)
			out, _ := res.Outputs.(*expr.Object)
			if tt.code == "" {
				noErr(t, err)
				isFalse(t, res.Failed, "%+v", res.Error)
			} else {
				isTrue(t, res.Failed, "failed: %+v", res)
				equal(t, tt.code, res.Error.Code, res.Error.Message)
				isFalse(t, strings.Contains(res.Error.Message, "s3cr3t"), "no secret in the message")
				noErr(t, err)
				equal(t, tt.retryable, res.Retryable, "retryable")
				equal(t, tt.retryAfter, res.RetryAfter)
			}
			if tt.check != nil {
				tt.check(t, res, out)
			}
		})
	}
}

func TestHTTPAsyncPattern(t *testing.T) {
	t.Parallel()
	var polls atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /start", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/status/1")
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("GET /status/{n}", func(w http.ResponseWriter, r *http.Request) {
		polls.Add(1)
		if r.Header.Get("Authorization") != "Key k" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.PathValue("n") == "1" {
			w.Header().Set("Location", "/status/2")
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusAccepted)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"done":true}`)
	})
	mux.HandleFunc("POST /forever", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/forever")
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusAccepted)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	env := &expr.MapEnv{Parameters: map[string]any{"base": srv.URL}}
	in := `{"method":"POST","uri":"@{parameters('base')}/start","authentication":{"type":"Raw","value":"Key k"}}`

	t.Run("polls until done", func(t *testing.T) {
		c := call(t, "Http", in, env)
		c.HTTPClient = srv.Client()
		res, err := invoke(t, context.Background(), c)
		noErr(t, err)
		isFalse(t, res.Failed, "%+v", res.Error)
		out := res.Outputs.(*expr.Object)
		equal(t, int64(200), mustGet(out, "statusCode"))
		equal(t, `{"done":true}`, jsonText(mustGet(out, "body")))
		equal(t, int32(2), polls.Load())
	})
	t.Run("disabled", func(t *testing.T) {
		c := call(t, "Http", in, env)
		c.HTTPClient = srv.Client()
		c.OperationOptions["disableasyncpattern"] = true
		res, err := invoke(t, context.Background(), c)
		noErr(t, err)
		equal(t, int64(202), mustGet(res.Outputs.(*expr.Object), "statusCode"))
	})
	t.Run("context ends the polling", func(t *testing.T) {
		c := call(t, "Http", `{"method":"POST","uri":"@{parameters('base')}/forever"}`, env)
		c.HTTPClient = srv.Client()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := invoke(t, ctx, c)
		isTrue(t, errors.Is(err, context.DeadlineExceeded), "err %v", err)
	})
}

func TestHTTPTransportError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := call(t, "Http", `{"method":"GET","uri":"`+url+`/x?sig=secret"}`, nil)
	res, err := invoke(t, context.Background(), c)
	noErr(t, err)
	isTrue(t, res.Failed)
	equal(t, "HttpRequestFailed", res.Error.Code)
	isTrue(t, res.Retryable, "retryable")
	isFalse(t, strings.Contains(res.Error.Message, "secret"), "no query in the message: %s", res.Error.Message)
}

// testPKI is a CA and a client certificate issued by it, as PKCS#12.
type testPKI struct {
	caPool *x509.CertPool
	pfx    string // base64
}

func newTestPKI(t testing.TB, password string) testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	noErr(t, err)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test ca"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	noErr(t, err)
	ca, err := x509.ParseCertificate(caDER)
	noErr(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	noErr(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "junction client"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	noErr(t, err)
	cert, err := x509.ParseCertificate(der)
	noErr(t, err)
	pfx, err := pkcs12.Modern.Encode(key, cert, []*x509.Certificate{ca}, password)
	noErr(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return testPKI{caPool: pool, pfx: base64.StdEncoding.EncodeToString(pfx)}
}

func TestHTTPClientCertificate(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t, "pfx-pass")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pki.caPool, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	env := &expr.MapEnv{Parameters: map[string]any{"pfx": pki.pfx}}
	tests := []struct {
		name, auth string
		want, code string
	}{
		{"certificate presented", `{"type":"ClientCertificate","pfx":"@parameters('pfx')","password":"pfx-pass"}`, "junction client", ""},
		{"wrong password", `{"type":"ClientCertificate","pfx":"@parameters('pfx')","password":"nope-pass"}`, "", "InvalidClientCertificate"},
		{"not base64", `{"type":"ClientCertificate","pfx":"%%%","password":"pfx-pass"}`, "", "InvalidClientCertificate"},
		{"no certificate", `{"type":"None"}`, "", "HttpRequestFailed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := call(t, "Http", `{"method":"GET","uri":"`+srv.URL+`","authentication":`+tt.auth+`}`, env)
			c.HTTPClient = srv.Client()
			res, _ := invoke(t, context.Background(), c)
			if tt.code != "" {
				isTrue(t, res.Failed, "%+v", res)
				equal(t, tt.code, res.Error.Code, res.Error.Message)
				isFalse(t, strings.Contains(res.Error.Message, "-pass"), "no password in %q", res.Error.Message)
				return
			}
			isFalse(t, res.Failed, "%+v", res.Error)
			equal(t, tt.want, mustGet(res.Outputs.(*expr.Object), "body"))
			isFalse(t, strings.Contains(jsonText(res.Inputs), pki.pfx), "inputs hide the pfx")
		})
	}
}

func TestWebhookSubscribe(t *testing.T) {
	t.Parallel()
	var got atomic.Value
	mux := http.NewServeMux()
	mux.HandleFunc("POST /subscriptions", func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		got.Store(string(data))
		w.Header().Set("Location", "/subscriptions/42")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id":"42"}`)
	})
	mux.HandleFunc("DELETE /subscriptions/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != "42" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	env := &expr.MapEnv{Parameters: map[string]any{"base": srv.URL}}
	c := call(t, "HttpWebhook", `{}`, env)
	c.HTTPClient = srv.Client()
	sub := decode(t, `{"method":"POST","uri":"@{parameters('base')}/subscriptions","body":{"callback":"@{listCallbackUrl()}"}}`)
	out, err := Subscribe(context.Background(), c, sub, "https://junction.example/cb/1")
	noErr(t, err)
	equal(t, `{"callback":"https://junction.example/cb/1"}`, got.Load())
	equal(t, `{"id":"42"}`, jsonText(mustGet(out.(*expr.Object), "body")))

	// unsubscribe reads the subscription through action().
	env2 := &expr.MapEnv{Parameters: env.Parameters, Current: &expr.ActionResult{Outputs: out}}
	c.Env = env2
	unsub := decode(t, `{"method":"DELETE","uri":"@{parameters('base')}/subscriptions/@{action().outputs.body.id}"}`)
	out, err = Unsubscribe(context.Background(), c, unsub)
	noErr(t, err)
	equal(t, int64(204), mustGet(out.(*expr.Object), "statusCode"))

	bad := decode(t, `{"method":"DELETE","uri":"@{parameters('base')}/subscriptions/7"}`)
	out, err = Unsubscribe(context.Background(), c, bad)
	var ae *ActionError
	isTrue(t, errors.As(err, &ae) && ae.Code == "NotFound", "err %v", err)
	equal(t, int64(404), mustGet(out.(*expr.Object), "statusCode"))
	isFalse(t, connector.KindOf(err).Retryable(), "404 is not retryable")

	srv.Close()
	_, err = Subscribe(context.Background(), c, sub, "https://junction.example/cb/1")
	isTrue(t, errors.As(err, &ae) && ae.Code == "HttpRequestFailed", "err %v", err)
	isTrue(t, connector.KindOf(err).Retryable(), "connection failures are retryable: %v", err)
}
