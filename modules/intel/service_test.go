package intel_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/intel"
)

const host = "node.test"

// Organisations by address: the CERT that publishes, a member of its
// sharing group, a reader of the collection outside the group, an
// organisation without rights, and an organisation of another node.
const (
	cert     = "cert@node.test"
	member   = "bank@node.test"
	reader   = "ministry@node.test"
	outsider = "acme@node.test"
	remote   = "csirt@other.test"
)

type world struct {
	svc   *intel.Service
	db    *store.DB
	clock *storetest.Clock
	root  core.Actor
	coll  intel.Collection
	group intel.Group
}

func actorOf(addr string, role core.Role) core.Actor {
	h, _, _ := strings.Cut(addr, "@")
	return core.Actor{UserID: "u-" + h, Name: h, Memberships: []core.Membership{{Org: core.OrgRef{ID: "id-" + h, Handle: h}, Kind: core.OrgStateCERT, Role: role}}}
}

func newWorld(t testing.TB, e storetest.Engine) *world {
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, e, clock, ledger.Migrations(), federation.Migrations(), intel.Migrations())
	node := fedtest.New(t, db, host)
	fed := node.Fed
	var err error
	w := &world{svc: intel.NewService(db, fed, nil), db: db, clock: clock, root: core.Actor{UserID: "root", NodeAdmin: true}}
	w.coll, err = w.svc.CreateCollection(ctx, w.root, intel.NewCollection{Alias: "energy", Title: "Energy sector", DefaultTLP: core.TLPGreen})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []intel.Right{{Org: cert, Read: true, Write: true}, {Org: member, Read: true}, {Org: reader, Read: true}, {Org: remote, Read: true}} {
		if err := w.svc.SetRight(ctx, w.root, w.coll.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	w.group, err = w.svc.CreateGroup(ctx, actorOf(cert, core.RoleAdmin), cert, "Energy ISAC", []string{member, remote})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

var uuidN int

// obj builds an indicator with a fresh id (or the given one), its markings
// and modified time.
func obj(id string, modified string, markings ...string) string {
	if id == "" {
		uuidN++
		id = fmt.Sprintf("indicator--%08x-0000-4000-8000-000000000000", uuidN)
	}
	if modified == "" {
		modified = "2026-11-01T00:00:00.000Z"
	}
	m := ""
	if len(markings) > 0 {
		b, _ := json.Marshal(markings)
		m = `,"object_marking_refs":` + string(b)
	}
	return `{"type":"indicator","spec_version":"2.1","id":"` + id + `","created":"2026-11-01T00:00:00.000Z","modified":"` + modified +
		`","name":"C2 ` + id[len(id)-4:] + `","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2026-11-01T00:00:00Z"` + m + `}`
}

func envelope(objs ...string) io.Reader {
	return strings.NewReader(`{"objects":[` + strings.Join(objs, ",") + `]}`)
}

func post(t *testing.T, w *world, org string, objs ...string) intel.Status {
	t.Helper()
	st, err := w.svc.Post(context.Background(), []string{org}, w.coll.ID, envelope(objs...))
	if err != nil {
		t.Fatal(err)
	}
	full, err := w.svc.Status(context.Background(), []string{org}, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	return full
}

const (
	tlpClear  = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	tlpGreen  = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	tlpAmber  = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	tlpStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	tlpRed    = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
)

// TestRefusals: each refused object says which property and why, and the
// objects around it are stored.
func TestRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		good := obj("", "")
		cases := []struct{ raw, want string }{
			{`{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2026-11-01T00:00:00.000Z","modified":"2026-11-01T00:00:00.000Z","pattern_type":"stix","valid_from":"2026-11-01T00:00:00Z"}`, "missing property 'pattern'"},
			{strings.Replace(obj("", ""), `"spec_version":"2.1"`, `"spec_version":"2.0"`, 1), "spec_version: is \"2.0\""},
			{strings.Replace(obj("", ""), `"id":"indicator--`, `"id":"malware--`, 1), "id: starts with \"malware\" but the type is \"indicator\""},
			{strings.Replace(obj("", ""), `"created":"2026-11-01T00:00:00.000Z"`, `"created":"2026-11-02T00:00:00.000Z"`, 1), "modified: is before created"},
			{strings.Replace(obj("", ""), `"created":"2026-11-01T00:00:00.000Z"`, `"created":"2026-11-01T00:00:00Z"`, 1), "created: does not follow the STIX 2.1 schema"},
			{strings.Replace(obj("", ""), `[ipv4-addr:value = '198.51.100.7']`, `[ipv4-addr:value = '198.51.100.7'`, 1), "pattern: 1 bracket(s) not closed"},
			{strings.Replace(obj("", ""), `"valid_from":"2026-11-01T00:00:00Z"`, `"valid_from":"2026-11-01T00:00:00Z","valid_until":"2026-10-01T00:00:00Z"`, 1), "valid_until: must be later than valid_from"},
			{`{"type":"sighting","spec_version":"2.1","id":"sighting--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2026-11-01T00:00:00.000Z","modified":"2026-11-01T00:00:00.000Z","sighting_of_ref":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"}`, "sighting_of_ref"},
			{`"just a string"`, "(object)"},
			{obj("", "", tlpAmber, w.group.ID, mustGroup(t, w).ID), "names two sharing groups"},
		}
		var raws []string
		raws = append(raws, good)
		for _, c := range cases {
			raws = append(raws, c.raw)
		}
		st := post(t, w, cert, raws...)
		if st.TotalCount != len(raws) || st.SuccessCount != 1 || st.FailureCount != len(cases) || st.Status != "complete" {
			t.Fatalf("status %+v", st)
		}
		for i, c := range cases {
			if !strings.Contains(st.Failures[i].Message, c.want) {
				t.Errorf("case %d: %q, want it to say %q", i, st.Failures[i].Message, c.want)
			}
		}
		// Broken JSON in the middle: the objects before it are stored, it and
		// the rest are refused, with the reason.
		st2, err := w.svc.Post(context.Background(), []string{cert}, w.coll.ID, strings.NewReader(`{"objects":[`+obj("", "")+`,{"type": "indicator", oops}, `+obj("", "")+`]}`))
		if err != nil {
			t.Fatal(err)
		}
		if st2.SuccessCount != 1 || st2.FailureCount != 1 {
			t.Errorf("broken stream: %+v", st2)
		}
		// Not an envelope at all is an error, and nothing is recorded.
		if _, err := w.svc.Post(context.Background(), []string{cert}, w.coll.ID, strings.NewReader(`[1,2]`)); core.KindOf(err) != core.KindInvalid {
			t.Errorf("array body: %v", err)
		}
		// Without write, nothing.
		if _, err := w.svc.Post(context.Background(), []string{reader}, w.coll.ID, envelope(obj("", ""))); core.KindOf(err) != core.KindForbidden {
			t.Errorf("reader posting: %v", err)
		}
	})
}

