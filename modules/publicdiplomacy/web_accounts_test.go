package publicdiplomacy

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
)

// TestAccountPages creates an account through its form as the
// organisation's administrator — first with a reserved username, no
// display name and a field without its value, each named and the rest
// kept — edits it, follows another account by its address (refused when
// the address is not one) and stops following it. An officer may follow
// but not create accounts; another organisation's admin finds nothing.
func TestAccountPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNRWorld(t, e)
		w.org(t, "kemlu", "Ministry of Foreign Affairs")
		w.org(t, "dfat", "DFAT")
		sari := w.person(t, "sari@kemlu.example", "Sari", "kemlu", core.RoleAdmin)
		bima := w.person(t, "bima@kemlu.example", "Bima", "kemlu", core.RoleOfficer)
		olivia := w.person(t, "olivia@dfat.example", "Olivia", "dfat", core.RoleAdmin)

		nrWant(t, "an officer's account form", bima.get(t, "/newsroom/accounts/new", ""), http.StatusForbidden)
		form := url.Values{"org": {"kemlu"}, "username": {"inbox"}, "display_name": {""}, "summary": {"Akun resmi Kementerian Luar Negeri."}, "language": {"id"},
			"f0_name": {"Website"}, "f0_value": {"https://kemlu.go.id"}, "f1_name": {"Motto"}, "manually_approves": {"on"}}
		r := sari.post(t, "/newsroom/accounts", form)
		nrWant(t, "a bad account", r, http.StatusUnprocessableEntity)
		nrWantIn(t, "the account form again", r.Body, `href="#username">Username: Use 1 to 30 lower-case letters`, `href="#display_name">Display name: This is required.`,
			`href="#fields">Profile fields: A profile field needs both`, "Akun resmi Kementerian Luar Negeri.</textarea>", `value="https://kemlu.go.id"`,
			`id="manually_approves" name="manually_approves" checked`, `<option value="id" selected>`)

		form.Set("username", "kemlu")
		form.Set("display_name", "Kemlu RI")
		form.Set("f1_value", "Bebas aktif")
		r = sari.post(t, "/newsroom/accounts", form)
		nrWant(t, "an account", r, http.StatusSeeOther)
		acc, err := w.svc.AccountByUsername(context.Background(), "kemlu")
		if err != nil || acc.DisplayName != "Kemlu RI" || len(acc.Fields) != 2 || !acc.ManuallyApproves || acc.Language != "id" {
			t.Fatalf("created: %+v (%v)", acc, err)
		}
		if r.Header.Get("Location") != "/newsroom/accounts/"+acc.ID+"/following" {
			t.Errorf("created, then to %s", r.Header.Get("Location"))
		}
		list := bima.get(t, "/newsroom/accounts", "")
		nrWantIn(t, "the list", list.Body, "Kemlu RI", "@kemlu@"+w.fed.Host, `href="`+w.url+`/social/kemlu"`)
		if strings.Contains(list.Body, "/newsroom/accounts/"+acc.ID+"/edit") {
			t.Errorf("an officer is offered to edit the account")
		}

		r = sari.post(t, "/newsroom/accounts/"+acc.ID+"/edit", url.Values{"display_name": {""}, "summary": {"Changed."}, "language": {"en"}})
		nrWant(t, "a bad edit", r, http.StatusUnprocessableEntity)
		nrWantIn(t, "the edit again", r.Body, `href="#display_name">Display name: This is required.`, "Changed.</textarea>")
		nrWant(t, "an edit", sari.post(t, "/newsroom/accounts/"+acc.ID+"/edit", url.Values{"display_name": {"Kemlu — MFA Indonesia"}, "language": {"en"}}), http.StatusSeeOther)
		if a, _ := w.svc.Account(context.Background(), acc.ID); a.DisplayName != "Kemlu — MFA Indonesia" || len(a.Fields) != 0 {
			t.Errorf("edited: %+v", a)
		}
		nrWant(t, "another organisation's edit form", olivia.get(t, "/newsroom/accounts/"+acc.ID+"/edit", ""), http.StatusNotFound)
		nrWant(t, "another organisation's followings", olivia.get(t, "/newsroom/accounts/"+acc.ID+"/following", ""), http.StatusNotFound)

		other := w.account(t, "kemlu", "kbri_canberra")
		page := "/newsroom/accounts/" + acc.ID + "/following"
		r = bima.post(t, "/newsroom/accounts/"+acc.ID+"/follow", url.Values{"acct": {"not an address"}})
		nrWant(t, "a follow of nothing", r, http.StatusUnprocessableEntity)
		nrWantIn(t, "the followings again", r.Body, `href="#acct">Account to follow: Write the account as user@host`, `value="not an address"`)
		r = bima.post(t, "/newsroom/accounts/"+acc.ID+"/follow", url.Values{"acct": {"@" + other.Username + "@" + w.fed.Host}})
		nrWant(t, "a follow", r, http.StatusSeeOther)
		if r.Header.Get("Location") != page {
			t.Errorf("followed, then to %s", r.Header.Get("Location"))
		}
		r = bima.get(t, page, "")
		nrWantIn(t, "the followings", r.Body, "@kbri_canberra@"+w.fed.Host, "Stop following")
		nrWant(t, "unfollow", bima.post(t, "/newsroom/accounts/"+acc.ID+"/unfollow", url.Values{"actor": {w.svc.ActorURL(other.Username)}}), http.StatusSeeOther)
		if fs, _ := w.svc.Followings(context.Background(), acc.ID); len(fs) != 0 {
			t.Errorf("still following: %+v", fs)
		}
	})
}
