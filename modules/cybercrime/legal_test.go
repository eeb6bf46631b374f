package cybercrime

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// diff says how two lists differ, or "" (go-cmp is not a dependency here).
func diff(want, got []string) string {
	if slices.Equal(want, got) {
		return ""
	}
	return fmt.Sprintf("want %q\n got %q", want, got)
}

func onDay(s string) time.Time {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustShipped(t *testing.T) []Instrument {
	t.Helper()
	ins, err := Shipped()
	if err != nil {
		t.Fatalf("instruments.json: %v", err)
	}
	return ins
}

// withProtocolInForce is the shipped data on a day the Second Additional
// Protocol has entered into force for Australia, Japan and Serbia, as the
// node administrator would record it: the reservation tests need a
// protocol in force, which the shipped data (rightly) does not say it is.
func withProtocolInForce(t *testing.T) []Instrument {
	ins := mustShipped(t)
	for i := range ins {
		if ins[i].ID != "cets224" {
			continue
		}
		ins[i].Status = Status{InForce: true, Since: Date{onDay("2026-06-01")}}
		for j := range ins[i].Parties {
			ins[i].Parties[j].Bound = Date{onDay("2026-06-01")}
		}
		ins[i].Parties = append(ins[i].Parties, Party{Country: "AU", Bound: Date{onDay("2026-09-01")}})
	}
	return ins
}

func TestInstrumentBases(t *testing.T) {
	shipped := mustShipped(t)
	protocol := withProtocolInForce(t)
	const on = "2026-12-07"
	cases := []struct {
		name       string
		ins        []Instrument
		from, to   string
		kind       Kind
		on         string
		instrument string
		allowed    bool
		reason     string // key, when refused
		country    string // the state the reason is about
		date       string // the reason's day, when it has one
		warning    string // the first warning's key, when allowed
		article    string
	}{
		{"preservation between Budapest parties", shipped, "AU", "JP", KindPreservation, on, "budapest", true, "", "", "", "", "art. 29"},
		{"ASEAN treaty carries stored data from Indonesia to Singapore", shipped, "ID", "SG", KindStoredData, on, "asean_mlat", true, "", "", "", "", "arts. 11, 18"},
		{"Indonesia is not a Budapest party", shipped, "ID", "SG", KindStoredData, on, "budapest", false, ReasonRequestingNoParty, "ID", "", "", ""},
		{"Singapore is not a Budapest party", shipped, "AU", "SG", KindPreservation, on, "budapest", false, ReasonRequestedNoParty, "SG", "", "", ""},
		{"the UN convention is not in force", shipped, "ID", "VN", KindPreservation, on, "un2024", false, ReasonNotInForce, "", "", "", ""},
		{"the protocol is not in force", shipped, "JP", "RS", KindSubscriber, on, "cets224", false, ReasonNotInForce, "", "", "", ""},
		{"the ASEAN treaty has no preservation article", shipped, "ID", "SG", KindPreservation, on, "asean_mlat", false, ReasonKindNotAllowed, "", "", "", ""},
		{"the Philippines not yet bound in June 2018", shipped, "PH", "JP", KindPreservation, "2018-06-15", "budapest", false, ReasonBoundLater, "PH", "2018-07-01", "", ""},
		{"the Philippines bound in July 2018", shipped, "PH", "JP", KindPreservation, "2018-07-01", "budapest", true, "", "", "", "", "art. 29"},
		{"Austria's art. 29(4) restricts preservation", shipped, "DE", "AT", KindPreservation, on, "budapest", true, "", "", "", ReasonRestriction, "art. 29"},
		{"Austria's restriction is Austria's to apply, not Germany's", shipped, "AT", "DE", KindPreservation, on, "budapest", true, "", "", "", "", "art. 29"},
		{"the Czech reservation while it stood", shipped, "DE", "CZ", KindPreservation, "2015-01-01", "budapest", true, "", "", "", ReasonRestriction, "art. 29"},
		{"the Czech reservation after its withdrawal", shipped, "DE", "CZ", KindPreservation, "2020-01-01", "budapest", true, "", "", "", "", "art. 29"},
		{"reciprocity when no treaty binds both", shipped, "ID", "BR", KindStoredData, on, "reciprocity", true, "", "", "", "", "letters rogatory"},
		{"no treaty gives no direct request to a provider", shipped, "ID", "BR", KindSubscriber, on, "reciprocity", false, ReasonKindNotAllowed, "", "", "", ""},
		{"a state that has ratified a protocol not in force is not bound", func() []Instrument {
			ins := withProtocolInForce(t)
			for i := range ins {
				if ins[i].ID == "cets224" {
					ins[i].Parties[0].Bound = Date{} // Hungary: ratified, not yet bound
				}
			}
			return ins
		}(), "HU", "RS", KindRegistrant, on, "cets224", false, ReasonNotBound, "HU", "", "", ""},
		{"Japan's art. 7(9)(a) reservation removes subscriber requests to Japan", protocol, "AU", "JP", KindSubscriber, on, "cets224", false, ReasonReservation, "JP", "2023-08-10", "", ""},
		{"and Japan's own subscriber requests", protocol, "JP", "RS", KindSubscriber, on, "cets224", false, ReasonReservation, "JP", "2023-08-10", "", ""},
		{"registrant requests to Japan stay allowed", protocol, "AU", "JP", KindRegistrant, on, "cets224", true, "", "", "", "", "art. 6"},
		{"Australia not yet bound by the protocol", protocol, "AU", "RS", KindRegistrant, "2026-07-01", "cets224", false, ReasonBoundLater, "AU", "2026-09-01", "", ""},
		{"one state is no cross-border request", shipped, "ID", "ID", KindStoredData, on, "reciprocity", false, ReasonSameState, "ID", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := Bases(c.ins, c.from, c.to, c.kind, onDay(c.on))
			if len(opts) != len(c.ins) {
				t.Fatalf("%d options for %d instruments", len(opts), len(c.ins))
			}
			o, ok := Allowed(opts, c.instrument)
			if ok != c.allowed {
				t.Fatalf("%s allowed = %v, want %v (reason %+v)", c.instrument, ok, c.allowed, o.Reason)
			}
			var o2 BasisOption
			for _, x := range opts {
				if x.Instrument.ID == c.instrument {
					o2 = x
				}
			}
			if c.allowed {
				if o2.Reason != nil || o2.Article != c.article {
					t.Errorf("allowed with reason %+v, article %q (want %q)", o2.Reason, o2.Article, c.article)
				}
				var w string
				if len(o2.Warnings) > 0 {
					w = o2.Warnings[0].Key
				}
				if w != c.warning {
					t.Errorf("warning %q, want %q", w, c.warning)
				}
				return
			}
			r := o2.Reason
			if r == nil {
				t.Fatal("refused without a reason")
			}
			got := []string{r.Key, r.Country, r.Date.String(), r.Instrument, string(r.Kind)}
			want := []string{c.reason, c.country, c.date, c.instrument, string(c.kind)}
			if d := diff(want, got); d != "" {
				t.Errorf("reason :\n%s", d)
			}
		})
	}
}

