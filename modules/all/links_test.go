package all

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/correspondence"
	"entente.example/entente/modules/cybercrime"
	"entente.example/entente/modules/directory"
	"entente.example/entente/modules/incidents"
	"entente.example/entente/modules/intel"
	"entente.example/entente/modules/norms"
)

const host = "id.example"

// chainWorld is one node (Indonesia's) with the modules whose records a
// chain links, real services on a real database, and three organisations:
// BSSN (the CERT that owns the incident), Polri (police, named in the
// incident's audience) and Kemlu (not in it).
type chainWorld struct {
	db  *store.DB
	s   Services
	ids map[string]string
	inc incidents.Incident
	ref core.Ref
}

func as(w *chainWorld, handle string, role core.Role) context.Context {
	return core.WithActor(context.Background(), core.Actor{UserID: "u-" + handle + "-" + string(role), Name: handle + " " + string(role),
		Memberships: []core.Membership{{Org: core.OrgRef{ID: w.ids[handle], Handle: handle}, Role: role}}})
}

func newChainWorld(t testing.TB, e storetest.Engine) *chainWorld {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, e, storetest.NewClock(time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)), Migrations()...)
	node := fedtest.New(t, db, host)
	q := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	w := &chainWorld{db: db, ids: map[string]string{}}
	w.s = Services{
		Intel:          intel.NewService(db, node.Fed, nil),
		Networks:       directory.NewNetworks(db, node.Fed, node.Ledger, q, nil, func() string { return "https://" + host }),
		Cybercrime:     cybercrime.NewService(db, node.Fed, nil, cybercrime.ShippedLegal(), cybercrime.Options{}),
		Correspondence: correspondence.NewService(db, node.Fed, nil),
		Norms:          norms.NewService(db, node.Ledger, node.Fed),
		Incidents:      incidents.NewService(db, node.Fed),
	}
	wireLinks(Deps{DB: db, Fed: node.Fed}, &w.s, nil)
	mustTx(t, db, func(tx *store.Tx) error {
		for _, o := range []struct{ handle, kind string }{{"bssn", "state_cert"}, {"polri", "state_law_enforcement"}, {"kemlu", "state_ministry"}} {
			w.ids[o.handle] = core.NewID(tx.Now)
			if _, err := tx.Exec(ctx, `INSERT INTO organisations (id, handle, kind, country, name_en, created_at, updated_at) VALUES (?, ?, ?, 'ID', ?, ?, ?)`, w.ids[o.handle], o.handle, o.kind, o.handle, tx.Now, tx.Now); err != nil {
				return err
			}
		}
		return nil
	})
	end := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	var err error
	w.inc, err = w.s.Incidents.Create(as(w, "bssn", core.RoleAnalyst), "bssn", incidents.Incident{Name: "Ransomware at a hospital in Surabaya", Start: time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC), End: &end,
		Types: []string{"ransomware"}, Receivers: []incidents.Receiver{{Name: "Hospital", Country: "ID", Category: "critical_infrastructure", Sector: "healthcare"}},
		Initiator: incidents.Initiator{Category: "non_state_criminal"}, Inclusion: []string{"ci_target"}, Sources: []string{"BSSN"},
		TLP: core.TLPAmber, Audience: incidents.AudienceNamed, AudienceRefs: []string{"polri@" + host}})
	if err != nil {
		t.Fatal(err)
	}
	w.ref = w.s.Incidents.LinkRef(w.inc)
	return w
}

func mustTx(t testing.TB, db *store.DB, f func(tx *store.Tx) error) {
	t.Helper()
	if err := db.WithTx(context.Background(), f); err != nil {
		t.Fatal(err)
	}
}

