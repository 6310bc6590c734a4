// SPDX-License-Identifier: Apache-2.0

package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/engine/triggers"
	"github.com/junction-run/junction/internal/gateway"
	"github.com/junction-run/junction/internal/server"
	"github.com/junction-run/junction/internal/store/sqlite"
)

func init() {
	register(newServeCommand)
}

type serveFlags struct {
	listen, data, workflows, logFormat, logLevel, baseURL, sync, pprof string
	responseTimeout, shutdownTimeout                                   time.Duration
	egressAllow, egressDeny                                            []string
	ratePerConnection, ratePerKey                                      float64
}

func newServeCommand() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the API, Request triggers and the workflow engine on one port",
		Long: `Serve runs Junction as a server: the management API, Request-trigger
endpoints (signed callback URLs) and the durable workflow engine, on one
port, with an embedded SQLite store in --data DIR.

Management endpoints need the admin key (Authorization: Bearer <key>):
JUNCTION_ADMIN_KEY when set, otherwise a key generated on first start,
printed once to stderr and stored hashed in DIR/admin-key.sha256.

--workflows DIR deploys a Logic Apps Standard project folder
(DIR/<name>/workflow.json, DIR/connections.json, DIR/parameters.json) and
keeps it in sync while serving (checked every second).

The first line on stderr is "junction serve: listening on http://ADDR".
SIGINT or SIGTERM stops taking requests, lets in-flight steps finish or
park, and exits 0. See docs/server.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:7420", "address to listen on (port 0 picks a free port)")
	fl.StringVar(&f.data, "data", "./junction-data", "data directory (store, keys)")
	fl.StringVar(&f.workflows, "workflows", "", "Logic Apps Standard project folder to deploy and keep in sync")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fl.StringVar(&f.baseURL, "base-url", "", "public base URL of callback URLs (default: the request's host)")
	fl.StringVar(&f.sync, "sync", "NORMAL", "SQLite synchronous mode: NORMAL (survives a crash) or FULL (survives power loss)")
	fl.DurationVar(&f.responseTimeout, "response-timeout", 120*time.Second, "how long a Request-trigger caller waits for the Response action")
	fl.StringVar(&f.pprof, "pprof-listen", "", "serve Go profiling endpoints (/debug/pprof/) on this separate address, e.g. 127.0.0.1:6060")
	fl.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long shutdown waits for open requests")
	fl.StringSliceVar(&f.egressAllow, "egress-allow", nil, "networks (CIDR) connector calls may reach; when set, the only ones (an explicit allow also opens a default-denied range)")
	fl.StringSliceVar(&f.egressDeny, "egress-deny", nil, "more networks (CIDR) connector calls may not reach; cloud metadata addresses are always denied unless allowed explicitly")
	fl.Float64Var(&f.ratePerConnection, "rate-per-connection", 50, "gateway rate limit: calls per second of one connection (0: unlimited)")
	fl.Float64Var(&f.ratePerKey, "rate-per-key", 100, "gateway rate limit: calls per second of one caller key (0: unlimited)")
	return cmd
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is not text or json", format)
}

func serve(cmd *cobra.Command, f serveFlags) error {
	stderr := cmd.ErrOrStderr()
	log, err := newLogger(stderr, f.logFormat, f.logLevel)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	egress, err := egressRules(f.egressAllow, f.egressDeny)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	keys, generated, err := server.LoadKeys(f.data, os.Getenv("JUNCTION_ADMIN_KEY"))
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	unlock, err := server.LockDataDir(f.data)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	defer unlock()
	st, err := sqlite.OpenDir(f.data, sqlite.Options{Sync: f.sync})
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	defer st.Close()

	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return &ExitError{Code: 1, Err: fmt.Errorf("listen on %s: %w", f.listen, err)}
	}
	defer ln.Close()
	base := strings.TrimSuffix(f.baseURL, "/")
	if base == "" {
		base = "http://" + ln.Addr().String()
	}

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	gw, err := newGateway(ctx, f, keys, egress, base, log)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	defer gw.close()

	var srv *server.Server
	var trig *triggers.Dispatcher
	conns := &server.Connections{HTTPClient: gw.client}
	conns.UseGateway(server.NewGatewayConnections(gw.gw, gw.svc, gw.cat.Lookup))
	eng := engine.New(st, engine.Options{
		Logger:          log.With("component", "engine"),
		CallbackBaseURL: base,
		Connections:     conns,
		Sealer:          gw.kr, // secureData survives a restart, sealed like connection secrets
		ResolveWorkflow: func(ctx context.Context, id string) (string, []byte, error) {
			if srv == nil {
				return "", nil, errors.New("server is starting")
			}
			return srv.ResolveWorkflow(ctx, id)
		},
	})
	trig = triggers.New(eng, st, triggers.Options{
		Logger: log.With("component", "triggers"), HTTPClient: gw.client, Connections: conns,
		CallbackURL: func(wf, trigger string) string { return srv.TriggerCallbackURL(base, wf, trigger) },
	})
	srv, err = server.New(ctx, server.Options{
		Store: st, Workflows: st, Engine: eng, Keys: keys, Logger: log.With("component", "server"),
		ResponseTimeout: f.responseTimeout, BaseURL: f.baseURL,
		Connectors: gw.cat, Gateway: gw.gw.Handler(), GatewayPrefixes: gateway.Prefixes, Triggers: trig,
	})
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	if err := trig.Start(ctx); err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	defer trig.Close()
	srv.StartTriggers(ctx)
	var dirSync *server.DirSync
	if f.workflows != "" {
		dirSync = server.NewDirSync(srv, f.workflows, conns)
		if err := dirSync.Sync(ctx); err != nil {
			return &ExitError{Code: 1, Err: err}
		}
	}
	if err := eng.Start(ctx); err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stderr, "junction serve: listening on http://%s\n", ln.Addr())
	if generated != "" {
		fmt.Fprintf(stderr, "junction serve: admin key (shown once; only its hash is stored in %s): %s\n", f.data, generated)
	}
	log.Info("serving", "address", ln.Addr().String(), "data", f.data, "workflows", f.workflows)

	if f.pprof != "" {
		go servePprof(f.pprof, log)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	if dirSync != nil {
		go dirSync.Run(ctx, time.Second)
	}
	select {
	case err := <-errc:
		_ = eng.Close()
		return &ExitError{Code: 1, Err: fmt.Errorf("serving: %w", err)}
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), f.shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("open requests cut at shutdown", "error", err)
		_ = hs.Close()
	}
	if err := trig.Close(); err != nil {
		log.Warn("stopping triggers", "error", err)
	}
	if err := eng.Close(); err != nil {
		log.Warn("stopping engine", "error", err)
	}
	gw.close()
	if err := st.Close(); err != nil {
		return &ExitError{Code: 1, Err: fmt.Errorf("closing store: %w", err)}
	}
	log.Info("stopped")
	return nil
}

// servePprof serves the profiling endpoints on their own address, never on
// the API port.
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	hs := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info("profiling endpoints", "address", addr)
	if err := hs.ListenAndServe(); err != nil {
		log.Warn("profiling endpoints stopped", "error", err)
	}
}
