package cybercrime

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

// figT0 is when the figures' test requests were sent; figNow when the
// figures are asked for.
var (
	figT0  = time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	figNow = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
)

// figReq is a request as the figures see it: who, what, and when each
// step came, in hours after figT0 (negative: never).
type figReq struct {
	id                                      string // req-NNN by its place when empty
	org, dir, from, to, kind, state, ground string
	sent, ack, pres, exec                   float64
	respondBy                               float64
	exercise                                bool
	origin                                  string
}

func figActor(name string, admin bool, orgs ...string) context.Context {
	a := core.Actor{UserID: "u-" + name, Name: name, NodeAdmin: admin}
	for _, o := range orgs {
		a.Memberships = append(a.Memberships, core.Membership{Org: core.OrgRef{ID: o, Handle: o}, Role: core.RoleInvestigator})
	}
	return core.WithActor(context.Background(), a)
}

// figInsert stores the requests directly: the figures read rows, and how
// the rows came to be is the lifecycle tests' business.
func figInsert(t testing.TB, db *store.DB, reqs []figReq) {
	t.Helper()
	at := func(h float64) *time.Time {
		if h < 0 {
			return nil
		}
		v := figT0.Add(time.Duration(h * float64(time.Hour)))
		return &v
	}
	err := db.WithTx(context.Background(), func(tx *store.Tx) error {
		for i, q := range reqs {
			origin := q.origin
			if origin == "" {
				origin = fmt.Sprintf("origin-%03d", i)
			}
			from, to := q.from, q.to
			id := q.id
			if id == "" {
				id = fmt.Sprintf("req-%03d", i)
			}
			r := Request{ID: id, OriginID: origin, Direction: q.dir, OrgID: q.org,
				From:        map[string]string{"ID": "polri@here.test", "VN": "vnpol@here.test", "MY": "pdrm@there.test"}[from],
				To:          map[string]string{"ID": "polri@here.test", "VN": "vnpol@here.test", "MY": "pdrm@there.test"}[to],
				FromCountry: from, ToCountry: to, Kind: Kind(q.kind), Basis: "budapest", Language: "en", FieldsJSON: `{"facts":"secret"}`,
				State: State(q.state), Ground: q.ground, Author: "A", CreatedAt: figT0, UpdatedAt: figT0, Exercise: q.exercise,
				SentAt: at(q.sent), AckAt: at(q.ack), PreservAt: at(q.pres), ExecutedAt: at(q.exec), RespondBy: at(q.respondBy)}
			if err := insertRequest(context.Background(), tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// figWorld is a node hosting polri (Indonesia, o-id) and vnpol (Viet Nam,
// o-vn), with requests between them and to Malaysia's police on another
// node, and a third organisation (o-other) with none.
func figWorld(t *testing.T, e storetest.Engine) *Service {
	t.Helper()
	clock := storetest.NewClock(figNow)
	db := storetest.Open(t, e, clock, audit.Migrations(), Migrations())
	figInsert(t, db, []figReq{
		// Indonesia → Malaysia, preservations: acknowledged after 1, 3, 2
		// and 10 hours; preserved after 2 and 5; one refused.
		{org: "o-id", dir: "out", from: "ID", to: "MY", kind: "preservation", state: "preserved", sent: 0, ack: 1, pres: 2, exec: -1, respondBy: 24},
		{org: "o-id", dir: "out", from: "ID", to: "MY", kind: "preservation", state: "preserved", sent: 0, ack: 3, pres: 5, exec: -1, respondBy: 24},
		{org: "o-id", dir: "out", from: "ID", to: "MY", kind: "preservation", state: "acknowledged", sent: 0, ack: 2, pres: -1, exec: -1, respondBy: 24},
		{org: "o-id", dir: "out", from: "ID", to: "MY", kind: "preservation", state: "refused", ground: "political_offence", sent: 0, ack: 10, pres: -1, exec: 10, respondBy: 24},
		// Unanswered past its day: overdue.
		{org: "o-id", dir: "out", from: "ID", to: "MY", kind: "preservation", state: "sent", sent: 0, ack: -1, pres: -1, exec: -1, respondBy: 24},
		// Neither an exercise nor a draft counts.
		{org: "o-id", dir: "out", from: "ID", to: "MY", kind: "preservation", state: "acknowledged", sent: 0, ack: 100, pres: -1, exec: -1, respondBy: 24, exercise: true},
		{org: "o-id", dir: "out", from: "ID", to: "MY", kind: "preservation", state: "draft", sent: -1, ack: -1, pres: -1, exec: -1, respondBy: -1},
		// Indonesia → Viet Nam, both hosted here: each side has its row,
		// and the request counts once. Executed after 48 hours.
		{org: "o-id", dir: "out", from: "ID", to: "VN", kind: "stored_data", state: "executed", sent: 0, ack: 5, pres: -1, exec: 48, respondBy: 168, origin: "shared-1"},
		{org: "o-vn", dir: "in", from: "ID", to: "VN", kind: "stored_data", state: "executed", sent: 0, ack: 5, pres: -1, exec: 48, respondBy: 168, origin: "shared-1"},
		// Refused, then closed: still a refusal.
		{org: "o-id", dir: "out", from: "ID", to: "VN", kind: "stored_data", state: "closed", ground: "dual_criminality", sent: 0, ack: 20, pres: -1, exec: 30, respondBy: 168, origin: "shared-2"},
		{org: "o-vn", dir: "in", from: "ID", to: "VN", kind: "stored_data", state: "closed", ground: "dual_criminality", sent: 0, ack: 20, pres: -1, exec: 30, respondBy: 168, origin: "shared-2"},
		// Malaysia → Viet Nam, received here: only the requested side.
		{org: "o-vn", dir: "in", from: "MY", to: "VN", kind: "preservation", state: "received", sent: 800, ack: -1, pres: -1, exec: -1, respondBy: 850},
	})
	return &Service{db: db}
}

func TestFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		s := figWorld(t, e)
		h := func(x float64) time.Duration { return time.Duration(x * float64(time.Hour)) }
		idMY := PairFigures{From: "ID", To: "MY", Kind: KindPreservation, Sent: 5, Open: 4, Overdue: 1, Refused: 1,
			// Acknowledged after 1, 2, 3 and 10 hours: the median is the
			// 2nd of 4 (ceil(0.5 × 4)), the 90th percentile the 4th
			// (ceil(0.9 × 4)).
			Ack:      Stat{N: 4, Median: h(2), P90: h(10)},
			Preserve: Stat{N: 2, Median: h(2), P90: h(5)},
			Grounds:  []GroundCount{{"political_offence", 1}}}
		idVN := PairFigures{From: "ID", To: "VN", Kind: KindStoredData, Sent: 2, Executed: 1, Refused: 1,
			Ack:     Stat{N: 2, Median: h(5), P90: h(20)},
			Execute: Stat{N: 1, Median: h(48), P90: h(48)},
			Grounds: []GroundCount{{"dual_criminality", 1}}}
		myVN := PairFigures{From: "MY", To: "VN", Kind: KindPreservation, Sent: 1, Open: 1}

		// Someone in both organisations sees every request, once (a node
		// administrator's view hides these small groups: see
		// TestFiguresHideSmallGroupsFromNodeAdmins).
		both := figActor("both", false, "o-id", "o-vn")
		f, err := s.Figures(both, FigureQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if d := figDiff([]PairFigures{idMY, idVN, myVN}, f.Pairs); d != "" {
			t.Errorf("both sides' figures :\n%s", d)
		}
		if f.Node || f.MinGroup != 0 || f.Total.Sent != 8 || f.Total.Refused != 2 || f.Total.Ack != (Stat{N: 6, Median: h(3), P90: h(20)}) {
			t.Errorf("total %+v", f.Total)
		}

		// Indonesia's investigator: its own requests.
		f, err = s.Figures(figActor("sari", false, "o-id"), FigureQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if d := figDiff([]PairFigures{idMY, idVN}, f.Pairs); d != "" {
			t.Errorf("Indonesia's figures :\n%s", d)
		}
		// Viet Nam's: what it received, the shared ones from its own rows.
		f, _ = s.Figures(figActor("minh", false, "o-vn"), FigureQuery{})
		if d := figDiff([]PairFigures{idVN, myVN}, f.Pairs); d != "" {
			t.Errorf("Viet Nam's figures :\n%s", d)
		}
		// A person of another organisation gets nothing of theirs.
		f, err = s.Figures(figActor("other", false, "o-other"), FigureQuery{})
		if err != nil || len(f.Pairs) != 0 || f.Total.Sent != 0 {
			t.Errorf("another organisation's person: %+v, %v", f, err)
		}
		// Nor someone whose role in it is not for requests.
		plain := core.WithActor(context.Background(), core.Actor{UserID: "u-m", Memberships: []core.Membership{{Org: core.OrgRef{ID: "o-id"}, Role: core.RoleMember}}})
		if _, err := s.Figures(plain, FigureQuery{}); core.KindOf(err) != core.KindForbidden {
			t.Errorf("a plain member: %v", err)
		}

		// The period and the kind narrow them; Malaysia's request was sent
		// on 5 December (800 hours on).
		f, err = s.Figures(both, FigureQuery{From: "2026-12-05", To: "2026-12-05", Kind: "preservation"})
		if err != nil {
			t.Fatal(err)
		}
		if d := figDiff([]PairFigures{myVN}, f.Pairs); d != "" {
			t.Errorf("5 December's preservations :\n%s", d)
		}
		f, _ = s.Figures(both, FigureQuery{To: "2026-12-04", Kind: "stored_data"})
		if d := figDiff([]PairFigures{idVN}, f.Pairs); d != "" {
			t.Errorf("stored data until 4 December :\n%s", d)
		}

		// A bad query names its fields.
		_, err = s.Figures(figActor("root", true), FigureQuery{From: "2026-12-31", To: "2026-12-01", Kind: "gossip"})
		ce := core.AsError(err)
		if ce == nil || ce.Fields["to"] != "err.cyb_period" || ce.Fields["kind"] != "err.choice" {
			t.Errorf("bad query: %v", err)
		}
		if _, err := s.Figures(figActor("root", true), FigureQuery{From: "31/12/2026"}); core.AsError(err) == nil || core.AsError(err).Fields["from"] != "err.date" {
			t.Errorf("bad date: %v", err)
		}
	})
}

// figNodeWorld is figWorld with three more requests from Indonesia to Viet
// Nam (both sides' rows each), so that one pair and kind of the node
// reaches figureMin and the others stay under it.
func figNodeWorld(t *testing.T, e storetest.Engine) *Service {
	t.Helper()
	s := figWorld(t, e)
	var more []figReq
	for i, h := range []float64{1, 2, 3} {
		origin := fmt.Sprintf("shared-%d", i+3)
		for _, side := range [][2]string{{"o-id", "out"}, {"o-vn", "in"}} {
			more = append(more, figReq{id: fmt.Sprintf("req-more-%d-%s", i, side[1]), org: side[0], dir: side[1], from: "ID", to: "VN", kind: "stored_data", state: "executed",
				sent: 0, ack: h, pres: -1, exec: 24 + 6*float64(i), respondBy: 168, origin: origin})
		}
	}
	figInsert(t, s.db, more)
	return s
}

// TestFiguresHideSmallGroupsFromNodeAdmins: a node administrator sees the
// node's figures only where at least figureMin requests stand behind each
// one, so that no figure is one request's; the totals add up only what is
// shown. The people of the organisations involved still see theirs whole.
func TestFiguresHideSmallGroupsFromNodeAdmins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		s := figNodeWorld(t, e)
		h := func(x float64) time.Duration { return time.Duration(x * float64(time.Hour)) }
		root := figActor("root", true)
		f, err := s.Figures(root, FigureQuery{})
		if err != nil {
			t.Fatal(err)
		}
		// Indonesia → Malaysia: five preservations, shown; four were
		// acknowledged and two preserved, too few for their times; the
		// one refusal's ground is left out, its count is not.
		idMY := PairFigures{From: "ID", To: "MY", Kind: KindPreservation, Sent: 5, Open: 4, Overdue: 1, Refused: 1,
			Ack: Stat{N: 4, Hidden: true}, Preserve: Stat{N: 2, Hidden: true}, GroundsHidden: true}
		// Indonesia → Viet Nam: five requests, each counted once though
		// both sides' rows are here; acknowledged after 1, 2, 3, 5 and 20
		// hours; four executions, too few for their times.
		idVN := PairFigures{From: "ID", To: "VN", Kind: KindStoredData, Sent: 5, Executed: 4, Refused: 1,
			Ack: Stat{N: 5, Median: h(3), P90: h(20)}, Execute: Stat{N: 4, Hidden: true}, GroundsHidden: true}
		// Malaysia → Viet Nam, one request: not there at all.
		if d := figDiff([]PairFigures{idMY, idVN}, f.Pairs); d != "" {
			t.Errorf("node figures :\n%s", d)
		}
		if d := figDiff([]PairFigures{
			{From: "ID", To: "MY", Sent: 5, Open: 4, Overdue: 1, Refused: 1, Ack: Stat{N: 4, Hidden: true}, Preserve: Stat{N: 2, Hidden: true}, GroundsHidden: true},
			{From: "ID", To: "VN", Sent: 5, Executed: 4, Refused: 1, Ack: Stat{N: 5, Median: h(3), P90: h(20)}, Execute: Stat{N: 4, Hidden: true}, GroundsHidden: true},
		}, f.States); d != "" {
			t.Errorf("node figures by pair of states :\n%s", d)
		}
		// The total is the sum of the groups shown: Malaysia's open
		// request cannot be found as the total less the pairs.
		want := PairFigures{Sent: 10, Open: 4, Overdue: 1, Executed: 4, Refused: 2,
			Ack: Stat{N: 9, Median: h(3), P90: h(20)}, Preserve: Stat{N: 2, Hidden: true}, Execute: Stat{N: 4, Hidden: true}, GroundsHidden: true}
		if d := figDiff([]PairFigures{want}, []PairFigures{f.Total}); d != "" || !f.Node || f.MinGroup != 5 {
			t.Errorf("node total (min %d):\n%s", f.MinGroup, d)
		}

		// The review's case: one day and one kind narrow the node's
		// figures to Malaysia's single request. Nothing of it is shown.
		f, err = s.Figures(root, FigureQuery{From: "2026-12-05", To: "2026-12-05", Kind: "preservation"})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Pairs) != 0 || len(f.States) != 0 || f.Total.Sent != 0 || f.Total.Open != 0 || len(f.Total.Grounds) != 0 || f.MinGroup != 5 {
			t.Errorf("5 December's preservations, for the node: %+v", f)
		}
		// Nor the two refusals' grounds by narrowing to each kind.
		for _, k := range []string{"preservation", "stored_data"} {
			f, _ = s.Figures(root, FigureQuery{Kind: k})
			if len(f.Total.Grounds) != 0 || len(f.Pairs) != 1 || len(f.Pairs[0].Grounds) != 0 {
				t.Errorf("%s, for the node: %+v", k, f)
			}
		}

		// Viet Nam's own people see their requests whole, however few.
		f, _ = s.Figures(figActor("minh", false, "o-vn"), FigureQuery{From: "2026-12-05", To: "2026-12-05", Kind: "preservation"})
		if d := figDiff([]PairFigures{{From: "MY", To: "VN", Kind: KindPreservation, Sent: 1, Open: 1}}, f.Pairs); d != "" || f.MinGroup != 0 {
			t.Errorf("Viet Nam's own 5 December :\n%s", d)
		}
		f, _ = s.Figures(figActor("minh", false, "o-vn"), FigureQuery{Kind: "stored_data"})
		if len(f.Pairs) != 1 || f.Pairs[0].Execute != (Stat{N: 4, Median: h(30), P90: h(48)}) || len(f.Pairs[0].Grounds) != 1 || f.Pairs[0].GroundsHidden {
			t.Errorf("Viet Nam's own stored data: %+v", f.Pairs)
		}
	})
}

