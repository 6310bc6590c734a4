// SPDX-License-Identifier: Apache-2.0

package policy

import (
	"bytes"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
)

// nextLinkKey is the triggerConfig key naming the next-page property.
const nextLinkKey = "x-ms-triggerConfig-nextLink"

// PollingTrigger is the configuration of a pollingtrigger instance: the
// gateway-side polling protocol for a plain list endpoint. The query
// parameters of triggerConfig that refer to @triggerBody() are computed from
// the previous poll's response; the others are sent on every poll.
type PollingTrigger struct {
	keys   []string
	config map[string]*Template
	// DataPath locates the new items in a response (triggerDataPath).
	DataPath *Expr
	// NextLinkName is the response property holding a next-page link
	// (x-ms-triggerConfig-nextLink, default "@odata.nextLink").
	NextLinkName string
}

func compilePolling(in *instance) error {
	p := &PollingTrigger{config: map[string]*Template{}, NextLinkName: "@odata.nextLink"}
	raw, ok := in.param("triggerConfig")
	if !ok || raw == nil {
		return in.errorf("triggerConfig", "required")
	}
	cfg, ok := raw.(map[string]any)
	if !ok {
		if s, isStr := raw.(string); isStr && json.Unmarshal([]byte(s), &cfg) == nil {
			ok = true
		}
	}
	if !ok {
		return in.errorf("triggerConfig", "want an object of query parameter templates")
	}
	for k, v := range cfg {
		s, isStr := v.(string)
		if !isStr {
			s = Stringify(v)
		}
		if k == nextLinkKey {
			p.NextLinkName = s
			continue
		}
		t, err := ParseTemplate(s)
		if err != nil {
			return in.wrap("triggerConfig."+k, err)
		}
		p.config[k] = t
		p.keys = append(p.keys, k)
	}
	sort.Strings(p.keys)
	var err error
	if p.DataPath, err = in.path("triggerDataPath", true); err != nil {
		return err
	}
	in.polling = p
	return nil
}

// StaticQuery returns the query parameters that do not depend on the
// previous response, evaluated against the connection values.
func (p *PollingTrigger) StaticQuery(conn map[string]any) (url.Values, error) {
	q := url.Values{}
	for _, k := range p.keys {
		t := p.config[k]
		if t.uses(fnTriggerBody) {
			continue
		}
		v, err := t.EvalString(&Scope{Conn: conn})
		if err != nil {
			return nil, &Error{TemplateID: "pollingtrigger", Param: "triggerConfig." + k, Err: err}
		}
		q.Set(k, v)
	}
	return q, nil
}

// NextQuery computes the state-carrying query parameters from a poll's
// response body. A parameter whose @triggerBody() references are missing in
// the body is left out, so the caller keeps its previous value.
func (p *PollingTrigger) NextQuery(conn map[string]any, body any) map[string]string {
	out := map[string]string{}
	sc := &Scope{Conn: conn, TriggerBody: body}
	for _, k := range p.keys {
		t := p.config[k]
		if !t.uses(fnTriggerBody) {
			continue
		}
		complete := true
		for _, pt := range t.parts {
			if pt.kind == partExpr && pt.expr.Func == fnTriggerBody {
				if v, ok := GetPath(body, pt.expr.Path); !ok || v == nil {
					complete = false
				}
			}
		}
		if !complete {
			continue
		}
		if v, err := t.EvalString(sc); err == nil {
			out[k] = v
		}
	}
	return out
}

// Items returns the items at DataPath in a response body: the array's
// elements, a single non-array value as one item, nothing when absent.
func (p *PollingTrigger) Items(body any) []any {
	v, ok := GetPath(body, p.DataPath.Path)
	if !ok || v == nil {
		return nil
	}
	if arr, ok := v.([]any); ok {
		return arr
	}
	return []any{v}
}

// decodeJSON decodes text into plain values, numbers as json.Number.
func decodeJSON(s string) (any, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, errTrailing
	}
	return v, nil
}

type jsonError string

func (e jsonError) Error() string { return string(e) }

const errTrailing = jsonError("trailing data after JSON value")

func marshalJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}
