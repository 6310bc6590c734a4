// SPDX-License-Identifier: Apache-2.0

package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/workflow"
)

const timeFormat = "2006-01-02T15:04:05.0000000Z"

func fmtTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeFormat)
}

// workflowJSON is the resource form of a workflow.
func workflowJSON(ent *entry, withDefinition bool) map[string]any {
	state := "Enabled"
	if !ent.wf.Enabled {
		state = "Disabled"
	}
	ts := make([]map[string]any, 0, len(ent.def.Triggers))
	for _, t := range ent.def.Triggers {
		tj := map[string]any{"name": t.Name, "type": t.Type}
		if t.Kind != "" {
			tj["kind"] = t.Kind
		}
		if isRequestTrigger(t) {
			tj["method"] = triggerMethod(t)
			if rp := triggerInput(t, "relativePath"); rp != "" {
				tj["relativePath"] = rp
			}
		}
		ts = append(ts, tj)
	}
	out := map[string]any{
		"name": ent.wf.Name, "version": ent.wf.Version, "enabled": ent.wf.Enabled, "state": state,
		"source": ent.wf.Source, "createdTime": fmtTime(ent.wf.Created), "changedTime": fmtTime(ent.wf.Changed),
		"triggers": ts, "actionCount": len(ent.def.AllActions()),
	}
	if withDefinition {
		out["definition"] = ent.def.Raw
		if ent.def.Kind != "" {
			out["kind"] = ent.def.Kind
		}
	}
	return out
}

func triggerInput(t *workflow.Trigger, key string) string {
	in, _ := t.Inputs.(*expr.Object)
	if in == nil {
		return ""
	}
	v, _, _ := in.GetFold(key)
	s, _ := v.(string)
	return s
}

func triggerMethod(t *workflow.Trigger) string {
	if m := triggerInput(t, "method"); m != "" {
		return strings.ToUpper(m)
	}
	return "POST"
}

func (s *Server) listWorkflows(w http.ResponseWriter, _ *http.Request) error {
	s.mu.RLock()
	ents := make([]*entry, 0, len(s.catalog))
	for _, e := range s.catalog {
		ents = append(ents, e)
	}
	s.mu.RUnlock()
	sortEntries(ents)
	vals := make([]any, len(ents))
	for i, e := range ents {
		vals[i] = workflowJSON(e, false)
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": vals})
	return nil
}

func sortEntries(es []*entry) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].wf.Name < es[j-1].wf.Name; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

func (s *Server) getWorkflow(w http.ResponseWriter, r *http.Request) error {
	ent, err := s.mustLookup(r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, workflowJSON(ent, true))
	return nil
}

func (s *Server) putWorkflow(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	body, err := s.readBody(r)
	if err != nil {
		return err
	}
	_, created, warnings, err := s.Deploy(r.Context(), name, body, SourceAPI, nil)
	if err != nil {
		return err
	}
	out := workflowJSON(s.lookup(name), true)
	if len(warnings) > 0 {
		out["warnings"] = warnings
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, out)
	return nil
}

func (s *Server) deleteWorkflow(w http.ResponseWriter, r *http.Request) error {
	if err := s.Remove(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) enableWorkflow(w http.ResponseWriter, r *http.Request) error {
	ent, err := s.setEnabled(r.Context(), r.PathValue("name"), true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, workflowJSON(ent, false))
	return nil
}

func (s *Server) disableWorkflow(w http.ResponseWriter, r *http.Request) error {
	ent, err := s.setEnabled(r.Context(), r.PathValue("name"), false)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, workflowJSON(ent, false))
	return nil
}

// requestTrigger finds a Request trigger of a deployed workflow.
func (s *Server) requestTrigger(name, tname string) (*entry, *workflow.Trigger, error) {
	ent, err := s.mustLookup(name)
	if err != nil {
		return nil, nil, err
	}
	t := ent.def.Trigger(tname)
	if t == nil {
		return nil, nil, errorf(http.StatusNotFound, "TriggerNotFound", "the workflow '%s' has no trigger '%s'", name, tname)
	}
	return ent, t, nil
}

// CallbackURL returns the signed URL of a Request trigger and its parts.
func (s *Server) CallbackURL(base, name string, t *workflow.Trigger) map[string]any {
	q := s.keys.SignedQuery(name, t.Name)
	basePath := base + "/api/workflows/" + url.PathEscape(name) + "/triggers/" + url.PathEscape(t.Name) + "/invoke"
	u := basePath
	rp := triggerInput(t, "relativePath")
	if rp != "" {
		u += "/" + strings.TrimPrefix(rp, "/")
	}
	queries := map[string]string{}
	for k := range q {
		queries[k] = q.Get(k)
	}
	out := map[string]any{"value": u + "?" + encodeQuery(q), "method": triggerMethod(t), "basePath": basePath, "queries": queries}
	if rp != "" {
		out["relativePath"] = rp
		var params []string
		for _, seg := range strings.Split(strings.Trim(rp, "/"), "/") {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				params = append(params, seg[1:len(seg)-1])
			}
		}
		out["relativePathParameters"] = params
	}
	return out
}

