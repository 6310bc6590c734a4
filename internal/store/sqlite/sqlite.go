// SPDX-License-Identifier: Apache-2.0

// Package sqlite is the embedded SQLite backend of package store
// (modernc.org/sqlite, pure Go, WAL mode).
//
// One writer connection is owned by a writer goroutine that groups the
// batches of concurrent callers into one transaction (group commit): while
// a transaction commits, new batches queue up, and the next transaction
// takes all of them. The write statements are prepared once. A group runs
// without savepoints; if a batch fails, the group is rolled back and
// replayed with one savepoint per batch, so a failing batch fails only its
// caller. Reads use a separate pool of read-only connections, which WAL
// lets run beside the writer, and a third connection checkpoints the WAL
// off the commit path.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/junction-run/junction/internal/store"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Options configure [Open].
type Options struct {
	// Sync is the synchronous pragma: "NORMAL" (default; survives a process
	// crash) or "FULL" (survives power loss, much slower commits).
	Sync string
	// MaxBatch bounds how many batches one transaction groups (default 256).
	MaxBatch int
}

// DB is a SQLite store.
type DB struct {
	stmts map[string]*sql.Stmt
	// txStmts are stmts bound to the transaction the writer is running
	// (tx.Stmt allocates, so a group binds each statement once). Only the
	// writer goroutine touches them.
	txStmts  map[string]*sql.Stmt
	curTx    *sql.Tx
	w, r     *sql.DB
	ck       *sql.DB       // checkpoint connection
	ckpt     chan struct{} // asks the checkpointer for a checkpoint
	ckDone   chan struct{}
	written  int // batches committed since the last checkpoint request (writer only)
	reqs     chan *request
	stop     chan struct{}
	done     chan struct{}
	closeMu  sync.Mutex
	closed   bool
	maxBatch int
}

var _ store.Store = (*DB)(nil)

type request struct {
	fn  func(tx *sql.Tx) error
	err chan error
}

// FileName is the database file name inside a data directory.
const FileName = "junction.db"

// OpenDir opens (creating if needed) the store in data directory dir.
func OpenDir(dir string, o Options) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	return Open(filepath.Join(dir, FileName), o)
}

// Open opens (creating if needed) the store in file path.
func Open(path string, o Options) (*DB, error) {
	syncMode := strings.ToUpper(o.Sync)
	if syncMode == "" {
		syncMode = "NORMAL"
	}
	if syncMode != "NORMAL" && syncMode != "FULL" {
		return nil, fmt.Errorf("sqlite: synchronous must be NORMAL or FULL, not %q", o.Sync)
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+syncMode+")")
	// A larger page cache (default 2 MB) keeps the hot B-tree pages of
	// runs, actions and work in memory between group commits.
	q.Add("_pragma", "cache_size(-32000)")
	// Checkpoints run on their own connection (see checkpointer), off the
	// commit path: SQLite's automatic checkpoint runs inside the commit
	// that crosses wal_autocheckpoint pages, and measured 14% of the
	// server's CPU there, stalling every waiter of that group. The
	// writer's own autocheckpoint stays, at 10,000 pages (40 MB): under
	// sustained writes a concurrent checkpoint never catches up with the
	// last frame, and SQLite restarts the WAL from its beginning only
	// after a complete checkpoint, which this one gives (cheaply: the
	// checkpointer has copied most frames by then). So the WAL file grows
	// to about 40 MB under load and is then reused.
	q.Add("_pragma", "wal_autocheckpoint(10000)")
	q.Add("_txlock", "immediate")
	w, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if _, err := w.Exec(schema + workflowsSchema + triggersSchema); err != nil {
		w.Close()
		return nil, fmt.Errorf("create sqlite schema in %s: %w", path, err)
	}
	rq := url.Values{}
	rq.Add("_pragma", "busy_timeout(10000)")
	rq.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", "file:"+path+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	cq := url.Values{}
	cq.Add("_pragma", "busy_timeout(10000)")
	cq.Add("_pragma", "synchronous("+syncMode+")")
	ck, err := sql.Open("sqlite", "file:"+path+"?"+cq.Encode())
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	ck.SetMaxOpenConns(1)
	ck.SetMaxIdleConns(1)
	stmts := map[string]*sql.Stmt{}
	for name, q := range writeSQL {
		st, err := w.Prepare(q)
		if err != nil {
			w.Close()
			r.Close()
			ck.Close()
			return nil, fmt.Errorf("prepare %s: %w", name, err)
		}
		stmts[name] = st
	}
	db := &DB{stmts: stmts, txStmts: map[string]*sql.Stmt{}, w: w, r: r, reqs: make(chan *request, 1024), stop: make(chan struct{}), done: make(chan struct{}), maxBatch: o.MaxBatch,
		ck: ck, ckpt: make(chan struct{}, 1), ckDone: make(chan struct{})}
	go db.writer()
	go db.checkpointer()
	return db, nil
}

