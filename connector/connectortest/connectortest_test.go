// SPDX-License-Identifier: Apache-2.0

package connectortest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/connectortest"
)

// memory is a tiny provider over a shared list: an Echo action and a
// polling trigger OnNew that returns the entries added since the cursor.
type memory struct {
	store *store
}

type store struct {
	mu    sync.Mutex
	items []string
}

func (s *store) add(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for range n {
		k := "item" + strconv.Itoa(len(s.items))
		s.items = append(s.items, k)
		keys = append(keys, k)
	}
	return keys
}

func (m *memory) Spec() connector.Spec {
	return connector.Spec{
		ID: "memory", Title: "Memory", Description: "Test provider.",
		ConnectionParameters: []connector.ConnectionParameter{{Name: "api_key", Type: connector.TypeSecureString, DisplayName: "API key"}},
		Operations: []connector.Operation{
			{ID: "Echo", Kind: connector.KindAction, Method: "GET", Path: "/echo", Summary: "Echo", Description: "Returns its input.",
				Parameters: []connector.Param{{Name: "text", In: connector.InQuery, Description: "text", Schema: json.RawMessage(`{"type":"string"}`)}},
				Responses:  []connector.Response{{Status: "200", Schema: json.RawMessage(`{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}`)}}},
			{ID: "OnNew", Kind: connector.KindTrigger, Trigger: connector.TriggerPoll, Summary: "On new", Description: "New items.",
				Responses: []connector.Response{{Status: "200", Schema: json.RawMessage(`{"type":"array"}`)}}},
		},
	}
}

func (m *memory) Invoke(ctx context.Context, conn connector.Connection, op string, in connector.Input) (connector.Output, error) {
	if err := ctx.Err(); err != nil {
		return connector.Output{}, err
	}
	if op != "Echo" {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "unknown operation %s", op)
	}
	if conn.String("api_key") != "good-key-123" {
		return connector.Output{}, connector.Errorf(connector.KindUnauthenticated, "wrong key")
	}
	text, _ := in.Parameters["text"].(string)
	if text == "" {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "text is required")
	}
	return connector.Output{StatusCode: 200, Body: map[string]any{"text": text}}, nil
}

func (m *memory) Poll(ctx context.Context, conn connector.Connection, op string, in connector.Input, state json.RawMessage) (connector.PollResult, error) {
	if err := ctx.Err(); err != nil {
		return connector.PollResult{}, err
	}
	m.store.mu.Lock()
	defer m.store.mu.Unlock()
	n := len(m.store.items)
	if state == nil {
		return connector.PollResult{State: json.RawMessage(strconv.Itoa(n))}, nil
	}
	from, err := strconv.Atoi(string(state))
	if err != nil {
		return connector.PollResult{}, fmt.Errorf("bad state: %w", err)
	}
	var items []any
	for _, k := range m.store.items[from:] {
		items = append(items, k)
	}
	return connector.PollResult{Items: items, State: json.RawMessage(strconv.Itoa(n))}, nil
}

func (m *memory) Close(context.Context) error { return nil }

var (
	_ connector.Poller = (*memory)(nil)
	_ connector.Closer = (*memory)(nil)
)

func options(s *store) connectortest.Options {
	bad := connector.Connection{Values: map[string]any{"api_key": "bad-key-456"}}
	return connectortest.Options{
		Connection:    connector.Connection{Values: map[string]any{"api_key": "good-key-123"}},
		BadConnection: &bad,
		Cases: []connectortest.Case{
			{Operation: "Echo", Input: connector.Input{Parameters: map[string]any{"text": "hi"}}, WantStatus: 200},
			{Name: "missing text", Operation: "Echo", WantKind: connector.KindBadRequest},
			{Name: "bad key", Operation: "Echo", Input: connector.Input{Parameters: map[string]any{"text": "hi"}}, UseBadConnection: true, WantKind: connector.KindUnauthenticated},
		},
		Triggers: []connectortest.TriggerCase{{
			Operation: "OnNew",
			Add:       func(t testing.TB, n int) []string { return s.add(n) },
			Key:       func(t testing.TB, item any) string { return item.(string) },
		}},
	}
}

func TestRunPasses(t *testing.T) {
	t.Parallel()
	s := &store{}
	connectortest.Run(t, func() connector.Provider { return &memory{store: s} }, options(s))
}
