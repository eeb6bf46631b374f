package cybercrime_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"entente.example/entente/core"
	"entente.example/entente/internal/blobs"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/cybercrime"
)

// withEvidence gives a test node a blob store in a directory, a job queue
// that runs (the fetches), and the route peers fetch files from.
func withEvidence(t *testing.T, n *node) {
	t.Helper()
	q := jobs.New(n.DB, slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry())
	store, err := blobs.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	n.svc.UseEvidence(cybercrime.EvidenceOptions{Blobs: store, Ledger: n.Ledger, Fed: n.Fed, Jobs: q, NodeName: "node " + n.Host})
	n.Mux.HandleFunc("GET /federation/v1/cybercrime/evidence/{sha256}", func(w http.ResponseWriter, r *http.Request) {
		n.svc.ServePeerEvidence(w, r, func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, err.Error(), map[bool]int{true: 404, false: 401}[core.KindOf(err) == core.KindNotFound])
		})
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { q.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func storedData(to string) cybercrime.Input {
	return cybercrime.Input{From: "afp", To: to, Kind: cybercrime.KindStoredData, Basis: "budapest", Language: "en", Reference: "AFP/2026/131",
		Fields: map[string]string{
			"authority": "Australian Federal Police, Cybercrime Operations", "offence": "Unauthorised access (Criminal Code s. 478.1)",
			"facts": "A hospital's records were taken on 1 December.", "data": "The mailbox ops@example.jp, 1–3 December",
			"relation": "The records were sent from it.", "custodian": "Example Mail KK, Tokyo", "measures": "Production order",
			"purpose": "Prove who sent the records.",
		}}
}

// TestEvidenceAcrossNodes takes a request with an evidence file from a
// draft on Australia's node to executed on Japan's: the file is hashed on
// upload, fetched by Japan's node with a signed GET (a third node is
// refused it), and both nodes end with the whole custody log, each event
// signed by the node where it happened. The package Japan's node exports
// verifies offline with the two nodes' keys alone, and fails when one byte
// of the file or of a statement changes.
func TestEvidenceAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		au, jp, nz := newNode(t, e), newNode(t, e), newNode(t, e)
		au.Org(t, "afp", core.OrgStateLawEnforcement, "AU", "Australian Federal Police")
		jp.Org(t, "npa", core.OrgStateLawEnforcement, "JP", "National Police Agency")
		nz.Org(t, "police", core.OrgStateLawEnforcement, "NZ", "New Zealand Police")
		for _, n := range []*node{au, jp, nz} {
			withEvidence(t, n)
			n.Start(t)
		}
		peerAll(t, au, jp, nz)
		inv, ca := au.As("Ines", "afp", core.RoleInvestigator), au.As("Carl", "afp", core.RoleAuthority)
		jpInv := jp.As("Kenji", "npa", core.RoleInvestigator)

		r, err := au.svc.Create(inv, storedData(jp.Addr("npa")))
		if err != nil {
			t.Fatal(err)
		}
		content := bytes.Repeat([]byte("2026-12-01T03:14:07Z 203.0.113.7 GET /records/export 200\n"), 20000)
		ev, err := au.svc.AddEvidence(inv, r.ID, cybercrime.Upload{Name: `C:\cases\server-logs.txt`, ContentType: "text/plain; charset=utf-8",
			Place: "AFP forensic lab, Canberra", Body: bytes.NewReader(content)})
		if err != nil {
			t.Fatal(err)
		}
		if ev.Name != "server-logs.txt" || ev.Size != int64(len(content)) || ev.SHA256 != cybercrime.StatementHash(content) || ev.ContentType != "text/plain" {
			t.Fatalf("stored: %+v", ev)
		}
		// Nobody outside the two organisations adds a file.
		if _, err := au.svc.AddEvidence(au.As("Olga", "afp", core.RoleMember), r.ID, cybercrime.Upload{Name: "x", Body: strings.NewReader("x")}); err == nil {
			t.Fatal("a member without a cybercrime role added evidence")
		}
		for _, act := range []cybercrime.Action{cybercrime.ActApprove, cybercrime.ActSend} {
			if r, err = au.svc.Act(ca, r.ID, cybercrime.Step{Action: act}); err != nil {
				t.Fatalf("%s: %v", act, err)
			}
		}

		var in cybercrime.Request
		fedtest.Eventually(t, "the request and its file on Japan's node", func() bool {
			rs, _, err := jp.svc.Requests(jpInv, cybercrime.Filter{Box: "in"})
			if err != nil || len(rs) != 1 {
				return false
			}
			in = rs[0]
			files, err := jp.svc.EvidenceOf(jpInv, in)
			return err == nil && len(files) == 1 && files[0].Stored
		})
		// Australia's node learns that Japan's received it.
		fedtest.Eventually(t, "Japan's receipt of the file in Australia's log", func() bool {
			files, err := au.svc.EvidenceOf(inv, r)
			return err == nil && len(files) == 1 && hasEvent(files[0].Custody, cybercrime.CustodyReceived, jp.Host)
		})

		// A third node, a verified peer of both, is refused the file: it is
		// not a party to the request.
		body, _, err := nz.Fed.GetStream(context.Background(), au.Host, "/federation/v1/cybercrime/evidence/"+ev.SHA256+"?from="+r.From+"&request="+r.OriginID)
		if err == nil {
			body.Close()
			t.Fatal("a third node was given the file")
		}

		for _, act := range []cybercrime.Action{cybercrime.ActAcknowledge, cybercrime.ActExecute} {
			if in, err = jp.svc.Act(jpInv, in.ID, cybercrime.Step{Action: act}); err != nil {
				t.Fatalf("%s: %v", act, err)
			}
		}
		// The reply's file travels the other way: Japan's node uploads it,
		// Australia's fetches it from Japan's.
		answer := []byte("subscriber,ip,first_seen\nops@example.jp,203.0.113.7,2026-11-28\n")
		if _, err := jp.svc.AddEvidence(jpInv, in.ID, cybercrime.Upload{Name: "subscriber.csv", ContentType: "text/csv", Body: bytes.NewReader(answer)}); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "Japan's answer on Australia's node", func() bool {
			files, err := au.svc.EvidenceOf(inv, r)
			return err == nil && len(files) == 2 && files[1].Stored && files[1].Name == "subscriber.csv" && hasEvent(files[1].Custody, cybercrime.CustodyReceived, au.Host)
		})
		files, err := jp.svc.EvidenceOf(jpInv, in)
		if err != nil {
			t.Fatal(err)
		}
		got, rc, err := jp.svc.OpenEvidence(jpInv, in.ID, files[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(b, content) || got.SHA256 != ev.SHA256 {
			t.Fatal("Japan's copy differs")
		}
		if err := jp.svc.RecordHandOver(jpInv, in.ID, files[0].ID, cybercrime.HandOver{To: "Tokyo District Court"}); fields(err)["place"] != "err.required" {
			t.Fatalf("hand-over without a place: %v", err)
		}
		if err := jp.svc.RecordHandOver(jpInv, in.ID, files[0].ID, cybercrime.HandOver{To: "Tokyo District Court", Place: "Court registry, Tokyo"}); err != nil {
			t.Fatal(err)
		}

		var pkg bytes.Buffer
		if err := jp.svc.ExportPackage(jpInv, in.ID, nil, &pkg); err != nil {
			t.Fatal(err)
		}
		// Both nodes hold the whole log, every statement verified.
		fedtest.Eventually(t, "Japan's statements on Australia's node", func() bool {
			files, err := au.svc.EvidenceOf(inv, r)
			return err == nil && hasEvent(files[0].Custody, cybercrime.CustodyExported, jp.Host) && hasEvent(files[0].Custody, cybercrime.CustodyHandedOver, jp.Host)
		})
		for _, side := range []struct {
			n   *node
			ctx context.Context
			r   cybercrime.Request
		}{{au, inv, r}, {jp, jpInv, in}} {
			files, err := side.n.svc.EvidenceOf(side.ctx, side.r)
			if err != nil {
				t.Fatal(err)
			}
			var events []string
			for _, c := range files[0].Custody {
				if !c.Verified {
					t.Errorf("%s: %s by %s not verified: %s", side.n.Host, c.Event, c.Node, c.Problem)
				}
				events = append(events, c.Event+"@"+map[string]string{au.Host: "au", jp.Host: "jp"}[c.Node])
			}
			want := "created@au sent@au received@jp opened@jp handed_over@jp exported@jp"
			if strings.Join(events, " ") != want {
				t.Errorf("%s's log: %v, want %s", side.n.Host, events, want)
			}
		}

		// The third party: the package's bytes and the two nodes' keys.
		keys := map[string]ed25519.PublicKey{au.Host: au.Fed.SigningKey(), jp.Host: jp.Fed.SigningKey()}
		rep := cybercrime.VerifyPackage(bytes.NewReader(pkg.Bytes()), int64(pkg.Len()), keys)
		if !rep.OK() {
			t.Fatalf("the package does not verify:\n%s", strings.Join(rep.Lines, "\n"))
		}
		report := strings.Join(rep.Lines, "\n")
		for _, want := range []string{"key given on the command line", "created (uploaded) by Ines (afp@" + au.Host + "), at AFP forensic lab, Canberra",
			"handed over by Kenji (npa@" + jp.Host + ") to Tokyo District Court, at Court registry, Tokyo", "SHA-256 matches",
			"Ledger of " + jp.Host + ": checkpoint of", "signature verified; entry "} {
			if !strings.Contains(report, want) {
				t.Errorf("report lacks %q:\n%s", want, report)
			}
		}

		// One byte of the file changed.
		at := bytes.Index(pkg.Bytes(), content)
		if at < 0 {
			t.Fatal("the file is not stored as is in the package")
		}
		bad := bytes.Clone(pkg.Bytes())
		bad[at+100] ^= 1
		wantFailure(t, "a changed byte of the file", bad, keys, `"server-logs.txt": its SHA-256 is`)
		// One character of a signed statement changed.
		wantFailure(t, "a changed statement", rewrite(t, pkg.Bytes(), "custody.json", "Canberra", "Canberrb"), keys, "the signature does not verify")
		// A log that does not hold what it claims.
		wantFailure(t, "a changed ledger proof", copyZip(t, pkg.Bytes(), func(n string, b []byte) []byte {
			if n != "ledger.json" {
				return b
			}
			var l cybercrime.PackageLedger
			if err := json.Unmarshal(b, &l); err != nil || len(l.Logs) != 1 || len(l.Logs[0].Entries) < 4 {
				t.Fatalf("ledger.json: %v %+v", err, l)
			}
			l.Logs[0].Entries[0].Proof.Index++
			out, _ := json.Marshal(l)
			return out
		}), keys, "not in its ledger")
		// A statement left out breaks its node's chain.
		wantFailure(t, "a statement left out", dropStatement(t, pkg.Bytes(), "opened"), keys, "missing or given twice")
		// Another key for Japan's node than the one that signed.
		other, _, _ := ed25519.GenerateKey(rand.Reader)
		wantFailure(t, "the wrong key", pkg.Bytes(), map[string]ed25519.PublicKey{au.Host: au.Fed.SigningKey(), jp.Host: other}, "the signature does not verify with that node's key")
	})
}

