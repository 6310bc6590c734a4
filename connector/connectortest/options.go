// SPDX-License-Identifier: Apache-2.0

package connectortest

import (
	"testing"

	"github.com/junction-run/junction/connector"
)

// Options describe how to exercise one connector.
type Options struct {
	// Connection is a working connection. Its secret parameters (see
	// [connector.ConnectionParameter.Secret]) are searched for in every
	// error message and log line.
	Connection connector.Connection
	// BadConnection, when set, has wrong credentials: [connector.Tester.Test]
	// must fail with [connector.KindUnauthenticated] for it, and each case
	// with UseBadConnection must too.
	BadConnection *connector.Connection
	// Secrets are more values that must never appear in errors or logs.
	Secrets []string
	// Cases are action fixtures, run in order.
	Cases []Case
	// Triggers are polling trigger fixtures.
	Triggers []TriggerCase
	// NoSideEffects, when set, is called after the provider was constructed
	// and closed without Init; it checks that nothing was created (files,
	// tables...).
	NoSideEffects func(t testing.TB)
	// SkipCancel lists operation ids whose calls may complete without
	// looking at a context that is already cancelled (pure computations).
	SkipCancel []string
}

// Case is one action fixture.
type Case struct {
	// Name names the subtest; the operation id when empty.
	Name      string
	Operation string
	Input     connector.Input
	// Setup, when set, runs before each call of the case (the suite may call
	// the operation more than once: cancelled, then for real); it must be
	// repeatable.
	Setup func(t testing.TB)
	// WantKind, when not KindUnknown, says the call must fail with an error
	// of this kind.
	WantKind connector.ErrorKind
	// WantStatus is the expected status code of a successful call; 0 means
	// any 2xx.
	WantStatus int
	// Check, when set, inspects a successful output.
	Check func(t testing.TB, out connector.Output)
	// UseBadConnection calls with Options.BadConnection.
	UseBadConnection bool
	// CancelMidCall also makes a call whose context is cancelled shortly
	// after it starts; it must return within CancelGrace, either done or
	// with an error wrapping context.Canceled. Mark slow, repeatable calls.
	CancelMidCall bool
	// CancelOnly skips the uncancelled call: for a deliberately slow call
	// (a long query) that exists to check mid-call cancellation.
	CancelOnly bool
}

// TriggerCase is one polling trigger fixture.
//
// The suite runs: Add(2) then a first poll, which must return no items (or
// exactly those two when FirstPollReturnsExisting) and a state; an empty
// poll; Add(3) and a poll returning exactly those; the same poll with the
// previous state again (the host did not persist the new one) returning them
// again; Cleanup and CheckCleanup when the provider is a [connector.Cleaner]
// and CheckCleanup is set; an empty poll; Add(2), then a new provider polls
// with the persisted state and returns exactly those two.
type TriggerCase struct {
	// Name names the subtest; the operation id when empty.
	Name      string
	Operation string
	Input     connector.Input
	// Add makes n new items appear (create files, insert or update rows)
	// and returns their keys.
	Add func(t testing.TB, n int) []string
	// Key returns the key of an item the trigger returned.
	Key func(t testing.TB, item any) string
	// FirstPollReturnsExisting says the first poll returns what already
	// exists instead of only establishing a cursor.
	FirstPollReturnsExisting bool
	// CheckCleanup, when set, checks that the items with these keys were
	// cleaned up (deleted or moved) by [connector.Cleaner.Cleanup].
	CheckCleanup func(t testing.TB, keys []string)
}
