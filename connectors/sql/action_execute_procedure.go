// SPDX-License-Identifier: Apache-2.0

package sql

import (
	"context"
	"strings"

	"github.com/junction-run/junction/connector"
)

// executeProcedure calls a stored procedure or function with named
// arguments from the body (ExecuteProcedure). A PostgreSQL procedure is run
// with CALL (its INOUT arguments come back as OutputParameters); a function
// with SELECT * FROM, its rows coming back as ResultSets.Table1.
func executeProcedure(ctx context.Context, p *pool, in connector.Input) (connector.Output, error) {
	name, err := required(in, "procedure")
	if err != nil {
		return connector.Output{}, err
	}
	var args map[string]any
	if in.Body != nil {
		if args, err = bodyObject(in); err != nil {
			return connector.Output{}, err
		}
	}
	proc, err := p.d.procedure(ctx, p.db, name)
	if err != nil {
		return connector.Output{}, err
	}
	b := &builder{d: p.d}
	var list []string
	for _, k := range sortedKeys(args) {
		real, okArg := proc.args[strings.ToLower(k)]
		if !okArg {
			return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s has no parameter %q", name, k)
		}
		v, err := bindValue(nil, args[k])
		if err != nil {
			return connector.Output{}, err
		}
		list = append(list, quoteIdent(real)+" => "+b.bind(v))
	}
	call := proc.quoted + "(" + strings.Join(list, ", ") + ")"
	out := map[string]any{"ResultSets": map[string]any{}, "OutputParameters": map[string]any{}, "ReturnCode": 0}
	if proc.isProc {
		rows, err := queryRows(ctx, p, "CALL "+call, b.args)
		if err != nil {
			return connector.Output{}, err
		}
		if len(rows) > 0 {
			out["OutputParameters"] = rows[0]
		}
	} else {
		rows, err := queryRows(ctx, p, "SELECT * FROM "+call, b.args)
		if err != nil {
			return connector.Output{}, err
		}
		out["ResultSets"] = map[string]any{"Table1": rows}
	}
	return ok(out), nil
}
