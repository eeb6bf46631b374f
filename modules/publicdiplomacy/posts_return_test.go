package publicdiplomacy

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
)

// TestReturnWithNote: returning a message to its writer asks why — the
// form without a reason comes back open, naming its field, and the
// message stays under review — and the reason is on the message and its
// edit form for the writer, kept while the draft is reworked, by whom and
// when. Return without a reason (the API's) still works.
func TestReturnWithNote(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNRWorld(t, e)
		w.org(t, "kemlu", "Ministry of Foreign Affairs")
		acc := w.account(t, "kemlu", "kemlu")
		bima := w.person(t, "bima@kemlu.example", "Bima", "kemlu", core.RoleAnalyst)
		sari := w.person(t, "sari@kemlu.example", "Sari", "kemlu", core.RoleAdmin)

		posts, err := w.svc.CreateDraft(bima.ctx, Draft{AccountID: acc.ID, Translations: []Translation{{Language: "en", Content: "Visa services reopen."}}})
		if err != nil {
			t.Fatal(err)
		}
		group := posts[0].GroupID
		path := "/newsroom/" + group
		if _, err := w.svc.Submit(bima.ctx, group); err != nil {
			t.Fatal(err)
		}

		page := sari.get(t, path, "")
		nrWantIn(t, "the approver's page", page.Body, `<label for="note">Why it goes back`, `name="note"`, "Send it back")

		r := sari.post(t, path+"/return", url.Values{"note": {"   "}})
		nrWant(t, "a return without a reason", r, http.StatusUnprocessableEntity)
		nrWantIn(t, "the message again", r.Body, `href="#note">Why it goes back: This is required.`, `<details id="return" open>`)
		if g, _ := w.svc.Group(bima.ctx, group); g[0].State != PostReview {
			t.Fatalf("returned without a reason: %s", g[0].State)
		}
		if _, err := w.svc.ReturnWithNote(bima.ctx, group, "Not mine to return"); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("an analyst returns: %v", err)
		}

		reason := "Say which consulates reopen, and from what time."
		nrWant(t, "a return with a reason", sari.post(t, path+"/return", url.Values{"note": {reason}}), http.StatusSeeOther)
		g, err := w.svc.Group(bima.ctx, group)
		if err != nil || g[0].State != PostDraft || g[0].ReturnedNote != reason || g[0].ReturnedByName != "Sari" || g[0].ReturnedAt == nil {
			t.Fatalf("after the return: %+v (%v)", g[0], err)
		}
		page = bima.get(t, path, "")
		nrWantIn(t, "the writer's page", page.Body, `<div class="notice" id="returned"><p><strong>Returned by Sari on `, reason)
		nrWantIn(t, "the edit form", bima.get(t, path+"/edit", "").Body, reason)

		// Reworked, the reason stays; submitted again, it is not shown.
		if _, err := w.svc.EditDraft(bima.ctx, group, 0, Draft{Translations: []Translation{{Language: "en", Content: "Visa services reopen in Sydney and Perth at 09:00."}}}); err != nil {
			t.Fatal(err)
		}
		if g, _ := w.svc.Group(bima.ctx, group); g[0].ReturnedNote != reason {
			t.Fatalf("the edit lost the reason: %q", g[0].ReturnedNote)
		}
		if _, err := w.svc.Submit(bima.ctx, group); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(bima.get(t, path, "").Body, reason) {
			t.Error("the reason is shown on a message under review again")
		}
		if _, err := w.svc.Return(sari.ctx, group); err != nil {
			t.Fatalf("Return without a reason: %v", err)
		}
		if g, _ := w.svc.Group(bima.ctx, group); g[0].State != PostDraft || g[0].ReturnedNote != "" {
			t.Fatalf("after Return: %s %q", g[0].State, g[0].ReturnedNote)
		}
	})
}
