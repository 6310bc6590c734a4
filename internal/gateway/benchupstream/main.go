// SPDX-License-Identifier: Apache-2.0

// Command benchupstream is the upstream service of scripts/bench-gateway.sh:
// a minimal HTTP server on loopback that answers GET /pets/{id} with a
// small JSON object, so that the benchmark measures the proxies, not the
// service. It prints "listening on http://ADDR" on stdout once it accepts
// connections and stops on SIGINT or SIGTERM.
//
// With -proxy HOST:PORT it is instead the floor of the benchmark: the
// least a Go reverse proxy does, a net/http server forwarding every
// request to HOST:PORT over the gateway's [gateway.Transport], with no
// key check, policy, credential or call record. What the gateway costs
// beyond it is the pipeline's; what it costs beyond nginx is net/http's.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/junction-run/junction/internal/gateway"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (loopback)")
	proxy := flag.String("proxy", "", "forward every request to this HOST:PORT instead of answering")
	flag.Parse()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchupstream:", err)
		os.Exit(1)
	}
	body := []byte(`{"id":"1","name":"Rex","species":"dog"}`)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pets/{id}", func(w http.ResponseWriter, r *http.Request) {
		// The gateway injects the key; a direct call sends it itself.
		if !strings.HasPrefix(r.Header.Get("X-Api-Key"), "bench-") {
			http.Error(w, `{"error":"missing key"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	var h http.Handler = mux
	if *proxy != "" {
		h = forward(*proxy)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	fmt.Printf("listening on http://%s\n", ln.Addr())
	if err := hs.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "benchupstream:", err)
		os.Exit(1)
	}
}

// forward is the minimal reverse proxy of -proxy.
func forward(upstream string) http.Handler {
	tr := &gateway.Transport{Timeout: 100 * time.Second}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := http.NewRequestWithContext(r.Context(), r.Method, "http://"+upstream+r.URL.RequestURI(), r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req.ContentLength = r.ContentLength
		for k, vs := range r.Header {
			if k != "Connection" {
				req.Header[k] = vs
			}
		}
		resp, err := tr.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})
}
