// SPDX-License-Identifier: Apache-2.0

package sql

import (
	"context"
	dbsql "database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/junction-run/junction/connector"
	"modernc.org/sqlite"
)

// dialect is what differs between databases.
type dialect interface {
	// placeholder is the i-th (1-based) bind parameter.
	placeholder(i int) string
	// table looks name up in the catalog and returns it with its columns.
	table(ctx context.Context, db *dbsql.DB, name string) (*table, error)
	// classify turns a driver error into a connector error.
	classify(ctx context.Context, what string, err error) error
	// procedure looks a stored procedure or function up.
	procedure(ctx context.Context, db *dbsql.DB, name string) (*procedure, error)
	name() string
}

// table is a table or view found in the catalog.
type table struct {
	// quoted is the qualified, quoted name to put in SQL.
	quoted  string
	display string
	columns []column
	byName  map[string]*column
}

type column struct {
	name    string
	quoted  string
	typ     string // database type name, lowercase
	primary bool
}

// col returns the column named name (exact, then case-insensitive).
func (t *table) col(name string) (*column, error) {
	if c, ok := t.byName[name]; ok {
		return c, nil
	}
	for i := range t.columns {
		if strings.EqualFold(t.columns[i].name, name) {
			return &t.columns[i], nil
		}
	}
	return nil, connector.Errorf(connector.KindBadRequest, "table %s has no column %q", t.display, name)
}

// key returns the single-column primary key.
func (t *table) key() (*column, error) {
	var k *column
	for i := range t.columns {
		if t.columns[i].primary {
			if k != nil {
				return nil, connector.Errorf(connector.KindBadRequest, "table %s has a composite primary key; use GetItems with $filter", t.display)
			}
			k = &t.columns[i]
		}
	}
	if k == nil {
		return nil, connector.Errorf(connector.KindBadRequest, "table %s has no primary key", t.display)
	}
	return k, nil
}

func newTable(quoted, display string, cols []column) *table {
	t := &table{quoted: quoted, display: display, columns: cols, byName: map[string]*column{}}
	for i := range t.columns {
		t.byName[t.columns[i].name] = &t.columns[i]
	}
	return t
}

// quoteIdent quotes an identifier the SQL-standard way (PostgreSQL and
// SQLite): double quotes, inner quotes doubled. Only catalog names are
// quoted, never user text.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

type procedure struct {
	quoted string
	// isProc is a PostgreSQL procedure (CALL) rather than a function.
	isProc bool
	args   map[string]string // lower-case argument name -> name
}

// ---------------------------------------------------------------- PostgreSQL

type postgres struct{}

func openPostgres(dsn, password string) (*pool, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// The parse error may quote the connection string: do not wrap it.
		return nil, connector.Errorf(connector.KindBadRequest, "sql: the PostgreSQL connection string cannot be parsed")
	}
	if password != "" {
		cfg.Password = password
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 15 * time.Second
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &pool{db: db, d: postgres{}}, nil
}

func (postgres) name() string { return "postgres" }

func (postgres) placeholder(i int) string { return "$" + strconv.Itoa(i) }

func (d postgres) table(ctx context.Context, db *dbsql.DB, name string) (*table, error) {
	var schema, rel string
	err := db.QueryRowContext(ctx, `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'v', 'm', 'p', 'f')`, name).Scan(&schema, &rel)
	if errors.Is(err, dbsql.ErrNoRows) {
		return nil, connector.Errorf(connector.KindNotFound, "no table %q", name)
	}
	if err != nil {
		return nil, d.classify(ctx, "looking up table", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod),
		EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY(i.indkey))
		FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
		quoteIdent(schema)+"."+quoteIdent(rel))
	if err != nil {
		return nil, d.classify(ctx, "reading columns", err)
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.typ, &c.primary); err != nil {
			return nil, d.classify(ctx, "reading columns", err)
		}
		c.quoted = quoteIdent(c.name)
		c.typ = strings.ToLower(c.typ)
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, d.classify(ctx, "reading columns", err)
	}
	return newTable(quoteIdent(schema)+"."+quoteIdent(rel), schema+"."+rel, cols), nil
}

