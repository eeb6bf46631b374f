package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"strings"

	"entente.example/entente/modules/cybercrime"
)

// keyFlags collects --key host=BASE64KEY, given once per node.
type keyFlags map[string]ed25519.PublicKey

func (k keyFlags) String() string { return "" }

func (k keyFlags) Set(v string) error {
	host, b64, ok := strings.Cut(v, "=")
	host = strings.TrimSpace(host)
	if !ok || host == "" {
		return fmt.Errorf("want HOST=BASE64KEY, got %q", v)
	}
	b64 = strings.TrimSpace(b64)
	var key []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err = enc.DecodeString(b64); err == nil {
			break
		}
	}
	if err != nil || len(key) != ed25519.PublicKeySize {
		return fmt.Errorf("%s: the key is not a base64 Ed25519 public key (32 bytes)", host)
	}
	k[host] = key
	return nil
}

// evidencePackageArg returns the file among a verify command's arguments
// when it is an evidence package, recognised by its content (a ZIP whose
// manifest.json is of the package's format), not by its name.
func evidencePackageArg(args []string) (string, bool) {
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
		st, err := f.Stat()
		ok := err == nil && st.Mode().IsRegular() && cybercrime.IsPackage(f, st.Size())
		f.Close()
		if ok {
			return a, true
		}
	}
	return "", false
}

// verifyPackageCmd checks an evidence package offline: files against their
// hashes, custody statements against the nodes' keys, and the chains.
func (e env) verifyPackageCmd(args []string) int {
	fs := e.newFlagSet("verify", "verify PACKAGE.zip [--key HOST=BASE64KEY]...")
	keys := keyFlags{}
	fs.Var(keys, "key", "a node's Ed25519 public key, as HOST=BASE64 (from its operator, or its /.well-known/entente); given keys are used instead of the package's nodes.json")
	var pos []string
	// Flags may come after the file, as the package's README shows them.
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
	f, err := os.Open(pos[0])
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
	rep := cybercrime.VerifyPackage(f, st.Size(), keys)
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
	fmt.Fprintln(e.stdout, "\nVERIFIED: every file matches its hash, every custody statement its node's signature, and every chain is whole.")
	return 0
}

var _ flag.Value = keyFlags{}
