// SPDX-License-Identifier: Apache-2.0

package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine/triggers"
)

// The trigger dispatcher (internal/engine/triggers) runs every trigger
// type but Request: polling triggers (Recurrence, Http, ApiConnection) and
// push subscriptions (HttpWebhook, ApiConnectionWebhook). The server
// enables a workflow's triggers when it is deployed or enabled, disables
// them when it is disabled, removes them when it is deleted, routes push
// events at the signed callback URL to the dispatcher, and reads trigger
// histories from it.

// TriggerCallbackURL returns the signed URL at which a push trigger
// receives its events (listCallbackUrl() in the trigger's inputs). The
// signature is the one of Request-trigger URLs.
func (s *Server) TriggerCallbackURL(base, name, trigger string) string {
	if s.base != "" {
		base = s.base
	}
	return base + "/api/workflows/" + url.PathEscape(name) + "/triggers/" + url.PathEscape(trigger) + "/callback?" +
		encodeQuery(s.keys.SignedQuery(name, trigger))
}

// StartTriggers enables the triggers of every enabled workflow of the
// catalogue (at start; Enable continues from the stored trigger state).
// Failures are logged: one workflow's broken subscription does not stop
// the others.
func (s *Server) StartTriggers(ctx context.Context) {
	if s.trig == nil {
		return
	}
	s.mu.RLock()
	ents := make([]*entry, 0, len(s.catalog))
	for _, e := range s.catalog {
		ents = append(ents, e)
	}
	s.mu.RUnlock()
	for _, ent := range ents {
		if !ent.wf.Enabled {
			continue
		}
		if err := s.enableTriggers(ctx, ent); err != nil {
			s.log.Warn("triggers not enabled", "workflow", ent.wf.Name, "error", err)
		}
	}
}

// enableTriggers hands a workflow's version to the dispatcher.
func (s *Server) enableTriggers(ctx context.Context, ent *entry) error {
	if s.trig == nil {
		return nil
	}
	return s.trig.Enable(ctx, triggers.Workflow{Name: ent.wf.Name, Version: ent.wf.Version, Definition: ent.def, Parameters: ent.params})
}

// triggerError is the problem of a failed Enable (a subscription refused,
// an unsupported trigger type).
func triggerError(name string, err error) error {
	code := "TriggerEnableFailed"
	if errors.Is(err, triggers.ErrUnsupported) {
		code = "UnsupportedTrigger"
	}
	return &Error{Status: http.StatusBadRequest, Code: code, Detail: fmt.Sprintf("the triggers of workflow '%s' cannot be enabled: %v", name, err), Err: err}
}

// pushCallback receives an event at a push trigger's signed callback URL:
// the request becomes the trigger outputs {headers, body, queries?}, and
// the answer is 202 once the runs it starts are durable.
func (s *Server) pushCallback(w http.ResponseWriter, r *http.Request) error {
	name, trigger := r.PathValue("name"), r.PathValue("trigger")
	q := r.URL.Query()
	if !s.keys.CheckSignature(name, trigger, q) {
		return &Error{Status: http.StatusUnauthorized, Code: "DirectApiAuthorizationRequired",
			Detail: "the request must be authenticated with the signature (sig) of the trigger's callback URL"}
	}
	if s.trig == nil {
		return errorf(http.StatusNotFound, "TriggerNotFound", "this server runs no push triggers")
	}
	data, err := s.readBody(r)
	if err != nil {
		return err
	}
	outs := expr.NewObject(3)
	outs.Set("headers", headerObject(r.Header))
	if b := decodeBody(r.Header.Get("Content-Type"), data); b != nil {
		outs.Set("body", b)
	}
	extra := expr.NewObject(0)
	for k, v := range q {
		switch k {
		case "api-version", "sp", "sv", "sig":
			continue
		}
		if len(v) > 0 {
			extra.Set(k, v[0])
		}
	}
	if extra.Len() > 0 {
		outs.Set("queries", extra)
	}
	ids, err := s.trig.HandleCallback(context.WithoutCancel(r.Context()), name, trigger, outs)
	if errors.Is(err, triggers.ErrNotEnabled) {
		return errorf(http.StatusNotFound, "TriggerNotEnabled", "the trigger '%s' of workflow '%s' is not an enabled webhook trigger", trigger, name)
	}
	if err != nil {
		return fmt.Errorf("delivering the event of %s/%s: %w", name, trigger, err)
	}
	if ids == nil {
		ids = []string{}
	}
	if len(ids) > 0 {
		w.Header().Set("x-ms-workflow-run-id", ids[0])
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"runs": ids})
	return nil
}

// dispatcherHistories answers the histories of a trigger the dispatcher
// runs, newest first.
func (s *Server) dispatcherHistories(w http.ResponseWriter, r *http.Request, name, trigger string) error {
	top := 50
	if v := r.URL.Query().Get("top"); v != "" {
		if _, err := fmt.Sscan(v, &top); err != nil || top < 1 || top > 250 {
			return errorf(http.StatusBadRequest, "InvalidQuery", "top must be an integer from 1 to 250")
		}
	}
	hs, err := s.trig.Histories(r.Context(), name, trigger, top)
	if err != nil {
		return err
	}
	vals := make([]any, 0, len(hs))
	for _, h := range hs {
		v := map[string]any{"name": h.ID, "startTime": fmtTime(h.Time), "endTime": fmtTime(h.Time),
			"status": h.Status, "fired": h.Fired, "code": h.Code}
		if !h.ScheduledTime.IsZero() {
			v["scheduledTime"] = fmtTime(h.ScheduledTime)
		}
		if h.Error != nil {
			v["error"] = h.Error
		}
		if len(h.Runs) > 0 {
			v["run"] = map[string]any{"name": h.Runs[0]}
			v["runs"] = h.Runs
		}
		vals = append(vals, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": vals})
	return nil
}
