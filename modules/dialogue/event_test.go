package dialogue_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/dialogue"
	"entente.example/entente/modules/directory"
	webfiles "entente.example/entente/web"
)

// eventNode is a node with the events service, its e-mail queued in the
// jobs table for the test to read.
type eventNode struct {
	*fedtest.Served
	ev    *dialogue.Events
	clock *storetest.Clock
}

func newEventNode(t testing.TB, e storetest.Engine) *eventNode {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC))
	db := storetest.Open(t, e, clock, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(),
		directory.Migrations(), dialogue.Migrations())
	s := fedtest.Serve(t, db)
	cat, err := web.LoadCatalog(webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	q := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	q.Register(notify.EmailKind(nil))
	people := notify.People{Jobs: q, Tr: cat, BaseURL: func() string { return s.URL }}
	ev := dialogue.NewEvents(db, s.Fed, people)
	ev.ScheduleEvents(q)
	return &eventNode{Served: s, ev: ev, clock: clock}
}

// mails are the e-mails queued so far.
func (n *eventNode) mails(t testing.TB) []notify.Message {
	t.Helper()
	var payloads []string
	if err := n.DB.R().Select(context.Background(), &payloads, `SELECT payload FROM jobs WHERE kind = 'notify.email' ORDER BY created_at, id`); err != nil {
		t.Fatal(err)
	}
	var out []notify.Message
	for _, p := range payloads {
		var m notify.Message
		if err := json.Unmarshal([]byte(p), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func mailsTo(ms []notify.Message, to string) []notify.Message {
	var out []notify.Message
	for _, m := range ms {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}

func person(id, email string) context.Context {
	return core.WithRequest(core.WithActor(context.Background(), core.Actor{UserID: id, Name: id, Email: email}), core.RequestInfo{ID: "test"})
}

// forum is an event of the node's kbri organisation in Sydney's zone.
func forum(capacity int) dialogue.Event {
	syd, _ := time.LoadLocation("Australia/Sydney")
	start := time.Date(2026, 12, 10, 9, 0, 0, 0, syd)
	return dialogue.Event{Kind: "forum", Title: "ASEAN–Australia Digital Trade and Investment Forum", Description: "E-commerce, payments, data flows.",
		Languages: []string{"en", "id"}, VenueName: "KBRI Canberra", VenueAddress: "8 Darwin Avenue, Yarralumla ACT 2600", Zone: "Australia/Sydney",
		Start: start.UTC(), End: start.Add(3 * time.Hour).UTC(), Capacity: capacity, RegistrationOpen: true, Audience: dialogue.EventPublic,
		Agenda:   []dialogue.EventAgendaItem{{Time: "09:00", Title: "Opening", Speaker: "Ambassador"}},
		Speakers: []dialogue.EventSpeaker{{Name: "Dewi Lestari", Affiliation: "Kemendag", Bio: "Trade negotiator."}}}
}

// TestEventRegistrationConcurrent signs 40 people up at once for 10
// places: exactly 10 get a place and 30 wait, in one order without gaps;
// a cancellation gives the first on the list the place, and e-mails them.
func TestEventRegistrationConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newEventNode(t, e)
		n.Org(t, "kbri", core.OrgStateMinistry, "ID", "KBRI Canberra")
		org := n.As("Sari", "kbri", core.RoleOfficer)
		ev, err := n.ev.Create(org, "kbri", forum(10))
		if err != nil {
			t.Fatal(err)
		}
		const people = 40
		regs := make([]dialogue.EventRegistration, people)
		errs := make([]error, people)
		var wg sync.WaitGroup
		for i := range people {
			wg.Add(1)
			go func() {
				defer wg.Done()
				regs[i], errs[i] = n.ev.Register(person(fmt.Sprintf("u%02d", i), fmt.Sprintf("p%02d@example.org", i)), ev.ID)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("registration %d: %v", i, err)
			}
		}
		all, err := n.ev.Registrations(org, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		var placed, waiting []dialogue.EventRegistration
		for _, r := range all {
			switch r.State {
			case dialogue.EventRegistered:
				placed = append(placed, r)
			case dialogue.EventWaitlisted:
				waiting = append(waiting, r)
			}
		}
		if len(placed) != 10 || len(waiting) != 30 {
			t.Fatalf("%d registered and %d waiting, want 10 and 30", len(placed), len(waiting))
		}
		for i, r := range waiting {
			if r.Waiting != i+1 {
				t.Fatalf("waiting list position %d at index %d", r.Waiting, i)
			}
		}
		for _, r := range regs {
			if r.State == dialogue.EventWaitlisted && (r.Waiting < 1 || r.Waiting > 30) {
				t.Fatalf("told position %d", r.Waiting)
			}
		}
		got, err := n.ev.Get(org, ev.ID)
		if err != nil || got.Taken != 10 || got.Waiting != 30 || got.Left() != 0 {
			t.Fatalf("event counts %d taken, %d waiting, %d left: %v", got.Taken, got.Waiting, got.Left(), err)
		}
		// The first registered person leaves: the first on the list
		// takes the place and is told.
		leaver := placed[0]
		first := waiting[0]
		if err := n.ev.CancelRegistration(person(leaver.Name, leaver.Email), ev.ID); err != nil {
			t.Fatal(err)
		}
		mine, err := n.ev.MyRegistration(person(first.Name, first.Email), ev.ID)
		if err != nil || mine == nil || mine.State != dialogue.EventRegistered {
			t.Fatalf("the first on the list: %+v, %v", mine, err)
		}
		second, err := n.ev.MyRegistration(person(waiting[1].Name, waiting[1].Email), ev.ID)
		if err != nil || second.Waiting != 1 {
			t.Fatalf("the second on the list is now at %+v, %v", second, err)
		}
		msgs := mailsTo(n.mails(t), first.Email)
		if len(msgs) != 2 || !strings.HasPrefix(msgs[1].Subject, "You have a place") || len(msgs[1].Attachments) != 1 {
			t.Fatalf("e-mails to the promoted person: %+v", msgs)
		}
		if got, _ := n.ev.Get(org, ev.ID); got.Taken != 10 || got.Waiting != 29 {
			t.Fatalf("after the promotion: %d taken, %d waiting", got.Taken, got.Waiting)
		}
		if _, err := n.ev.Register(person(first.Name, first.Email), ev.ID); core.KindOf(err) != core.KindConflict {
			t.Fatalf("a second registration of the same person: %v", err)
		}
	})
}

// TestEventPublicSignup registers someone without an account for a
// public event, refuses bad input by field, cancels through the link,
// and throttles many sign-ups from one address.
func TestEventPublicSignup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newEventNode(t, e)
		n.Org(t, "kbri", core.OrgStateMinistry, "ID", "KBRI Canberra")
		org := n.As("Sari", "kbri", core.RoleOfficer)
		ev, err := n.ev.Create(org, "kbri", forum(0))
		if err != nil {
			t.Fatal(err)
		}
		anon := core.WithRequest(context.Background(), core.RequestInfo{ID: "t", IP: "203.0.113.9"})
		_, _, err = n.ev.RegisterPublic(anon, ev.ID, "", "not an address", "en")
		if f := fields(err); f["name"] != "err.required" || f["email"] != "err.ev_email_one" {
			t.Fatalf("bad sign-up: %v", err)
		}
		reg, tok, err := n.ev.RegisterPublic(anon, ev.ID, "Budi Santoso", "Budi@Example.org", "id")
		if err != nil || reg.State != dialogue.EventRegistered || reg.Email != "budi@example.org" {
			t.Fatalf("sign-up: %+v, %v", reg, err)
		}
		m := mailsTo(n.mails(t), "budi@example.org")
		if len(m) != 1 || !strings.Contains(m[0].Body, "/event-registrations/"+tok) || !strings.HasPrefix(m[0].Subject, "Terdaftar") {
			t.Fatalf("confirmation %+v", m)
		}
		if err := n.ev.CancelByToken(anon, tok); err != nil {
			t.Fatal(err)
		}
		if r, _, _ := n.ev.RegistrationByToken(anon, tok); r.State != dialogue.EventWithdrawn {
			t.Fatalf("after cancelling: %s", r.State)
		}
		if got, _ := n.ev.Get(org, ev.ID); got.Taken != 0 {
			t.Fatalf("%d places taken after the only one was given up", got.Taken)
		}
		var last error
		for i := range 12 {
			_, _, last = n.ev.RegisterPublic(anon, ev.ID, "Someone", fmt.Sprintf("s%d@example.org", i), "en")
		}
		if core.KindOf(last) != core.KindRateLimited {
			t.Fatalf("twelve sign-ups from one address in an hour: %v", last)
		}
		// An event of the organisation alone takes no sign-up without an account.
		closed := forum(0)
		closed.Audience = dialogue.EventOrg
		private, err := n.ev.Create(org, "kbri", closed)
		if err != nil {
			t.Fatal(err)
		}
		other := core.WithRequest(context.Background(), core.RequestInfo{ID: "t", IP: "198.51.100.1"})
		if _, _, err := n.ev.RegisterPublic(other, private.ID, "X", "x@example.org", "en"); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("signed up for an organisation's own event: %v", err)
		}
	})
}

