// SPDX-License-Identifier: Apache-2.0

package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine"
	"github.com/junction-run/junction/internal/store"
	"github.com/junction-run/junction/workflow"
)

// entry is the in-memory form of a deployed workflow.
type entry struct {
	wf      store.Workflow
	def     *workflow.Definition
	params  map[string]any
	hasResp bool
	schemas map[string]*jsonschema.Schema // by trigger name; nil entry: no schema
}

// Source values of [store.Workflow.Source].
const (
	SourceAPI   = "api"
	SourceFiles = "files"
)

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.()-]{0,79}$`)

func (s *Server) loadCatalog(ctx context.Context) error {
	wfs, err := s.wfs.ListWorkflows(ctx)
	if err != nil {
		return fmt.Errorf("loading workflows: %w", err)
	}
	for _, wf := range wfs {
		body, err := s.st.Definition(ctx, wf.Name, wf.Version)
		if err != nil {
			return fmt.Errorf("loading workflow %s: %w", wf.Name, err)
		}
		def, err := workflow.Decode(body)
		if err != nil {
			return fmt.Errorf("loading workflow %s: %w", wf.Name, err)
		}
		ent, _ := newEntry(wf, def)
		s.catalog[wf.Name] = ent
	}
	return nil
}

// newEntry builds a catalogue entry; warnings name trigger schemas that do
// not compile (they are not enforced).
func newEntry(wf store.Workflow, def *workflow.Definition) (*entry, []string) {
	ent := &entry{wf: wf, def: def, hasResp: engine.HasResponse(def), schemas: map[string]*jsonschema.Schema{}}
	if len(wf.Parameters) > 0 {
		if v, err := expr.Decode(wf.Parameters); err == nil {
			if o, ok := v.(*expr.Object); ok {
				ent.params = make(map[string]any, o.Len())
				for _, k := range o.Keys() {
					ent.params[k], _ = o.Get(k)
				}
			}
		}
	}
	var warnings []string
	for _, t := range def.Triggers {
		if !isRequestTrigger(t) {
			continue
		}
		in, _ := t.Inputs.(*expr.Object)
		if in == nil {
			continue
		}
		sv, _, ok := in.GetFold("schema")
		if !ok || sv == nil {
			continue
		}
		if so, ok := sv.(*expr.Object); ok && so.Len() == 0 {
			continue
		}
		sch, err := compileSchema(wf.Name+"/"+t.Name, sv)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s.inputs.schema: not enforced: %v", t.Path, err))
			continue
		}
		ent.schemas[t.Name] = sch
	}
	return ent, warnings
}

func compileSchema(id string, v any) (*jsonschema.Schema, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	loc := "mem:///" + strings.ReplaceAll(id, " ", "_") + ".json"
	if err := c.AddResource(loc, doc); err != nil {
		return nil, err
	}
	return c.Compile(loc)
}

func isRequestTrigger(t *workflow.Trigger) bool {
	return t.Canonical == workflow.TriggerRequest || t.Canonical == workflow.TriggerManual ||
		strings.EqualFold(t.Type, "Request") || strings.EqualFold(t.Type, "Manual")
}

func (s *Server) lookup(name string) *entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.catalog[name]
}

func (s *Server) mustLookup(name string) (*entry, error) {
	ent := s.lookup(name)
	if ent == nil {
		return nil, errorf(404, "WorkflowNotFound", "the workflow '%s' could not be found", name)
	}
	return ent, nil
}

// definitionError turns a decoding or validation error into a 400 problem
// with every problem and its JSON path.
func definitionError(err error) error {
	var se *workflow.SyntaxError
	var ve *workflow.ValidationError
	switch {
	case errors.As(err, &se):
		return &Error{Status: 400, Code: "InvalidJSON", Detail: fmt.Sprintf("the body is not valid JSON at line %d, column %d: %s", se.Line, se.Col, se.Msg)}
	case errors.As(err, &ve):
		e := &Error{Status: 400, Code: "InvalidDefinition", Detail: "the workflow definition is invalid"}
		for _, p := range ve.Problems {
			if p.Severity == workflow.SeverityError {
				e.Errors = append(e.Errors, ProblemError{Path: p.Path, Code: p.Code, Message: p.Message})
			}
		}
		if len(e.Errors) == 1 {
			e.Detail = "the workflow definition is invalid: " + e.Errors[0].Path + ": " + e.Errors[0].Message
		}
		return e
	}
	return &Error{Status: 400, Code: "InvalidDefinition", Detail: err.Error()}
}

// Deploy validates body (any accepted wrapper) and makes it the current
// definition of workflow name. params, when not nil, are parameter values
// (a JSON object name → value) that take precedence over the wrapper's.
// A new workflow is enabled; an existing one keeps its enabled state. It
// returns the deployed state, whether it was created, and warnings.
func (s *Server) Deploy(ctx context.Context, name string, body []byte, source string, params []byte) (store.Workflow, bool, []string, error) {
	if !nameRE.MatchString(name) {
		return store.Workflow{}, false, nil, errorf(400, "InvalidWorkflowName",
			"the workflow name '%s' is invalid: use up to 80 letters, digits, '-', '_', '.', '(' or ')'", name)
	}
	def, err := workflow.Decode(body)
	if err == nil {
		err = def.Validate()
	}
	if err != nil {
		return store.Workflow{}, false, nil, definitionError(err)
	}
	var warnings []string
	for _, p := range def.Problems() {
		if p.Severity == workflow.SeverityWarning {
			warnings = append(warnings, p.String())
		}
	}
	if params == nil && def.ParameterValues != nil {
		pv := expr.NewObject(def.ParameterValues.Len())
		for _, k := range def.ParameterValues.Keys() {
			v, _ := def.ParameterValues.Get(k)
			if o, ok := v.(*expr.Object); ok {
				if inner, ok := o.Get("value"); ok {
					v = inner
				}
			}
			pv.Set(k, v)
		}
		params, _ = json.Marshal(pv)
	}
	version, err := s.eng.Register(ctx, name, body)
	if err != nil {
		return store.Workflow{}, false, nil, definitionError(err)
	}
	now := time.Now().UTC()
	wf := store.Workflow{Name: name, Version: version, Enabled: true, Source: source, Parameters: params, Created: now, Changed: now}
	created := true
	if old, err := s.wfs.Workflow(ctx, name); err == nil {
		wf.Enabled, wf.Created, created = old.Enabled, old.Created, false
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.Workflow{}, false, nil, err
	}
	ent, sw := newEntry(wf, def)
	// Triggers first: a refused subscription refuses the deployment, and
	// the previous version (and its triggers) stays current.
	if wf.Enabled {
		if err := s.enableTriggers(ctx, ent); err != nil {
			return store.Workflow{}, false, nil, triggerError(name, err)
		}
	}
	if err := s.wfs.PutWorkflow(ctx, wf); err != nil {
		return store.Workflow{}, false, nil, err
	}
	warnings = append(warnings, sw...)
	s.mu.Lock()
	s.catalog[name] = ent
	s.mu.Unlock()
	s.log.Info("workflow deployed", "workflow", name, "version", version, "source", source)
	return wf, created, warnings, nil
}

// Remove deletes workflow name from the catalogue (runs stay as history).
func (s *Server) Remove(ctx context.Context, name string) error {
	if s.trig != nil {
		if err := s.trig.Remove(ctx, name); err != nil {
			s.log.Warn("removing triggers", "workflow", name, "error", err)
		}
	}
	if err := s.wfs.DeleteWorkflow(ctx, name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.mu.Lock()
			delete(s.catalog, name)
			s.mu.Unlock()
			return errorf(404, "WorkflowNotFound", "the workflow '%s' could not be found", name)
		}
		return err
	}
	s.mu.Lock()
	delete(s.catalog, name)
	s.mu.Unlock()
	s.log.Info("workflow deleted", "workflow", name)
	return nil
}

// setEnabled changes the enabled flag of a workflow.
func (s *Server) setEnabled(ctx context.Context, name string, on bool) (*entry, error) {
	ent, err := s.mustLookup(name)
	if err != nil {
		return nil, err
	}
	wf := ent.wf
	wf.Enabled, wf.Changed = on, time.Now().UTC()
	if on {
		if err := s.enableTriggers(ctx, ent); err != nil {
			return nil, triggerError(name, err)
		}
	} else if s.trig != nil {
		// The triggers are stopped even when unsubscribing fails; the
		// subscription stays in the trigger state for a later attempt.
		if err := s.trig.Disable(ctx, name); err != nil {
			s.log.Warn("disabling triggers", "workflow", name, "error", err)
		}
	}
	if err := s.wfs.PutWorkflow(ctx, wf); err != nil {
		return nil, err
	}
	n := *ent
	n.wf = wf
	s.mu.Lock()
	s.catalog[name] = &n
	s.mu.Unlock()
	s.log.Info("workflow state changed", "workflow", name, "enabled", on)
	return &n, nil
}

// ResolveWorkflow returns the current definition of a workflow called by a
// Workflow action (inputs.host.workflow.id: a name or an ARM ID).
func (s *Server) ResolveWorkflow(ctx context.Context, id string) (string, []byte, error) {
	name := id
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	ent := s.lookup(name)
	if ent == nil {
		return "", nil, fmt.Errorf("workflow '%s' is not deployed", id)
	}
	body, err := s.st.Definition(ctx, name, ent.wf.Version)
	if err != nil {
		return "", nil, err
	}
	return name, body, nil
}
