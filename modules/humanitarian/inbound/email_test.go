package inbound

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func mustParseEML(t *testing.T, name string, cfg EmailConfig) Message {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := ParseEmail(f, cfg, testNow)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func TestParseEmailPlain(t *testing.T) {
	m := mustParseEML(t, "plain.eml", EmailConfig{})
	want := Message{
		Channel: ChannelEmail, From: "Siti.Rahma@example.org", FromName: "Siti Rahma",
		FromRaw: "=?UTF-8?Q?Siti_Rahma?= <Siti.Rahma@Example.ORG>",
		To:      "lapor@bencana.example.id", ToRaw: "lapor@bencana.example.id",
		Subject: "Jembatan putus di Sigi — butuh air",
		Text:    "Jembatan di Desa Bora putus.\nWarga butuh air bersih dan tenda.",
		At:      time.Date(2018, 9, 28, 11, 40, 0, 0, time.UTC), Received: testNow,
		Gateway: GatewayEmailUpload, ID: "abc123@example.org",
	}
	if !equalMessage(m, want) {
		t.Fatalf("got  %+v\nwant %+v", m, want)
	}
}

func TestParseEmailMultipartWithPhotos(t *testing.T) {
	m := mustParseEML(t, "multipart_photo.eml", EmailConfig{})
	if m.Text != "Houses along the beach are destroyed. The mosque is standing – people shelter there." {
		t.Errorf("text %q (the plain alternative, quoted-printable decoded)", m.Text)
	}
	if m.To != "reports@node.example" || m.Subject != "Damage at Talise beach" {
		t.Errorf("to %q subject %q", m.To, m.Subject)
	}
	type photo struct{ name, kind string }
	var got []photo
	for _, p := range m.Photos {
		got = append(got, photo{p.Filename, p.ContentType})
		if len(p.Data) == 0 {
			t.Errorf("%s: no data", p.Filename)
		}
	}
	want := []photo{{"beach.png", "image/png"}, {"mosque.jpg", "image/jpeg"}, {"jalan rusak.webp", "image/webp"}}
	if len(got) != len(want) {
		t.Fatalf("photos %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("photo %d: %v, want %v", i, got[i], want[i])
		}
	}
	// The PDF labelled image/jpeg is refused by its bytes.
	if len(m.Skipped) != 1 || m.Skipped[0].Code != "email.not_an_image" || m.Skipped[0].Filename != "not-really.jpg" {
		t.Errorf("skipped %+v", m.Skipped)
	}
	if !strings.HasPrefix(string(m.Photos[0].Data), "\x89PNG\r\n\x1a\n") {
		t.Errorf("PNG bytes not decoded from base64")
	}
}

func TestParseEmailPhotoLimits(t *testing.T) {
	m := mustParseEML(t, "multipart_photo.eml", EmailConfig{MaxPhotos: 1})
	codes := map[string]int{}
	for _, s := range m.Skipped {
		codes[s.Code]++
	}
	if len(m.Photos) != 1 || codes["email.too_many_photos"] != 2 {
		t.Errorf("MaxPhotos 1: %d photos, skipped %v", len(m.Photos), codes)
	}
	// The fixture's PNG is 69 bytes, its JPEG 62 and its WebP 38: a 62-byte
	// limit keeps the JPEG and WebP and refuses the PNG by its decoded size.
	m = mustParseEML(t, "multipart_photo.eml", EmailConfig{MaxPhotoBytes: 62})
	var kept []string
	for _, p := range m.Photos {
		kept = append(kept, p.Filename)
	}
	if strings.Join(kept, ",") != "mosque.jpg,jalan rusak.webp" {
		t.Errorf("kept %v", kept)
	}
	if len(m.Skipped) != 2 || m.Skipped[0].Code != "email.photo_too_large" || m.Skipped[0].Filename != "beach.png" || m.Skipped[0].Size != 69 {
		t.Errorf("skipped %+v", m.Skipped)
	}
}

func TestParseEmailHTMLOnly(t *testing.T) {
	m := mustParseEML(t, "html_only.eml", EmailConfig{})
	want := "Posko Balaroa\n\nNeeds: water & blankets\n\n- Water: 500 L\n- Blankets <200>\nContact the coordinator"
	if m.Text != want {
		t.Errorf("text\n%q\nwant\n%q", m.Text, want)
	}
	for _, bad := range []string{"alert", "color", "ignored title", "comment"} {
		if strings.Contains(m.Text, bad) {
			t.Errorf("text keeps %q", bad)
		}
	}
}

func TestParseEmailLatin1(t *testing.T) {
	m := mustParseEML(t, "latin1.eml", EmailConfig{})
	if m.FromName != "José Martínez" || m.Subject != "Información de daños" {
		t.Errorf("headers: %q %q", m.FromName, m.Subject)
	}
	if m.Text != "La carretera está cortada cerca de Donggala. Niños en el refugio." {
		t.Errorf("text %q", m.Text)
	}
}

func TestParseEmailBase64(t *testing.T) {
	m := mustParseEML(t, "base64.eml", EmailConfig{})
	if m.Text != "Gempa susulan dirasakan di Palu. Listrik padam. 🙏" {
		t.Errorf("text %q", m.Text)
	}
	if got := m.At.Format(time.RFC3339); got != "2018-09-28T13:30:00Z" {
		// The Date is after testNow but within a day: a sender's clock.
		t.Errorf("at %s", got)
	}
}

func TestParseEmailErrors(t *testing.T) {
	cases := []struct {
		name, raw, code, field string
		status                 int
	}{
		{"not a message", "no headers here", "email.malformed", "", 400},
		{"no From", "To: a@b.c\r\nSubject: x\r\n\r\nbody", "email.missing_field", "From", 400},
		{"bad From", "From: not an address <<\r\n\r\nbody", "email.bad_address", "From", 400},
		{"empty", "From: a@b.c\r\n\r\n  \r\n", "email.empty", "", 400},
		{"multipart without boundary", "From: a@b.c\r\nContent-Type: multipart/mixed\r\n\r\nx", "email.malformed", "Content-Type", 400},
		{"broken base64 text", "From: a@b.c\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64", "email.bad_encoding", "Content-Transfer-Encoding", 400},
		{"too large", "From: a@b.c\r\n\r\n" + strings.Repeat("x", 2000), "email.too_large", "", 413},
		{"too deep", deepMessage(12), "email.too_complex", "", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseEmail(strings.NewReader(c.raw), EmailConfig{MaxBytes: 1000}, testNow)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error, got %v", err)
			}
			if e.Code != c.code || e.Field != c.field || e.Status != c.status {
				t.Fatalf("got %s/%s/%d, want %s/%s/%d", e.Code, e.Field, e.Status, c.code, c.field, c.status)
			}
		})
	}
}