// figDiff says how two lists of figures differ, or "" (go-cmp is not a
// dependency here).
func figDiff(want, got []PairFigures) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	var b strings.Builder
	for i := range max(len(want), len(got)) {
		var w, g any = "-", "-"
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if !reflect.DeepEqual(w, g) {
			fmt.Fprintf(&b, "[%d]\n want %+v\n  got %+v\n", i, w, g)
		}
	}
	return b.String()
}

func TestFigureCache(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		clock := storetest.NewClock(figNow)
		db := storetest.Open(t, e, clock, audit.Migrations(), Migrations())
		s := &Service{db: db}
		c := NewFigureCache(s, time.Minute)
		one := []figReq{{org: "o-id", dir: "out", from: "ID", to: "MY", kind: "preservation", state: "sent", sent: 0, ack: -1, pres: -1, exec: -1, respondBy: 24000}}
		figInsert(t, db, one)
		sent := func(ctx context.Context, q FigureQuery) int {
			t.Helper()
			f, err := c.Figures(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			return f.Total.Sent
		}
		// Another scope: the node's figures would hide a group this small.
		sari, root := figActor("sari", false, "o-id"), figActor("both", false, "o-id", "o-vn")
		if n := sent(sari, FigureQuery{}); n != 1 {
			t.Fatalf("first: %d", n)
		}
		err := db.WithTx(context.Background(), func(tx *store.Tx) error {
			r := Request{ID: "req-later", OriginID: "later", Direction: "out", OrgID: "o-id", From: "polri@here.test", To: "pdrm@there.test", FromCountry: "ID", ToCountry: "MY",
				Kind: KindPreservation, Basis: "budapest", Language: "en", FieldsJSON: "{}", State: StateSent, Author: "A", CreatedAt: figNow, UpdatedAt: figNow, SentAt: &figNow}
			return insertRequest(context.Background(), tx, r)
		})
		if err != nil {
			t.Fatal(err)
		}
		// Within the minute: the same figures, for the same scope and query.
		if n := sent(sari, FigureQuery{}); n != 1 {
			t.Errorf("within the minute: %d", n)
		}
		// Another scope or query is computed afresh.
		if n := sent(root, FigureQuery{}); n != 2 {
			t.Errorf("another scope: %d", n)
		}
		if n := sent(sari, FigureQuery{Kind: "preservation"}); n != 2 {
			t.Errorf("another query: %d", n)
		}
		clock.Advance(61 * time.Second)
		if n := sent(sari, FigureQuery{}); n != 2 {
			t.Errorf("a minute later: %d", n)
		}
		// Access is checked on every call, cached or not.
		plain := core.WithActor(context.Background(), core.Actor{UserID: "u-m", Memberships: []core.Membership{{Org: core.OrgRef{ID: "o-id"}, Role: core.RoleMember}}})
		if _, err := c.Figures(plain, FigureQuery{}); core.KindOf(err) != core.KindForbidden {
			t.Errorf("a plain member: %v", err)
		}
		if _, err := c.Figures(sari, FigureQuery{Kind: "nope"}); core.KindOf(err) != core.KindInvalid {
			t.Errorf("a bad query: %v", err)
		}
	})
}
