package norms

import "testing"

// The framework is data people edit: it must keep the four pillars, the
// eleven UN norms (a)–(k) in order, and texts in both languages.
func TestFramework(t *testing.T) {
	f := Load()
	if len(f.Pillars) != 4 {
		t.Fatalf("%d pillars", len(f.Pillars))
	}
	var un []string
	seen := map[string]bool{}
	for _, n := range f.Norms {
		if seen[n.Code] {
			t.Errorf("norm %s twice", n.Code)
		}
		seen[n.Code] = true
		if n.Set == "un" {
			un = append(un, n.Code)
		}
		if n.TitleEN == "" || n.TitleID == "" || n.DescriptionEN == "" || n.DescriptionID == "" {
			t.Errorf("norm %s lacks a text", n.Code)
		}
	}
	if got := len(un); got != 11 || un[0] != "a" || un[10] != "k" {
		t.Fatalf("UN norms: %v", un)
	}
	for _, p := range f.Pillars {
		if p.NameID == "" || p.DescriptionID == "" {
			t.Errorf("pillar %s lacks Indonesian", p.Code)
		}
	}
	if got := len(f.Sections()); got != 3+len(f.Norms) {
		t.Fatalf("%d sections", got)
	}
}
