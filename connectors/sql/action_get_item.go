// SPDX-License-Identifier: Apache-2.0

package sql

import (
	"context"

	"github.com/junction-run/junction/connector"
)

// getItem reads one row by primary key (GetItem).
func getItem(ctx context.Context, p *pool, in connector.Input) (connector.Output, error) {
	t, k, id, err := tableAndKey(ctx, p, in)
	if err != nil {
		return connector.Output{}, err
	}
	b := &builder{d: p.d}
	rows, err := queryRows(ctx, p, "SELECT * FROM "+t.quoted+" WHERE "+k.quoted+" = "+b.bind(id), b.args)
	if err != nil {
		return connector.Output{}, err
	}
	if len(rows) == 0 {
		return connector.Output{}, connector.Errorf(connector.KindNotFound, "no row of %s with %s %v", t.display, k.name, id)
	}
	return ok(rows[0]), nil
}

// tableAndKey resolves the table and id parameters.
func tableAndKey(ctx context.Context, p *pool, in connector.Input) (*table, *column, any, error) {
	name, err := required(in, "table")
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := p.d.table(ctx, p.db, name)
	if err != nil {
		return nil, nil, nil, err
	}
	k, err := t.key()
	if err != nil {
		return nil, nil, nil, err
	}
	raw, okID := in.Parameters["id"]
	if !okID || raw == nil || raw == "" {
		return nil, nil, nil, connector.Errorf(connector.KindBadRequest, "parameter id is required")
	}
	id, err := bindValue(k, raw)
	if err != nil {
		return nil, nil, nil, err
	}
	return t, k, id, nil
}
