package intel_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/intel"
)

// TestRefusedBytes: what encoding/json lets through but readers cannot
// take is refused with its reason, the same on both engines, and the
// objects around it are stored.
func TestRefusedBytes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		name := func(s string) string { return strings.Replace(obj("", ""), `"name":"C2 `, `"name":"`+s, 1) }
		cases := []struct{ name, raw, want string }{
			{"invalid UTF-8", name("\xff\xfe"), "(object): is not valid UTF-8"},
			{"escaped NUL", name(`a\u0000b`), `name: holds NUL`},
			{"escaped NUL in a list", strings.Replace(obj("", ""), `"pattern_type"`, `"labels":["ok","\u0000"],"pattern_type"`, 1), `labels.1: holds NUL`},
			{"duplicate key", strings.Replace(obj("", "", tlpRed), `"name"`, `"object_marking_refs":["`+tlpClear+`"],"name"`, 1), "object_marking_refs: appears twice"},
			{"nested duplicate key", strings.Replace(obj("", ""), `"pattern_type"`, `"external_references":[{"source_name":"a","source_name":"b"}],"pattern_type"`, 1), "external_references.0.source_name: appears twice"},
		}
		raws := []string{obj("", "")}
		for _, c := range cases {
			raws = append(raws, c.raw)
		}
		raws = append(raws, obj("", ""))
		st := post(t, w, cert, raws...)
		if st.Status != "complete" || st.SuccessCount != 2 || st.FailureCount != len(cases) {
			t.Fatalf("status %+v", st)
		}
		for i, c := range cases {
			if !strings.Contains(st.Failures[i].Message, c.want) {
				t.Errorf("%s: %q, want it to say %q", c.name, st.Failures[i].Message, c.want)
			}
		}
		// A raw NUL is not JSON at all: that object and the rest of the
		// stream fail, what came before is stored, on both engines alike.
		st = post(t, w, cert, obj("", ""), name("a\x00b"), obj("", ""))
		if st.Status != "complete" || st.SuccessCount != 1 || st.FailureCount != 1 || !strings.Contains(st.Failures[0].Message, "invalid JSON") {
			t.Errorf("raw NUL: %+v", st)
		}
	})
}

// TestFailureVersions: a refused object's status line carries the version
// it claims (§4.3.1), its modified or else its created.
func TestFailureVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		noPattern := strings.Replace(obj("", "2026-11-03T00:00:00.000Z"), `"pattern":`, `"x_pattern":`, 1)
		createdOnly := `{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2026-11-02T00:00:00.000Z"}`
		st := post(t, w, cert, noPattern, createdOnly)
		if st.FailureCount != 2 {
			t.Fatalf("status %+v", st)
		}
		for i, want := range []string{"2026-11-03T00:00:00.000Z", "2026-11-02T00:00:00.000Z"} {
			if got := st.Failures[i].Version; got != want {
				t.Errorf("failure %d: version %q, want %q", i, got, want)
			}
		}
	})
}

// TestBareObjectRefused: a body with no objects list (one STIX object sent
// alone) is refused, not taken as an empty envelope (§5.5: 422).
func TestBareObjectRefused(t *testing.T) {
	w := newWorld(t, storetest.Engines(t)[0])
	_, err := w.svc.Post(context.Background(), []string{cert}, w.coll.ID, strings.NewReader(obj("", "")))
	if core.KindOf(err) != core.KindInvalid {
		t.Fatalf("bare object: %v, want invalid", err)
	}
	if st, err := w.svc.Post(context.Background(), []string{cert}, w.coll.ID, strings.NewReader(`{"objects":[]}`)); err != nil || st.TotalCount != 0 {
		t.Fatalf("empty list: %+v %v", st, err)
	}
}

// TestStatusLinesBounded: a request of many tiny objects keeps its counts
// but not a row per object.
func TestStatusLinesBounded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		const n = intel.MaxStatusLines + 500
		body := `{"objects":[{}` + strings.Repeat(`,{}`, n-1) + `]}`
		st, err := w.svc.Post(context.Background(), []string{cert}, w.coll.ID, strings.NewReader(body))
		if err != nil || st.TotalCount != n || st.FailureCount != n {
			t.Fatalf("%+v %v", st, err)
		}
		var rows int
		if err := w.db.R().Get(context.Background(), &rows, `SELECT COUNT(*) FROM intel_status_items WHERE status_id = ?`, st.ID); err != nil {
			t.Fatal(err)
		}
		if rows != intel.MaxStatusLines {
			t.Errorf("%d status rows for %d objects, want %d", rows, n, intel.MaxStatusLines)
		}
	})
}

// cutReader gives the bytes of body, then fails as a connection that went
// away does, after calling cancel (the server cancels the request's
// context when its client leaves).
type cutReader struct {
	body   io.Reader
	cancel func()
}

var errGone = errors.New("connection reset by peer")

func (c *cutReader) Read(p []byte) (int, error) {
	n, err := c.body.Read(p)
	if err == io.EOF {
		c.cancel()
		return n, errGone
	}
	return n, err
}

