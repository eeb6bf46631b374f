package inbound

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkError asserts a parse failure is an *Error a gateway can be answered with.
func checkError(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error is not *Error: %v", err)
	}
	switch e.Status {
	case 400, 403, 405, 413, 415:
	default:
		t.Fatalf("status %d for %s", e.Status, e.Code)
	}
	if !strings.HasPrefix(e.Code, "sms.") && !strings.HasPrefix(e.Code, "email.") {
		t.Fatalf("code %q", e.Code)
	}
}

func FuzzParseSMS(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "", smssyncForm().Encode())
	f.Add("application/x-www-form-urlencoded", "secret="+testSecret, "from=TELKOMSEL&message=INFO+POSKO+Palu")
	f.Add("application/json", "", `{"secret":"`+testSecret+`","from":"+628111","message":"banjir","sent_timestamp":1538128800000}`)
	f.Add("multipart/form-data; boundary=zz", "", "--zz\r\nContent-Disposition: form-data; name=\"secret\"\r\n\r\n"+testSecret+"\r\n--zz\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\n0812\r\n--zz\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nx\r\n--zz--\r\n")
	f.Add("", "", "secret=%zz")
	f.Add("text/plain", "a=%", "\x00\xff")
	f.Fuzz(func(t *testing.T, ct, query, body string) {
		r := httptest.NewRequest(http.MethodPost, "/hooks/sms", strings.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", ct)
		m, err := ParseSMSWith(r, SMSConfig{Secret: testSecret, DefaultCC: "62", MaxBytes: 4096}, testNow)
		if err != nil {
			checkError(t, err)
			return
		}
		if m.Channel != ChannelSMS || m.From == "" || strings.TrimSpace(m.Text) == "" {
			t.Fatalf("accepted an incomplete message: %+v", m)
		}
		if !utf8.ValidString(m.Text) || !utf8.ValidString(m.FromRaw) || strings.ContainsRune(m.Text, 0) {
			t.Fatalf("text not clean: %q", m.Text)
		}
		if m.At.After(testNow.Add(24*3600e9)) || m.At.Year() < 2000 {
			t.Fatalf("implausible time kept: %v", m.At)
		}
		// From is E.164 or the sender cleaned to what a sender id may hold.
		if e, ok := NormalizePhone(m.FromRaw, "62"); ok && m.From != e || !ok && m.From != cleanSender(m.FromRaw) {
			t.Fatalf("From %q from %q", m.From, m.FromRaw)
		}
	})
}

func FuzzParseEmail(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("From: a@b.c\r\nContent-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\nContent-Type: text/html\r\n\r\n<p>hi\r\n--x--\r\n"))
	f.Add([]byte(deepMessage(10)))
	f.Fuzz(func(t *testing.T, raw []byte) {
		cfg := EmailConfig{MaxBytes: 1 << 16, MaxPhotoBytes: 4096, MaxPhotos: 2, MaxTextBytes: 2048}
		m, err := ParseEmail(bytes.NewReader(raw), cfg, testNow)
		if err != nil {
			checkError(t, err)
			return
		}
		if m.From == "" || (m.Text == "" && len(m.Photos) == 0) {
			t.Fatalf("accepted an incomplete message: %+v", m)
		}
		if !utf8.ValidString(m.Text) || !utf8.ValidString(m.Subject) || len(m.Text) > cfg.MaxTextBytes && m.Text != m.Subject {
			t.Fatalf("text not clean or too long: %d bytes", len(m.Text))
		}
		if len(m.Photos) > cfg.MaxPhotos {
			t.Fatalf("%d photos", len(m.Photos))
		}
		for _, p := range m.Photos {
			if len(p.Data) > cfg.MaxPhotoBytes || http.DetectContentType(p.Data) != p.ContentType {
				t.Fatalf("photo %q: %d bytes, %s", p.Filename, len(p.Data), p.ContentType)
			}
			if strings.ContainsAny(p.Filename, "/\x00") || len(p.Filename) > 100 {
				t.Fatalf("filename %q", p.Filename)
			}
		}
	})
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"INFO", "INFO SHELTER Palu", "info posko  Sigi", "LAPOR:banjir", "REPORT\n\nx", "lapor\u00a0x", ":", "INFO:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c := ParseCommand(text)
		if c.Arg != strings.TrimSpace(c.Arg) {
			t.Fatalf("arg not trimmed: %q", c.Arg)
		}
		if c.Kind == CommandNone && c.Arg != strings.TrimSpace(text) {
			t.Fatalf("free text changed: %q", c.Arg)
		}
		if c.Kind != CommandNone && len(c.Arg) >= len(text) {
			t.Fatalf("arg %q kept the keyword of %q", c.Arg, text)
		}
	})
}

func FuzzSplitSMS(f *testing.F) {
	for _, s := range []string{"", "a", strings.Repeat("€", 81), strings.Repeat("a", 66) + "🙏b", "Posko “Balaroa” 🙏"} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, text string, maxParts int) {
		if !utf8.ValidString(text) {
			text = strings.ToValidUTF8(text, "?")
		}
		checkParts(t, text, SplitSMS(text))
		maxParts = maxParts%10 + 1
		if maxParts < 1 {
			maxParts = 1
		}
		got, s := FitSMS(text, maxParts)
		if s.Count() > maxParts {
			t.Fatalf("FitSMS gave %d parts, max %d", s.Count(), maxParts)
		}
		checkParts(t, got, s)
	})
}

func FuzzHTMLToText(f *testing.F) {
	for _, s := range []string{"<p>a</p>", "<script>x", "<!--", "a<br>b", "&amp;&#0;&#xD800;", "<li>x<li>y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := HTMLToText(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from valid input")
		}
		if strings.ContainsAny(out, "\x00\x01") {
			t.Fatalf("markers leaked: %q", out)
		}
	})
}
