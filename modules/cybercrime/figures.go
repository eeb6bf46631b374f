package cybercrime

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/web"
)

// FigureQuery is what the figures are asked for, as typed: the period in
// which requests were sent (dates, both ends included, either may be empty)
// and a kind ("" for all).
type FigureQuery struct {
	From, To string
	Kind     string
}

// Stat is the spread of one duration over the requests that reached a
// step. Median and P90 are nearest-rank percentiles: each is a time some
// request actually took, the smallest that at least half (nine in ten) of
// them took no longer than.
type Stat struct {
	N      int
	Median time.Duration
	P90    time.Duration
	// Hidden is true when the times are left out (zero) because fewer than
	// figureMin requests reached the step, in a node administrator's view.
	Hidden bool
}

// GroundCount is how many requests were refused on one ground (a catalogue
// key under cyb.ground).
type GroundCount struct {
	Ground string `json:"ground"`
	N      int    `json:"n"`
}

// PairFigures are the figures of one pair of states for one kind: how many
// requests were sent, where they stand, how long each step took from
// sending, and the refusals by ground.
type PairFigures struct {
	From, To string // ISO 3166 codes of the requesting and the requested state
	Kind     Kind
	Sent     int
	Open     int // sent and not yet executed, refused, withdrawn or closed
	Overdue  int // open past its deadline to acknowledge or to execute
	Executed int
	Refused  int
	// Ack, Preserve and Execute run from sending to the first
	// acknowledgment, to preservation, and to full execution (refusals are
	// not executions: they count under Refused).
	Ack, Preserve, Execute Stat
	Grounds                []GroundCount
	// GroundsHidden is true when some refusals' grounds are left out of
	// Grounds, each having fewer than figureMin requests.
	GroundsHidden bool

	// the durations in seconds, until percentiles are taken
	ack, pres, exec []int64
}

// Figures are the aggregate figures of cybercrime cooperation: counts and
// durations, never a request's content.
type Figures struct {
	// From and To bound the sending dates asked for (zero when open); To
	// is the last day included.
	From, To time.Time
	Kind     Kind
	// Node is true when the figures cover every request on this node (a
	// node administrator's view) rather than the reader's organisations.
	Node bool
	// MinGroup, in a node administrator's view, is the fewest requests a
	// figure is shown for (figureMin); 0 when nothing is left out.
	MinGroup int
	Pairs    []PairFigures
	// States are the figures of each pair of states over all the kinds
	// asked for (Kind is empty), for the charts.
	States []PairFigures
	// Total is the sum over every pair and kind shown, its durations over
	// their requests.
	Total PairFigures
	// Now is when the open requests were found overdue or not.
	Now time.Time
}

// parse checks the query and returns the period and kind it names.
func (q FigureQuery) parse() (from, to time.Time, k Kind, err error) {
	p := core.Problems{}
	q.From, q.To, q.Kind = strings.TrimSpace(q.From), strings.TrimSpace(q.To), strings.TrimSpace(q.Kind)
	if q.From != "" {
		d, e := ParseDate(q.From)
		if e != nil {
			p.Add("from", "err.date")
		}
		from = d.Time
	}
	if q.To != "" {
		d, e := ParseDate(q.To)
		if e != nil {
			p.Add("to", "err.date")
		}
		to = d.Time
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		p.Add("to", "err.cyb_period")
	}
	if q.Kind != "" && !Kind(q.Kind).Valid() {
		p.Add("kind", "err.choice")
	}
	return from, to, Kind(q.Kind), p.Err("cybercrime: figures")
}

// figureRow is one request as the figures need it: no content, no parties'
// addresses, and the durations already in seconds.
type figureRow struct {
	From    string `db:"from_country"`
	To      string `db:"to_country"`
	Kind    Kind   `db:"kind"`
	State   State  `db:"state"`
	Ground  string `db:"ground"`
	Ack     *int64 `db:"ack_s"`
	Pres    *int64 `db:"pres_s"`
	Exec    *int64 `db:"exec_s"`
	Overdue bool   `db:"overdue"`
}

// seconds is the whole seconds from b to a, in the engine's own date
// arithmetic: the one expression the two engines cannot share. Computing it
// in SQL spares reading and parsing four timestamps per request in Go.
func seconds(e store.Engine, a, b string) string {
	if e == store.Postgres {
		return "CAST(ROUND(EXTRACT(EPOCH FROM (" + a + " - " + b + "))) AS BIGINT)"
	}
	return "CAST(ROUND((julianday(" + a + ") - julianday(" + b + ")) * 86400) AS INTEGER)"
}

