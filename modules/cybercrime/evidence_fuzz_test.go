package cybercrime

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
)

// fuzzKey signs the fuzz targets' seeds; a fixed seed keeps the corpus
// stable between runs.
var fuzzKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

func fuzzSign(c Custody) []byte {
	body, _ := json.Marshal(c)
	sig := ed25519.Sign(fuzzKey, append([]byte("entente/"+CustodyContext+"/v1\n"), body...))
	b, _ := json.Marshal(struct {
		Body      json.RawMessage `json:"body"`
		Signature []byte          `json:"signature"`
	}{body, sig})
	return b
}

var fuzzCustody = Custody{Request: "r1", RequestFrom: "afp@au.example", Evidence: "e1", SHA256: strings.Repeat("ab", 32), Size: 12, Name: "logs.txt",
	Seq: 1, Event: CustodyCreated, Actor: "Ines", ActorAddr: "afp@au.example", Node: "au.example", Place: "Canberra", At: time.Date(2027, 3, 3, 10, 14, 0, 0, time.UTC)}

// FuzzParseCustody holds the parser of a peer's custody statements to what
// storing and showing them rely on: an accepted statement has a known
// event, a hash of the right form, a chain position, and only storable
// text; signed again, it reads back the same.
func FuzzParseCustody(f *testing.F) {
	f.Add(fuzzSign(fuzzCustody))
	second := fuzzCustody
	second.Seq, second.Prev, second.Event, second.To = 2, strings.Repeat("cd", 32), CustodyHandedOver, "Tokyo District Court"
	f.Add(fuzzSign(second))
	for _, s := range []string{`{"body":{"event":"created"},"signature":""}`, `{"body":{},"body":{},"signature":"AA=="}`, `{"body":{"name":"\u0000"}}`, `[]`, `{"body":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCustody(b)
		if err != nil {
			return
		}
		if !hex64(c.SHA256) || c.Seq < 1 || (c.Seq > 1) != (c.Prev != "") || c.At.IsZero() {
			t.Fatalf("accepted a statement out of shape: %+v", c)
		}
		for _, v := range []string{c.Request, c.RequestFrom, c.Evidence, c.Name, c.Actor, c.ActorAddr, c.Node, c.Place, c.To, c.Note} {
			if core.CheckText(v) != "" {
				t.Fatalf("accepted text a store refuses: %q", v)
			}
		}
		again, err := VerifyCustody(fuzzSign(c), fuzzKey.Public().(ed25519.PublicKey))
		if err != nil {
			t.Fatalf("signed again, it does not read: %v", err)
		}
		if !again.At.Equal(c.At) {
			t.Fatalf("the time changed: %v → %v", c.At, again.At)
		}
		again.At = c.At
		if again != c {
			t.Fatalf("signed again, it reads %+v, not %+v", again, c)
		}
	})
}

// FuzzParseEvidenceWire holds the manifest a peer sends to what the
// receiver stores: plain file names, media types as this node writes them,
// hashes of the right form and storable text.
func FuzzParseEvidenceWire(f *testing.F) {
	good := evidenceWire{RequestFrom: "afp@au.example", OriginID: "r1", Files: []fileWire{{Origin: "e1", SHA256: strings.Repeat("ab", 32), Size: 12,
		Name: "logs.txt", ContentType: "text/plain", AddedBy: "Ines", AddedAddr: "afp@au.example", Created: fuzzCustody.At}},
		Custody: []json.RawMessage{fuzzSign(fuzzCustody)}}
	b, _ := json.Marshal(good)
	f.Add(b)
	for _, s := range []string{`{"request_from":"a","origin_id":"r","files":[{"name":"../x"}]}`, `{"request_from":"a","origin_id":"r","files":null,"custody":null}`,
		`{"request_from":"a","request_from":"b"}`, `{"files":[{"name":"a\\b"}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := parseEvidenceWire(b)
		if err != nil {
			return
		}
		for _, fw := range w.Files {
			if fw.Name == "" || cleanName(fw.Name) != fw.Name || strings.ContainsAny(fw.Name, `/\`) || !hex64(fw.SHA256) || fw.Size < 0 || cleanType(fw.ContentType) != fw.ContentType {
				t.Fatalf("accepted a file out of shape: %+v", fw)
			}
			for _, v := range []string{fw.Origin, fw.Name, fw.AddedBy, fw.AddedAddr} {
				if core.CheckText(v) != "" {
					t.Fatalf("accepted text a store refuses: %q", v)
				}
			}
		}
		again, _ := json.Marshal(w)
		if _, err := parseEvidenceWire(again); err != nil {
			t.Fatalf("what was accepted does not read back: %v", err)
		}
	})
}

// FuzzVerifyPackage feeds the offline verifier arbitrary archives: it must
// neither panic nor hang, and it must never call a package verified whose
// files do not hash to what its manifest names.
func FuzzVerifyPackage(f *testing.F) {
	file := []byte("2027-03-01 203.0.113.7 GET /export 200\n")
	c := fuzzCustody
	c.SHA256, c.Size = StatementHash(file), int64(len(file))
	m := PackageManifest{Format: PackageFormat, ExportedBy: "au.example", ExportedAt: c.At, Request: PackageRequest{OriginID: "r1", From: "afp@au.example"},
		Files: []PackageFile{{Evidence: "e1", Path: pkgFiles + c.SHA256, Name: c.Name, SHA256: c.SHA256, Size: c.Size}}}
	n := PackageNodes{Nodes: []PackageNode{{Host: "au.example", SigningKey: fuzzKey.Public().(ed25519.PublicKey)}}}
	var pkg bytes.Buffer
	if err := writePackage(context.Background(), &pkg, m, PackageCustody{Statements: []json.RawMessage{fuzzSign(c)}}, n, PackageLedger{}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(file)), nil
	}); err != nil {
		f.Fatal(err)
	}
	if rep := VerifyPackage(bytes.NewReader(pkg.Bytes()), int64(pkg.Len()), nil); !rep.OK() {
		f.Fatalf("the seed does not verify: %v", rep.Failures)
	}
	f.Add(pkg.Bytes())
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, b []byte) {
		rep := VerifyPackage(bytes.NewReader(b), int64(len(b)), nil)
		if !rep.OK() {
			return
		}
		// Verified: check again, apart from the verifier, that each file
		// the manifest lists is in the archive with the hash it names.
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("verified an archive that does not open: %v", err)
		}
		entries := map[string]*zip.File{}
		for _, zf := range zr.File {
			entries[zf.Name] = zf
		}
		mb, err := readEntry(entries[pkgManifest], maxPackageJSON)
		var m PackageManifest
		if err != nil || json.Unmarshal(mb, &m) != nil {
			t.Fatalf("verified without a readable manifest: %v", err)
		}
		for _, pf := range m.Files {
			zf := entries[pf.Path]
			if zf == nil {
				t.Fatalf("verified without %s", pf.Path)
			}
			rc, _ := zf.Open()
			h := sha256.New()
			n, _ := io.Copy(h, rc)
			rc.Close()
			if hex.EncodeToString(h.Sum(nil)) != pf.SHA256 || n != pf.Size {
				t.Fatalf("verified %s, whose bytes do not hash to %s", pf.Path, pf.SHA256)
			}
		}
	})
}
