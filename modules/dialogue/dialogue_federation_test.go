package dialogue_test

import (
	"context"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/dialogue"
)

// inboxCount counts the envelopes of a type a node received from addr.
func inboxCount(t testing.TB, n *dnode, typ, from string) int {
	t.Helper()
	var c int
	if err := n.DB.R().Get(context.Background(), &c, `SELECT COUNT(*) FROM inbox WHERE type = ? AND from_addr = ?`, typ, from); err != nil {
		t.Fatal(err)
	}
	return c
}

// wantMailed checks that each person's node e-mailed them a link to path.
func wantMailed(t testing.TB, what, path string, people ...*dlgPerson) {
	t.Helper()
	for _, p := range people {
		found := false
		for _, m := range p.node.Mail.All() {
			found = found || (m.To == p.Email && strings.Contains(m.Body, p.node.URL+path+"\n"))
		}
		if !found {
			t.Errorf("%s was not %s (%s)", p.Name, what, path)
		}
	}
}

// wantUnmailed checks that no e-mail to the people mentions the dialogue.
func wantUnmailed(t testing.TB, id string, people ...*dlgPerson) {
	t.Helper()
	for _, p := range people {
		for _, m := range p.node.Mail.All() {
			if m.To == p.Email && strings.Contains(m.Subject+m.Body, id) {
				t.Errorf("%s was e-mailed of the dialogue: %s", p.Name, m.Subject)
			}
		}
	}
}

