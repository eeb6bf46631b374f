package publicdiplomacy_test

import (
	"context"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// wcAnswerAt records an answer to an item published at a time, as the
// service's Answer leaves it.
func wcAnswerAt(t testing.TB, n *node, acc publicdiplomacy.Account, item string, at time.Time) {
	t.Helper()
	err := n.DB.WithTx(context.Background(), func(tx *store.Tx) error {
		id := core.NewID(tx.Now)
		if _, err := tx.Exec(context.Background(), `INSERT INTO pd_posts (id, account_id, group_id, language, content, state, reply_item, published_at, created_by, created_at, updated_at)
			VALUES (?, ?, ?, 'en', 'Thanks', 'published', ?, ?, 'u-bima', ?, ?)`, id, acc.ID, id, item, at, at, at); err != nil {
			return err
		}
		_, err := tx.Exec(context.Background(), `UPDATE pd_inbox SET state = 'answered', answer_post = ? WHERE id = ?`, id, item)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// wcFigWorld is two weeks of web-care (Monday 5 to Sunday 18 January
// 2026): answers after 30 minutes, 2 hours and a day to three replies in
// the first week, after 10 minutes to a mention and 6 hours to a direct
// message in the second; one mention handled without an answer, one reply
// waiting and one deleted by its author; and items just outside the
// period, which do not count.
func wcFigWorld(t testing.TB, e storetest.Engine) (*node, context.Context, publicdiplomacy.Period) {
	n := newNode(t, e)
	n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
	n.Org(t, "dfat", core.OrgStateMinistry, "AU", "DFAT")
	acc, other := n.Account(t, "kemlu", "kemlu"), n.Account(t, "dfat", "dfat")
	at := func(day, h, m int) time.Time { return time.Date(2026, 1, day, h, m, 0, 0, time.UTC) }
	answered := func(kind string, in, out time.Time) {
		id := wcInsert(t, n, acc, wcItem{Kind: kind, Queue: true, Received: in})
		wcAnswerAt(t, n, acc, id, out)
	}
	answered("reply", at(5, 10, 0), at(5, 10, 30))
	r1 := wcInsert(t, n, acc, wcItem{Kind: "reply", Queue: true, Received: at(6, 9, 0)})
	wcAnswerAt(t, n, acc, r1, at(6, 11, 0))
	wcAnswerAt(t, n, acc, r1, at(6, 12, 0)) // a second answer: the first counts
	answered("reply", at(7, 8, 0), at(8, 8, 0))
	answered("mention", at(12, 10, 0), at(12, 10, 10))
	answered("direct", at(13, 10, 0), at(13, 16, 0))
	wcInsert(t, n, acc, wcItem{Kind: "mention", Queue: true, State: "handled", Received: at(14, 9, 0)})
	wcInsert(t, n, acc, wcItem{Kind: "reply", Queue: true, Received: at(15, 9, 0)})
	wcInsert(t, n, acc, wcItem{Kind: "reply", Queue: true, Deleted: true, Received: at(16, 9, 0)})
	answered("reply", at(4, 23, 59), at(5, 9, 0))
	answered("reply", at(19, 0, 0), at(19, 1, 0))
	wcInsert(t, n, acc, wcItem{Kind: "timeline", Received: at(8, 9, 0)})
	wcInsert(t, n, other, wcItem{Kind: "reply", Queue: true, Received: at(8, 9, 0)})
	p, err := publicdiplomacy.ParsePeriod("2026-01-05", "2026-01-18", n.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return n, n.As("Bima", "kemlu", core.RoleMember), p
}

// TestWebcareFigures computes the figures of a known fortnight on both
// engines, the medians and 90th percentiles worked out by hand (nearest
// rank: of five, the 3rd and the 5th).
func TestWebcareFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n, bima, p := wcFigWorld(t, e)
		f, err := n.Svc.WebcareFigures(bima, p)
		if err != nil {
			t.Fatal(err)
		}
		if f.Received != 8 || f.Answered != 5 || f.Handled != 1 || f.Withdrawn != 1 || f.Open != 1 || f.Truncated {
			t.Errorf("outcomes %+v", f)
		}
		m := time.Minute
		want := publicdiplomacy.ResponseTimes{Received: 8, Answered: 5, Median: 120 * m, P90: 24 * time.Hour}
		if f.All != want {
			t.Errorf("all: %+v, want %+v", f.All, want)
		}
		wantKinds := []publicdiplomacy.ResponseTimes{
			{Key: "reply", Received: 5, Answered: 3, Median: 2 * time.Hour, P90: 24 * time.Hour},
			{Key: "mention", Received: 2, Answered: 1, Median: 10 * m, P90: 10 * m},
			{Key: "direct", Received: 1, Answered: 1, Median: 6 * time.Hour, P90: 6 * time.Hour},
		}
		if len(f.ByKind) != len(wantKinds) {
			t.Fatalf("kinds %+v", f.ByKind)
		}
		for i, k := range wantKinds {
			if f.ByKind[i] != k {
				t.Errorf("kind %d: %+v, want %+v", i, f.ByKind[i], k)
			}
		}
		wantWeeks := []publicdiplomacy.ResponseTimes{
			{Key: "2026-01-05", Received: 3, Answered: 3, Median: 2 * time.Hour, P90: 24 * time.Hour},
			{Key: "2026-01-12", Received: 5, Answered: 2, Median: 10 * m, P90: 6 * time.Hour},
		}
		if len(f.ByWeek) != 2 || f.ByWeek[0] != wantWeeks[0] || f.ByWeek[1] != wantWeeks[1] {
			t.Errorf("weeks %+v, want %+v", f.ByWeek, wantWeeks)
		}
		// DFAT counts its own item only.
		g, err := n.Svc.WebcareFigures(n.As("Penny", "dfat", core.RoleOfficer), p)
		if err != nil || g.Received != 1 || g.Open != 1 || g.Answered != 0 {
			t.Errorf("dfat's figures %+v (%v)", g, err)
		}
	})
}

// TestParsePeriod reads periods: the default 30 days to today, both days
// included; bad, reversed and over-long periods name their field.
func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		from, to string
		want     publicdiplomacy.Period
		field    string
	}{
		{"", "", publicdiplomacy.Period{From: day(2, 9), To: day(3, 11)}, ""},
		{"2026-03-01", "2026-03-01", publicdiplomacy.Period{From: day(3, 1), To: day(3, 2)}, ""},
		{"", "2026-01-31", publicdiplomacy.Period{From: day(1, 2), To: day(2, 1)}, ""},
		{"2025-03-10", "2026-03-10", publicdiplomacy.Period{From: time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC), To: day(3, 11)}, ""},
		{"2025-03-09", "2026-03-10", publicdiplomacy.Period{}, "from"},
		{"2026-03-02", "2026-03-01", publicdiplomacy.Period{}, "to"},
		{"yesterday", "", publicdiplomacy.Period{}, "from"},
		{"", "31/01/2026", publicdiplomacy.Period{}, "to"},
	} {
		p, err := publicdiplomacy.ParsePeriod(c.from, c.to, now)
		if c.field != "" {
			if wcProblems(err)[c.field] == "" {
				t.Errorf("%q–%q: %v, want a problem with %s", c.from, c.to, err, c.field)
			}
			continue
		}
		if err != nil || !p.From.Equal(c.want.From) || !p.To.Equal(c.want.To) {
			t.Errorf("%q–%q: %v–%v (%v), want %v–%v", c.from, c.to, p.From, p.To, err, c.want.From, c.want.To)
		}
	}
}

// FuzzParsePeriod reads any two dates from a query string: a period it
// accepts is whole days, in order, at most a year; anything else is
// refused naming a field, never a panic.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range [][2]string{{"", ""}, {"2026-01-05", "2026-01-18"}, {"2026-02-30", ""}, {"0001-01-01", "9999-12-31"}, {"2026-01-01T00:00:00Z", "x"}, {"\x00", "2026-13-01"}} {
		f.Add(s[0], s[1])
	}
	now := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, from, to string) {
		p, err := publicdiplomacy.ParsePeriod(from, to, now)
		if err != nil {
			if len(wcProblems(err)) == 0 {
				t.Fatalf("refused without naming a field: %v", err)
			}
			return
		}
		if !p.From.Before(p.To) || p.Days() < 1 || p.Days() > publicdiplomacy.MaxPeriodDays || !p.From.Equal(p.From.Truncate(24*time.Hour)) || !p.To.Equal(p.To.Truncate(24*time.Hour)) {
			t.Fatalf("%q–%q gave %v–%v", from, to, p.From, p.To)
		}
	})
}
