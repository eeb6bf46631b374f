package main

import (
	"fmt"
	"io"
	"os"

	"entente.example/entente/modules/incidents"
)

// statementBundleArg returns the file among a verify command's arguments
// when it is a published joint statement's bundle, recognised by its
// format field, not by its name.
func statementBundleArg(args []string) (string, bool) {
	return offlineFileArg(args, func(f *os.File) bool {
		b, err := io.ReadAll(io.LimitReader(f, 4<<20+1))
		return err == nil && incidents.IsBundle(b)
	})
}

// verifyStatementCmd checks a published joint statement offline: its text
// against its hash, the initiator's publication, every co-signature and
// every ledger proof, with the nodes' keys given (or the bundle's).
func (e env) verifyStatementCmd(args []string) int {
	file, keys, code := e.offlineArgs("verify STATEMENT.json [--key HOST=FINGERPRINT]...", "the bundle's nodes", args)
	if code >= 0 {
		return code
	}
	b, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(e.stderr, "entente verify: %v\n", err)
		return 1
	}
	rep := incidents.VerifyBundlePinned(b, keys)
	return e.offlineReport(rep.Lines, rep.Failures, fmt.Sprintf("VERIFIED: the text matches its hash, and %d state(s) signed it, each on its own node and in its ledger.", len(rep.Signers)))
}