// indicators writes n indicators by BSSN in a collection BSSN and Polri
// read: TLP:GREEN ones for both, or ones for a BSSN-only sharing group.
func (w *chainWorld) indicators(t testing.TB, n int, private bool) []core.Ref {
	t.Helper()
	ctx := context.Background()
	root := core.Actor{UserID: "root", NodeAdmin: true}
	colls, _ := w.s.Intel.AllCollections(ctx, root)
	var coll intel.Collection
	if len(colls) > 0 {
		coll = colls[0]
	} else {
		var err error
		if coll, err = w.s.Intel.CreateCollection(ctx, root, intel.NewCollection{Alias: "national", Title: "National", DefaultTLP: core.TLPGreen}); err != nil {
			t.Fatal(err)
		}
		for _, r := range []intel.Right{{Org: "bssn@" + host, Read: true, Write: true}, {Org: "polri@" + host, Read: true}} {
			if err := w.s.Intel.SetRight(ctx, root, coll.ID, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	bssn := core.ActorFrom(as(w, "bssn", core.RoleAnalyst))
	sh := intel.Sharing{TLP: core.TLPGreen}
	if private {
		g, err := w.s.Intel.CreateGroup(ctx, core.ActorFrom(as(w, "bssn", core.RoleAdmin)), "bssn@"+host, "BSSN only", nil)
		if err != nil {
			t.Fatal(err)
		}
		sh = intel.Sharing{TLP: core.TLPAmber, Group: g.ID}
	}
	var out []core.Ref
	for i := range n {
		o, err := w.s.Intel.CreateIndicator(ctx, bssn, intel.NewIndicator{Collection: coll.ID, Org: "bssn@" + host, Name: "C2 server " + string(rune('A'+i%26)),
			Pattern: "[ipv4-addr:value = '203.0.113." + strconv.Itoa(i+1) + "']", PatternType: "stix", Types: []string{"malicious-activity"}, Sharing: sh})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, intel.LinkRef(o))
	}
	return out
}

// pocRequest stores a POC request of org's, sent from this node or
// received from a peer (from = handle@host), as the directory stores them.
func (w *chainWorld) pocRequest(t testing.TB, org, from, originID string) core.Ref {
	t.Helper()
	dir := "out"
	if !strings.HasSuffix(from, "@"+host) {
		dir = "in"
	}
	mustTx(t, w.db, func(tx *store.Tx) error {
		id := core.NewID(tx.Now)
		if originID == "" {
			originID = id
		}
		_, err := tx.Exec(context.Background(), `INSERT INTO poc_requests (id, origin_id, network_id, direction, org_id, from_addr, to_addr, author, type, urgency, subject, description, tlp, respond_by, state, created_at, updated_at)
			VALUES (?, ?, 'n1', ?, ?, ?, 'csa@sg.example', 'Rina', 'assistance', 'high', ?, 'Help', 'AMBER', ?, 'sent', ?, ?)`, id, originID, dir, w.ids[org], from, "Request "+originID, tx.Now, tx.Now, tx.Now)
		return err
	})
	return core.Ref{Module: "directory", Kind: "poc_request", ID: originID, Node: links.NodeOf(from, host)}
}

// cybRequest stores a cybercrime request of org's sent from this node.
func (w *chainWorld) cybRequest(t testing.TB, org string) core.Ref {
	t.Helper()
	var id string
	mustTx(t, w.db, func(tx *store.Tx) error {
		id = core.NewID(tx.Now)
		_, err := tx.Exec(context.Background(), `INSERT INTO cyb_requests (id, origin_id, direction, org_id, from_addr, to_addr, from_country, to_country, kind, basis, lang, reference, fields, state, author, created_at, updated_at)
			VALUES (?, ?, 'out', ?, ?, 'agc@sg.example', 'ID', 'SG', 'mla', 'budapest', 'en', 'POLRI/2026/7', '{}', 'sent', 'Hendra', ?, ?)`, id, id, w.ids[org], org+"@"+host, tx.Now, tx.Now)
		return err
	})
	return core.Ref{Module: "cybercrime", Kind: "request", ID: id}
}

// message stores a message from org to a peer, as correspondence does.
func (w *chainWorld) message(t testing.TB, org string, tlp core.TLP) core.Ref {
	t.Helper()
	var id string
	mustTx(t, w.db, func(tx *store.Tx) error {
		id = core.NewID(tx.Now)
		_, err := tx.Exec(context.Background(), `INSERT INTO messages (id, origin_id, thread_id, direction, from_addr, from_org_id, author, subject, body, tlp, created_at)
			VALUES (?, ?, ?, 'out', ?, ?, 'Someone', ?, 'Body', ?, ?)`, id, id, id, org+"@"+host, w.ids[org], "Message "+string(tlp), string(tlp), tx.Now)
		return err
	})
	return core.Ref{Module: "correspondence", Kind: "message", ID: id}
}

// rawLink stores a link as a peer's copy of the incident would bring it:
// to a record this node may not hold.
func (w *chainWorld) rawLink(t testing.TB, to core.Ref) {
	t.Helper()
	mustTx(t, w.db, func(tx *store.Tx) error {
		a, b := w.ref, to
		if b.String() < a.String() {
			a, b = b, a
		}
		_, err := tx.Exec(context.Background(), `INSERT INTO links (id, a_module, a_kind, a_id, a_node, b_module, b_kind, b_id, b_node, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			core.NewID(tx.Now), a.Module, a.Kind, a.ID, a.Node, b.Module, b.Kind, b.ID, b.Node, tx.Now)
		return err
	})
}

func kinds(items []links.Item) string {
	var out []string
	for _, it := range items {
		out = append(out, strings.TrimPrefix(it.Kind, "links.kind."))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// TestChainAsEachViewerMaySeeIt links a hospital incident to indicators,
// POC requests, a cybercrime request, messages and a norm, and shows its
// chain to BSSN's analyst, Polri's investigator and Kemlu's officer: each
// sees, and is told the count of, only what their organisation may see
// (TLP and sharing groups for indicators, the organisation for requests
// and messages, named people for TLP:RED, the node for records of peers).
func TestChainAsEachViewerMaySeeIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newChainWorld(t, e)
		rina, hendra, bima := as(w, "bssn", core.RoleAnalyst), as(w, "polri", core.RoleInvestigator), as(w, "kemlu", core.RoleOfficer)
		green := w.indicators(t, 1, false)[0]
		private := w.indicators(t, 1, true)[0]
		pocOut := w.pocRequest(t, "bssn", "bssn@"+host, "")
		pocIn := w.pocRequest(t, "bssn", "csa@sg.example", "sg-req-1")
		cyb := w.cybRequest(t, "polri")
		msg := w.message(t, "bssn", core.TLPGreen)
		red := w.message(t, "bssn", core.TLPRed)
		f := norms.NormRef("f")
		for _, r := range []core.Ref{green, private, pocOut, pocIn, msg, f} {
			if err := w.s.Links.Link(rina, w.ref, r); err != nil {
				t.Fatalf("link %s: %v", r, err)
			}
		}
		// BSSN's analyst cannot see Polri's request, so cannot link it;
		// Polri's investigator, who sees both, can.
		if err := w.s.Links.Link(rina, w.ref, cyb); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("linked a request the actor cannot see: %v", err)
		}
		if err := w.s.Links.Link(hendra, cyb, w.ref); err != nil {
			t.Fatal(err)
		}
		// Kemlu's officer sees neither the incident nor the indicator.
		if err := w.s.Links.Link(bima, w.ref, f); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("linked an incident the actor cannot see: %v", err)
		}
		// Linked while visible, or brought by a peer: a RED message
		// (its author only), a request on Singapore's node this node holds
		// no copy of, and a request id held here but from another node.
		w.rawLink(t, red)
		w.rawLink(t, core.Ref{Module: "cybercrime", Kind: "request", ID: "sg-mla-9", Node: "sg.example"})
		w.rawLink(t, core.Ref{Module: "directory", Kind: "poc_request", ID: "sg-req-1", Node: "my.example"})

		for _, c := range []struct {
			who  string
			ctx  context.Context
			want string
		}{
			{"BSSN analyst", rina, "indicator indicator message norm poc_request poc_request"},
			{"Polri investigator", hendra, "cyb_request indicator norm"},
			{"Kemlu officer", bima, "norm"},
		} {
			chain, err := w.s.Links.Chain(c.ctx, w.ref)
			if err != nil {
				t.Fatal(err)
			}
			if got := kinds(chain); got != c.want {
				t.Errorf("%s sees %q (%d), want %q", c.who, got, len(chain), c.want)
			}
			// A timeline: dated records oldest first, the norm (undated) last.
			for i := 1; i < len(chain); i++ {
				if !chain[i].At.IsZero() && (chain[i-1].At.IsZero() || chain[i].At.Before(chain[i-1].At)) {
					t.Errorf("%s's chain is out of order at %d: %v", c.who, i, chain)
				}
			}
		}
		// The norm's page lists the incident only to those who may see it.
		for _, c := range []struct {
			who  string
			ctx  context.Context
			want int
		}{{"BSSN analyst", rina, 1}, {"Polri investigator", hendra, 1}, {"Kemlu officer", bima, 0}, {"anonymous", context.Background(), 0}} {
			_, ls, err := w.s.Norms.OnNorm(c.ctx, "f")
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, l := range ls {
				if l.Kind == "incident" && l.Ref == w.ref.String() {
					n++
				}
			}
			if n != c.want {
				t.Errorf("norm (f) shows %s %d incidents, want %d", c.who, n, c.want)
			}
		}
		// From the other side: the indicator's page shows the incident to
		// Polri, and offers it as a target.
		form, err := w.s.Links.FormFor(hendra, green, "/intel")
		if err != nil || len(form.Linked) != 1 || form.Linked[0].Ref != w.ref || !form.Can {
			t.Fatalf("the indicator's form for Polri: %+v %v", form, err)
		}
		form, err = w.s.Links.FormFor(bima, green, "/intel")
		if err != nil || len(form.Linked) != 0 || len(form.Choices) != 0 {
			t.Fatalf("Kemlu is offered or shown what it may not see: %+v %v", form, err)
		}
	})
}

// TestChainOf50ResolvesInOneQueryPerModule holds the chain to one query to
// find the links and one per module, however many records.
func TestChainOf50ResolvesInOneQueryPerModule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newChainWorld(t, e)
		rina := as(w, "bssn", core.RoleAnalyst)
		w.chain50(t, rina)
		ctx, n := store.CountQueries(rina)
		chain, err := w.s.Links.Chain(ctx, w.ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(chain) != 50 {
			t.Fatalf("chain of %d, want 50", len(chain))
		}
		// links, intel, directory, correspondence, norms (the framework
		// is in memory): four queries.
		if n.Load() > 5 {
			t.Fatalf("%d queries for a chain of 50", n.Load())
		}
	})
}

// chain50 links the incident to 50 records BSSN's analyst may see: 25
// indicators, 12 POC requests, 12 messages and norm (f).
func (w *chainWorld) chain50(t testing.TB, ctx context.Context) {
	refs := w.indicators(t, 25, false)
	for range 12 {
		refs = append(refs, w.pocRequest(t, "bssn", "bssn@"+host, ""), w.message(t, "bssn", core.TLPAmber))
	}
	refs = append(refs, norms.NormRef("f"))
	for _, r := range refs {
		if err := w.s.Links.Link(ctx, w.ref, r); err != nil {
			t.Fatal(err)
		}
	}
}

func BenchmarkChain50(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			w := newChainWorld(b, e)
			rina := as(w, "bssn", core.RoleAnalyst)
			w.chain50(b, rina)
			b.ResetTimer()
			for b.Loop() {
				chain, err := w.s.Links.Chain(rina, w.ref)
				if err != nil || len(chain) != 50 {
					b.Fatal(len(chain), err)
				}
			}
		})
	}
}

// TestALinkIsRemovedByItsOrganisationOrTheIncidentsWriters: Polri's
// investigator sees BSSN's incident and the indicator BSSN linked to it,
// but may not remove BSSN's link (forbidden: it sees the link already);
// BSSN's officer may. A link Polri made to BSSN's incident may be removed
// by BSSN's analyst, who writes the incident.
func TestALinkIsRemovedByItsOrganisationOrTheIncidentsWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newChainWorld(t, e)
		rina, hendra, officer := as(w, "bssn", core.RoleAnalyst), as(w, "polri", core.RoleInvestigator), as(w, "bssn", core.RoleOfficer)
		green := w.indicators(t, 1, false)[0]
		linked := func() bool {
			t.Helper()
			refs, err := w.s.Links.Of(rina, w.ref)
			if err != nil {
				t.Fatal(err)
			}
			return len(refs) == 1
		}
		if err := w.s.Links.Link(rina, w.ref, green); err != nil {
			t.Fatal(err)
		}
		if err := w.s.Links.Unlink(hendra, green, w.ref); core.KindOf(err) != core.KindForbidden || !linked() {
			t.Fatalf("Polri removes BSSN's link: %v, linked %v; want forbidden and kept", err, linked())
		}
		if err := w.s.Links.Unlink(officer, green, w.ref); err != nil || linked() {
			t.Fatalf("BSSN's officer removes BSSN's link: %v, linked %v", err, linked())
		}
		if err := w.s.Links.Link(hendra, green, w.ref); err != nil {
			t.Fatal(err)
		}
		if err := w.s.Links.Unlink(rina, w.ref, green); err != nil || linked() {
			t.Fatalf("the incident's writer removes Polri's link: %v, linked %v", err, linked())
		}
	})
}
