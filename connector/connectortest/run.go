// SPDX-License-Identifier: Apache-2.0

package connectortest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/junction-run/junction/connector"
)

// CancelGrace is how long a call may take to return once its context is
// cancelled.
const CancelGrace = 2 * time.Second

// callTimeout bounds any single call, so a hung provider fails the test
// instead of hanging it.
const callTimeout = 2 * time.Minute

// constructBudget is how long a constructor may take; it must do no I/O.
const constructBudget = time.Second

// Run runs the conformance suite against the providers factory builds. Each
// call to factory must return a new, unconfigured provider.
func Run(t *testing.T, factory func() connector.Provider, opts Options) {
	t.Helper()
	s := &suite{factory: factory, opts: opts, logs: &syncBuffer{}}
	s.secrets = collectSecrets(factory().Spec(), opts)

	// Lifecycle first and alone: NoSideEffects must not see fixtures' work.
	t.Run("lifecycle", s.lifecycle)
	t.Run("spec", s.spec)
	t.Run("actions", s.actions)
	t.Run("triggers", s.triggers)
	t.Run("logs", func(t *testing.T) {
		s.checkNoSecret(t, "log output", s.logs.String())
	})
}

type suite struct {
	factory func() connector.Provider
	opts    Options
	secrets []string
	logs    *syncBuffer
}

// secretWords are connection parameter names that hold credentials; such a
// parameter must be a securestring.
var secretWords = []string{"password", "passwd", "secret", "token", "apikey", "api_key", "privatekey", "private_key", "passphrase", "credential"}