// TestBasesSaysWhatToUseInstead: the refusal names the bases that do carry
// the request, so the page can say "Indonesia is not a Party to the
// Budapest Convention: use the ASEAN MLA Treaty".
func TestBasesSaysWhatToUseInstead(t *testing.T) {
	ins := mustShipped(t)
	opts := Bases(ins, "ID", "SG", KindStoredData, onDay("2026-12-07"))
	var ids []string
	for _, o := range opts {
		if o.Allowed {
			ids = append(ids, o.Instrument.ID)
		}
	}
	if d := diff([]string{"asean_mlat", "reciprocity"}, ids); d != "" {
		t.Fatalf("allowed :\n%s", d)
	}
	if opts[0].Instrument.ID != "asean_mlat" || opts[1].Instrument.ID != "reciprocity" {
		t.Errorf("allowed options do not come first: %s, %s", opts[0].Instrument.ID, opts[1].Instrument.ID)
	}
	for _, o := range opts[2:] {
		if d := diff(ids, o.Reason.Alternatives); d != "" {
			t.Errorf("%s alternatives :\n%s", o.Instrument.ID, d)
		}
	}
	budapest := opts[slices.IndexFunc(opts, func(o BasisOption) bool { return o.Instrument.ID == "budapest" })]
	args := budapest.Reason.Args("en", ins, "stored data")
	if args[0] != "Indonesia" || args[1] != "Budapest Convention on Cybercrime" {
		t.Errorf("args = %v", args)
	}
	if got := budapest.Reason.AlternativeNames("id", ins); got[0] != "Perjanjian ASEAN tentang Bantuan Timbal Balik dalam Masalah Pidana" {
		t.Errorf("Indonesian alternatives = %v", got)
	}
	// The ASEAN dates are shipped unverified: the answer says it rests on them.
	asean := opts[0]
	if len(asean.Unverified) == 0 {
		t.Error("the ASEAN option does not say it rests on unverified dates")
	}
}