// encodeQuery writes the query in Logic Apps' order.
func encodeQuery(q url.Values) string {
	var b strings.Builder
	for i, k := range []string{"api-version", "sp", "sv", "sig"} {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k + "=" + url.QueryEscape(q.Get(k)))
	}
	return b.String()
}

func (s *Server) listCallbackURL(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	_, t, err := s.requestTrigger(name, r.PathValue("trigger"))
	if err != nil {
		return err
	}
	if !isRequestTrigger(t) {
		return errorf(http.StatusBadRequest, "TriggerNotInvocable", "the trigger '%s' is of type '%s'; only Request triggers have a callback URL", t.Name, t.Type)
	}
	writeJSON(w, http.StatusOK, s.CallbackURL(s.baseURL(r), name, t))
	return nil
}

// runTrigger fires a trigger by hand: the optional JSON body becomes the
// trigger's outputs.body.
func (s *Server) runTrigger(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	ent, t, err := s.requestTrigger(name, r.PathValue("trigger"))
	if err != nil {
		return err
	}
	if !ent.wf.Enabled {
		return errorf(http.StatusConflict, "WorkflowDisabled", "the workflow '%s' is disabled", name)
	}
	data, err := s.readBody(r)
	if err != nil {
		return err
	}
	body := decodeBody(r.Header.Get("Content-Type"), data)
	if s.trig != nil && !isRequestTrigger(t) {
		// The dispatcher's trigger: poll (or fire a Recurrence) now, or
		// start runs from the given body.
		var outs any
		if body != nil {
			o := expr.NewObject(2)
			o.Set("headers", expr.NewObject(0))
			o.Set("body", body)
			outs = o
		}
		ids, err := s.trig.Fire(context.WithoutCancel(r.Context()), name, t.Name, outs)
		if err != nil {
			return errorf(http.StatusBadRequest, "TriggerFailed", "the trigger '%s' could not run: %v", t.Name, err)
		}
		if ids == nil {
			ids = []string{}
		}
		writeJSON(w, http.StatusAccepted, map[string]any{"runs": ids})
		return nil
	}
	if sch := ent.schemas[t.Name]; sch != nil {
		if err := validateBody(sch, data, body); err != nil {
			return err
		}
	}
	outs := expr.NewObject(2)
	outs.Set("headers", expr.NewObject(0))
	if body != nil {
		outs.Set("body", body)
	}
	items, err := engine.SplitTrigger(ent.def, outs)
	if err != nil {
		return errorf(http.StatusBadRequest, "InvalidTemplate", "%v", err)
	}
	ctx := context.WithoutCancel(r.Context())
	var ids []string
	for _, it := range items {
		id, err := s.eng.StartRun(ctx, name, ent.wf.Version, engine.StartOptions{Trigger: it, TriggerName: t.Name, Parameters: ent.params})
		if err != nil {
			return fmt.Errorf("starting run of %s: %w", name, err)
		}
		ids = append(ids, id)
	}
	if len(ids) > 0 {
		w.Header().Set("x-ms-workflow-run-id", ids[0])
		w.Header().Set("Location", s.baseURL(r)+"/api/workflows/"+url.PathEscape(name)+"/runs/"+ids[0])
	}
	w.Header().Set("x-ms-workflow-name", name)
	writeJSON(w, http.StatusAccepted, map[string]any{"runs": ids})
	return nil
}

func (s *Server) triggerHistories(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	_, t, err := s.requestTrigger(name, r.PathValue("trigger"))
	if err != nil {
		return err
	}
	if s.trig != nil && !isRequestTrigger(t) {
		return s.dispatcherHistories(w, r, name, t.Name)
	}
	f, err := pageFilter(r, name)
	if err != nil {
		return err
	}
	f.Trigger = t.Name
	rs, err := s.wfs.RunPage(r.Context(), f)
	if err != nil {
		return err
	}
	vals := make([]any, len(rs))
	for i, rs := range rs {
		vals[i] = map[string]any{
			"name": rs.ID, "startTime": fmtTime(rs.Created), "endTime": fmtTime(rs.Created),
			"status": "Succeeded", "fired": true, "run": map[string]any{"name": rs.ID, "status": rs.Status},
		}
	}
	writeJSON(w, http.StatusOK, pageJSON(s.baseURL(r), r, vals, rs, f.Limit))
	return nil
}

func notFoundRun(id string) error {
	return errorf(http.StatusNotFound, "WorkflowRunNotFound", "the workflow run '%s' could not be found", id)
}

// runOf returns a run of workflow name.
func (s *Server) runOf(ctx context.Context, name, id string) (store.Run, error) {
	if _, err := s.mustLookup(name); err != nil {
		return store.Run{}, err
	}
	row, err := s.st.Run(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && row.Workflow != name) {
		return store.Run{}, notFoundRun(id)
	}
	return row, err
}
