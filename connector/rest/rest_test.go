// SPDX-License-Identifier: Apache-2.0

package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
)

func TestRequestBuilding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		op    string
		in    connector.Input
		check func(t *testing.T, r recorded)
	}{
		{
			name: "path single encoding", op: "GetItem",
			in: connector.Input{Parameters: map[string]any{"id": "a/b c"}},
			check: func(t *testing.T, r recorded) {
				wantEq(t, r.Method, "GET")
				wantEq(t, r.Path, "/api/items/a%2Fb%20c")
			},
		},
		{
			name: "path double encoding", op: "GetFile",
			in: connector.Input{Parameters: map[string]any{"path": "dir/file name.txt"}},
			check: func(t *testing.T, r recorded) {
				wantEq(t, r.Path, "/api/files/dir%252Ffile%2520name.txt")
			},
		},
		{
			name: "query scalar coerced from text", op: "GetItem",
			in: connector.Input{Parameters: map[string]any{"id": "1", "expand": "true"}},
			check: func(t *testing.T, r recorded) {
				wantEq(t, r.Query.Get("expand"), "true")
			},
		},
		{
			name: "query arrays per collectionFormat", op: "ListItems",
			in: connector.Input{Parameters: map[string]any{
				"tags": []any{"a", "b"}, "ids": []any{1, 2, 3}, "piped": "x|y",
			}},
			check: func(t *testing.T, r recorded) {
				wantEq(t, r.Query.Get("tags"), "a,b")
				wantEq(t, strings.Join(r.Query["ids"], ";"), "1;2;3")
				wantEq(t, r.Query.Get("piped"), "x|y")
			},
		},
		{
			name: "defaults for missing parameters", op: "ListItems",
			in: connector.Input{},
			check: func(t *testing.T, r recorded) {
				wantEq(t, r.Query.Get("top"), "25")
				wantEq(t, r.Query.Get("format"), "json")
				if _, ok := r.Query["order"]; ok {
					t.Errorf("optional parameter without default was sent")
				}
			},
		},
		{
			name: "query spaces as %20", op: "ListItems",
			in: connector.Input{Parameters: map[string]any{"tags": []any{"a b", "c&d"}}},
			check: func(t *testing.T, r recorded) {
				if !strings.Contains(r.RawQuery, "tags=a%20b%2Cc%26d") {
					t.Errorf("raw query %q", r.RawQuery)
				}
			},
		},
		{
			name: "header parameter", op: "ListItems",
			in: connector.Input{Parameters: map[string]any{"X-Trace": "abc"}},
			check: func(t *testing.T, r recorded) {
				wantEq(t, r.Header.Get("X-Trace"), "abc")
			},
		},
		{
			name: "json body", op: "CreateItem",
			in: connector.Input{Body: map[string]any{"name": "n", "tags": []any{map[string]any{"label": "<x>"}}}},
			check: func(t *testing.T, r recorded) {
				wantEq(t, r.Method, "POST")
				wantEq(t, r.Header.Get("Content-Type"), "application/json")
				wantEq(t, string(r.Body), `{"name":"n","tags":[{"label":"<x>"}]}`)
			},
		},
		{
			name: "json body from raw message", op: "CreateItem",
			in: connector.Input{Body: json.RawMessage(`{"name":"raw"}`)},
			check: func(t *testing.T, r recorded) {
				wantEq(t, string(r.Body), `{"name":"raw"}`)
			},
		},
		{
			name: "json body from a Go struct", op: "CreateItem",
			in: connector.Input{Body: struct {
				Name string `json:"name"`
			}{"s"}},
			check: func(t *testing.T, r recorded) {
				wantEq(t, string(r.Body), `{"name":"s"}`)
			},
		},
		{
			name: "form urlencoded", op: "SendForm",
			in: connector.Input{Parameters: map[string]any{"name": "a b&c", "count": 3}},
			check: func(t *testing.T, r recorded) {
				wantEq(t, r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
				wantEq(t, string(r.Body), "count=3&name=a+b%26c")
			},
		},
		{
			name: "multipart with a file", op: "Upload",
			in: connector.Input{Parameters: map[string]any{"title": "t", "file": []byte("hello")}},
			check: func(t *testing.T, r recorded) {
				mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
				if err != nil || mt != "multipart/form-data" {
					t.Fatalf("content type %q", r.Header.Get("Content-Type"))
				}
				mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
				got := map[string]string{}
				for {
					part, err := mr.NextPart()
					if err != nil {
						break
					}
					b, _ := io.ReadAll(part)
					got[part.FormName()+"|"+part.FileName()] = string(b)
				}
				want := map[string]string{"title|": "t", "file|file": "hello"}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("parts %v, want %v", got, want)
				}
			},
		},
		{
			name: "text body", op: "PutText",
			in: connector.Input{Body: "plain words"},
			check: func(t *testing.T, r recorded) {
				wantEq(t, r.Header.Get("Content-Type"), "text/plain")
				wantEq(t, string(r.Body), "plain words")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t, nil)
			p := New(testSpec(), Options{BaseURL: rec.URL + "/api"})
			out, err := p.Invoke(context.Background(), conn(nil), tt.op, tt.in)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if out.StatusCode != 200 {
				t.Fatalf("status %d", out.StatusCode)
			}
			tt.check(t, rec.last(t))
		})
	}
}

func TestRequestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		op   string
		in   connector.Input
		want []string // substrings of the error
	}{
		{"missing path parameter", "GetItem", connector.Input{}, []string{`missing required parameter "id"`, "in path"}},
		{"missing body", "CreateItem", connector.Input{}, []string{`missing required parameter "body"`}},
		{"missing form field", "SendForm", connector.Input{}, []string{`missing required parameter "name"`}},
		{"unknown parameter", "GetItem", connector.Input{Parameters: map[string]any{"id": "1", "idd": "2"}}, []string{`no parameter "idd"`}},
		{"unknown operation", "Nope", connector.Input{}, []string{`unknown operation "Nope"`}},
		{"body schema: wrong type deep inside", "CreateItem",
			connector.Input{Body: map[string]any{"name": "x", "tags": []any{map[string]any{"label": 5}}}},
			[]string{`parameter "body"`, "at /tags/0/label", "want string"}},
		{"body schema: missing property", "CreateItem",
			connector.Input{Body: map[string]any{}}, []string{`parameter "body"`, "name"}},
		{"query type", "ListItems", connector.Input{Parameters: map[string]any{"top": "many"}}, []string{`parameter "top"`, "want integer"}},
		{"query maximum", "ListItems", connector.Input{Parameters: map[string]any{"top": 500}}, []string{`parameter "top"`, "100"}},
		{"query enum", "ListItems", connector.Input{Parameters: map[string]any{"order": "sideways"}}, []string{`parameter "order"`, "asc"}},
		{"array item type", "ListItems", connector.Input{Parameters: map[string]any{"ids": []any{"x"}}}, []string{`parameter "ids"`, "at /0"}},
		{"body on an operation without one", "GetItem", connector.Input{Parameters: map[string]any{"id": "1"}, Body: "x"}, []string{"takes no body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t, nil)
			p := New(testSpec(), Options{BaseURL: rec.URL})
			_, err := p.Invoke(context.Background(), conn(nil), tt.op, tt.in)
			if err == nil {
				t.Fatal("no error")
			}
			if k := connector.KindOf(err); k != connector.KindBadRequest {
				t.Errorf("kind %v, want bad_request (%v)", k, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if n := len(rec.all()); n != 0 {
				t.Errorf("%d requests sent for an invalid call", n)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		auth   []connector.Auth
		values map[string]any
		check  func(t *testing.T, r recorded)
	}{
		{"apiKey in header", []connector.Auth{{Kind: connector.AuthAPIKey, In: "header", ParamName: "X-Api-Key"}},
			map[string]any{"api_key": "k1"},
			func(t *testing.T, r recorded) { wantEq(t, r.Header.Get("X-Api-Key"), "k1") }},
		{"apiKey in query", []connector.Auth{{Kind: connector.AuthAPIKey, In: "query", ParamName: "code"}},
			map[string]any{"api_key": "k2"},
			func(t *testing.T, r recorded) { wantEq(t, r.Query.Get("code"), "k2") }},
		{"apiKey from a named parameter", []connector.Auth{{Kind: connector.AuthAPIKey, In: "header", ParamName: "Authorization", Parameter: "myKey"}},
			map[string]any{"myKey": "k3"},
			func(t *testing.T, r recorded) { wantEq(t, r.Header.Get("Authorization"), "k3") }},
		{"basic", []connector.Auth{{Kind: connector.AuthBasic}},
			map[string]any{"username": "u", "password": "p:w"},
			func(t *testing.T, r recorded) {
				wantEq(t, r.Header.Get("Authorization"), "Basic dTpwOnc=")
			}},
		{"oauth2 token", []connector.Auth{{Kind: connector.AuthOAuth2, Flow: "accessCode"}},
			map[string]any{"token": "t0k"},
			func(t *testing.T, r recorded) { wantEq(t, r.Header.Get("Authorization"), "Bearer t0k") }},
		{"bearer", []connector.Auth{{Kind: connector.AuthBearer}},
			map[string]any{"token": "b34"},
			func(t *testing.T, r recorded) { wantEq(t, r.Header.Get("Authorization"), "Bearer b34") }},
		{"first definition with values wins", []connector.Auth{{Kind: connector.AuthOAuth2}, {Kind: connector.AuthBasic}},
			map[string]any{"username": "u", "password": "p"},
			func(t *testing.T, r recorded) { wantEq(t, r.Header.Get("Authorization"), "Basic dTpw") }},
		{"no credentials", []connector.Auth{{Kind: connector.AuthAPIKey, In: "header", ParamName: "X-Api-Key"}},
			nil,
			func(t *testing.T, r recorded) {
				if _, ok := r.Header["X-Api-Key"]; ok {
					t.Error("header sent without a value")
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t, nil)
			spec := testSpec()
			spec.Auth = tt.auth
			p := New(spec, Options{BaseURL: rec.URL})
			if _, err := p.Invoke(context.Background(), conn(tt.values), "GetItem", connector.Input{Parameters: map[string]any{"id": "1"}}); err != nil {
				t.Fatal(err)
			}
			tt.check(t, rec.last(t))
		})
	}
}

func TestResponseDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, ctype, body string
		want              any
	}{
		{"json", "application/json; charset=utf-8", `{"n":1.50,"a":[true]}`, map[string]any{"n": json.Number("1.50"), "a": []any{true}}},
		{"vendor json", "application/vnd.api+json", `[1]`, []any{json.Number("1")}},
		{"text", "text/plain", "hello", "hello"},
		{"binary", "application/octet-stream", "\x00\x01", []byte{0, 1}},
		{"empty", "application/json", "", nil},
		{"invalid json stays text", "application/json", "{oops", "{oops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.Header().Set("X-Reply", "yes")
				_, _ = io.WriteString(w, tt.body)
			})
			p := New(testSpec(), Options{BaseURL: rec.URL})
			out, err := p.Invoke(context.Background(), conn(nil), "GetItem", connector.Input{Parameters: map[string]any{"id": "1"}})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out.Body, tt.want) {
				t.Errorf("body %#v, want %#v", out.Body, tt.want)
			}
			wantEq(t, out.Headers.Get("X-Reply"), "yes")
		})
	}
}

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name       string
		status     int
		retryAfter string
		kind       connector.ErrorKind
		wantAfter  time.Duration
	}{
		{"500", 500, "", connector.KindRetryable, 0},
		{"503 with retry-after", 503, "7", connector.KindRetryable, 7 * time.Second},
		{"429 seconds", 429, "30", connector.KindThrottled, 30 * time.Second},
		{"429 http date", 429, now.Add(2 * time.Minute).Format(http.TimeFormat), connector.KindThrottled, 2 * time.Minute},
		{"401", 401, "", connector.KindUnauthenticated, 0},
		{"403", 403, "", connector.KindUnauthenticated, 0},
		{"404", 404, "", connector.KindNotFound, 0},
		{"400", 400, "", connector.KindBadRequest, 0},
		{"422", 422, "", connector.KindBadRequest, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, `{"error":{"message":"it went wrong"}}`)
			})
			p := New(testSpec(), Options{BaseURL: rec.URL, Now: func() time.Time { return now }})
			out, err := p.Invoke(context.Background(), conn(nil), "GetItem", connector.Input{Parameters: map[string]any{"id": "1"}})
			if err == nil {
				t.Fatal("no error")
			}
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *connector.Error", err)
			}
			if ce.Kind != tt.kind || ce.StatusCode != tt.status || ce.RetryAfter != tt.wantAfter {
				t.Errorf("kind %v status %d after %v, want %v %d %v", ce.Kind, ce.StatusCode, ce.RetryAfter, tt.kind, tt.status, tt.wantAfter)
			}
			if !strings.Contains(err.Error(), "it went wrong") {
				t.Errorf("error %q lacks the service's message", err)
			}
			if out.StatusCode != tt.status || out.Body == nil {
				t.Errorf("output not returned with the error: %+v", out)
			}
		})
	}
	t.Run("network error is retryable", func(t *testing.T) {
		t.Parallel()
		rec := newRecorder(t, nil)
		rec.Close()
		p := New(testSpec(), Options{BaseURL: rec.URL})
		_, err := p.Invoke(context.Background(), conn(nil), "GetItem", connector.Input{Parameters: map[string]any{"id": "1"}})
		if k := connector.KindOf(err); k != connector.KindRetryable {
			t.Errorf("kind %v (%v), want retryable", k, err)
		}
	})
	t.Run("no base URL", func(t *testing.T) {
		t.Parallel()
		spec := testSpec()
		spec.BaseURL = ""
		_, err := New(spec, Options{}).Invoke(context.Background(), conn(nil), "GetItem", connector.Input{Parameters: map[string]any{"id": "1"}})
		if err == nil || !strings.Contains(err.Error(), "no base URL") {
			t.Errorf("err %v", err)
		}
	})
}

