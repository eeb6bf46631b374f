package publicdiplomacy

import (
	"context"
	"slices"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// Response-time figures of web-care: of the items that arrived in a
// period, how many were answered, handled without an answer, withdrawn by
// their author or still wait; and how long the public waited for a first
// answer, from the moment the item arrived to the moment the answer went
// out, by kind and by week.

// Period is a span of whole days, From inclusive, To exclusive, in UTC.
type Period struct {
	From, To time.Time
}

// MaxPeriodDays bounds a period: the figures read every row of it.
const MaxPeriodDays = 366

// defaultPeriodDays is the period a page shows unless asked.
const defaultPeriodDays = 30

// Days is how many days the period spans.
func (p Period) Days() int { return int(p.To.Sub(p.From) / (24 * time.Hour)) }

// Last is the period's last day, as a date input shows it.
func (p Period) Last() time.Time { return p.To.Add(-24 * time.Hour) }

// ParsePeriod reads a period from two dates (2006-01-02), both days
// included; an empty date is the default (the last 30 days to today).
// Problems name the field.
func ParsePeriod(from, to string, now time.Time) (Period, error) {
	p := core.Problems{}
	today := now.UTC().Truncate(24 * time.Hour)
	last := today
	if to != "" {
		t, err := time.Parse(time.DateOnly, to)
		if err != nil {
			p.Add("to", "err.date")
		}
		last = t
	}
	first := last.AddDate(0, 0, -(defaultPeriodDays - 1))
	if from != "" {
		t, err := time.Parse(time.DateOnly, from)
		if err != nil {
			p.Add("from", "err.date")
		}
		first = t
	}
	if len(p) == 0 {
		switch {
		case last.Before(first):
			p.Add("to", "err.pd_period_order")
		case last.Sub(first) >= MaxPeriodDays*24*time.Hour:
			p.Add("from", "err.pd_period_long")
		}
	}
	if err := p.Err("publicdiplomacy: period"); err != nil {
		return Period{From: today.AddDate(0, 0, -(defaultPeriodDays - 1)), To: today.Add(24 * time.Hour)}, err
	}
	return Period{From: first, To: last.Add(24 * time.Hour)}, nil
}

// ResponseTimes are the items of a group and how long a first answer took.
type ResponseTimes struct {
	Key      string        `json:"key,omitempty"`
	Received int           `json:"received"`
	Answered int           `json:"answered"`
	Median   time.Duration `json:"-"`
	P90      time.Duration `json:"-"`
}

// WebcareFigures are the figures of the items received in a period.
type WebcareFigures struct {
	Period Period
	// What became of the items received.
	Received, Answered, Handled, Withdrawn, Open int
	// All are the response times of every item; ByKind of each kind that
	// arrived, in QueueKinds' order; ByWeek of each week (from Monday) the
	// period touches, empty weeks too.
	All    ResponseTimes
	ByKind []ResponseTimes
	ByWeek []ResponseTimes
	// Truncated is true when the period held more items than are read.
	Truncated bool
}

// maxFigureRows bounds the rows one figure reads.
const maxFigureRows = 100000

// weekOf is the Monday that starts t's week.
func weekOf(t time.Time) time.Time {
	d := t.UTC().Truncate(24 * time.Hour)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// WebcareFigures computes the response-time figures of the actor's
// organisations over a period.
func (s *Service) WebcareFigures(ctx context.Context, p Period) (WebcareFigures, error) {
	f := WebcareFigures{Period: p}
	for w := weekOf(p.From); w.Before(p.To); w = w.AddDate(0, 0, 7) {
		f.ByWeek = append(f.ByWeek, ResponseTimes{Key: w.Format(time.DateOnly)})
	}
	orgs := access.Orgs(core.ActorFrom(ctx), access.PDRead)
	if len(orgs) == 0 {
		return f, nil
	}
	in := ` a.org_id IN (` + marks(len(orgs)) + `)`
	var args []any
	for _, o := range orgs {
		args = append(args, o)
	}
	var items []struct {
		ID         string    `db:"id"`
		Kind       string    `db:"kind"`
		State      string    `db:"state"`
		Deleted    bool      `db:"deleted"`
		ReceivedAt time.Time `db:"received_at"`
	}
	if err := s.db.R().Select(ctx, &items, `SELECT i.id, i.kind, i.state, i.deleted, i.received_at`+itemFrom+` WHERE`+in+` AND i.queue = TRUE AND i.received_at >= ? AND i.received_at < ?
		ORDER BY i.received_at, i.id LIMIT ?`, append(slices.Clone(args), p.From, p.To, maxFigureRows+1)...); err != nil {
		return f, err
	}
	if len(items) > maxFigureRows {
		items, f.Truncated = items[:maxFigureRows], true
	}
	// The first answer of each item: the earliest of its answers that went
	// out (deleted since or not). An answer goes out after its item
	// arrived, so none before the period counts; the accounts' index on
	// (account, state, published) finds them.
	var answers []struct {
		Item        string    `db:"reply_item"`
		PublishedAt time.Time `db:"published_at"`
	}
	if err := s.db.R().Select(ctx, &answers, `SELECT p.reply_item, p.published_at FROM pd_posts p
		WHERE p.account_id IN (SELECT a.id FROM pd_accounts a WHERE`+in+`) AND p.state IN ('published', 'deleted') AND p.published_at >= ? AND p.reply_item <> '' LIMIT ?`,
		append(args, p.From, 2*maxFigureRows)...); err != nil {
		return f, err
	}
	first := map[string]time.Time{}
	for _, a := range answers {
		if t, ok := first[a.Item]; !ok || a.PublishedAt.Before(t) {
			first[a.Item] = a.PublishedAt
		}
	}
	var all []time.Duration
	byKind := map[string][]time.Duration{}
	kindN := map[string]int{}
	byWeek := make([][]time.Duration, len(f.ByWeek))
	week0 := weekOf(p.From)
	for _, it := range items {
		f.Received++
		kindN[it.Kind]++
		w := int(weekOf(it.ReceivedAt).Sub(week0) / (7 * 24 * time.Hour))
		if w >= 0 && w < len(f.ByWeek) {
			f.ByWeek[w].Received++
		}
		at, answered := first[it.ID]
		switch {
		case answered:
			f.Answered++
			d := max(0, at.Sub(it.ReceivedAt))
			all = append(all, d)
			byKind[it.Kind] = append(byKind[it.Kind], d)
			if w >= 0 && w < len(byWeek) {
				byWeek[w] = append(byWeek[w], d)
			}
		case it.State == ItemHandled:
			f.Handled++
		case it.Deleted:
			f.Withdrawn++
		default:
			f.Open++
		}
	}
	f.All = times("", f.Received, all)
	kinds := slices.Clone(QueueKinds)
	for k := range kindN {
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	for _, k := range kinds {
		if kindN[k] > 0 {
			f.ByKind = append(f.ByKind, times(k, kindN[k], byKind[k]))
		}
	}
	for i := range f.ByWeek {
		f.ByWeek[i] = times(f.ByWeek[i].Key, f.ByWeek[i].Received, byWeek[i])
	}
	return f, nil
}

// times are a group's nearest-rank median and 90th percentile.
func times(key string, received int, ds []time.Duration) ResponseTimes {
	r := ResponseTimes{Key: key, Received: received, Answered: len(ds)}
	if len(ds) == 0 {
		return r
	}
	slices.Sort(ds)
	r.Median, r.P90 = web.Percentile(ds, 50), web.Percentile(ds, 90)
	return r
}
