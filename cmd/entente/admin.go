package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/config"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/all"
)

// openStorage parses --data/--db (and extra flags) for commands that work on
// the database without serving.
func (e env) openStorage(ctx context.Context, name, synopsis string, args []string, extra func(*flagSet)) (*store.DB, config.Config, []string, int) {
	cfg := config.Defaults()
	fs := e.newFlagSet(name, synopsis)
	cfg.BindStorage(fs, e.getenv)
	if extra != nil {
		extra(fs)
	}
	if code := parse(fs, args); code >= 0 {
		return nil, cfg, nil, code
	}
	if cfg.DB == "" {
		cfg.DB = filepath.Join(cfg.DataDir, "entente.db")
	}
	if !store.IsPostgres(cfg.DB) {
		if _, err := os.Stat(cfg.DB); err != nil && name != "migrate" {
			fmt.Fprintf(e.stderr, "entente %s: no database at %s (start the node once, or pass --data/--db)\n", name, cfg.DB)
			return nil, cfg, nil, 1
		}
	}
	db, err := store.Open(ctx, cfg.DB, store.Options{})
	if err != nil {
		fmt.Fprintf(e.stderr, "entente %s: %v\n", name, err)
		return nil, cfg, nil, 1
	}
	return db, cfg, fs.Args(), -1
}

type flagSet = flag.FlagSet

func (e env) migrate(ctx context.Context, args []string) int {
	db, _, rest, code := e.openStorage(ctx, "migrate", "migrate [--data DIR] [--db URL]", args, nil)
	if code >= 0 {
		return code
	}
	defer db.Close()
	if len(rest) > 0 {
		fmt.Fprintf(e.stderr, "entente migrate: unexpected argument %q\n", rest[0])
		return 2
	}
	n, err := db.Migrate(ctx, all.Migrations())
	if err != nil {
		fmt.Fprintf(e.stderr, "entente migrate: %v\n", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "applied %d migrations\n", n)
	return 0
}

// operator is the actor of command-line changes: the audit trail shows them as
// done by the node's operator at the console.
func operatorCtx(ctx context.Context) context.Context {
	ctx = core.WithActor(ctx, core.Actor{Name: "operator (command line)", NodeAdmin: true})
	return core.WithRequest(ctx, core.RequestInfo{ID: "cli", IP: "local"})
}

func (e env) userAdd(ctx context.Context, args []string) int {
	var email, name, title, baseURL string
	var admin, pwStdin bool
	db, _, rest, code := e.openStorage(ctx, "user add", "user add --email ADDRESS --name NAME [--admin] [--password-stdin]", args, func(fs *flagSet) {
		fs.StringVar(&email, "email", "", "e-mail address (required)")
		fs.StringVar(&name, "name", "", "full name (required)")
		fs.StringVar(&title, "title", "", "job title")
		fs.BoolVar(&admin, "admin", false, "make the person a node administrator")
		fs.BoolVar(&pwStdin, "password-stdin", false, "read a password from standard input instead of printing an invitation link")
		fs.StringVar(&baseURL, "base-url", "http://127.0.0.1:8080", "public URL of the node, for the invitation link (env ENTENTE_BASE_URL)")
	})
	if code >= 0 {
		return code
	}
	defer db.Close()
	if v := e.getenv("ENTENTE_BASE_URL"); v != "" && baseURL == "http://127.0.0.1:8080" {
		baseURL = v
	}
	if len(rest) > 0 {
		fmt.Fprintf(e.stderr, "entente user add: unexpected argument %q\n", rest[0])
		return 2
	}
	if n, err := db.Pending(ctx, all.Migrations()); err != nil || n > 0 {
		fmt.Fprintln(e.stderr, "entente user add: the database is not migrated; run entente migrate or start the node once")
		return 1
	}
	var pw string
	if pwStdin {
		b, err := io.ReadAll(io.LimitReader(e.stdin, 1024))
		if err != nil {
			fmt.Fprintf(e.stderr, "entente user add: read password: %v\n", err)
			return 1
		}
		pw = strings.TrimRight(string(b), "\r\n")
	}
	ctx = operatorCtx(ctx)
	a := auth.NewService(db, nil, time.Hour, time.Hour)
	var tok string
	var u auth.User
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		u, tok, err = a.CreateUser(ctx, tx, auth.NewUser{Email: email, Name: name, Title: title, NodeAdmin: admin})
		if err != nil {
			return err
		}
		if pwStdin {
			return a.SetPasswordDirect(ctx, tx, u.ID, pw)
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(e.stderr, "entente user add: %s\n", describe(err))
		return 1
	}
	if pwStdin {
		fmt.Fprintf(e.stdout, "created %s (%s)\n", u.Email, u.ID)
	} else {
		fmt.Fprintf(e.stdout, "created %s (%s); they set their password at:\n  %s/invite?token=%s\n", u.Email, u.ID, strings.TrimRight(baseURL, "/"), tok)
	}
	return 0
}

// describe turns a core error into one line naming each field and its reason.
func describe(err error) string {
	ce := core.AsError(err)
	if ce == nil || len(ce.Fields) == 0 {
		return err.Error()
	}
	var parts []string
	for f, k := range ce.Fields {
		parts = append(parts, "--"+strings.ReplaceAll(f, "_", "-")+": "+reasons[k])
	}
	return strings.Join(parts, "; ")
}

// reasons are the command line's wording of field problems (English only: the
// console is the operator's).
var reasons = map[string]string{
	"err.required":       "required",
	"err.email":          "not a valid e-mail address",
	"err.email_taken":    "an account with this e-mail address exists",
	"err.too_long":       "too long",
	"err.password_short": "must be at least 12 characters",
	"err.password_email": "must not be the e-mail address",
	"err.scope":          "scopes are read and write",
	"err.token_ttl":      "must be between 1 and 366 days",
	"err.lang":           "must be en or id",
}

func (e env) tokenCreate(ctx context.Context, args []string) int {
	var email, name, scopes string
	var days int
	db, _, rest, code := e.openStorage(ctx, "token create", "token create --email ADDRESS --name NAME [--scopes read,write] [--days N]", args, func(fs *flagSet) {
		fs.StringVar(&email, "email", "", "e-mail address of the person the token acts for (required)")
		fs.StringVar(&name, "name", "", "what the token is for (required)")
		fs.StringVar(&scopes, "scopes", "read", "comma-separated scopes: read, write")
		fs.IntVar(&days, "days", 90, "days until the token expires (at most 366)")
	})
	if code >= 0 {
		return code
	}
	defer db.Close()
	if len(rest) > 0 {
		fmt.Fprintf(e.stderr, "entente token create: unexpected argument %q\n", rest[0])
		return 2
	}
	var u auth.User
	if err := db.R().Get(ctx, &u, `SELECT id, email, name FROM users WHERE email = ? AND disabled = FALSE`, strings.ToLower(strings.TrimSpace(email))); err != nil {
		fmt.Fprintf(e.stderr, "entente token create: --email: no active account with this address\n")
		return 1
	}
	ctx = core.WithRequest(core.WithActor(ctx, core.Actor{UserID: u.ID, Name: u.Name, Email: u.Email}), core.RequestInfo{ID: "cli", IP: "local"})
	a := auth.NewService(db, nil, time.Hour, time.Hour)
	var sc []string
	for _, s := range strings.Split(scopes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			sc = append(sc, s)
		}
	}
	t, secret, err := a.CreateToken(ctx, auth.NewToken{Name: name, Scopes: sc, TTL: time.Duration(days) * 24 * time.Hour})
	if err != nil {
		fmt.Fprintf(e.stderr, "entente token create: %s\n", strings.ReplaceAll(describe(err), "--ttl", "--days"))
		return 1
	}
	fmt.Fprintf(e.stderr, "token %s for %s, scopes %s, expires %s; it is shown only now:\n", t.ID, u.Email, t.Scopes, t.ExpiresAt.Format(time.RFC3339))
	fmt.Fprintln(e.stdout, secret)
	return 0
}

