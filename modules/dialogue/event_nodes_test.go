package dialogue_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/dialogue"
)

// peerEvent is a briefing of asean (the host's node) that invites kemlu
// (on id) and dfat (on au), with places for capacity people.
func peerEvent(w *dlgWorld, capacity int) dialogue.Event {
	in := forum(capacity)
	in.Kind, in.Audience, in.Title = "briefing", dialogue.EventInvited, "ASEAN briefing on ransomware against hospitals"
	in.Invited = []string{w.ID.Addr("kemlu"), w.AU.Addr("dfat")}
	return in
}

// waitEvent waits until the person's node shows them the event as ok
// wants it, and returns it.
func waitEvent(t testing.TB, p *dlgPerson, id, what string, ok func(dialogue.Event) bool) dialogue.Event {
	t.Helper()
	var got dialogue.Event
	fedtest.Eventually(t, what, func() bool {
		e, err := p.node.Ev.Get(p.Ctx, id)
		got = e
		return err == nil && ok(e)
	})
	return got
}

// waitMail waits until the node has e-mailed to the message ok wants.
func waitMail(t testing.TB, n *dnode, to, what string, ok func(notify.Message) bool) notify.Message {
	t.Helper()
	var got notify.Message
	fedtest.Eventually(t, what, func() bool {
		for _, m := range mailsTo(n.Mail.All(), to) {
			if ok(m) {
				got = m
				return true
			}
		}
		return false
	})
	return got
}

// withCalendar is a message whose subject starts with prefix and whose
// calendar file has the method and holds every line of want.
func withCalendar(prefix, method string, want ...string) func(notify.Message) bool {
	return func(m notify.Message) bool {
		if !strings.HasPrefix(m.Subject, prefix) || len(m.Attachments) != 1 || !strings.Contains(m.Attachments[0].ContentType, "method="+method) {
			return false
		}
		for _, l := range append(want, "METHOD:"+method) {
			if !strings.Contains(string(m.Attachments[0].Data), l+"\r\n") {
				return false
			}
		}
		return true
	}
}

// feed is the person's own calendar feed, as their calendar program reads it.
func feed(t testing.TB, p *dlgPerson, tok string) string {
	t.Helper()
	c, err := p.node.Ev.PersonFeed(context.Background(), tok)
	dlgMust(t, "feed", err)
	return string(c.Bytes())
}

// uidLine is the UID line of a calendar of one event.
func uidLine(t testing.TB, ics string) string {
	t.Helper()
	for _, l := range strings.Split(ics, "\r\n") {
		if strings.HasPrefix(l, "UID:") {
			return l
		}
	}
	t.Fatalf("no UID in %s", ics)
	return ""
}

