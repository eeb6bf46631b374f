package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"entente.example/entente/core"
)

// Engine names a database engine.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open database: a writer pool and a reader pool. On SQLite the writer
// has exactly one connection (SQLite allows one writer; queuing in Go is cheaper
// than SQLITE_BUSY retries) and readers run in parallel under WAL. On PostgreSQL
// both are the same pool.
type DB struct {
	Engine Engine
	Path   string // SQLite file, empty for PostgreSQL
	w, r   *sqlx.DB
	clock  core.Clock
}

// Options tune Open.
type Options struct {
	Clock        core.Clock
	ReadConns    int // SQLite reader pool size; default 4
	MaxOpenConns int // PostgreSQL pool size; default 20
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn: a postgres:// URL, or a path to an SQLite
// file (created if missing). It pings before returning so an unreachable server
// is reported at start-up with one clear line.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	if opt.Clock == nil {
		opt.Clock = core.SystemClock{}
	}
	if IsPostgres(dsn) {
		return openPostgres(ctx, dsn, opt)
	}
	return openSQLite(ctx, dsn, opt)
}

func openPostgres(ctx context.Context, dsn string, opt Options) (*DB, error) {
	db, err := sqlx.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	n := opt.MaxOpenConns
	if n <= 0 {
		n = 20
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		// pgx lists every address it tried on its own line; the operator
		// gets one line.
		msg := strings.Join(strings.Fields(err.Error()), " ")
		return nil, fmt.Errorf("store: cannot reach PostgreSQL at %s: %s", redact(dsn), msg)
	}
	return &DB{Engine: Postgres, w: db, r: db, clock: opt.Clock}, nil
}

// sqliteDSN builds the DSN with busy_timeout first (it must be in force before
// the other pragmas run), WAL, foreign keys, immediate write transactions and a
// time format SQLite's own date functions can read.
func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_time_format", "sqlite")
	q.Add("_texttotime", "1")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

func openSQLite(ctx context.Context, path string, opt Options) (*DB, error) {
	path = strings.TrimPrefix(path, "sqlite://")
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: create directory for %s: %w", path, err)
		}
	}
	w, err := sqlx.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	r, err := sqlx.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite readers: %w", err)
	}
	n := opt.ReadConns
	if n <= 0 {
		n = 4
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return &DB{Engine: SQLite, Path: path, w: w, r: r, clock: opt.Clock}, nil
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(the --db URL)"
	}
	return u.Redacted()
}

// Close closes both pools.
func (db *DB) Close() error {
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// Stats returns the pool statistics of the writer and the reader pools.
func (db *DB) Stats() (writer, reader sql.DBStats) { return db.w.Stats(), db.r.Stats() }

// Raw returns the underlying writer pool for tools that need database/sql (the
// Prometheus collector, backups).
func (db *DB) Raw() *sql.DB { return db.w.DB }

// RawReader returns the reader pool (the writer pool on PostgreSQL).
func (db *DB) RawReader() *sql.DB { return db.r.DB }

// Clock returns the database's clock, the one that stamps transactions.
func (db *DB) Clock() core.Clock { return db.clock }

// R returns a connection for reads outside a transaction.
func (db *DB) R() Conn { return Conn{ext: db.r} }

// Tx is a write transaction with a fixed Now, so every row it writes carries the
// same time.
type Tx struct {
	Conn
	Now time.Time
	tx  *sqlx.Tx
	db  *DB
	// after runs once the transaction has committed (to wake workers, say).
	after []func()
	sp    int // savepoints made, for unique names
}

// Engine returns the engine the transaction runs on.
func (tx *Tx) Engine() Engine { return tx.db.Engine }

// AfterCommit registers f to run after a successful commit.
func (tx *Tx) AfterCommit(f func()) { tx.after = append(tx.after, f) }

// Savepoint runs fn inside a savepoint of the transaction: if fn fails, what
// it wrote is undone and the transaction goes on. A batch of independent
// items can then commit together while refusing some of them.
func (tx *Tx) Savepoint(ctx context.Context, fn func() error) error {
	tx.sp++
	name := fmt.Sprintf("sp%d", tx.sp)
	if _, err := tx.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return mapErr(err)
	}
	if err := fn(); err != nil {
		if _, rerr := tx.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); rerr != nil {
			return errors.Join(err, mapErr(rerr))
		}
		tx.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name)
		return err
	}
	_, err := tx.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name)
	return mapErr(err)
}