// Figures computes the figures over the requests of the reader's
// organisations, or for a node administrator over every request on the
// node. Exercises are never counted. A request between two organisations
// hosted here has two rows, one per side; it is counted once, from the
// requesting side's row.
func (s *Service) Figures(ctx context.Context, q FigureQuery) (Figures, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.CybercrimeFigures, access.Resource{}); err != nil {
		return Figures{}, err
	}
	from, to, kind, err := q.parse()
	if err != nil {
		return Figures{}, err
	}
	now := s.db.Clock().Now().UTC()
	fig := Figures{From: from, To: to, Kind: kind, Node: a.NodeAdmin, Now: now}
	// The figures carry no content, so they are not recorded as reads of
	// requests; a node administrator's view is what CybercrimeFigures is
	// for.
	var orgs []string
	if !a.NodeAdmin {
		if orgs = access.Orgs(a, access.CybercrimeRead); len(orgs) == 0 {
			return fig, nil
		}
	}
	inOrgs := func(col string) (string, []any) {
		if len(orgs) == 0 {
			return "", nil
		}
		args := make([]any, len(orgs))
		for i, o := range orgs {
			args[i] = o
		}
		return col + " IN (" + strings.TrimSuffix(strings.Repeat("?,", len(orgs)), ",") + ")", args
	}
	// Arguments follow the placeholders' order in the text: the overdue
	// test in the select list, then the conditions.
	e := s.db.Engine
	args := []any{now, now}
	cond := []string{"r.exercise = FALSE", "r.sent_at IS NOT NULL"}
	if c, a := inOrgs("r.org_id"); c != "" {
		cond, args = append(cond, c), append(args, a...)
	}
	if !from.IsZero() {
		cond, args = append(cond, "r.sent_at >= ?"), append(args, from)
	}
	if !to.IsZero() {
		cond, args = append(cond, "r.sent_at < ?"), append(args, to.AddDate(0, 0, 1))
	}
	if kind != "" {
		cond, args = append(cond, "r.kind = ?"), append(args, string(kind))
	}
	// The requested side's row is left out when the requesting side's row
	// is here too and counted.
	dup, dupArgs := inOrgs("o.org_id")
	if dup != "" {
		dup = " AND " + dup
	}
	cond, args = append(cond, `NOT (r.direction = 'in' AND EXISTS (SELECT 1 FROM cyb_requests o
		WHERE o.from_addr = r.from_addr AND o.origin_id = r.origin_id AND o.direction = 'out' AND o.exercise = FALSE`+dup+`))`), append(args, dupArgs...)
	query := `SELECT r.from_country, r.to_country, r.kind, r.state, r.ground,
		` + seconds(e, "r.acknowledged_at", "r.sent_at") + ` AS ack_s,
		` + seconds(e, "r.preserved_at", "r.sent_at") + ` AS pres_s,
		CASE WHEN r.ground = '' THEN ` + seconds(e, "r.executed_at", "r.sent_at") + ` END AS exec_s,
		CASE WHEN (r.state IN ('sent', 'received') AND r.respond_by < ?) OR (r.state IN ('acknowledged', 'partly_executed') AND r.execute_by < ?) THEN 1 ELSE 0 END AS overdue
		FROM cyb_requests r WHERE ` + strings.Join(cond, " AND ")
	var rows []figureRow
	if err := s.db.R().Select(ctx, &rows, query, args...); err != nil {
		return Figures{}, core.Wrap("cybercrime: figures", err)
	}
	if fig.Node {
		rows = shownGroups(rows)
	}
	fig.Pairs, fig.States, fig.Total = tally(rows)
	if fig.Node {
		fig.MinGroup = figureMin
		for _, list := range [][]PairFigures{fig.Pairs, fig.States} {
			for i := range list {
				list[i].hideSmall()
			}
		}
		fig.Total.hideSmall()
	}
	return fig, nil
}

// figureMin is the fewest requests a node administrator is shown a figure
// for. They see every request on the node, including requests of
// organisations they have no part in: a period of one day and a kind can
// narrow a group to a single request, whose states, kind, outcome, ground
// and exact times would then be plain to someone who may not know it
// exists. People reading their own organisations' requests see them all.
const figureMin = 5

// shownGroups keeps the rows of the pairs and kinds with at least
// figureMin requests. The pairs of states and the total are then counted
// over these rows alone, so that no hidden group can be found by
// subtracting the shown ones from a larger sum.
func shownGroups(rows []figureRow) []figureRow {
	type key struct {
		from, to string
		kind     Kind
	}
	n := map[key]int{}
	for _, r := range rows {
		n[key{r.From, r.To, r.Kind}]++
	}
	return slices.DeleteFunc(rows, func(r figureRow) bool { return n[key{r.From, r.To, r.Kind}] < figureMin })
}

// hideSmall leaves out, within a shown group, the times and the refusal
// grounds that fewer than figureMin requests stand for: the time one
// request took to be acknowledged is that request's, whichever of the
// group it is.
func (p *PairFigures) hideSmall() {
	for _, s := range []*Stat{&p.Ack, &p.Preserve, &p.Execute} {
		if s.N > 0 && s.N < figureMin {
			*s = Stat{N: s.N, Hidden: true}
		}
	}
	n := len(p.Grounds)
	p.Grounds = slices.DeleteFunc(p.Grounds, func(g GroundCount) bool { return g.N < figureMin })
	p.GroundsHidden = len(p.Grounds) < n
	if len(p.Grounds) == 0 {
		p.Grounds = nil
	}
}

