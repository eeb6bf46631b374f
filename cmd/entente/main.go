// Command entente runs an Entente node and its administrative commands. main
// only wires concrete types together; run is what tests call, with their own
// arguments, environment and output, to start the whole program on port 0.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `Entente: a federated node for cyber diplomacy.

Usage:
  entente serve [flags]           run the node (try: entente serve --demo)
  entente demo [flags]            run three demo nodes on loopback that exchange messages
  entente migrate [flags]         apply database migrations and exit
  entente user add [flags]        create a person and print their invitation link
  entente token create [flags]    create an API token for a person
  entente peer add URL | verify HOST | suspend HOST | list
                                  manage peer nodes from the console
  entente keys rotate [flags]     replace the node's signing key, announced with the old one
  entente verify RECEIPT-FILE     prove from the receiving node's public ledger that a receipt is in its log
  entente verify PACKAGE.zip --key HOST=FINGERPRINT ...
                                  check an evidence package offline: hashes, signed custody, chains
                                  (FINGERPRINT as the node's operator reads it to you)
  entente verify STATEMENT.json --key HOST=FINGERPRINT ...
                                  check a joint statement offline: its text, every signature and proof
  entente backup [flags] FILE     copy a running SQLite node's database to FILE
  entente restore [flags] FILE    replace a stopped node's database with FILE
  entente version                 print the version
  entente help                    print this help

Every command takes -h. Flags can also be set as ENTENTE_* environment
variables (ENTENTE_ADDR for --addr, ENTENTE_DB for --db, …).
`

// run is the whole program. It returns the exit code: 0 success, 1 failure,
// 2 wrong usage.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	switch args[0] {
	case "serve":
		return e.serve(ctx, args[1:])
	case "demo":
		return e.demo(ctx, args[1:])
	case "peer":
		return e.peerCmd(ctx, args[1:])
	case "keys":
		return e.keysCmd(ctx, args[1:])
	case "verify":
		return e.verifyCmd(ctx, args[1:])
	case "migrate":
		return e.migrate(ctx, args[1:])
	case "user":
		if len(args) == 2 && (args[1] == "-h" || args[1] == "--help" || args[1] == "help") {
			fmt.Fprint(stdout, "usage: entente user add [flags]   (entente user add -h for the flags)\n")
			return 0
		}
		if len(args) < 2 || args[1] != "add" {
			fmt.Fprint(stderr, "usage: entente user add [flags]\n")
			return 2
		}
		return e.userAdd(ctx, args[2:])
	case "token":
		if len(args) == 2 && (args[1] == "-h" || args[1] == "--help" || args[1] == "help") {
			fmt.Fprint(stdout, "usage: entente token create [flags]   (entente token create -h for the flags)\n")
			return 0
		}
		if len(args) < 2 || args[1] != "create" {
			fmt.Fprint(stderr, "usage: entente token create [flags]\n")
			return 2
		}
		return e.tokenCreate(ctx, args[2:])
	case "backup":
		return e.backup(ctx, args[1:])
	case "restore":
		return e.restore(ctx, args[1:])
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "entente %s\n", fullVersion())
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "entente: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func fullVersion() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
		v += " " + bi.GoVersion
	}
	return v
}