func (d postgres) procedure(ctx context.Context, db *dbsql.DB, name string) (*procedure, error) {
	var schema, proname, kind string
	var argNames []string
	var names pgArray
	err := db.QueryRowContext(ctx, `SELECT n.nspname, p.proname, p.prokind::text, coalesce(array_to_string(p.proargnames, ','), '')
		FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = to_regproc($1)`, name).Scan(&schema, &proname, &kind, &names)
	if errors.Is(err, dbsql.ErrNoRows) {
		return nil, connector.Errorf(connector.KindNotFound, "no procedure or function %q (or it is overloaded)", name)
	}
	if err != nil {
		return nil, d.classify(ctx, "looking up procedure", err)
	}
	if names != "" {
		argNames = strings.Split(string(names), ",")
	}
	p := &procedure{quoted: quoteIdent(schema) + "." + quoteIdent(proname), isProc: kind == "p", args: map[string]string{}}
	for _, a := range argNames {
		if a != "" {
			p.args[strings.ToLower(a)] = a
		}
	}
	return p, nil
}

type pgArray string

func (a *pgArray) Scan(v any) error {
	switch s := v.(type) {
	case string:
		*a = pgArray(s)
	case []byte:
		*a = pgArray(s)
	case nil:
		*a = ""
	default:
		return fmt.Errorf("unexpected %T", v)
	}
	return nil
}

func (postgres) classify(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
	kind := connector.KindUnknown
	var pe *pgconn.PgError
	var ne net.Error
	switch {
	case errors.As(err, &pe):
		code := pe.Code
		switch {
		case code == "28P01", code == "28000", code == "42501":
			kind = connector.KindUnauthenticated
		case code == "40001", code == "40P01", code == "55P03", code == "57P01", code == "57P02", code == "57P03",
			strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"):
			kind = connector.KindRetryable
		case code == "42P01", code == "42883":
			kind = connector.KindNotFound
		case strings.HasPrefix(code, "22"), strings.HasPrefix(code, "23"), strings.HasPrefix(code, "42"),
			strings.HasPrefix(code, "2B"), strings.HasPrefix(code, "P0"), code == "3D000", code == "3F000":
			kind = connector.KindBadRequest
		}
		return &connector.Error{Kind: kind, Message: what, Err: fmt.Errorf("%s (SQLSTATE %s)", pe.Message, pe.Code)}
	case errors.As(err, &ne), errors.Is(err, dbsql.ErrConnDone), errors.Is(err, dbsql.ErrConnDone):
		kind = connector.KindRetryable
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		// A connect error names host, user and database, never the password.
		var inner *pgconn.PgError
		if errors.As(ce, &inner) {
			return (postgres{}).classify(ctx, what, inner)
		}
		kind = connector.KindRetryable
	}
	return &connector.Error{Kind: kind, Message: what, Err: err}
}

// ---------------------------------------------------------------- SQLite

type sqliteDialect struct{}

func openSQLite(dsn string) (*pool, error) {
	if !strings.Contains(dsn, "_pragma=busy_timeout") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + "_pragma=busy_timeout(5000)"
	}
	db, err := dbsql.Open("sqlite", dsn)
	if err != nil {
		return nil, connector.Errorf(connector.KindBadRequest, "sql: opening the SQLite database: %v", err)
	}
	// One writer at a time; more connections only make SQLITE_BUSY likelier.
	db.SetMaxOpenConns(1)
	return &pool{db: db, d: sqliteDialect{}}, nil
}

func (sqliteDialect) name() string { return "sqlite" }

func (sqliteDialect) placeholder(i int) string { return "?" + strconv.Itoa(i) }

