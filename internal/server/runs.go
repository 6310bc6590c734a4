// SPDX-License-Identifier: Apache-2.0

package server

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/workflow"
)

const maxTop = 250

// pageFilter reads status, since, top ($top) and $skiptoken.
func pageFilter(r *http.Request, name string) (store.RunPageFilter, error) {
	q := r.URL.Query()
	f := store.RunPageFilter{Workflow: name, Limit: 50}
	if st := q.Get("status"); st != "" {
		switch strings.ToLower(st) {
		case "running", "succeeded", "failed", "cancelled":
			f.Status = st
		default:
			return f, errorf(400, "InvalidQuery", "status must be Running, Succeeded, Failed or Cancelled, not '%s'", st)
		}
	}
	if since := q.Get("since"); since != "" {
		t, err := time.Parse(time.RFC3339Nano, since)
		if err != nil {
			return f, errorf(400, "InvalidQuery", "since must be an RFC 3339 time such as 2026-01-02T15:04:05Z, not '%s'", since)
		}
		f.Since = t
	}
	top := q.Get("top")
	if top == "" {
		top = q.Get("$top")
	}
	if top != "" {
		n, err := strconv.Atoi(top)
		if err != nil || n < 1 || n > maxTop {
			return f, errorf(400, "InvalidQuery", "top must be an integer from 1 to %d, not '%s'", maxTop, top)
		}
		f.Limit = n
	}
	if tok := q.Get("$skiptoken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		var seq int64
		if err == nil {
			seq, err = strconv.ParseInt(strings.TrimPrefix(string(b), "seq:"), 10, 64)
		}
		if err != nil || !strings.HasPrefix(string(b), "seq:") || seq <= 0 {
			return f, errorf(400, "InvalidQuery", "the $skiptoken is not one this server gave out")
		}
		f.Before = seq
	}
	return f, nil
}

// pageJSON wraps a page with its nextLink.
func pageJSON(base string, r *http.Request, vals []any, rs []store.RunSummary, limit int) map[string]any {
	out := map[string]any{"value": vals}
	if len(rs) == limit && limit > 0 {
		q := r.URL.Query()
		q.Del("$skiptoken")
		q.Set("$skiptoken", base64.RawURLEncoding.EncodeToString([]byte("seq:"+strconv.FormatInt(rs[len(rs)-1].Seq, 10))))
		out["nextLink"] = base + r.URL.Path + "?" + q.Encode()
	}
	return out
}

func (s *Server) listRuns(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if _, err := s.mustLookup(name); err != nil {
		return err
	}
	f, err := pageFilter(r, name)
	if err != nil {
		return err
	}
	rs, err := s.wfs.RunPage(r.Context(), f)
	if err != nil {
		return err
	}
	vals := make([]any, len(rs))
	for i, x := range rs {
		vals[i] = map[string]any{
			"id": x.ID, "name": x.ID, "status": x.Status, "startTime": fmtTime(x.Created), "endTime": fmtTime(x.Ended),
			"version": x.Version, "trigger": x.Trigger,
		}
	}
	writeJSON(w, http.StatusOK, pageJSON(s.baseURL(r), r, vals, rs, f.Limit))
	return nil
}

// runRecord returns the run record of `junction run` with the workflow,
// version, times and resubmission link added.
func (s *Server) runRecord(r *http.Request) (*expr.Object, store.Run, error) {
	name, id := r.PathValue("name"), r.PathValue("id")
	row, err := s.runOf(r.Context(), name, id)
	if err != nil {
		return nil, row, err
	}
	rec, err := s.eng.RunRecord(r.Context(), id)
	if err != nil {
		return nil, row, fmt.Errorf("building run record %s: %w", id, err)
	}
	return rec, row, nil
}

