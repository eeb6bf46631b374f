package cybercrime

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

// TestVerifyRefusesAThirdNode: a request is between two nodes; a custody
// statement signed by any other (a key added to nodes.json by whoever
// altered the package, to record a hand-over that never happened) fails
// the package, even with no key given on the command line.
func TestVerifyRefusesAThirdNode(t *testing.T) {
	file := []byte("2027-03-01 203.0.113.7 GET /export 200\n")
	c := fuzzCustody
	c.SHA256, c.Size = StatementHash(file), int64(len(file))
	evilKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	forged := c
	forged.Seq, forged.Event, forged.Node, forged.Actor, forged.ActorAddr, forged.At = 1, CustodyOpened, "evil.example", "Mallory", "x@evil.example", c.At.Add(time.Hour)
	body, _ := json.Marshal(forged)
	sig := ed25519.Sign(evilKey, append([]byte("entente/"+CustodyContext+"/v1\n"), body...))
	forgedRaw, _ := json.Marshal(struct {
		Body      json.RawMessage `json:"body"`
		Signature []byte          `json:"signature"`
	}{body, sig})
	m := PackageManifest{Format: PackageFormat, ExportedBy: "au.example", ExportedAt: c.At, Request: PackageRequest{OriginID: "r1", From: "afp@au.example", To: "npa@jp.example"},
		Files: []PackageFile{{Evidence: "e1", Path: pkgFiles + c.SHA256, Name: c.Name, SHA256: c.SHA256, Size: c.Size}}}
	build := func(stmts []json.RawMessage, nodes []PackageNode) []byte {
		var pkg bytes.Buffer
		if err := writePackage(context.Background(), &pkg, m, PackageCustody{Statements: stmts}, PackageNodes{Nodes: nodes}, PackageLedger{}, func(string) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(file)), nil
		}); err != nil {
			t.Fatal(err)
		}
		return pkg.Bytes()
	}
	au := PackageNode{Host: "au.example", SigningKey: fuzzKey.Public().(ed25519.PublicKey)}
	good := build([]json.RawMessage{fuzzSign(c)}, []PackageNode{au})
	if rep := VerifyPackage(bytes.NewReader(good), int64(len(good)), nil); !rep.OK() {
		t.Fatalf("the package without the forgery: %v", rep.Failures)
	}
	bad := build([]json.RawMessage{fuzzSign(c), forgedRaw}, []PackageNode{au, {Host: "evil.example", SigningKey: evilKey.Public().(ed25519.PublicKey)}})
	rep := VerifyPackage(bytes.NewReader(bad), int64(len(bad)), nil)
	if rep.OK() || !strings.Contains(strings.Join(rep.Failures, "\n"), "evil.example") {
		t.Errorf("a statement by a node the request is not between passed: %v", rep.Failures)
	}
}