const schema = `
CREATE TABLE IF NOT EXISTS definitions (
	workflow TEXT NOT NULL, version TEXT NOT NULL, body BLOB NOT NULL,
	PRIMARY KEY (workflow, version));
CREATE TABLE IF NOT EXISTS runs (
	id TEXT PRIMARY KEY, seq INTEGER NOT NULL, workflow TEXT NOT NULL, version TEXT NOT NULL,
	status TEXT NOT NULL, parked INTEGER NOT NULL DEFAULT 0,
	created INTEGER NOT NULL, ended INTEGER NOT NULL DEFAULT 0,
	trigger BLOB, data BLOB);
CREATE INDEX IF NOT EXISTS runs_status ON runs (status, parked);
CREATE INDEX IF NOT EXISTS runs_seq ON runs (seq);
CREATE TABLE IF NOT EXISTS actions (
	run_id TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, data BLOB,
	PRIMARY KEY (run_id, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS variables (
	run_id TEXT NOT NULL, name TEXT NOT NULL, value BLOB,
	PRIMARY KEY (run_id, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS work (
	id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL,
	due INTEGER NOT NULL, owner TEXT, lease_until INTEGER NOT NULL DEFAULT 0, payload BLOB);
CREATE INDEX IF NOT EXISTS work_due ON work (due);
CREATE INDEX IF NOT EXISTS work_run ON work (run_id);
CREATE TABLE IF NOT EXISTS callbacks (
	token TEXT PRIMARY KEY, run_id TEXT NOT NULL, ref TEXT NOT NULL);
`

// writer owns the write connection and groups queued requests into one
// transaction.
func (db *DB) writer() {
	defer close(db.done)
	for {
		var first *request
		select {
		case first = <-db.reqs:
		case <-db.stop:
			return
		}
		group := []*request{first}
		// Under load, the callers of the next group are typically runnable
		// but not yet queued when the first request arrives: without
		// yielding, most transactions carried one batch (measured: mean
		// 3.4, mostly 1, at 32 concurrent runs). Yielding the processor up
		// to twice while the queue keeps growing lets them queue, for ~14
		// batches per transaction. An idle server does not wait: Gosched
		// returns at once when nothing else is runnable.
		for yields := 0; ; yields++ {
			n := len(group)
		drain:
			for len(group) < db.maxBatch {
				select {
				case r := <-db.reqs:
					group = append(group, r)
				default:
					break drain
				}
			}
			if yields == 2 || len(group) >= db.maxBatch || yields > 0 && len(group) == n {
				break
			}
			runtime.Gosched()
		}
		db.runGroup(group)
		db.written += len(group)
		if db.written >= checkpointEvery {
			db.written = 0
			select {
			case db.ckpt <- struct{}{}:
			default: // one is pending or running
			}
		}
	}
}

// checkpointEvery is how many committed batches (about one run's steps
// each, a few WAL pages) ask for a checkpoint: about SQLite's default of
// 1,000 pages.
const checkpointEvery = 256

// checkpointer copies the WAL back into the database on its own
// connection when the writer asks. PASSIVE never blocks the writer or the
// readers; frames it cannot copy yet are taken by the next one.
func (db *DB) checkpointer() {
	defer close(db.ckDone)
	for {
		select {
		case <-db.ckpt:
		case <-db.stop:
			return
		}
		// An error is not fatal: the next request retries, and the
		// writer's autocheckpoint is the backstop.
		_, _ = db.ck.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
	}
}

// runGroup applies a group of requests in one transaction. It first runs
// them without savepoints (three statements less per batch, and failures
// are rare); if any request fails, the transaction is rolled back and the
// group is replayed with one savepoint per request, so a failing request
// fails only its caller. Replaying is safe: a request's fn only writes
// through tx and sets its own results.
func (db *DB) runGroup(group []*request) {
	var errs []error
	var err error
	if len(group) > 1 {
		errs, err = db.runTx(group, false)
		if err == nil && errors.Join(errs...) != nil {
			errs, err = db.runTx(group, true)
		}
	} else {
		errs, err = db.runTx(group, false)
	}
	for i, r := range group {
		if err != nil {
			r.err <- err
		} else {
			r.err <- errs[i]
		}
	}
}