func (e env) backup(ctx context.Context, args []string) int {
	db, _, rest, code := e.openStorage(ctx, "backup", "backup [--data DIR] [--db URL] FILE", args, nil)
	if code >= 0 {
		return code
	}
	defer db.Close()
	if len(rest) != 1 {
		fmt.Fprintln(e.stderr, "usage: entente backup [--data DIR] [--db URL] FILE")
		return 2
	}
	if err := db.Backup(ctx, rest[0]); err != nil {
		fmt.Fprintf(e.stderr, "entente %v\n", err)
		return 1
	}
	st, _ := os.Stat(rest[0])
	fmt.Fprintf(e.stdout, "backed up to %s (%d bytes)\n", rest[0], st.Size())
	return 0
}

// restore puts a backup in place of the database. It refuses while a node
// holds the data directory's lock, and refuses to replace an existing database
// without --force (the old one is then kept beside it).
func (e env) restore(ctx context.Context, args []string) int {
	cfg := config.Defaults()
	fs := e.newFlagSet("restore", "restore [--data DIR] [--db PATH] [--force] FILE")
	cfg.BindStorage(fs, e.getenv)
	force := fs.Bool("force", false, "replace an existing (stopped) database, keeping it as .before-restore")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	src := fs.Arg(0)
	if cfg.DB == "" {
		cfg.DB = filepath.Join(cfg.DataDir, "entente.db")
	}
	if store.IsPostgres(cfg.DB) {
		fmt.Fprintln(e.stderr, "entente restore: this node uses PostgreSQL; use pg_restore")
		return 1
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		fmt.Fprintf(e.stderr, "entente restore: --data: %v\n", err)
		return 1
	}
	lock, err := lockData(cfg.DataDir)
	if err != nil {
		fmt.Fprintf(e.stderr, "entente restore: refusing: a running node is using %s (%v); stop it first\n", cfg.DataDir, err)
		return 1
	}
	defer lock.Close()
	if err := store.CheckBackup(ctx, src); err != nil {
		fmt.Fprintf(e.stderr, "entente restore: %s: %v\n", src, err)
		return 1
	}
	if _, err := os.Stat(cfg.DB); err == nil {
		if !*force {
			fmt.Fprintf(e.stderr, "entente restore: refusing: %s exists; pass --force to replace it (it is kept as %s.before-restore)\n", cfg.DB, cfg.DB)
			return 1
		}
		if err := os.Rename(cfg.DB, cfg.DB+".before-restore"); err != nil {
			fmt.Fprintf(e.stderr, "entente restore: %v\n", err)
			return 1
		}
		for _, suf := range []string{"-wal", "-shm"} {
			if err := os.Remove(cfg.DB + suf); err != nil && !errors.Is(err, os.ErrNotExist) {
				fmt.Fprintf(e.stderr, "entente restore: %v\n", err)
				return 1
			}
		}
	}
	if err := copyFile(src, cfg.DB); err != nil {
		fmt.Fprintf(e.stderr, "entente restore: %v\n", err)
		return 1
	}
	db, err := store.Open(ctx, cfg.DB, store.Options{})
	if err == nil {
		err = db.WithTx(operatorCtx(ctx), func(tx *store.Tx) error {
			return audit.Record(operatorCtx(ctx), tx, "node.restore", "backup", "", "", filepath.Base(src))
		})
		db.Close()
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "entente restore: restored, but recording it failed: %v\n", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "restored %s from %s\n", cfg.DB, src)
	return 0
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".restoring"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
