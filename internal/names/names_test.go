package names

import "testing"

func TestNames(t *testing.T) {
	for _, c := range []struct{ code, lang, want string }{
		{"ID", "en", "Indonesia"}, {"JP", "id", "Jepang"}, {"SG", "en", "Singapore"}, {"", "en", ""}, {"ZZZ", "en", "ZZZ"},
	} {
		if got := Country(c.code, c.lang); got != c.want {
			t.Errorf("Country(%q, %q) = %q, want %q", c.code, c.lang, got, c.want)
		}
	}
	for code, want := range map[string]bool{"ID": true, "id": false, "EU": false, "XX": false, "I": false} {
		if ValidCountry(code) != want {
			t.Errorf("ValidCountry(%q) != %v", code, want)
		}
	}
	if got := Language("id", "en"); got != "Indonesian" {
		t.Errorf("Language(id, en) = %q", got)
	}
	if got := Language("en", "id"); got != "Inggris" {
		t.Errorf("Language(en, id) = %q", got)
	}
	if got := Language("q!", "en"); got != "q!" {
		t.Errorf("Language(q!) = %q", got)
	}
}
