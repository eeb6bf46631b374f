package dialogue_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/dialogue"
)

// forge has a node sign a statement in sigctx and send it from one of its
// organisations, and returns the envelope's id.
func forge(t testing.TB, n *dnode, typ, sigctx, from, to string, v any) string {
	t.Helper()
	signed, err := n.Fed.SignStatement(sigctx, v)
	dlgMust(t, "sign", err)
	var id string
	err = n.DB.WithTx(context.Background(), func(tx *store.Tx) error {
		var err error
		id, err = n.Fed.Send(context.Background(), tx, federation.Outgoing{Type: typ, From: from, To: to, TLP: core.TLPAmber, Payload: map[string]string{"statement": string(signed)}})
		return err
	})
	dlgMust(t, "send", err)
	return id
}

// refused waits until the envelope's recipient refused it, and returns why.
func refused(t testing.TB, n *dnode, envelope string) string {
	t.Helper()
	var why string
	fedtest.Eventually(t, "the refusal of "+envelope, func() bool {
		ds, err := n.Fed.Deliveries(context.Background(), []string{envelope})
		dlgMust(t, "deliveries", err)
		d := ds[envelope]
		if d.State == "delivered" {
			t.Fatalf("accepted: %+v", d)
		}
		why = d.LastError
		return d.State == "undelivered"
	})
	return why
}

// TestDialogueHostilePeer: a participating node is believed only about
// what is its own. It cannot rewrite a dialogue hosted elsewhere in
// another participant's copy, contribute for another node's organisation,
// or publish a summary for an organisation that is not the rapporteur.
func TestDialogueHostilePeer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newDlgWorld(t, e)
		d := w.Open(t, dialogue.RuleChatham)

		forged := *d
		forged.Title = "Hijacked"
		forged.Version += 10
		env := forge(t, w.AU, dialogue.TypeCopy, "dialogue.copy", "dfat", w.ID.Addr("kemlu"), map[string]any{"dialogue": forged, "rev": 1000})
		if why := refused(t, w.AU, env); !strings.Contains(why, "hosted elsewhere") {
			t.Fatalf("a copy from a node that does not host the dialogue: %s", why)
		}

		at := time.Now().UTC()
		env = forge(t, w.AU, dialogue.TypeAct, "dialogue.act", "dfat", w.Host.Addr("asean"),
			map[string]any{"id": core.NewID(at), "dialogue": d.ID, "by": w.ID.Addr("kemlu"), "person": "Mallory", "body": "Kemlu agrees to pay.", "at": at})
		if why := refused(t, w.AU, env); !strings.Contains(why, "another organisation") {
			t.Fatalf("an act for another node's organisation: %s", why)
		}

		env = forge(t, w.AU, dialogue.TypeSummary, "dialogue.summary", "dfat", w.Host.Addr("asean"),
			map[string]any{"dialogue": d.ID, "by": w.AU.Addr("dfat"), "text": "Nothing was agreed.", "lang": "en", "at": at})
		if why := refused(t, w.AU, env); !strings.Contains(why, "not the rapporteur") {
			t.Fatalf("a summary from a participant: %s", why)
		}

		// Nothing of it landed anywhere.
		w.WaitDoc(t, d.ID, func(x *dialogue.Dialogue) bool { return x.Title == d.Title && x.Summary.Status == "" }, w.Nodes()...)
		if all := w.All(t, pModerator, d.ID); len(all) != 0 {
			t.Fatalf("the host holds %+v", all)
		}
	})
}

// TestDialogueClosedWhileTravelling: a contribution on its way to the
// host when the host closes the dialogue is not added there; the author's
// node shows it still waiting, and refuses new ones once the closed copy
// arrives.
func TestDialogueClosedWhileTravelling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newDlgWorld(t, e)
		d := w.Open(t, dialogue.RuleChatham)
		author := w.P[pAuthor]

		w.Host.Hold()
		const late = "A point made as the room emptied."
		dlgMust(t, "contribute", w.ID.Svc.Contribute(author.Ctx, d.ID, dialogue.ContributionInput{Body: late}))
		dlgMust(t, "close", w.Host.Svc.SetStatus(w.P[pModerator].Ctx, d.ID, dialogue.StatusClosed))
		w.WaitDoc(t, d.ID, func(x *dialogue.Dialogue) bool { return x.Status == dialogue.StatusClosed }, w.ID, w.AU)
		w.Host.Release(t, w.ID.Served)

		if all := w.All(t, pModerator, d.ID); len(all) != 0 {
			t.Fatalf("the closed dialogue took %+v", all)
		}
		v, err := w.ID.Svc.Get(author.Ctx, d.ID)
		dlgMust(t, "get", err)
		th, err := w.ID.Svc.Threads(author.Ctx, v, "", 0)
		dlgMust(t, "threads", err)
		if len(th.Pending) != 1 || th.Pending[0].Body != late || len(th.Threads) != 0 {
			t.Fatalf("the author sees %+v", th)
		}
		err = w.ID.Svc.Contribute(author.Ctx, d.ID, dialogue.ContributionInput{Body: "And another."})
		if dlgField(err, "body") != "err.dlg_closed" {
			t.Fatalf("contributing to a closed dialogue: %v", err)
		}
	})
}
