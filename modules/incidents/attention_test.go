package incidents_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/incidents"
	webfiles "entente.example/entente/web"
)

// rendered is an e-mail as notify.People would render it, in both
// languages, with the organisation and roles it went to.
type rendered struct {
	org, kind string
	roles     []core.Role
	text      map[string]string // by language: subject and body
}

// mailbox renders every notification it is given with the real catalogue.
type mailbox struct {
	cat  web.Catalog
	mu   sync.Mutex
	sent []rendered
}

func (m *mailbox) NotifyOrg(_ context.Context, _ *store.Tx, orgID string, roles []core.Role, k notify.Kind, path string, args notify.Args) error {
	r := rendered{org: orgID, kind: k.Name, roles: roles, text: map[string]string{}}
	for _, lang := range []string{"en", "id"} {
		subject, body, err := notify.Render(m.cat, lang, k, "https://sg.example"+path, args)
		if err != nil {
			return err
		}
		r.text[lang] = subject + "\n" + body
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, r)
	return nil
}

func (m *mailbox) all() []rendered {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]rendered(nil), m.sent...)
}

// attention renders a person's incident items on the home page in lang.
func attention(t *testing.T, cat web.Catalog, m *incidents.Module, ctx context.Context, lang string) []string {
	t.Helper()
	items, err := m.Attention(ctx, core.ActorFrom(ctx))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, cat.T(lang, it.Key, it.Args...))
	}
	return out
}

