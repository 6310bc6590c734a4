// SPDX-License-Identifier: Apache-2.0

package rest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/junction-run/junction/connector"
)

func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"42","name":"thing","tags":["a","b"],"count":3}`)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkInvoke measures one GET with a path and query parameter, API key
// auth and a JSON answer, against a local server.
func BenchmarkInvoke(b *testing.B) {
	srv := benchServer(b)
	p := New(testSpec(), Options{BaseURL: srv.URL})
	c := conn(map[string]any{"api_key": "k"})
	in := connector.Input{Parameters: map[string]any{"id": "42", "expand": true}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Invoke(ctx, c, "GetItem", in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInvokePolicies adds a JSON body with schema validation and three
// policies (setheader, setqueryparameter, setproperty).
func BenchmarkInvokePolicies(b *testing.B) {
	srv := benchServer(b)
	spec := testSpec()
	spec.Policies = []connector.PolicyInstance{
		{TemplateID: "setheader", Parameters: map[string]any{"name": "X-Api-Key", "value": "Token @headers('X-Api-Key')"}},
		{TemplateID: "setqueryparameter", Parameters: map[string]any{"name": "api-version", "value": "2024-01-01"}},
		{TemplateID: "setproperty", Parameters: map[string]any{"newPropertyParentPathTemplate": "@body()", "newPropertySubPathTemplate": "source", "propertyValuePathTemplate": "junction"}},
	}
	p := New(spec, Options{BaseURL: srv.URL})
	c := conn(map[string]any{"api_key": "k"})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		in := connector.Input{Body: map[string]any{"name": "n", "tags": []any{map[string]any{"label": "x"}}}}
		if _, err := p.Invoke(ctx, c, "CreateItem", in); err != nil {
			b.Fatal(err)
		}
	}
}
