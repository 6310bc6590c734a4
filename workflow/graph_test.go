// SPDX-License-Identifier: Apache-2.0

package workflow

import (
	"strings"
	"testing"
)

func names(as []*Action) string {
	var out []string
	for _, a := range as {
		out = append(out, a.Name)
	}
	return strings.Join(out, ",")
}

func TestGraph(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		actions string
		start   string
		order   string
		succ    map[string]string
		cycle   string
	}{
		{"empty", `{}`, "", "", nil, ""},
		{"chain written backwards", `{
			"C": {"type": "Compose", "inputs": 1, "runAfter": {"B": ["Succeeded"]}},
			"B": {"type": "Compose", "inputs": 1, "runAfter": {"A": ["Succeeded"]}},
			"A": {"type": "Compose", "inputs": 1, "runAfter": {}}}`,
			"A", "A,B,C", map[string]string{"A": "B", "b": "C", "C": ""}, ""},
		{"parallel branches and a join", `{
			"Start": {"type": "Compose", "inputs": 1},
			"Right": {"type": "Compose", "inputs": 1, "runAfter": {"Start": ["Succeeded"]}},
			"Left": {"type": "Compose", "inputs": 1, "runAfter": {"Start": ["Succeeded"]}},
			"Join": {"type": "Compose", "inputs": 1, "runAfter": {"Left": ["Succeeded"], "Right": ["Failed"]}},
			"Other": {"type": "Compose", "inputs": 1}}`,
			"Start,Other", "Start,Right,Left,Join,Other", map[string]string{"Start": "Right,Left", "Left": "Join"}, ""},
		{"unknown names are ignored", `{"A": {"type": "Compose", "inputs": 1, "runAfter": {"Nope": []}}}`,
			"", "A", nil, ""},
		{"cycle", `{
			"A": {"type": "Compose", "inputs": 1},
			"B": {"type": "Compose", "inputs": 1, "runAfter": {"A": [], "D": []}},
			"C": {"type": "Compose", "inputs": 1, "runAfter": {"B": []}},
			"D": {"type": "Compose", "inputs": 1, "runAfter": {"C": []}}}`,
			"A", "", nil, "B,C,D"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Decode([]byte(`{"actions": ` + tt.actions + `}`))
			if err != nil {
				t.Fatal(err)
			}
			l := d.Actions
			if got := names(l.Start()); got != tt.start {
				t.Errorf("start %q, want %q", got, tt.start)
			}
			if got := names(l.Order()); got != tt.order {
				t.Errorf("order %q, want %q", got, tt.order)
			}
			for n, want := range tt.succ {
				if got := names(l.Successors(n)); got != want {
					t.Errorf("successors(%s) %q, want %q", n, got, want)
				}
			}
			if got := names(l.Cycle()); got != tt.cycle {
				t.Errorf("cycle %q, want %q", got, tt.cycle)
			}
		})
	}
}

func TestGraphNested(t *testing.T) {
	t.Parallel()
	d, err := Decode([]byte(`{"actions": {
		"Scope": {"type": "Scope", "actions": {
			"In2": {"type": "Compose", "inputs": 1, "runAfter": {"In1": ["Succeeded"]}},
			"In1": {"type": "Compose", "inputs": 1}}},
		"After": {"type": "Compose", "inputs": 1, "runAfter": {"Scope": ["Failed", "TimedOut"]}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	s := d.Action("scope")
	if got := names(s.Actions.Order()); got != "In1,In2" {
		t.Errorf("nested order %q", got)
	}
	if got := names(s.Successors()); got != "After" {
		t.Errorf("scope successors %q", got)
	}
	in1 := d.Action("IN1")
	if in1.List != s.Actions || in1.Parent != s || names(in1.Successors()) != "In2" {
		t.Errorf("In1 %+v", in1)
	}
	if got := names(d.Actions.Predecessors(d.Action("After"))); got != "Scope" {
		t.Errorf("predecessors %q", got)
	}
	if got := names(d.AllActions()); got != "Scope,In2,In1,After" {
		t.Errorf("all %q", got)
	}
}
