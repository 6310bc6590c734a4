// SPDX-License-Identifier: Apache-2.0

package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/engine/triggers"
	"github.com/junction-run/junction/internal/store"
)

// Options configure a [Server]. Store, Workflows, Engine and Keys are
// required.
type Options struct {
	Store     store.Store
	Workflows store.Workflows
	Engine    *engine.Engine
	Keys      *Keys
	Logger    *slog.Logger
	// ResponseTimeout bounds how long a Request-trigger caller waits for
	// the run's Response action (default 120 s, as Logic Apps).
	ResponseTimeout time.Duration
	// BaseURL is the public base of callback URLs (scheme://host[:port]);
	// empty takes it from each request's Host.
	BaseURL string
	// MaxBodyBytes bounds request bodies (default 100 MiB, the Logic Apps
	// message size limit).
	MaxBodyBytes int64
	// Connectors is the connector catalogue served at /api/connectors;
	// nil answers 501 there.
	Connectors *Catalogue
	// Gateway serves the connection, key, invoke, pass-through and OAuth
	// callback routes (gateway.Gateway.Handler), mounted at
	// GatewayPrefixes; nil leaves them out. It authenticates its own
	// callers (admin key or caller keys).
	Gateway http.Handler
	// GatewayPrefixes are the path prefixes of Gateway (gateway.Prefixes).
	GatewayPrefixes []string
	// Triggers runs the triggers other than Request (polling and push);
	// nil leaves them idle. The server enables, disables and removes
	// workflows' triggers with it, routes push events at
	// .../triggers/{trigger}/callback to it and reads histories from it.
	Triggers *triggers.Dispatcher
}

// Server serves the HTTP API. Create it with [New]; it is safe for
// concurrent use.
type Server struct {
	st      store.Store
	wfs     store.Workflows
	eng     *engine.Engine
	keys    *Keys
	log     *slog.Logger
	timeout time.Duration
	base    string
	maxBody int64

	mu      sync.RWMutex
	catalog map[string]*entry

	connectors *Catalogue
	trig       *triggers.Dispatcher

	mux     *http.ServeMux
	handler http.Handler
}

