// SPDX-License-Identifier: Apache-2.0

package connector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestKindForStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		want   ErrorKind
	}{
		{200, KindUnknown}, {302, KindUnknown}, {400, KindBadRequest}, {401, KindUnauthenticated},
		{403, KindUnauthenticated}, {404, KindNotFound}, {408, KindRetryable}, {409, KindBadRequest},
		{410, KindNotFound}, {429, KindThrottled}, {500, KindRetryable}, {503, KindRetryable},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			t.Parallel()
			if got := KindForStatus(tt.status); got != tt.want {
				t.Errorf("KindForStatus(%d) = %v, want %v", tt.status, got, tt.want)
			}
		})
	}
}

func TestKindOf(t *testing.T) {
	t.Parallel()
	throttled := &Error{Kind: KindThrottled, RetryAfter: 3 * time.Second, Message: "slow down"}
	tests := []struct {
		name string
		err  error
		want ErrorKind
	}{
		{"nil-free plain error", errors.New("x"), KindUnknown},
		{"direct", throttled, KindThrottled},
		{"wrapped", fmt.Errorf("calling: %w", throttled), KindThrottled},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), KindRetryable},
		{"cancelled", context.Canceled, KindUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := KindOf(tt.err); got != tt.want {
				t.Errorf("KindOf = %v, want %v", got, tt.want)
			}
		})
	}
	if d, ok := RetryAfterOf(fmt.Errorf("w: %w", throttled)); !ok || d != 3*time.Second {
		t.Errorf("RetryAfterOf = %v, %v", d, ok)
	}
	if got := throttled.Error(); got != "slow down (throttled)" {
		t.Errorf("Error() = %q", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"5", 5 * time.Second, true}, {"-1", 0, false}, {"soon", 0, false},
		{"Thu, 01 Jan 2026 00:00:30 GMT", 30 * time.Second, true},
		{"Wed, 31 Dec 2025 00:00:00 GMT", 0, true},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestIDs(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Adobe Sign (EU)": "adobe_sign_eu", "3E Events": "3e_events", "  ": "connector", "sftp": "sftp",
	} {
		if got := SanitizeID(in); got != want || !ValidID(got) {
			t.Errorf("SanitizeID(%q) = %q, want %q (valid)", in, got, want)
		}
	}
	for id, valid := range map[string]bool{
		"github": true, "github.issue.create": true, "a_b.c_d": true,
		"": false, "GitHub": false, "a__b": false, "_a": false, "a.": false, "a-b": false,
	} {
		if ValidID(id) != valid {
			t.Errorf("ValidID(%q) = %v, want %v", id, !valid, valid)
		}
	}
}

type fakeProvider struct{ spec Spec }

func (f fakeProvider) Spec() Spec { return f.spec }
func (f fakeProvider) Invoke(context.Context, Connection, string, Input) (Output, error) {
	return Output{StatusCode: 200}, nil
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	r := NewRegistry()
	ok := fakeProvider{Spec{ID: "demo", Operations: []Operation{
		{ID: "get", Kind: KindAction}, {ID: "onNew", Kind: KindTrigger, Trigger: TriggerPoll},
	}}}
	if err := r.Register(ok); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(ok); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Errorf("duplicate register: %v", err)
	}
	if _, found := r.Lookup("demo"); !found {
		t.Error("Lookup(demo) not found")
	}
	bad := []Spec{
		{ID: "Bad"},
		{ID: "x", Operations: []Operation{{ID: "a", Kind: KindAction}, {ID: "a", Kind: KindAction}}},
		{ID: "x", Operations: []Operation{{ID: "t", Kind: KindTrigger}}},
		{ID: "x", Operations: []Operation{{ID: "a", Kind: KindAction, Trigger: TriggerPush}}},
		{ID: "x", Operations: []Operation{{Kind: KindAction}}},
	}
	for i, s := range bad {
		if err := r.Register(fakeProvider{s}); err == nil {
			t.Errorf("bad spec %d registered", i)
		}
	}
	if got := r.IDs(); len(got) != 1 || got[0] != "demo" {
		t.Errorf("IDs = %v", got)
	}
	if !r.Remove("demo") || r.Remove("demo") {
		t.Error("Remove did not report presence correctly")
	}
}

func TestConnectionRedactsItself(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	c := Connection{Name: "mine", Values: map[string]any{"api_key": "s3cr3t-value"}}
	log.Info("calling", "conn", c)
	if strings.Contains(buf.String(), "s3cr3t-value") || !strings.Contains(buf.String(), "api_key") {
		t.Errorf("log line %q leaks the secret or lacks the parameter name", buf.String())
	}
	if c.String("api_key") != "s3cr3t-value" || c.String("nope") != "" {
		t.Error("Connection.String")
	}
}

func TestPolicyAppliesTo(t *testing.T) {
	t.Parallel()
	all := PolicyInstance{TemplateID: "setheader"}
	some := PolicyInstance{TemplateID: "setheader", Operations: []string{"A"}}
	if !all.AppliesTo("X") || !some.AppliesTo("A") || some.AppliesTo("B") {
		t.Error("AppliesTo")
	}
}

func TestLogging(t *testing.T) {
	t.Parallel()
	var g Logging
	if g.Logger() == nil {
		t.Fatal("zero Logging returned a nil logger")
	}
	g.Logger().Error("dropped") // must not panic or print
	var buf bytes.Buffer
	g.SetLogger(slog.New(slog.NewTextHandler(&buf, nil)))
	g.Logger().Warn("kept")
	if !strings.Contains(buf.String(), "kept") {
		t.Errorf("SetLogger's logger was not used: %q", buf.String())
	}
	g.SetLogger(nil)
	if g.Logger() == nil {
		t.Error("SetLogger(nil) left a nil logger")
	}
}
