package main

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"regexp"
	"testing"
)

// postMultipart posts a form with files, as a browser does.
func (c *client) postMultipart(path string, fields map[string]string, files map[string][]byte) response {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for name, data := range files {
		fw, _ := mw.CreateFormFile("attachments", name)
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// TestRequestAttachmentPages: a file uploaded with the request form is
// listed on both sides' pages and downloads as an attachment, typed from its
// bytes, with nosniff; someone outside the two organisations cannot fetch it.
func TestRequestAttachmentPages(t *testing.T) {
	n, base, pw, netID, csa := requestsDemo(t)
	bima := login(t, base, "bima@kemlu.demo", pw)
	page := []byte("<html><body><script>alert(document.cookie)</script></body></html>")
	r := bima.postMultipart("/requests", map[string]string{"network": netID, "from": "kemlu", "to": csa, "type": "assistance", "urgency": "high", "tlp": "AMBER",
		"subject": "Request with files", "description": "See the file.", "asked": "Look."}, map[string][]byte{"phish.html": page})
	wantStatus(t, r, 303)
	loc := r.Header.Get("Location")
	show := bima.get(loc)
	link := regexp.MustCompile(`href="(` + regexp.QuoteMeta(loc) + `/attachments/[^"]+)" download>phish.html</a>`).FindStringSubmatch(show.Body)
	if link == nil {
		t.Fatalf("no download link on the sender's page")
	}
	d := bima.get(link[1])
	wantStatus(t, d, 200)
	if d.Header.Get("Content-Disposition") != `attachment; filename=phish.html` || d.Header.Get("X-Content-Type-Options") != "nosniff" || d.Header.Get("Content-Type") != "application/octet-stream" || d.Body != string(page) {
		t.Fatalf("download headers: %v", d.Header)
	}
	// The recipient's copy has it too; an outsider gets nothing.
	var inID string
	if err := n.db.R().Get(context.Background(), &inID, `SELECT id FROM poc_requests WHERE direction = 'in' AND subject = 'Request with files'`); err != nil {
		t.Fatal(err)
	}
	weiming := login(t, base, "weiming@csa-sg.demo", pw)
	theirs := regexp.MustCompile(`href="(/requests/` + inID + `/attachments/[^"]+)" download>phish.html</a>`).FindStringSubmatch(weiming.get("/requests/" + inID).Body)
	if theirs == nil {
		t.Fatal("no download link on the recipient's page")
	}
	wantStatus(t, weiming.get(theirs[1]), 200)
	yusuf := login(t, base, "yusuf@nusantara.demo", pw)
	wantStatus(t, yusuf.get(theirs[1]), 404)
	// Too large: refused with the field's problem, not a broken page.
	r = bima.postMultipart("/requests", map[string]string{"network": netID, "from": "kemlu", "to": csa, "type": "assistance", "urgency": "high", "tlp": "AMBER",
		"subject": "Too big", "description": "x", "asked": "x"}, map[string][]byte{"a.bin": make([]byte, 1<<20+10), "b.bin": make([]byte, 1<<20+10)})
	wantStatus(t, r, 422)
	wantContains(t, r, `href="#attachments"`)
	shots(t, base, pw, []shotPage{{"bima@kemlu.demo", loc, "issue12-request-attachments"}})
}
