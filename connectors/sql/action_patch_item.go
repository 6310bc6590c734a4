// SPDX-License-Identifier: Apache-2.0

package sql

import (
	"context"
	"strings"

	"github.com/junction-run/junction/connector"
)

// patchItem updates the given columns of one row by primary key and
// returns the row (PatchItem).
func patchItem(ctx context.Context, p *pool, in connector.Input) (connector.Output, error) {
	row, err := bodyObject(in)
	if err != nil {
		return connector.Output{}, err
	}
	if len(row) == 0 {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "the body has no columns to update")
	}
	t, k, id, err := tableAndKey(ctx, p, in)
	if err != nil {
		return connector.Output{}, err
	}
	b := &builder{d: p.d}
	var sets []string
	for _, name := range sortedKeys(row) {
		c, err := t.col(name)
		if err != nil {
			return connector.Output{}, err
		}
		v, err := bindValue(c, row[name])
		if err != nil {
			return connector.Output{}, err
		}
		sets = append(sets, c.quoted+" = "+b.bind(v))
	}
	q := "UPDATE " + t.quoted + " SET " + strings.Join(sets, ", ") + " WHERE " + k.quoted + " = " + b.bind(id) + " RETURNING *"
	rows, err := queryRows(ctx, p, q, b.args)
	if err != nil {
		return connector.Output{}, err
	}
	if len(rows) == 0 {
		return connector.Output{}, connector.Errorf(connector.KindNotFound, "no row of %s with %s %v", t.display, k.name, id)
	}
	return ok(rows[0]), nil
}
