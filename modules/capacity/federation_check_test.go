package capacity

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
)

// What a peer's envelopes may and may not say, before any database is
// asked: the checks every copy, proposal and decision passes.

const (
	peerHost  = "donors.example"
	otherHost = "elsewhere.example"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func peerNeed() Need {
	return Need{ID: federation.NewHostedID(t0, peerHost), Owner: "mnec-tl@" + peerHost, Title: "A national CSIRT", Topics: []string{"csirt"},
		Country: "TL", Priority: High, Languages: []string{"en"}, Status: NeedOpen, Visibility: Public, CreatedAt: t0, UpdatedAt: t0}
}

func peerOffer() Offer {
	return Offer{ID: federation.NewHostedID(t0, peerHost), Owner: "dfat-au@" + peerHost, Title: "CERT mentoring", Topics: []string{"csirt"},
		Visibility: Public, CreatedAt: t0, UpdatedAt: t0}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCheckCopyRefusesWhatIsNotThePeersOwn(t *testing.T) {
	good := peerNeed()
	elsewhere := peerNeed()
	elsewhere.ID = federation.NewHostedID(t0, otherHost)
	foreignOwner := peerNeed()
	foreignOwner.Owner = "kemlu@" + otherHost
	badStatus := peerNeed()
	badStatus.Status = "approved"
	untitled := peerNeed()
	untitled.Title = ""
	// Each is the same need, told wrongly (ids are random).
	foreignOwner.ID, badStatus.ID, untitled.ID = good.ID, good.ID, good.ID
	cases := []struct {
		name string
		typ  string
		from string
		body []byte
		kind core.Kind
	}{
		{"a need of the peer's", TypeNeed, good.Owner, mustJSON(t, recordCopy{ID: good.ID, Rev: 1, Need: &good}), ""},
		{"a withdrawal", TypeNeed, good.Owner, mustJSON(t, recordCopy{ID: good.ID, Rev: 2, Withdrawn: true}), ""},
		{"an id of another node", TypeNeed, good.Owner, mustJSON(t, recordCopy{ID: elsewhere.ID, Rev: 1, Need: &elsewhere}), core.KindForbidden},
		{"an owner of another node", TypeNeed, foreignOwner.Owner, mustJSON(t, recordCopy{ID: good.ID, Rev: 1, Need: &foreignOwner}), core.KindForbidden},
		{"sent by another organisation", TypeNeed, "bssn@" + peerHost, mustJSON(t, recordCopy{ID: good.ID, Rev: 1, Need: &good}), core.KindForbidden},
		{"a need sent as an offer", TypeOffer, good.Owner, mustJSON(t, recordCopy{ID: good.ID, Rev: 1, Need: &good}), core.KindInvalid},
		{"an unknown status", TypeNeed, good.Owner, mustJSON(t, recordCopy{ID: good.ID, Rev: 1, Need: &badStatus}), core.KindInvalid},
		{"no title", TypeNeed, good.Owner, mustJSON(t, recordCopy{ID: good.ID, Rev: 1, Need: &untitled}), core.KindInvalid},
		{"no rev", TypeNeed, good.Owner, mustJSON(t, recordCopy{ID: good.ID, Need: &good}), core.KindInvalid},
		{"a withdrawal carrying a record", TypeNeed, good.Owner, mustJSON(t, recordCopy{ID: good.ID, Rev: 2, Withdrawn: true, Need: &good}), core.KindInvalid},
		{"an unknown field", TypeNeed, good.Owner, []byte(`{"id":"` + good.ID + `","rev":1,"admin":true}`), core.KindInvalid},
		{"a key twice", TypeNeed, good.Owner, []byte(`{"id":"` + good.ID + `","rev":1,"rev":9,"withdrawn":true}`), core.KindInvalid},
		{"a NUL", TypeNeed, good.Owner, []byte(`{"id":"` + good.ID + `\u0000","rev":1,"withdrawn":true}`), core.KindInvalid},
		{"invalid UTF-8", TypeNeed, good.Owner, []byte("{\"id\":\"\xff\",\"rev\":1,\"withdrawn\":true}"), core.KindInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := checkCopy(c.typ, peerHost, c.from, c.body)
			if core.KindOf(err) != c.kind && !(c.kind == "" && err == nil) {
				t.Fatalf("kind %q (%v), want %q", core.KindOf(err), err, c.kind)
			}
			if err == nil && got.Need != nil && (got.Need.Origin != peerHost || got.Need.OrgID != "") {
				t.Fatalf("a copy kept as origin %q org %q", got.Need.Origin, got.Need.OrgID)
			}
		})
	}
}

func TestCheckProposalAndDecision(t *testing.T) {
	o := peerOffer()
	good := proposalMsg{ID: federation.NewHostedID(t0, peerHost), Need: "n1", Offer: o, Proposer: o.Owner, Note: " soon "}
	m, err := checkProposal(peerHost, o.Owner, mustJSON(t, good))
	if err != nil || m.Note != "soon" {
		t.Fatalf("a good proposal: %v %+v", err, m)
	}
	other := good
	other.Proposer = "mofa-jp@" + peerHost
	if _, err := checkProposal(peerHost, o.Owner, mustJSON(t, other)); core.KindOf(err) != core.KindForbidden {
		t.Fatalf("a proposal in another's name: %v", err)
	}
	foreign := good
	foreign.Offer.ID = federation.NewHostedID(t0, otherHost)
	if _, err := checkProposal(peerHost, o.Owner, mustJSON(t, foreign)); core.KindOf(err) != core.KindForbidden {
		t.Fatalf("another node's offer: %v", err)
	}
	long := good
	long.Note = strings.Repeat("x", maxText+1)
	if _, err := checkProposal(peerHost, o.Owner, mustJSON(t, long)); core.KindOf(err) != core.KindInvalid {
		t.Fatalf("a note too long: %v", err)
	}

	proj := federation.NewHostedID(t0, peerHost)
	for _, c := range []struct {
		m  decisionMsg
		ok bool
	}{
		{decisionMsg{Proposal: "p", Need: "n", Status: Accepted, Project: proj}, true},
		{decisionMsg{Proposal: "p", Need: "n", Status: Declined}, true},
		{decisionMsg{Proposal: "p", Need: "n", Status: Declined, Reason: ReasonMatched}, true},
		{decisionMsg{Proposal: "p", Need: "n", Status: Accepted}, false},
		{decisionMsg{Proposal: "p", Need: "n", Status: Accepted, Project: federation.NewHostedID(t0, otherHost)}, false},
		{decisionMsg{Proposal: "p", Need: "n", Status: Declined, Project: proj}, false},
		{decisionMsg{Proposal: "p", Need: "n", Status: Accepted, Project: proj, Reason: ReasonClosed}, false},
		{decisionMsg{Proposal: "p", Need: "n", Status: "withdrawn"}, false},
	} {
		if _, err := checkDecision(peerHost, mustJSON(t, c.m)); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.m, err)
		}
	}
}

