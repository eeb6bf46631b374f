package directory

import (
	"encoding/json"
	"testing"

	"entente.example/entente/core"
)

// The shipped definitions are data anyone may edit: each must pass the
// validation a secretariat's own input gets.
func TestDefinitionsAreValid(t *testing.T) {
	ds := Definitions()
	if len(ds) != 5 {
		t.Fatalf("%d definitions, want the UN, OSCE, OAS, ASEAN and Budapest 24/7 networks", len(ds))
	}
	for _, d := range ds {
		d.Secretariat = "x"
		d.Normalize()
		if p := d.Validate(); len(p) > 0 {
			t.Errorf("%s: %v", d.Slug, p)
		}
		if d.NameID == "" || d.Template.PingID == "" {
			t.Errorf("%s lacks its Indonesian texts", d.Slug)
		}
	}
}

func TestCategoriesRoundTrip(t *testing.T) {
	cs := Definitions()[4].Categories
	got := ParseCategories(FormatCategories(cs))
	in := NetworkInput{Categories: got}
	in.Normalize()
	if len(in.Categories) != len(cs) || in.Categories[0] != cs[0] || in.Categories[1] != cs[1] {
		t.Fatalf("round trip: %+v, want %+v", in.Categories, cs)
	}
}

// TestRequestStates is the request state machine, side by side.
func TestRequestStates(t *testing.T) {
	for _, c := range []struct{ side, state, action, want string }{
		{"in", RequestDelivered, ActAcknowledge, RequestAcknowledged},
		{"in", RequestDelivered, ActAnswer, RequestAnswered},
		{"in", RequestAcknowledged, ActProgress, RequestInProgress},
		{"in", RequestInProgress, ActAcknowledge, ""}, // no going back
		{"in", RequestAnswered, ActAnswer, ""},        // answered once
		{"in", RequestDelivered, ActClose, ""},        // the sender closes
		{"out", RequestSent, ActAcknowledge, ""},      // the recipient acknowledges
		{"out", RequestAnswered, ActClose, RequestClosed},
		{"out", RequestSent, ActClose, RequestClosed}, // withdrawn
		{"out", RequestInProgress, ActNote, RequestInProgress},
		{"in", RequestClosed, ActNote, ""},
		{"in", RequestDelivered, "nonsense", ""},
	} {
		if got := next(c.side, c.state, c.action); got != c.want {
			t.Errorf("%s %s %s: %q, want %q", c.side, c.state, c.action, got, c.want)
		}
	}
}

func TestTally(t *testing.T) {
	ts := []Target{{Member: "a", State: TargetAcknowledged}, {Member: "a", State: TargetOverdue}, {Member: "b", State: TargetUnreachable}, {Member: "b", State: TargetPending}}
	got := tally(ts, func(t Target) string { return t.Member })
	if len(got) != 2 || got[0].Rate() != 50 || got[1].Unreachable != 1 || got[1].Pending != 1 || got[1].Rate() != 0 {
		t.Fatalf("tally: %+v", got)
	}
}

func TestCSVSafe(t *testing.T) {
	got := csvSafe("=HYPERLINK(1)", "+62 21", "plain", "@x", "")
	if got[0] != "'=HYPERLINK(1)" || got[1] != "'+62 21" || got[2] != "plain" || got[3] != "'@x" || got[4] != "" {
		t.Fatalf("%q", got)
	}
}

// FuzzDecodeSnapshot feeds a peer's network documents to the decoder: it
// must never panic, and what it accepts must be a definition this node would
// accept from its own secretariat.
func FuzzDecodeSnapshot(f *testing.F) {
	var s snapshot
	s.Network.ID, s.Network.Slug, s.Network.NameEN, s.Network.Version, s.Network.AckHours = "01ABC", "un-poc", "UN", 1, 24
	s.Network.Categories = []Category{{Code: "technical", NameEN: "Technical"}}
	s.Network.MemberKind, s.Network.Visibility = "states", "members"
	s.Network.Template = Template{Types: []string{"information"}}
	s.Members = []NetworkMember{{Addr: "kemlu@node.test"}}
	s.Entries = []Entry{{ID: "e1", Member: "kemlu@node.test", Category: "technical", Contact: Contact{Name: "Bima", Email: "bima@kemlu.test"}}}
	good, _ := json.Marshal(s)
	f.Add(good)
	f.Add([]byte(`{"network":{"id":"x"},"entries":[{"member":"nobody@x"}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		snap, err := decodeSnapshot(b)
		if err != nil {
			if core.KindOf(err) != core.KindInvalid {
				t.Fatalf("kind %q", core.KindOf(err))
			}
			return
		}
		sn := snap.Network
		in := sn.NetworkInput
		in.Secretariat = "x"
		if p := in.Validate(); len(p) > 0 {
			t.Fatalf("accepted an invalid definition: %v", p)
		}
		for _, e := range snap.Entries {
			if len(e.Contact.Validate()) > 0 {
				t.Fatalf("accepted an invalid contact: %+v", e.Contact)
			}
		}
	})
}

// FuzzParseCategories: the settings form's plain-text editor never panics
// and never invents a category from an empty line.
func FuzzParseCategories(f *testing.F) {
	f.Add("diplomatic | Diplomatic | Diplomatik\ntechnical | Technical | Teknis\n")
	f.Add("|||\n\n  \n")
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range ParseCategories(s) {
			if c.Code == "" && c.NameEN == "" && c.NameID == "" && len(s) == 0 {
				t.Fatal("a category from nothing")
			}
		}
	})
}
