// Package storetest runs a test on every database engine: always on SQLite (a
// fresh file), and on PostgreSQL when ENTENTE_TEST_POSTGRES holds a connection
// URL, each test in a schema of its own that is dropped afterwards. Without the
// variable the PostgreSQL run is skipped with one visible line, unless
// ENTENTE_TEST_STRICT=1, which turns any skip into a failure (CI sets both).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"entente.example/entente/internal/store"
)

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t.UTC()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var skipOnce sync.Once

// Strict reports whether skipping is forbidden (CI).
func Strict() bool { return os.Getenv("ENTENTE_TEST_STRICT") == "1" }

// PostgresURL returns the PostgreSQL URL for tests, or "" (after printing the
// skip line once, or failing under strict mode) when none is configured.
func PostgresURL(t testing.TB) string {
	u := os.Getenv("ENTENTE_TEST_POSTGRES")
	if u == "" {
		if Strict() {
			t.Fatal("ENTENTE_TEST_STRICT=1 but ENTENTE_TEST_POSTGRES is empty: the PostgreSQL tests must run")
		}
		skipOnce.Do(func() {
			os.Stderr.WriteString("storetest: SKIPPING PostgreSQL runs: set ENTENTE_TEST_POSTGRES=postgres://… to run them\n")
		})
	}
	return u
}

// Engine is one engine a test runs on, with how to open a fresh database.
type Engine struct {
	Name string
	// DSN returns the --db value of a fresh, empty database for t.
	DSN func(t testing.TB) string
}

// Engines returns SQLite and, when configured, PostgreSQL.
func Engines(t testing.TB) []Engine {
	es := []Engine{{Name: "sqlite", DSN: func(t testing.TB) string {
		return filepath.Join(t.TempDir(), "entente.db")
	}}}
	if pg := PostgresURL(t); pg != "" {
		es = append(es, Engine{Name: "postgres", DSN: func(t testing.TB) string { return FreshSchema(t, pg) }})
	}
	return es
}

// FreshSchema creates a schema for t in the PostgreSQL database at base and
// returns a URL whose connections use it; the schema is dropped after the test.
func FreshSchema(t testing.TB, base string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	ctx := context.Background()
	admin, err := store.Open(ctx, base, store.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	if _, err := admin.Raw().ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Raw().ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens a fresh database on e, applies sets, and closes it after the test.
func Open(t testing.TB, e Engine, clock *Clock, sets ...store.Migrations) *store.DB {
	t.Helper()
	ctx := context.Background()
	opt := store.Options{}
	if clock != nil {
		opt.Clock = clock
	}
	db, err := store.Open(ctx, e.DSN(t), opt)
	if err != nil {
		t.Fatalf("open %s: %v", e.Name, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, sets); err != nil {
		t.Fatalf("migrate %s: %v", e.Name, err)
	}
	return db
}

// Each runs f as a subtest on every engine.
func Each(t *testing.T, f func(t *testing.T, e Engine)) {
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) { f(t, e) })
	}
}
