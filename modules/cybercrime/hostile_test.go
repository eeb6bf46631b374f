package cybercrime_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/cybercrime"
)

// inject hands a node's cybercrime handler an envelope as federation would
// after its own checks (the signer owns the sender's host, the recipient is
// here, created is within the window): what a hostile peer can still say.
func inject(n *node, typ, from, to string, created time.Time, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	env := federation.Envelope{ID: core.NewID(time.Now()), Type: typ, From: from, To: to, Created: created, TLP: core.TLPAmberStrict}
	return n.DB.WithTx(context.Background(), func(tx *store.Tx) error { return n.svc.Receive(context.Background(), tx, env, b) })
}

// hostile is Australia's node with a preservation sent to Japan's, and a
// second AU organisation that the request is not between.
type hostile struct {
	au, jp  *node
	inv, ca context.Context
	sent    cybercrime.Request
}

func newHostile(t *testing.T, e storetest.Engine) hostile {
	au, jp := newNode(t, e), newNode(t, e)
	au.Org(t, "afp", core.OrgStateLawEnforcement, "AU", "Australian Federal Police")
	au.Org(t, "acsc", core.OrgStateLawEnforcement, "AU", "Australian Cyber Security Centre")
	jp.Org(t, "npa", core.OrgStateLawEnforcement, "JP", "National Police Agency")
	au.Start(t)
	jp.Start(t)
	fedtest.Peer(t, au.Served, jp.Served)
	h := hostile{au: au, jp: jp, inv: au.As("Ines", "afp", core.RoleInvestigator), ca: au.As("Carl", "afp", core.RoleAuthority)}
	r, err := au.svc.Create(h.inv, preservation(jp.Addr("npa")))
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range []cybercrime.Action{cybercrime.ActApprove, cybercrime.ActSend} {
		if r, err = au.svc.Act(h.ca, r.ID, cybercrime.Step{Action: act}); err != nil {
			t.Fatal(err)
		}
	}
	h.sent = r
	return h
}

// step is an update as Japan's node would send it for the request.
func (h hostile) step(act cybercrime.Action, state cybercrime.State, at time.Time) map[string]any {
	return map[string]any{"origin_id": h.sent.OriginID, "request_from": h.sent.From, "event_id": core.NewID(at), "action": act, "state": state, "by": "Kenji", "at": at}
}

// TestPeerStepsAreHeldToTheRequest: a peer's step must be addressed to the
// organisation the request is from, carry the time its envelope was made,
// and bring only what its action takes.
func TestPeerStepsAreHeldToTheRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := newHostile(t, e)
		au, npa := h.au, h.jp.Addr("npa")
		now := au.clock.Now().UTC()
		state := func() cybercrime.State {
			r, err := au.svc.Request(h.inv, h.sent.ID)
			if err != nil {
				t.Fatal(err)
			}
			return r.State
		}

		// To another organisation of the node than the one asking.
		if err := inject(au, cybercrime.TypeUpdate, npa, au.Addr("acsc"), now, h.step(cybercrime.ActAcknowledge, cybercrime.StateAcknowledged, now)); err == nil {
			t.Error("a step addressed to another organisation was applied")
		}
		// Backdated a year: the figures would count an acknowledgement
		// before the request was sent.
		old := now.AddDate(-1, 0, 0)
		if err := inject(au, cybercrime.TypeUpdate, npa, h.sent.From, now, h.step(cybercrime.ActAcknowledge, cybercrime.StateAcknowledged, old)); err == nil {
			t.Error("a step dated a year before its envelope was applied")
		}
		// A preservation "until" 1970 + 90 days, from a step dated 1970.
		epoch := time.Unix(0, 0).UTC()
		p := h.step(cybercrime.ActPreserve, cybercrime.StatePreserved, epoch)
		p["until"] = epoch.Add(90 * 24 * time.Hour)
		if err := inject(au, cybercrime.TypeUpdate, npa, h.sent.From, now, p); err == nil {
			t.Error("a preservation ending in 1970 was applied")
		}
		// Ids that are not ids: a 5,000-byte key would fail PostgreSQL's
		// index and be retried for a month.
		long := h.step(cybercrime.ActNote, cybercrime.StateSent, now)
		long["event_id"], long["note"] = strings.Repeat("E", 5000), "x"
		if err := inject(au, cybercrime.TypeUpdate, npa, h.sent.From, now, long); core.KindOf(err) != core.KindInvalid {
			t.Errorf("a 5,000-byte event id: %v", err)
		}
		if st := state(); st != cybercrime.StateSent {
			t.Fatalf("after refused steps the request is %s", st)
		}

		// A note with a ground and a date it does not take: stored without.
		note := h.step(cybercrime.ActNote, cybercrime.StateReceived, now)
		note["note"], note["ground"], note["until"] = "Received, working on it.", strings.Repeat("g", 100000), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := inject(au, cybercrime.TypeUpdate, npa, h.sent.From, now, note); err != nil {
			t.Fatal(err)
		}
		// And a proper step, addressed and dated as it should be.
		if err := inject(au, cybercrime.TypeUpdate, npa, h.sent.From, now, h.step(cybercrime.ActAcknowledge, cybercrime.StateAcknowledged, now)); err != nil {
			t.Fatal(err)
		}
		r, err := au.svc.Request(h.inv, h.sent.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != cybercrime.StateAcknowledged {
			t.Errorf("the proper step was not applied: %s", r.State)
		}
		for _, ev := range r.Events {
			if ev.Action == cybercrime.ActNote && (ev.Ground != "" || ev.Until != nil) {
				t.Errorf("a note kept a ground of %d bytes and a date %v", len(ev.Ground), ev.Until)
			}
		}
	})
}