// TestEventAcrossNodes: an event of the host's node that invites
// organisations on two peers reaches their people through their own
// nodes: page, list, feed (with the organiser's UID), attention, and the
// invitation by e-mail with METHOD:REQUEST; a change raises SEQUENCE on
// the peer's feed and a node whose organisation is no longer invited
// drops its copy; a cancellation reaches the feed as STATUS:CANCELLED and
// the people with METHOD:CANCEL.
func TestEventAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newDlgWorld(t, e)
		mod, author, au := w.P[pModerator], w.P[pAuthor], w.P[pAU]
		ev, err := w.Host.Ev.Create(mod.Ctx, "asean", peerEvent(w, 0))
		dlgMust(t, "create", err)

		for _, p := range []*dlgPerson{author, au} {
			got := waitEvent(t, p, ev.ID, "the copy on "+p.node.Name, func(x dialogue.Event) bool { return x.Sequence == 0 })
			if got.Title != ev.Title || got.Host != w.Host.Host || got.OrgName != aseanName || !got.Start.Equal(ev.Start) || got.Zone != ev.Zone ||
				got.VenueName != ev.VenueName || len(got.Agenda) != 1 || len(got.Speakers) != 1 {
				t.Fatalf("%s's copy: %+v", p.node.Name, got)
			}
			if len(got.InviteEmails) != 0 || got.Minutes != "" {
				t.Fatalf("the copy carries more than the invited need: %+v", got)
			}
		}
		if _, err := w.ID.Ev.Get(w.P[pIDOut].Ctx, ev.ID); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("a person of an organisation not invited reads the copy: %v", err)
		}
		if _, err := w.ID.Ev.Get(w.P[pIDAdmin].Ctx, ev.ID); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("the node's administrator reads the copy: %v", err)
		}
		list, err := w.ID.Ev.List(author.Ctx, dialogue.EventListFilter{})
		if err != nil || len(list) != 1 || list[0].ID != ev.ID {
			t.Fatalf("the author's events: %+v, %v", list, err)
		}
		if inv, err := w.ID.Ev.Invitations(author.Ctx); err != nil || len(inv) != 1 || inv[0].ID != ev.ID {
			t.Fatalf("what needs the author's attention: %+v, %v", inv, err)
		}
		page := author.Get(t, "/events/"+ev.ID, "")
		if page.Status != 200 || !strings.Contains(page.Body, ev.Title) || !strings.Contains(page.Body, "organised on the node "+w.Host.Host) {
			t.Fatalf("the event's page on the author's node: %d", page.Status)
		}
		if res := author.Get(t, "/events/"+ev.ID+"/edit", ""); res.Status == 200 {
			t.Fatal("a peer's event is editable on the invited node")
		}

		// The author's node e-mails them the invitation; the organiser's
		// node e-mails nobody of a peer.
		inv := waitMail(t, w.ID, author.Email, "the invitation", withCalendar("Invitation", "REQUEST", "SEQUENCE:0"))
		hostFile, err := w.Host.Ev.EventFile(mod.Ctx, ev.ID)
		dlgMust(t, "the organiser's calendar file", err)
		uid := uidLine(t, string(hostFile.Bytes()))
		if got := uidLine(t, string(inv.Attachments[0].Data)); got != uid || !strings.Contains(uid, ev.ID) {
			t.Fatalf("the invitation's %s, the organiser's %s", got, uid)
		}
		tok, err := w.ID.Ev.ResetFeed(author.Ctx)
		dlgMust(t, "feed address", err)
		if f := feed(t, author, tok); uidLine(t, f) != uid || !strings.Contains(f, "SEQUENCE:0\r\n") {
			t.Fatalf("the author's feed: %s", f)
		}

		// A new time: SEQUENCE goes up on the peer's feed, the invited are
		// told; au's organisation is no longer invited and its node drops
		// the copy.
		in := peerEvent(w, 0)
		in.Start, in.End = ev.Start.Add(time.Hour), ev.End.Add(time.Hour)
		in.Invited = []string{w.ID.Addr("kemlu")}
		_, err = w.Host.Ev.Update(mod.Ctx, ev.ID, in)
		dlgMust(t, "update", err)
		waitEvent(t, author, ev.ID, "the changed copy", func(x dialogue.Event) bool { return x.Sequence == 1 && x.Start.Equal(in.Start) })
		if f := feed(t, author, tok); !strings.Contains(f, "SEQUENCE:1\r\n") || uidLine(t, f) != uid {
			t.Fatalf("the author's feed after the change: %s", f)
		}
		waitMail(t, w.ID, author.Email, "the update", withCalendar("Changed", "REQUEST", "SEQUENCE:1"))
		fedtest.Eventually(t, "au dropping its copy", func() bool {
			var n int
			dlgMust(t, "count", w.AU.DB.R().Get(context.Background(), &n, `SELECT COUNT(*) FROM ev_copies WHERE id = ?`, ev.ID))
			return n == 0
		})
		if _, err := w.AU.Ev.Get(au.Ctx, ev.ID); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("au still shows it: %v", err)
		}

		_, err = w.Host.Ev.Cancel(mod.Ctx, ev.ID, "The venue is closed.")
		dlgMust(t, "cancel", err)
		waitEvent(t, author, ev.ID, "the cancelled copy", func(x dialogue.Event) bool { return x.Cancelled() && x.CancelReason == "The venue is closed." })
		if f := feed(t, author, tok); !strings.Contains(f, "STATUS:CANCELLED\r\n") || !strings.Contains(f, "SEQUENCE:2\r\n") {
			t.Fatalf("the author's feed after the cancellation: %s", f)
		}
		waitMail(t, w.ID, author.Email, "the cancellation", withCalendar("Cancelled", "CANCEL", "SEQUENCE:2", "STATUS:CANCELLED"))
		if inv, _ := w.ID.Ev.Invitations(author.Ctx); len(inv) != 0 {
			t.Fatalf("a cancelled event still waits on the author: %+v", inv)
		}
		for _, p := range []*dlgPerson{author, au, w.P[pColleague]} {
			if m := mailsTo(w.Host.Mail.All(), p.Email); len(m) != 0 {
				t.Fatalf("the organiser's node e-mailed %s: %+v", p.Email, m)
			}
		}
	})
}