func mustGroup(t *testing.T, w *world) intel.Group {
	g, err := w.svc.CreateGroup(context.Background(), actorOf(cert, core.RoleAdmin), cert, "Second", nil)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestVersions: versions by modified, duplicates are successes that store
// nothing, an older version arriving late is not the latest, TLP cannot go
// down without declassify, and only the owner versions an object.
func TestVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		ctx := context.Background()
		id := "indicator--11111111-1111-4111-8111-111111111111"
		st := post(t, w, cert, obj(id, "2026-11-02T00:00:00.000Z", tlpAmber), obj(id, "2026-11-02T00:00:00.000Z", tlpAmber), obj(id, "2026-11-01T00:00:00.000Z", tlpAmber))
		if st.SuccessCount != 3 || st.Successes[1].Message != "already stored" {
			t.Fatalf("%+v", st)
		}
		all, _, err := w.svc.Objects(ctx, []string{cert}, intel.Query{Collection: w.coll.ID, IDs: []string{id}, Versions: []string{"all"}})
		if err != nil || len(all) != 2 {
			t.Fatalf("versions: %d %v", len(all), err)
		}
		last, _, _ := w.svc.Objects(ctx, []string{cert}, intel.Query{Collection: w.coll.ID, IDs: []string{id}})
		if len(last) != 1 || last[0].Version != "2026-11-02T00:00:00.000000Z" {
			t.Fatalf("last: %+v", last)
		}
		first, _, _ := w.svc.Objects(ctx, []string{cert}, intel.Query{Collection: w.coll.ID, IDs: []string{id}, Versions: []string{"first"}})
		if len(first) != 1 || first[0].Version != "2026-11-01T00:00:00.000000Z" {
			t.Fatalf("first: %+v", first)
		}
		st = post(t, w, cert, obj(id, "2026-11-03T00:00:00.000Z", tlpGreen))
		if st.FailureCount != 1 || !strings.Contains(st.Failures[0].Message, "would lower TLP:AMBER") {
			t.Fatalf("downgrade: %+v", st)
		}
		if err := w.svc.SetRight(ctx, w.root, w.coll.ID, intel.Right{Org: cert, Read: true, Write: true, Declassify: true}); err != nil {
			t.Fatal(err)
		}
		if st = post(t, w, cert, obj(id, "2026-11-03T00:00:00.000Z", tlpGreen)); st.SuccessCount != 1 {
			t.Fatalf("declassify: %+v", st)
		}
		if err := w.svc.SetRight(ctx, w.root, w.coll.ID, intel.Right{Org: member, Read: true, Write: true}); err != nil {
			t.Fatal(err)
		}
		if st = post(t, w, member, obj(id, "2026-11-04T00:00:00.000Z", tlpRed)); st.FailureCount != 1 || !strings.Contains(st.Failures[0].Message, "belongs to another organisation") {
			t.Fatalf("hijack: %+v", st)
		}
	})
}

