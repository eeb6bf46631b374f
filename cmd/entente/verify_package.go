package main

import (
	"fmt"
	"os"

	"entente.example/entente/modules/cybercrime"
)

// evidencePackageArg returns the file among a verify command's arguments
// when it is an evidence package, recognised by its content (a ZIP whose
// manifest.json is of the package's format), not by its name.
func evidencePackageArg(args []string) (string, bool) {
	return offlineFileArg(args, func(f *os.File) bool {
		st, err := f.Stat()
		return err == nil && st.Mode().IsRegular() && cybercrime.IsPackage(f, st.Size())
	})
}

// verifyPackageCmd checks an evidence package offline: files against their
// hashes, custody statements against the nodes' keys, and the chains.
func (e env) verifyPackageCmd(args []string) int {
	file, keys, code := e.offlineArgs("verify PACKAGE.zip [--key HOST=FINGERPRINT]...", "the package's nodes.json", args)
	if code >= 0 {
		return code
	}
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(e.stderr, "entente verify: %v\n", err)
		return 1
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		fmt.Fprintf(e.stderr, "entente verify: %v\n", err)
		return 1
	}
	rep := cybercrime.VerifyPackagePinned(f, st.Size(), keys)
	return e.offlineReport(rep.Lines, rep.Failures, "VERIFIED: every file matches its hash, every custody statement its node's signature, and every chain is whole.")
}