func (s *Server) getRun(w http.ResponseWriter, r *http.Request) error {
	rec, row, err := s.runRecord(r)
	if err != nil {
		return err
	}
	s.hideSecureTrigger(r, row, rec)
	rec.Set("workflow", row.Workflow)
	rec.Set("version", row.Version)
	rec.Set("startTime", fmtTime(row.Created))
	rec.Set("endTime", fmtTime(row.Ended))
	if l, err := s.wfs.RunLink(r.Context(), row.ID); err == nil {
		rs := expr.NewObject(2)
		rs.Set("runId", l.Original)
		if l.FromAction != "" {
			rs.Set("fromAction", l.FromAction)
		}
		rec.Set("resubmittedFrom", rs)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (s *Server) repetitions(w http.ResponseWriter, r *http.Request) error {
	rec, _, err := s.runRecord(r)
	if err != nil {
		return err
	}
	aname := r.PathValue("action")
	acts, _ := rec.Get("actions")
	ao, _ := acts.(*expr.Object)
	var a any
	if ao != nil {
		var ok bool
		a, _, ok = ao.GetFold(aname)
		if !ok {
			a = nil
		}
	}
	act, _ := a.(*expr.Object)
	if act == nil {
		return errorf(http.StatusNotFound, "WorkflowRunActionNotFound", "the run has no action '%s'", aname)
	}
	reps, ok := act.Get("repetitions")
	if !ok {
		return errorf(http.StatusBadRequest, "ActionNotRepeated", "the action '%s' is not inside a Foreach or Until loop", aname)
	}
	if reps == nil {
		reps = []any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": reps})
	return nil
}

func (s *Server) cancelRun(w http.ResponseWriter, r *http.Request) error {
	row, err := s.runOf(r.Context(), r.PathValue("name"), r.PathValue("id"))
	if err != nil {
		return err
	}
	if engine.IsFinal(row.Status) {
		return errorf(http.StatusConflict, "WorkflowRunNotRunning", "the workflow run '%s' has already ended (%s)", row.ID, row.Status)
	}
	if err := s.eng.Cancel(r.Context(), row.ID); err != nil {
		return err
	}
	s.log.Info("run cancel requested", "workflow", row.Workflow, "run_id", row.ID)
	writeJSON(w, http.StatusAccepted, map[string]any{"id": row.ID, "status": "Cancelling"})
	return nil
}

func (s *Server) resubmitRun(w http.ResponseWriter, r *http.Request) error {
	data, err := s.readBody(r)
	if err != nil {
		return err
	}
	var req struct {
		FromAction string `json:"fromAction"`
	}
	if len(strings.TrimSpace(string(data))) > 0 {
		if err := json.Unmarshal(data, &req); err != nil {
			return errorf(http.StatusBadRequest, "InvalidJSON", "the body must be a JSON object such as {\"fromAction\": \"Compose\"}")
		}
	}
	return s.resubmit(w, r, req.FromAction)
}

func (s *Server) resubmitAction(w http.ResponseWriter, r *http.Request) error {
	return s.resubmit(w, r, r.PathValue("action"))
}

func (s *Server) resubmit(w http.ResponseWriter, r *http.Request, from string) error {
	name := r.PathValue("name")
	row, err := s.runOf(r.Context(), name, r.PathValue("id"))
	if err != nil {
		return err
	}
	id, err := s.eng.Resubmit(r.Context(), row.ID, engine.ResubmitOptions{FromAction: from})
	if err != nil {
		if errors.Is(err, engine.ErrInvalidResubmit) {
			return errorf(http.StatusBadRequest, "InvalidResubmission", "%s", strings.TrimSuffix(err.Error(), ": "+engine.ErrInvalidResubmit.Error()))
		}
		return fmt.Errorf("resubmitting run %s: %w", row.ID, err)
	}
	if err := s.wfs.PutRunLink(r.Context(), store.RunLink{RunID: id, Original: row.ID, FromAction: from, Created: time.Now().UTC()}); err != nil {
		return err
	}
	s.log.Info("run resubmitted", "workflow", name, "run_id", id, "original_run_id", row.ID, "from_action", from)
	w.Header().Set("x-ms-workflow-run-id", id)
	w.Header().Set("Location", s.baseURL(r)+"/api/workflows/"+url.PathEscape(name)+"/runs/"+id)
	out := map[string]any{"id": id, "resubmittedFrom": row.ID}
	if from != "" {
		out["fromAction"] = from
	}
	writeJSON(w, http.StatusAccepted, out)
	return nil
}

// hideSecureTrigger hides the trigger outputs of a run whose trigger has
// runtimeConfiguration.secureData with "outputs" (or "inputs": a Request
// trigger's inputs are its outputs).
func (s *Server) hideSecureTrigger(r *http.Request, row store.Run, rec *expr.Object) {
	var td struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(row.Trigger, &td)
	def := s.definitionOf(r, row)
	if def == nil {
		// RunRecord needed the definition, so this does not happen.
		return
	}
	if !def.Trigger(td.Name).SecureOutputs() {
		return
	}
	to := expr.NewObject(1)
	to.Set("outputs", engine.SecureMarker)
	rec.Set("trigger", to)
}

// definitionOf returns the definition a run started with.
func (s *Server) definitionOf(r *http.Request, row store.Run) *workflow.Definition {
	if ent := s.lookup(row.Workflow); ent != nil && ent.wf.Version == row.Version {
		return ent.def
	}
	body, err := s.st.Definition(r.Context(), row.Workflow, row.Version)
	if err != nil {
		return nil
	}
	def, err := workflow.Decode(body)
	if err != nil {
		return nil
	}
	return def
}
