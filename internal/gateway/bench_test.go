// SPDX-License-Identifier: Apache-2.0

package gateway_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/rest"
	"github.com/junction-run/junction/internal/connection"
	"github.com/junction-run/junction/internal/gateway"
)

func benchUpstream(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true,"id":"1","name":"item"}`)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// timed runs fn b.N times and reports p50 and p99 latencies.
func timed(b *testing.B, fn func() error) {
	b.Helper()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
}

// BenchmarkDirectHTTP is the baseline: the same call with net/http.
func BenchmarkDirectHTTP(b *testing.B) {
	srv := benchUpstream(b)
	client := srv.Client()
	timed(b, func() error {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/items/1", nil)
		req.Header.Set("X-Api-Key", secret)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return err
	})
}

// BenchmarkRESTProvider is the connector alone: rest.Provider.Invoke
// with policies, no gateway.
func BenchmarkRESTProvider(b *testing.B) {
	srv := benchUpstream(b)
	p := rest.New(importContoso(b, strings.TrimPrefix(srv.URL, "http://")), rest.Options{Client: srv.Client()})
	conn := connector.Connection{Name: "c", Values: map[string]any{"api_key": secret, "region": "us"}}
	in := connector.Input{Parameters: map[string]any{"id": "1"}}
	timed(b, func() error {
		_, err := p.Invoke(context.Background(), conn, "GetItem", in)
		return err
	})
}

// BenchmarkGatewayInvoke is the whole pipeline: access check, rate
// limits, credentials (sealed, cached), policies, the call through the
// egress-checked client, health and a persisted call record.
func BenchmarkGatewayInvoke(b *testing.B) {
	srv := benchUpstream(b)
	f := newFixture(b, []*connector.Spec{importContoso(b, strings.TrimPrefix(srv.URL, "http://"))},
		gateway.Options{Limits: gateway.Limits{PerConnection: 1e9, PerKey: 1e9}}, connection.Options{})
	ctx := context.Background()
	alice := connection.Principal{Name: "alice", Role: connection.RoleUser}
	if _, _, err := f.svc.Put(ctx, alice, "c", connection.PutInput{Connector: "contoso", Parameters: map[string]any{"api_key": secret, "region": "us"}}); err != nil {
		b.Fatal(err)
	}
	in := connector.Input{Parameters: map[string]any{"id": "1"}}
	timed(b, func() error {
		_, err := f.gw.Invoke(ctx, alice, "c", "GetItem", in)
		return err
	})
}

// BenchmarkGatewayProxy is the /apim pass-through over HTTP, as
// scripts/bench-gateway.sh drives it: caller key, access check, rate
// limits, one setheader policy, API key injection, call record.
func BenchmarkGatewayProxy(b *testing.B) {
	srv := benchUpstream(b)
	f := newFixture(b, []*connector.Spec{importContoso(b, strings.TrimPrefix(srv.URL, "http://"))},
		gateway.Options{Limits: gateway.Limits{PerConnection: 1e9, PerKey: 1e9}}, connection.Options{})
	key := f.createKey(b, "bob", "user")
	alice := connection.Principal{Name: "alice", Role: connection.RoleUser}
	if _, _, err := f.svc.Put(context.Background(), alice, "c", connection.PutInput{Connector: "contoso",
		Parameters: map[string]any{"api_key": secret, "region": "us"}, SharedWith: []string{"bob"}}); err != nil {
		b.Fatal(err)
	}
	client := f.srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	url := f.srv.URL + "/apim/contoso/c/items/1"
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			req.Header.Set("Authorization", "Bearer "+key)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
