package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

var testSchema = store.Migrations{Component: "test", FS: fstest.MapFS{
	"0001_things.sql": {Data: []byte(`CREATE TABLE things (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		n INTEGER NOT NULL DEFAULT 0,
		flag BOOLEAN NOT NULL DEFAULT FALSE,
		at TIMESTAMP,
		blob BYTEA
	);
	CREATE UNIQUE INDEX things_name ON things (name);`)},
	"0002_counter.sql":         {Data: []byte(`CREATE TABLE counter (k TEXT PRIMARY KEY, v INTEGER NOT NULL); INSERT INTO counter VALUES ('c', 0);`)},
	"0003_engine.sqlite.sql":   {Data: []byte(`CREATE TABLE engine_name (name TEXT); INSERT INTO engine_name VALUES ('sqlite');`)},
	"0003_engine.postgres.sql": {Data: []byte(`CREATE TABLE engine_name (name TEXT); INSERT INTO engine_name VALUES ('postgres');`)},
}}

// TestStore is the store suite: it runs on SQLite and on PostgreSQL.
func TestStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, e, nil, testSchema)

		t.Run("migrations apply once and per engine", func(t *testing.T) {
			n, err := db.Migrate(ctx, []store.Migrations{testSchema})
			if err != nil || n != 0 {
				t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
			}
			p, err := db.Pending(ctx, []store.Migrations{testSchema})
			if err != nil || p != 0 {
				t.Fatalf("Pending = %d, %v; want 0", p, err)
			}
			var name string
			if err := db.R().Get(ctx, &name, `SELECT name FROM engine_name`); err != nil || name != string(db.Engine) {
				t.Fatalf("engine-specific migration: got %q, %v; want %q", name, err, db.Engine)
			}
		})

		t.Run("text either engine would refuse is refused by both", func(t *testing.T) {
			type named string
			bad := []struct {
				name string
				arg  any
				want string
			}{
				{"NUL", "a\x00b", core.ProblemNUL},
				{"NUL only", "\x00", core.ProblemNUL},
				{"invalid UTF-8", "caf\xe9", core.ProblemUTF8},
				{"truncated rune", "\xe2\x82", core.ProblemUTF8},
				{"pointer", ptr("x\x00"), core.ProblemNUL},
				{"named string type", named("y\xff"), core.ProblemUTF8},
			}
			for _, c := range bad {
				err := db.WithTx(ctx, func(tx *store.Tx) error {
					_, err := tx.Exec(ctx, `INSERT INTO things (id, name) VALUES (?, ?)`, "bad-"+c.name, c.arg)
					return err
				})
				if ce := core.AsError(err); ce == nil || ce.Kind != core.KindInvalid || ce.Message != c.want {
					t.Errorf("%s: Exec = %v; want invalid %s", c.name, err, c.want)
				}
				var n int
				if err := db.R().Get(ctx, &n, `SELECT COUNT(*) FROM things WHERE id = ?`, "bad-"+c.name); err != nil || n != 0 {
					t.Errorf("%s: stored %d rows, %v; want none", c.name, n, err)
				}
				// Reads with such text are refused the same way, not sent to
				// PostgreSQL to fail there with its own error.
				var id string
				if err := db.R().Get(ctx, &id, `SELECT id FROM things WHERE name = ?`, c.arg); core.KindOf(err) != core.KindInvalid {
					t.Errorf("%s: Get = %v; want invalid", c.name, err)
				}
				var ids []string
				if err := db.R().Select(ctx, &ids, `SELECT id FROM things WHERE name = ?`, c.arg); core.KindOf(err) != core.KindInvalid {
					t.Errorf("%s: Select = %v; want invalid", c.name, err)
				}
			}
			// Bytes are data, and good text passes.
			err := db.WithTx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO things (id, name, blob) VALUES (?, ?, ?)`, "good-text", "Kemlu — ré ✓", []byte{0, 0xff})
				return err
			})
			if err != nil {
				t.Fatalf("good text and bytes refused: %v", err)
			}
		})

		t.Run("values round-trip", func(t *testing.T) {
			at := time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)
			err := db.WithTx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO things (id, name, n, flag, at, blob) VALUES (?, ?, ?, ?, ?, ?)`, "a", "Kementerian Luar Negeri", 42, true, at, []byte{0, 1, 2, 255})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Name string    `db:"name"`
				N    int       `db:"n"`
				Flag bool      `db:"flag"`
				At   time.Time `db:"at"`
				Blob []byte    `db:"blob"`
			}
			if err := db.R().Get(ctx, &got, `SELECT name, n, flag, at, blob FROM things WHERE id = ?`, "a"); err != nil {
				t.Fatal(err)
			}
			if got.Name != "Kementerian Luar Negeri" || got.N != 42 || !got.Flag || !got.At.Equal(at) || string(got.Blob) != "\x00\x01\x02\xff" {
				t.Fatalf("round trip: %+v", got)
			}
			var latest time.Time
			if err := db.R().Get(ctx, &latest, `SELECT MAX(at) FROM things`); err != nil || !latest.Equal(at) {
				t.Fatalf("MAX(at) = %v, %v; want %v", latest, err, at)
			}
		})

		t.Run("errors have kinds", func(t *testing.T) {
			err := db.WithTx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO things (id, name) VALUES (?, ?)`, "b", "Kementerian Luar Negeri")
				return err
			})
			if core.KindOf(err) != core.KindConflict {
				t.Fatalf("duplicate: kind %q (%v), want conflict", core.KindOf(err), err)
			}
			var s string
			err = db.R().Get(ctx, &s, `SELECT name FROM things WHERE id = ?`, "nobody")
			if core.KindOf(err) != core.KindNotFound {
				t.Fatalf("missing row: kind %q, want not_found", core.KindOf(err))
			}
		})

		t.Run("failed transaction writes nothing", func(t *testing.T) {
			boom := errors.New("boom")
			err := db.WithTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO things (id, name) VALUES (?, ?)`, "c", "half"); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v", err)
			}
			var n int
			db.R().Get(ctx, &n, `SELECT COUNT(*) FROM things WHERE id = 'c'`)
			if n != 0 {
				t.Fatal("a rolled-back insert is visible")
			}
		})

		t.Run("LIKE escapes wildcards", func(t *testing.T) {
			db.WithTx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO things (id, name) VALUES ('p1', '100% sure'), ('p2', '100 percent')`)
				return err
			})
			var names []string
			if err := db.R().Select(ctx, &names, `SELECT name FROM things WHERE LOWER(name) LIKE ? ESCAPE '\' ORDER BY name`, store.Like("100%")); err != nil {
				t.Fatal(err)
			}
			if len(names) != 1 || names[0] != "100% sure" {
				t.Fatalf("LIKE 100%% matched %q", names)
			}
		})

		t.Run("concurrent read-then-write transactions", func(t *testing.T) {
			const workers, each = 8, 25
			var wg sync.WaitGroup
			errs := make(chan error, workers*each)
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < each; i++ {
						errs <- db.WithTx(ctx, func(tx *store.Tx) error {
							var v int
							if err := tx.Get(ctx, &v, `SELECT v FROM counter WHERE k = 'c'`+forUpdate(db)); err != nil {
								return err
							}
							_, err := tx.Exec(ctx, `UPDATE counter SET v = ? WHERE k = 'c'`, v+1)
							return err
						})
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("transaction failed: %v", err)
				}
			}
			var v int
			db.R().Get(ctx, &v, `SELECT v FROM counter WHERE k = 'c'`)
			if v != workers*each {
				t.Fatalf("counter = %d, want %d: lost updates", v, workers*each)
			}
		})

		t.Run("backup", func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "backup.db")
			err := db.Backup(ctx, dst)
			if db.Engine == store.Postgres {
				if err == nil || !strings.Contains(err.Error(), "pg_dump") {
					t.Fatalf("PostgreSQL backup: %v; want advice to use pg_dump", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := store.CheckBackup(ctx, dst); err != nil {
				t.Fatalf("backup does not check out: %v", err)
			}
			if err := db.Backup(ctx, dst); err == nil {
				t.Fatal("backup overwrote an existing file")
			}
			st, _ := os.Stat(dst)
			if st.Mode().Perm() != 0o600 {
				t.Fatalf("backup mode %v, want 0600", st.Mode().Perm())
			}
		})
	})
}

// forUpdate locks the row on PostgreSQL, where read committed would otherwise
// let two transactions read the same value; SQLite's immediate transactions
// already serialise writers.
func forUpdate(db *store.DB) string {
	if db.Engine == store.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func TestCheckBackupRefusesNonDatabases(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("this is not sqlite"), 0o600)
	if err := store.CheckBackup(context.Background(), junk); err == nil {
		t.Fatal("junk accepted as a backup")
	}
	if err := store.CheckBackup(context.Background(), dir); err == nil {
		t.Fatal("a directory accepted as a backup")
	}
}

func TestMigrationNamesAreChecked(t *testing.T) {
	bad := store.Migrations{Component: "bad", FS: fstest.MapFS{"create.sql": {Data: []byte("SELECT 1")}}}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background(), []store.Migrations{bad}); err == nil {
		t.Fatal("a migration without a number was accepted")
	}
}

func ptr(s string) *string { return &s }
