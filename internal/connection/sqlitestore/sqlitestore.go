// SPDX-License-Identifier: Apache-2.0

// Package sqlitestore is the SQLite implementation of [connection.Store]
// (modernc.org/sqlite, WAL), in its own file connections.db of the data
// directory. Rows hold connections as JSON whose secret values are sealed
// envelopes; the store never sees a clear secret.
package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/junction-run/junction/internal/connection"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// FileName is the database file in the data directory.
const FileName = "connections.db"

// DB is a connection store. It is safe for concurrent use.
type DB struct {
	w, r *sql.DB
}

var _ connection.Store = (*DB)(nil)

// OpenDir opens (creating if needed) the store in data directory dir.
func OpenDir(dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	return Open(filepath.Join(dir, FileName))
}

const schema = `
CREATE TABLE IF NOT EXISTS connections (name TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS consents (state TEXT PRIMARY KEY, connection TEXT NOT NULL, expires INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY AUTOINCREMENT, connection TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS calls_connection ON calls (connection, id);
CREATE TABLE IF NOT EXISTS connectors (id TEXT PRIMARY KEY, data TEXT NOT NULL);
`

// Open opens (creating if needed) the store in file path.
func Open(path string) (*DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_txlock", "immediate")
	w, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	if _, err := w.Exec(schema); err != nil {
		w.Close()
		return nil, fmt.Errorf("creating the schema in %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		w.Close()
		return nil, fmt.Errorf("restricting %s: %w", path, err)
	}
	rq := url.Values{}
	rq.Add("_pragma", "busy_timeout(10000)")
	rq.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", "file:"+path+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	return &DB{w: w, r: r}, nil
}

// Close closes the database; it is idempotent.
func (db *DB) Close() error {
	return errors.Join(db.r.Close(), db.w.Close())
}

// GetConnection implements [connection.Store].
func (db *DB) GetConnection(ctx context.Context, name string) (*connection.Connection, error) {
	var data string
	err := db.r.QueryRowContext(ctx, `SELECT data FROM connections WHERE name = ?`, name).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("connection %q: %w", name, connection.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	c := &connection.Connection{}
	if err := json.Unmarshal([]byte(data), c); err != nil {
		return nil, fmt.Errorf("decoding connection %q: %w", name, err)
	}
	return c, nil
}

// ListConnections implements [connection.Store].
func (db *DB) ListConnections(ctx context.Context) ([]*connection.Connection, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT name, data FROM connections ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*connection.Connection
	for rows.Next() {
		var name, data string
		if err := rows.Scan(&name, &data); err != nil {
			return nil, err
		}
		c := &connection.Connection{}
		if err := json.Unmarshal([]byte(data), c); err != nil {
			return nil, fmt.Errorf("decoding connection %q: %w", name, err)
		}
		list = append(list, c)
	}
	return list, rows.Err()
}

// PutConnection implements [connection.Store].
func (db *DB) PutConnection(ctx context.Context, c *connection.Connection) error {
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encoding connection %q: %w", c.Name, err)
	}
	_, err = db.w.ExecContext(ctx, `INSERT INTO connections (name, data) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET data = excluded.data`, c.Name, string(data))
	return err
}

// DeleteConnection implements [connection.Store].
func (db *DB) DeleteConnection(ctx context.Context, name string) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM connections WHERE name = ?`, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("connection %q: %w", name, connection.ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM consents WHERE connection = ?`, name); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM calls WHERE connection = ?`, name); err != nil {
		return err
	}
	return tx.Commit()
}

// PutConsent implements [connection.Store]. Expired consents are removed
// on the way.
func (db *DB) PutConsent(ctx context.Context, c *connection.Consent) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM consents WHERE expires < ?`, time.Now().Add(-time.Hour).Unix()); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO consents (state, connection, expires, data) VALUES (?, ?, ?, ?)`,
		c.StateHash, c.Connection, c.Expires.Unix(), string(data)); err != nil {
		return err
	}
	return tx.Commit()
}

// TakeConsent implements [connection.Store].
func (db *DB) TakeConsent(ctx context.Context, stateHash string) (*connection.Consent, error) {
	var data string
	err := db.w.QueryRowContext(ctx, `DELETE FROM consents WHERE state = ? RETURNING data`, stateHash).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("consent: %w", connection.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	c := &connection.Consent{}
	if err := json.Unmarshal([]byte(data), c); err != nil {
		return nil, fmt.Errorf("decoding consent: %w", err)
	}
	return c, nil
}

// PutKey implements [connection.Store].
func (db *DB) PutKey(ctx context.Context, k *connection.KeyRecord) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO keys (name, hash, role, created) VALUES (?, ?, ?, ?)`,
		k.Name, k.Hash, string(k.Role), k.Created.UnixNano())
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return fmt.Errorf("key %q: %w", k.Name, connection.ErrExists)
	}
	return err
}

