// SPDX-License-Identifier: Apache-2.0

// Package store defines the durable state of the workflow engine: workflow
// definitions by version, runs, action records (with every attempt and the
// loop iteration they belong to), variables, a work queue of due items with
// leases (timers, retries, callbacks, child completions), callback tokens,
// and the state and history of workflow triggers.
//
// The engine owns the meaning of the opaque Data blobs; a backend stores them
// byte for byte. Backends live in sub-packages (sqlite, later postgres) and
// must pass the conformance suite in package storetest.
//
// # Consistency
//
// [Store.Commit] applies a [Batch] atomically: either every write of the
// batch is visible afterwards or none is. When Commit returns nil the batch
// is durable to the backend's configured level (for SQLite: survives a
// process crash with synchronous=NORMAL, power loss with FULL). Backends may
// group the batches of concurrent callers into one transaction (group
// commit); each caller still sees only its own batch's result.
//
// All methods are safe for concurrent use. Reads see every batch whose
// Commit has returned.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned (wrapped) when a run, definition or callback does
// not exist.
var ErrNotFound = errors.New("not found")

// Run statuses stored in [Run.Status].
const (
	StatusRunning   = "Running"
	StatusSucceeded = "Succeeded"
	StatusFailed    = "Failed"
	StatusCancelled = "Cancelled"
)

// Run is one execution of a workflow.
type Run struct {
	ID       string
	Workflow string // workflow name
	Version  string // definition version the run started with and finishes on
	Status   string // Running, Succeeded, Failed, Cancelled
	// Parked is true while the run waits only for due work (timers,
	// callbacks, child runs): nothing needs to resume it after a restart.
	Parked  bool
	Created time.Time
	Ended   time.Time // zero while running
	// Trigger is the trigger record (engine-defined JSON), written once.
	Trigger []byte
	// Data is the engine's run state (parameters, error, outputs, response,
	// parent link ...), rewritten by [RunUpdate].
	Data []byte
}

// RunUpdate changes the mutable part of a run.
type RunUpdate struct {
	ID     string
	Status string
	Parked bool
	Ended  time.Time
	Data   []byte // nil keeps the stored data
	// Trigger, when not nil, replaces the stored trigger (a key rotation
	// re-sealing secure trigger outputs).
	Trigger []byte
}

// ActionRecord is the record of one action execution: one per action per
// loop iteration. Key is unique within the run (the engine uses the action
// name and the iteration indexes of the enclosing loops).
type ActionRecord struct {
	RunID  string
	Key    string
	Name   string
	Status string
	Data   []byte // inputs, outputs, error, times, attempts: engine-defined JSON
}

// Variable is a run variable's current value (engine-defined JSON).
type Variable struct {
	RunID string
	Name  string
	Value []byte
}

// WorkItem is a unit of due work for a run: a timer firing, a retry, a
// callback delivery, a child run's completion. It is claimed with a lease
// and deleted in the batch that records its effect, so it is processed at
// least once.
type WorkItem struct {
	ID      int64 // assigned by the store on insert
	RunID   string
	Kind    string // engine-defined ("timer", "callback", "child" ...)
	Ref     string // engine-defined (usually an action record key)
	Due     time.Time
	Payload []byte
}

// Callback maps an unguessable token to the action waiting for it.
type Callback struct {
	Token string
	RunID string
	Ref   string // action record key
}

// Batch is a set of writes applied atomically by [Store.Commit].
type Batch struct {
	NewRuns       []Run          // inserted
	RunUpdates    []RunUpdate    // applied after NewRuns
	Actions       []ActionRecord // upserted by (RunID, Key)
	Variables     []Variable     // upserted by (RunID, Name)
	Work          []WorkItem     // inserted; IDs are ignored
	DoneWork      []int64        // deleted (missing IDs are ignored)
	Callbacks     []Callback     // inserted or replaced
	DoneCallbacks []string       // deleted by token
	// TriggerStates are upserted by (Workflow, Trigger); committing them in
	// the batch that creates the runs a poll started is what makes trigger
	// delivery exactly-once.
	TriggerStates []TriggerState
	// DoneTriggerStates are deleted (missing keys are ignored).
	DoneTriggerStates []TriggerKey
	// TriggerHistory rows are inserted.
	TriggerHistory []TriggerHistory
}

