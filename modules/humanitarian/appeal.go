package humanitarian

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/store"
)

// The statuses of an appeal.
const (
	AppealOpen   = "open"
	AppealClosed = "closed"
)

// maxChannels is how many official channels to give an appeal lists.
const maxChannels = 5

// Appeal is an organisation's call for money for an emergency (a flash
// appeal, an emergency appeal): what it needs by sector and the official
// channels through which to give. Appeals are public.
type Appeal struct {
	ID          string        `json:"id"`
	EmergencyID string        `json:"emergency_id"`
	OrgID       string        `json:"-"`
	Appealer    string        `json:"appealer"` // handle@host
	Title       string        `json:"title"`
	Summary     string        `json:"summary"`
	Currency    string        `json:"currency"`
	RateE8      int64         `json:"rate_e8"` // to USD, in 10^-8
	StartsOn    string        `json:"starts_on"`
	EndsOn      string        `json:"ends_on"`
	Status      string        `json:"status"`
	Needs       []Requirement `json:"requirements"`
	Channels    []Channel     `json:"channels"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

// Requirement is what an appeal asks for one sector, in the appeal's
// currency and in US dollars (cents).
type Requirement struct {
	Sector string `json:"sector" db:"sector"`
	Amount int64  `json:"amount" db:"amount"`
	USD    int64  `json:"usd" db:"usd"`
}

// Channel is an official way to give: a body's bank account or donation
// page, in words and a link. Nothing is paid through this node.
type Channel struct {
	Name    string `json:"name"`
	URL     string `json:"url"`
	Details string `json:"details"`
}

// RequiredUSD is the appeal's total requirement in US cents.
func (a Appeal) RequiredUSD() int64 {
	var n int64
	for _, r := range a.Needs {
		n = addUSD(n, max(r.USD, 0))
	}
	return n
}

// Validate checks an appeal as typed and normalizes it.
func (a *Appeal) Validate() core.Problems {
	pr := core.Problems{}
	a.Title, a.Summary = strings.TrimSpace(a.Title), strings.TrimSpace(a.Summary)
	a.Currency = strings.ToUpper(strings.TrimSpace(a.Currency))
	if a.Status == "" {
		a.Status = AppealOpen
	}
	text(pr, "title", a.Title, maxTitle, true)
	text(pr, "summary", a.Summary, maxText, false)
	if !validCurrency(a.Currency) {
		pr.Add("currency", "err.hum_fund_currency")
	}
	if a.RateE8 <= 0 {
		pr.Add("rate", "err.hum_fund_rate")
	}
	if a.Currency == "USD" && a.RateE8 != rateScale {
		pr.Add("rate", "err.hum_fund_rate_usd")
	}
	if !validDate(a.StartsOn) {
		pr.Add("starts_on", "err.date")
	}
	if a.EndsOn != "" && (!validDate(a.EndsOn) || a.EndsOn < a.StartsOn) {
		pr.Add("ends_on", "err.hum_fund_period")
	}
	if a.Status != AppealOpen && a.Status != AppealClosed {
		pr.Add("status", "err.invalid")
	}
	seen := map[string]bool{}
	var needs []Requirement
	for _, r := range a.Needs {
		switch {
		case !slices.Contains(Clusters, r.Sector) || seen[r.Sector]:
			pr.Add("req_"+r.Sector, "err.invalid")
		case r.Amount < 0 || r.Amount > maxMoney:
			pr.Add("req_"+r.Sector, "err.hum_fund_amount")
		case r.Amount > 0:
			r.USD = ToUSD(r.Amount, a.RateE8)
			if a.RateE8 > 0 && !validUSD(r.USD) {
				pr.Add("req_"+r.Sector, "err.hum_fund_usd")
			}
			needs = append(needs, r)
		}
		seen[r.Sector] = true
	}
	a.Needs = needs
	if len(needs) == 0 && len(pr) == 0 {
		pr.Add("req_"+Clusters[0], "err.hum_fund_no_needs")
	}
	var chs []Channel
	for i, c := range a.Channels {
		c.Name, c.URL, c.Details = strings.TrimSpace(c.Name), strings.TrimSpace(c.URL), strings.TrimSpace(c.Details)
		if c.Name == "" && c.URL == "" && c.Details == "" {
			continue
		}
		n := string(rune('1' + i))
		text(pr, "channel_name_"+n, c.Name, maxTitle, true)
		text(pr, "channel_details_"+n, c.Details, 1000, false)
		if c.URL != "" && !webURL(c.URL) {
			pr.Add("channel_url_"+n, "err.url")
		}
		chs = append(chs, c)
	}
	if len(chs) > maxChannels {
		pr.Add("channels", "err.too_many")
	}
	a.Channels = chs
	return pr
}

// webURL wants an absolute http(s) link, as a page to open.
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(s) <= 500 && core.CheckText(s) == ""
}

// CreateAppeal records an appeal of the organisation org (a handle the
// actor writes for) for an emergency of this node.
func (s *Service) CreateAppeal(ctx context.Context, emergencyID, org string, a Appeal) (Appeal, error) {
	actor := core.ActorFrom(ctx)
	if err := access.Check(actor, access.HumWrite, access.Resource{}); err != nil {
		return Appeal{}, err
	}
	e, err := s.Emergency(ctx, emergencyID)
	if err != nil {
		return Appeal{}, err
	}
	pr := a.Validate()
	// An appeal names the official channels to give: only a coordinator
	// of the emergency may open one, or anyone could ask for money in
	// its name.
	o, ok := writerOrg(actor, org)
	if !ok {
		pr.Add("org", "err.org_unknown")
	} else if !slices.Contains(e.CoordinatorOrgs(), o.ID) {
		pr.Add("org", "err.hum_fund_appeal_coordinator")
	}
	if err := pr.Err("humanitarian: create appeal"); err != nil {
		return a, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		a.ID, a.EmergencyID, a.OrgID, a.Appealer = federation.NewHostedID(tx.Now, s.node.Host()), e.ID, o.ID, o.Handle+"@"+s.node.Host()
		a.CreatedAt, a.UpdatedAt = tx.Now, tx.Now
		chs, _ := json.Marshal(append([]Channel{}, a.Channels...))
		if _, err := tx.Exec(ctx, `INSERT INTO hum_appeals (id, emergency_id, org_id, appealer, title, summary, currency, rate_e8, starts_on, ends_on, status, channels, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.EmergencyID, a.OrgID, a.Appealer, a.Title, a.Summary, a.Currency, a.RateE8,
			a.StartsOn, a.EndsOn, a.Status, string(chs), a.CreatedAt, a.UpdatedAt); err != nil {
			return core.Wrap("humanitarian: create appeal", err)
		}
		for _, r := range a.Needs {
			if _, err := tx.Exec(ctx, `INSERT INTO hum_appeal_needs (appeal_id, sector, amount, usd) VALUES (?, ?, ?, ?)`, a.ID, r.Sector, r.Amount, r.USD); err != nil {
				return core.Wrap("humanitarian: create appeal", err)
			}
		}
		return audit.Record(ctx, tx, "humanitarian.appeal.create", "hum_appeal", a.ID, o.ID, a.Title)
	})
	return a, err
}

