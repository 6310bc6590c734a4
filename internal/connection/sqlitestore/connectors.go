// SPDX-License-Identifier: Apache-2.0

package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/junction-run/junction/internal/connection"
)

// Connector is an imported connector as the server's catalogue keeps it:
// the raw documents it was imported from, so that it is imported again at
// every start (and by newer importers) rather than stored as a derived
// spec.
type Connector struct {
	ID string `json:"id"`
	// Kind is "folder" (Power Platform apiDefinition + apiProperties),
	// "openapi" or "postman".
	Kind string `json:"kind"`
	// Documents are the raw documents (JSON or YAML) by file name.
	Documents map[string]string `json:"documents"`
	Created   time.Time         `json:"created"`
	Updated   time.Time         `json:"updated"`
}

// PutConnector creates or replaces an imported connector.
func (db *DB) PutConnector(ctx context.Context, c *Connector) error {
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encoding connector %q: %w", c.ID, err)
	}
	_, err = db.w.ExecContext(ctx, `INSERT INTO connectors (id, data) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data`, c.ID, string(data))
	return err
}

// GetConnector returns an imported connector, or an error wrapping
// [connection.ErrNotFound].
func (db *DB) GetConnector(ctx context.Context, id string) (*Connector, error) {
	var data string
	err := db.r.QueryRowContext(ctx, `SELECT data FROM connectors WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("connector %q: %w", id, connection.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	c := &Connector{}
	if err := json.Unmarshal([]byte(data), c); err != nil {
		return nil, fmt.Errorf("decoding connector %q: %w", id, err)
	}
	return c, nil
}

// ListConnectors returns the imported connectors, sorted by id.
func (db *DB) ListConnectors(ctx context.Context) ([]*Connector, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, data FROM connectors ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*Connector
	for rows.Next() {
		var id, data string
		if err := rows.Scan(&id, &data); err != nil {
			return nil, err
		}
		c := &Connector{}
		if err := json.Unmarshal([]byte(data), c); err != nil {
			return nil, fmt.Errorf("decoding connector %q: %w", id, err)
		}
		list = append(list, c)
	}
	return list, rows.Err()
}

// DeleteConnector removes an imported connector, or returns an error
// wrapping [connection.ErrNotFound].
func (db *DB) DeleteConnector(ctx context.Context, id string) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM connectors WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("connector %q: %w", id, connection.ErrNotFound)
	}
	return nil
}
