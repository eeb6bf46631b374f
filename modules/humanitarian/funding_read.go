package humanitarian

import (
	"context"
	"math/big"
	"slices"
	"sort"
	"time"

	"entente.example/entente/core"
)

type flowRow struct {
	ID             string    `db:"id"`
	EmergencyID    string    `db:"emergency_id"`
	AppealID       string    `db:"appeal_id"`
	RefEmergency   string    `db:"ref_emergency"`
	RefAppeal      string    `db:"ref_appeal"`
	RefTitle       string    `db:"ref_title"`
	RefURL         string    `db:"ref_url"`
	Donor          string    `db:"donor"`
	DonorOrgID     string    `db:"donor_org_id"`
	Recipient      string    `db:"recipient"`
	RecipientOrgID string    `db:"recipient_org_id"`
	Sector         string    `db:"sector"`
	Amount         int64     `db:"amount"`
	Currency       string    `db:"currency"`
	RateE8         int64     `db:"rate_e8"`
	USD            int64     `db:"usd"`
	Status         string    `db:"status"`
	Date           string    `db:"flow_date"`
	Description    string    `db:"description"`
	Rev            int64     `db:"rev"`
	Origin         string    `db:"origin"`
	Claim          string    `db:"claim"`
	ConfirmedRev   int64     `db:"confirmed_rev"`
	ConfSector     string    `db:"conf_sector"`
	ConfAmount     int64     `db:"conf_amount"`
	ConfCurrency   string    `db:"conf_currency"`
	ConfRateE8     int64     `db:"conf_rate_e8"`
	ConfUSD        int64     `db:"conf_usd"`
	ConfStatus     string    `db:"conf_status"`
	ConfDate       string    `db:"conf_date"`
	ConfNote       string    `db:"conf_note"`
	Confirmation   string    `db:"confirmation"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`
}

const flowCols = `id, emergency_id, appeal_id, ref_emergency, ref_appeal, ref_title, ref_url, donor, donor_org_id, recipient, recipient_org_id,
	sector, amount, currency, rate_e8, usd, status, flow_date, description, rev, origin, claim, confirmed_rev, conf_sector, conf_amount,
	conf_currency, conf_rate_e8, conf_usd, conf_status, conf_date, conf_note, confirmation, created_at, updated_at`

