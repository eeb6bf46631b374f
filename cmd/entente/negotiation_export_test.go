package main

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestNegotiationExport: a delegation downloads a text as .docx and .odt
// from the clean view, as attachments that are real ZIPs holding the text;
// a stakeholder, who never sees the state text, cannot.
func TestNegotiationExport(t *testing.T) {
	n, base, pw := demoNode(t)
	ctx := context.Background()
	if err := demoNegotiation(ctx, []*node{n}); err != nil {
		t.Fatal(err)
	}
	var pid, tid string
	if err := n.db.R().Get(ctx, &pid, `SELECT id FROM neg_processes LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	bima := login(t, base, "bima@kemlu.demo", pw)
	_, text, err := n.svcs.Negotiation.Text(mustActor(t, n, "bima@kemlu.demo"), pid, firstText(t, n, pid))
	if err != nil {
		t.Fatal(err)
	}
	tid = text.ID
	path := "/negotiation/" + pid + "/texts/" + tid
	wantContains(t, bima.get(path+"/clean"), `href="`+path+`/export.docx"`, `href="`+path+`/export.odt"`)
	for ext, ctype := range map[string]string{"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "odt": "application/vnd.oasis.opendocument.text"} {
		r := bima.get(path + "/export." + ext)
		wantStatus(t, r, 200)
		if r.Header.Get("Content-Type") != ctype || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment; filename=") || !strings.HasSuffix(r.Header.Get("Content-Disposition"), "."+ext+`"`) {
			t.Fatalf("%s headers: %v", ext, r.Header)
		}
		zr, err := zip.NewReader(bytes.NewReader([]byte(r.Body)), int64(len(r.Body)))
		if err != nil {
			t.Fatalf("%s: %v", ext, err)
		}
		var all strings.Builder
		for _, f := range zr.File {
			rc, _ := f.Open()
			var b bytes.Buffer
			_, _ = b.ReadFrom(rc)
			rc.Close()
			all.Write(b.Bytes())
		}
		if !strings.Contains(all.String(), text.Paragraphs[0].Options[0][:30]) {
			t.Fatalf("%s lacks the first paragraph", ext)
		}
	}
	ayu := login(t, base, "ayu@ruangdigital.demo", pw)
	if r := ayu.get(path + "/export.docx"); r.StatusCode == 200 {
		t.Fatal("a stakeholder downloaded the state text")
	}
}

func firstText(t *testing.T, n *node, pid string) string {
	t.Helper()
	p, err := n.svcs.Negotiation.Process(mustActor(t, n, "bima@kemlu.demo"), pid)
	if err != nil || len(p.P.Texts) == 0 {
		t.Fatalf("process: %v", err)
	}
	return p.P.Texts[0].ID
}
