package publicdiplomacy_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// TestProfileLinksVerify: the ministry's website links back to the account
// with rel="me", so its field is verified; a page that does not, is not.
func TestProfileLinksVerify(t *testing.T) {
	n := newNode(t, storetest.Engines(t)[0])
	n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
	acc := n.Account(t, "kemlu", "kemlu")
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			fmt.Fprintf(w, `<html><head><link rel="me" href="%s/social/kemlu"></head><body>Kemlu</body></html>`, n.URL)
			return
		}
		fmt.Fprint(w, `<a href="https://elsewhere.example">no</a>`)
	}))
	defer site.Close()
	admin := n.As("Admin", "kemlu", core.RoleAdmin)
	if _, err := n.Svc.UpdateAccount(admin, acc.ID, publicdiplomacy.AccountInput{DisplayName: "Kemlu", Language: "en",
		Fields: []publicdiplomacy.Field{{Name: "Website", Value: site.URL + "/"}, {Name: "Blog", Value: site.URL + "/blog"}, {Name: "Phone", Value: "+62 21 344 1508"}}}); err != nil {
		t.Fatal(err)
	}
	if err := n.Svc.VerifyLinks(context.Background(), acc.ID); err != nil {
		t.Fatal(err)
	}
	got, err := n.Svc.Account(context.Background(), acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Fields[0].VerifiedAt == nil || got.Fields[1].VerifiedAt != nil || got.Fields[2].VerifiedAt != nil {
		t.Fatalf("verified: %+v", got.Fields)
	}
}