// TestDialogueAcrossNodes: a Chatham House dialogue hosted on one node with
// participants on two others. A contribution written on one peer reaches
// the host as a signed envelope and every participating node as a signed
// copy without its author; replies, hiding with a reason, holding and
// releasing, and closing a thread reach every copy; the rapporteur on a
// peer publishes through the host, which returns a summary naming a
// contributor or a participating organisation; a node whose last party is
// removed drops its copy.
func TestDialogueAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newDlgWorld(t, e)
		d := w.Open(t, dialogue.RuleChatham)
		author, au, mod := w.P[pAuthor], w.P[pAU], w.P[pModerator]
		// Each node invites its own people when the first copy arrives.
		for _, n := range []*dnode{w.ID, w.AU} {
			n.Drain(t)
		}
		wantMailed(t, "invited", "/dialogue/"+d.ID, w.P[pAuthor], w.P[pColleague], w.P[pAU], w.P[pRapporteur])

		// A contribution from id: an act to the host, a copy to au.
		const first = "Hospitals should keep offline backups and rehearse restoring them."
		dlgMust(t, "contribute from id", w.ID.Svc.Contribute(author.Ctx, d.ID, dialogue.ContributionInput{Body: first}))
		atHost := w.WaitFor(t, pModerator, d.ID, first, func(c dialogue.Contribution) bool { return true })
		if atHost.AuthorName != authorName || atHost.AuthorOrg != w.ID.Addr("kemlu") || atHost.Seq != 1 {
			t.Fatalf("the host's moderator sees %q (%q) seq %d", atHost.AuthorName, atHost.AuthorOrg, atHost.Seq)
		}
		if n := inboxCount(t, w.Host, dialogue.TypeAct, w.ID.Addr("kemlu")); n != 1 {
			t.Fatalf("the host received %d signed acts from kemlu", n)
		}
		onAU := w.WaitFor(t, pAU, d.ID, first, func(c dialogue.Contribution) bool { return true })
		if onAU.AuthorName != "" || onAU.AuthorOrg != "" || onAU.Mine || onAU.ID != atHost.ID {
			t.Fatalf("au's participant sees %+v", onAU)
		}
		mine := w.WaitFor(t, pAuthor, d.ID, first, func(c dialogue.Contribution) bool { return true })
		if !mine.Mine || mine.AuthorName != "" {
			t.Fatalf("the author on id sees their own as %+v", mine)
		}
		for _, n := range []*dnode{w.ID, w.AU} {
			if c := inboxCount(t, n, dialogue.TypeCopy, w.Host.Addr("asean")); c == 0 {
				t.Fatalf("%s holds no signed copy", n.Name)
			}
		}

		// A reply from au reaches the host and id.
		const reply = "Restoring takes days; the playbook should say who decides to pay."
		dlgMust(t, "reply from au", w.AU.Svc.Contribute(au.Ctx, d.ID, dialogue.ContributionInput{Parent: atHost.ID, Body: reply}))
		r := w.WaitFor(t, pAuthor, d.ID, reply, func(c dialogue.Contribution) bool { return true })
		if r.Parent != atHost.ID || r.AuthorName != "" {
			t.Fatalf("the reply on id: %+v", r)
		}

		// Hidden with a reason: every copy shows the reason, not the text;
		// its author still reads what they wrote, from their own node.
		const why = "It names a hospital still under investigation."
		dlgMust(t, "hide", w.Host.Svc.Moderate(mod.Ctx, d.ID, atHost.ID, dialogue.ModHide, why))
		for _, who := range []string{pAuthor, pAU, pHostMember} {
			c := w.WaitFor(t, who, d.ID, "", func(c dialogue.Contribution) bool { return c.ID == atHost.ID && c.State == dialogue.StateHidden })
			want := ""
			if who == pAuthor {
				want = first
			}
			if c.Reason != why || c.Body != want {
				t.Fatalf("%s sees the hidden contribution as %+v", who, c)
			}
		}
		if c := w.WaitFor(t, pModerator, d.ID, first, func(c dialogue.Contribution) bool { return true }); c.State != dialogue.StateHidden {
			t.Fatalf("the moderator sees %+v", c)
		}
		for _, n := range []*dnode{w.ID, w.AU} {
			var body string
			dlgMust(t, "row", n.DB.R().Get(context.Background(), &body, `SELECT body FROM dlg_contributions WHERE id = ?`, atHost.ID))
			if body != "" {
				t.Fatalf("%s still stores the hidden text %q", n.Name, body)
			}
		}
		// A hidden contribution takes no more replies.
		err := w.ID.Svc.Contribute(author.Ctx, d.ID, dialogue.ContributionInput{Parent: atHost.ID, Body: "But…"})
		if dlgField(err, "parent") != "err.dlg_thread_closed" {
			t.Fatalf("a reply to a hidden contribution: %v", err)
		}

		// Held: only the moderators and its author see it; released, everyone.
		dlgMust(t, "hold", w.Host.Svc.Moderate(mod.Ctx, d.ID, r.ID, dialogue.ModHold, ""))
		w.WaitFor(t, pAU, d.ID, "", func(c dialogue.Contribution) bool { return c.ID == r.ID && c.State == dialogue.StateHeld && c.Mine })
		fedtest.Eventually(t, "the held reply gone from id", func() bool {
			for _, c := range w.All(t, pAuthor, d.ID) {
				if c.ID == r.ID {
					return false
				}
			}
			return true
		})
		dlgMust(t, "release", w.Host.Svc.Moderate(mod.Ctx, d.ID, r.ID, dialogue.ModRelease, ""))
		w.WaitFor(t, pAuthor, d.ID, reply, func(c dialogue.Contribution) bool { return c.State == dialogue.StateVisible })

		// A closed thread takes no replies, on any node.
		const topic = "Should insurers be allowed to reimburse ransoms?"
		dlgMust(t, "a thread from the host", w.Host.Svc.Contribute(w.P[pHostMember].Ctx, d.ID, dialogue.ContributionInput{Body: topic}))
		th := w.WaitFor(t, pAuthor, d.ID, topic, func(c dialogue.Contribution) bool { return true })
		dlgMust(t, "close", w.Host.Svc.Moderate(mod.Ctx, d.ID, th.ID, dialogue.ModClose, ""))
		w.WaitFor(t, pAuthor, d.ID, topic, func(c dialogue.Contribution) bool { return c.Closed })
		w.WaitFor(t, pAU, d.ID, topic, func(c dialogue.Contribution) bool { return c.Closed })
		for _, p := range []*dlgPerson{author, au, w.P[pHostMember]} {
			err := p.node.Svc.Contribute(p.Ctx, d.ID, dialogue.ContributionInput{Parent: th.ID, Body: "One more point."})
			if dlgField(err, "parent") != "err.dlg_thread_closed" {
				t.Fatalf("%s replying to a closed thread: %v", p.Name, err)
			}
		}

		// The rapporteur on au publishes through the host: naming a
		// participating organisation returns the summary, and its text goes
		// nowhere. Naming a person is not checked automatically (the
		// answer would tell the rapporteur who spoke): the host's
		// moderators are shown the contributors it names, and return it.
		rap := w.P[pRapporteur]
		noText := func(text string) {
			t.Helper()
			for _, n := range w.Nodes() {
				var docs []string
				dlgMust(t, "docs", n.DB.R().Select(context.Background(), &docs, `SELECT doc || signed FROM dlg_dialogues`))
				for _, doc := range docs {
					if strings.Contains(doc, text) {
						t.Fatalf("%s stores the returned summary", n.Name)
					}
				}
			}
		}
		for _, text := range []string{
			"The " + strings.ToUpper(dfatName) + " offered to fund exercises.",
			"kemlu argued for a regional playbook.",
			"The DFAT delegate offered exercises.",
		} {
			dlgMust(t, "send the summary", w.AU.Svc.SaveSummary(rap.Ctx, d.ID, dialogue.SummaryInput{Text: text, Publish: true}))
			w.WaitDoc(t, d.ID, func(d *dialogue.Dialogue) bool {
				return d.Summary.Status == dialogue.SummaryReturned && d.Summary.Reason == "err.dlg_summary_names_org" && d.Summary.Text == ""
			}, w.Host, w.ID, w.AU)
			noText(text)
		}
		for _, text := range []string{
			"As " + authorName + " put it, backups are the first line.",
			"Ms " + strings.Fields(authorName)[1] + " doubted that bans work.",
		} {
			dlgMust(t, "send the summary", w.AU.Svc.SaveSummary(rap.Ctx, d.ID, dialogue.SummaryInput{Text: text, Publish: true}))
			w.WaitDoc(t, d.ID, func(d *dialogue.Dialogue) bool {
				return d.Summary.Status == dialogue.SummaryPublished && d.Summary.Text == text
			}, w.Host, w.ID, w.AU)
			hv, err := w.Host.Svc.Get(mod.Ctx, d.ID)
			dlgMust(t, "get", err)
			named, err := w.Host.Svc.ContributorsNamed(mod.Ctx, hv)
			dlgMust(t, "named", err)
			if len(named) != 1 || named[0] != authorName {
				t.Fatalf("the moderator is shown %q for %q", named, text)
			}
			pv, err := w.Host.Svc.Get(w.P[pHostMember].Ctx, d.ID)
			dlgMust(t, "get", err)
			if named, _ := w.Host.Svc.ContributorsNamed(w.P[pHostMember].Ctx, pv); len(named) != 0 {
				t.Fatalf("a participant is shown %q", named)
			}
			dlgWantKind(t, "a participant returns the summary", w.Host.Svc.ReturnSummary(w.P[pHostMember].Ctx, d.ID, "No."), core.KindForbidden)
			dlgMust(t, "return", w.Host.Svc.ReturnSummary(mod.Ctx, d.ID, "It names a participant."))
			w.WaitDoc(t, d.ID, func(d *dialogue.Dialogue) bool {
				return d.Summary.Status == dialogue.SummaryReturned && d.Summary.Note == "It names a participant." && d.Summary.Text == ""
			}, w.Host, w.ID, w.AU)
			noText(text)
		}
		const summary = "Participants agreed that tested offline backups matter more than any payment decision."
		dlgMust(t, "publish the summary", w.AU.Svc.SaveSummary(rap.Ctx, d.ID, dialogue.SummaryInput{Text: summary, Publish: true}))
		w.WaitDoc(t, d.ID, func(d *dialogue.Dialogue) bool {
			return d.Summary.Status == dialogue.SummaryPublished && d.Summary.Text == summary
		}, w.Host, w.ID, w.AU)
		for _, n := range w.Nodes() {
			n.Drain(t)
		}
		wantMailed(t, "told of the summary", "/dialogue/"+d.ID+"/summary", w.P[pModerator], w.P[pHostMember], w.P[pAuthor], w.P[pColleague], w.P[pAU], w.P[pRapporteur])
		err = w.AU.Svc.SaveSummary(au.Ctx, d.ID, dialogue.SummaryInput{Text: "Not mine to write.", Publish: true})
		dlgWantKind(t, "a participant publishing a summary", err, core.KindForbidden)

		// Removing dfat leaves au its copy (anu is the rapporteur);
		// removing kemlu, id's only party, drops id's.
		dlgMust(t, "remove dfat", w.Host.Svc.RemoveParty(mod.Ctx, d.ID, w.AU.Addr("dfat"), dialogue.RoleParticipant))
		dlgMust(t, "remove kemlu", w.Host.Svc.RemoveParty(mod.Ctx, d.ID, w.ID.Addr("kemlu"), dialogue.RoleParticipant))
		w.WaitGone(t, d.ID, w.ID)
		var left int
		dlgMust(t, "count", w.ID.DB.R().Get(context.Background(), &left, `SELECT COUNT(*) FROM dlg_contributions WHERE dialogue_id = ?`, d.ID))
		if left != 0 {
			t.Fatalf("id keeps %d contributions of a dialogue it left", left)
		}
		_, err = w.ID.Svc.Get(author.Ctx, d.ID)
		dlgWantKind(t, "kemlu reading after removal", err, core.KindNotFound)
		fedtest.Eventually(t, "au's copy without dfat", func() bool {
			v, err := w.AU.Svc.Get(rap.Ctx, d.ID)
			return err == nil && len(v.D.Parties) == 3
		})
		_, err = w.AU.Svc.Get(au.Ctx, d.ID)
		dlgWantKind(t, "dfat reading after removal", err, core.KindNotFound)
		wantUnmailed(t, d.ID, w.P[pHostOut], w.P[pIDOut], w.P[pHostAdmin], w.P[pIDAdmin], w.P[pAUAdmin])
		if _, err := w.AU.Svc.Get(rap.Ctx, d.ID); err != nil {
			t.Fatalf("anu reading after dfat's removal: %v", err)
		}
	})
}

