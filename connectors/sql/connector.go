// SPDX-License-Identifier: Apache-2.0

// Package sql is the built-in SQL database connector for PostgreSQL and
// SQLite.
//
// Operations follow the Logic Apps SQL Server connector: GetItems (with an
// OData $filter, $orderby, $top, $skip and $select), GetItem, PostItem,
// PatchItem, DeleteItem, ExecuteProcedure, ExecutePassThroughNativeQuery, and
// the polling triggers OnNewItems (an increasing column such as an identity
// key) and OnUpdatedItems (a timestamp or row-version column).
//
// User values only ever reach the database as bound parameters. Table,
// column and procedure names are looked up in the database's catalog and
// quoted; a name that is not there is refused before any SQL is built.
// ExecutePassThroughNativeQuery runs the SQL text it is given (that is its
// purpose), with its values bound as parameters.
package sql

import (
	"context"
	"crypto/sha256"
	dbsql "database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/junction-run/junction/connector"
)

// ID is the connector id.
const ID = "sql"

func init() { connector.MustRegister(New()) }

// Connector serves the SQL operations. It keeps one connection pool per
// distinct connection, opened on first use and closed by Close.
type Connector struct {
	mu     sync.Mutex
	pools  map[string]*pool
	closed bool
	connector.Logging
}

// pool is an open database and its dialect.
type pool struct {
	db *dbsql.DB
	d  dialect
}

// New returns a connector; it does no I/O.
func New() *Connector {
	return &Connector{pools: map[string]*pool{}}
}

// Spec describes the connector.
func (c *Connector) Spec() connector.Spec { return spec() }

// Close closes every pool. It is idempotent; a closed connector opens new
// pools again if it is used.
func (c *Connector) Close(context.Context) error {
	c.mu.Lock()
	pools := c.pools
	c.pools = map[string]*pool{}
	c.mu.Unlock()
	var first error
	for _, p := range pools {
		if err := p.db.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// db returns the pool for conn, opening it on first use (sql.Open does not
// connect; the first query does).
func (c *Connector) db(conn connector.Connection) (*pool, error) {
	driver := strings.ToLower(conn.String("driver"))
	dsn := conn.String("connectionString")
	if dsn == "" {
		return nil, connector.Errorf(connector.KindBadRequest, "sql: the connection has no connectionString")
	}
	h := sha256.Sum256([]byte(driver + "\x00" + dsn + "\x00" + conn.String("password")))
	key := hex.EncodeToString(h[:])
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.pools[key]; ok {
		return p, nil
	}
	var (
		p   *pool
		err error
	)
	switch driver {
	case "postgres", "postgresql", "":
		p, err = openPostgres(dsn, conn.String("password"))
	case "sqlite":
		p, err = openSQLite(dsn)
	default:
		return nil, connector.Errorf(connector.KindBadRequest, "sql: driver %q is not supported (postgres, sqlite)", driver)
	}
	if err != nil {
		return nil, err
	}
	c.pools[key] = p
	return p, nil
}

// Test connects and runs a trivial query.
func (c *Connector) Test(ctx context.Context, conn connector.Connection) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := c.db(conn)
	if err != nil {
		return err
	}
	if err := p.db.PingContext(ctx); err != nil {
		return p.d.classify(ctx, "connecting", err)
	}
	return nil
}

type handler func(ctx context.Context, p *pool, in connector.Input) (connector.Output, error)

var actions = map[string]handler{
	"ExecutePassThroughNativeQuery": executeQuery,
	"GetItems":                      getItems,
	"GetItem":                       getItem,
	"PostItem":                      postItem,
	"PatchItem":                     patchItem,
	"DeleteItem":                    deleteItem,
	"ExecuteProcedure":              executeProcedure,
}

// Invoke runs an action.
func (c *Connector) Invoke(ctx context.Context, conn connector.Connection, operationID string, in connector.Input) (connector.Output, error) {
	h, ok := actions[operationID]
	if !ok {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "sql: unknown action %q", operationID)
	}
	if err := ctx.Err(); err != nil {
		return connector.Output{}, err
	}
	p, err := c.db(conn)
	if err != nil {
		return connector.Output{}, err
	}
	out, err := h(ctx, p, in)
	if err != nil {
		if connector.KindOf(err) == connector.KindUnknown && ctx.Err() == nil {
			c.Logger().Warn("sql operation failed", "operation", operationID, "error", err.Error())
		}
		return connector.Output{}, fmt.Errorf("sql %s: %w", operationID, err)
	}
	return out, nil
}

var (
	_ connector.Provider     = (*Connector)(nil)
	_ connector.Closer       = (*Connector)(nil)
	_ connector.Tester       = (*Connector)(nil)
	_ connector.Poller       = (*Connector)(nil)
	_ connector.LoggerSetter = (*Connector)(nil)
)