func hasEvent(log []cybercrime.CustodyRecord, event, node string) bool {
	for _, c := range log {
		if c.Event == event && c.Node == node && c.Verified {
			return true
		}
	}
	return false
}

func peerAll(t *testing.T, nodes ...*node) {
	t.Helper()
	var served []*fedtest.Served
	for _, n := range nodes {
		served = append(served, n.Served)
	}
	fedtest.Peer(t, served...)
}

func wantFailure(t *testing.T, what string, pkg []byte, keys map[string]ed25519.PublicKey, says string) {
	t.Helper()
	rep := cybercrime.VerifyPackage(bytes.NewReader(pkg), int64(len(pkg)), keys)
	if rep.OK() {
		t.Errorf("%s: the package still verifies", what)
		return
	}
	if !strings.Contains(strings.Join(rep.Failures, "\n"), says) {
		t.Errorf("%s: the failures do not say %q:\n%s", what, says, strings.Join(rep.Failures, "\n"))
	}
}

// rewrite copies a package with one entry's text changed.
func rewrite(t *testing.T, pkg []byte, name, old, new string) []byte {
	t.Helper()
	return copyZip(t, pkg, func(n string, b []byte) []byte {
		if n == name {
			if !bytes.Contains(b, []byte(old)) {
				t.Fatalf("%s lacks %q", name, old)
			}
			return bytes.Replace(b, []byte(old), []byte(new), 1)
		}
		return b
	})
}

// dropStatement copies a package without the first statement of an event.
func dropStatement(t *testing.T, pkg []byte, event string) []byte {
	t.Helper()
	return copyZip(t, pkg, func(n string, b []byte) []byte {
		if n != "custody.json" {
			return b
		}
		var c cybercrime.PackageCustody
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		for i, s := range c.Statements {
			if strings.Contains(string(s), `\"event\":\"`+event+`\"`) || strings.Contains(string(s), `"event":"`+event+`"`) {
				c.Statements = append(c.Statements[:i], c.Statements[i+1:]...)
				break
			}
		}
		out, _ := json.Marshal(c)
		return out
	})
}

func copyZip(t *testing.T, pkg []byte, change func(name string, b []byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		w, _ := zw.Create(f.Name)
		w.Write(change(f.Name, b))
	}
	zw.Close()
	return out.Bytes()
}