// TestWhoSees is the matrix of the store: every TLP, with and without a
// sharing group, for the owner, a group member, a reader outside the group,
// an organisation without rights, and a group member on another node.
func TestWhoSees(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		empty := mustGroup(t, w)
		ctx := context.Background()
		type row struct {
			name     string
			markings []string
			sees     []string
		}
		rows := []row{
			{"clear", []string{tlpClear}, []string{cert, member, reader, remote}},
			{"green", []string{tlpGreen}, []string{cert, member, reader, remote}},
			{"none (default GREEN)", nil, []string{cert, member, reader, remote}},
			{"amber", []string{tlpAmber}, []string{cert, member, reader, remote}},
			{"amber+strict", []string{tlpStrict}, []string{cert, member, reader, remote}},
			{"red", []string{tlpRed}, []string{cert}},
			{"clear to group", []string{tlpClear, w.group.ID}, []string{cert, member, remote}},
			{"amber to group", []string{tlpAmber, w.group.ID}, []string{cert, member, remote}},
			{"amber+strict to group", []string{tlpStrict, w.group.ID}, []string{cert, member, remote}},
			{"red to group", []string{tlpRed, w.group.ID}, []string{cert, member, remote}},
			{"amber to empty group", []string{tlpAmber, empty.ID}, []string{cert}},
		}
		ids := map[string]string{}
		for _, r := range rows {
			raw := obj("", "", r.markings...)
			var h struct{ ID string }
			json.Unmarshal([]byte(raw), &h)
			ids[r.name] = h.ID
			if st := post(t, w, cert, raw); st.SuccessCount != 1 {
				t.Fatalf("%s: %+v", r.name, st)
			}
		}
		for _, r := range rows {
			for _, org := range []string{cert, member, reader, outsider, remote} {
				want := slices.Contains(r.sees, org)
				for _, q := range []intel.Query{
					{Collection: w.coll.ID, IDs: []string{ids[r.name]}},
					{IDs: []string{ids[r.name]}, Versions: []string{"all"}},
					{Text: ids[r.name]},
				} {
					got, _, err := w.svc.Objects(ctx, []string{org}, q)
					if err != nil {
						t.Fatal(err)
					}
					if (len(got) == 1) != want {
						t.Errorf("%s seen by %s (query %+v): %v, want %v", r.name, org, q, len(got) == 1, want)
					}
				}
			}
		}
		if got, _, _ := w.svc.Objects(ctx, nil, intel.Query{}); len(got) != 0 {
			t.Errorf("no organisation saw %d objects", len(got))
		}
	})
}