// KeyByHash implements [connection.Store].
func (db *DB) KeyByHash(ctx context.Context, hash string) (*connection.KeyRecord, error) {
	k := &connection.KeyRecord{}
	var role string
	var created int64
	err := db.r.QueryRowContext(ctx, `SELECT name, hash, role, created FROM keys WHERE hash = ?`, hash).Scan(&k.Name, &k.Hash, &role, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("key: %w", connection.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	k.Role, k.Created = connection.Role(role), time.Unix(0, created).UTC()
	return k, nil
}

// ListKeys implements [connection.Store].
func (db *DB) ListKeys(ctx context.Context) ([]*connection.KeyRecord, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT name, role, created FROM keys ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*connection.KeyRecord
	for rows.Next() {
		k := &connection.KeyRecord{}
		var role string
		var created int64
		if err := rows.Scan(&k.Name, &role, &created); err != nil {
			return nil, err
		}
		k.Role, k.Created = connection.Role(role), time.Unix(0, created).UTC()
		list = append(list, k)
	}
	return list, rows.Err()
}

// DeleteKey implements [connection.Store].
func (db *DB) DeleteKey(ctx context.Context, name string) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM keys WHERE name = ?`, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("key %q: %w", name, connection.ErrNotFound)
	}
	return nil
}

// AddCalls implements [connection.Store].
func (db *DB) AddCalls(ctx context.Context, calls []*connection.Call, keep int) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// One prepared statement per batch: parsing the INSERT for every row
	// was a visible share of a busy gateway's CPU.
	ins, err := tx.PrepareContext(ctx, `INSERT INTO calls (connection, data) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	trim := map[string]bool{}
	for _, c := range calls {
		data, err := json.Marshal(c)
		if err != nil {
			return err
		}
		res, err := ins.ExecContext(ctx, c.Connection, string(data))
		if err != nil {
			return err
		}
		c.ID, _ = res.LastInsertId()
		if keep > 0 && c.ID%16 == 0 {
			trim[c.Connection] = true
		}
	}
	// Trim now and then: a log may exceed keep by a few rows.
	for conn := range trim {
		if _, err := tx.ExecContext(ctx, `DELETE FROM calls WHERE connection = ? AND id <= (
			SELECT id FROM calls WHERE connection = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`, conn, conn, keep); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// ListCalls implements [connection.Store].
func (db *DB) ListCalls(ctx context.Context, conn string, limit int) ([]*connection.Call, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.r.QueryContext(ctx, `SELECT id, data FROM calls WHERE connection = ? ORDER BY id DESC LIMIT ?`, conn, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []*connection.Call{}
	for rows.Next() {
		var id int64
		var data string
		if err := rows.Scan(&id, &data); err != nil {
			return nil, err
		}
		c := &connection.Call{}
		if err := json.Unmarshal([]byte(data), c); err != nil {
			return nil, fmt.Errorf("decoding call %d: %w", id, err)
		}
		c.ID = id
		list = append(list, c)
	}
	return list, rows.Err()
}
