package inbound

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseSMS measures SMSSync webhook bodies parsed per second, the
// figure issue 19 asks for (the store's insert is measured by the module).
func BenchmarkParseSMS(b *testing.B) {
	body := []byte(smssyncForm().Encode())
	u, _ := url.Parse("/hooks/sms")
	r := &http.Request{Method: http.MethodPost, URL: u, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}
	rd := bytes.NewReader(body)
	cfg := SMSConfig{Secret: testSecret, DefaultCC: "62"}
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(body)
		r.Body = io.NopCloser(rd)
		if _, err := ParseSMSWith(r, cfg, testNow); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkParseEmail measures the multipart fixture with three photos.
func BenchmarkParseEmail(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "multipart_photo.eml"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEmail(bytes.NewReader(raw), EmailConfig{}, testNow); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
