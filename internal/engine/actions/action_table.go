// SPDX-License-Identifier: Apache-2.0

package actions

import (
	"context"
	"fmt"
	"html"
	"strings"

	"github.com/junction-run/junction/expr"
)

func init() { Register("Table", runTable) }

// tableColumn is one column of a Table action.
type tableColumn struct {
	header string
	key    string         // automatic columns: the property name
	value  *expr.Compiled // custom columns: evaluated per item
}

// runTable implements Table ("Create CSV table" / "Create HTML table").
// Without "columns", the columns are the property names of the items (the
// union over all items, in order of first appearance). With "columns",
// each "header" is evaluated once and each "value" per item with item()
// bound. Cells print as string interpolation does. CSV quotes per RFC 4180
// and ends every row with "\n"; HTML escapes text. Outputs are {body:
// string}.
func runTable(_ context.Context, c *Call) (Result, error) {
	in, err := rawInputs(c)
	if err != nil {
		return fail(c, c.Raw, err), nil
	}
	from, arr, ae := fromArray(c, in)
	if ae != nil {
		return failed(c.Raw, nil, ae), nil
	}
	shown := shownInputs(in, from)
	fv, ae := evalOne(c, c.Env, mustGet(in, "format"), "format")
	if ae != nil {
		return failed(shown, nil, ae), nil
	}
	format := strings.ToUpper(expr.Stringify(fv))
	if format != "CSV" && format != "HTML" {
		return failed(shown, nil, invalidInputs(c, fmt.Sprintf("'format' must be CSV or HTML, not '%s'", expr.Stringify(fv)))), nil
	}
	cols, ae := tableColumns(c, in, arr)
	if ae != nil {
		return failed(shown, nil, ae), nil
	}
	rows := make([][]string, len(arr))
	env := &itemEnv{Env: c.Env}
	for i, item := range arr {
		row := make([]string, len(cols))
		env.item = item
		for j, col := range cols {
			var v any
			if col.value != nil {
				var err error
				if v, err = col.value.Eval(env); err != nil {
					return failed(shown, nil, templateError(c, "columns", err)), nil
				}
			} else if o, ok := item.(*expr.Object); ok {
				v, _ = o.Get(col.key)
			}
			row[j] = expr.Stringify(v)
		}
		rows[i] = row
	}
	var b strings.Builder
	if format == "CSV" {
		writeCSV(&b, cols, rows)
	} else {
		writeHTML(&b, cols, rows)
	}
	return Result{Inputs: shown, Outputs: bodyOutputs(b.String())}, nil
}

func tableColumns(c *Call, in *expr.Object, items []any) ([]tableColumn, *ActionError) {
	raw, ok := get(in, "columns")
	if !ok || raw == nil {
		var cols []tableColumn
		seen := map[string]bool{}
		for _, it := range items {
			o, ok := it.(*expr.Object)
			if !ok {
				return nil, &ActionError{Code: "InvalidTemplate", Message: fmt.Sprintf("The items of 'from' in action '%s' must be objects when no 'columns' are given; found '%s'.", c.Name, expr.TypeName(it))}
			}
			for _, k := range o.Keys() {
				if !seen[k] {
					seen[k] = true
					cols = append(cols, tableColumn{header: k, key: k})
				}
			}
		}
		return cols, nil
	}
	arr, ok := raw.([]any)
	if !ok {
		return nil, invalidInputs(c, "'columns' must be an array of {header, value}")
	}
	cols := make([]tableColumn, len(arr))
	for i, e := range arr {
		o, ok := e.(*expr.Object)
		if !ok {
			return nil, invalidInputs(c, fmt.Sprintf("column %d must be an object {header, value}", i))
		}
		hv, ae := evalOne(c, c.Env, mustGet(o, "header"), "columns")
		if ae != nil {
			return nil, ae
		}
		vc, err := expr.CompileValue(mustGet(o, "value"))
		if err != nil {
			return nil, templateError(c, "columns", err)
		}
		cols[i] = tableColumn{header: expr.Stringify(hv), value: vc}
	}
	return cols, nil
}

func writeCSV(b *strings.Builder, cols []tableColumn, rows [][]string) {
	for j, col := range cols {
		if j > 0 {
			b.WriteByte(',')
		}
		csvField(b, col.header)
	}
	b.WriteByte('\n')
	for _, row := range rows {
		for j, cell := range row {
			if j > 0 {
				b.WriteByte(',')
			}
			csvField(b, cell)
		}
		b.WriteByte('\n')
	}
}

// csvField writes one field, quoted when it holds a comma, a quote, a line
// break or leading/trailing spaces (RFC 4180).
func csvField(b *strings.Builder, s string) {
	if s == "" || !strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' && s[len(s)-1] != ' ' {
		b.WriteString(s)
		return
	}
	b.WriteByte('"')
	b.WriteString(strings.ReplaceAll(s, `"`, `""`))
	b.WriteByte('"')
}

func writeHTML(b *strings.Builder, cols []tableColumn, rows [][]string) {
	b.WriteString("<table><thead><tr>")
	for _, col := range cols {
		b.WriteString("<th>")
		b.WriteString(html.EscapeString(col.header))
		b.WriteString("</th>")
	}
	b.WriteString("</tr></thead><tbody>")
	for _, row := range rows {
		b.WriteString("<tr>")
		for _, cell := range row {
			b.WriteString("<td>")
			b.WriteString(html.EscapeString(cell))
			b.WriteString("</td>")
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
}
