package publicdiplomacy

import (
	"net/http"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
)

// TestFormsStartOnTheMainAccount: with an embassy's account sorting
// before the ministry's own, the newsroom's form and the timeline start
// on the account named as the organisation (kemlu), not the first
// alphabetically; an organisation without one starts on its first.
func TestFormsStartOnTheMainAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNRWorld(t, e)
		w.org(t, "kemlu", "Ministry of Foreign Affairs")
		w.org(t, "dfat-au", "Department of Foreign Affairs and Trade")
		embassy := w.account(t, "kemlu", "kbri_canberra")
		kemlu := w.account(t, "kemlu", "kemlu")
		bima := w.person(t, "bima@kemlu.example", "Bima", "kemlu", core.RoleOfficer)

		r := bima.get(t, "/newsroom/new", "")
		nrWant(t, "the form", r, http.StatusOK)
		nrWantIn(t, "the form", r.Body, `<option value="`+kemlu.ID+`" selected>`)
		r = bima.get(t, "/webcare/timeline", "")
		nrWant(t, "the timeline", r, http.StatusOK)
		nrWantIn(t, "the timeline", r.Body, `<option value="`+kemlu.ID+`" selected>`, "Timeline of The kemlu")
		r = bima.get(t, "/webcare/timeline?account="+embassy.ID, "")
		nrWantIn(t, "the embassy's timeline", r.Body, `<option value="`+embassy.ID+`" selected>`)

		for _, c := range []struct {
			accs []Account
			want string
		}{
			{[]Account{{ID: "a", Username: "a_desk", Org: "dfat-au"}, {ID: "b", Username: "dfat_au", Org: "dfat-au"}}, "b"},
			{[]Account{{ID: "a", Username: "a_desk", Org: "asean"}, {ID: "b", Username: "b_desk", Org: "asean"}}, "a"},
		} {
			if got := mainAccount(c.accs).ID; got != c.want {
				t.Errorf("main of %v: %s, want %s", c.accs, got, c.want)
			}
		}
	})
}