// TestPagingWhileAdding pages a collection by next while another writer
// adds objects: nothing that was there at the start is skipped, nothing is
// seen twice.
func TestPagingWhileAdding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		ctx := context.Background()
		var before []string
		for range 10 {
			var batch []string
			for range 50 {
				batch = append(batch, obj("", ""))
			}
			post(t, w, cert, batch...)
		}
		all, _, _ := w.svc.Objects(ctx, []string{cert}, intel.Query{Collection: w.coll.ID, Limit: 1000})
		for _, o := range all {
			before = append(before, o.ID)
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				var batch []string
				for range 30 {
					batch = append(batch, obj("", ""))
				}
				if _, err := w.svc.Post(ctx, []string{cert}, w.coll.ID, envelope(batch...)); err != nil {
					t.Error(err)
				}
			}
		}()
		seen := map[string]int{}
		var after int64
		for pages := 0; ; pages++ {
			rows, more, err := w.svc.Objects(ctx, []string{member}, intel.Query{Collection: w.coll.ID, After: after, Limit: 37})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range rows {
				seen[o.ID]++
			}
			if len(rows) > 0 {
				after = rows[len(rows)-1].Seq
			}
			if !more {
				break
			}
		}
		wg.Wait()
		for _, id := range before {
			if seen[id] != 1 {
				t.Errorf("%s seen %d times", id, seen[id])
			}
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("%s seen %d times", id, n)
			}
		}
		if len(before) != 500 {
			t.Errorf("before: %d", len(before))
		}
		// added_after, the other way to page, agrees.
		rows, _, _ := w.svc.Objects(ctx, []string{cert}, intel.Query{Collection: w.coll.ID, Limit: 1000})
		mid := rows[99].DateAdded
		rest, _, _ := w.svc.Objects(ctx, []string{cert}, intel.Query{Collection: w.coll.ID, AddedAfter: mid, Limit: 1000})
		if len(rest) != len(rows)-100 || rest[0].ID != rows[100].ID {
			t.Errorf("added_after: %d of %d, first %s want %s", len(rest), len(rows), rest[0].ID, rows[100].ID)
		}
	})
}

// TestQueriesPerPage holds a TAXII objects page to its SQL: the collection
// with the reader's rights, then the page itself.
func TestQueriesPerPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		var batch []string
		for range 250 {
			batch = append(batch, obj("", ""))
		}
		post(t, w, cert, batch...)
		ctx, n := store.CountQueries(context.Background())
		c, err := w.svc.CollectionFor(ctx, []string{member}, w.coll.ID)
		if err != nil {
			t.Fatal(err)
		}
		rows, more, err := w.svc.Objects(ctx, []string{member}, intel.Query{Collection: c.ID, Limit: 100, After: 17})
		if err != nil || len(rows) != 100 || !more {
			t.Fatalf("%d %v %v", len(rows), more, err)
		}
		if n.Load() > 3 {
			t.Errorf("a page took %d queries, want at most 3", n.Load())
		}
		t.Logf("queries per page: %d", n.Load())
	})
}
