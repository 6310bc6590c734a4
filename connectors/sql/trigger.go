// SPDX-License-Identifier: Apache-2.0

package sql

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/junction-run/junction/connector"
)

// Trigger ids.
const (
	OnNewItems     = "OnNewItems"
	OnUpdatedItems = "OnUpdatedItems"
)

// cursor is a trigger's state.
type cursor struct {
	// Last is the largest value of the watched column returned so far (nil
	// while the table was empty).
	Last any `json:"last"`
	// Keys are the primary keys returned with exactly Last
	// (OnUpdatedItems: several rows can share one timestamp).
	Keys []string `json:"keys,omitempty"`
}

// Poll serves OnNewItems and OnUpdatedItems. The first poll (state nil)
// only records the current largest value of the watched column and
// returns nothing.
func (c *Connector) Poll(ctx context.Context, conn connector.Connection, operationID string, in connector.Input, state json.RawMessage) (connector.PollResult, error) {
	if operationID != OnNewItems && operationID != OnUpdatedItems {
		return connector.PollResult{}, connector.Errorf(connector.KindBadRequest, "sql: unknown trigger %q", operationID)
	}
	if err := ctx.Err(); err != nil {
		return connector.PollResult{}, err
	}
	p, err := c.db(conn)
	if err != nil {
		return connector.PollResult{}, err
	}
	res, err := poll(ctx, p, operationID, in, state)
	if err != nil {
		return connector.PollResult{}, fmt.Errorf("sql %s: %w", operationID, err)
	}
	return res, nil
}

func poll(ctx context.Context, p *pool, op string, in connector.Input, state json.RawMessage) (connector.PollResult, error) {
	name, err := required(in, "table")
	if err != nil {
		return connector.PollResult{}, err
	}
	t, err := p.d.table(ctx, p.db, name)
	if err != nil {
		return connector.PollResult{}, err
	}
	key, keyErr := t.key()
	var col *column
	if cn := in.String("column"); cn != "" {
		if col, err = t.col(cn); err != nil {
			return connector.PollResult{}, err
		}
	} else if op == OnNewItems {
		if keyErr != nil {
			return connector.PollResult{}, connector.Errorf(connector.KindBadRequest, "table %s: name the increasing column in parameter column", t.display)
		}
		col = key
	} else {
		return connector.PollResult{}, connector.Errorf(connector.KindBadRequest, "parameter column (a timestamp or row-version column) is required")
	}
	if op == OnUpdatedItems && keyErr != nil {
		return connector.PollResult{}, keyErr
	}
	max, err := in.Int("maxItems", 100, 0, maxTop)
	if err != nil {
		return connector.PollResult{}, err
	}
	if max == 0 {
		max = 100
	}
	b := &builder{d: p.d}
	extra := ""
	if f := strings.TrimSpace(in.String("$filter")); f != "" {
		cond, err := compileFilter(f, t, b)
		if err != nil {
			return connector.PollResult{}, err
		}
		extra = " AND " + cond
	}

	if len(state) == 0 || string(state) == "null" {
		return firstPoll(ctx, p, t, col, key, op, b, extra)
	}
	var cur cursor
	d := json.NewDecoder(bytes.NewReader(state))
	d.UseNumber()
	if err := d.Decode(&cur); err != nil {
		return connector.PollResult{}, connector.Errorf(connector.KindBadRequest, "trigger state is not a cursor: %v", err)
	}
	cmp := ">"
	limit := max
	if op == OnUpdatedItems {
		cmp = ">="
		limit = max + len(cur.Keys)
	}
	where := col.quoted + " IS NOT NULL"
	if cur.Last != nil {
		v, err := bindValue(col, cur.Last)
		if err != nil {
			return connector.PollResult{}, err
		}
		where = col.quoted + " " + cmp + " " + b.bind(v)
	}
	order := col.quoted
	if key != nil && key != col {
		order += ", " + key.quoted
	}
	q := "SELECT * FROM " + t.quoted + " WHERE " + where + extra + " ORDER BY " + order + " LIMIT " + b.bind(int64(limit))
	rows, err := queryRows(ctx, p, q, b.args)
	if err != nil {
		return connector.PollResult{}, err
	}
	lastStr := ""
	if cur.Last != nil {
		lastStr = fmt.Sprint(cur.Last)
	}
	var res connector.PollResult
	for _, r := range rows {
		v := r[col.name]
		if op == OnUpdatedItems && cur.Last != nil && fmt.Sprint(v) == lastStr && contains(cur.Keys, fmt.Sprint(r[key.name])) {
			continue // returned by an earlier poll
		}
		if len(res.Items) == max {
			res.RetryAfter = time.Millisecond // more are waiting
			break
		}
		res.Items = append(res.Items, r)
		if op == OnUpdatedItems {
			if fmt.Sprint(v) != fmt.Sprint(cur.Last) {
				cur = cursor{Last: v}
			}
			cur.Keys = append(cur.Keys, fmt.Sprint(r[key.name]))
		} else {
			cur = cursor{Last: v}
		}
	}
	if op == OnNewItems && len(rows) == limit && len(res.Items) == max {
		res.RetryAfter = time.Millisecond
	}
	res.State, _ = json.Marshal(cur)
	return res, nil
}

func firstPoll(ctx context.Context, p *pool, t *table, col, key *column, op string, b *builder, extra string) (connector.PollResult, error) {
	var cur cursor
	q := "SELECT max(" + col.quoted + ") AS m FROM " + t.quoted + " WHERE " + col.quoted + " IS NOT NULL" + extra
	rows, err := queryRows(ctx, p, q, b.args)
	if err != nil {
		return connector.PollResult{}, err
	}
	if len(rows) == 1 && rows[0]["m"] != nil {
		cur.Last = rows[0]["m"]
		if op == OnUpdatedItems {
			v, err := bindValue(col, cur.Last)
			if err != nil {
				return connector.PollResult{}, err
			}
			// Numbered placeholders: the filter's values keep theirs.
			where := col.quoted + " = " + b.bind(v) + extra
			keys, err := queryRows(ctx, p, "SELECT "+key.quoted+" AS k FROM "+t.quoted+" WHERE "+where, b.args)
			if err != nil {
				return connector.PollResult{}, err
			}
			for _, k := range keys {
				cur.Keys = append(cur.Keys, fmt.Sprint(k["k"]))
			}
		}
	}
	st, _ := json.Marshal(cur)
	return connector.PollResult{State: st}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
