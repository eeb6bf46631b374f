package inbound

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

// A node that keeps only a hash of each gateway's secret decides with
// Check; Secret is then not needed, and Check's answer is final.
func TestSecretCheck(t *testing.T) {
	var seen []string
	check := func(s string) bool { seen = append(seen, s); return s == testSecret }
	m, err := ParseSMSWith(formRequest(t, "/", smssyncForm()), SMSConfig{Check: check}, testNow)
	if err != nil || m.Text == "" {
		t.Fatalf("good secret: %+v, %v", m, err)
	}
	bad := smssyncForm()
	bad.Set("secret", "guess")
	_, err = ParseSMSWith(formRequest(t, "/", bad), SMSConfig{Check: check, Secret: "guess"}, testNow)
	var e *Error
	if !errors.As(err, &e) || e.Code != "sms.bad_secret" || e.Status != 403 {
		t.Fatalf("bad secret with Check: %v", err)
	}
	if len(seen) != 2 || seen[1] != "guess" {
		t.Fatalf("Check saw %q", seen)
	}

	raw := "From: a@example.org\r\nSubject: banjir\r\n\r\nair naik\r\n"
	r := httptest.NewRequest("POST", "/hooks/mail?secret="+testSecret, strings.NewReader(raw))
	r.Header.Set("Content-Type", "message/rfc822")
	if _, err := ParseEmailRequest(r, "", EmailConfig{Check: check}, testNow); err != nil {
		t.Fatalf("mail, good secret: %v", err)
	}
	r = httptest.NewRequest("POST", "/hooks/mail?secret=guess", strings.NewReader(raw))
	r.Header.Set("Content-Type", "message/rfc822")
	if _, err := ParseEmailRequest(r, "guess", EmailConfig{Check: check}, testNow); !errors.As(err, &e) || e.Code != "email.bad_secret" {
		t.Fatalf("mail, bad secret with Check: %v", err)
	}
}
