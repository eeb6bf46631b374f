package main

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"entente.example/entente/core"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/blobs"
	"entente.example/entente/internal/config"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/keys"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/all"
	webfiles "entente.example/entente/web"
)

// newFlagSet returns a flag set that prints its usage to stderr and returns
// errors rather than exiting, so wrong flags give exit code 2 from run.
func (e env) newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: entente %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; it returns the exit code to use when parsing ends the
// command (0 for -h, 2 for a wrong flag), or -1 to go on.
func parse(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	return -1
}

// prepareData creates the data directory and proves it is writable.
func prepareData(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("--data %s: cannot create: %w", dir, unwrapPath(err))
	}
	probe := filepath.Join(dir, ".write-test")
	if err := os.WriteFile(probe, nil, 0o600); err != nil {
		return fmt.Errorf("--data %s: not writable: %w", dir, unwrapPath(err))
	}
	return os.Remove(probe)
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// lockData takes an exclusive lock on the data directory, so two nodes never
// share one, and restore can tell that a node is running.
func lockData(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "entente.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--data %s: %w", dir, unwrapPath(err))
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("--data %s: another entente process is using it", dir)
	}
	return f, nil
}

func newLogger(w interface{ Write([]byte) (int, error) }, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

func (e env) serve(ctx context.Context, args []string) int {
	cfg := config.Defaults()
	fs := e.newFlagSet("serve", "serve [flags]")
	cfg.Bind(fs, e.getenv)
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "entente serve: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(e.stderr, "entente: %v\n", err)
		return 2
	}
	if err := e.serveConfig(ctx, cfg); err != nil {
		fmt.Fprintf(e.stderr, "entente: %v\n", err)
		return 1
	}
	return 0
}

// node is an assembled node: everything serve starts, and what tests inspect.
type node struct {
	cfg     config.Config
	log     *slog.Logger
	lock    *os.File
	keys    *keys.Node
	db      *store.DB
	ln      net.Listener
	baseURL string
	auth    *auth.Service
	queue   *jobs.Queue
	ledger  *ledger.Log
	fed     *federation.Service
	srv     *web.Server
	deps    all.Deps
	svcs    all.Services

	serveErr chan error
}

// close releases what build acquired.
func (n *node) close() {
	if n.ln != nil {
		n.ln.Close()
	}
	if n.db != nil {
		n.db.Close()
	}
	if n.lock != nil {
		n.lock.Close()
	}
}

