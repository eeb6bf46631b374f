package economy

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestShippedAgreementsLoadAndAreConsistent(t *testing.T) {
	ags, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"depa": true, "defa": true, "wto_jsi": true, "sadea": true}
	provisions := map[string]string{}
	for _, a := range ags {
		delete(want, a.ID)
		for _, p := range a.Provisions {
			if other, ok := provisions[p.ID]; ok {
				t.Errorf("provision %s in %s and %s", p.ID, other, a.ID)
			}
			provisions[p.ID] = a.ID
		}
		for _, p := range a.Parties {
			for i := 1; i < len(p.History); i++ {
				if p.History[i].On < p.History[i-1].On {
					t.Errorf("%s %s: history out of date order", a.ID, p.Country)
				}
			}
		}
	}
	if len(want) != 0 {
		t.Errorf("missing agreements %v", want)
	}
	depa := find(t, ags, "depa")
	if len(depa.Modules) != 16 {
		t.Errorf("DEPA has %d modules, want 16", len(depa.Modules))
	}
	for _, c := range []string{"CL", "NZ", "SG", "KR"} {
		if _, ok := depa.Party(c); !ok {
			t.Errorf("DEPA without %s", c)
		}
	}
	if kr, _ := depa.Party("KR"); kr.Now().Status != StatusAcceded {
		t.Errorf("Korea's DEPA status %q, want acceded", kr.Now().Status)
	}
	if defa := find(t, ags, "defa"); len(defa.Parties) != 10 {
		t.Errorf("DEFA has %d parties, want the ten ASEAN member states", len(defa.Parties))
	}
	if !find(t, ags, "wto_jsi").Partial {
		t.Error("the JSI's participants are not marked partial")
	}
}

func find(t *testing.T, ags []Agreement, id string) Agreement {
	t.Helper()
	for _, a := range ags {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("no agreement %s", id)
	return Agreement{}
}

func TestAgreementValidationNamesTheField(t *testing.T) {
	good := `{"id":"x","name_en":"X","kind":"bilateral","source":"https://example.org","modules":[{"id":"m","title":"M"}],
		"provisions":[{"id":"p","module":"m","title":"P","summary":"s","source":"https://example.org","verified":false}],
		"parties":[{"country":"ID","history":[{"status":"signed","on":"2024-01","source":"https://example.org","verified":false}]}]}`
	if _, err := decodeAgreement([]byte(good)); err != nil {
		t.Fatalf("good agreement refused: %v", err)
	}
	for _, tc := range []struct{ name, from, to, field string }{
		{"id", `"id":"x"`, `"id":"X Y"`, "id"},
		{"kind", `"kind":"bilateral"`, `"kind":"treaty"`, "kind"},
		{"source", `"source":"https://example.org","modules"`, `"source":"javascript:alert(1)","modules"`, "source"},
		{"topic", `"module":"m"`, `"module":"m","topic":"weather"`, "provisions"},
		{"country", `"country":"ID"`, `"country":"XX"`, "parties"},
		{"date", `"on":"2024-01"`, `"on":"2024-13"`, "parties"},
		{"status", `"status":"signed"`, `"status":"ratified"`, "parties"},
		{"unknown field", `"kind"`, `"colour":"red","kind"`, "agreement"},
	} {
		_, err := decodeAgreement([]byte(strings.Replace(good, tc.from, tc.to, 1)))
		fe, ok := err.(*FieldError)
		if !ok || fe.Field != tc.field || !strings.HasPrefix(fe.Key, "err.") {
			t.Errorf("%s: %v, want a problem with %s named by a catalogue key", tc.name, err, tc.field)
		}
	}
}

// FuzzDecodeAgreement feeds the decoder what a person pastes in the form
// or a program sends to the API: it never panics, and what it accepts is
// valid and survives a round trip.
func FuzzDecodeAgreement(f *testing.F) {
	ags, err := Shipped()
	if err != nil {
		f.Fatal(err)
	}
	// One shipped agreement, the smallest: the fuzzer minimises every
	// input that finds new code, and DEPA's 10 KB keep it minimising
	// instead of fuzzing.
	small := ags[0]
	for _, a := range ags {
		if len(a.Provisions)+len(a.Parties) < len(small.Provisions)+len(small.Parties) {
			small = a
		}
	}
	small.Provisions, small.Parties = small.Provisions[:2], small.Parties[:1]
	b, _ := json.Marshal(small)
	f.Add(b)
	f.Add([]byte(`{"id":"x","kind":"treaty"}`))
	f.Add([]byte(`{"id":"x","name_en":"X","kind":"bilateral","source":"javascript:alert(1)","modules":[],"provisions":[],"parties":[]}`))
	f.Add([]byte(`{"id":"x","name_en":"X","kind":"bilateral","source":"https://a.example","modules":[{"id":"m","title":"M"}],"provisions":[],"parties":[{"country":"ID","history":[{"status":"signed","on":"2020-13","source":"https://a.example"}]}]}`))
	f.Add([]byte(`{"id":"x","unknown":1}`))
	f.Add([]byte("\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := decodeAgreement(b)
		if err != nil {
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("accepted but invalid: %v", err)
		}
		again, _ := json.Marshal(a)
		if _, err := decodeAgreement(again); err != nil {
			t.Fatalf("accepted %q, refused its own encoding %s: %v", b, again, err)
		}
	})
}
