package directory_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/directory"
)

type echo struct{}

func (echo) T(lang, key string, args ...any) string { return lang + ":" + key }

type world struct {
	svc   *directory.Service
	db    *store.DB
	admin context.Context // node administrator
	sari  context.Context // admin of kemlu only
	dewi  context.Context // analyst at kemlu
	clock *storetest.Clock
}

func newWorld(t *testing.T, e storetest.Engine) world {
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, e, clock, auth.Migrations(), audit.Migrations(), jobs.Migrations(), directory.Migrations())
	a := auth.NewService(db, nil, time.Hour, 8*time.Hour)
	q := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	q.Register(jobs.Kind{Name: directory.EmailJob, Handle: func(context.Context, []byte) error { return nil }})
	svc := directory.NewService(db, a, q, echo{}, func() string { return "https://node.test" })
	a.UseRoles(svc)
	w := world{svc: svc, db: db, clock: clock, admin: core.WithActor(ctx, core.Actor{UserID: "root", Name: "Root", NodeAdmin: true})}
	for _, in := range []directory.OrgInput{
		{Handle: "kemlu", Kind: core.OrgStateMinistry, Country: "ID", NameEN: "Ministry of Foreign Affairs", NameID: "Kementerian Luar Negeri"},
		{Handle: "bssn", Kind: core.OrgStateCERT, Country: "ID", NameEN: "National Cyber and Crypto Agency"},
		{Handle: "asean", Kind: core.OrgInternational, NameEN: "ASEAN Secretariat"},
	} {
		if _, err := svc.CreateOrg(w.admin, in); err != nil {
			t.Fatal(err)
		}
	}
	actorOf := func(id string) context.Context {
		ms, err := svc.Memberships(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return core.WithActor(ctx, core.Actor{UserID: id, Memberships: ms})
	}
	// The node administrator names kemlu's first admin; from then on its
	// people are hers to add.
	sari, err := svc.CreatePerson(w.admin, directory.PersonInput{Name: "Sari", Email: "sari@kemlu.test", OrgHandle: "kemlu", Role: core.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	w.sari = actorOf(sari.Person.ID)
	dewi, err := svc.CreatePerson(w.sari, directory.PersonInput{Name: "Dewi", Email: "dewi@kemlu.test", OrgHandle: "kemlu", Role: core.RoleAnalyst})
	if err != nil {
		t.Fatal(err)
	}
	w.dewi = actorOf(dewi.Person.ID)
	return w
}

func TestOrganisationRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		for _, tc := range []struct {
			in    directory.OrgInput
			field string
			key   string
		}{
			{directory.OrgInput{Handle: "x", Kind: core.OrgCompany, NameEN: "X"}, "handle", "err.handle"},
			{directory.OrgInput{Handle: "Bad_Handle", Kind: core.OrgCompany, NameEN: "X"}, "handle", "err.handle"},
			{directory.OrgInput{Handle: "ends-", Kind: core.OrgCompany, NameEN: "X"}, "handle", "err.handle"},
			{directory.OrgInput{Handle: "kemlu", Kind: core.OrgCompany, NameEN: "X"}, "handle", "err.handle_taken"},
			{directory.OrgInput{Handle: "mfa-x", Kind: core.OrgStateMinistry, NameEN: "X"}, "country", "err.country_required"},
			{directory.OrgInput{Handle: "mfa-x", Kind: core.OrgStateMinistry, Country: "ZZ", NameEN: "X"}, "country", "err.country"},
			{directory.OrgInput{Handle: "mfa-x", Kind: core.OrgStateMinistry, Country: "EU", NameEN: "X"}, "country", "err.country"},
			{directory.OrgInput{Handle: "mfa-x", Kind: "ministry", Country: "ID", NameEN: "X"}, "kind", "err.choice"},
			{directory.OrgInput{Handle: "mfa-x", Kind: core.OrgCompany}, "name_en", "err.required"},
			{directory.OrgInput{Handle: "mfa-x", Kind: core.OrgCompany, NameEN: "X", Website: "javascript:alert(1)"}, "website", "err.url"},
		} {
			_, err := w.svc.CreateOrg(w.admin, tc.in)
			ce := core.AsError(err)
			if ce == nil || ce.Fields[tc.field] != tc.key {
				t.Errorf("CreateOrg(%+v) = %v; want %s on %s", tc.in, err, tc.key, tc.field)
			}
		}
		// Lower-case country and spaces are forgiven.
		o, err := w.svc.CreateOrg(w.admin, directory.OrgInput{Handle: " csa-sg ", Kind: core.OrgStateAgency, Country: "sg", NameEN: " CSA "})
		if err != nil || o.Handle != "csa-sg" || o.Country != "SG" || o.NameEN != "CSA" || o.CountryName("id") != "Singapura" {
			t.Fatalf("normalised org: %+v %v", o, err)
		}
	})
}

