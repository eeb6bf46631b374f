package publicdiplomacy

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

// TestNewsroomFormFromCase: a message started from a disinformation case
// names the case by its title, with a link to it; a published case's
// fact-check link ends the English text, an unpublished case's is offered
// to paste once it is published. The message page names the case by its
// title too, and the form coming back keeps the banner.
func TestNewsroomFormFromCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNRWorld(t, e)
		w.org(t, "kemlu", "Ministry of Foreign Affairs")
		acc := w.account(t, "kemlu", "kemlu")
		bima := w.person(t, "bima@kemlu.example", "Bima", "kemlu", core.RoleOfficer)
		pub, draft := core.NewID(w.clock.Now()), core.NewID(w.clock.Now())
		for _, c := range []struct{ id, title, state string }{{pub, "Vaccines & the border", "published"}, {draft, "A claim under review", "draft"}} {
			if err := w.fed.DB.WithTx(context.Background(), func(tx *store.Tx) error {
				_, err := tx.Exec(context.Background(), `INSERT INTO pd_cases (id, org_id, title, state, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, 'u', ?, ?)`,
					c.id, w.orgs["kemlu"].ID, c.title, c.state, tx.Now, tx.Now)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		link := w.url + "/factchecks/" + pub

		r := bima.get(t, "/newsroom/new?case="+pub, "")
		nrWant(t, "the form from a published case", r, http.StatusOK)
		nrWantIn(t, "the form from a published case", r.Body, `In answer to the disinformation case <a href="/disinfo/`+pub+`">Vaccines &amp; the border</a>`,
			"The link to its public fact-check ends the English text", `<code>`+link+`</code>`, `name="content_en" rows="6" aria-describedby="content_en-count content_en-err">`+link+`</textarea>`)
		if strings.Contains(r.Body, `>`+pub+`</a>`) {
			t.Error("the banner names the case by its id")
		}

		r = bima.get(t, "/newsroom/new?case="+draft, "")
		nrWantIn(t, "the form from a case under review", r.Body, `<a href="/disinfo/`+draft+`">A claim under review</a>`, "Once the case is published", `<code>`+w.url+`/factchecks/`+draft+`</code>`)
		if strings.Contains(r.Body, `content_en-err">`+w.url) {
			t.Error("an unpublished case's link is put in the text")
		}

		// A text too long is refused, and the form keeps the banner.
		r = bima.post(t, "/newsroom", url.Values{"account": {acc.ID}, "case": {pub}, "content_en": {strings.Repeat("Too long. ", 60) + link}})
		nrWant(t, "a text too long", r, http.StatusUnprocessableEntity)
		nrWantIn(t, "the form again", r.Body, `<a href="/disinfo/`+pub+`">Vaccines &amp; the border</a>`)

		r = bima.post(t, "/newsroom", url.Values{"account": {acc.ID}, "case": {pub}, "content_en": {"The claim is false. " + link}})
		nrWant(t, "a good form", r, http.StatusSeeOther)
		page := bima.get(t, r.Header.Get("Location"), "")
		nrWantIn(t, "the message", page.Body, `In answer to the disinformation case <a href="/disinfo/`+pub+`">Vaccines &amp; the border</a>`)
	})
}