// TestInterruptedUpload: a client that disconnects mid-body leaves a
// complete status with what was read stored and the cut object failed, not
// a status pending forever.
func TestInterruptedUpload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		objs := make([]string, 150) // more than one batch
		for i := range objs {
			objs[i] = obj("", "")
		}
		partial := `{"objects":[` + strings.Join(objs, ",") + `,{"type":"indic`
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		st, err := w.svc.Post(ctx, []string{cert}, w.coll.ID, &cutReader{body: strings.NewReader(partial), cancel: cancel})
		if !errors.Is(err, errGone) {
			t.Errorf("error %v, want the read error", err)
		}
		full, serr := w.svc.Status(context.Background(), []string{cert}, st.ID)
		if serr != nil {
			t.Fatal(serr)
		}
		if full.Status != "complete" || full.SuccessCount != len(objs) || full.FailureCount != 1 || full.TotalCount != len(objs)+1 {
			t.Fatalf("status %s: %d ok, %d failed of %d", full.Status, full.SuccessCount, full.FailureCount, full.TotalCount)
		}
		if !strings.Contains(full.Failures[0].Message, "the request ended") {
			t.Errorf("failure %q", full.Failures[0].Message)
		}
	})
}

// TestSightingFollowsTarget: a sighting or a false-positive opinion of an
// object shared with a group goes to that group only, note included, and
// one of an object its owner keeps stays with its owner.
func TestSightingFollowsTarget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		ctx := context.Background()
		if err := w.svc.SetRight(ctx, w.root, w.coll.ID, intel.Right{Org: member, Read: true, Write: true}); err != nil {
			t.Fatal(err)
		}
		grouped := "indicator--22222222-2222-4222-8222-222222222222"
		red := "indicator--33333333-3333-4333-8333-333333333333"
		post(t, w, cert, obj(grouped, "", tlpAmber, w.group.ID), obj(red, "", tlpRed))
		type sighting struct {
			by     string
			target string
			fp     bool
			sh     intel.Sharing
			sees   []string
			hidden []string
		}
		for _, s := range []sighting{
			{member, grouped, false, intel.Sharing{}, []string{member}, []string{reader, outsider}},
			{member, grouped, true, intel.Sharing{}, []string{member}, []string{reader, outsider}},
			{member, grouped, false, intel.Sharing{TLP: core.TLPGreen}, []string{member}, []string{reader, outsider}},
			{cert, red, false, intel.Sharing{TLP: core.TLPClear}, []string{cert}, []string{member, reader, outsider}},
		} {
			got, err := w.svc.Sight(ctx, actorOf(s.by, core.RoleAdmin), w.coll.ID, s.by, s.target, s.fp, "seen at the substation", s.sh)
			if err != nil {
				t.Fatalf("sight %s by %s: %v", s.target, s.by, err)
			}
			for _, org := range append(s.sees, s.hidden...) {
				rows, _, err := w.svc.Objects(ctx, []string{org}, intel.Query{Collection: w.coll.ID, IDs: []string{got.ID}})
				if err != nil {
					t.Fatal(err)
				}
				want := !slices.Contains(s.hidden, org)
				if (len(rows) == 1) != want {
					t.Errorf("%s (%s) of %s seen by %s: %v, want %v", got.Type, got.TLP, s.target, org, len(rows) == 1, want)
				}
			}
		}
	})
}

// TestCollectionChosenID: a collection may be created with the id it had
// on another TAXII server, once, and only as a UUID that names no other
// collection by id or alias.
func TestCollectionChosenID(t *testing.T) {
	w := newWorld(t, storetest.Engines(t)[0])
	ctx := context.Background()
	const id = "0f8fad5b-d9cb-469f-a165-70867728950e"
	c, err := w.svc.CreateCollection(ctx, w.root, intel.NewCollection{ID: strings.ToUpper(id), Alias: "moved", Title: "Moved", DefaultTLP: core.TLPGreen})
	if err != nil || c.ID != id {
		t.Fatalf("create: %+v %v", c, err)
	}
	if err := w.svc.SetRight(ctx, w.root, id, intel.Right{Org: cert, Read: true}); err != nil {
		t.Fatal(err)
	}
	if got, err := w.svc.CollectionFor(ctx, []string{cert}, id); err != nil || got.Alias != "moved" {
		t.Fatalf("found by id: %+v %v", got, err)
	}
	for _, tc := range []struct{ id, alias, field, want string }{
		{id, "again", "id", "err.intel.collection_id_taken"},
		{"not-a-uuid", "other", "id", "err.intel.collection_id"},
		{"00000000-0000-0000-0000-000000000000", "other", "id", "err.intel.collection_id"},
		{"moved", "other", "id", "err.intel.collection_id"},
		{"", id, "alias", "err.intel.alias_taken"},
	} {
		_, err := w.svc.CreateCollection(ctx, w.root, intel.NewCollection{ID: tc.id, Alias: tc.alias, Title: "T", DefaultTLP: core.TLPGreen})
		ce := core.AsError(err)
		if ce == nil || ce.Fields[tc.field] != tc.want {
			t.Errorf("id %q alias %q: %v, want %s on %s", tc.id, tc.alias, err, tc.want, tc.field)
		}
	}
}