// TestSharedIncidentsAskForAttention shares three incidents from
// Indonesia's node with Singapore's: CSA's readers are e-mailed, once, of
// the AMBER one by name and label and of the AMBER+STRICT one without
// either (the public one is no one's in particular); the home page of
// CSA's people lists the three for a week, not to its observer nor to an
// organisation not in the audience beyond the public one; and on the
// owner's node an incident still 'new' after three days waits on its
// organisation's writers, not its readers.
func TestSharedIncidentsAskForAttention(t *testing.T) {
	cat, err := web.LoadCatalog(webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, sg := newNode(t, e), newNode(t, e)
		id.Org(t, "bssn", core.OrgStateCERT, "ID", "BSSN")
		csa := sg.Org(t, "csa-sg", core.OrgStateAgency, "SG", "CSA")
		sg.Org(t, "mha", core.OrgStateMinistry, "SG", "MHA")
		box := &mailbox{cat: cat}
		sg.svc.UseNotifier(box)
		// Peered before the outboxes run, so that the directories are
		// fetched once, here.
		fedtest.Peer(t, id.Served, sg.Served)
		id.Start(t)
		sg.Start(t)
		rina := id.As("Rina", "bssn", core.RoleAnalyst)

		amber := hospital(core.TLPAmber, incidents.AudienceNamed, sg.Addr("csa-sg"))
		amber.Name = "Ransomware at a hospital in Surabaya"
		strict := hospital(core.TLPAmberStrict, incidents.AudienceNamed, sg.Addr("csa-sg"))
		strict.Name, strict.Investigation = "Intrusion at the ministry", incidents.InvestigationNew
		public := hospital(core.TLPClear, incidents.AudiencePublic)
		public.Name = "Defacement of a regional portal"
		var made []incidents.Incident
		for _, in := range []incidents.Incident{amber, strict, public} {
			inc, err := id.svc.Create(rina, "bssn", in)
			if err != nil {
				t.Fatal(err)
			}
			made = append(made, inc)
		}
		// A later version is no new arrival.
		made[0].Description = "Records encrypted; backups intact."
		if _, err := id.svc.Update(rina, made[0].ID, made[0]); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the copies on Singapore's node", func() bool {
			var v int
			sg.DB.R().Get(context.Background(), &v, `SELECT COALESCE(SUM(version), 0) FROM inc_incidents`)
			return v == 4
		})

		mails := box.all()
		if len(mails) != 2 {
			t.Fatalf("e-mails: %+v", mails)
		}
		for _, m := range mails {
			if m.org != csa {
				t.Errorf("e-mailed organisation %s, want CSA", m.org)
			}
			if fmt.Sprint(m.roles) != fmt.Sprint([]core.Role{core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember}) {
				t.Errorf("e-mailed roles %v, want the roles that read incidents", m.roles)
			}
		}
		// The outbox delivers each envelope on its own, in any order.
		open, quiet := mails[0], mails[1]
		if open.kind == "inc_shared_quiet" {
			open, quiet = quiet, open
		}
		if open.kind != "inc_shared" || quiet.kind != "inc_shared_quiet" {
			t.Fatalf("kinds: %s, %s", open.kind, quiet.kind)
		}
		for lang, want := range map[string][]string{
			"en": {"Shared incident from " + id.Host + ": " + amber.Name, "shared the incident “" + amber.Name + "” (TLP:AMBER) with your organisation", "https://sg.example/incidents/"},
			"id": {"Insiden dibagikan dari " + id.Host + ": " + amber.Name, "membagikan insiden “" + amber.Name + "” (TLP:AMBER) dengan organisasi Anda", "https://sg.example/incidents/"},
		} {
			for _, w := range want {
				if !strings.Contains(open.text[lang], w) {
					t.Errorf("%s e-mail lacks %q:\n%s", lang, w, open.text[lang])
				}
			}
		}
		for lang, want := range map[string]string{"en": "An incident was shared with you", "id": "Sebuah insiden dibagikan dengan Anda"} {
			txt := quiet.text[lang]
			if !strings.HasPrefix(txt, want+"\n") || strings.Contains(txt, strict.Name) || strings.Contains(txt, "AMBER") || strings.Contains(txt, id.Host) || !strings.Contains(txt, "https://sg.example/incidents/") {
				t.Errorf("%s e-mail of an AMBER+STRICT incident:\n%s", lang, txt)
			}
		}

		// Singapore's home pages.
		m := incidents.NewModule(sg.svc, nil)
		from := func(name string) map[string]string {
			return map[string]string{"en": "New shared incident from " + id.Host + ": " + name, "id": "Insiden baru yang dibagikan dari " + id.Host + ": " + name}
		}
		for _, c := range []struct {
			who  string
			ctx  context.Context
			want []string
		}{
			{"CSA analyst", sg.As("Wei", "csa-sg", core.RoleAnalyst), []string{public.Name, strict.Name, amber.Name}},
			{"CSA member", sg.As("Tan", "csa-sg", core.RoleMember), []string{public.Name, strict.Name, amber.Name}},
			{"CSA observer", sg.As("Olga", "csa-sg", core.RoleObserver), nil},
			{"MHA officer (not in the audience)", sg.As("Lim", "mha", core.RoleOfficer), []string{public.Name}},
		} {
			for _, lang := range []string{"en", "id"} {
				// Arrived in the same second: the order among them is not the point.
				got := attention(t, cat, m, c.ctx, lang)
				slices.Sort(got)
				var want []string
				for _, n := range c.want {
					want = append(want, from(n)[lang])
				}
				slices.Sort(want)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s (%s) is told %q, want %q", c.who, lang, got, want)
				}
			}
		}
		// A week later the arrivals are no longer news.
		sg.clock.Advance(incidents.SharedFresh + time.Hour)
		if got := attention(t, cat, m, sg.As("Wei", "csa-sg", core.RoleAnalyst), "en"); len(got) != 0 {
			t.Errorf("after a week CSA is still told %q", got)
		}

		// The owner's node: the ministry intrusion is still 'new'.
		om := incidents.NewModule(id.svc, nil)
		if got := attention(t, cat, om, rina, "en"); len(got) != 0 {
			t.Errorf("before three days Rina is told %q", got)
		}
		id.clock.Advance(incidents.NewTooLong + time.Hour)
		for lang, want := range map[string]string{
			"en": "“" + strict.Name + "” is still new after three days: start its investigation",
			"id": "“" + strict.Name + "” masih berstatus baru setelah tiga hari: mulai penyelidikannya",
		} {
			if got := attention(t, cat, om, rina, lang); fmt.Sprint(got) != fmt.Sprint([]string{want}) {
				t.Errorf("Rina (%s) is told %q, want %q", lang, got, want)
			}
		}
		if got := attention(t, cat, om, id.As("Mira", "bssn", core.RoleMember), "en"); len(got) != 0 {
			t.Errorf("a member, who does not write incidents, is told %q", got)
		}
	})
}