// runTx runs group in one transaction and commits it unless a request
// failed without a savepoint to undo it (savepoints false), in which case
// it rolls back. err is a begin or commit error, which fails every request.
func (db *DB) runTx(group []*request, savepoints bool) (errs []error, err error) {
	tx, err := db.w.Begin()
	if err != nil {
		return nil, fmt.Errorf("sqlite begin: %w", err)
	}
	db.curTx = tx
	defer func() {
		db.curTx = nil
		clear(db.txStmts)
	}()
	errs = make([]error, len(group))
	failed := false
	for i, r := range group {
		if !savepoints {
			if errs[i] = r.fn(tx); errs[i] != nil {
				failed = true
				break
			}
			continue
		}
		if _, err := db.stmt(tx, "savepoint").Exec(); err != nil {
			errs[i] = err
			continue
		}
		if err := r.fn(tx); err != nil {
			errs[i] = err
			_, _ = db.stmt(tx, "rollbackto").Exec()
		}
		_, _ = db.stmt(tx, "release").Exec()
	}
	if failed {
		_ = tx.Rollback()
		return errs, nil
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite commit: %w", err)
	}
	return errs, nil
}

var errClosed = errors.New("sqlite store is closed")

func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	r := &request{fn: fn, err: make(chan error, 1)}
	select {
	case db.reqs <- r:
	case <-db.stop:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the write will be applied; wait for its outcome even if
	// ctx ends, so the caller never mistakes a committed batch for a lost one.
	select {
	case err := <-r.err:
		return err
	case <-db.done:
		select {
		case err := <-r.err:
			return err
		default:
			return errClosed
		}
	}
}

// Close stops the writer and closes the connections.
func (db *DB) Close() error {
	db.closeMu.Lock()
	defer db.closeMu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	close(db.stop)
	<-db.done
	<-db.ckDone
	// Apply what is still queued so no acknowledged-to-be write is dropped.
	for {
		select {
		case r := <-db.reqs:
			db.runGroup([]*request{r})
			continue
		default:
		}
		break
	}
	for _, st := range db.stmts {
		_ = st.Close()
	}
	err1 := db.w.Close()
	err2 := db.r.Close()
	err3 := db.ck.Close()
	return errors.Join(err1, err2, err3)
}

