package humanitarian

import (
	"strings"
	"testing"
	"unicode/utf8"

	"entente.example/entente/modules/humanitarian/inbound"
)

// FuzzSMSReply: whatever a person texts and whatever coordinators named
// their shelters and hotlines, the reply is valid text of at most three
// SMS, and never empty unless the sender was throttled.
func FuzzSMSReply(f *testing.F) {
	f.Add("INFO POSKO Palu Barat", "Masjid Agung", "BNPB", "117")
	f.Add("info shelter", "Posko 😀 “Talise”", "PMI", "+62 451 421 000")
	f.Add("LAPOR", strings.Repeat("Posko panjang ", 40), "x", "1")
	f.Add("INFO", "", "", "")
	g := DefaultGazetteer()
	t := func(key string, args ...any) string { return key + fmtArgs(args) }
	f.Fuzz(func(tt *testing.T, text, shelter, hotline, number string) {
		// Names and numbers are stored only once checked as valid text, and
		// the gateway library makes the SMS valid text: the fuzzer's bytes
		// are made valid text the same way.
		valid := func(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
		text, shelter, hotline, number = valid(text), valid(shelter), valid(hotline), valid(number)
		e := quake()
		e.Validate(g)
		lat, lon := e.Centre()
		in := Info{Emergency: e, Shelters: []Shelter{{Name: shelter, Status: ShelterOpen, Lat: &lat, Lon: &lon, PCode: "ID7271010"}},
			Hotlines: []Hotline{{Name: hotline, Number: number}}, Report: HowToReport{SMS: []string{number}}}
		cmd := inbound.ParseCommand(text)
		o := SMSOutcome{Command: cmd, Info: in, Shelters: Nearest(in.Shelters, lat, lon, 3), Near: cmd.Arg}
		if cmd.Kind == inbound.CommandReport || cmd.Kind == inbound.CommandNone {
			o.Invalid = true
		}
		reply := SMSReply(o, g, t)
		if reply == "" || !utf8.ValidString(reply) {
			tt.Fatalf("reply %q", reply)
		}
		if n := inbound.SplitSMS(reply).Count(); n > 3 {
			tt.Fatalf("reply of %d SMS: %q", n, reply)
		}
	})
}

func fmtArgs(args []any) string {
	var b strings.Builder
	for _, a := range args {
		b.WriteString(" ")
		switch v := a.(type) {
		case string:
			b.WriteString(v)
		default:
			b.WriteString("?")
		}
	}
	return b.String()
}
