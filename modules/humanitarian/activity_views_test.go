package humanitarian

import (
	"net/http/httptest"
	"strings"
	"testing"

	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
)

// TestMatrixPresenceIsImplementers checks the 3W's presence: an
// organisation that appeals or funds is not present, a partner that
// implements is, and a cell nobody gave a figure for says so rather than 0.
func TestMatrixPresenceIsImplementers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		w, mod := newSite(t, eng)
		e := mustEmergency(t, w)
		appeal := shelterKits() // BNPB appeals; its partner implements
		appeal.Sector, appeal.Role, appeal.Partner, appeal.PartnerRole = "logistics", RoleAppealing, "Yayasan Logistik", RoleImplementing
		appeal.Reached = People{}
		mustActivity(t, w, e, "bnpb", appeal)
		funds := appeal // BNPB funds with nobody implementing named
		funds.Role, funds.Partner, funds.PartnerRole = RoleFunding, "", ""
		mustActivity(t, w, e, "bnpb", funds)
		trucks := appeal // PMI implements, without a figure
		trucks.Role, trucks.Partner, trucks.PartnerRole = RoleImplementing, "", ""
		mustActivity(t, w, e, "pmi", trucks)
		zero := shelterKits() // a real 0: parts given
		zero.Sector, zero.Partner, zero.PartnerRole = "health", "", ""
		zero.Reached = People{Women: count(0), Men: count(0)}
		mustActivity(t, w, e, "pmi", zero)

		m, err := w.svc.ActivityMatrix(anonymous("198.51.100.7"), e, 2)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]Cell{}
		for _, r := range m.Rows {
			for i, c := range r.Cells {
				if c != (Cell{}) {
					got[r.Area+" "+m.Sectors[i]] = c
				}
			}
		}
		want := map[string]Cell{
			"ID7271 logistics": {Orgs: 2}, // the partner and PMI, not BNPB
			"ID7271 health":    {Orgs: 1, Reported: true},
		}
		if len(got) != len(want) || got["ID7271 logistics"] != want["ID7271 logistics"] || got["ID7271 health"] != want["ID7271 health"] {
			t.Fatalf("cells %+v, want %+v", got, want)
		}

		res := serve(t, mod.activityMatrix, web.WithLang(anonymous("198.51.100.2"), "en"), httptest.NewRequest("GET", "/x", nil), "id", e.ID)
		body := res.Body.String()
		for _, s := range []string{"2 org. · –", "Organisations implementing: 2. People reached: not reported", "1 org. · 0",
			"Organisations implementing: 1. People reached: 0"} {
			if !strings.Contains(body, s) {
				t.Errorf("matrix page lacks %q", s)
			}
		}
		if strings.Contains(body, "1 organisations") {
			t.Error("matrix page says 1 organisations")
		}
	})
}
