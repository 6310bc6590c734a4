// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/junction-run/junction/expr"
)

func itemsEnv(b *testing.B, n int) *expr.MapEnv {
	b.Helper()
	items := make([]any, n)
	for i := range items {
		o := expr.NewObject(3)
		o.Set("id", int64(i))
		o.Set("name", "item")
		o.Set("price", float64(i)/4)
		items[i] = o
	}
	return &expr.MapEnv{Variables: map[string]any{"items": items}}
}

// BenchmarkSelect10k maps 10,000 objects to a new shape.
func BenchmarkSelect10k(b *testing.B) {
	env := itemsEnv(b, 10_000)
	c := call(b, "Select", `{"from":"@variables('items')","select":{"key":"@item().id","label":"@{item().name}-@{item().id}","total":"@mul(item().price, 2)"}}`, env)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := runSelect(ctx, c)
		if err != nil || res.Failed {
			b.Fatal(err, res.Error)
		}
	}
}

// BenchmarkQuery10k filters 10,000 objects.
func BenchmarkQuery10k(b *testing.B) {
	env := itemsEnv(b, 10_000)
	c := call(b, "Query", `{"from":"@variables('items')","where":"@greater(item().price, 1000)"}`, env)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := runQuery(ctx, c)
		if err != nil || res.Failed {
			b.Fatal(err, res.Error)
		}
	}
}

// BenchmarkHTTP posts a small JSON body to a local server and decodes its
// JSON answer.
func BenchmarkHTTP(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":42,"status":"ok","tags":["a","b"]}`)
	}))
	b.Cleanup(srv.Close)
	env := &expr.MapEnv{Parameters: map[string]any{"base": srv.URL}}
	c := call(b, "Http", `{"method":"POST","uri":"@{parameters('base')}/orders","headers":{"X-Id":"@{guid()}"},"body":{"order":1,"lines":[{"sku":"x","qty":2}]}}`, env)
	c.HTTPClient = srv.Client()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := runHTTP(ctx, c)
		if err != nil || res.Failed {
			b.Fatal(err, res.Error)
		}
	}
}
