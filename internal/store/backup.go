package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
)

// Backup writes a consistent copy of a SQLite database to dst while the node may
// be serving: VACUUM INTO reads one snapshot under WAL and writes a compact file.
// PostgreSQL has its own tools, and saying so beats a half-made copy.
func (db *DB) Backup(ctx context.Context, dst string) error {
	if db.Engine != SQLite {
		return errors.New("backup: this node uses PostgreSQL; use pg_dump (for example: pg_dump --format=custom --file=FILE DBURL)")
	}
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file name", dst)
	}
	// A connection of its own: readers are query_only, and the writer must
	// stay free for the node while the copy is made.
	conn, err := sql.Open("sqlite", "file:"+db.Path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return os.Chmod(dst, 0o600)
}

// CheckBackup opens a would-be backup read-only and checks that it is an
// intact SQLite file holding an Entente database, before restore puts it in
// place.
func CheckBackup(ctx context.Context, path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.IsDir() {
		return errors.New("is a directory")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	var ok string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil {
		return fmt.Errorf("not an SQLite database: %w", err)
	}
	if ok != "ok" {
		return fmt.Errorf("damaged: %s", ok)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n == 0 {
		return errors.New("not an Entente database")
	}
	return nil
}
