package negotiation

import (
	"strings"
	"testing"
)

func render(ops []Op) string {
	var b strings.Builder
	for _, o := range ops {
		switch o.Kind {
		case '-':
			b.WriteString("{-" + o.Text + "-}")
		case '+':
			b.WriteString("{+" + o.Text + "+}")
		default:
			b.WriteString(o.Text)
		}
	}
	return b.String()
}

func TestDiff(t *testing.T) {
	cases := []struct{ name, a, b, want string }{
		{"same", "States should cooperate.", "States should cooperate.", "States should cooperate."},
		{"insert a word", "States should cooperate.", "States should closely cooperate.", "States should {+closely +}cooperate."},
		{"delete a phrase", "States should, inter alia, cooperate.", "States should cooperate.", "States should{-, inter alia,-} cooperate."},
		{"comma to semicolon", "security, stability", "security; stability", "security{-,-}{+;+} stability"},
		{"replace a phrase reads as one", "in a timely manner", "without undue delay", "{-in a timely manner-}{+without undue delay+}"},
		{"repeated words", "the the norms", "the norms", "the {-the -}norms"},
		{"repeated words kept apart", "a b a b a", "a b a", "a b a{- b a-}"},
		{"indonesian reduplication stays one word", "negara-negara anggota ASEAN", "negara anggota ASEAN", "{-negara-negara-}{+negara+} anggota ASEAN"},
		{"indonesian affix", "kerja sama internasional", "kerja sama regional", "kerja sama {-internasional-}{+regional+}"},
		{"apostrophe in word", "States' obligations", "State's obligations", "{-States'-}{+State's+} obligations"},
		{"numbers with separators", "decision 74/544 of 2020", "decision 74/545 of 2020", "decision {-74/544-}{+74/545+} of 2020"},
		{"brackets are tokens", "[should] respect", "should respect", "{-[-}should{-]-} respect"},
		{"from empty", "", "New text.", "{+New text.+}"},
		{"to empty", "Old text.", "", "{-Old text.-}"},
		{"case matters", "States", "states", "{-States-}{+states+}"},
		{"accented letters", "café policy", "cafe policy", "{-café-}{+cafe+} policy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ops := Diff(c.a, c.b)
			if got := render(ops); got != c.want {
				t.Errorf("Diff(%q, %q)\n got %s\nwant %s", c.a, c.b, got, c.want)
			}
			checkRebuild(t, c.a, c.b, ops)
		})
	}
}

// checkRebuild asserts the diff's two sides give back both wordings.
func checkRebuild(t *testing.T, a, b string, ops []Op) {
	t.Helper()
	var ra, rb strings.Builder
	for _, o := range ops {
		if o.Kind != '+' {
			ra.WriteString(o.Text)
		}
		if o.Kind != '-' {
			rb.WriteString(o.Text)
		}
	}
	if ra.String() != a || rb.String() != b {
		t.Fatalf("diff does not rebuild: %q / %q from %q / %q", ra.String(), rb.String(), a, b)
	}
}

func TestTokensRebuild(t *testing.T) {
	for _, s := range []string{"", "a", " — «quoted», ‘x’ 1,000.50 km²", "Negara-negara — ASEAN’s", "x-", "-x", "1."} {
		if got := strings.Join(tokens(s), ""); got != s {
			t.Errorf("tokens(%q) rejoined to %q", s, got)
		}
	}
}

func TestSummarise(t *testing.T) {
	c := Summarise(Diff("States should, inter alia, cooperate in a timely manner.", "States should cooperate without undue delay and share."))
	if c.Replaced != 1 || c.Deleted != 1 || c.Inserted != 0 {
		t.Errorf("summary %+v", c)
	}
}

func TestDiffHTMLEscapes(t *testing.T) {
	got := string(DiffHTML(Diff("a <b>", "a <i>"), "deleted", "inserted"))
	if strings.Contains(got, "<b>") || strings.Contains(got, "<i>") || !strings.Contains(got, "<del>") || !strings.Contains(got, "&lt;") {
		t.Errorf("DiffHTML = %s", got)
	}
}

func FuzzDiff(f *testing.F) {
	f.Add("States should, inter alia, cooperate.", "States should cooperate; inter-alia.")
	f.Add("negara-negara", "negara")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 2000 || len(b) > 2000 {
			return
		}
		checkRebuild(t, a, b, Diff(a, b))
	})
}

func TestBrackets(t *testing.T) {
	for s, want := range map[string]string{
		"no brackets":            "",
		"[a] and [b [c]]":        "",
		"[a":                     "err.brackets_unclosed",
		"a]":                     "err.brackets_unopened",
		"][":                     "err.brackets_unopened",
		"[[[[too deep]]]]":       "err.brackets_deep",
		"[[[deep enough]]] here": "",
	} {
		if got := Brackets(s); got != want {
			t.Errorf("Brackets(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestStatus(t *testing.T) {
	cases := []struct {
		p    Paragraph
		want string
	}{
		{Paragraph{Options: []string{"Plain words."}}, StatusOpen},
		{Paragraph{Options: []string{"Plain words."}, Agreed: StatusAgreed}, StatusAgreed},
		{Paragraph{Options: []string{"Plain words."}, Agreed: StatusAdRef}, StatusAdRef},
		{Paragraph{Options: []string{"[Contested] words."}, Agreed: StatusAgreed}, StatusBracketed},
		{Paragraph{Options: []string{"One.", "Two."}, Agreed: StatusAgreed}, StatusOptions},
	}
	for _, c := range cases {
		if got := c.p.Status(); got != c.want {
			t.Errorf("%+v: status %s, want %s", c.p, got, c.want)
		}
	}
}

func TestMarked(t *testing.T) {
	for s, want := range map[string]string{
		"a [b] c":   `a <mark class="br">[b]</mark> c`,
		"[a [b]]":   `<mark class="br">[a <mark class="br">[b]</mark>]</mark>`,
		"[<x>":      `<mark class="br">[&lt;x&gt;</mark>`,
		"stray ] x": `stray ] x`,
	} {
		if got := string(Marked(s)); got != want {
			t.Errorf("Marked(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzMarked(f *testing.F) {
	f.Add("[a [b]] c]")
	f.Fuzz(func(t *testing.T, s string) {
		got := string(Marked(s))
		if strings.Count(got, "<mark") != strings.Count(got, "</mark>") {
			t.Fatalf("unbalanced marks in %q", got)
		}
		_ = Brackets(s)
	})
}
