package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"entente.example/entente/internal/keys"
	"entente.example/entente/modules/incidents"
)

// TestVerifyStatementBundle checks, through the command, a joint statement
// co-signed on three nodes (made by the incidents module's three-node
// test): verified with the nodes' keys given, and refused, exit 1, naming
// what, when a word of the text or one signature is changed.
func TestVerifyStatementBundle(t *testing.T) {
	good, err := os.ReadFile("../../modules/incidents/testdata/statement_bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	var bu incidents.StatementBundle
	if err := json.Unmarshal(good, &bu); err != nil {
		t.Fatal(err)
	}
	args := func(file string) []string {
		out := []string{"verify", file}
		for _, n := range bu.Nodes {
			out = append(out, "--key", n.Host+"="+base64.StdEncoding.EncodeToString(n.SigningKey))
		}
		return out
	}
	dir := t.TempDir()
	write := func(name string, v any) string {
		p := filepath.Join(dir, name)
		b, err := json.MarshalIndent(v, "", "  ") // a reader's tool may pretty-print it
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	code, out, _ := runCLI(t, "", args(write("good.json", bu))...)
	if code != 0 || !strings.Contains(out, "VERIFIED: the text matches its hash, and 3 state(s) signed it") || !strings.Contains(out, "key given on the command line") {
		t.Fatalf("good bundle: exit %d\n%s", code, out)
	}

	// The fingerprints the operators read out instead of keys, in any case
	// and spacing: the bundle's keys are checked against them.
	fps := []string{"verify", filepath.Join(dir, "good.json")}
	for i, n := range bu.Nodes {
		fp := keys.Fingerprint(n.SigningKey)
		if i%2 == 1 {
			fp = strings.ToLower(strings.ReplaceAll(fp, " ", ""))
		}
		fps = append(fps, "--key", n.Host+"="+fp)
	}
	code, out, _ = runCLI(t, "", fps...)
	if code != 0 || strings.Count(out, "checked against the fingerprint you gave") != len(bu.Nodes) || !strings.Contains(out, "VERIFIED: the text matches its hash") {
		t.Fatalf("with fingerprints: exit %d\n%s", code, out)
	}
	// A fingerprint of another key for one node.
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	host := bu.Nodes[len(bu.Nodes)-1].Host
	code, out, _ = runCLI(t, "", append(fps[:len(fps)-2:len(fps)-2], "--key", host+"="+keys.Fingerprint(other))...)
	if code != 1 || !strings.Contains(out, "NOT VERIFIED") || !strings.Contains(out, "node "+host+": the key in the bundle ("+keys.Fingerprint(bu.Nodes[len(bu.Nodes)-1].SigningKey)+") does not match the fingerprint you were given") {
		t.Fatalf("a wrong fingerprint: exit %d\n%s", code, out)
	}

	changed := bu
	changed.Text = strings.Replace(bu.Text, "hospitals in the region", "hospitals in the world", 1)
	code, out, _ = runCLI(t, "", args(write("word.json", changed))...)
	// The root cause leads, and the signatures, sound over the original,
	// are said once to be so — not each reported missing or removed.
	if code != 1 || !strings.Contains(out, "NOT VERIFIED: 2 problem(s):\n  - the text's SHA-256 is ") ||
		!strings.Contains(out, "the text was changed\n  - the signatures sign the original text, not this one\n") ||
		strings.Contains(out, "removed?") || strings.Contains(out, "has not signed") {
		t.Fatalf("a changed word: exit %d\n%s", code, out)
	}

	removed := bu
	removed.Signatures = bu.Signatures[:len(bu.Signatures)-1]
	gone := bu.Signatures[len(bu.Signatures)-1].Signer
	code, out, _ = runCLI(t, "", args(write("removed.json", removed))...)
	if code != 1 || !strings.Contains(out, "lists the signature of "+gone+", which the bundle does not hold (removed?)") || strings.Contains(out, "original text") {
		t.Fatalf("a removed signature: exit %d\n%s", code, out)
	}
	// A word changed and a signature removed: both are said.
	both := removed
	both.Text = changed.Text
	code, out, _ = runCLI(t, "", args(write("both.json", both))...)
	if code != 1 || !strings.Contains(out, "the text was changed") || !strings.Contains(out, "the signatures sign the original text, not this one") ||
		!strings.Contains(out, "lists the signature of "+gone+", which the bundle does not hold (removed?)") {
		t.Fatalf("a changed word and a removed signature: exit %d\n%s", code, out)
	}
}
