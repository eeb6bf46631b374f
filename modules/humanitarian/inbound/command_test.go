package inbound

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseCommand(t *testing.T) {
	cases := []struct {
		in   string
		want Command
	}{
		{"INFO", Command{Kind: CommandInfo}},
		{"  info  ", Command{Kind: CommandInfo}},
		{"Info gempa", Command{Kind: CommandInfo, Arg: "gempa"}},
		{"INFO SHELTER Palu", Command{Kind: CommandInfoShelter, Arg: "Palu", Lang: "en"}},
		{"info   shelters   Palu   Barat ", Command{Kind: CommandInfoShelter, Arg: "Palu Barat", Lang: "en"}},
		{"INFO SHELTER", Command{Kind: CommandInfoShelter, Lang: "en"}},
		{"INFO POSKO Sigi", Command{Kind: CommandInfoShelter, Arg: "Sigi", Lang: "id"}},
		{"info pengungsian\nDonggala", Command{Kind: CommandInfoShelter, Arg: "Donggala", Lang: "id"}},
		{"INFO: POSKO Balaroa", Command{Kind: CommandInfoShelter, Arg: "Balaroa", Lang: "id"}},
		{"INFO:POSKO Balaroa", Command{Kind: CommandInfoShelter, Arg: "Balaroa", Lang: "id"}},
		{"REPORT bridge down at Bora", Command{Kind: CommandReport, Arg: "bridge down at Bora", Lang: "en"}},
		{"lapor   jembatan putus\n2 orang luka", Command{Kind: CommandReport, Arg: "jembatan putus\n2 orang luka", Lang: "id"}},
		{"LAPOR:banjir di Palu", Command{Kind: CommandReport, Arg: "banjir di Palu", Lang: "id"}},
		{"Lapor", Command{Kind: CommandReport, Lang: "id"}},
		{"lapor\u00a0air naik", Command{Kind: CommandReport, Arg: "air naik", Lang: "id"}},
		{"REPORTED earlier", Command{Kind: CommandNone, Arg: "REPORTED earlier"}},
		{"informasi posko", Command{Kind: CommandNone, Arg: "informasi posko"}},
		{"Tolong, rumah roboh", Command{Kind: CommandNone, Arg: "Tolong, rumah roboh"}},
		{"", Command{}},
		{" \n ", Command{}},
	}
	for _, c := range cases {
		if got := ParseCommand(c.in); got != c.want {
			t.Errorf("ParseCommand(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestSplitSMS(t *testing.T) {
	cases := []struct {
		name     string
		text     string
		encoding string
		units    int
		parts    int
	}{
		{"empty", "", EncodingGSM7, 0, 1},
		{"160 GSM", strings.Repeat("a", 160), EncodingGSM7, 160, 1},
		{"161 GSM", strings.Repeat("a", 161), EncodingGSM7, 161, 2},
		{"306 GSM", strings.Repeat("a", 306), EncodingGSM7, 306, 2},
		{"307 GSM", strings.Repeat("a", 307), EncodingGSM7, 307, 3},
		{"GSM accents", "Café à Palu: è é ù ì ò Ä Ö Ñ Ü ß", EncodingGSM7, 32, 1},
		{"extension costs 2", strings.Repeat("€", 80), EncodingGSM7, 160, 1},
		{"extension over", strings.Repeat("€", 81), EncodingGSM7, 162, 2},
		// 152 a's then '{': the escape pair may not straddle parts.
		{"escape not split", strings.Repeat("a", 152) + "{" + strings.Repeat("b", 10), EncodingGSM7, 164, 2},
		{"70 UCS-2", strings.Repeat("ā", 70), EncodingUCS2, 70, 1},
		{"71 UCS-2", strings.Repeat("ā", 71), EncodingUCS2, 71, 2},
		{"134 UCS-2", strings.Repeat("ā", 134), EncodingUCS2, 134, 2},
		{"135 UCS-2", strings.Repeat("ā", 135), EncodingUCS2, 135, 3},
		{"one emoji forces UCS-2", strings.Repeat("a", 69) + "🙏", EncodingUCS2, 71, 2},
		{"curly quote forces UCS-2", "Posko “Balaroa”", EncodingUCS2, 15, 1},
		{"surrogates not split", strings.Repeat("a", 66) + "🙏" + strings.Repeat("b", 10), EncodingUCS2, 78, 2},
	}
	for _, c := range cases {
		s := SplitSMS(c.text)
		if s.Encoding != c.encoding || s.Units != c.units || s.Count() != c.parts {
			t.Errorf("%s: got %s %d units %d parts, want %s %d %d", c.name, s.Encoding, s.Units, s.Count(), c.encoding, c.units, c.parts)
		}
		checkParts(t, c.text, s)
	}
	s := SplitSMS(strings.Repeat("a", 152) + "{" + strings.Repeat("b", 10))
	if s.Parts[0] != strings.Repeat("a", 152) || s.Parts[1] != "{bbbbbbbbbb" {
		t.Errorf("escape split: %q", s.Parts)
	}
	s = SplitSMS(strings.Repeat("a", 66) + "🙏" + strings.Repeat("b", 10))
	if s.Parts[0] != strings.Repeat("a", 66) || s.Parts[1] != "🙏bbbbbbbbbb" {
		t.Errorf("surrogate split: %q", s.Parts)
	}
}

// checkParts asserts what any split must keep: the parts rebuild the text
// and each fits its part's capacity.
func checkParts(t *testing.T, text string, s Segments) {
	t.Helper()
	if strings.Join(s.Parts, "") != text {
		t.Errorf("parts do not rebuild the text: %q", s.Parts)
	}
	gsm := s.Encoding == EncodingGSM7
	limit := ucs2Multi
	if gsm {
		limit = gsmMulti
	}
	if s.Count() == 1 {
		limit = ucs2Single
		if gsm {
			limit = gsmSingle
		}
	}
	for _, p := range s.Parts {
		n := 0
		for _, r := range p {
			n += unitCost(r, gsm)
		}
		if n > limit {
			t.Errorf("part of %d units over %d: %q", n, limit, p)
		}
	}
}

func TestFitSMS(t *testing.T) {
	long := strings.Repeat("Posko Balaroa: air, tenda, selimut. ", 20)
	cases := []struct {
		name     string
		text     string
		maxParts int
		parts    int
		cut      bool
	}{
		{"fits", "INFO POSKO: Balaroa, Jl. Padanjakaya", 1, 1, false},
		{"cut to one GSM", long, 1, 1, true},
		{"cut to two GSM", long, 2, 2, true},
		{"cut to three UCS-2", "🙏 " + long, 3, 3, true},
		{"zero means one", long, 0, 1, true},
		{"no spaces", strings.Repeat("x", 400), 1, 1, true},
	}
	for _, c := range cases {
		got, s := FitSMS(c.text, c.maxParts)
		if s.Count() != c.parts {
			t.Errorf("%s: %d parts, want %d", c.name, s.Count(), c.parts)
		}
		if c.cut != (got != c.text) {
			t.Errorf("%s: cut %v, want %v", c.name, got != c.text, c.cut)
		}
		if c.cut {
			if !strings.HasSuffix(got, "...") || !strings.HasPrefix(c.text, strings.TrimSuffix(got, "...")) {
				t.Errorf("%s: %q is not a prefix of the text with an ellipsis", c.name, got)
			}
			// The cut should use most of the room, not throw half away.
			room := c.parts * ucs2Multi
			if s.Encoding == EncodingGSM7 {
				room = c.parts * gsmMulti
			}
			if c.parts == 1 {
				room = 70
				if s.Encoding == EncodingGSM7 {
					room = 160
				}
			}
			if s.Units < room*8/10 {
				t.Errorf("%s: only %d units kept", c.name, SplitSMS(got).Units)
			}
		}
		if !utf8.ValidString(got) {
			t.Errorf("%s: invalid UTF-8", c.name)
		}
		checkParts(t, got, s)
	}
	got, _ := FitSMS(long, 1)
	if strings.HasSuffix(strings.TrimSuffix(got, "..."), " ") || strings.Contains(got, "selim...") {
		t.Errorf("cut mid-word or before a space: %q", got)
	}
}