// New returns a server over o and loads the deployed workflows.
func New(ctx context.Context, o Options) (*Server, error) {
	if o.Store == nil || o.Workflows == nil || o.Engine == nil || o.Keys == nil {
		return nil, errors.New("server: Store, Workflows, Engine and Keys are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ResponseTimeout <= 0 {
		o.ResponseTimeout = 120 * time.Second
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 100 << 20
	}
	s := &Server{
		st: o.Store, wfs: o.Workflows, eng: o.Engine, keys: o.Keys, log: o.Logger,
		timeout: o.ResponseTimeout, base: strings.TrimSuffix(o.BaseURL, "/"), maxBody: o.MaxBodyBytes,
		catalog: map[string]*entry{}, connectors: o.Connectors, trig: o.Triggers,
	}
	if err := s.loadCatalog(ctx); err != nil {
		return nil, err
	}
	s.mux = http.NewServeMux()
	for _, rt := range routes() {
		h := s.wrap(rt)
		pattern := rt.pattern
		if rt.method != "" {
			pattern = rt.method + " " + pattern
		}
		s.mux.Handle(pattern, h)
	}
	if o.Gateway != nil {
		for _, p := range o.GatewayPrefixes {
			s.mux.Handle(p, o.Gateway)
		}
	}
	s.mux.Handle("/", http.HandlerFunc(s.notRouted))
	s.handler = recoverer(s.log, s.mux)
	return s, nil
}

// Handler returns the HTTP handler of the whole API.
func (s *Server) Handler() http.Handler { return s.handler }

// route is one entry of the routing table; the OpenAPI document lists the
// same routes (a test checks both ways).
type route struct {
	method  string // "" for any method (the handler checks)
	pattern string
	admin   bool
	h       func(*Server, http.ResponseWriter, *http.Request) error
}

func routes() []route {
	return []route{
		{"GET", "/healthz", false, (*Server).healthz},
		{"GET", "/api/openapi.json", true, (*Server).openAPI},
		{"", "/api/workflows/{name}/triggers/{trigger}/invoke", false, (*Server).invoke},
		{"", "/api/workflows/{name}/triggers/{trigger}/invoke/{path...}", false, (*Server).invoke},
		{"POST", "/callbacks/{token}", false, (*Server).callback},
		{"POST", "/api/workflows/{name}/triggers/{trigger}/callback", false, (*Server).pushCallback},

		{"GET", "/api/workflows", true, (*Server).listWorkflows},
		{"GET", "/api/workflows/{name}", true, (*Server).getWorkflow},
		{"PUT", "/api/workflows/{name}", true, (*Server).putWorkflow},
		{"DELETE", "/api/workflows/{name}", true, (*Server).deleteWorkflow},
		{"POST", "/api/workflows/{name}/enable", true, (*Server).enableWorkflow},
		{"POST", "/api/workflows/{name}/disable", true, (*Server).disableWorkflow},
		{"POST", "/api/workflows/{name}/triggers/{trigger}/listCallbackUrl", true, (*Server).listCallbackURL},
		{"POST", "/api/workflows/{name}/triggers/{trigger}/run", true, (*Server).runTrigger},
		{"GET", "/api/workflows/{name}/triggers/{trigger}/histories", true, (*Server).triggerHistories},
		{"GET", "/api/workflows/{name}/runs", true, (*Server).listRuns},
		{"GET", "/api/workflows/{name}/runs/{id}", true, (*Server).getRun},
		{"GET", "/api/workflows/{name}/runs/{id}/actions/{action}/repetitions", true, (*Server).repetitions},
		{"POST", "/api/workflows/{name}/runs/{id}/cancel", true, (*Server).cancelRun},
		{"POST", "/api/workflows/{name}/runs/{id}/resubmit", true, (*Server).resubmitRun},
		{"POST", "/api/workflows/{name}/runs/{id}/actions/{action}/resubmit", true, (*Server).resubmitAction},

		{"GET", "/api/connectors", true, (*Server).listConnectors},
		{"GET", "/api/connectors/{id}", true, (*Server).getConnector},
		{"PUT", "/api/connectors/{id}", true, (*Server).putConnector},
		{"DELETE", "/api/connectors/{id}", true, (*Server).deleteConnector},
	}
}

func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.admin && !s.keys.CheckAdmin(r.Header.Get("Authorization")) {
			writeProblem(w, r, s.log, &Error{Status: http.StatusUnauthorized, Code: "Unauthorized",
				Detail: "this endpoint needs the admin key: Authorization: Bearer <key>",
				Header: http.Header{"Www-Authenticate": {`Bearer realm="junction"`}}})
			return
		}
		if err := rt.h(s, w, r); err != nil {
			if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
				return // the caller went away
			}
			writeProblem(w, r, s.log, err)
		}
	})
}

var probeMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}

// notRouted answers what no route matched: 405 when the path exists for
// other methods, 404 otherwise.
func (s *Server) notRouted(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range probeMethods {
		if m == r.Method {
			continue
		}
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, pat := s.mux.Handler(r2); pat != "/" && pat != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		writeProblem(w, r, s.log, &Error{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed",
			Detail: fmt.Sprintf("%s is not allowed here; use %s", r.Method, strings.Join(allow, ", ")),
			Header: http.Header{"Allow": {strings.Join(allow, ", ")}}})
		return
	}
	writeProblem(w, r, s.log, errorf(http.StatusNotFound, "NotFound", "no such endpoint: %s", r.URL.Path))
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"error":"encoding the answer failed"}`)
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// readBody reads a request body up to the size limit.
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, s.maxBody+1))
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidBody", Detail: "reading the request body failed", Err: err}
	}
	if int64(len(b)) > s.maxBody {
		return nil, errorf(http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", "the request body exceeds %d bytes", s.maxBody)
	}
	return b, nil
}

// baseURL is the public base URL for links in answers.
func (s *Server) baseURL(r *http.Request) string {
	if s.base != "" {
		return s.base
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// callback serves the callback URLs the engine hands out
// (listCallbackUrl() in HttpWebhook actions): the request becomes the
// waiting action's outputs {headers, body}.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) error {
	data, err := s.readBody(r)
	if err != nil {
		return err
	}
	payload := expr.NewObject(2)
	payload.Set("headers", headerObject(r.Header))
	payload.Set("body", decodeBody(r.Header.Get("Content-Type"), data))
	if err := s.eng.Callback(r.Context(), r.PathValue("token"), payload); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errorf(http.StatusNotFound, "CallbackNotFound", "the callback is unknown or was already used")
		}
		return fmt.Errorf("delivering callback: %w", err)
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