func fields(err error) map[string]string {
	if ce := core.AsError(err); ce != nil && ce.Fields != nil {
		return ce.Fields
	}
	return map[string]string{}
}

// TestEventInvitationsAndSequence invites an organisation on this node
// and an address typed by the organiser: each gets METHOD:REQUEST; an
// edit of the title alone keeps SEQUENCE and sends nothing; a new time
// raises it and sends the update; a cancellation sends METHOD:CANCEL.
// Who may see the event follows its audience.
func TestEventInvitationsAndSequence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newEventNode(t, e)
		n.Org(t, "kbri", core.OrgStateMinistry, "ID", "KBRI Canberra")
		n.Org(t, "dfat", core.OrgStateMinistry, "AU", "DFAT")
		n.Org(t, "other", core.OrgStateMinistry, "MY", "Other")
		org := n.As("Sari", "kbri", core.RoleOfficer)
		var dfatUser string
		if err := n.DB.WithTx(context.Background(), func(tx *store.Tx) error {
			dfatUser = core.NewID(tx.Now)
			if _, err := tx.Exec(context.Background(), `INSERT INTO users (id, email, name, lang, created_at) VALUES (?, ?, ?, ?, ?)`,
				dfatUser, "jo@dfat.example", "Jo", "en", tx.Now); err != nil {
				return err
			}
			_, err := tx.Exec(context.Background(), `INSERT INTO memberships (user_id, org_id, role, created_at) SELECT ?, id, 'officer', ? FROM organisations WHERE handle = 'dfat'`, dfatUser, tx.Now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		in := forum(20)
		in.Kind, in.Audience = "briefing", dialogue.EventInvited
		in.Invited = []string{n.Addr("dfat"), "bssn@peer.example"}
		in.InviteEmails = []string{"Guest@Example.org"}
		ev, err := n.ev.Create(org, "kbri", in)
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []string{"jo@dfat.example", "guest@example.org"} {
			m := mailsTo(n.mails(t), to)
			if len(m) != 1 || !strings.HasPrefix(m[0].Subject, "Invitation") || len(m[0].Attachments) != 1 ||
				!strings.Contains(m[0].Attachments[0].ContentType, "method=REQUEST") || !strings.Contains(string(m[0].Attachments[0].Data), "SEQUENCE:0\r\n") {
				t.Fatalf("invitation to %s: %+v", to, m)
			}
		}
		if _, err := n.ev.Get(n.As("Jo", "dfat", core.RoleMember), ev.ID); err != nil {
			t.Fatalf("an invited organisation's member cannot see it: %v", err)
		}
		// The invitation waits on the guest (invited by e-mail) and on the
		// invited organisation's people until they register.
		guest := person("guest", "guest@example.org")
		if inv, err := n.ev.Invitations(guest); err != nil || len(inv) != 1 || inv[0].ID != ev.ID {
			t.Fatalf("the guest's invitations: %v, %v", inv, err)
		}
		if inv, _ := n.ev.Invitations(n.As("Jo", "dfat", core.RoleMember)); len(inv) != 1 {
			t.Fatalf("the invited organisation's invitations: %v", inv)
		}
		if inv, _ := n.ev.Invitations(org); len(inv) != 0 {
			t.Fatalf("the organiser is invited to their own event: %v", inv)
		}
		if _, err := n.ev.Register(guest, ev.ID); err != nil {
			t.Fatal(err)
		}
		if inv, _ := n.ev.Invitations(guest); len(inv) != 0 {
			t.Fatalf("still invited after registering: %v", inv)
		}
		if _, err := n.ev.Get(n.As("Ola", "other", core.RoleAdmin), ev.ID); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("an organisation not invited sees it: %v", err)
		}
		if _, err := n.ev.Get(context.Background(), ev.ID); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("anyone sees an event for invited organisations: %v", err)
		}
		if _, err := n.ev.Update(n.As("Jo", "dfat", core.RoleAdmin), ev.ID, in); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("an invited organisation edited it: %v", err)
		}
		before := len(n.mails(t))
		ch := ev
		ch.Title = "Cyber briefing for partners"
		up, err := n.ev.Update(org, ev.ID, ch)
		if err != nil || up.Sequence != 0 || len(n.mails(t)) != before {
			t.Fatalf("a new title: sequence %d, %d e-mails (%v)", up.Sequence, len(n.mails(t))-before, err)
		}
		ch.Start, ch.End = ch.Start.Add(time.Hour), ch.End.Add(time.Hour)
		up, err = n.ev.Update(org, ev.ID, ch)
		if err != nil || up.Sequence != 1 {
			t.Fatalf("a new time: sequence %d (%v)", up.Sequence, err)
		}
		m := mailsTo(n.mails(t), "guest@example.org")
		// Invited, registered, then the change: once, though both invited
		// and registered.
		if len(m) != 3 || !strings.HasPrefix(m[1].Subject, "Registered") || !strings.HasPrefix(m[2].Subject, "Changed") || !strings.Contains(string(m[2].Attachments[0].Data), "SEQUENCE:1\r\n") {
			t.Fatalf("update to the guest: %+v", m)
		}
		if _, err := n.ev.Cancel(org, ev.ID, ""); fields(err)["reason"] != "err.required" {
			t.Fatalf("a cancellation without a reason: %v", err)
		}
		cancelled, err := n.ev.Cancel(org, ev.ID, "The venue is closed.")
		if err != nil || cancelled.Sequence != 2 || !cancelled.Cancelled() {
			t.Fatalf("cancelled: %+v, %v", cancelled, err)
		}
		m = mailsTo(n.mails(t), "jo@dfat.example")
		if len(m) != 3 || !strings.HasPrefix(m[2].Subject, "Cancelled") || !strings.Contains(m[2].Attachments[0].ContentType, "method=CANCEL") ||
			!strings.Contains(string(m[2].Attachments[0].Data), "METHOD:CANCEL\r\n") || !strings.Contains(string(m[2].Attachments[0].Data), "STATUS:CANCELLED\r\n") {
			t.Fatalf("cancellation to Jo: %+v", m)
		}
		if _, err := n.ev.Register(person("late", "late@example.org"), ev.ID); err == nil {
			t.Fatal("registered for a cancelled event")
		}
	})
}