func collectSecrets(spec connector.Spec, opts Options) []string {
	var out []string
	add := func(v string) {
		// Very short values would match everywhere by chance.
		if len(v) >= 4 && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	conns := []connector.Connection{opts.Connection}
	if opts.BadConnection != nil {
		conns = append(conns, *opts.BadConnection)
	}
	for _, c := range conns {
		for name := range c.Values {
			if p, ok := spec.ConnectionParameter(name); ok && p.Secret() {
				add(c.String(name))
			}
		}
	}
	for _, v := range opts.Secrets {
		add(v)
	}
	return out
}

// newProvider builds a provider wired to the suite's log capture and
// initialised, closing it when the test ends.
func (s *suite) newProvider(t testing.TB) connector.Provider {
	t.Helper()
	p := s.factory()
	if ls, ok := p.(connector.LoggerSetter); ok {
		ls.SetLogger(slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}
	if in, ok := p.(connector.Initializer); ok {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		if err := in.Init(ctx); err != nil {
			s.checkNoSecret(t, "Init error", err.Error())
			t.Fatalf("Init: %v", err)
		}
	}
	if c, ok := p.(connector.Closer); ok {
		t.Cleanup(func() {
			if err := c.Close(context.Background()); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	return p
}

func (s *suite) checkNoSecret(t testing.TB, what, text string) {
	t.Helper()
	for _, sec := range s.secrets {
		if strings.Contains(text, sec) {
			t.Errorf("%s contains a secret connection parameter value (%d bytes)", what, len(sec))
		}
	}
}

// ---------------------------------------------------------------- spec

func (s *suite) spec(t *testing.T) {
	p := s.factory()
	spec := p.Spec()
	if err := spec.Validate(); err != nil {
		t.Fatalf("Spec.Validate: %v", err)
	}
	if spec.Title == "" || spec.Description == "" {
		t.Errorf("connector %s needs a title and a description", spec.ID)
	}
	params := slices.Clone(spec.ConnectionParameters)
	for _, ps := range spec.ParameterSets {
		params = append(params, ps.Parameters...)
	}
	for _, cp := range params {
		lower := strings.ToLower(cp.Name)
		for _, w := range secretWords {
			if strings.Contains(lower, w) && !cp.Secret() {
				t.Errorf("connection parameter %q looks like a credential but is %q, not securestring", cp.Name, cp.Type)
			}
		}
		if cp.Description == "" && cp.DisplayName == "" {
			t.Errorf("connection parameter %q has neither a display name nor a description", cp.Name)
		}
	}
	_, isPoller := p.(connector.Poller)
	_, isSubscriber := p.(connector.Subscriber)
	_, isListener := p.(connector.Listener)
	for _, op := range spec.Operations {
		t.Run(op.ID, func(t *testing.T) {
			t.Parallel()
			if op.Summary == "" || op.Description == "" {
				t.Errorf("operation %s needs a summary and a description", op.ID)
			}
			for _, prm := range op.Parameters {
				if len(prm.Schema) == 0 {
					t.Errorf("parameter %s has no schema", prm.Name)
					continue
				}
				if _, err := compileSchema(prm.Schema); err != nil {
					t.Errorf("parameter %s: schema does not compile: %v", prm.Name, err)
				}
				if prm.Description == "" && prm.Summary == "" {
					t.Errorf("parameter %s is not documented (summary or description)", prm.Name)
				}
			}
			if op.Kind == connector.KindAction {
				// The engine's ApiConnection action finds an operation by
				// method and path template.
				if op.Method == "" || op.Path == "" {
					t.Errorf("action %s has no method and path: an ApiConnection action cannot call it", op.ID)
				}
				for _, name := range pathParams(op.Path) {
					if prm, ok := op.Param(name); !ok || prm.In != connector.InPath {
						t.Errorf("path %s: {%s} is not a declared path parameter", op.Path, name)
					}
				}
			}
			ok2xx := false
			for _, r := range op.Responses {
				if strings.HasPrefix(r.Status, "2") {
					ok2xx = true
				}
				if len(r.Schema) > 0 {
					if _, err := compileSchema(r.Schema); err != nil {
						t.Errorf("response %s: schema does not compile: %v", r.Status, err)
					}
				}
			}
			if !ok2xx {
				t.Errorf("operation %s declares no 2xx response", op.ID)
			}
			switch {
			case op.Trigger == connector.TriggerPoll && !isPoller:
				t.Errorf("polling trigger %s but the provider is not a connector.Poller", op.ID)
			case op.Trigger == connector.TriggerPush && !isSubscriber && !isListener:
				t.Errorf("push trigger %s but the provider is neither a connector.Subscriber nor a connector.Listener", op.ID)
			}
		})
	}
	// Every declared fixture names a real operation of the right kind.
	for _, c := range s.opts.Cases {
		if op, ok := spec.Operation(c.Operation); !ok || op.Kind != connector.KindAction {
			t.Errorf("case %q: %s is not an action of the spec", c.Name, c.Operation)
		}
	}
	for _, c := range s.opts.Triggers {
		if op, ok := spec.Operation(c.Operation); !ok || op.Trigger != connector.TriggerPoll {
			t.Errorf("trigger case %q: %s is not a polling trigger of the spec", c.Name, c.Operation)
		}
	}
}

// pathParams returns the {names} of a path template.
func pathParams(tmpl string) []string {
	var out []string
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			return out
		}
		out = append(out, tmpl[i+1:i+j])
		tmpl = tmpl[i+j+1:]
	}
}

// ---------------------------------------------------------------- lifecycle

func (s *suite) lifecycle(t *testing.T) {
	start := time.Now()
	p := s.factory()
	if d := time.Since(start); d > constructBudget {
		t.Errorf("constructor took %v: it must not do I/O (connect in Init)", d)
	}
	a, _ := json.Marshal(p.Spec())
	b, _ := json.Marshal(p.Spec())
	if !bytes.Equal(a, b) {
		t.Errorf("Spec returns different values on two calls")
	}
	ctx := t.Context()
	if c, ok := p.(connector.Closer); ok {
		for i := range 2 {
			if err := c.Close(ctx); err != nil {
				t.Errorf("Close #%d without Init: %v", i+1, err)
			}
		}
	}
	if s.opts.NoSideEffects != nil {
		s.opts.NoSideEffects(t)
	}
	p2 := s.factory()
	if in, ok := p2.(connector.Initializer); ok {
		if err := in.Init(ctx); err != nil {
			t.Fatalf("Init: %v", err)
		}
	}
	if c, ok := p2.(connector.Closer); ok {
		for i := range 2 {
			if err := c.Close(ctx); err != nil {
				t.Errorf("Close #%d after Init: %v", i+1, err)
			}
		}
	}
}

// ---------------------------------------------------------------- actions

type result struct {
	out connector.Output
	err error
}

// invoke calls the operation in a goroutine so a provider that hangs fails
// the test; it returns how long the call took.
func invoke(ctx context.Context, p connector.Provider, conn connector.Connection, op string, in connector.Input) (connector.Output, error, bool) {
	ch := make(chan result, 1)
	go func() {
		out, err := p.Invoke(ctx, conn, op, in)
		ch <- result{out, err}
	}()
	select {
	case r := <-ch:
		return r.out, r.err, true
	case <-time.After(callTimeout):
		return connector.Output{}, nil, false
	}
}

func (s *suite) actions(t *testing.T) {
	p := s.newProvider(t)
	spec := p.Spec()

	t.Run("unknown_operation", func(t *testing.T) {
		_, err, _ := invoke(t.Context(), p, s.opts.Connection, "NoSuchOperation", connector.Input{})
		if k := connector.KindOf(err); k != connector.KindBadRequest && k != connector.KindNotFound {
			t.Errorf("Invoke of an unknown operation: got %v (kind %v), want a bad_request or not_found error", err, k)
		}
	})
	if s.opts.BadConnection != nil {
		if tester, ok := p.(connector.Tester); ok {
			t.Run("test_connection", func(t *testing.T) {
				if err := tester.Test(t.Context(), s.opts.Connection); err != nil {
					s.checkNoSecret(t, "Test error", err.Error())
					t.Errorf("Test(good connection): %v", err)
				}
				err := tester.Test(t.Context(), *s.opts.BadConnection)
				if err != nil {
					s.checkNoSecret(t, "Test error", err.Error())
				}
				if k := connector.KindOf(err); k != connector.KindUnauthenticated {
					t.Errorf("Test(bad connection): got %v (kind %v), want unauthenticated", err, k)
				}
			})
		}
	}
	for i, c := range s.opts.Cases {
		name := c.Name
		if name == "" {
			name = c.Operation
		}
		t.Run(fmt.Sprintf("%02d_%s", i, name), func(t *testing.T) {
			op, ok := spec.Operation(c.Operation)
			if !ok {
				t.Fatalf("no operation %s", c.Operation)
			}
			conn := s.opts.Connection
			if c.UseBadConnection {
				if s.opts.BadConnection == nil {
					t.Fatalf("case uses the bad connection but Options.BadConnection is nil")
				}
				conn = *s.opts.BadConnection
			}
			if c.WantKind == connector.KindUnknown && !slices.Contains(s.opts.SkipCancel, c.Operation) {
				s.cancelled(t, p, conn, c)
			}
			if c.CancelMidCall || c.CancelOnly {
				s.cancelMidCall(t, p, conn, c)
			}
			if c.CancelOnly {
				return
			}
			if c.Setup != nil {
				c.Setup(t)
			}
			out, err, done := invoke(t.Context(), p, conn, c.Operation, c.Input)
			if !done {
				t.Fatalf("%s did not return within %v", c.Operation, callTimeout)
			}
			if err != nil {
				s.checkNoSecret(t, "error message", err.Error())
			}
			if c.WantKind != connector.KindUnknown {
				if err == nil {
					t.Fatalf("%s succeeded (status %d), want a %v error", c.Operation, out.StatusCode, c.WantKind)
				}
				if k := connector.KindOf(err); k != c.WantKind {
					t.Fatalf("%s: got error %q of kind %v, want kind %v", c.Operation, err, k, c.WantKind)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", c.Operation, err)
			}
			checkOutput(t, op, out, c.WantStatus)
			if c.Check != nil {
				c.Check(t, out)
			}
		})
	}
}

// checkOutput validates out against the operation's declared response.
func checkOutput(t testing.TB, op *connector.Operation, out connector.Output, wantStatus int) {
	t.Helper()
	if wantStatus != 0 && out.StatusCode != wantStatus {
		t.Errorf("status %d, want %d", out.StatusCode, wantStatus)
	}
	if out.StatusCode < 200 || out.StatusCode > 299 {
		t.Errorf("a successful call returned status %d", out.StatusCode)
	}
	var resp *connector.Response
	for i := range op.Responses {
		r := &op.Responses[i]
		if r.Status == strconv.Itoa(out.StatusCode) {
			resp = r
			break
		}
		if r.Status == "default" && resp == nil {
			resp = r
		}
	}
	if resp == nil {
		t.Errorf("status %d is not a declared response of %s", out.StatusCode, op.ID)
		return
	}
	if len(resp.Schema) == 0 {
		return
	}
	sch, err := compileSchema(resp.Schema)
	if err != nil {
		t.Errorf("response %s schema: %v", resp.Status, err)
		return
	}
	v, err := normalize(out.Body)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	if err := sch.Validate(v); err != nil {
		raw, _ := json.Marshal(out.Body)
		if len(raw) > 2000 {
			raw = append(raw[:2000], "..."...)
		}
		t.Errorf("output of %s does not match its declared %s schema: %v\nbody: %s", op.ID, resp.Status, err, raw)
	}
}

// cancelled calls with a context that is already cancelled.
func (s *suite) cancelled(t *testing.T, p connector.Provider, conn connector.Connection, c Case) {
	t.Helper()
	if c.Setup != nil {
		c.Setup(t)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	_, err, done := invoke(ctx, p, conn, c.Operation, c.Input)
	switch {
	case !done || time.Since(start) > CancelGrace:
		t.Errorf("with a cancelled context, %s took %v (want < %v)", c.Operation, time.Since(start), CancelGrace)
	case !errors.Is(err, context.Canceled):
		t.Errorf("with a cancelled context, %s returned %v; want an error wrapping context.Canceled", c.Operation, err)
	}
}

// cancelMidCall cancels the call shortly after it starts.
func (s *suite) cancelMidCall(t *testing.T, p connector.Provider, conn connector.Connection, c Case) {
	t.Helper()
	if c.Setup != nil {
		c.Setup(t)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ch := make(chan result, 1)
	go func() {
		out, err := p.Invoke(ctx, conn, c.Operation, c.Input)
		ch <- result{out, err}
	}()
	select {
	case r := <-ch:
		// Done before we could cancel it: nothing to check.
		if r.err != nil {
			s.checkNoSecret(t, "error message", r.err.Error())
		}
		return
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	select {
	case r := <-ch:
		if r.err != nil && !errors.Is(r.err, context.Canceled) {
			t.Errorf("cancelled mid-call, %s returned %v; want success or an error wrapping context.Canceled", c.Operation, r.err)
		}
	case <-time.After(CancelGrace):
		t.Errorf("cancelled mid-call, %s did not return within %v", c.Operation, CancelGrace)
		<-ch
	}
}

// ---------------------------------------------------------------- triggers

func (s *suite) triggers(t *testing.T) {
	for i, tc := range s.opts.Triggers {
		name := tc.Name
		if name == "" {
			name = tc.Operation
		}
		t.Run(fmt.Sprintf("%02d_%s", i, name), func(t *testing.T) { s.trigger(t, tc) })
	}
}

func (s *suite) poll(t testing.TB, p connector.Provider, tc TriggerCase, state json.RawMessage) (keys []string, next json.RawMessage, items []any) {
	t.Helper()
	poller := p.(connector.Poller)
	ch := make(chan struct {
		r   connector.PollResult
		err error
	}, 1)
	go func() {
		r, err := poller.Poll(t.Context(), s.opts.Connection, tc.Operation, tc.Input, slices.Clone(state))
		ch <- struct {
			r   connector.PollResult
			err error
		}{r, err}
	}()
	var res connector.PollResult
	select {
	case x := <-ch:
		if x.err != nil {
			s.checkNoSecret(t, "poll error", x.err.Error())
			t.Fatalf("Poll %s: %v", tc.Operation, x.err)
		}
		res = x.r
	case <-time.After(callTimeout):
		t.Fatalf("Poll %s did not return within %v", tc.Operation, callTimeout)
	}
	if len(res.State) == 0 {
		t.Fatalf("Poll %s returned no state: the first poll must establish a cursor", tc.Operation)
	}
	if !json.Valid(res.State) {
		t.Fatalf("Poll %s returned a state that is not JSON: %q", tc.Operation, res.State)
	}
	for _, it := range res.Items {
		if _, err := normalize(it); err != nil {
			t.Fatalf("poll item: %v", err)
		}
		keys = append(keys, tc.Key(t, it))
	}
	return keys, res.State, res.Items
}

func sameKeys(t testing.TB, what string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Fatalf("%s: got items %q, want exactly %q", what, g, w)
	}
}

func (s *suite) trigger(t *testing.T, tc TriggerCase) {
	if tc.Add == nil || tc.Key == nil {
		t.Fatalf("trigger case needs Add and Key")
	}
	p := s.newProvider(t)
	if _, ok := p.(connector.Poller); !ok {
		t.Fatalf("provider is not a connector.Poller")
	}

	// A cancelled poll returns promptly with context.Canceled.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	if _, err := p.(connector.Poller).Poll(ctx, s.opts.Connection, tc.Operation, tc.Input, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Poll with a cancelled context returned %v; want an error wrapping context.Canceled", err)
	} else if d := time.Since(start); d > CancelGrace {
		t.Errorf("Poll with a cancelled context took %v", d)
	}

	old := tc.Add(t, 2)
	keys, state, _ := s.poll(t, p, tc, nil)
	if tc.FirstPollReturnsExisting {
		sameKeys(t, "first poll", keys, old)
	} else {
		sameKeys(t, "first poll (establishes the cursor, returns nothing old)", keys, nil)
	}
	keys, state, _ = s.poll(t, p, tc, state)
	sameKeys(t, "poll without changes", keys, nil)

	added := tc.Add(t, 3)
	prev := state
	keys, state, items := s.poll(t, p, tc, state)
	sameKeys(t, "poll after adding 3", keys, added)
	// The host crashed before persisting state: the same poll again must
	// give the same items (at least once, never lost).
	again, _, _ := s.poll(t, p, tc, prev)
	sameKeys(t, "poll repeated with the unpersisted previous state", again, added)

	if cl, ok := p.(connector.Cleaner); ok && tc.CheckCleanup != nil {
		if err := cl.Cleanup(t.Context(), s.opts.Connection, tc.Operation, tc.Input, items); err != nil {
			t.Fatalf("Cleanup: %v", err)
		}
		tc.CheckCleanup(t, added)
	}
	keys, state, _ = s.poll(t, p, tc, state)
	sameKeys(t, "poll after the items were returned", keys, nil)

	// Restart: a new provider instance continues from the persisted state.
	persisted := json.RawMessage(append([]byte(nil), state...))
	if c, ok := p.(connector.Closer); ok {
		if err := c.Close(t.Context()); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	more := tc.Add(t, 2)
	p2 := s.newProvider(t)
	keys, state, _ = s.poll(t, p2, tc, persisted)
	sameKeys(t, "poll after a restart", keys, more)
	keys, _, _ = s.poll(t, p2, tc, state)
	sameKeys(t, "poll after a restart, again", keys, nil)
}

// ---------------------------------------------------------------- logs

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
