package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"entente.example/entente/modules/incidents"
)

// statementBundleArg returns the file among a verify command's arguments
// when it is a published joint statement's bundle, recognised by its
// format field, not by its name.
func statementBundleArg(args []string) (string, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--key" || a == "-key" {
			i++
			continue
		}
		if strings.HasPrefix(a, "-") {
			continue
		}
		f, err := os.Open(a)
		if err != nil {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(f, 4<<20+1))
		f.Close()
		if err == nil && incidents.IsBundle(b) {
			return a, true
		}
	}
	return "", false
}

// verifyStatementCmd checks a published joint statement offline: its text
// against its hash, the initiator's publication, every co-signature and
// every ledger proof, with the nodes' keys given (or the bundle's).
func (e env) verifyStatementCmd(args []string) int {
	fs := e.newFlagSet("verify", "verify STATEMENT.json [--key HOST=BASE64KEY]...")
	keys := keyFlags{}
	fs.Var(keys, "key", "a node's Ed25519 public key, as HOST=BASE64 (from its operator, or its /.well-known/entente); given keys are used instead of the bundle's")
	var pos []string
	for rest := args; ; {
		if code := parse(fs, rest); code >= 0 {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	b, err := os.ReadFile(pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "entente verify: %v\n", err)
		return 1
	}
	rep := incidents.VerifyBundle(b, keys)
	for _, l := range rep.Lines {
		fmt.Fprintln(e.stdout, l)
	}
	if !rep.OK() {
		fmt.Fprintf(e.stdout, "\nNOT VERIFIED: %d problem(s):\n", len(rep.Failures))
		for _, p := range rep.Failures {
			fmt.Fprintf(e.stdout, "  - %s\n", p)
		}
		return 1
	}
	fmt.Fprintf(e.stdout, "\nVERIFIED: the text matches its hash, and %d state(s) signed it, each on its own node and in its ledger.\n", len(rep.Signers))
	return 0
}