// TestEventReminder reminds the people with a place once, a day before.
func TestEventReminder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newEventNode(t, e)
		n.Org(t, "kbri", core.OrgStateMinistry, "ID", "KBRI Canberra")
		org := n.As("Sari", "kbri", core.RoleOfficer)
		ev, err := n.ev.Create(org, "kbri", forum(1))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.ev.Register(person("a", "a@example.org"), ev.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := n.ev.Register(person("b", "b@example.org"), ev.ID); err != nil {
			t.Fatal(err)
		}
		if err := n.ev.Remind(context.Background()); err != nil || len(mailsTo(n.mails(t), "a@example.org")) != 1 {
			t.Fatalf("reminded five weeks early (%v)", err)
		}
		n.clock.Advance(ev.Start.Add(-20 * time.Hour).Sub(n.clock.Now()))
		for range 2 {
			if err := n.ev.Remind(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		a, b := mailsTo(n.mails(t), "a@example.org"), mailsTo(n.mails(t), "b@example.org")
		if len(a) != 2 || !strings.HasPrefix(a[1].Subject, "Tomorrow") || !strings.Contains(a[1].Body, "2026-12-10 09:00 (Australia/Sydney)") || len(b) != 1 {
			t.Fatalf("reminders: %+v / %+v", a, b)
		}
		if !slices.ContainsFunc(a, func(m notify.Message) bool { return strings.Contains(m.Body, "/events/"+ev.ID) }) {
			t.Fatal("no link to the event")
		}
	})
}