func TestForProviderTakesOnlyProviderKinds(t *testing.T) {
	ins := withProtocolInForce(t)
	if _, err := ForProvider(ins, "AU", "JP", KindStoredData, onDay("2026-12-07")); err == nil {
		t.Error("stored data accepted as a request to a provider")
	}
	opts, err := ForProvider(ins, "RS", "AU", KindSubscriber, onDay("2026-12-07"))
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := Allowed(opts, "cets224"); !ok || o.Article != "art. 7" {
		t.Errorf("subscriber request to a provider in Australia: %+v", o.Reason)
	}
	opts, _ = ForProvider(ins, "RS", "SG", KindSubscriber, onDay("2026-12-07"))
	if reasonOf(opts, "cets224") != ReasonProviderNoParty {
		t.Errorf("provider in a non-party: %q", reasonOf(opts, "cets224"))
	}
}

func reasonOf(opts []BasisOption, id string) string {
	for _, o := range opts {
		if o.Instrument.ID == id && o.Reason != nil {
			return o.Reason.Key
		}
	}
	return ""
}

func TestInstrumentGrounds(t *testing.T) {
	ins := mustShipped(t)
	get := func(id string) Instrument {
		return ins[slices.IndexFunc(ins, func(in Instrument) bool { return in.ID == id })]
	}
	cases := []struct {
		kind       Kind
		instrument string
		want       []string
	}{
		{KindPreservation, "budapest", Specs[KindPreservation].Grounds},
		{KindStoredData, "asean_mlat", []string{"political_offence", "essential_interests", "dual_criminality", "double_jeopardy", "discrimination", "military_offence", "insufficient"}},
		{KindStoredData, "reciprocity", append(slices.Clone(Specs[KindStoredData].Grounds), "no_reciprocity")},
		// A kind the instrument does not carry keeps the article's grounds.
		{KindSubscriber, "budapest", Specs[KindSubscriber].Grounds},
	}
	for _, c := range cases {
		if d := diff(c.want, Grounds(c.kind, get(c.instrument))); d != "" {
			t.Errorf("%s under %s :\n%s", c.kind, c.instrument, d)
		}
	}
}

// TestInstrumentsFileFailsLoudly: a bad fact stops the node at start-up
// rather than quietly changing an answer.
func TestInstrumentsFileFailsLoudly(t *testing.T) {
	ok := `{"id":"x","name_en":"X","source":"https://e.org","network":"none","status":{"in_force":true,"source":"https://e.org","verified":true},`
	cases := map[string]string{
		"unknown kind":      ok + `"kinds":[{"kind":"wiretap","article":"1","source":"https://e.org"}]}`,
		"bad country":       ok + `"kinds":[],"parties":[{"country":"XX","source":"https://e.org"}]}`,
		"lower-case":        ok + `"kinds":[],"parties":[{"country":"id","source":"https://e.org"}]}`,
		"no source":         ok + `"kinds":[{"kind":"preservation","article":"1","source":""}]}`,
		"javascript source": ok + `"kinds":[{"kind":"preservation","article":"1","source":"javascript:alert(1)"}]}`,
		"unknown field":     ok + `"kinds":[],"partys":[]}`,
		"bad date":          ok + `"kinds":[],"parties":[{"country":"ID","bound":"2008-13-01","source":"https://e.org"}]}`,
		"bad effect":        ok + `"kinds":[],"reservations":[{"id":"r","country":"JP","kinds":["subscriber"],"effect":"maybe","text":"t","source":"https://e.org"}]}`,
		"unknown network":   strings.Replace(ok, `"none"`, `"interpol"`, 1) + `"kinds":[]}`,
	}
	for name, in := range cases {
		if _, err := decodeInstruments([]byte(`{"instruments":[` + in + `]}`)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := decodeInstruments([]byte(`{"instruments":[` + ok + `"kinds":[]}]}`)); err != nil {
		t.Errorf("a good instrument refused: %v", err)
	}
}

// TestShippedFactsCarrySources: every shipped fact names a source and its
// key, and the facts we could not verify are said to be unverified, so the
// pages can mark them.
func TestShippedFactsCarrySources(t *testing.T) {
	var unverified []string
	for _, in := range mustShipped(t) {
		for _, f := range in.Unverified() {
			if f.Key == "" || f.Source == "" {
				t.Errorf("%s: a fact without key or source: %+v", in.ID, f)
			}
			unverified = append(unverified, f.Key)
		}
	}
	for _, want := range []string{"status:un2024", "status:cets224", "party:asean_mlat:ID", "party:budapest:US", "kind:un2024:preservation"} {
		if !slices.Contains(unverified, want) {
			t.Errorf("%s is not marked unverified", want)
		}
	}
}