// TestPeerNotesOnADraft: a request not yet sent is unknown to the other
// side; a step for it from that side's node is refused.
func TestPeerNotesOnADraft(t *testing.T) {
	h := newHostile(t, storetest.Engines(t)[0])
	d, err := h.au.svc.Create(h.inv, preservation(h.jp.Addr("npa")))
	if err != nil {
		t.Fatal(err)
	}
	now := h.au.clock.Now().UTC()
	u := map[string]any{"origin_id": d.OriginID, "request_from": d.From, "event_id": core.NewID(now), "action": cybercrime.ActNote, "state": cybercrime.StateDraft,
		"note": "We have seen your draft.", "by": "Kenji", "at": now}
	if err := inject(h.au, cybercrime.TypeUpdate, h.jp.Addr("npa"), d.From, now, u); err == nil {
		t.Error("a note from the other side on a draft it was never sent was stored")
	}
}

// TestPeerRequestsAreHeldToTheirTimes: a requester cannot shorten the
// other side's deadline, backdate its sending, or thread its request to one
// organisation onto its preservation at another.
func TestPeerRequestsAreHeldToTheirTimes(t *testing.T) {
	h := newHostile(t, storetest.Engines(t)[0])
	au, npa := h.au, h.jp.Addr("npa")
	now := au.clock.Now().UTC()
	wire := func(kind cybercrime.Kind, sent, created, respond time.Time) map[string]any {
		in := preservation("x")
		if kind != cybercrime.KindPreservation {
			in.Fields = map[string]string{"authority": "National Police Agency", "offence": "Fraud", "facts": "Money was taken.", "data": "Mailbox contents",
				"relation": "The mailbox sent the lures.", "purpose": "Identify the accused.", "custodian": "Example Mail", "measures": "A sealed copy."}
		}
		return map[string]any{"origin_id": core.NewID(sent), "from_country": "JP", "to_country": "AU", "kind": kind, "basis": "budapest", "language": "en",
			"fields": in.Fields, "author": "Kenji", "approved_by": "Aiko", "created": created, "sent": sent, "respond_by": respond, "event_id": core.NewID(sent)}
	}
	day := 24 * time.Hour
	bad := map[string]map[string]any{
		"due at once":      wire(cybercrime.KindPreservation, now, now, now),
		"sent a year ago":  wire(cybercrime.KindPreservation, now.AddDate(-1, 0, 0), now.AddDate(-1, 0, 0), now.AddDate(-1, 0, 0).Add(day)),
		"drafted after it": wire(cybercrime.KindPreservation, now, now.Add(time.Hour), now.Add(day)),
		"drafted in 1970":  wire(cybercrime.KindPreservation, now, time.Unix(0, 0), now.Add(day)),
		"origin not an id": func() map[string]any {
			w := wire(cybercrime.KindPreservation, now, now, now.Add(day))
			w["origin_id"] = strings.Repeat("o", 3000)
			return w
		}(),
		"follows not an id": func() map[string]any {
			w := wire(cybercrime.KindPreservation, now, now, now.Add(day))
			w["follows"] = strings.Repeat("f", 3000)
			return w
		}(),
	}
	for name, w := range bad {
		if err := inject(au, cybercrime.TypeRequest, npa, au.Addr("afp"), now, w); core.KindOf(err) != core.KindInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}

	// A preservation to one organisation, then a request to another that
	// claims to follow it.
	pres := wire(cybercrime.KindPreservation, now, now, now.Add(day))
	if err := inject(au, cybercrime.TypeRequest, npa, au.Addr("afp"), now, pres); err != nil {
		t.Fatal(err)
	}
	mla := wire(cybercrime.KindStoredData, now, now, now.Add(cybercrime.Specs[cybercrime.KindStoredData].Respond))
	mla["follows"] = pres["origin_id"]
	if err := inject(au, cybercrime.TypeRequest, npa, au.Addr("acsc"), now, mla); err != nil {
		t.Fatal(err)
	}
	rs, _, err := au.svc.Requests(au.As("Dora", "acsc", core.RoleInvestigator), cybercrime.Filter{Box: "in"})
	if err != nil || len(rs) != 1 {
		t.Fatalf("acsc's requests: %d %v", len(rs), err)
	}
	if rs[0].Follows != "" {
		t.Errorf("a request to one organisation follows a preservation at another: %q", rs[0].Follows)
	}
}

