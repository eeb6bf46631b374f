package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"strings"
)

// What the offline verifications (an evidence package, verify_package.go;
// a joint statement's bundle, verify_statement.go) share: one file and
// the nodes' keys on the command line, and a report of lines then
// problems. Each checks its own file.

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

var _ flag.Value = keyFlags{}

// offlineFileArg returns the first file among a verify command's arguments
// that holds what the command checks, recognised by its content, not by
// its name; a --key's value is not a file.
func offlineFileArg(args []string, is func(f *os.File) bool) (string, bool) {
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
		ok := is(f)
		f.Close()
		if ok {
			return a, true
		}
	}
	return "", false
}

// offlineArgs parses an offline verification's command line: one file and
// any number of --key HOST=BASE64KEY, used instead of the keys the file
// carries (keysUsed says so in the flag's help). Flags may come after the
// file, as the files' READMEs show them. code is the exit code when the
// command is done already (help, or a usage error), else -1.
func (e env) offlineArgs(usage, keysUsed string, args []string) (file string, keys keyFlags, code int) {
	fs := e.newFlagSet("verify", usage)
	keys = keyFlags{}
	fs.Var(keys, "key", "a node's Ed25519 public key, as HOST=BASE64 (from its operator, or its /.well-known/entente); given keys are used instead of "+keysUsed)
	var pos []string
	for rest := args; ; {
		if code := parse(fs, rest); code >= 0 {
			return "", nil, code
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(pos) != 1 {
		fs.Usage()
		return "", nil, 2
	}
	return pos[0], keys, -1
}

// offlineReport writes what a verification checked, then its problems,
// or verified when there are none, and returns the exit code.
func (e env) offlineReport(lines, failures []string, verified string) int {
	for _, l := range lines {
		fmt.Fprintln(e.stdout, l)
	}
	if len(failures) > 0 {
		fmt.Fprintf(e.stdout, "\nNOT VERIFIED: %d problem(s):\n", len(failures))
		for _, p := range failures {
			fmt.Fprintf(e.stdout, "  - %s\n", p)
		}
		return 1
	}
	fmt.Fprintln(e.stdout, "\n"+verified)
	return 0
}
