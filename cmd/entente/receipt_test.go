package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"entente.example/entente/internal/store"
)

// TestReceiptPage: the sender's page says in words what a receipt proves
// and says "Verified" only when the signature checks with the receiving
// node's key and its log proves the entry; a receipt changed by one byte is
// "Not verified", with why. The downloaded receipt verifies with `entente
// verify FILE` as printed, on http nodes, without --node.
func TestReceiptPage(t *testing.T) {
	a := startFederated(t, "", "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia")
	b := startFederated(t, "", "csa-sg", "SG", "Cyber Security Agency of Singapore")
	peer(t, a, b)
	waitFor(t, "b's directory on a", func() bool {
		return strings.Contains(a.officer.get("/mail/new").Body, `value="csa-sg@`+b.host+`"`)
	})
	r := a.officer.post("/mail", url.Values{"from": {"kemlu"}, "to": {"csa-sg@" + b.host}, "subject": {"Consultation"}, "body": {"x"}, "tlp": {"GREEN"}})
	wantStatus(t, r, 303)
	msg := r.Header.Get("Location")
	link := regexp.MustCompile(`href="(/mail/[0-9A-Z]{26}/receipt\?to=[^"]+)"`)
	var page string
	waitFor(t, "the receipt, covered by b's checkpoint", func() bool {
		m := link.FindStringSubmatch(a.officer.get(msg).Body)
		if m == nil {
			return false
		}
		page = strings.ReplaceAll(m[1], "&amp;", "&")
		return strings.Contains(a.officer.get(page).Body, "checked just now against its signed checkpoint")
	})
	r = a.officer.get(page)
	bFP := regexp.MustCompile(`Its key fingerprint: <code class="fp">([A-Z2-7 ]+)</code>`).FindStringSubmatch(b.admin.get("/admin/peers").Body)[1]
	wantContains(t, r, "<strong>Verified.</strong>", "received and signed by the node", b.host+", key fingerprint "+bFP,
		"entry ", "of its public log, at ", " UTC.", "entente verify receipt-", `download="receipt-`)
	if strings.Contains(r.Body, "Not verified") {
		t.Fatal("a verified receipt also says not verified")
	}

	// Downloaded, it verifies as the page says, on these http nodes.
	dl := regexp.MustCompile(`href="(/mail/[0-9A-Z]{26}/receipt\.json\?to=[^"]+)"`).FindStringSubmatch(r.Body)
	if dl == nil {
		t.Fatalf("no download:\n%s", r.Body)
	}
	r = a.officer.get(strings.ReplaceAll(dl[1], "&amp;", "&"))
	wantStatus(t, r, 200)
	wantContains(t, r, `"node_url":"`+b.URL+`"`)
	file := filepath.Join(t.TempDir(), "receipt.json")
	os.WriteFile(file, []byte(r.Body), 0o600)
	if code, out, errOut := runCLI(t, "", "verify", file); code != 0 || !strings.Contains(out, "PROVEN: envelope") || !regexp.MustCompile(`at \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC and is entry`).MatchString(out) {
		t.Fatalf("entente verify FILE: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "", "verify", "--fingerprint", bFP, file); code != 0 {
		t.Fatalf("entente verify --fingerprint: %d %s", code, errOut)
	}
	// The receipt as the API gives it, without the node's URL: verify finds
	// the node over http when https is not what it speaks.
	os.WriteFile(file, []byte(strings.TrimSuffix(strings.SplitN(r.Body, `,"node_url"`, 2)[0], "\n")+"}"), 0o600)
	if code, out, errOut := runCLI(t, "", "verify", file); code != 0 || !strings.Contains(out, "PROVEN: envelope") {
		t.Fatalf("entente verify on the bare receipt: %d %s %s", code, out, errOut)
	}
	doctored := doctor(t, r.Body)
	os.WriteFile(file, []byte(doctored), 0o600)
	if code, _, errOut := runCLI(t, "", "verify", file); code != 1 || !strings.Contains(errOut, "NOT PROVEN") {
		t.Fatalf("a doctored file: %d %s", code, errOut)
	}

	// One byte changed in what a's node keeps: not verified, and why.
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(a.Data, "entente.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var raw string
	if err := db.RawReader().QueryRowContext(ctx, `SELECT receipt FROM outbox WHERE receipt <> ''`).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Raw().ExecContext(ctx, `UPDATE outbox SET receipt = ? WHERE receipt = ?`, doctor(t, raw), raw); err != nil {
		t.Fatal(err)
	}
	r = a.officer.get(page)
	wantContains(t, r, "<strong>Not verified.</strong>", "The signature does not check with the receiving node", "The receipt claims that the node "+b.host)
	if strings.Contains(r.Body, "<strong>Verified.</strong>") {
		t.Fatal("a doctored receipt is shown as verified")
	}

	// In Bahasa Indonesia, the times as Indonesians write them.
	wantStatus(t, a.officer.post("/lang", url.Values{"lang": {"id"}, "next": {"/"}}), 303)
	r = a.officer.get(page)
	wantContains(t, r, "<strong>Tidak terverifikasi.</strong>")
	if !regexp.MustCompile(`\d{1,2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des) \d{4}, \d{2}\.\d{2} UTC`).MatchString(r.Body) {
		t.Errorf("no time in the Indonesian form:\n%s", r.Body)
	}
}

// doctor changes one byte of a receipt's signed body: a digit of the digest.
func doctor(t *testing.T, receipt string) string {
	t.Helper()
	i := strings.Index(receipt, `"digest":"`)
	if i < 0 {
		t.Fatalf("no digest in %s", receipt)
	}
	i += len(`"digest":"`)
	c := byte('0')
	if receipt[i] == '0' {
		c = '1'
	}
	return receipt[:i] + string(c) + receipt[i+1:]
}
