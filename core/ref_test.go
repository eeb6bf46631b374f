package core

import "testing"

func TestRef(t *testing.T) {
	for _, s := range []string{"intel:indicator:indicator--6b8a1c3e-1d3b-4e2f-9c1a-2a8e1b9f0d11", "cybercrime:request:01M98EZ@node.example:8443", "norms:norm:f"} {
		r, err := ParseRef(s)
		if err != nil || r.String() != s {
			t.Errorf("%q: %v %q", s, err, r.String())
		}
	}
	for _, s := range []string{"", "a:b", "a:b:c:d", "a::c", "a:b:c d", "a:b:c@", "a:b:c@x/y", "a:b:\x00", "a:b:é"} {
		if _, err := ParseRef(s); err == nil {
			t.Errorf("%q parsed", s)
		}
	}
}

func FuzzParseRef(f *testing.F) {
	f.Add("intel:indicator:x@h:1")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil {
			return
		}
		back, err := ParseRef(r.String())
		if err != nil || back != r {
			t.Fatalf("%q → %+v → %q", s, r, r.String())
		}
	})
}
