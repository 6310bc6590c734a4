// SPDX-License-Identifier: Apache-2.0

package rest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/junction-run/junction/connector"
)

// pollState is the cursor a polling trigger keeps between polls.
type pollState struct {
	// Location is the next poll URL the service gave (Location header).
	Location string `json:"location,omitempty"`
	// Query holds the pollingtrigger parameters computed from the last
	// response (triggerConfig entries that read @triggerBody()).
	Query map[string]string `json:"query,omitempty"`
	// Initialized is set once a pollingtrigger has taken its baseline.
	Initialized bool `json:"initialized,omitempty"`
}

// Poll runs one poll of a polling trigger.
//
// Without a pollingtrigger policy the service speaks the polling protocol
// itself: 202 means nothing new (a Location header, if any, is the next poll
// URL, kept in the state); a 2xx with a body means new items (the array named
// by x-ms-pageable itemsName, else "value", else the body itself), and its
// Location header, if any, is the next poll URL. Retry-After becomes
// [connector.PollResult.RetryAfter].
//
// With a pollingtrigger policy Junction plays the gateway's part for a plain
// list endpoint: the first poll takes a baseline and returns no items; each
// later poll sends the triggerConfig query parameters computed from the
// previous response and returns the items at triggerDataPath; an empty
// result leaves the state unchanged.
func (p *Provider) Poll(ctx context.Context, conn connector.Connection, operationID string, in connector.Input, state json.RawMessage) (connector.PollResult, error) {
	var st pollState
	if s := strings.TrimSpace(string(state)); s != "" && s != "null" {
		if err := json.Unmarshal(state, &st); err != nil {
			return connector.PollResult{}, connector.Errorf(connector.KindBadRequest, "trigger %s: polling state is not valid: %v", operationID, err)
		}
	}
	pt, err := p.policies.PollingTrigger(operationID)
	if err != nil {
		return connector.PollResult{}, &connector.Error{Kind: connector.KindBadRequest, Message: operationID, Err: err}
	}
	hook := &pollHook{location: st.Location}
	if pt != nil {
		q, err := pt.StaticQuery(conn.Values)
		if err != nil {
			return connector.PollResult{}, p.redactor(conn).err(&connector.Error{Kind: connector.KindBadRequest, Message: operationID, Err: err})
		}
		for k, v := range st.Query {
			q.Set(k, v)
		}
		hook.query = q
	}
	out, x, err := p.call(ctx, conn, operationID, in, hook)
	if err != nil {
		return connector.PollResult{}, err
	}
	var res connector.PollResult
	if d, ok := connector.ParseRetryAfter(out.Headers.Get("Retry-After"), p.now()); ok {
		res.RetryAfter = d
	}
	location := func() string {
		loc := out.Headers.Get("Location")
		if loc == "" {
			return ""
		}
		if u, err := x.Request.URL().Parse(loc); err == nil {
			return u.String()
		}
		return ""
	}
	switch {
	case out.StatusCode == http.StatusAccepted:
		if loc := location(); loc != "" {
			st.Location = loc
		}
	case pt != nil:
		items := pt.Items(out.Body)
		if !st.Initialized || len(items) > 0 {
			if st.Query == nil {
				st.Query = map[string]string{}
			}
			for k, v := range pt.NextQuery(conn.Values, out.Body) {
				st.Query[k] = v
			}
		}
		if st.Initialized {
			res.Items = items
		}
		st.Initialized = true
	default:
		res.Items = p.items(operationID, out.Body)
		st.Location = location()
	}
	res.State, err = json.Marshal(st)
	if err != nil {
		return connector.PollResult{}, err
	}
	return res, nil
}

// items finds the new items in a trigger response body.
func (p *Provider) items(operationID string, body any) []any {
	if body == nil {
		return nil
	}
	name := "value"
	if op, ok := p.ops[operationID]; ok && op.op.Pagination != nil && op.op.Pagination.ItemsName != "" {
		name = op.op.Pagination.ItemsName
	}
	switch b := body.(type) {
	case []any:
		return b
	case map[string]any:
		if v, ok := b[name]; ok {
			if arr, ok := v.([]any); ok {
				return arr
			}
			if v == nil {
				return nil
			}
			return []any{v}
		}
	case string:
		if strings.TrimSpace(b) == "" {
			return nil
		}
	}
	return []any{body}
}