func (r flowRow) flow() Flow {
	f := Flow{ID: r.ID, EmergencyID: r.EmergencyID, AppealID: r.AppealID, RefEmergency: r.RefEmergency, RefAppeal: r.RefAppeal, RefTitle: r.RefTitle,
		RefURL: r.RefURL, Donor: r.Donor, DonorOrgID: r.DonorOrgID, Recipient: r.Recipient, RecipientOrgID: r.RecipientOrgID, Sector: r.Sector,
		Amount: r.Amount, Currency: r.Currency, RateE8: r.RateE8, USD: r.USD, Status: r.Status, Date: r.Date, Description: r.Description, Rev: r.Rev,
		Origin: r.Origin, Claim: r.Claim, ConfirmedRev: r.ConfirmedRev, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.ConfirmedRev > 0 {
		f.Confirmation = &Confirmation{Sector: r.ConfSector, Amount: r.ConfAmount, Currency: r.ConfCurrency, RateE8: r.ConfRateE8, USD: r.ConfUSD,
			Status: r.ConfStatus, Date: r.ConfDate, Note: r.ConfNote, Statement: r.Confirmation}
	}
	return f
}

func (s *Service) flows(ctx context.Context, where string, args ...any) ([]Flow, error) {
	var rows []flowRow
	if err := s.db.R().Select(ctx, &rows, `SELECT `+flowCols+` FROM hum_flows WHERE `+where+` ORDER BY flow_date DESC, id DESC LIMIT 500`, args...); err != nil {
		return nil, core.Wrap("humanitarian: flows", err)
	}
	out := make([]Flow, len(rows))
	for i, r := range rows {
		out[i] = r.flow()
	}
	return out, nil
}

// Flow returns a flow with its history. Flows are public, as the
// Financial Tracking Service's are.
func (s *Service) Flow(ctx context.Context, id string) (Flow, error) {
	list, err := s.flows(ctx, `id = ?`, id)
	if err != nil {
		return Flow{}, err
	}
	if len(list) == 0 {
		return Flow{}, core.E(core.KindNotFound, "humanitarian: flow", "err.not_found")
	}
	f := list[0]
	err = s.db.R().Select(ctx, &f.Events, `SELECT n, side, status, usd, at, statement FROM hum_flow_events WHERE flow_id = ? ORDER BY n`, id)
	for i := range f.Events {
		f.Events[i].At = f.Events[i].At.UTC()
	}
	return f, core.Wrap("humanitarian: flow", err)
}

// EmergencyFlows lists the flows for an emergency of this node, newest
// first.
func (s *Service) EmergencyFlows(ctx context.Context, emergencyID string) ([]Flow, error) {
	return s.flows(ctx, `emergency_id = ?`, emergencyID)
}

// RecentFlows lists the flows this node holds, newest first: those its
// organisations reported or received, here or across nodes.
func (s *Service) RecentFlows(ctx context.Context) ([]Flow, error) {
	return s.flows(ctx, `1 = 1`)
}

// Funding is what flowed for an appeal, an emergency or one sector, in US
// cents: funding (committed and paid) and pledges as the recipient
// confirmed them; what donors reported and the recipient has not yet
// confirmed is apart, in Reported, so that nobody fills an appeal by
// saying so. Sums saturate rather than wrap.
type Funding struct {
	Key        string // a sector, a donor; empty for the total
	Required   int64
	Funded     int64
	Pledged    int64
	Reported   int64 // reported by donors, waiting for the recipient's confirmation
	Mismatches int   // flows whose recipient confirmed other figures
	Waiting    int   // flows not yet confirmed
}

// Coverage is the funded share of the requirement, in whole percent
// (capped at 999); -1 without a requirement. Big integers, since
// Funded × 100 may not fit an int64.
func (f Funding) Coverage() int {
	if f.Required <= 0 {
		return -1
	}
	p := new(big.Int).Mul(big.NewInt(max(f.Funded, 0)), big.NewInt(100))
	p.Quo(p, big.NewInt(f.Required))
	if !p.IsInt64() || p.Int64() > 999 {
		return 999
	}
	return int(p.Int64())
}

// Unmet is what is still required, in US cents.
func (f Funding) Unmet() int64 { return max(f.Required-f.Funded, 0) }

func (f *Funding) add(fl Flow) {
	_, status, usd := fl.Effective()
	usd = max(usd, 0)
	switch {
	case fl.Confirmation == nil:
		f.Reported = addUSD(f.Reported, usd)
	case Counted(status):
		f.Funded = addUSD(f.Funded, usd)
	default:
		f.Pledged = addUSD(f.Pledged, usd)
	}
	if fl.Mismatch() {
		f.Mismatches++
	}
	if fl.Waiting() {
		f.Waiting++
	}
}

// AppealFunding is an appeal with what flowed for it, in all and by
// sector (every sector it asks for, then any other that was funded).
type AppealFunding struct {
	Appeal
	Total    Funding
	BySector []Funding
}

// Tally counts flows against an appeal.
func Tally(a Appeal, flows []Flow) AppealFunding {
	out := AppealFunding{Appeal: a, Total: Funding{Required: a.RequiredUSD()}}
	by := map[string]*Funding{}
	for _, r := range a.Needs {
		by[r.Sector] = &Funding{Key: r.Sector, Required: r.USD}
	}
	for _, f := range flows {
		if f.AppealID != a.ID {
			continue
		}
		out.Total.add(f)
		sector, _, _ := f.Effective()
		if by[sector] == nil {
			by[sector] = &Funding{Key: sector}
		}
		by[sector].add(f)
	}
	for _, x := range by {
		out.BySector = append(out.BySector, *x)
	}
	slices.SortFunc(out.BySector, func(x, y Funding) int { return slices.Index(Clusters, x.Key) - slices.Index(Clusters, y.Key) })
	return out
}

// TallyBy sums flows by a key (the donor, the sector), largest funding
// first.
func TallyBy(flows []Flow, key func(Flow) string) []Funding {
	by := map[string]*Funding{}
	for _, f := range flows {
		k := key(f)
		if by[k] == nil {
			by[k] = &Funding{Key: k}
		}
		by[k].add(f)
	}
	out := make([]Funding, 0, len(by))
	for _, x := range by {
		out = append(out, *x)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Funded != out[j].Funded {
			return out[i].Funded > out[j].Funded
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// EmergencyTotal sums every flow of an emergency.
func EmergencyTotal(flows []Flow) Funding {
	var t Funding
	for _, f := range flows {
		t.add(f)
	}
	return t
}

// WaitingFlows lists the flows reported to organisations the actor writes for
// that wait for their confirmation, oldest first.
func (s *Service) WaitingFlows(ctx context.Context, a core.Actor) ([]Flow, error) {
	var ids []any
	for _, o := range Writable(a) {
		ids = append(ids, o.ID)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	in := "?"
	for range ids[1:] {
		in += ", ?"
	}
	list, err := s.flows(ctx, `recipient_org_id IN (`+in+`) AND confirmed_rev < rev`, ids...)
	slices.Reverse(list)
	return list, err
}
