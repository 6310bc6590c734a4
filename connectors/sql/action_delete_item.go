// SPDX-License-Identifier: Apache-2.0

package sql

import (
	"context"

	"github.com/junction-run/junction/connector"
)

// deleteItem deletes one row by primary key (DeleteItem).
func deleteItem(ctx context.Context, p *pool, in connector.Input) (connector.Output, error) {
	t, k, id, err := tableAndKey(ctx, p, in)
	if err != nil {
		return connector.Output{}, err
	}
	b := &builder{d: p.d}
	res, err := p.db.ExecContext(ctx, "DELETE FROM "+t.quoted+" WHERE "+k.quoted+" = "+b.bind(id), b.args...)
	if err != nil {
		return connector.Output{}, p.d.classify(ctx, "deleting", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return connector.Output{}, connector.Errorf(connector.KindNotFound, "no row of %s with %s %v", t.display, k.name, id)
	}
	return connector.Output{StatusCode: 200}, nil
}
