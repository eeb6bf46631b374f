package inbound

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2018, 9, 28, 12, 0, 0, 0, time.UTC)

const testSecret = "s3cret-palu"

func formRequest(t *testing.T, target string, v url.Values) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func smssyncForm() url.Values {
	return url.Values{
		"secret":         {testSecret},
		"from":           {"+62 812-3456-7890"},
		"message":        {"LAPOR jembatan putus di Sigi"},
		"sent_to":        {"+6281199990000"},
		"sent_timestamp": {"1538128800000"}, // 2018-09-28T10:00:00Z
		"message_id":     {"a1b2c3"},
		"device_id":      {"1"},
	}
}

func TestParseSMSSync(t *testing.T) {
	m, err := ParseSMS(formRequest(t, "/hooks/sms", smssyncForm()), testSecret, testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := Message{
		Channel: ChannelSMS, From: "+6281234567890", FromRaw: "+62 812-3456-7890",
		To: "+6281199990000", ToRaw: "+6281199990000", Text: "LAPOR jembatan putus di Sigi",
		At: time.Date(2018, 9, 28, 10, 0, 0, 0, time.UTC), Received: testNow,
		Gateway: GatewaySMSSync, ID: "a1b2c3",
	}
	if !equalMessage(m, want) {
		t.Fatalf("got %+v\nwant %+v", m, want)
	}
}

func TestParseFrontlineSMS(t *testing.T) {
	v := url.Values{"secret": {testSecret}, "from": {"081234567890"}, "message": {"INFO POSKO Palu"}}
	m, err := ParseSMSWith(formRequest(t, "/hooks/frontlinesms", v), SMSConfig{Secret: testSecret, DefaultCC: "62"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if m.Gateway != GatewayFrontlineSMS || m.From != "+6281234567890" || m.FromRaw != "081234567890" || !m.At.Equal(testNow) || m.To != "" {
		t.Fatalf("got %+v", m)
	}
	// Without a country code a national number stays as sent.
	m, err = ParseSMS(formRequest(t, "/hooks/frontlinesms", v), testSecret, testNow)
	if err != nil || m.From != "081234567890" {
		t.Fatalf("got %+v, %v", m, err)
	}
}

func TestParseSMSBodyVariants(t *testing.T) {
	// The secret in the query string (FrontlineSMS's configured URL), the
	// rest in a JSON body.
	r := httptest.NewRequest(http.MethodPost, "/hooks/sms?secret="+testSecret,
		strings.NewReader(`{"from":"+628111","message":"banjir","sent_timestamp":1538128800000}`))
	r.Header.Set("Content-Type", "application/json")
	m, err := ParseSMS(r, testSecret, testNow)
	if err != nil || m.Text != "banjir" || m.Gateway != GatewaySMSSync || m.At.Unix() != 1538128800 {
		t.Fatalf("json: %+v, %v", m, err)
	}
	// multipart/form-data, as some Android HTTP clients post.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"secret": testSecret, "from": "TELKOMSEL", "message": "Pulsa"} {
		_ = mw.WriteField(k, v)
	}
	_ = mw.Close()
	r = httptest.NewRequest(http.MethodPost, "/hooks/sms", &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	m, err = ParseSMS(r, testSecret, testNow)
	if err != nil || m.From != "TELKOMSEL" || m.Text != "Pulsa" {
		t.Fatalf("multipart: %+v, %v", m, err)
	}
	// The body wins over the query for the same field.
	r = formRequest(t, "/hooks/sms?message=query", url.Values{"secret": {testSecret}, "from": {"+628111"}, "message": {"body"}})
	if m, err = ParseSMS(r, testSecret, testNow); err != nil || m.Text != "body" {
		t.Fatalf("precedence: %+v, %v", m, err)
	}
}

func TestParseSMSErrors(t *testing.T) {
	without := func(k string) url.Values { v := smssyncForm(); v.Del(k); return v }
	with := func(k, val string) url.Values { v := smssyncForm(); v.Set(k, val); return v }
	raw := func(ct, body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/hooks/sms", strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		return r
	}
	cases := []struct {
		name   string
		req    *http.Request
		secret string
		code   string
		field  string
		status int
	}{
		{"bad secret", formRequest(t, "/", with("secret", "guess")), testSecret, "sms.bad_secret", "secret", 403},
		{"secret prefix", formRequest(t, "/", with("secret", testSecret[:5])), testSecret, "sms.bad_secret", "secret", 403},
		{"missing secret", formRequest(t, "/", without("secret")), testSecret, "sms.bad_secret", "secret", 403},
		{"no secret configured", formRequest(t, "/", with("secret", "")), "", "sms.secret_not_set", "secret", 403},
		{"missing from", formRequest(t, "/", without("from")), testSecret, "sms.missing_field", "from", 400},
		{"blank from", formRequest(t, "/", with("from", "  ")), testSecret, "sms.missing_field", "from", 400},
		{"sender of symbols", formRequest(t, "/", with("from", "<>!")), testSecret, "sms.bad_sender", "from", 400},
		{"missing message", formRequest(t, "/", without("message")), testSecret, "sms.missing_field", "message", 400},
		{"blank message", formRequest(t, "/", with("message", " \r\n ")), testSecret, "sms.missing_field", "message", 400},
		{"bad form", raw("application/x-www-form-urlencoded", "secret=%zz&from=1"), testSecret, "sms.malformed_body", "", 400},
		{"bad json", raw("application/json", `{"secret":`), testSecret, "sms.malformed_body", "", 400},
		{"json array value", raw("application/json", `{"secret":["a"]}`), testSecret, "sms.malformed_body", "secret", 400},
		{"multipart without boundary", raw("multipart/form-data", "x"), testSecret, "sms.malformed_body", "", 400},
		{"broken multipart", raw("multipart/form-data; boundary=zz", "--zz\r\nnot a header\r\n"), testSecret, "sms.malformed_body", "", 400},
		{"too large", raw("application/x-www-form-urlencoded", "message="+strings.Repeat("a", DefaultSMSMaxBytes)), testSecret, "sms.too_large", "", 413},
		{"GET", httptest.NewRequest(http.MethodGet, "/?task=send", nil), testSecret, "sms.method_not_allowed", "", 405},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSMS(c.req, c.secret, testNow)
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

func TestParseSMSTimestamps(t *testing.T) {
	cases := []struct{ in, want string }{
		{"1538128800000", "2018-09-28T10:00:00Z"}, // milliseconds, as SMSSync sends
		{"1538128800", "2018-09-28T10:00:00Z"},    // seconds, as some forks send
		{"", "2018-09-28T12:00:00Z"},              // missing: received time
		{"yesterday", "2018-09-28T12:00:00Z"},     // unreadable: received time
		{"-5", "2018-09-28T12:00:00Z"},
		{"86400000", "2018-09-28T12:00:00Z"},      // 1970: a phone with a reset clock
		{"1638128800000", "2018-09-28T12:00:00Z"}, // three years ahead of now
		{"1538200800000", "2018-09-29T06:00:00Z"}, // ahead by less than a day: zones and drift
	}
	for _, c := range cases {
		v := smssyncForm()
		v.Set("sent_timestamp", c.in)
		m, err := ParseSMS(formRequest(t, "/", v), testSecret, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.At.Format(time.RFC3339); got != c.want {
			t.Errorf("sent_timestamp %q: At %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseSMSCleansText(t *testing.T) {
	v := smssyncForm()
	v.Set("message", "  baris satu\r\nbaris\x00 dua\xff ")
	m, err := ParseSMS(formRequest(t, "/", v), testSecret, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "baris satu\nbaris dua\uFFFD" {
		t.Fatalf("text %q", m.Text)
	}
}

func TestWriteSMSReply(t *testing.T) {
	cases := []struct {
		err    error
		status int
		body   string
	}{
		{nil, 200, `{"payload":{"success":true,"error":null}}`},
		{&Error{Code: "sms.bad_secret", Status: 403}, 403, `{"payload":{"success":false,"error":"sms.bad_secret"}}`},
		{&Error{Code: "sms.missing_field", Field: "from", Status: 400}, 400, `{"payload":{"success":false,"error":"sms.missing_field"}}`},
		{errors.New("disk full"), 500, `{"payload":{"success":false,"error":"sms.internal"}}`},
	}
	for _, c := range cases {
		w := httptest.NewRecorder()
		WriteSMSReply(w, c.err)
		if w.Code != c.status || w.Body.String() != c.body {
			t.Errorf("%v: got %d %s", c.err, w.Code, w.Body.String())
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("content type %q", ct)
		}
		var v map[string]map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || v["payload"]["success"] != (c.err == nil) {
			t.Errorf("reply not the SMSSync shape: %s", w.Body.String())
		}
	}
}

func TestSecretEqual(t *testing.T) {
	if !SecretEqual("abc", "abc") || SecretEqual("abd", "abc") || SecretEqual("ab", "abc") || SecretEqual("", "") {
		t.Fatal("SecretEqual wrong")
	}
}

func TestNormalizePhone(t *testing.T) {
	cases := []struct {
		raw, cc, want string
		ok            bool
	}{
		{"+62 812-3456-7890", "", "+6281234567890", true},
		{"+62 (812) 3456.7890", "", "+6281234567890", true},
		{"006281234567890", "", "+6281234567890", true},
		{"081234567890", "62", "+6281234567890", true},
		{"6281234567890", "62", "+6281234567890", true},
		{"081234567890", "", "", false},
		{"6281234567890", "", "", false},
		{"+61 2 9999 0000", "62", "+61299990000", true},
		{"TELKOMSEL", "62", "", false},
		{"3636", "62", "", false},            // a short code
		{"+1234567", "", "", false},          // too short
		{"+1234567890123456", "", "", false}, // 16 digits: over E.164's 15
		{"+0812345678", "", "", false},       // no country code starts with 0
		{"+62+812345678", "", "", false},
		{"", "62", "", false},
		{"0812345678", "x62", "", false}, // a bad default is ignored
		{"0812345678", "+62", "+62812345678", true},
	}
	for _, c := range cases {
		got, ok := NormalizePhone(c.raw, c.cc)
		if got != c.want || ok != c.ok {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q, %v", c.raw, c.cc, got, ok, c.want, c.ok)
		}
	}
}

func equalMessage(a, b Message) bool {
	return a.Channel == b.Channel && a.From == b.From && a.FromRaw == b.FromRaw && a.FromName == b.FromName &&
		a.To == b.To && a.ToRaw == b.ToRaw && a.Subject == b.Subject && a.Text == b.Text &&
		a.At.Equal(b.At) && a.Received.Equal(b.Received) && a.Gateway == b.Gateway && a.ID == b.ID &&
		len(a.Photos) == len(b.Photos) && len(a.Skipped) == len(b.Skipped)
}
