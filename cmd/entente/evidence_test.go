package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"entente.example/entente/internal/federation"
)

var evidenceIDRE = regexp.MustCompile(`href="/cybercrime/requests/([0-9A-Z]{26})/evidence/([0-9A-Z]{26})" download`)

// TestEvidenceBetweenWholeNodes: two whole nodes on loopback. Indonesia's
// investigator uploads an evidence file through the form; the request is
// approved and sent; Singapore's node fetches the file through the signed
// peer route and checks its hash; Singapore's investigator opens it,
// acknowledges the request and downloads the package, which `entente
// verify` checks with the keys the nodes publish, and refuses once one
// byte changes.
func TestEvidenceBetweenWholeNodes(t *testing.T) {
	a := startFederated(t, "", "polri", "ID", "Indonesian National Police, Directorate of Cyber Crime")
	b := startFederated(t, "", "spf", "SG", "Singapore Police Force")
	inv := cybPerson(t, a.testNode, a.admin, "polri", "inv@polri.test", "investigator")
	ca := cybPerson(t, a.testNode, a.admin, "polri", "ca@polri.test", "central_authority")
	sg := cybPerson(t, b.testNode, b.admin, "spf", "inv@spf.test", "investigator")
	peer(t, a, b)
	to := "spf@" + b.host
	waitFor(t, "spf in A's address book", func() bool { return strings.Contains(inv.get("/cybercrime/requests/new").Body, `value="`+to+`"`) })

	form := url.Values{"from": {"polri"}, "kind": {"preservation"}, "to": {to}, "basis": {"reciprocity"}, "language": {"en"}, "reference": {"POLRI/CYB/2026/140"},
		"f_authority": {"Directorate of Cyber Crime"}, "f_offence": {"Illegal access (Law 11/2008 art. 30)"}, "f_facts": {"The ministry's mail server was accessed."},
		"f_data": {"Login records of account mail-relay-77."}, "f_relation": {"The account logged in to the server."}, "f_custodian": {"A hosting provider in Singapore."},
		"f_necessity": {"Logs are kept 30 days."}, "f_mla_follows": {"yes"}, "f_purpose": {"Criminal investigation."}}
	r := inv.post("/cybercrime/requests", form)
	wantStatus(t, r, 303)
	path := r.Header.Get("Location")

	file := bytes.Repeat([]byte("2026-12-01 10:02:11 +0700 login mail-relay-77 from 203.0.113.9\n"), 30000)
	sum := sha256.Sum256(file)
	hexSum := hex.EncodeToString(sum[:])
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("place", "Bareskrim forensic lab, Jakarta")
	part, _ := mw.CreateFormFile("file", "mail-server-logs.txt")
	part.Write(file)
	mw.Close()
	req, _ := http.NewRequest("POST", a.URL+path+"/evidence", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r = inv.do(req)
	wantStatus(t, r, 303)
	r = inv.get(path)
	wantContains(t, r, "mail-server-logs.txt", hexSum, "Uploaded by P inv@polri.test", "at Bareskrim forensic lab, Jakarta", "signature verified")
	for _, act := range []string{"approve", "send"} {
		wantStatus(t, ca.post(path+"/steps", url.Values{"action": {act}}), 303)
	}

	var inPath string
	waitFor(t, "the request and its file on B", func() bool {
		m := regexp.MustCompile(`href="(/cybercrime/requests/[0-9A-Z]{26})"`).FindStringSubmatch(sg.get("/cybercrime/requests?box=in").Body)
		if m == nil {
			return false
		}
		inPath = m[1]
		return evidenceIDRE.MatchString(sg.get(inPath).Body)
	})
	r = sg.get(inPath)
	wantContains(t, r, hexSum, "Received by the node ")
	// The file as B holds it is A's, byte for byte.
	m := evidenceIDRE.FindStringSubmatch(r.Body)
	got := sg.get(inPath + "/evidence/" + m[2])
	wantStatus(t, got, 200)
	if got.Body != string(file) || got.Header.Get("Content-Type") != "application/octet-stream" || !strings.Contains(got.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d bytes, %s, %s", len(got.Body), got.Header.Get("Content-Type"), got.Header.Get("Content-Disposition"))
	}
	// A learns that B received and opened it.
	waitFor(t, "B's statements on A", func() bool {
		page := inv.get(path).Body
		return strings.Contains(page, "Received by the node ") && strings.Contains(page, "Opened by P inv@spf.test")
	})
	wantStatus(t, sg.post(inPath+"/steps", url.Values{"action": {"acknowledge"}}), 303)

	pkg := sg.get(inPath + "/evidence/package")
	wantStatus(t, pkg, 200)
	if pkg.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("package: %s", pkg.Header.Get("Content-Type"))
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "evidence.zip")
	os.WriteFile(good, []byte(pkg.Body), 0o600)
	args := []string{"verify", good}
	for _, n := range []*fedNode{a, b} {
		d, err := federation.OpenDescriptor([]byte(newClient(t, n.URL).get("/.well-known/entente").Body))
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, "--key", n.host+"="+base64.StdEncoding.EncodeToString(d.SigningKey))
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), args, envFrom(nil), strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("verify: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"created (uploaded) by P inv@polri.test", "received, its hash checked, by " + b.host, "opened by P inv@spf.test", "exported in a package", "Ledger of " + b.host, "; entry ", "VERIFIED"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("verify's report lacks %q:\n%s", want, out.String())
		}
	}
	bad := []byte(pkg.Body)
	bad[bytes.Index(bad, file)+500] ^= 1
	badPath := filepath.Join(dir, "changed.zip")
	os.WriteFile(badPath, bad, 0o600)
	args[1] = badPath
	out.Reset()
	if code := run(context.Background(), args, envFrom(nil), strings.NewReader(""), &out, &errOut); code != 1 || !strings.Contains(out.String(), `"mail-server-logs.txt": its SHA-256 is`) {
		t.Fatalf("a changed byte: exit %d\n%s", code, out.String())
	}
}
