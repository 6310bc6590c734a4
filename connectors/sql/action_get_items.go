// SPDX-License-Identifier: Apache-2.0

package sql

import (
	"context"
	"math"
	"strings"

	"github.com/junction-run/junction/connector"
)

const (
	defaultTop = 256
	maxTop     = 10000
)

// getItems reads rows (GetItems).
func getItems(ctx context.Context, p *pool, in connector.Input) (connector.Output, error) {
	name, err := required(in, "table")
	if err != nil {
		return connector.Output{}, err
	}
	t, err := p.d.table(ctx, p.db, name)
	if err != nil {
		return connector.Output{}, err
	}
	b := &builder{d: p.d}
	cols, err := compileSelect(in.String("$select"), t)
	if err != nil {
		return connector.Output{}, err
	}
	q := "SELECT " + cols + " FROM " + t.quoted
	if f := strings.TrimSpace(in.String("$filter")); f != "" {
		cond, err := compileFilter(f, t, b)
		if err != nil {
			return connector.Output{}, err
		}
		q += " WHERE " + cond
	}
	order := ""
	if o := strings.TrimSpace(in.String("$orderby")); o != "" {
		if order, err = compileOrderBy(o, t); err != nil {
			return connector.Output{}, err
		}
	} else if k, err := t.key(); err == nil {
		order = k.quoted // stable pages without an explicit order
	}
	if order != "" {
		q += " ORDER BY " + order
	}
	top, err := in.Int("$top", defaultTop, 0, maxTop)
	if err != nil {
		return connector.Output{}, err
	}
	skip, err := in.Int("$skip", 0, 0, math.MaxInt)
	if err != nil {
		return connector.Output{}, err
	}
	q += " LIMIT " + b.bind(int64(top)) + " OFFSET " + b.bind(int64(skip))
	rows, err := queryRows(ctx, p, q, b.args)
	if err != nil {
		return connector.Output{}, err
	}
	return ok(map[string]any{"value": rows}), nil
}

// queryRows runs a query and reads all its rows.
func queryRows(ctx context.Context, p *pool, q string, args []any) ([]map[string]any, error) {
	rows, err := p.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, p.d.classify(ctx, "querying", err)
	}
	defer rows.Close()
	return scanRows(ctx, p.d, rows)
}
