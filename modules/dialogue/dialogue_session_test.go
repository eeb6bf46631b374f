package dialogue_test

import (
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/dialogue"
)

// TestDialogueSessionClosed: the host closes a session; participants on a
// peer see it closed in their copy, contributions to it are refused there
// and here, the rest of the dialogue stays open, and reopening lets them in.
func TestDialogueSessionClosed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newDlgWorld(t, e)
		d := w.Open(t, dialogue.RuleChatham)
		mod, author := w.P[pModerator].Ctx, w.P[pAuthor].Ctx
		s, err := w.Host.Svc.AddSession(mod, d.ID, dialogue.SessionInput{Title: "Hospitals", Agenda: "1. Backups."})
		dlgMust(t, "session", err)

		if err := w.Host.Svc.SetSession(author, d.ID, s.ID, true); err == nil {
			t.Fatal("a participant on a peer closed a session on the host")
		}
		dlgWantKind(t, "a participant closes on their own copy", w.ID.Svc.SetSession(author, d.ID, s.ID, true), core.KindForbidden)
		dlgMust(t, "close", w.Host.Svc.SetSession(mod, d.ID, s.ID, true))
		w.WaitDoc(t, d.ID, func(x *dialogue.Dialogue) bool {
			ss, ok := x.Session(s.ID)
			return ok && ss.Closed
		}, w.ID, w.AU)

		err = w.ID.Svc.Contribute(author, d.ID, dialogue.ContributionInput{Session: s.ID, Body: "Late for the session."})
		if dlgField(err, "session") != "err.dlg_session_closed" {
			t.Fatalf("contributing to a closed session: %v", err)
		}
		dlgMust(t, "contribute to the dialogue as a whole", w.ID.Svc.Contribute(author, d.ID, dialogue.ContributionInput{Body: "On the whole dialogue."}))

		dlgMust(t, "reopen", w.Host.Svc.SetSession(mod, d.ID, s.ID, false))
		w.WaitDoc(t, d.ID, func(x *dialogue.Dialogue) bool {
			ss, _ := x.Session(s.ID)
			return !ss.Closed
		}, w.ID, w.AU)
		dlgMust(t, "contribute to the reopened session", w.ID.Svc.Contribute(author, d.ID, dialogue.ContributionInput{Session: s.ID, Body: "Back in the session."}))
		w.WaitFor(t, pModerator, d.ID, "Back in the session.", func(c dialogue.Contribution) bool { return c.Session == s.ID })
	})
}
