// SPDX-License-Identifier: Apache-2.0

package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/junction-run/junction/expr"
	"github.com/junction-run/junction/internal/engine"
)

// signatureParams are the query parameters of a signed trigger URL; they
// are not part of the trigger's outputs.queries.
var signatureParams = map[string]bool{"api-version": true, "sp": true, "sv": true, "sig": true}

// invoke serves a Request trigger's signed URL.
func (s *Server) invoke(w http.ResponseWriter, r *http.Request) error {
	name, tname := r.PathValue("name"), r.PathValue("trigger")
	q := r.URL.Query()
	if !s.keys.CheckSignature(name, tname, q) {
		code, detail := "DirectApiInvalidAuthorizationSignature", "the signature (sig) of the trigger URL is wrong; get the URL with listCallbackUrl"
		if q.Get("sig") == "" {
			code, detail = "DirectApiAuthorizationRequired", "the trigger URL needs a signature (sig); get the URL with listCallbackUrl"
		}
		return errorf(http.StatusUnauthorized, code, "%s", detail)
	}
	ent, err := s.mustLookup(name)
	if err != nil {
		return err
	}
	t := ent.def.Trigger(tname)
	if t == nil {
		return errorf(http.StatusNotFound, "TriggerNotFound", "the workflow '%s' has no trigger '%s'", name, tname)
	}
	if !isRequestTrigger(t) {
		return errorf(http.StatusBadRequest, "TriggerNotInvocable", "the trigger '%s' is of type '%s', not Request: it cannot be called", t.Name, t.Type)
	}
	if !ent.wf.Enabled {
		return errorf(http.StatusConflict, "WorkflowDisabled", "the workflow '%s' is disabled", name)
	}
	in, _ := t.Inputs.(*expr.Object)
	method := "POST"
	if in != nil {
		if m, _, ok := in.GetFold("method"); ok {
			if ms, _ := m.(string); ms != "" {
				method = strings.ToUpper(ms)
			}
		}
	}
	if r.Method != method {
		return &Error{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed",
			Detail: fmt.Sprintf("the trigger '%s' accepts %s requests, not %s", t.Name, method, r.Method),
			Header: http.Header{"Allow": {method}}}
	}
	var pathParams *expr.Object
	if in != nil {
		if rp, _, ok := in.GetFold("relativePath"); ok {
			if tmpl, _ := rp.(string); tmpl != "" {
				pathParams, ok = matchRelativePath(tmpl, r.PathValue("path"))
				if !ok {
					return errorf(http.StatusNotFound, "RelativePathMismatch", "the path '/%s' does not match the trigger's relative path '%s'", r.PathValue("path"), tmpl)
				}
			}
		}
	}
	if pathParams == nil && r.PathValue("path") != "" {
		return errorf(http.StatusNotFound, "RelativePathMismatch", "the trigger '%s' has no relative path", t.Name)
	}
	data, err := s.readBody(r)
	if err != nil {
		return err
	}
	ctype := r.Header.Get("Content-Type")
	body := decodeBody(ctype, data)
	if isJSONType(ctype) && len(bytes.TrimSpace(data)) > 0 {
		if _, ok := body.(string); ok {
			return errorf(http.StatusBadRequest, "InvalidJSON", "the request body is not valid JSON")
		}
	}
	if sch := ent.schemas[t.Name]; sch != nil {
		if err := validateBody(sch, data, body); err != nil {
			return err
		}
	}
	outs := expr.NewObject(4)
	outs.Set("headers", headerObject(r.Header))
	if body != nil {
		outs.Set("body", body)
	}
	if qo := queryObject(q); qo != nil {
		outs.Set("queries", qo)
	}
	if pathParams != nil {
		outs.Set("relativePathParameters", pathParams)
	}
	if ok, err := engine.TriggerConditions(ent.def, outs); err != nil {
		return errorf(http.StatusBadRequest, "InvalidTemplate", "%v", err)
	} else if !ok {
		w.Header().Set("x-ms-workflow-name", name)
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
	items, err := engine.SplitTrigger(ent.def, outs)
	if err != nil {
		return errorf(http.StatusBadRequest, "InvalidTemplate", "%v", err)
	}
	// The run must be durable even if the caller goes away now.
	ctx := context.WithoutCancel(r.Context())
	sync := ent.hasResp && t.SplitOn == ""
	ids := make([]string, 0, len(items))
	var respc <-chan *engine.Response
	for _, it := range items {
		so := engine.StartOptions{Trigger: it, TriggerName: t.Name, Parameters: ent.params}
		var id string
		var err error
		if sync {
			var stop func()
			id, respc, stop, err = s.eng.StartRunResponse(ctx, name, ent.wf.Version, so)
			if err == nil {
				defer stop()
			}
		} else {
			id, err = s.eng.StartRun(ctx, name, ent.wf.Version, so)
		}
		if err != nil {
			return fmt.Errorf("starting run of %s: %w", name, err)
		}
		ids = append(ids, id)
	}
	h := w.Header()
	h.Set("x-ms-workflow-run-id", ids[0])
	h.Set("x-ms-workflow-name", name)
	h.Set("x-ms-workflow-version", ent.wf.Version)
	tracking := r.Header.Get("x-ms-client-tracking-id")
	if tracking == "" {
		tracking = ids[0]
	}
	h.Set("x-ms-tracking-id", tracking)
	s.log.Debug("trigger fired", "workflow", name, "trigger", t.Name, "run_id", ids[0], "runs", len(ids))
	if !sync {
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	var resp *engine.Response
	select {
	case resp = <-respc:
	case <-r.Context().Done():
		return r.Context().Err()
	case <-timer.C:
		return errorf(http.StatusBadGateway, "ResponseTimeout",
			"the workflow run '%s' did not reach its Response action within %s; the run goes on", ids[0], s.timeout)
	}
	if resp == nil {
		return errorf(http.StatusBadGateway, "NoResponse",
			"the workflow run '%s' ended without running its Response action", ids[0])
	}
	writeResponse(w, resp)
	return nil
}

// matchRelativePath matches a relative path template ("/orders/{id}")
// against the path after /invoke/ and returns the parameters.
func matchRelativePath(tmpl, path string) (*expr.Object, bool) {
	ts := strings.Split(strings.Trim(tmpl, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(ps) {
		return nil, false
	}
	out := expr.NewObject(len(ts))
	for i, seg := range ts {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			if ps[i] == "" {
				return nil, false
			}
			out.Set(seg[1:len(seg)-1], ps[i])
			continue
		}
		if !strings.EqualFold(seg, ps[i]) {
			return nil, false
		}
	}
	return out, true
}

func isJSONType(ctype string) bool {
	mt, _, _ := mime.ParseMediaType(ctype)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// decodeBody gives a request body its value model form: JSON for JSON
// content (or untyped bodies that parse), a string for text, and the
// Logic Apps binary form {$content-type, $content} otherwise.
func decodeBody(ctype string, data []byte) any {
	if len(data) == 0 {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(ctype)
	switch {
	case mt == "" || isJSONType(ctype):
		if v, err := expr.Decode(data); err == nil {
			return v
		}
		return string(data)
	case strings.HasPrefix(mt, "text/") || mt == "application/xml" || mt == "application/x-www-form-urlencoded":
		return string(data)
	}
	o := expr.NewObject(2)
	o.Set("$content-type", ctype)
	o.Set("$content", base64.StdEncoding.EncodeToString(data))
	return o
}

func validateBody(sch *jsonschema.Schema, data []byte, body any) error {
	var inst any
	if _, ok := body.(string); ok || body == nil {
		inst = body
		if body == nil {
			inst = nil
		}
	} else {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return errorf(http.StatusBadRequest, "InvalidJSON", "the request body is not valid JSON")
		}
		inst = v
	}
	err := sch.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return &Error{Status: http.StatusBadRequest, Code: "TriggerInputSchemaMismatch", Detail: "the request body does not match the trigger's schema", Err: err}
	}
	e := &Error{Status: http.StatusBadRequest, Code: "TriggerInputSchemaMismatch", Detail: "the request body does not match the trigger's schema"}
	for _, u := range ve.BasicOutput().Errors {
		if u.Error == nil || u.InstanceLocation == "" && strings.Contains(u.Error.String(), "validation failed") {
			continue
		}
		msg := u.Error.String()
		if msg == "" {
			continue
		}
		path := "$" + strings.ReplaceAll(u.InstanceLocation, "/", ".")
		e.Errors = append(e.Errors, ProblemError{Path: path, Message: msg})
	}
	if len(e.Errors) == 0 {
		e.Errors = []ProblemError{{Path: "$", Message: err.Error()}}
	}
	return e
}

// headerObject gives request headers as the trigger outputs show them.
func headerObject(h http.Header) *expr.Object {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	o := expr.NewObject(len(keys))
	for _, k := range keys {
		o.Set(k, strings.Join(h[k], ","))
	}
	return o
}

func queryObject(q map[string][]string) *expr.Object {
	var keys []string
	for k := range q {
		if !signatureParams[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Strings(keys)
	o := expr.NewObject(len(keys))
	for _, k := range keys {
		o.Set(k, strings.Join(q[k], ","))
	}
	return o
}

// writeResponse writes a Response action's reply.
func writeResponse(w http.ResponseWriter, resp *engine.Response) {
	h := w.Header()
	for k, v := range stringMap(resp.Headers) {
		h.Set(k, v)
	}
	var payload []byte
	// The body is usually the value model already (*expr.Object): look for
	// the binary form on it directly instead of a JSON round trip, and
	// encode it once.
	body := resp.Body
	switch body.(type) {
	case nil, string, *expr.Object, []any, bool, int64, float64:
	default:
		body = normalize(body)
	}
	switch b := body.(type) {
	case nil:
	case string:
		payload = []byte(b)
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", "text/plain; charset=utf-8")
		}
	default:
		if ct, c, ok := binaryBody(b); ok {
			if raw, err := base64.StdEncoding.DecodeString(c); err == nil {
				payload = raw
				if h.Get("Content-Type") == "" {
					h.Set("Content-Type", ct)
				}
				break
			}
		}
		payload = mustJSON(resp.Body)
	}
	if payload != nil && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	status := int(resp.StatusCode)
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(payload)
}

// binaryBody returns the parts of the Logic Apps binary form
// {$content-type, $content}.
func binaryBody(v any) (ctype, content string, ok bool) {
	var ct, c any
	switch o := v.(type) {
	case *expr.Object:
		ct, _ = o.Get("$content-type")
		c, _ = o.Get("$content")
	case map[string]any:
		ct, c = o["$content-type"], o["$content"]
	default:
		return "", "", false
	}
	ctype, ok1 := ct.(string)
	content, ok2 := c.(string)
	return ctype, content, ok1 && ok2
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(fmt.Sprintf("%q", fmt.Sprint(v)))
	}
	return b
}

// normalize turns a value (value model or decoded JSON) into plain Go
// JSON values.
func normalize(v any) any {
	switch v.(type) {
	case nil, string:
		return v
	}
	var out any
	if err := json.Unmarshal(mustJSON(v), &out); err != nil {
		return v
	}
	return out
}

// stringMap gives a headers value as strings.
func stringMap(v any) map[string]string {
	m, ok := normalize(v).(map[string]any)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, x := range m {
		switch xv := x.(type) {
		case string:
			out[k] = xv
		case nil:
		default:
			out[k] = strings.Trim(string(mustJSON(xv)), `"`)
		}
	}
	return out
}