// TestEventRegistrationAcrossNodes: people of an invited organisation on a
// peer register on their own node. The organiser's node gives the last
// place to the first and the waiting list to the second, by the rule of
// sign-ups there, and their node tells them; when the first cancels, the
// second is promoted and told by their node. Only name, e-mail and
// organisation reach the organiser.
func TestEventRegistrationAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newDlgWorld(t, e)
		mod, author, colleague := w.P[pModerator], w.P[pAuthor], w.P[pColleague]
		local := w.P[pHostMember]
		ev, err := w.Host.Ev.Create(mod.Ctx, "asean", peerEvent(w, 2))
		dlgMust(t, "create", err)
		_, err = w.Host.Ev.Register(local.Ctx, ev.ID)
		dlgMust(t, "a local sign-up", err)
		waitEvent(t, author, ev.ID, "one place left on id", func(x dialogue.Event) bool { return x.Left() == 1 })

		reg, err := w.ID.Ev.Register(author.Ctx, ev.ID)
		if err != nil || reg.State != "pending" {
			t.Fatalf("the author's registration: %+v, %v", reg, err)
		}
		if _, err := w.ID.Ev.Register(author.Ctx, ev.ID); core.KindOf(err) != core.KindConflict {
			t.Fatalf("registering twice: %v", err)
		}
		waitMail(t, w.ID, author.Email, "the author's place", withCalendar("Registered", "REQUEST"))
		if r, err := w.ID.Ev.MyRegistration(author.Ctx, ev.ID); err != nil || r == nil || r.State != dialogue.EventRegistered {
			t.Fatalf("the author's registration on id: %+v, %v", r, err)
		}
		// The colleague registers through their node's page.
		if res := colleague.Post(t, "/events/"+ev.ID+"/register", nil); res.Status != 303 {
			t.Fatalf("the colleague's registration through the page: %d %s", res.Status, res.Body)
		}
		waitMail(t, w.ID, colleague.Email, "the colleague's turn", func(m notify.Message) bool {
			return strings.HasPrefix(m.Subject, "Waiting list") && strings.Contains(m.Body, "number 1 on the waiting list")
		})
		if r, err := w.ID.Ev.MyRegistration(colleague.Ctx, ev.ID); err != nil || r == nil || r.State != dialogue.EventWaitlisted || r.Waiting != 1 {
			t.Fatalf("the colleague's registration on id: %+v, %v", r, err)
		}
		if page := colleague.Get(t, "/events/"+ev.ID, ""); !strings.Contains(page.Body, "number 1 on the waiting list") {
			t.Fatalf("the colleague's page does not say their turn: %s", page.Body)
		}

		regs, err := w.Host.Ev.Registrations(mod.Ctx, ev.ID)
		dlgMust(t, "registrations", err)
		var states []string
		for _, r := range regs {
			states = append(states, r.Name+" "+r.Email+" "+r.State+" "+r.Origin)
			if r.Origin != "" && (r.UserID != "" || r.Lang != "en") {
				t.Fatalf("more than name, e-mail and organisation crossed: %+v", r)
			}
		}
		want := []string{
			hostMember + " " + local.Email + " registered ",
			authorName + " " + author.Email + " registered " + w.ID.Addr("kemlu"),
			colleague.Name + " " + colleague.Email + " waitlisted " + w.ID.Addr("kemlu"),
		}
		if strings.Join(states, "\n") != strings.Join(want, "\n") {
			t.Fatalf("the organiser's registrations:\n%s\nwant\n%s", strings.Join(states, "\n"), strings.Join(want, "\n"))
		}

		dlgMust(t, "the author cancels", w.ID.Ev.CancelRegistration(author.Ctx, ev.ID))
		if r, _ := w.ID.Ev.MyRegistration(author.Ctx, ev.ID); r != nil {
			t.Fatalf("the author's cancelled registration: %+v", r)
		}
		waitMail(t, w.ID, colleague.Email, "the colleague's promotion", withCalendar("You have a place", "REQUEST"))
		if r, err := w.ID.Ev.MyRegistration(colleague.Ctx, ev.ID); err != nil || r == nil || r.State != dialogue.EventRegistered {
			t.Fatalf("the colleague after the promotion: %+v, %v", r, err)
		}
		got, err := w.Host.Ev.Get(mod.Ctx, ev.ID)
		if err != nil || got.Taken != 2 || got.Waiting != 0 {
			t.Fatalf("the organiser's counts: %+v, %v", got, err)
		}
		for _, p := range []*dlgPerson{author, colleague} {
			if m := mailsTo(w.Host.Mail.All(), p.Email); len(m) != 0 {
				t.Fatalf("the organiser's node e-mailed %s: %+v", p.Email, m)
			}
		}
	})
}