// FuzzCheckEnvelopes feeds a peer's statement bodies to the checks of
// copies, proposals and decisions: none may panic, and whatever a check
// accepts is the peer's own and well formed.
func FuzzCheckEnvelopes(f *testing.F) {
	n, o := peerNeed(), peerOffer()
	f.Add(mustJSON(f, recordCopy{ID: n.ID, Rev: 1, Need: &n}))
	f.Add(mustJSON(f, recordCopy{ID: o.ID, Rev: 3, Offer: &o}))
	f.Add(mustJSON(f, recordCopy{ID: n.ID, Rev: 2, Withdrawn: true}))
	f.Add(mustJSON(f, proposalMsg{ID: federation.NewHostedID(t0, peerHost), Need: "n", Offer: o, Proposer: o.Owner}))
	f.Add(mustJSON(f, decisionMsg{Proposal: "p", Need: "n", Status: Accepted, Project: federation.NewHostedID(t0, peerHost)}))
	f.Add([]byte(`{"id":"x","rev":1,"rev":2}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, typ := range []string{TypeNeed, TypeOffer, TypeProject} {
			c, err := checkCopy(typ, peerHost, n.Owner, body)
			if err != nil {
				continue
			}
			if !federation.HostedID(c.ID, peerHost) {
				t.Fatalf("accepted a %s id %q of another node", typ, c.ID)
			}
			if c.Need != nil && (c.Need.Owner != n.Owner || c.Need.Origin != peerHost || c.Need.Title == "") {
				t.Fatalf("accepted a need %+v", c.Need)
			}
		}
		if m, err := checkProposal(peerHost, o.Owner, body); err == nil && (m.Proposer != o.Owner || m.Offer.Owner != o.Owner || !federation.HostedID(m.ID, peerHost)) {
			t.Fatalf("accepted a proposal %+v", m)
		}
		if m, err := checkDecision(peerHost, body); err == nil && m.Status != Accepted && m.Status != Declined {
			t.Fatalf("accepted a decision %+v", m)
		}
	})
}
