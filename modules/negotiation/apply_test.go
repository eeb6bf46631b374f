package negotiation

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzApplyAct feeds acts as a peer could send them (after the signature,
// the bytes are still the peer's) to the rules of the table: nothing may
// panic, and an act the rules refuse leaves the process as it was.
func FuzzApplyAct(f *testing.F) {
	f.Add([]byte(`{"id":"x","kind":"amend","text":"t1","by":"kemlu@b","amend":{"para":"p1","kind":"replace","option":0,"proposed":"New [words].","justification":"j"}}`))
	f.Add([]byte(`{"id":"y","kind":"amend","text":"t1","by":"kemlu@b","amend":{"para":"p2","kind":"replace","option":7,"proposed":"x","justification":"j"}}`))
	f.Add([]byte(`{"id":"z","kind":"position","text":"t1","by":"kemlu@b","position":{"target":"a:A1","stance":"oppose"}}`))
	f.Add([]byte(`{"id":"o","kind":"object","text":"t1","by":"kemlu@b","silence":"s1","reason":"no"}`))
	f.Add([]byte(`{"id":"c","kind":"contribute","by":"acme@c","title":"t","body":"b"}`))
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		p := &Process{ID: "p", Parties: []Party{{Addr: "kemlu@b", Role: RoleDelegation}, {Addr: "acme@c", Role: RoleStakeholder}},
			Texts: []Text{{ID: "t1", State: TextSilence, Paragraphs: []Paragraph{{ID: "p1", Part: PartOperative, Options: []string{"One [two]."}}, {ID: "p2", Part: PartOperative, Options: []string{"A.", "B."}}},
				Amendments: []Amendment{{ID: "A1", Para: "p1", Kind: AmendDelete, State: AmendProposed}},
				Silences:   []Silence{{ID: "s1", State: SilenceRunning, Deadline: now.Add(time.Hour)}}}}}
		if len(b)%2 == 0 {
			p.Texts[0].State, p.Texts[0].Silences = TextNegotiating, nil
		}
		before, _ := json.Marshal(p)
		var a Act
		if json.Unmarshal(b, &a) != nil {
			return
		}
		if len(a.check()) > 0 {
			return
		}
		if err := apply(p, a, now, "", ""); err != nil {
			if after, _ := json.Marshal(p); string(after) != string(before) {
				t.Fatalf("a refused act changed the process:\n%s\n%s", before, after)
			}
		}
	})
}
