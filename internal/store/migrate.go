package store

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migrations are one component's numbered SQL files: NNNN_name.sql for both
// engines, or NNNN_name.sqlite.sql and NNNN_name.postgres.sql where they differ.
// Each component (the platform, each module) numbers its own, so modules stay
// independent; files are append-only.
type Migrations struct {
	Component string
	FS        fs.FS
}

type migration struct {
	version int
	name    string
	file    string
}

func (m Migrations) list(engine Engine) ([]migration, error) {
	entries, err := fs.ReadDir(m.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("store: read migrations of %s: %w", m.Component, err)
	}
	byVersion := map[int]migration{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		base := strings.TrimSuffix(name, ".sql")
		specific := false
		switch {
		case strings.HasSuffix(base, ".sqlite"), strings.HasSuffix(base, ".postgres"):
			if path.Ext(base) != "."+string(engine) {
				continue
			}
			base = strings.TrimSuffix(base, path.Ext(base))
			specific = true
		}
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("store: migration %s/%s: name must start with a number and _", m.Component, name)
		}
		if prev, dup := byVersion[v]; dup && !specific {
			if !strings.Contains(prev.file, "."+string(engine)+".") {
				return nil, fmt.Errorf("store: migration %s version %d appears twice", m.Component, v)
			}
			continue
		}
		byVersion[v] = migration{version: v, name: base, file: name}
	}
	out := make([]migration, 0, len(byVersion))
	for _, mg := range byVersion {
		out = append(out, mg)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

const migrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	component TEXT NOT NULL,
	version INTEGER NOT NULL,
	name TEXT NOT NULL,
	applied_at TIMESTAMP NOT NULL,
	PRIMARY KEY (component, version)
)`

// Migrate applies every pending migration, each in its own transaction. On
// PostgreSQL each transaction first takes an advisory lock so that replicas
// starting together apply each migration once; on SQLite the immediate write
// transaction does the same.
func (db *DB) Migrate(ctx context.Context, sets []Migrations) (applied int, err error) {
	if _, err := db.w.ExecContext(ctx, migrationsTable); err != nil {
		return 0, fmt.Errorf("store: create schema_migrations: %w", err)
	}
	for _, set := range sets {
		list, err := set.list(db.Engine)
		if err != nil {
			return applied, err
		}
		for _, mg := range list {
			did, err := db.apply(ctx, set, mg)
			if err != nil {
				return applied, err
			}
			if did {
				applied++
			}
		}
	}
	return applied, nil
}

func (db *DB) apply(ctx context.Context, set Migrations, mg migration) (bool, error) {
	body, err := fs.ReadFile(set.FS, mg.file)
	if err != nil {
		return false, fmt.Errorf("store: read migration %s/%s: %w", set.Component, mg.file, err)
	}
	did := false
	err = db.WithTx(ctx, func(tx *Tx) error {
		if db.Engine == Postgres {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7436110)`); err != nil {
				return err
			}
		}
		var n int
		if err := tx.Get(ctx, &n, `SELECT COUNT(*) FROM schema_migrations WHERE component = ? AND version = ?`, set.Component, mg.version); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("store: migration %s/%s: %w", set.Component, mg.file, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (component, version, name, applied_at) VALUES (?, ?, ?, ?)`,
			set.Component, mg.version, mg.name, tx.Now); err != nil {
			return err
		}
		did = true
		return nil
	})
	return did, err
}

// Pending returns how many migrations of sets are not applied yet; /readyz
// answers "not ready" while it is above zero.
func (db *DB) Pending(ctx context.Context, sets []Migrations) (int, error) {
	var rows []struct {
		Component string `db:"component"`
		Version   int    `db:"version"`
	}
	if err := db.R().Select(ctx, &rows, `SELECT component, version FROM schema_migrations`); err != nil {
		return 0, err
	}
	have := map[string]bool{}
	for _, r := range rows {
		have[r.Component+"/"+strconv.Itoa(r.Version)] = true
	}
	pending := 0
	for _, set := range sets {
		list, err := set.list(db.Engine)
		if err != nil {
			return 0, err
		}
		for _, mg := range list {
			if !have[set.Component+"/"+strconv.Itoa(mg.version)] {
				pending++
			}
		}
	}
	return pending, nil
}

// Embedded returns a component's migrations from the schema/ directory a
// package embeds (//go:embed schema/*.sql).
func Embedded(component string, fsys fs.FS) Migrations {
	sub, err := fs.Sub(fsys, "schema")
	if err != nil {
		panic(fmt.Sprintf("store: %s: %v", component, err)) // a build without its schema
	}
	return Migrations{Component: component, FS: sub}
}
