// SPDX-License-Identifier: Apache-2.0

package rest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/junction-run/junction/connector"
)

// recorded is one request the test server received.
type recorded struct {
	Method   string
	Path     string // escaped path as sent
	RawQuery string
	Query    url.Values
	Header   http.Header
	Body     []byte
}

// recorder is a local HTTP server that records what it receives and answers
// with handler (200 {"ok":true} when nil).
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

func newRecorder(t testing.TB, handler http.HandlerFunc) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, recorded{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body})
		rec.mu.Unlock()
		if handler != nil {
			handler(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *recorder) last(t testing.TB) recorded {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.reqs) == 0 {
		t.Fatal("the server received no request")
	}
	return rec.reqs[len(rec.reqs)-1]
}

func (rec *recorder) all() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]recorded(nil), rec.reqs...)
}

func schema(s string) json.RawMessage { return json.RawMessage(s) }

// testSpec is a small connector exercising every parameter location.
func testSpec() *connector.Spec {
	return &connector.Spec{
		ID:      "test",
		Title:   "Test",
		BaseURL: "https://example.invalid/api",
		Auth:    []connector.Auth{{Name: "key", Kind: connector.AuthAPIKey, In: "header", ParamName: "X-Api-Key"}},
		ConnectionParameters: []connector.ConnectionParameter{
			{Name: "api_key", Type: connector.TypeSecureString},
			{Name: "region", Type: connector.TypeString},
		},
		Operations: []connector.Operation{
			{ID: "GetItem", Kind: connector.KindAction, Method: "GET", Path: "/items/{id}", Parameters: []connector.Param{
				{Name: "id", In: connector.InPath, Required: true, Schema: schema(`{"type":"string"}`)},
				{Name: "expand", In: connector.InQuery, Schema: schema(`{"type":"boolean"}`)},
			}},
			{ID: "GetFile", Kind: connector.KindAction, Method: "GET", Path: "/files/{path}", Parameters: []connector.Param{
				{Name: "path", In: connector.InPath, Required: true, URLEncoding: "double", Schema: schema(`{"type":"string"}`)},
			}},
			{ID: "ListItems", Kind: connector.KindAction, Method: "GET", Path: "/items", Parameters: []connector.Param{
				{Name: "tags", In: connector.InQuery, Schema: schema(`{"type":"array","items":{"type":"string"}}`)},
				{Name: "ids", In: connector.InQuery, CollectionFormat: "multi", Schema: schema(`{"type":"array","items":{"type":"integer"}}`)},
				{Name: "piped", In: connector.InQuery, CollectionFormat: "pipes", Schema: schema(`{"type":"array","items":{"type":"string"}}`)},
				{Name: "top", In: connector.InQuery, Default: json.Number("25"), Schema: schema(`{"type":"integer","maximum":100}`)},
				{Name: "order", In: connector.InQuery, Schema: schema(`{"type":"string","enum":["asc","desc"]}`)},
				{Name: "X-Trace", In: connector.InHeader, Schema: schema(`{"type":"string"}`)},
				{Name: "format", In: connector.InQuery, Required: true, Default: "json", Visibility: connector.VisibilityInternal, Schema: schema(`{"type":"string"}`)},
			}},
			{ID: "CreateItem", Kind: connector.KindAction, Method: "POST", Path: "/items", Consumes: []string{"application/json"}, Parameters: []connector.Param{
				{Name: "body", In: connector.InBody, Required: true, Schema: schema(`{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"tags":{"type":"array","items":{"type":"object","properties":{"label":{"type":"string"}}}}}}`)},
			}},
			{ID: "SendForm", Kind: connector.KindAction, Method: "POST", Path: "/form", Consumes: []string{"application/x-www-form-urlencoded"}, Parameters: []connector.Param{
				{Name: "name", In: connector.InFormData, Required: true, Schema: schema(`{"type":"string"}`)},
				{Name: "count", In: connector.InFormData, Schema: schema(`{"type":"integer"}`)},
			}},
			{ID: "Upload", Kind: connector.KindAction, Method: "POST", Path: "/upload", Consumes: []string{"multipart/form-data"}, Parameters: []connector.Param{
				{Name: "title", In: connector.InFormData, Schema: schema(`{"type":"string"}`)},
				{Name: "file", In: connector.InFormData, Required: true, Schema: schema(`{"type":"file"}`)},
			}},
			{ID: "PutText", Kind: connector.KindAction, Method: "PUT", Path: "/text", Consumes: []string{"text/plain"}, Parameters: []connector.Param{
				{Name: "body", In: connector.InBody, Schema: schema(`{"type":"string"}`)},
			}},
			{ID: "OnNewItems", Kind: connector.KindTrigger, Trigger: connector.TriggerPoll, Method: "GET", Path: "/trigger",
				Pagination: &connector.Pagination{ItemsName: "items"}},
		},
	}
}

func conn(values map[string]any) connector.Connection {
	return connector.Connection{Name: "test", Values: values}
}