// TestEventHostilePeer: a node is believed only about events its ids tag
// as its own and registrations of its own organisations.
func TestEventHostilePeer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newDlgWorld(t, e)
		mod, author := w.P[pModerator], w.P[pAuthor]
		ev, err := w.Host.Ev.Create(mod.Ctx, "asean", peerEvent(w, 1))
		dlgMust(t, "create", err)
		waitEvent(t, author, ev.ID, "the copy on id", func(dialogue.Event) bool { return true })

		forged := ev
		forged.Title, forged.Sequence, forged.InviteEmails, forged.Org = "Hijacked", 9, nil, "dfat"
		env := forge(t, w.AU, dialogue.TypeEventCopy, dialogue.TypeEventCopy, "dfat", w.ID.Addr("kemlu"), map[string]any{"event": forged, "rev": 1000})
		if why := refused(t, w.AU, env); !strings.Contains(why, "organised elsewhere") {
			t.Fatalf("a copy of an event au does not organise: %s", why)
		}
		env = forge(t, w.AU, dialogue.TypeEventStatus, dialogue.TypeEventStatus, "dfat", w.ID.Addr("kemlu"),
			map[string]any{"event": ev.ID, "ref": core.NewID(time.Now()), "state": "registered", "tell": "ev_registered"})
		if why := refused(t, w.AU, env); !strings.Contains(why, "organised elsewhere") {
			t.Fatalf("a status about an event au does not organise: %s", why)
		}
		env = forge(t, w.AU, dialogue.TypeEventRegister, dialogue.TypeEventRegister, "dfat", w.Host.Addr("asean"),
			map[string]any{"id": core.NewID(time.Now()), "event": ev.ID, "by": w.ID.Addr("kemlu"), "name": "Mallory", "email": "mallory@au.test"})
		if why := refused(t, w.AU, env); !strings.Contains(why, "another organisation") {
			t.Fatalf("a registration for another node's organisation: %s", why)
		}
		env = forge(t, w.AU, dialogue.TypeEventRegister, dialogue.TypeEventRegister, "anu", w.Host.Addr("asean"),
			map[string]any{"id": core.NewID(time.Now()), "event": ev.ID, "by": w.AU.Addr("anu"), "name": "Mallory", "email": "mallory@au.test"})
		if why := refused(t, w.AU, env); !strings.Contains(why, "not invited") {
			t.Fatalf("a registration through an organisation not invited: %s", why)
		}

		if got := waitEvent(t, author, ev.ID, "the copy on id", func(dialogue.Event) bool { return true }); got.Title != ev.Title || got.Sequence != 0 {
			t.Fatalf("id's copy was changed: %+v", got)
		}
		if regs, _ := w.Host.Ev.Registrations(mod.Ctx, ev.ID); len(regs) != 0 {
			t.Fatalf("the organiser took %+v", regs)
		}
	})
}
