// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"time"
)

// Workflow is the deployed state of one named workflow: which definition
// version is current and whether its triggers fire. The definition body
// itself is stored with [Store.PutDefinition] under (Name, Version).
type Workflow struct {
	Name    string
	Version string
	Enabled bool
	// Source says who deployed it: "api" (PUT) or "files" (--workflows
	// directory sync). The file sync removes only what it deployed.
	Source string
	// Parameters are parameter values as a JSON object (name → value),
	// from parameters.json or the wrapper's properties.parameters; nil for
	// none.
	Parameters []byte
	Created    time.Time
	Changed    time.Time
}

// RunSummary is the listing form of a run: no trigger or data blobs.
type RunSummary struct {
	Seq      int64 // creation order, the paging cursor
	ID       string
	Workflow string
	Version  string
	Status   string
	Trigger  string // name of the trigger that started it
	Created  time.Time
	Ended    time.Time
}

// RunPageFilter selects a page of runs in [Workflows.RunPage], newest first.
type RunPageFilter struct {
	Workflow string
	Status   string    // "" for any
	Since    time.Time // runs created at or after; zero for any
	Trigger  string    // trigger name; "" for any
	Before   int64     // only runs with Seq < Before; 0 for the newest
	Limit    int       // at most this many (default 50)
}

// RunLink records that a run was resubmitted from another one.
type RunLink struct {
	RunID      string
	Original   string
	FromAction string // "" for a whole-run resubmission
	Created    time.Time
}

// Workflows is the durable workflow catalogue of a server: names, current
// versions, enabled flags, and the run queries the management API needs.
// A backend implementing [Store] may implement it too; methods are safe for
// concurrent use and return errors wrapping [ErrNotFound] for missing
// names.
type Workflows interface {
	// PutWorkflow inserts or replaces the state of w.Name. Created is kept
	// from the first insert.
	PutWorkflow(ctx context.Context, w Workflow) error
	// Workflow returns one workflow's state.
	Workflow(ctx context.Context, name string) (Workflow, error)
	// ListWorkflows returns every workflow ordered by name.
	ListWorkflows(ctx context.Context) ([]Workflow, error)
	// DeleteWorkflow removes a workflow's state (its runs and definitions
	// stay in the store as history).
	DeleteWorkflow(ctx context.Context, name string) error

	// RunPage returns runs matching f, newest first.
	RunPage(ctx context.Context, f RunPageFilter) ([]RunSummary, error)
	// PutRunLink records a resubmission link.
	PutRunLink(ctx context.Context, l RunLink) error
	// RunLink returns the link of a resubmitted run.
	RunLink(ctx context.Context, runID string) (RunLink, error)
}
