// SPDX-License-Identifier: Apache-2.0

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/junction-run/junction/internal/store"
)

var _ store.Workflows = (*DB)(nil)

// workflowsSchema holds the tables of [store.Workflows]; Open creates it
// with the engine's schema.
const workflowsSchema = `
CREATE TABLE IF NOT EXISTS workflows (
	name TEXT PRIMARY KEY, version TEXT NOT NULL, enabled INTEGER NOT NULL,
	source TEXT NOT NULL DEFAULT '', parameters BLOB,
	created INTEGER NOT NULL, changed INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS run_links (
	run_id TEXT PRIMARY KEY, original TEXT NOT NULL, from_action TEXT NOT NULL DEFAULT '',
	created INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS runs_workflow_seq ON runs (workflow, seq);
`

// PutWorkflow implements [store.Workflows].
func (db *DB) PutWorkflow(ctx context.Context, w store.Workflow) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO workflows (name, version, enabled, source, parameters, created, changed)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET version = excluded.version, enabled = excluded.enabled,
				source = excluded.source, parameters = excluded.parameters, changed = excluded.changed`,
			w.Name, w.Version, w.Enabled, w.Source, w.Parameters, us(w.Created), us(w.Changed))
		if err != nil {
			return fmt.Errorf("put workflow %s: %w", w.Name, err)
		}
		return nil
	})
}

const workflowCols = `name, version, enabled, source, parameters, created, changed`

func scanWorkflow(sc interface{ Scan(...any) error }) (store.Workflow, error) {
	var w store.Workflow
	var created, changed int64
	err := sc.Scan(&w.Name, &w.Version, &w.Enabled, &w.Source, &w.Parameters, &created, &changed)
	w.Created, w.Changed = fromUS(created), fromUS(changed)
	return w, err
}

// Workflow implements [store.Workflows].
func (db *DB) Workflow(ctx context.Context, name string) (store.Workflow, error) {
	w, err := scanWorkflow(db.r.QueryRowContext(ctx, `SELECT `+workflowCols+` FROM workflows WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return w, fmt.Errorf("workflow %s: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return w, fmt.Errorf("workflow %s: %w", name, err)
	}
	return w, nil
}

// ListWorkflows implements [store.Workflows].
func (db *DB) ListWorkflows(ctx context.Context) ([]store.Workflow, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+workflowCols+` FROM workflows ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list workflows: %w", err)
	}
	defer rows.Close()
	var out []store.Workflow
	for rows.Next() {
		w, err := scanWorkflow(rows)
		if err != nil {
			return nil, fmt.Errorf("list workflows: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// DeleteWorkflow implements [store.Workflows].
func (db *DB) DeleteWorkflow(ctx context.Context, name string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`DELETE FROM workflows WHERE name = ?`, name)
		if err != nil {
			return fmt.Errorf("delete workflow %s: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("workflow %s: %w", name, store.ErrNotFound)
		}
		return nil
	})
}

// RunPage implements [store.Workflows].
func (db *DB) RunPage(ctx context.Context, f store.RunPageFilter) ([]store.RunSummary, error) {
	q := `SELECT seq, id, workflow, version, status, created, ended,
		COALESCE(json_extract(CAST(trigger AS TEXT), '$.name'), '') FROM runs WHERE workflow = ?`
	args := []any{f.Workflow}
	if f.Status != "" {
		q += ` AND status = ? COLLATE NOCASE`
		args = append(args, f.Status)
	}
	if !f.Since.IsZero() {
		q += ` AND created >= ?`
		args = append(args, us(f.Since))
	}
	if f.Trigger != "" {
		q += ` AND json_extract(CAST(trigger AS TEXT), '$.name') = ?`
		args = append(args, f.Trigger)
	}
	if f.Before > 0 {
		q += ` AND seq < ?`
		args = append(args, f.Before)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	q += fmt.Sprintf(` ORDER BY seq DESC LIMIT %d`, f.Limit)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs of %s: %w", f.Workflow, err)
	}
	defer rows.Close()
	var out []store.RunSummary
	for rows.Next() {
		var s store.RunSummary
		var created, ended int64
		if err := rows.Scan(&s.Seq, &s.ID, &s.Workflow, &s.Version, &s.Status, &created, &ended, &s.Trigger); err != nil {
			return nil, fmt.Errorf("list runs of %s: %w", f.Workflow, err)
		}
		s.Created, s.Ended = fromUS(created), fromUS(ended)
		out = append(out, s)
	}
	return out, rows.Err()
}

// PutRunLink implements [store.Workflows].
func (db *DB) PutRunLink(ctx context.Context, l store.RunLink) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT OR REPLACE INTO run_links (run_id, original, from_action, created) VALUES (?, ?, ?, ?)`,
			l.RunID, l.Original, l.FromAction, us(l.Created))
		if err != nil {
			return fmt.Errorf("put run link %s: %w", l.RunID, err)
		}
		return nil
	})
}

// RunLink implements [store.Workflows].
func (db *DB) RunLink(ctx context.Context, runID string) (store.RunLink, error) {
	var l store.RunLink
	var created int64
	err := db.r.QueryRowContext(ctx, `SELECT run_id, original, from_action, created FROM run_links WHERE run_id = ?`, runID).
		Scan(&l.RunID, &l.Original, &l.FromAction, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("run link %s: %w", runID, store.ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("run link %s: %w", runID, err)
	}
	l.Created = fromUS(created)
	return l, nil
}