// build prepares the data directory, keys and database, listens, and wires
// the server and modules. It does not serve yet.
func (e env) build(ctx context.Context, cfg config.Config) (_ *node, err error) {
	n := &node{cfg: cfg, log: newLogger(e.stderr, cfg.LogLevel)}
	defer func() {
		if err != nil {
			n.close()
		}
	}()
	if err := prepareData(cfg.DataDir); err != nil {
		return nil, err
	}
	if n.lock, err = lockData(cfg.DataDir); err != nil {
		return nil, err
	}
	if n.db, err = store.Open(ctx, cfg.DB, store.Options{}); err != nil {
		return nil, err
	}
	var created bool
	n.keys, created, err = keys.LoadOrCreate(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if created {
		n.log.Info("created node keys", "fingerprint", keys.Fingerprint(n.keys.Signing.Public().(ed25519.PublicKey)))
	}
	migrations := all.Migrations()
	applied, err := n.db.Migrate(ctx, migrations)
	if err != nil {
		return nil, err
	}
	if applied > 0 {
		n.log.Info("applied migrations", "count", applied)
	}
	if n.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, fmt.Errorf("--addr %s: %w", cfg.Addr, err)
	}
	n.baseURL = cfg.BaseURL
	if n.baseURL == "" {
		n.baseURL = "http://" + n.ln.Addr().String()
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(collectors.NewDBStatsCollector(n.db.Raw(), "writer"))
	if n.db.RawReader() != n.db.Raw() {
		reg.MustRegister(collectors.NewDBStatsCollector(n.db.RawReader(), "reader"))
	}
	n.auth = auth.NewService(n.db, nil, cfg.SessionIdle, cfg.SessionMax)
	n.queue = jobs.New(n.db, n.log, reg)
	reg.MustRegister(n.queue.DepthCollector())
	n.srv, err = web.New(web.Deps{
		DB: n.db, Auth: n.auth, Jobs: n.queue, Log: n.log, Registry: reg, Migrations: migrations,
		BaseURL: cfg.BaseURL, Secure: cfg.Secure(), MaxBody: cfg.MaxBodyBytes, Version: version, NodeName: hostOf(n.baseURL),
		TrustedProxies: cfg.Proxies(),
	}, webfiles.Files)
	if err != nil {
		return nil, err
	}
	// A notification whose translation asks for a value nobody passes would
	// reach someone's inbox garbled: refuse to start instead.
	if err := notify.Check(n.srv.Catalog(), web.Langs, notify.Kinds); err != nil {
		return nil, fmt.Errorf("e-mail messages: %w", err)
	}
	if n.ledger, err = ledger.New(n.db, hostOf(n.baseURL), n.keys.Signing); err != nil {
		return nil, err
	}
	rotations, err := federation.LoadRotations(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	n.fed, err = federation.New(n.db, n.ledger, n.keys, n.log, federation.Options{
		Rotations: rotations,
		BaseURL:   n.baseURL, Name: cmp.Or(cfg.Name, hostOf(n.baseURL)), Operator: cfg.Operator, Country: cfg.Country, Version: version,
		Horizon: cfg.RetryHorizon, AllowPrivate: cfg.AllowPrivatePeers,
	})
	if err != nil {
		return nil, err
	}
	// Large files: under the data directory, or in a bucket the replicas share.
	files, err := blobs.Open(ctx, cfg.BlobsOptions())
	if err != nil {
		return nil, err
	}
	baseURL := n.baseURL
	n.deps = all.Deps{DB: n.db, Auth: n.auth, Jobs: n.queue, Web: n.srv, Ledger: n.ledger, Fed: n.fed, BaseURL: func() string { return baseURL }, Blobs: files, AllowPrivate: cfg.AllowPrivatePeers}
	mods, svcs := all.Modules(n.deps)
	n.svcs = svcs
	if err := n.srv.Mount(mods); err != nil {
		return nil, err
	}
	if err := registerJobs(n.queue, cfg, n.db, n.auth, n.fed, n.svcs); err != nil {
		return nil, err
	}
	return n, nil
}

func (e env) serveConfig(ctx context.Context, cfg config.Config) error {
	start := time.Now()
	n, err := e.build(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.close()
	if cfg.Demo {
		fresh, err := e.loadDemo(ctx, cfg, n.deps, n.baseURL)
		if err != nil {
			return err
		}
		if fresh {
			if err := localThreads(ctx, n); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if err := demoNetworks(ctx, []*node{n}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if err := demoNegotiation(ctx, []*node{n}); err != nil {
				return err
			}
			if err := demoReports(ctx, []*node{n}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if err := demoIntel(ctx, []*node{n}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if err := demoCybercrime(ctx, []*node{n}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if err := demoIncidents(ctx, []*node{n}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if err := demoLinks(ctx, []*node{n}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if err := demoStatements(ctx, []*node{n}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if err := demoPublic(ctx, []*node{n}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if err := demoEvents(ctx, []*node{n}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if err := demoDialogue(ctx, []*node{n}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if err := demoEconomy(ctx, []*node{n}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if err := demoCapacity(ctx, []*node{n}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if err := demoIndicators(ctx, []*node{n}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if _, err := demoHumanitarian(ctx, []*node{n}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
		}
	} else if need, err := n.auth.SetupNeeded(ctx); err != nil {
		return err
	} else if need {
		tok, err := n.auth.IssueSetupLink(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\nThis node has no administrator yet. Open this one-time link (valid 24 hours) to create one:\n\n  %s/setup?token=%s\n\n", n.baseURL, tok)
	}

	stop := n.start(ctx)
	n.log.Info("serving", "url", n.baseURL, "db", string(n.db.Engine), "startup_ms", time.Since(start).Milliseconds())
	fmt.Fprintf(e.stdout, "entente: serving on %s\n", n.baseURL)
	select {
	case err := <-n.serveErr:
		stop()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	n.log.Info("shutting down")
	if err := stop(); err != nil {
		return err
	}
	n.log.Info("stopped")
	return nil
}

// start serves the node and runs its background work (jobs, delivery,
// checkpoints) until the returned stop is called, which shuts down
// gracefully: requests in flight and running jobs finish.
func (n *node) start(ctx context.Context) (stop func() error) {
	// Start-up garbage (template parsing, migrations, and with --demo 19 MiB
	// of argon2 memory per demo password) goes back to the system now rather
	// than whenever the scavenger gets to it: a node mostly idles.
	debug.FreeOSMemory()

	hs := n.srv.HTTPServer(n.cfg.Addr)
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(4)
	go func() {
		defer wg.Done()
		n.queue.Run(bg)
	}()
	go func() {
		defer wg.Done()
		// Activities to other fediverse instances.
		n.svcs.Public.Run(bg)
	}()
	go func() {
		defer wg.Done()
		n.fed.Run(bg)
	}()
	go func() {
		defer wg.Done()
		// A signed checkpoint at least every second while the log grows.
		n.ledger.Run(bg, time.Second, func(err error) { n.log.Error("ledger: sign checkpoint", "err", err) })
	}()
	n.serveErr = make(chan error, 1)
	go func() {
		if err := hs.Serve(n.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.serveErr <- err
		}
	}()
	n.srv.SetReady()
	return func() error {
		sctx, cancel := context.WithTimeout(context.Background(), n.cfg.ShutdownWait)
		defer cancel()
		err := hs.Shutdown(sctx)
		stopBG()
		wg.Wait()
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("shutdown: %w", err)
		}
		return nil
	}
}

func hostOf(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	return strings.TrimSuffix(u, "/")
}

// registerJobs sets up the platform's background jobs: e-mail (retried with
// backoff for a day) and periodic clean-ups.
func registerJobs(q *jobs.Queue, cfg config.Config, db *store.DB, a *auth.Service, fed *federation.Service, svcs all.Services) error {
	var mailer notify.Mailer = notify.DirMailer{Dir: filepath.Join(cfg.DataDir, "mail"), From: cfg.MailFrom, Clock: core.SystemClock{}}
	if cfg.SMTP != "" {
		m, err := notify.NewSMTP(cfg.SMTP, cfg.MailFrom, core.SystemClock{})
		if err != nil {
			return err
		}
		mailer = m
	}
	q.Register(notify.EmailKind(mailer))
	q.Register(jobs.Kind{Name: "auth.cleanup", MaxAttempts: 3, Handle: func(ctx context.Context, _ []byte) error {
		_, err := a.CleanupExpired(ctx)
		return err
	}})
	q.Register(jobs.Kind{Name: "jobs.prune", MaxAttempts: 3, Handle: func(ctx context.Context, _ []byte) error {
		_, err := q.Prune(ctx, 7*24*time.Hour)
		return err
	}})
	q.Register(jobs.Kind{Name: "federation.directories", MaxAttempts: 2, Handle: func(ctx context.Context, _ []byte) error {
		return fed.RefreshDirectories(ctx)
	}})
	q.Every("federation.directories", 5*time.Minute)
	q.Register(jobs.Kind{Name: "correspondence.deadlines", MaxAttempts: 2, Handle: func(ctx context.Context, _ []byte) error {
		return svcs.Correspondence.CheckDeadlines(ctx)
	}})
	q.Every("correspondence.deadlines", time.Minute)
	q.Every("auth.cleanup", 10*time.Minute)
	q.Every("jobs.prune", time.Hour)
	return nil
}

// loadDemo fills a new node with the demo world and prints its logins. The
// password is made once per data directory and kept there (owner-only), so a
// restarted demo node prints the same logins; there is no built-in password.
func (e env) loadDemo(ctx context.Context, cfg config.Config, d all.Deps, baseURL string) (fresh bool, err error) {
	pwFile := filepath.Join(cfg.DataDir, "demo-password")
	password, err := demoPassword(cfg.DataDir)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	logins, err := all.LoadDemo(ctx, d, password)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}

	if logins == nil {
		fmt.Fprintf(e.stdout, "\nDemo world already loaded. Sign in at %s/login with any demo account (for example admin@node.demo); the password is in %s.\n\n", baseURL, pwFile)
		return false, nil
	}
	fmt.Fprintf(e.stdout, "\nDemo world loaded. Sign in at %s/login — every demo account uses the password:\n\n  %s\n\n", baseURL, password)
	for _, l := range logins {
		fmt.Fprintf(e.stdout, "  %-26s %-22s %s\n", l.Email, l.Name, l.What)
	}
	fmt.Fprintln(e.stdout)
	return true, nil
}
