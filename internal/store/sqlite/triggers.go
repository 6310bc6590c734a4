// SPDX-License-Identifier: Apache-2.0

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/junction-run/junction/internal/store"
)

// triggersSchema holds trigger state and history (package
// internal/engine/triggers).
const triggersSchema = `
CREATE TABLE IF NOT EXISTS trigger_state (
	workflow TEXT NOT NULL, trigger TEXT NOT NULL, version TEXT NOT NULL,
	next_fire INTEGER NOT NULL DEFAULT 0, data BLOB,
	PRIMARY KEY (workflow, trigger)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS trigger_history (
	seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, workflow TEXT NOT NULL, trigger TEXT NOT NULL,
	status TEXT NOT NULL, fired INTEGER NOT NULL, time INTEGER NOT NULL, data BLOB);
CREATE INDEX IF NOT EXISTS trigger_history_key ON trigger_history (workflow, trigger, seq);
`

func applyTriggers(tx *sql.Tx, b *store.Batch) error {
	for _, s := range b.TriggerStates {
		if _, err := tx.Exec(`INSERT INTO trigger_state (workflow, trigger, version, next_fire, data) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (workflow, trigger) DO UPDATE SET version = excluded.version, next_fire = excluded.next_fire, data = excluded.data`,
			s.Workflow, s.Trigger, s.Version, us(s.NextFire), s.Data); err != nil {
			return fmt.Errorf("upsert trigger state %s/%s: %w", s.Workflow, s.Trigger, err)
		}
	}
	for _, k := range b.DoneTriggerStates {
		if _, err := tx.Exec(`DELETE FROM trigger_state WHERE workflow = ? AND trigger = ?`, k.Workflow, k.Trigger); err != nil {
			return fmt.Errorf("delete trigger state %s/%s: %w", k.Workflow, k.Trigger, err)
		}
	}
	for _, h := range b.TriggerHistory {
		if _, err := tx.Exec(`INSERT INTO trigger_history (id, workflow, trigger, status, fired, time, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			h.ID, h.Workflow, h.Trigger, h.Status, h.Fired, us(h.Time), h.Data); err != nil {
			return fmt.Errorf("insert trigger history %s/%s: %w", h.Workflow, h.Trigger, err)
		}
	}
	return nil
}

const triggerStateCols = `workflow, trigger, version, next_fire, data`

func scanTriggerState(sc interface{ Scan(...any) error }) (store.TriggerState, error) {
	var s store.TriggerState
	var next int64
	err := sc.Scan(&s.Workflow, &s.Trigger, &s.Version, &next, &s.Data)
	s.NextFire = fromUS(next)
	return s, err
}

// TriggerState implements [store.Store].
func (db *DB) TriggerState(ctx context.Context, workflow, trigger string) (store.TriggerState, error) {
	s, err := scanTriggerState(db.r.QueryRowContext(ctx, `SELECT `+triggerStateCols+` FROM trigger_state WHERE workflow = ? AND trigger = ?`, workflow, trigger))
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("trigger state %s/%s: %w", workflow, trigger, store.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("trigger state %s/%s: %w", workflow, trigger, err)
	}
	return s, nil
}

// TriggerStates implements [store.Store].
func (db *DB) TriggerStates(ctx context.Context, workflow string) ([]store.TriggerState, error) {
	q := `SELECT ` + triggerStateCols + ` FROM trigger_state`
	var args []any
	if workflow != "" {
		q += ` WHERE workflow = ?`
		args = append(args, workflow)
	}
	rows, err := db.r.QueryContext(ctx, q+` ORDER BY workflow, trigger`, args...)
	if err != nil {
		return nil, fmt.Errorf("list trigger states: %w", err)
	}
	defer rows.Close()
	var out []store.TriggerState
	for rows.Next() {
		s, err := scanTriggerState(rows)
		if err != nil {
			return nil, fmt.Errorf("list trigger states: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// TriggerHistory implements [store.Store].
func (db *DB) TriggerHistory(ctx context.Context, workflow, trigger string, limit int) ([]store.TriggerHistory, error) {
	q := `SELECT id, status, fired, time, data FROM trigger_history WHERE workflow = ? AND trigger = ? ORDER BY seq DESC`
	if limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, limit)
	}
	rows, err := db.r.QueryContext(ctx, q, workflow, trigger)
	if err != nil {
		return nil, fmt.Errorf("trigger history %s/%s: %w", workflow, trigger, err)
	}
	defer rows.Close()
	var out []store.TriggerHistory
	for rows.Next() {
		h := store.TriggerHistory{Workflow: workflow, Trigger: trigger}
		var t int64
		if err := rows.Scan(&h.ID, &h.Status, &h.Fired, &t, &h.Data); err != nil {
			return nil, fmt.Errorf("trigger history %s/%s: %w", workflow, trigger, err)
		}
		h.Time = fromUS(t)
		out = append(out, h)
	}
	return out, rows.Err()
}
