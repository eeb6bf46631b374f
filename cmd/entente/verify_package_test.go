package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"entente.example/entente/internal/keys"
	"entente.example/entente/modules/cybercrime"
)

// signCustody signs a custody event the way the package's README says,
// without the node's code: Ed25519 over "entente/cybercrime-custody/v1\n"
// and the body's bytes. That a verifier accepts it shows the README is
// enough to check a package by hand.
func signCustody(t *testing.T, key ed25519.PrivateKey, c cybercrime.Custody) []byte {
	t.Helper()
	body, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	sig := ed25519.Sign(key, append([]byte("entente/"+cybercrime.CustodyContext+"/v1\n"), body...))
	b, _ := json.Marshal(struct {
		Body      json.RawMessage `json:"body"`
		Signature []byte          `json:"signature"`
	}{body, sig})
	return b
}

// testPackage builds a package of one file from node a to node b, with a
// created, sent and received event, and returns it with the nodes' keys.
func testPackage(t *testing.T, file []byte) ([]byte, map[string]ed25519.PublicKey) {
	t.Helper()
	apub, apriv, _ := ed25519.GenerateKey(rand.Reader)
	bpub, bpriv, _ := ed25519.GenerateKey(rand.Reader)
	h := sha256.Sum256(file)
	sum := hex.EncodeToString(h[:])
	at := time.Date(2027, 3, 3, 10, 14, 0, 0, time.UTC)
	base := cybercrime.Custody{Request: "r1", RequestFrom: "afp@au.example", Evidence: "e1", SHA256: sum, Size: int64(len(file)), Name: "logs.txt"}
	ev := func(seq int, event, node, actor, prev, after string, d time.Duration) cybercrime.Custody {
		c := base
		c.Seq, c.Event, c.Node, c.Actor, c.ActorAddr, c.Prev, c.After, c.At = seq, event, node, actor, "afp@au.example", prev, after, at.Add(d)
		return c
	}
	s1 := signCustody(t, apriv, ev(1, cybercrime.CustodyCreated, "au.example", "Ines", "", "", 0))
	s2 := signCustody(t, apriv, ev(2, cybercrime.CustodySent, "au.example", "Carl", cybercrime.StatementHash(s1), "", time.Hour))
	s3 := signCustody(t, bpriv, ev(1, cybercrime.CustodyReceived, "jp.example", "jp.example", "", cybercrime.StatementHash(s2), 2*time.Hour))
	m := cybercrime.PackageManifest{Format: cybercrime.PackageFormat, ExportedBy: "jp.example", ExportedAt: at.Add(3 * time.Hour),
		Request: cybercrime.PackageRequest{OriginID: "r1", Kind: cybercrime.KindStoredData, Basis: "budapest", From: "afp@au.example", To: "npa@jp.example", FromCountry: "AU", ToCountry: "JP"},
		Files:   []cybercrime.PackageFile{{Evidence: "e1", Path: "files/" + sum, Name: "logs.txt", SHA256: sum, Size: int64(len(file)), ContentType: "text/plain"}}}
	nodes := cybercrime.PackageNodes{Nodes: []cybercrime.PackageNode{{Host: "au.example", SigningKey: apub}, {Host: "jp.example", SigningKey: bpub}}}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	put := func(name string, b []byte) {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		w.Write(b)
	}
	mb, _ := json.Marshal(m)
	nb, _ := json.Marshal(nodes)
	put("manifest.json", mb)
	put("custody.json", []byte(`{"statements": [`+string(s1)+",\n"+string(s2)+",\n"+string(s3)+`]}`))
	put("nodes.json", nb)
	put("files/"+sum, file)
	zw.Close()
	return out.Bytes(), map[string]ed25519.PublicKey{"au.example": apub, "jp.example": bpub}
}

func verifyArgs(path string, keys map[string]ed25519.PublicKey) []string {
	args := []string{"verify", path}
	for h, k := range keys {
		args = append(args, "--key", h+"="+base64.StdEncoding.EncodeToString(k))
	}
	return args
}

// TestVerifyEvidencePackage runs `entente verify` on a package, as a court
// would with the two nodes' keys: it passes, says which key checked each
// node, and fails naming the file when one byte of it changes.
func TestVerifyEvidencePackage(t *testing.T) {
	file := bytes.Repeat([]byte("2027-03-01 203.0.113.7 GET /export 200\n"), 1000)
	pkg, nodeKeys := testPackage(t, file)
	dir := t.TempDir()
	good := filepath.Join(dir, "evidence.zip")
	if err := os.WriteFile(good, pkg, 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), verifyArgs(good, nodeKeys), envFrom(nil), strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{"Node au.example: key given on the command line", "received, its hash checked, by jp.example", "VERIFIED"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}

	// Without keys, nodes.json's are used, and the report says so.
	stdout.Reset()
	if code := run(context.Background(), []string{"verify", good}, envFrom(nil), strings.NewReader(""), &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "key from nodes.json") {
		t.Errorf("without --key: exit %d:\n%s", code, stdout.String())
	}

	// One byte of the file changed.
	bad := bytes.Clone(pkg)
	bad[bytes.Index(bad, file)+10] ^= 0x20
	badPath := filepath.Join(dir, "changed.zip")
	os.WriteFile(badPath, bad, 0o600)
	stdout.Reset()
	if code := run(context.Background(), verifyArgs(badPath, nodeKeys), envFrom(nil), strings.NewReader(""), &stdout, &stderr); code != 1 {
		t.Fatalf("a changed byte: exit %d:\n%s", code, stdout.String())
	}
	if !strings.Contains(stdout.String(), `"logs.txt": its SHA-256 is`) || !strings.Contains(stdout.String(), "NOT VERIFIED") {
		t.Errorf("the report does not name the changed file:\n%s", stdout.String())
	}

	// The fingerprints the operators read out instead of keys: nodes.json's
	// keys are checked against them, whatever the case and spacing.
	stdout.Reset()
	fpArgs := []string{"verify", good, "--key", "au.example=" + strings.ToLower(keys.Fingerprint(nodeKeys["au.example"])),
		"--key", "jp.example=" + strings.ReplaceAll(keys.Fingerprint(nodeKeys["jp.example"]), " ", "")}
	if code := run(context.Background(), fpArgs, envFrom(nil), strings.NewReader(""), &stdout, &stderr); code != 0 ||
		!strings.Contains(stdout.String(), "Node jp.example: key from nodes.json ("+keys.Fingerprint(nodeKeys["jp.example"])+"), checked against the fingerprint you gave") {
		t.Errorf("with fingerprints: exit %d:\n%s", code, stdout.String())
	}
	// A fingerprint of another key: nodes.json's does not match it.
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	stdout.Reset()
	if code := run(context.Background(), []string{"verify", good, "--key", "jp.example=" + keys.Fingerprint(other)}, envFrom(nil), strings.NewReader(""), &stdout, &stderr); code != 1 ||
		!strings.Contains(stdout.String(), "NOT VERIFIED") || !strings.Contains(stdout.String(), "node jp.example: the key in nodes.json ("+keys.Fingerprint(nodeKeys["jp.example"])+") does not match the fingerprint you were given") {
		t.Errorf("a wrong fingerprint: exit %d:\n%s", code, stdout.String())
	}

	// A bad key is a usage error that names the host.
	stderr.Reset()
	if code := run(context.Background(), []string{"verify", good, "--key", "jp.example=abc"}, envFrom(nil), strings.NewReader(""), &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "jp.example") {
		t.Errorf("bad key: exit %d: %s", code, stderr.String())
	}
}
