package links

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

// shown is a resolver that lets a viewer see the records whose id does not
// start with "secret", and counts how often it is asked.
type shown struct {
	calls int
	asked int
}

func (s *shown) Resolve(_ context.Context, refs []core.Ref) ([]Item, error) {
	s.calls++
	s.asked += len(refs)
	var out []Item
	for i, r := range refs {
		if strings.HasPrefix(r.ID, "secret") {
			continue
		}
		out = append(out, Item{Ref: r, Title: r.ID, At: time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC)})
	}
	// A resolver that adds what it was not asked for is not believed.
	out = append(out, Item{Ref: core.Ref{Module: "intel", Kind: "indicator", ID: "extra"}})
	return out, nil
}

func officer() context.Context {
	return core.WithActor(context.Background(), core.Actor{UserID: "u1", Name: "Officer", Memberships: []core.Membership{{Org: core.OrgRef{ID: "o1", Handle: "bssn"}, Role: core.RoleOfficer}}})
}

func TestChainShowsAndCountsOnlyWhatTheViewerSees(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db := storetest.Open(t, e, nil, audit.Migrations(), Migrations())
		s := NewService(db, func() string { return "id.example" })
		intel, cyb := &shown{}, &shown{}
		s.Register("intel", intel)
		s.Register("cybercrime", cyb)
		ctx := officer()
		inc := core.Ref{Module: "incidents", Kind: "incident", ID: "i1"}
		s.Register("incidents", &shown{})
		for _, to := range []core.Ref{
			{Module: "intel", Kind: "indicator", ID: "indicator--1"},
			{Module: "intel", Kind: "indicator", ID: "indicator--2", Node: "id.example"}, // this node, written with its name
			{Module: "cybercrime", Kind: "request", ID: "r1", Node: "sg.example"},
		} {
			if err := s.Link(ctx, inc, to); err != nil {
				t.Fatalf("link %s: %v", to, err)
			}
		}
		// Twice is once; the other way round is the same link.
		if err := s.Link(ctx, core.Ref{Module: "intel", Kind: "indicator", ID: "indicator--1"}, inc); err != nil {
			t.Fatal(err)
		}
		// A record the actor cannot see cannot be linked, and the refusal
		// says no more than "not found".
		err := s.Link(ctx, inc, core.Ref{Module: "intel", Kind: "indicator", ID: "secret-1"})
		if core.KindOf(err) != core.KindNotFound {
			t.Fatalf("link to an unseen record: %v, want not found", err)
		}
		if err := s.Link(ctx, inc, core.Ref{Module: "nobody", Kind: "x", ID: "y"}); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("link to a module nobody resolves: %v", err)
		}
		if err := s.Link(ctx, inc, inc); core.KindOf(err) != core.KindInvalid {
			t.Fatalf("link to itself: %v", err)
		}
		if err := s.Link(context.Background(), inc, core.Ref{Module: "intel", Kind: "indicator", ID: "indicator--3"}); core.KindOf(err) != core.KindUnauthenticated {
			t.Fatalf("anonymous link: %v", err)
		}
		// A link made while the record was visible (say, before it was
		// relabelled) stays; the viewer is then not told of it.
		if err := db.WithTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO links (id, a_module, a_kind, a_id, a_node, b_module, b_kind, b_id, b_node, created_at) VALUES ('x', 'incidents', 'incident', 'i1', '', 'intel', 'indicator', 'secret-2', '', ?)`, tx.Now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		refs, err := s.Of(ctx, inc)
		if err != nil || len(refs) != 4 {
			t.Fatalf("Of: %v %v", refs, err)
		}
		intel.calls, cyb.calls = 0, 0
		chain, err := s.Chain(ctx, inc)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range chain {
			got = append(got, it.Ref.String())
		}
		slices.Sort(got)
		if want := "cybercrime:request:r1@sg.example intel:indicator:indicator--1 intel:indicator:indicator--2"; strings.Join(got, " ") != want {
			t.Fatalf("chain %v, want the three seen", got)
		}
		if len(chain) != 3 || intel.calls != 1 || cyb.calls != 1 {
			t.Fatalf("chain of %d (want 3), intel asked %d times, cybercrime %d (want once each)", len(chain), intel.calls, cyb.calls)
		}
		// From the other side, the same link.
		back, err := s.Chain(ctx, core.Ref{Module: "intel", Kind: "indicator", ID: "indicator--2"})
		if err != nil || len(back) != 1 || back[0].Ref != inc {
			t.Fatalf("chain of the indicator: %v %v", back, err)
		}
		if err := s.Unlink(ctx, core.Ref{Module: "intel", Kind: "indicator", ID: "indicator--2", Node: "id.example"}, inc); err != nil {
			t.Fatal(err)
		}
		if chain, _ := s.Chain(ctx, inc); len(chain) != 2 {
			t.Fatalf("after unlink: %d", len(chain))
		}
	})
}

func TestParsePost(t *testing.T) {
	p, err := ParsePost(url.Values{"from": {"intel:indicator:indicator--1"}, "to": {"incidents:incident:01J@id.example:8443"}, "back": {"//evil.example/x"}})
	if err != nil || p.To.Node != "id.example:8443" || p.Back != "/" {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := ParsePost(url.Values{"from": {"intel:indicator"}, "to": {"a:b:c"}}); core.AsError(err) == nil || core.AsError(err).Fields["from"] == "" {
		t.Fatalf("a bad reference names its field: %v", err)
	}
	for _, b := range []string{"/\\evil.example", "https://evil.example/", "/x\r\nSet-Cookie: a"} {
		if p, _ := ParsePost(url.Values{"from": {"a:b:c"}, "to": {"a:b:d"}, "back": {b}}); p.Back != "/" {
			t.Errorf("back %q kept as %q", b, p.Back)
		}
	}
}

func FuzzParsePost(f *testing.F) {
	f.Add("intel:indicator:indicator--1", "incidents:incident:01J@id.example", "/intel/c/1/o/2")
	f.Add("a:b:c@", ":::", "//x")
	f.Fuzz(func(t *testing.T, from, to, back string) {
		p, err := ParsePost(url.Values{"from": {from}, "to": {to}, "back": {back}})
		if err != nil {
			return
		}
		if !valid(p.From) || !valid(p.To) {
			t.Fatalf("accepted a reference that does not read back: %+v", p)
		}
		if !strings.HasPrefix(p.Back, "/") || strings.HasPrefix(p.Back, "//") || strings.ContainsAny(p.Back, "\\\r\n") {
			t.Fatalf("back %q leaves the node", p.Back)
		}
	})
}

// writers is an Owner for the test's incidents: the users it names write
// every incident of this node.
type writers map[string]bool

func (w writers) Writes(ctx context.Context, ref core.Ref) bool {
	return ref.Node == "" && w[core.ActorFrom(ctx).UserID]
}

func person(id, org string, role core.Role) context.Context {
	return core.WithActor(context.Background(), core.Actor{UserID: id, Name: id, Memberships: []core.Membership{{Org: core.OrgRef{ID: org, Handle: org}, Role: role}}})
}

// A link a person made is removed only by the people of the organisations
// it was made for, or by a writer of the incident it touches: an analyst of
// another organisation who sees both records is refused, and the refusal
// is "forbidden", not "not found", since they see both records and the
// link between them already.
func TestOnlyTheLinksOrganisationsOrTheIncidentsWritersUnlink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db := storetest.Open(t, e, nil, audit.Migrations(), Migrations())
		s := NewService(db, func() string { return "id.example" })
		s.Register("intel", &shown{})
		s.Register("incidents", &shown{})
		s.Own("incidents", "incident", writers{"a-officer": true, "c-writer": true})
		inc := core.Ref{Module: "incidents", Kind: "incident", ID: "i1"}
		ind := core.Ref{Module: "intel", Kind: "indicator", ID: "indicator--1"}
		aOfficer := person("a-officer", "org-a", core.RoleOfficer)
		aAnalyst := person("a-analyst", "org-a", core.RoleAnalyst)
		bAnalyst := person("b-analyst", "org-b", core.RoleAnalyst)
		cWriter := person("c-writer", "org-c", core.RoleAnalyst)

		// B's analyst, who sees A's incident, links its own record to it
		// and removes its own link.
		if err := s.Link(bAnalyst, ind, inc); err != nil {
			t.Fatalf("B links to an incident it sees: %v", err)
		}
		if err := s.Unlink(bAnalyst, inc, ind); err != nil {
			t.Fatalf("B unlinks its own link: %v", err)
		}
		link := func() {
			t.Helper()
			if err := s.Link(aOfficer, ind, inc); err != nil {
				t.Fatal(err)
			}
		}
		linked := func() bool {
			t.Helper()
			refs, err := s.Of(aOfficer, inc)
			if err != nil {
				t.Fatal(err)
			}
			return len(refs) == 1
		}
		link()
		if err := s.Unlink(bAnalyst, ind, inc); core.KindOf(err) != core.KindForbidden || !linked() {
			t.Fatalf("B's analyst removes A's link: %v, linked %v; want forbidden and kept", err, linked())
		}
		if err := s.Unlink(aAnalyst, inc, ind); err != nil || linked() {
			t.Fatalf("A's analyst removes A's link: %v, linked %v", err, linked())
		}
		link()
		if err := s.Unlink(cWriter, inc, ind); err != nil || linked() {
			t.Fatalf("the incident's writer removes A's link: %v, linked %v", err, linked())
		}
		// A link the system joined keeps the earlier rule.
		if err := db.WithTx(aOfficer, func(tx *store.Tx) error { return s.Join(aOfficer, tx, ind, inc) }); err != nil {
			t.Fatal(err)
		}
		if err := s.Unlink(bAnalyst, ind, inc); err != nil || linked() {
			t.Fatalf("a joined link: %v, linked %v", err, linked())
		}
	})
}
