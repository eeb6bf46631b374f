package dialogue

import (
	"encoding/json"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
)

// seedEventCopy is a copy as an organiser's node sends it: an invited
// briefing with an agenda, a speaker and one place left.
func seedEventCopy() []byte {
	at := time.Date(2026, 12, 10, 1, 0, 0, 0, time.UTC)
	e := Event{ID: core.NewID(at) + "-" + hostTag(fuzzHost), Org: "asean", OrgName: "ASEAN Secretariat", Kind: "briefing", Title: "Ransomware and hospitals",
		Description: "A briefing.", Languages: []string{"en"}, VenueName: "ASEAN Hall", Zone: "Asia/Jakarta", Start: at, End: at.Add(2 * time.Hour),
		Agenda: []EventAgendaItem{{Time: "08:00", Title: "Opening"}}, Speakers: []EventSpeaker{{Name: "Dewi"}}, Capacity: 10, Taken: 9, Waiting: 2,
		RegistrationOpen: true, Audience: EventInvited, Invited: []string{"kemlu@id.example"}, Status: EventScheduled, Sequence: 2,
		OrganiserEmail: "maria@asean.example"}
	b, _ := json.Marshal(eventCopy{Event: e, Rev: 4})
	return b
}

// FuzzEventCopy feeds an organiser's copy of an event (the signed body, as
// receiveCopy gets it) through the checks it passes before anything of it
// is stored. What is accepted is an event tagged by its sender, organised
// by one of the sender's organisations, within an event's limits, inviting
// nobody on the sender's node and no one by e-mail, and carries no
// minutes.
func FuzzEventCopy(f *testing.F) {
	f.Add(seedEventCopy(), fuzzHost)
	f.Add(seedEventCopy(), "id.example")
	f.Add([]byte(`{"event":{"id":"x"},"rev":1}`), fuzzHost)
	f.Add([]byte(`{"event":null,"rev":0}`), fuzzHost)
	f.Add([]byte(`[]`), fuzzHost)
	f.Fuzz(func(t *testing.T, body []byte, host string) {
		if core.CheckJSON(body) != nil {
			return
		}
		c, err := decodeEventCopy(body, host)
		if err != nil {
			if k := core.KindOf(err); k != core.KindInvalid && k != core.KindForbidden {
				t.Fatalf("refused as %q: %v", k, err)
			}
			return
		}
		e := c.Event
		if e.Host != host || !taggedBy(e.ID, host) || !eventHandle(e.Org, host) || c.Rev < 1 || e.Audience != EventInvited ||
			len(e.InviteEmails) > 0 || e.Minutes != "" || e.Outcomes != "" || (e.Status != EventScheduled && e.Status != EventCancelled) {
			t.Fatalf("accepted %+v from %q", e, host)
		}
		if p := e.Validate(); len(p) > 0 && len(e.Invited) > 0 {
			t.Fatalf("accepted an event out of range: %v", p)
		}
		for _, a := range e.Invited {
			if _, h, ok := federation.Address(a); !ok || h == host {
				t.Fatalf("accepted an invitation of %q", a)
			}
		}
	})
}

// FuzzEventAct feeds a person's registration from their node through the
// checks before anything is looked up: what is accepted is for the
// organisation that sent it, with ids, a name and one e-mail address.
func FuzzEventAct(f *testing.F) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	good, _ := json.Marshal(eventAct{ID: core.NewID(at), Event: core.NewID(at) + "-" + hostTag(fuzzHost), By: "kemlu@id.example", Name: "Ratna", Email: "ratna@kemlu.example"})
	f.Add(good, "kemlu@id.example")
	f.Add(good, "dfat@au.example")
	f.Add([]byte(`{"id":"","event":"","by":"","name":"","email":"a@b"}`), "")
	f.Fuzz(func(t *testing.T, body []byte, from string) {
		if core.CheckJSON(body) != nil {
			return
		}
		var x eventAct
		if json.Unmarshal(body, &x) != nil {
			return
		}
		if err := x.wellFormed(from); err != nil {
			if k := core.KindOf(err); k != core.KindInvalid && k != core.KindForbidden {
				t.Fatalf("refused as %q: %v", k, err)
			}
			return
		}
		if x.By != from || !core.ValidID(x.ID) || !eventIDShape(x.Event) || x.Name == "" || !eventEmail(x.Email) {
			t.Fatalf("accepted %+v from %q", x, from)
		}
	})
}

// FuzzEventStatus feeds the organiser's answer about a registration
// through its checks: what is accepted has a known state, a place on the
// waiting list exactly when waiting, and asks for a notice a person may
// be sent.
func FuzzEventStatus(f *testing.F) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	ev := core.NewID(at) + "-" + hostTag(fuzzHost)
	for _, st := range []eventStatus{
		{Event: ev, Ref: core.NewID(at), State: EventWaitlisted, Waiting: 3, Tell: "ev_waitlisted"},
		{Event: ev, Ref: core.NewID(at), State: EventRegistered, Tell: "ev_promoted"},
		{Event: ev, Ref: core.NewID(at), State: EventWithdrawn},
	} {
		b, _ := json.Marshal(st)
		f.Add(b)
	}
	f.Add([]byte(`{"event":"x","ref":"y","state":"registered","waiting":-1,"tell":"mail.anything"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if core.CheckJSON(body) != nil {
			return
		}
		st, err := decodeEventStatus(body)
		if err != nil {
			if core.KindOf(err) != core.KindInvalid {
				t.Fatalf("refused as %q: %v", core.KindOf(err), err)
			}
			return
		}
		if !eventIDShape(st.Event) || !core.ValidID(st.Ref) || (st.State == EventWaitlisted) != (st.Waiting > 0) || st.Waiting < 0 ||
			(st.Tell != "" && eventTells[st.Tell].Name != st.Tell) {
			t.Fatalf("accepted %+v", st)
		}
	})
}
