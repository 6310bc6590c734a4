// SPDX-License-Identifier: Apache-2.0

package sql

import (
	"context"
	"sort"
	"strings"

	"github.com/junction-run/junction/connector"
)

// postItem inserts a row and returns it as stored (PostItem).
func postItem(ctx context.Context, p *pool, in connector.Input) (connector.Output, error) {
	name, err := required(in, "table")
	if err != nil {
		return connector.Output{}, err
	}
	row, err := bodyObject(in)
	if err != nil {
		return connector.Output{}, err
	}
	t, err := p.d.table(ctx, p.db, name)
	if err != nil {
		return connector.Output{}, err
	}
	b := &builder{d: p.d}
	var cols, vals []string
	for _, k := range sortedKeys(row) {
		c, err := t.col(k)
		if err != nil {
			return connector.Output{}, err
		}
		v, err := bindValue(c, row[k])
		if err != nil {
			return connector.Output{}, err
		}
		cols = append(cols, c.quoted)
		vals = append(vals, b.bind(v))
	}
	q := "INSERT INTO " + t.quoted
	if len(cols) == 0 {
		q += " DEFAULT VALUES"
	} else {
		q += " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(vals, ", ") + ")"
	}
	rows, err := queryRows(ctx, p, q+" RETURNING *", b.args)
	if err != nil {
		return connector.Output{}, err
	}
	if len(rows) == 0 {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "the row was not inserted (a rule or trigger dropped it)")
	}
	return ok(rows[0]), nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