// TestStepsAtOnce: of the same step taken twice at once, one is taken and
// one envelope goes to the other side; the other is refused.
func TestStepsAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		h := newHostile(t, e)
		jpInv := h.jp.As("Kenji", "npa", core.RoleInvestigator)
		var in cybercrime.Request
		fedtest.Eventually(t, "the request on Japan's node", func() bool {
			rs, _, err := h.jp.svc.Requests(jpInv, cybercrime.Filter{Box: "in"})
			if err != nil || len(rs) != 1 {
				return false
			}
			in = rs[0]
			return true
		})
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		start := make(chan struct{})
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if _, err := h.jp.svc.Act(jpInv, in.ID, cybercrime.Step{Action: cybercrime.ActAcknowledge}); err == nil {
					mu.Lock()
					ok++
					mu.Unlock()
				} else if core.KindOf(err) != core.KindConflict && core.KindOf(err) != core.KindInvalid {
					t.Errorf("a second acknowledgement: %v", err)
				}
			}()
		}
		close(start)
		wg.Wait()
		var events, sent int
		if err := h.jp.DB.R().Get(context.Background(), &events, `SELECT COUNT(*) FROM cyb_events WHERE request_id = ? AND action = 'acknowledge'`, in.ID); err != nil {
			t.Fatal(err)
		}
		if err := h.jp.DB.R().Get(context.Background(), &sent, `SELECT COUNT(*) FROM outbox WHERE type = ?`, cybercrime.TypeUpdate); err != nil {
			t.Fatal(err)
		}
		if ok != 1 || events != 1 || sent != 1 {
			t.Errorf("8 acknowledgements at once: %d taken, %d events, %d envelopes", ok, events, sent)
		}
	})
}

// TestExtendIntoThePast: a preservation that ran out is extended only to a
// date still to come, not to one between its end and today.
func TestExtendIntoThePast(t *testing.T) {
	h := newHostile(t, storetest.Engines(t)[0])
	jpInv := h.jp.As("Kenji", "npa", core.RoleInvestigator)
	var in cybercrime.Request
	fedtest.Eventually(t, "the request on Japan's node", func() bool {
		rs, _, err := h.jp.svc.Requests(jpInv, cybercrime.Filter{Box: "in"})
		if err != nil || len(rs) != 1 {
			return false
		}
		in = rs[0]
		return true
	})
	until := h.jp.clock.Now().Add(90 * 24 * time.Hour)
	if _, err := h.jp.svc.Act(jpInv, in.ID, cybercrime.Step{Action: cybercrime.ActPreserve, Until: &until}); err != nil {
		t.Fatal(err)
	}
	h.jp.clock.Advance(120 * 24 * time.Hour)
	past := h.jp.clock.Now().Add(-24 * time.Hour)
	if _, err := h.jp.svc.Act(jpInv, in.ID, cybercrime.Step{Action: cybercrime.ActExtend, Until: &past}); fields(err)["until"] == "" {
		t.Errorf("extended to yesterday: %v", err)
	}
}

// TestOnlyStatesAsk: a request for cooperation is a state's; a company, an
// NGO or a university on a node, even with admins, neither drafts one nor
// has its node send one in its name.
func TestOnlyStatesAsk(t *testing.T) {
	au, jp := newNode(t, storetest.Engines(t)[0]), newNode(t, storetest.Engines(t)[0])
	au.Org(t, "afp", core.OrgStateLawEnforcement, "AU", "Australian Federal Police")
	au.Org(t, "hosting", core.OrgCompany, "AU", "Example Hosting Pty Ltd")
	jp.Org(t, "npa", core.OrgStateLawEnforcement, "JP", "National Police Agency")
	jp.Org(t, "registrar", core.OrgCompany, "JP", "Example Registrar KK")
	au.Start(t)
	jp.Start(t)
	fedtest.Peer(t, au.Served, jp.Served)
	in := preservation(jp.Addr("npa"))
	in.From = "hosting"
	if _, err := au.svc.Create(au.As("Hana", "hosting", core.RoleAdmin), in); fields(err)["from"] != "err.cyb_from_state" {
		t.Errorf("a company drafted a preservation: %v", err)
	}
	now := au.clock.Now().UTC()
	w := map[string]any{"origin_id": core.NewID(now), "from_country": "JP", "to_country": "AU", "kind": cybercrime.KindPreservation, "basis": "budapest", "language": "en",
		"fields": preservation("x").Fields, "author": "Kenji", "approved_by": "Aiko", "created": now, "sent": now, "respond_by": now.Add(24 * time.Hour), "event_id": core.NewID(now)}
	if err := inject(au, cybercrime.TypeRequest, jp.Addr("registrar"), au.Addr("afp"), now, w); core.KindOf(err) != core.KindInvalid {
		t.Errorf("a company's node sent a preservation in its name: %v", err)
	}
	if err := inject(au, cybercrime.TypeRequest, jp.Addr("npa"), au.Addr("afp"), now, w); err != nil {
		t.Errorf("the same preservation from the police: %v", err)
	}
}