func us(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromUS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// PutDefinition implements [store.Store].
func (db *DB) PutDefinition(ctx context.Context, workflow, version string, body []byte) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO definitions (workflow, version, body) VALUES (?, ?, ?)
			ON CONFLICT (workflow, version) DO NOTHING`, workflow, version, body)
		return err
	})
}

// Definition implements [store.Store].
func (db *DB) Definition(ctx context.Context, workflow, version string) ([]byte, error) {
	var body []byte
	err := db.r.QueryRowContext(ctx, `SELECT body FROM definitions WHERE workflow = ? AND version = ?`, workflow, version).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("definition %s@%s: %w", workflow, version, store.ErrNotFound)
	}
	return body, err
}

// Commit implements [store.Store].
func (db *DB) Commit(ctx context.Context, b *store.Batch) error {
	if b.Empty() {
		return nil
	}
	return db.write(ctx, func(tx *sql.Tx) error { return db.applyBatch(tx, b) })
}

var writeSQL = map[string]string{
	"action": `INSERT INTO actions (run_id, key, name, status, data) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (run_id, key) DO UPDATE SET name = excluded.name, status = excluded.status, data = excluded.data`,
	"variable": `INSERT INTO variables (run_id, name, value) VALUES (?, ?, ?)
			ON CONFLICT (run_id, name) DO UPDATE SET value = excluded.value`,
	"work":     `INSERT INTO work (run_id, kind, ref, due, payload) VALUES (?, ?, ?, ?, ?)`,
	"donework": `DELETE FROM work WHERE id = ?`,
	"newrun": `INSERT INTO runs (id, seq, workflow, version, status, parked, created, ended, trigger, data)
			VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM runs), ?, ?, ?, ?, ?, ?, ?, ?)`,
	"runupdate":     `UPDATE runs SET status = ?, parked = ?, ended = ? WHERE id = ?`,
	"runupdatedata": `UPDATE runs SET status = ?, parked = ?, ended = ?, data = ? WHERE id = ?`,
	"runtrigger":    `UPDATE runs SET trigger = ? WHERE id = ?`,
	"callback":      `INSERT OR REPLACE INTO callbacks (token, run_id, ref) VALUES (?, ?, ?)`,
	"donecallback":  `DELETE FROM callbacks WHERE token = ?`,
	"savepoint":     `SAVEPOINT b`,
	"rollbackto":    `ROLLBACK TO b`,
	"release":       `RELEASE b`,
}

// stmt returns the prepared write statement name bound to tx. Statements
// are prepared once on the writer connection at Open; SQLite's parser is a
// large part of a small transaction's cost otherwise.
func (db *DB) stmt(tx *sql.Tx, name string) *sql.Stmt {
	if tx != db.curTx {
		return tx.Stmt(db.stmts[name])
	}
	st := db.txStmts[name]
	if st == nil {
		st = tx.Stmt(db.stmts[name])
		db.txStmts[name] = st
	}
	return st
}

func (db *DB) applyBatch(tx *sql.Tx, b *store.Batch) error {
	for _, r := range b.NewRuns {
		if _, err := db.stmt(tx, "newrun").Exec(r.ID, r.Workflow, r.Version, r.Status, r.Parked, us(r.Created), us(r.Ended), r.Trigger, r.Data); err != nil {
			return fmt.Errorf("insert run %s: %w", r.ID, err)
		}
	}
	for _, u := range b.RunUpdates {
		var err error
		if u.Data != nil {
			_, err = db.stmt(tx, "runupdatedata").Exec(u.Status, u.Parked, us(u.Ended), u.Data, u.ID)
		} else {
			_, err = db.stmt(tx, "runupdate").Exec(u.Status, u.Parked, us(u.Ended), u.ID)
		}
		if err == nil && u.Trigger != nil {
			_, err = db.stmt(tx, "runtrigger").Exec(u.Trigger, u.ID)
		}
		if err != nil {
			return fmt.Errorf("update run %s: %w", u.ID, err)
		}
	}
	for _, a := range b.Actions {
		if _, err := db.stmt(tx, "action").Exec(a.RunID, a.Key, a.Name, a.Status, a.Data); err != nil {
			return fmt.Errorf("upsert action %s/%s: %w", a.RunID, a.Key, err)
		}
	}
	for _, v := range b.Variables {
		if _, err := db.stmt(tx, "variable").Exec(v.RunID, v.Name, v.Value); err != nil {
			return fmt.Errorf("upsert variable %s/%s: %w", v.RunID, v.Name, err)
		}
	}
	for _, w := range b.Work {
		if _, err := db.stmt(tx, "work").Exec(w.RunID, w.Kind, w.Ref, us(w.Due), w.Payload); err != nil {
			return fmt.Errorf("insert work for %s: %w", w.RunID, err)
		}
	}
	for _, id := range b.DoneWork {
		if _, err := db.stmt(tx, "donework").Exec(id); err != nil {
			return fmt.Errorf("delete work %d: %w", id, err)
		}
	}
	for _, c := range b.Callbacks {
		if _, err := db.stmt(tx, "callback").Exec(c.Token, c.RunID, c.Ref); err != nil {
			return fmt.Errorf("insert callback: %w", err)
		}
	}
	for _, t := range b.DoneCallbacks {
		if _, err := db.stmt(tx, "donecallback").Exec(t); err != nil {
			return fmt.Errorf("delete callback: %w", err)
		}
	}
	return applyTriggers(tx, b)
}

const runCols = `id, workflow, version, status, parked, created, ended, trigger, data`

func scanRun(sc interface{ Scan(...any) error }) (store.Run, error) {
	var r store.Run
	var created, ended int64
	err := sc.Scan(&r.ID, &r.Workflow, &r.Version, &r.Status, &r.Parked, &created, &ended, &r.Trigger, &r.Data)
	r.Created, r.Ended = fromUS(created), fromUS(ended)
	return r, err
}

// Run implements [store.Store].
func (db *DB) Run(ctx context.Context, id string) (store.Run, error) {
	r, err := scanRun(db.r.QueryRowContext(ctx, `SELECT `+runCols+` FROM runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("run %s: %w", id, store.ErrNotFound)
	}
	return r, err
}

