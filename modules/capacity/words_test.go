package capacity

import "testing"

func TestMoneyGroupsDigitsAsTheReaderDoes(t *testing.T) {
	for lang, want := range map[string]string{"en": "AUD 1,500,000", "id": "AUD 1.500.000"} {
		if got := (Words{lang: lang}).Money(1500000, "AUD"); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}