func deepMessage(depth int) string {
	var b strings.Builder
	b.WriteString("From: a@b.c\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n")
	for i := 1; i <= depth; i++ {
		b.WriteString("--b" + strconv.Itoa(i-1) + "\r\nContent-Type: multipart/mixed; boundary=b" + strconv.Itoa(i) + "\r\n\r\n")
	}
	return b.String()
}

func TestParseEmailSubjectOnly(t *testing.T) {
	m, err := ParseEmail(strings.NewReader("From: a@b.c\r\nSubject: LAPOR rumah roboh\r\n\r\n"), EmailConfig{}, testNow)
	if err != nil || m.Text != "LAPOR rumah roboh" {
		t.Fatalf("%+v %v", m, err)
	}
}

func TestParseEmailTextTruncated(t *testing.T) {
	raw := "From: a@b.c\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + strings.Repeat("é", 100)
	m, err := ParseEmail(strings.NewReader(raw), EmailConfig{MaxTextBytes: 51}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != strings.Repeat("é", 25) || len(m.Skipped) != 1 || m.Skipped[0].Code != "email.text_truncated" {
		t.Fatalf("text %q skipped %+v", m.Text, m.Skipped)
	}
}

func TestParseEmailRequest(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "multipart_photo.eml"))
	if err != nil {
		t.Fatal(err)
	}
	req := func(method, target, ct, auth string) *http.Request {
		r := httptest.NewRequest(method, target, strings.NewReader(string(raw)))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		return r
	}
	m, err := ParseEmailRequest(req("POST", "/hooks/mail?secret="+testSecret, "message/rfc822", ""), testSecret, EmailConfig{}, testNow)
	if err != nil || m.Gateway != GatewayMailHook || len(m.Photos) != 3 || m.Subject != "Damage at Talise beach" {
		t.Fatalf("query secret: %+v %v", m, err)
	}
	if _, err := ParseEmailRequest(req("POST", "/hooks/mail", "message/rfc822", "Bearer "+testSecret), testSecret, EmailConfig{}, testNow); err != nil {
		t.Fatalf("bearer secret: %v", err)
	}
	cases := []struct {
		name   string
		r      *http.Request
		secret string
		code   string
		status int
	}{
		{"bad secret", req("POST", "/hooks/mail?secret=x", "message/rfc822", ""), testSecret, "email.bad_secret", 403},
		{"no secret", req("POST", "/hooks/mail", "message/rfc822", ""), testSecret, "email.bad_secret", 403},
		{"none configured", req("POST", "/hooks/mail?secret=", "message/rfc822", ""), "", "email.secret_not_set", 403},
		{"wrong type", req("POST", "/hooks/mail?secret="+testSecret, "text/plain", ""), testSecret, "email.bad_content_type", 415},
		{"GET", req("GET", "/hooks/mail?secret="+testSecret, "message/rfc822", ""), testSecret, "email.method_not_allowed", 405},
	}
	for _, c := range cases {
		_, err := ParseEmailRequest(c.r, c.secret, EmailConfig{}, testNow)
		var e *Error
		if !errors.As(err, &e) || e.Code != c.code || e.Status != c.status {
			t.Errorf("%s: got %v, want %s/%d", c.name, err, c.code, c.status)
		}
	}
	_, err = ParseEmailRequest(req("POST", "/hooks/mail?secret="+testSecret, "message/rfc822", ""), testSecret, EmailConfig{MaxBytes: 100}, testNow)
	var e *Error
	if !errors.As(err, &e) || e.Code != "email.too_large" || e.Status != 413 {
		t.Errorf("too large: %v", err)
	}
}

func TestHTMLToText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"<p>a</p><p>b</p>", "a\n\nb"},
		{"a<br>b<br/>c", "a\nb\nc"},
		{"<b>bold</b> and <i>it</i>", "bold and it"},
		{"x &amp; y &#8211; z", "x & y – z"},
		{"<table><tr><td>1</td><td>2</td></tr></table>", "1 2"},
		{"before<script>var a = '<p>'</script>after", "beforeafter"},
		{"<STYLE>p{}</STYLE>Text", "Text"},
		{"unterminated <b", "unterminated"},
		{"<!-- never closed", ""},
		{"   ", ""},
	}
	for _, c := range cases {
		if got := HTMLToText(c.in); got != c.want {
			t.Errorf("HTMLToText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