// TestFocalPointRights: an organisation's admin manages that organisation
// only; other roles manage nothing; nobody but node administrators creates
// organisations.
func TestFocalPointRights(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		if _, err := w.svc.UpdateOrg(w.sari, "kemlu", directory.OrgInput{Kind: core.OrgStateMinistry, Country: "ID", NameEN: "Kemlu RI"}); err != nil {
			t.Fatalf("focal point editing own organisation: %v", err)
		}
		if _, err := w.svc.UpdateOrg(w.sari, "bssn", directory.OrgInput{Kind: core.OrgStateCERT, Country: "ID", NameEN: "Hijacked"}); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("focal point editing another organisation: %v", err)
		}
		if _, err := w.svc.UpdateOrg(w.dewi, "kemlu", directory.OrgInput{Kind: core.OrgStateMinistry, Country: "ID", NameEN: "Mine"}); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("analyst editing organisation: %v", err)
		}
		if _, err := w.svc.CreateOrg(w.sari, directory.OrgInput{Handle: "new-org", Kind: core.OrgCompany, NameEN: "N"}); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("focal point creating organisation: %v", err)
		}
		if _, err := w.svc.CreatePerson(w.sari, directory.PersonInput{Name: "Spy", Email: "spy@bssn.test", OrgHandle: "bssn", Role: core.RoleAdmin}); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("focal point adding a person to another organisation: %v", err)
		}
		cp, err := w.svc.CreatePerson(w.sari, directory.PersonInput{Name: "Bima", Email: "bima@kemlu.test", OrgHandle: "kemlu", Role: core.RoleOfficer, Lang: "id"})
		if err != nil || cp.InviteLink == "" || cp.Person.Roles[0].Role != core.RoleOfficer {
			t.Fatalf("focal point adding a person to own organisation: %+v %v", cp, err)
		}
		// The invitation e-mail waits in the queue, in the invitee's language.
		var payload string
		if err := w.db.R().Get(context.Background(), &payload, `SELECT payload FROM jobs WHERE kind = ? AND payload LIKE '%bima@kemlu.test%'`, directory.EmailJob); err != nil {
			t.Fatal(err)
		}
		if want := `"subject":"id:mail.invite.subject"`; !contains(payload, want) || !contains(payload, "bima@kemlu.test") {
			t.Fatalf("queued e-mail %s", payload)
		}
		// Roles change, the last admin stays.
		if err := w.svc.AddMember(w.sari, "kemlu", "dewi@kemlu.test", core.RoleOfficer); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.AddMember(w.sari, "kemlu", "nobody@kemlu.test", core.RoleOfficer); core.AsError(err).Fields["email"] != "err.person_unknown" {
			t.Fatalf("unknown member: %v", err)
		}
		sariID := core.ActorFrom(w.sari).UserID
		o, _ := w.svc.Org(w.admin, "kemlu")
		if err := w.svc.RemoveMember(w.sari, "kemlu", sariID); core.KindOf(err) != core.KindConflict {
			t.Fatalf("removing the last admin: %v", err)
		}
		ms, _ := w.svc.Members(w.admin, o.ID)
		if len(ms) != 3 {
			t.Fatalf("members: %+v", ms)
		}
	})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestListingsAndFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		anon := context.Background()
		if _, _, err := w.svc.Orgs(anon, directory.OrgFilter{}, core.Page{}); core.KindOf(err) != core.KindUnauthenticated {
			t.Fatalf("anonymous listing: %v", err)
		}
		got := func(f directory.OrgFilter) []string {
			os, _, err := w.svc.Orgs(w.dewi, f, core.Page{})
			if err != nil {
				t.Fatal(err)
			}
			var hs []string
			for _, o := range os {
				hs = append(hs, o.Handle)
			}
			return hs
		}
		for _, tc := range []struct {
			f    directory.OrgFilter
			want string
		}{
			{directory.OrgFilter{}, "asean,bssn,kemlu"},
			{directory.OrgFilter{Q: "LUAR"}, "kemlu"},
			{directory.OrgFilter{Q: "%"}, ""},
			{directory.OrgFilter{Kind: core.OrgStateCERT}, "bssn"},
			{directory.OrgFilter{Country: "id"}, "bssn,kemlu"},
		} {
			if g := join(got(tc.f)); g != tc.want {
				t.Errorf("Orgs(%+v) = %q, want %q", tc.f, g, tc.want)
			}
		}
		if _, _, err := w.svc.Orgs(w.dewi, directory.OrgFilter{Country: "XX"}, core.Page{}); core.KindOf(err) != core.KindInvalid {
			t.Fatalf("bad country filter: %v", err)
		}
		ps, _, err := w.svc.People(w.dewi, directory.PersonFilter{OrgHandle: "kemlu", Role: core.RoleAdmin}, core.Page{})
		if err != nil || len(ps) != 1 || ps[0].Name != "Sari" || ps[0].Roles[0].Handle != "kemlu" {
			t.Fatalf("people filter: %+v %v", ps, err)
		}
		// Page through people one at a time.
		var seen []string
		page := core.Page{Limit: 1}
		for {
			ps, next, err := w.svc.People(w.dewi, directory.PersonFilter{}, page)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				seen = append(seen, p.Name)
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		if join(seen) != "Sari,Dewi" {
			t.Fatalf("paged people: %v", seen)
		}
	})
}

func join(s []string) string { return strings.Join(s, ",") }
