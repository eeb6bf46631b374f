package inbound

import "testing"

func TestToGSM7(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"PMI Kota Palu +62 451 421 000 (07.00–22.00 WITA)", "PMI Kota Palu +62 451 421 000 (07.00-22.00 WITA)"},
		{"Gempa — tsunami", "Gempa - tsunami"},
		{"Jum’at ‘pagi’", "Jum'at 'pagi'"},
		{"“Posko” buka…", "\"Posko\" buka..."},
		{"BNPB\u00a0117 24\u202fjam", "BNPB 117 24 jam"},
		{"São Tomé, Ça va, Ōtsu, Łódź", "Sao Tomé, Ça va, Otsu, Łodz"},
		{"Düsseldorf, Señor, è", "Düsseldorf, Señor, è"},
		{"Banjir 🌊", "Banjir 🌊"},
		{"plain text 123", "plain text 123"},
	} {
		if got := ToGSM7(c.in); got != c.want {
			t.Errorf("ToGSM7(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Every replacement that can be made leaves a GSM-7 text.
	if s := ToGSM7("07.00–22.00 “Posko” Jum’at… Sigi\u00a0Biromaru ó ê ç"); !IsGSM7(s) {
		t.Errorf("still not GSM-7: %q", s)
	}
}