// TriggerKey names one trigger of one workflow.
type TriggerKey struct {
	Workflow string
	Trigger  string
}

// TriggerState is the durable state of one trigger of a workflow, owned by
// the trigger dispatcher (package internal/engine/triggers): its cursor,
// schedule position and push subscription.
type TriggerState struct {
	Workflow string
	Trigger  string
	// Version is the definition version the state was written for.
	Version string
	// NextFire is when the trigger is next due; zero when nothing is
	// scheduled (push triggers, disabled workflows).
	NextFire time.Time
	// Data is dispatcher-defined JSON (cursor, last fire, subscription).
	Data []byte
}

// TriggerHistory is one entry of a trigger's history: a fire, a skip or a
// failure.
type TriggerHistory struct {
	ID       string
	Workflow string
	Trigger  string
	Status   string // Succeeded, Skipped, Failed
	Fired    bool
	Time     time.Time
	Data     []byte // dispatcher-defined JSON (outputs, run IDs, error)
}

// Empty reports whether the batch writes nothing.
func (b *Batch) Empty() bool {
	return len(b.NewRuns) == 0 && len(b.RunUpdates) == 0 && len(b.Actions) == 0 &&
		len(b.Variables) == 0 && len(b.Work) == 0 && len(b.DoneWork) == 0 &&
		len(b.Callbacks) == 0 && len(b.DoneCallbacks) == 0 &&
		len(b.TriggerStates) == 0 && len(b.DoneTriggerStates) == 0 && len(b.TriggerHistory) == 0
}

// RunFilter selects runs in [Store.ListRuns]. Zero fields match all.
type RunFilter struct {
	Workflow string
	Status   string
	// Unparked selects running runs that are not parked (those to resume
	// after a restart).
	Unparked bool
	Limit    int
}

// Store is the engine's durable state. Open a backend with its constructor,
// use it from any number of goroutines, and Close it once (Close is
// idempotent). Methods return errors wrapping [ErrNotFound] for missing
// rows and the context's error when it is cancelled.
type Store interface {
	// PutDefinition stores a definition under (workflow, version); storing
	// the same pair again is a no-op.
	PutDefinition(ctx context.Context, workflow, version string, body []byte) error
	// Definition returns a stored definition.
	Definition(ctx context.Context, workflow, version string) ([]byte, error)

	// Commit applies b atomically and durably.
	Commit(ctx context.Context, b *Batch) error

	// Run returns one run (with Trigger and Data).
	Run(ctx context.Context, id string) (Run, error)
	// ListRuns returns runs in creation order.
	ListRuns(ctx context.Context, f RunFilter) ([]Run, error)
	// Actions returns every action record of a run.
	Actions(ctx context.Context, runID string) ([]ActionRecord, error)
	// Variables returns every variable of a run.
	Variables(ctx context.Context, runID string) ([]Variable, error)

	// ClaimWork leases up to limit items due at or before now whose lease is
	// free or expired, for the given duration, and returns them in due
	// order. A claimed item is not returned again until its lease expires.
	ClaimWork(ctx context.Context, owner string, now time.Time, limit int, lease time.Duration) ([]WorkItem, error)
	// NextDue returns the earliest due time of unleased (or expired) work;
	// ok is false when there is none.
	NextDue(ctx context.Context, now time.Time) (due time.Time, ok bool, err error)
	// ReleaseLeases frees every lease held by owner (at startup after a
	// crash, or at shutdown).
	ReleaseLeases(ctx context.Context, owner string) error
	// PendingWork returns the unfinished work items of a run.
	PendingWork(ctx context.Context, runID string) ([]WorkItem, error)

	// Callback looks up a callback token.
	Callback(ctx context.Context, token string) (Callback, error)

	// TriggerState returns the state of one trigger.
	TriggerState(ctx context.Context, workflow, trigger string) (TriggerState, error)
	// TriggerStates returns the states of every trigger of workflow, or of
	// all workflows when workflow is "", ordered by workflow and trigger.
	TriggerStates(ctx context.Context, workflow string) ([]TriggerState, error)
	// TriggerHistory returns up to limit (0: all) history entries of a
	// trigger, newest first.
	TriggerHistory(ctx context.Context, workflow, trigger string, limit int) ([]TriggerHistory, error)

	// Close releases the store. It is idempotent.
	Close() error
}