// ListRuns implements [store.Store].
func (db *DB) ListRuns(ctx context.Context, f store.RunFilter) ([]store.Run, error) {
	q := `SELECT ` + runCols + ` FROM runs WHERE 1=1`
	var args []any
	if f.Workflow != "" {
		q += ` AND workflow = ?`
		args = append(args, f.Workflow)
	}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.Unparked {
		q += ` AND status = ? AND parked = 0`
		args = append(args, store.StatusRunning)
	}
	q += ` ORDER BY seq`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var out []store.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Actions implements [store.Store].
func (db *DB) Actions(ctx context.Context, runID string) ([]store.ActionRecord, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT key, name, status, data FROM actions WHERE run_id = ? ORDER BY key`, runID)
	if err != nil {
		return nil, fmt.Errorf("actions of %s: %w", runID, err)
	}
	defer rows.Close()
	var out []store.ActionRecord
	for rows.Next() {
		a := store.ActionRecord{RunID: runID}
		if err := rows.Scan(&a.Key, &a.Name, &a.Status, &a.Data); err != nil {
			return nil, fmt.Errorf("actions of %s: %w", runID, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Variables implements [store.Store].
func (db *DB) Variables(ctx context.Context, runID string) ([]store.Variable, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT name, value FROM variables WHERE run_id = ? ORDER BY name`, runID)
	if err != nil {
		return nil, fmt.Errorf("variables of %s: %w", runID, err)
	}
	defer rows.Close()
	var out []store.Variable
	for rows.Next() {
		v := store.Variable{RunID: runID}
		if err := rows.Scan(&v.Name, &v.Value); err != nil {
			return nil, fmt.Errorf("variables of %s: %w", runID, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func scanWork(rows *sql.Rows) ([]store.WorkItem, error) {
	defer rows.Close()
	var out []store.WorkItem
	for rows.Next() {
		var w store.WorkItem
		var due int64
		if err := rows.Scan(&w.ID, &w.RunID, &w.Kind, &w.Ref, &due, &w.Payload); err != nil {
			return nil, err
		}
		w.Due = fromUS(due)
		out = append(out, w)
	}
	return out, rows.Err()
}

// ClaimWork implements [store.Store].
func (db *DB) ClaimWork(ctx context.Context, owner string, now time.Time, limit int, lease time.Duration) ([]store.WorkItem, error) {
	var out []store.WorkItem
	err := db.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.Query(`UPDATE work SET owner = ?, lease_until = ?
			WHERE id IN (SELECT id FROM work WHERE due <= ? AND lease_until <= ? ORDER BY due, id LIMIT ?)
			RETURNING id, run_id, kind, ref, due, payload`,
			owner, us(now.Add(lease)), us(now), us(now), limit)
		if err != nil {
			return err
		}
		out, err = scanWork(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim work: %w", err)
	}
	// RETURNING gives no order guarantee.
	sortWork(out)
	return out, nil
}

func sortWork(ws []store.WorkItem) {
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && (ws[j].Due.Before(ws[j-1].Due) || ws[j].Due.Equal(ws[j-1].Due) && ws[j].ID < ws[j-1].ID); j-- {
			ws[j], ws[j-1] = ws[j-1], ws[j]
		}
	}
}

// NextDue implements [store.Store].
func (db *DB) NextDue(ctx context.Context, now time.Time) (time.Time, bool, error) {
	var due sql.NullInt64
	err := db.r.QueryRowContext(ctx, `SELECT MIN(CASE WHEN lease_until > due THEN lease_until ELSE due END) FROM work`).Scan(&due)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next due work: %w", err)
	}
	if !due.Valid {
		return time.Time{}, false, nil
	}
	return fromUS(due.Int64), true, nil
}

// ReleaseLeases implements [store.Store].
func (db *DB) ReleaseLeases(ctx context.Context, owner string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE work SET owner = NULL, lease_until = 0 WHERE owner = ?`, owner)
		return err
	})
}

// PendingWork implements [store.Store].
func (db *DB) PendingWork(ctx context.Context, runID string) ([]store.WorkItem, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, run_id, kind, ref, due, payload FROM work WHERE run_id = ? ORDER BY due, id`, runID)
	if err != nil {
		return nil, fmt.Errorf("pending work of %s: %w", runID, err)
	}
	return scanWork(rows)
}

// Callback implements [store.Store].
func (db *DB) Callback(ctx context.Context, token string) (store.Callback, error) {
	c := store.Callback{Token: token}
	err := db.r.QueryRowContext(ctx, `SELECT run_id, ref FROM callbacks WHERE token = ?`, token).Scan(&c.RunID, &c.Ref)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("callback: %w", store.ErrNotFound)
	}
	return c, err
}