func (d sqliteDialect) table(ctx context.Context, db *dbsql.DB, name string) (*table, error) {
	var rel string
	err := db.QueryRowContext(ctx, `SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name = ? COLLATE NOCASE ORDER BY name = ? DESC LIMIT 1`, name, name).Scan(&rel)
	if errors.Is(err, dbsql.ErrNoRows) {
		return nil, connector.Errorf(connector.KindNotFound, "no table %q", name)
	}
	if err != nil {
		return nil, d.classify(ctx, "looking up table", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`, rel)
	if err != nil {
		return nil, d.classify(ctx, "reading columns", err)
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var c column
		var pk int
		if err := rows.Scan(&c.name, &c.typ, &pk); err != nil {
			return nil, d.classify(ctx, "reading columns", err)
		}
		c.primary = pk > 0
		c.quoted = quoteIdent(c.name)
		c.typ = strings.ToLower(c.typ)
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, d.classify(ctx, "reading columns", err)
	}
	return newTable(quoteIdent(rel), rel, cols), nil
}

func (sqliteDialect) procedure(context.Context, *dbsql.DB, string) (*procedure, error) {
	return nil, connector.Errorf(connector.KindBadRequest, "SQLite has no stored procedures")
}

func (sqliteDialect) classify(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
	kind := connector.KindUnknown
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 5, 6, 10, 13: // BUSY, LOCKED, IOERR, FULL
			kind = connector.KindRetryable
		case 1, 19, 20, 25, 14: // ERROR (syntax, no such table), CONSTRAINT, MISMATCH, RANGE, CANTOPEN
			kind = connector.KindBadRequest
		case 3, 8, 23: // PERM, READONLY, AUTH
			kind = connector.KindUnauthenticated
		}
	}
	return &connector.Error{Kind: kind, Message: what, Err: err}
}

// ---------------------------------------------------------------- values

// isInteger reports whether a column type holds integers.
func isInteger(typ string) bool {
	return strings.Contains(typ, "int") || typ == "serial" || typ == "bigserial"
}

// bindValue turns a decoded JSON value into a driver argument for column c.
func bindValue(c *column, v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, int, int32, int64, time.Time:
		return x, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
		return x, nil
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
		return x.Float64()
	case string:
		if c != nil && isInteger(c.typ) {
			n, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return nil, connector.Errorf(connector.KindBadRequest, "column %s wants an integer, not %q", c.name, x)
			}
			return n, nil
		}
		if c != nil && (strings.Contains(c.typ, "timestamp") || c.typ == "date") {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return t, nil
			}
		}
		return x, nil
	case []byte:
		return x, nil
	default:
		// Objects and arrays go to JSON columns as their JSON text.
		b, err := json.Marshal(x)
		if err != nil {
			return nil, connector.Errorf(connector.KindBadRequest, "value for %v cannot be stored", colName(c))
		}
		return string(b), nil
	}
}

func colName(c *column) string {
	if c == nil {
		return "parameter"
	}
	return "column " + c.name
}

// scanRows reads every row as a map from column name to a JSON-friendly
// value.
func scanRows(ctx context.Context, d dialect, rows *dbsql.Rows) ([]map[string]any, error) {
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, d.classify(ctx, "reading result", err)
	}
	out := []map[string]any{}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, d.classify(ctx, "reading row", err)
		}
		row := make(map[string]any, len(cols))
		for i, c := range cols {
			row[c.Name()] = jsonValue(c.DatabaseTypeName(), vals[i])
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, d.classify(ctx, "reading rows", err)
	}
	return out, nil
}

// jsonValue makes a scanned value JSON-friendly: binary as base64, times
// as RFC 3339 with nanoseconds.
func jsonValue(dbType string, v any) any {
	switch x := v.(type) {
	case []byte:
		t := strings.ToUpper(dbType)
		if t != "BYTEA" && t != "BLOB" && utf8.Valid(x) {
			return string(x)
		}
		return base64.StdEncoding.EncodeToString(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return v
}

// input helpers

func required(in connector.Input, name string) (string, error) {
	s := in.String(name)
	if s == "" {
		return "", connector.Errorf(connector.KindBadRequest, "parameter %s is required", name)
	}
	return s, nil
}

// bodyObject returns the body as a JSON object.
func bodyObject(in connector.Input) (map[string]any, error) {
	switch b := in.Body.(type) {
	case map[string]any:
		return b, nil
	case string, []byte, json.RawMessage:
		var raw []byte
		switch x := b.(type) {
		case string:
			raw = []byte(x)
		case []byte:
			raw = x
		case json.RawMessage:
			raw = x
		}
		var m map[string]any
		d := json.NewDecoder(strings.NewReader(string(raw)))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			return nil, connector.Errorf(connector.KindBadRequest, "body must be a JSON object")
		}
		return m, nil
	case nil:
		return nil, connector.Errorf(connector.KindBadRequest, "a body is required")
	}
	return nil, connector.Errorf(connector.KindBadRequest, "body must be a JSON object, not %T", in.Body)
}

func ok(body any) connector.Output { return connector.Output{StatusCode: 200, Body: body} }