type appealRow struct {
	ID          string    `db:"id"`
	EmergencyID string    `db:"emergency_id"`
	OrgID       string    `db:"org_id"`
	Appealer    string    `db:"appealer"`
	Title       string    `db:"title"`
	Summary     string    `db:"summary"`
	Currency    string    `db:"currency"`
	RateE8      int64     `db:"rate_e8"`
	StartsOn    string    `db:"starts_on"`
	EndsOn      string    `db:"ends_on"`
	Status      string    `db:"status"`
	Channels    string    `db:"channels"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
}

const appealCols = `id, emergency_id, org_id, appealer, title, summary, currency, rate_e8, starts_on, ends_on, status, channels, created_at, updated_at`

func (s *Service) appeals(ctx context.Context, where string, args ...any) ([]Appeal, error) {
	var rows []appealRow
	if err := s.db.R().Select(ctx, &rows, `SELECT `+appealCols+` FROM hum_appeals WHERE `+where+` ORDER BY starts_on DESC, id DESC LIMIT 100`, args...); err != nil {
		return nil, core.Wrap("humanitarian: appeals", err)
	}
	out := make([]Appeal, len(rows))
	for i, r := range rows {
		a := Appeal{ID: r.ID, EmergencyID: r.EmergencyID, OrgID: r.OrgID, Appealer: r.Appealer, Title: r.Title, Summary: r.Summary, Currency: r.Currency,
			RateE8: r.RateE8, StartsOn: r.StartsOn, EndsOn: r.EndsOn, Status: r.Status, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
		_ = json.Unmarshal([]byte(r.Channels), &a.Channels)
		if err := s.db.R().Select(ctx, &a.Needs, `SELECT sector, amount, usd FROM hum_appeal_needs WHERE appeal_id = ?`, a.ID); err != nil {
			return nil, core.Wrap("humanitarian: appeals", err)
		}
		slices.SortFunc(a.Needs, func(x, y Requirement) int { return slices.Index(Clusters, x.Sector) - slices.Index(Clusters, y.Sector) })
		out[i] = a
	}
	return out, nil
}

// Appeal returns an appeal; appeals are public.
func (s *Service) Appeal(ctx context.Context, id string) (Appeal, error) {
	list, err := s.appeals(ctx, `id = ?`, id)
	if err != nil {
		return Appeal{}, err
	}
	if len(list) == 0 {
		return Appeal{}, core.E(core.KindNotFound, "humanitarian: appeal", "err.not_found")
	}
	return list[0], nil
}

// Appeals lists an emergency's appeals, newest first.
func (s *Service) Appeals(ctx context.Context, emergencyID string) ([]Appeal, error) {
	return s.appeals(ctx, `emergency_id = ?`, emergencyID)
}

// SetAppealStatus opens or closes an appeal; the appealing organisation's
// writers do. A closed appeal keeps its flows and stays public.
func (s *Service) SetAppealStatus(ctx context.Context, id, status string) (Appeal, error) {
	a, err := s.Appeal(ctx, id)
	if err != nil {
		return Appeal{}, err
	}
	if !access.HumWriter(core.ActorFrom(ctx), a.OrgID) {
		return Appeal{}, core.E(core.KindForbidden, "humanitarian: appeal status", "err.forbidden")
	}
	if status != AppealOpen && status != AppealClosed {
		return a, core.Problems{"status": "err.invalid"}.Err("humanitarian: appeal status")
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		a.Status, a.UpdatedAt = status, tx.Now
		if _, err := tx.Exec(ctx, `UPDATE hum_appeals SET status = ?, updated_at = ? WHERE id = ?`, a.Status, a.UpdatedAt, a.ID); err != nil {
			return core.Wrap("humanitarian: appeal status", err)
		}
		return audit.Record(ctx, tx, "humanitarian.appeal.status", "hum_appeal", a.ID, a.OrgID, status)
	})
	return a, err
}
