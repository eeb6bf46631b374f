package dialogue

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"entente.example/entente/core"
)

// fuzzHost is the node the fuzzed copies claim to come from.
const fuzzHost = "asean.example"

// seedCopy is a copy as a host sends it: a Chatham House dialogue with a
// party on each of two other nodes, a session, a hidden contribution and a
// reply.
func seedCopy() []byte {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	d := &Dialogue{ID: core.NewID(at) + "-" + hostTag(fuzzHost), Host: fuzzHost, Title: "Track 1.5 on ransomware", Purpose: "Hospitals.",
		Rule: RuleChatham, Lang: "en", Status: StatusOpen, Version: 3, Created: at, Updated: at,
		Parties: []Party{{Addr: "asean@" + fuzzHost, Role: RoleHost, Name: "ASEAN Secretariat"}, {Addr: "asean@" + fuzzHost, Role: RoleModerator},
			{Addr: "kemlu@id.example", Role: RoleParticipant, Name: "Kemlu"}, {Addr: "anu@au.example", Role: RoleRapporteur}},
		Sessions: []Session{{ID: core.NewID(at), Title: "Opening", Agenda: "Hospitals."}},
		Summary:  Summary{Status: SummaryPublished, Text: "Backups matter.", Lang: "en", At: at}}
	root := newHostedID(at, fuzzHost)
	b, _ := json.Marshal(copyBatch{Dialogue: d, Rev: 7, Contributions: []contribCopy{
		{ID: root, Seq: 1, State: StateHidden, Reason: "Names a hospital.", At: at, Rev: 5, ActID: core.NewID(at)},
		{ID: newHostedID(at.Add(time.Second), fuzzHost), Parent: root, Seq: 2, Body: "A reply.", Lang: "id", State: StateVisible, At: at, Rev: 7, AuthorName: "Ratna", AuthorOrg: "kemlu@id.example"},
	}})
	return b
}

// FuzzDialogueCopy feeds a host's copy (the signed body, after the
// signature and core.CheckJSON, as receiveCopy gets it) through the checks
// a copy passes before anything of it is stored. What is accepted is from
// its host, about a dialogue tagged by it, with every field in range,
// carries no author under the Chatham House Rule, and reads back the same
// once stored and loaded (the node keeps the document as JSON).
func FuzzDialogueCopy(f *testing.F) {
	f.Add(seedCopy(), fuzzHost)
	f.Add(seedCopy(), "id.example")
	f.Add([]byte(`{"dialogue":null,"rev":1}`), fuzzHost)
	f.Add([]byte(`{"dialogue":{"id":"x","host":"asean.example"},"contributions":[{"id":"","seq":0}]}`), fuzzHost)
	f.Add([]byte(`[]`), fuzzHost)
	f.Fuzz(func(t *testing.T, body []byte, host string) {
		if core.CheckJSON(body) != nil {
			return
		}
		b, err := decodeCopy(body, host)
		if err != nil {
			if k := core.KindOf(err); k != core.KindInvalid && k != core.KindForbidden {
				t.Fatalf("refused as %q: %v", k, err)
			}
			return
		}
		d := b.Dialogue
		if d.Host != host || !hostedID(d.ID, host) || !d.Rule.Valid() || d.Version < 1 {
			t.Fatalf("accepted %+v from %q", d, host)
		}
		if len(d.InRole(RoleHost)) != 1 {
			t.Fatalf("accepted %d hosts", len(d.InRole(RoleHost)))
		}
		for _, c := range b.Contributions {
			if checkCopy(c, host) != nil || (d.Rule.Anonymous() && (c.AuthorName != "" || c.AuthorOrg != "")) {
				t.Fatalf("accepted the contribution %+v under %s", c, d.Rule)
			}
		}
		again, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		b2, err := decodeCopy(again, host)
		if err != nil {
			t.Fatalf("accepted, stored, and refused on reading back: %v\n%s", err, again)
		}
		if third, _ := json.Marshal(b2); !bytes.Equal(third, again) {
			t.Fatalf("reads back otherwise:\n%s\n%s", again, third)
		}
	})
}

// FuzzDialogueAct feeds what a participant's node sends the host (a
// contribution, after the signature) through the checks made before the
// dialogue is looked up: accepted, it is for the organisation that sent
// it, with an id and its author's name in clean text.
func FuzzDialogueAct(f *testing.F) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	seed, _ := json.Marshal(act{ID: core.NewID(at), Dialogue: "d", By: "kemlu@id.example", Person: "Ratna", Body: "Backups.", At: at})
	f.Add(seed, "kemlu@id.example")
	f.Add(seed, "bssn@id.example")
	f.Add([]byte(`{"id":"../x","by":"kemlu@id.example","person":"\u202e"}`), "kemlu@id.example")
	f.Fuzz(func(t *testing.T, body []byte, from string) {
		if core.CheckJSON(body) != nil {
			return
		}
		var x act
		if json.Unmarshal(body, &x) != nil {
			return
		}
		if err := x.wellFormed(from); err != nil {
			if k := core.KindOf(err); k != core.KindInvalid && k != core.KindForbidden {
				t.Fatalf("refused as %q: %v", k, err)
			}
			return
		}
		p := core.Problems{}
		checkText(p, "person", x.Person, true, 400)
		if x.By != from || !core.ValidID(x.ID) || len(p) > 0 {
			t.Fatalf("accepted %+v from %q", x, from)
		}
	})
}

// FuzzDialogueSummary feeds a rapporteur's summary (after the signature)
// through its checks: accepted, it is for the organisation that sent it,
// with clean text in a language of the node.
func FuzzDialogueSummary(f *testing.F) {
	seed, _ := json.Marshal(summaryAct{Dialogue: "d", By: "anu@au.example", Text: "Backups matter.", Lang: "en"})
	f.Add(seed, "anu@au.example")
	f.Add(seed, "dfat@au.example")
	f.Add([]byte(`{"by":"anu@au.example","text":"","lang":"fr"}`), "anu@au.example")
	f.Fuzz(func(t *testing.T, body []byte, from string) {
		if core.CheckJSON(body) != nil {
			return
		}
		var x summaryAct
		if json.Unmarshal(body, &x) != nil {
			return
		}
		if err := x.wellFormed(from); err != nil {
			if k := core.KindOf(err); k != core.KindInvalid && k != core.KindForbidden {
				t.Fatalf("refused as %q: %v", k, err)
			}
			return
		}
		p := core.Problems{}
		checkText(p, "text", x.Text, true, maxSummary)
		if x.By != from || len(p) > 0 || (x.Lang != "en" && x.Lang != "id") {
			t.Fatalf("accepted %+v from %q", x, from)
		}
	})
}
