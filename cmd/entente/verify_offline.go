package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"entente.example/entente/internal/keys"
)

// What the offline verifications (an evidence package, verify_package.go;
// a joint statement's bundle, verify_statement.go) share: one file and
// the nodes' keys on the command line, and a report of lines then
// problems. Each checks its own file.

// keyFlags collects --key HOST=KEY, given once per node, where KEY is the
// node's base64 key or its fingerprint: operators read fingerprints to
// each other over the phone, not keys.
type keyFlags keys.Pins

func (k keyFlags) String() string { return "" }

func (k keyFlags) Set(v string) error {
	host, val, ok := strings.Cut(v, "=")
	host = strings.TrimSpace(host)
	if !ok || host == "" {
		return fmt.Errorf("want HOST=FINGERPRINT or HOST=BASE64KEY, got %q", v)
	}
	pin, err := keys.ParsePin(val)
	if err != nil {
		return fmt.Errorf("%s: %v", host, err)
	}
	k[host] = pin
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
// any number of --key HOST=KEY: a key is used instead of the one the file
// carries (keysUsed says which), a fingerprint checks it. Flags may come after the
// file, as the files' READMEs show them. code is the exit code when the
// command is done already (help, or a usage error), else -1.
func (e env) offlineArgs(usage, keysUsed string, args []string) (file string, pins keys.Pins, code int) {
	fs := e.newFlagSet("verify", usage)
	pins = keys.Pins{}
	fs.Var(keyFlags(pins), "key", "a node's key, as HOST=FINGERPRINT (as the node's operator reads it to you), which the key in "+keysUsed+" must match, or HOST=BASE64KEY (from its /.well-known/entente), used instead of it")
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
	return pos[0], pins, -1
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
