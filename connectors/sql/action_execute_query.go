// SPDX-License-Identifier: Apache-2.0

package sql

import (
	"context"
	"strconv"
	"strings"

	"github.com/junction-run/junction/connector"
)

// executeQuery runs the SQL text of the body with its parameters bound
// (ExecutePassThroughNativeQuery). Placeholders are the database's own: $1,
// $2 for PostgreSQL, ?1 or ? for SQLite.
func executeQuery(ctx context.Context, p *pool, in connector.Input) (connector.Output, error) {
	body, err := bodyObject(in)
	if err != nil {
		return connector.Output{}, err
	}
	q, _ := body["query"].(string)
	if strings.TrimSpace(q) == "" {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "body.query is required")
	}
	var args []any
	switch ps := body["parameters"].(type) {
	case nil:
	case []any:
		for _, v := range ps {
			a, err := bindValue(nil, v)
			if err != nil {
				return connector.Output{}, err
			}
			args = append(args, a)
		}
	default:
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "body.parameters must be an array of values")
	}
	rows, err := p.db.QueryContext(ctx, q, args...)
	if err != nil {
		return connector.Output{}, p.d.classify(ctx, "executing query", err)
	}
	defer rows.Close()
	sets := map[string]any{}
	for i := 1; ; i++ {
		cols, err := rows.Columns()
		if err != nil {
			return connector.Output{}, p.d.classify(ctx, "reading result", err)
		}
		r, err := scanRows(ctx, p.d, rows)
		if err != nil {
			return connector.Output{}, err
		}
		if len(cols) > 0 {
			sets["Table"+strconv.Itoa(i)] = r
		}
		if !rows.NextResultSet() {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return connector.Output{}, p.d.classify(ctx, "executing query", err)
	}
	return ok(map[string]any{"ResultSets": sets}), nil
}