// TestDialoguePremoderated: in a premoderated dialogue a contribution from
// a peer waits at the host: its moderators are e-mailed (without who wrote
// it), other participants do not see it, its author does; released, it
// reaches every node.
func TestDialoguePremoderated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newDlgWorld(t, e)
		mod, author := w.P[pModerator], w.P[pAuthor]
		d, err := w.Host.Svc.Create(mod.Ctx, dialogue.Input{Host: "asean", Title: "Premoderated forum", Rule: dialogue.RuleChatham, Premoderated: true})
		dlgMust(t, "create", err)
		dlgMust(t, "invite kemlu", w.Host.Svc.AddParty(mod.Ctx, d.ID, w.ID.Addr("kemlu"), dialogue.RoleParticipant))
		dlgMust(t, "invite dfat", w.Host.Svc.AddParty(mod.Ctx, d.ID, w.AU.Addr("dfat"), dialogue.RoleParticipant))
		w.WaitDoc(t, d.ID, func(x *dialogue.Dialogue) bool { return len(x.Parties) == 4 }, w.ID, w.AU)

		const text = "Our CERT paid once, and regretted it."
		dlgMust(t, "contribute", w.ID.Svc.Contribute(author.Ctx, d.ID, dialogue.ContributionInput{Body: text}))
		held := w.WaitFor(t, pModerator, d.ID, text, func(c dialogue.Contribution) bool { return c.State == dialogue.StateHeld })
		w.Host.Drain(t)
		wantMailed(t, "told a contribution waits", "/dialogue/"+d.ID+"#held", mod)
		for _, m := range w.Host.Mail.All() {
			if k := containsAny(m.Subject+m.Body, authorName, kemluName, "kemlu"); k != "" {
				t.Errorf("an e-mail to %s names %q", m.To, k)
			}
			if m.To == w.P[pHostMember].Email && strings.Contains(m.Body, "#held") {
				t.Errorf("a member who does not moderate was told: %s", m.Subject)
			}
		}
		mine := w.WaitFor(t, pAuthor, d.ID, "", func(c dialogue.Contribution) bool { return c.ID == held.ID && c.State == dialogue.StateHeld })
		if !mine.Mine || mine.Body != text {
			t.Fatalf("the author sees their held contribution as %+v", mine)
		}
		if all := w.All(t, pAU, d.ID); len(all) != 0 {
			t.Fatalf("au's participant sees %+v", all)
		}

		dlgMust(t, "release", w.Host.Svc.Moderate(mod.Ctx, d.ID, held.ID, dialogue.ModRelease, ""))
		c := w.WaitFor(t, pAU, d.ID, text, func(c dialogue.Contribution) bool { return c.State == dialogue.StateVisible })
		if c.AuthorName != "" || c.Mine {
			t.Fatalf("au's participant sees the released contribution as %+v", c)
		}
	})
}