// tally groups the rows by pair of states and kind, and by pair of states
// alone, each in order, and takes each group's percentiles; the total is
// over every row.
func tally(rows []figureRow) (pairs, states []PairFigures, total PairFigures) {
	type key struct {
		from, to string
		kind     Kind
	}
	index := map[key]int{}
	group := func(list *[]PairFigures, k key) *PairFigures {
		i, ok := index[k]
		if !ok {
			i = len(*list)
			index[k] = i
			*list = append(*list, PairFigures{From: k.from, To: k.to, Kind: k.kind})
		}
		return &(*list)[i]
	}
	for _, r := range rows {
		group(&pairs, key{r.From, r.To, r.Kind}).add(r)
		// Kinds are never empty, so the pair's own key cannot meet a
		// pair-and-kind key in the one index.
		group(&states, key{r.From, r.To, ""}).add(r)
		total.add(r)
	}
	for _, list := range [][]PairFigures{pairs, states} {
		for i := range list {
			list[i].finish()
		}
		slices.SortFunc(list, func(a, b PairFigures) int {
			return cmp.Or(strings.Compare(a.From, b.From), strings.Compare(a.To, b.To), strings.Compare(string(a.Kind), string(b.Kind)))
		})
	}
	total.finish()
	return pairs, states, total
}

func (p *PairFigures) add(r figureRow) {
	p.Sent++
	switch {
	case r.Ground != "":
		p.Refused++
		p.countGround(r.Ground)
	case r.Exec != nil:
		p.Executed++
		p.exec = append(p.exec, *r.Exec)
	case r.State.Final():
	default:
		p.Open++
		if r.Overdue {
			p.Overdue++
		}
	}
	if r.Ack != nil {
		p.ack = append(p.ack, *r.Ack)
	}
	if r.Pres != nil {
		p.pres = append(p.pres, *r.Pres)
	}
}

func (p *PairFigures) countGround(g string) {
	for i := range p.Grounds {
		if p.Grounds[i].Ground == g {
			p.Grounds[i].N++
			return
		}
	}
	p.Grounds = append(p.Grounds, GroundCount{Ground: g, N: 1})
}

func (p *PairFigures) finish() {
	p.Ack, p.Preserve, p.Execute = spread(p.ack), spread(p.pres), spread(p.exec)
	p.ack, p.pres, p.exec = nil, nil, nil
	slices.SortFunc(p.Grounds, func(a, b GroundCount) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Ground, b.Ground)
	})
}

// spread sorts the seconds and takes their nearest-rank median and 90th
// percentile.
func spread(secs []int64) Stat {
	if len(secs) == 0 {
		return Stat{}
	}
	slices.Sort(secs)
	return Stat{N: len(secs), Median: time.Duration(web.Percentile(secs, 50)) * time.Second, P90: time.Duration(web.Percentile(secs, 90)) * time.Second}
}

// FigureCache keeps figures once computed for a while, per reader's scope
// (the node, or a set of organisations) and query. Computing them reads
// every request counted: on SQLite about 4 ms per thousand (measured at
// 100,000: 360 ms), which a page that people reload, or that many open at
// once, should not pay each time. The figures are of months, so a minute
// old is as good; the page says when they were computed. Concurrent asks
// for the same figures wait for one computation.
type FigureCache struct {
	svc  *Service
	memo *web.Memo[Figures]
}

// figureCacheSize bounds the entries kept: the scopes and periods asked
// for within a minute on one node are few.
const figureCacheSize = 256

// NewFigureCache returns a cache over the service's figures that keeps
// them for ttl.
func NewFigureCache(s *Service, ttl time.Duration) *FigureCache {
	return &FigureCache{svc: s, memo: web.NewMemo[Figures](ttl, figureCacheSize, s.db.Clock().Now)}
}

// Figures returns the figures as Service.Figures does, computed at most ttl
// ago for the same scope and query. Access is checked on every call.
func (c *FigureCache) Figures(ctx context.Context, q FigureQuery) (Figures, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.CybercrimeFigures, access.Resource{}); err != nil {
		return Figures{}, err
	}
	from, to, kind, err := q.parse()
	if err != nil {
		return Figures{}, err
	}
	scope := "node"
	if !a.NodeAdmin {
		orgs := access.Orgs(a, access.CybercrimeRead)
		slices.Sort(orgs)
		scope = "orgs:" + strings.Join(orgs, ",")
	}
	key := scope + "|" + from.Format(time.DateOnly) + "|" + to.Format(time.DateOnly) + "|" + string(kind)
	return c.memo.Get(key, func() (Figures, error) { return c.svc.Figures(ctx, q) })
}