func TestCancellation(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	})
	p := New(testSpec(), Options{BaseURL: rec.URL})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := p.Invoke(ctx, conn(nil), "GetItem", connector.Input{Parameters: map[string]any{"id": "1"}})
		done <- err
	}()
	<-arrived
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err %v, want one wrapping context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Invoke did not return after cancellation")
	}
}

func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	const key = "sup3r-s3cret-k3y"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	spec := testSpec()
	spec.Auth = []connector.Auth{{Kind: connector.AuthAPIKey, In: "query", ParamName: "key"}}
	spec.Policies = []connector.PolicyInstance{{TemplateID: "setheader", Parameters: map[string]any{
		"name": "X-Echo", "value": "@connectionParameters('api_key')"}}}
	c := conn(map[string]any{"api_key": key, "password": "pa55word!"})

	t.Run("echoed in an error answer", func(t *testing.T) {
		rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(401)
			_, _ = io.WriteString(w, "bad key "+r.URL.Query().Get("key")+" pa55word!")
		})
		p := New(spec, Options{BaseURL: rec.URL, Logger: logger})
		_, err := p.Invoke(context.Background(), c, "GetItem", connector.Input{Parameters: map[string]any{"id": "1"}})
		if err == nil {
			t.Fatal("no error")
		}
		if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "pa55word!") {
			t.Errorf("secret in error: %v", err)
		}
		if connector.KindOf(err) != connector.KindUnauthenticated {
			t.Errorf("kind %v", connector.KindOf(err))
		}
	})
	t.Run("network error with the key in the query", func(t *testing.T) {
		rec := newRecorder(t, nil)
		rec.Close()
		p := New(spec, Options{BaseURL: rec.URL, Logger: logger})
		_, err := p.Invoke(context.Background(), c, "GetItem", connector.Input{Parameters: map[string]any{"id": "1"}})
		if err == nil || strings.Contains(err.Error(), key) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("policy error", func(t *testing.T) {
		s := testSpec()
		s.Policies = []connector.PolicyInstance{{TemplateID: "dynamichosturl", Parameters: map[string]any{"urlTemplate": "@connectionParameters('api_key')/x y"}}}
		p := New(s, Options{Logger: logger})
		_, err := p.Invoke(context.Background(), conn(map[string]any{"api_key": "%%" + key}), "GetItem", connector.Input{Parameters: map[string]any{"id": "1"}})
		if err == nil || strings.Contains(err.Error(), key) {
			t.Errorf("err %v", err)
		}
	})
	if strings.Contains(logs.String(), key) || strings.Contains(logs.String(), "pa55word!") {
		t.Errorf("secret in logs:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "rest call") {
		t.Errorf("no debug log of the call:\n%s", logs.String())
	}
}

func wantEq[T comparable](t *testing.T, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("got %#v, want %#v", got, want)
	}
}