// WithTx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise, so a failed request never leaves half its writes.
func (db *DB) WithTx(ctx context.Context, fn func(tx *Tx) error) error {
	stx, err := db.w.BeginTxx(ctx, nil)
	if err != nil {
		return core.Wrap("store: begin", mapErr(err))
	}
	tx := &Tx{Conn: Conn{ext: stx}, Now: db.clock.Now().UTC().Truncate(time.Microsecond), tx: stx, db: db}
	if err := fn(tx); err != nil {
		_ = stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		return core.Wrap("store: commit", mapErr(err))
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

// Conn runs queries, rebinding ? placeholders for the engine and mapping driver
// errors to core kinds.
type Conn struct {
	ext sqlx.ExtContext
}

// Get scans one row into dest; no row is a not-found error.
func (c Conn) Get(ctx context.Context, dest any, query string, args ...any) error {
	counted(ctx)
	if err := checkArgs(args); err != nil {
		return err
	}
	return mapErr(sqlx.GetContext(ctx, c.ext, dest, c.ext.Rebind(query), args...))
}

// Select scans all rows into dest, a pointer to a slice.
func (c Conn) Select(ctx context.Context, dest any, query string, args ...any) error {
	counted(ctx)
	if err := checkArgs(args); err != nil {
		return err
	}
	return mapErr(sqlx.SelectContext(ctx, c.ext, dest, c.ext.Rebind(query), args...))
}

// Exec runs a statement and returns the number of rows it affected.
func (c Conn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	counted(ctx)
	if err := checkArgs(args); err != nil {
		return 0, err
	}
	res, err := c.ext.ExecContext(ctx, c.ext.Rebind(query), args...)
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapErr(err)
	}
	return n, nil
}

// checkArgs refuses text that one engine would store and the other refuse:
// PostgreSQL rejects NUL in text and invalid UTF-8, SQLite keeps both. This
// is the last line behind the checks at the edges (forms, JSON, envelopes),
// so that no write path, however it was reached, behaves differently on the
// two engines. Byte slices are data, not text, and pass as they are.
func checkArgs(args []any) error {
	for i, a := range args {
		var s string
		switch v := a.(type) {
		case nil, []byte, int, int64, bool, time.Time:
			continue
		case string:
			s = v
		case *string:
			if v == nil {
				continue
			}
			s = *v
		default:
			rv := reflect.ValueOf(a)
			if rv.Kind() == reflect.Pointer {
				if rv.IsNil() {
					continue
				}
				rv = rv.Elem()
			}
			if rv.Kind() != reflect.String {
				continue
			}
			s = rv.String()
		}
		if p := core.CheckText(s); p != "" {
			return &core.Error{Kind: core.KindInvalid, Message: p, Err: fmt.Errorf("store: argument %d: %s", i+1, p)}
		}
	}
	return nil
}

type queryCounter struct{}

// CountQueries returns a context in which every query through Conn is
// counted, for tests that hold a page to a number of queries.
func CountQueries(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, queryCounter{}, n), n
}

func counted(ctx context.Context) {
	if n, ok := ctx.Value(queryCounter{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}

// mapErr turns driver errors into core errors of the right kind; the cause is
// kept for the log.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &core.Error{Kind: core.KindNotFound, Message: "err.not_found", Err: err}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &core.Error{Kind: core.KindConflict, Message: "err.conflict", Err: err}
		case "23503", "23514", "23502":
			return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: err}
		}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &core.Error{Kind: core.KindConflict, Message: "err.conflict", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: err}
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return &core.Error{Kind: core.KindUnavailable, Message: "err.unavailable", Err: err}
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &core.Error{Kind: core.KindUnavailable, Message: "err.unavailable", Err: err}
	}
	return err
}

// Like escapes s for use in a LIKE pattern with ESCAPE '\'.
func Like(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}
