// SPDX-License-Identifier: Apache-2.0

package sql_test

import (
	"context"
	dbsql "database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/junction-run/junction/connector"
	"github.com/junction-run/junction/connector/connectortest"
	sqlc "github.com/junction-run/junction/connectors/sql"
	"github.com/junction-run/junction/internal/testserver"
)

// fixture is one database prepared for the suite.
type fixture struct {
	db       *dbsql.DB // admin handle, to make items appear
	conn     connector.Connection
	bad      *connector.Connection
	ph       func(i int) string
	postgres bool
	secrets  []string
}

func exec(t testing.TB, db *dbsql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func ids(t testing.TB, db *dbsql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(id))
	}
	return out
}

func postgresFixture(t *testing.T) fixture {
	env := testserver.Require(t, "postgres")
	admin, err := dbsql.Open("pgx", env["JUNCTION_TEST_PG_DSN"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	schema := fmt.Sprintf("sqltest_%d", time.Now().UnixNano())
	const role, password = "junction_sqltest", "sqltest-Secr3t-pw"
	exec(t, admin, `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'junction_sqltest') THEN CREATE ROLE junction_sqltest LOGIN; END IF; END $$`)
	exec(t, admin, `ALTER ROLE junction_sqltest PASSWORD '`+password+`'`)
	exec(t, admin, `CREATE SCHEMA `+schema+` AUTHORIZATION junction_sqltest`)
	t.Cleanup(func() { admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
	for _, q := range []string{
		`CREATE TABLE %s.items (id integer PRIMARY KEY, name text NOT NULL, qty integer, data bytea, updated_at timestamptz DEFAULT clock_timestamp())`,
		`CREATE TABLE %s.events (id bigserial PRIMARY KEY, payload text)`,
		`CREATE TABLE %s.docs (id bigserial PRIMARY KEY, body text, updated_at timestamptz NOT NULL DEFAULT '2000-01-01')`,
		`CREATE FUNCTION %s.add_qty(a integer, b integer) RETURNS TABLE(total integer) LANGUAGE sql AS 'SELECT a + b'`,
		`CREATE PROCEDURE %s.bump(p_by integer, INOUT p_count integer) LANGUAGE plpgsql AS 'BEGIN p_count := p_count + p_by; END'`,
		`INSERT INTO %s.docs (body) SELECT 'doc ' || g FROM generate_series(1, 10) g`,
		`ALTER TABLE %s.items OWNER TO junction_sqltest`,
		`ALTER TABLE %s.events OWNER TO junction_sqltest`,
		`ALTER TABLE %s.docs OWNER TO junction_sqltest`,
	} {
		exec(t, admin, fmt.Sprintf(q, schema))
	}
	exec(t, admin, `SET search_path = `+schema)
	dsn := "postgres://junction_sqltest@127.0.0.1:55432/test?sslmode=disable&search_path=" + schema
	return fixture{
		db:       admin,
		conn:     connector.Connection{Name: "pg", Values: map[string]any{"driver": "postgres", "connectionString": dsn, "password": password}},
		bad:      &connector.Connection{Name: "pg-bad", Values: map[string]any{"driver": "postgres", "connectionString": dsn, "password": "wrong-Secr3t-pw"}},
		ph:       func(i int) string { return fmt.Sprintf("$%d", i) },
		postgres: true,
		secrets:  []string{password},
	}
}

func sqliteFixture(t *testing.T) fixture {
	path := filepath.Join(t.TempDir(), "test.db")
	admin, err := dbsql.Open("sqlite", path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	for _, q := range []string{
		`CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, data BLOB, updated_at INTEGER)`,
		`CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT)`,
		`CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT, updated_at INTEGER NOT NULL DEFAULT 0)`,
		`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 10) INSERT INTO docs (body) SELECT 'doc ' || n FROM g`,
	} {
		exec(t, admin, q)
	}
	return fixture{
		db:   admin,
		conn: connector.Connection{Name: "lite", Values: map[string]any{"driver": "sqlite", "connectionString": path}},
		ph:   func(i int) string { return fmt.Sprintf("?%d", i) },
	}
}

func TestConformancePostgres(t *testing.T) {
	t.Parallel()
	run(t, postgresFixture(t))
}

func TestConformanceSQLite(t *testing.T) {
	t.Parallel()
	run(t, sqliteFixture(t))
}

func row(t testing.TB, out connector.Output) map[string]any {
	t.Helper()
	raw, _ := json.Marshal(out.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("body %s: %v", raw, err)
	}
	return m
}

func run(t *testing.T, f fixture) {
	in := func(body any, kv ...any) connector.Input {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return connector.Input{Parameters: m, Body: body}
	}
	want := func(k string, v any) func(t testing.TB, out connector.Output) {
		return func(t testing.TB, out connector.Output) {
			if got := row(t, out)[k]; fmt.Sprint(got) != fmt.Sprint(v) {
				t.Errorf("%s = %v, want %v (row %v)", k, got, v, row(t, out))
			}
		}
	}
	count := func(n int) func(t testing.TB, out connector.Output) {
		return func(t testing.TB, out connector.Output) {
			if got := row(t, out)["value"].([]any); len(got) != n {
				t.Errorf("%d rows, want %d: %v", len(got), n, got)
			}
		}
	}
	// PostgreSQL refuses the name's syntax; SQLite finds no such table.
	badName := connector.KindNotFound
	if f.postgres {
		badName = connector.KindBadRequest
	}
	// Slow queries, only ever cancelled.
	slow := "SELECT pg_sleep(60)"
	if !f.postgres {
		slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c"
	}
	cases := []connectortest.Case{
		{Name: "insert", Operation: "PostItem", Input: in(map[string]any{"id": 1, "name": "apple", "qty": 3, "data": nil}, "table", "items"), Check: want("name", "apple")},
		{Name: "insert second", Operation: "PostItem", Input: in(map[string]any{"id": 2, "name": "pear", "qty": 1}, "table", "items"), Check: want("qty", 1)},
		{Name: "insert duplicate", Operation: "PostItem", Input: in(map[string]any{"id": 1, "name": "again"}, "table", "items"), WantKind: connector.KindBadRequest},
		{Name: "insert unknown column", Operation: "PostItem", Input: in(map[string]any{"nope": 1}, "table", "items"), WantKind: connector.KindBadRequest},
		{Name: "insert unknown table", Operation: "PostItem", Input: in(map[string]any{"a": 1}, "table", "no_such_table"), WantKind: connector.KindNotFound},
		{Name: "injection in table name", Operation: "GetItems", Input: in(nil, "table", `items; DROP TABLE items`), WantKind: badName},
		{Name: "get", Operation: "GetItem", Input: in(nil, "table", "items", "id", "1"), Check: want("name", "apple")},
		{Name: "get missing", Operation: "GetItem", Input: in(nil, "table", "items", "id", 999), WantKind: connector.KindNotFound},
		{Name: "get items filtered", Operation: "GetItems", Input: in(nil, "table", "items", "$filter", "name eq 'apple' and (qty ge 3 or qty eq null)", "$orderby", "id desc", "$top", 10), Check: count(1)},
		{Name: "get items contains", Operation: "GetItems", Input: in(nil, "table", "items", "$filter", "contains(name,'ea') and not startswith(name,'x')", "$select", "id,name"), Check: count(1)},
		{Name: "get items paged", Operation: "GetItems", Input: in(nil, "table", "items", "$top", 1, "$skip", 1), Check: func(t testing.TB, out connector.Output) {
			if v := row(t, out)["value"].([]any); len(v) != 1 || fmt.Sprint(v[0].(map[string]any)["id"]) != "2" {
				t.Errorf("page %v", v)
			}
		}},
		{Name: "filter injection is a value", Operation: "GetItems", Input: in(nil, "table", "items", "$filter", "name eq 'x'' OR 1=1 --'"), Check: count(0)},
		{Name: "orderby injection", Operation: "GetItems", Input: in(nil, "table", "items", "$orderby", "name; DROP TABLE items"), WantKind: connector.KindBadRequest},
		{Name: "filter bad column", Operation: "GetItems", Input: in(nil, "table", "items", "$filter", "1 eq 1"), WantKind: connector.KindBadRequest},
		{Name: "patch", Operation: "PatchItem", Input: in(map[string]any{"qty": 5}, "table", "items", "id", 1), Check: want("qty", 5)},
		{Name: "patch missing", Operation: "PatchItem", Input: in(map[string]any{"qty": 5}, "table", "items", "id", 999), WantKind: connector.KindNotFound},
		{Name: "query", Operation: "ExecutePassThroughNativeQuery", Input: in(map[string]any{"query": "SELECT name, qty FROM items WHERE qty > " + f.ph(1) + " ORDER BY id", "parameters": []any{2}}),
			Check: func(t testing.TB, out connector.Output) {
				sets := row(t, out)["ResultSets"].(map[string]any)
				if rows := sets["Table1"].([]any); len(rows) != 1 || rows[0].(map[string]any)["name"] != "apple" {
					t.Errorf("result %v", sets)
				}
			}},
		{Name: "slow query", Operation: "ExecutePassThroughNativeQuery", Input: in(map[string]any{"query": slow}), CancelOnly: true},
		{Name: "query syntax error", Operation: "ExecutePassThroughNativeQuery", Input: in(map[string]any{"query": "SELEC nothing"}), WantKind: connector.KindBadRequest},
		{Name: "delete", Operation: "DeleteItem", Input: in(nil, "table", "items", "id", 2)},
		{Name: "delete again", Operation: "DeleteItem", Input: in(nil, "table", "items", "id", 2), WantKind: connector.KindNotFound},
	}
	if f.postgres {
		cases = append(cases,
			connectortest.Case{Name: "function", Operation: "ExecuteProcedure", Input: in(map[string]any{"a": 1, "b": 2}, "procedure", "add_qty"),
				Check: func(t testing.TB, out connector.Output) {
					if fmt.Sprint(row(t, out)["ResultSets"]) != "map[Table1:[map[total:3]]]" {
						t.Errorf("result %v", row(t, out))
					}
				}},
			connectortest.Case{Name: "procedure", Operation: "ExecuteProcedure", Input: in(map[string]any{"p_by": 2, "p_count": 40}, "procedure", "bump"),
				Check: func(t testing.TB, out connector.Output) {
					if fmt.Sprint(row(t, out)["OutputParameters"]) != "map[p_count:42]" {
						t.Errorf("result %v", row(t, out))
					}
				}},
			connectortest.Case{Name: "procedure unknown argument", Operation: "ExecuteProcedure", Input: in(map[string]any{"zzz": 1}, "procedure", "bump"), WantKind: connector.KindBadRequest},
			connectortest.Case{Name: "procedure missing", Operation: "ExecuteProcedure", Input: in(nil, "procedure", "no_such_proc"), WantKind: connector.KindNotFound},
			connectortest.Case{Name: "wrong password", Operation: "GetItems", Input: in(nil, "table", "items"), UseBadConnection: true, WantKind: connector.KindUnauthenticated},
		)
	} else {
		cases = append(cases, connectortest.Case{Name: "no procedures", Operation: "ExecuteProcedure", Input: in(nil, "procedure", "x"), WantKind: connector.KindBadRequest})
	}

	key := func(t testing.TB, item any) string {
		m, ok := item.(map[string]any)
		if !ok {
			t.Fatalf("item %T", item)
		}
		return fmt.Sprint(m["id"])
	}
	addEvents := func(t testing.TB, n int) []string {
		var out []string
		for range n {
			out = append(out, ids(t, f.db, "INSERT INTO events (payload) VALUES ("+f.ph(1)+") RETURNING id", "e")...)
		}
		return out
	}
	var version atomic.Int64
	version.Store(100)
	touchDocs := func(t testing.TB, n int) []string {
		// Modify rows not yet modified, oldest ids first.
		var out []string
		for range n {
			set := "clock_timestamp()"
			if !f.postgres {
				set = fmt.Sprint(version.Add(1))
			}
			old := "'2000-01-01'"
			if !f.postgres {
				old = "0"
			}
			out = append(out, ids(t, f.db, "UPDATE docs SET updated_at = "+set+" WHERE id = (SELECT min(id) FROM docs WHERE updated_at = "+old+") RETURNING id")...)
		}
		return out
	}
	connectortest.Run(t, func() connector.Provider { return sqlc.New() }, connectortest.Options{
		Connection:    f.conn,
		BadConnection: f.bad,
		Secrets:       f.secrets,
		Cases:         cases,
		Triggers: []connectortest.TriggerCase{
			{Name: "new events", Operation: sqlc.OnNewItems, Input: in(nil, "table", "events"), Add: addEvents, Key: key},
			{Name: "updated docs", Operation: sqlc.OnUpdatedItems, Input: in(nil, "table", "docs", "column", "updated_at", "$filter", "body ne 'zzz'"), Add: touchDocs, Key: key},
		},
	})
}
