package humanitarian

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// Funding follows the Financial Tracking Service: a flow is money from a
// donor organisation to a recipient organisation for an emergency (and
// perhaps an appeal), in one sector, pledged, then committed, then paid.
// A pledge is a promise, not money: totals count what is committed or
// paid and show pledges apart. The donor reports a flow; the recipient
// confirms what it received, perhaps other figures, and the difference
// between the two is shown wherever the flow is counted.

// The statuses of a flow, in the order a flow moves through them.
const (
	FlowPledged   = "pledged"
	FlowCommitted = "committed"
	FlowPaid      = "paid"
)

// FlowStatuses lists the statuses in order.
var FlowStatuses = []string{FlowPledged, FlowCommitted, FlowPaid}

// Counted reports whether a status counts as funding (not a pledge).
func Counted(status string) bool { return status == FlowCommitted || status == FlowPaid }

// Flow is money from a donor to a recipient, as the donor reported it
// and, once confirmed, as the recipient did.
type Flow struct {
	ID             string        `json:"id"`
	EmergencyID    string        `json:"emergency_id"` // this node's emergency, when it knows it
	AppealID       string        `json:"appeal_id"`
	RefEmergency   string        `json:"ref_emergency"` // on the recipient's node
	RefAppeal      string        `json:"ref_appeal"`
	RefTitle       string        `json:"ref_title"`
	RefURL         string        `json:"ref_url"`
	Donor          string        `json:"donor"` // handle@host
	DonorOrgID     string        `json:"-"`
	Recipient      string        `json:"recipient"`
	RecipientOrgID string        `json:"-"`
	Sector         string        `json:"sector"`
	Amount         int64         `json:"amount"` // cents of Currency
	Currency       string        `json:"currency"`
	RateE8         int64         `json:"rate_e8"`
	USD            int64         `json:"usd"` // US cents
	Status         string        `json:"status"`
	Date           string        `json:"date"`
	Description    string        `json:"description"`
	Rev            int64         `json:"rev"`
	Origin         string        `json:"origin"` // the donor's node, when it is not this one
	Claim          string        `json:"claim,omitempty"`
	Confirmation   *Confirmation `json:"confirmation,omitempty"`
	ConfirmedRev   int64         `json:"confirmed_rev"`
	Events         []FlowEvent   `json:"events,omitempty"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}

// Confirmation is what the recipient says it received.
type Confirmation struct {
	Sector    string `json:"sector"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	RateE8    int64  `json:"rate_e8"`
	USD       int64  `json:"usd"`
	Status    string `json:"status"`
	Date      string `json:"date"`
	Note      string `json:"note"`
	Statement string `json:"statement,omitempty"`
}

// FlowEvent is one step of a flow's history: a status the donor gave it,
// or the recipient's confirmation.
type FlowEvent struct {
	N         int       `json:"n" db:"n"`
	Side      string    `json:"side" db:"side"` // donor or recipient
	Status    string    `json:"status" db:"status"`
	USD       int64     `json:"usd" db:"usd"`
	At        time.Time `json:"at" db:"at"`
	Statement string    `json:"-" db:"statement"`
}

// Difference is one figure on which donor and recipient disagree.
type Difference struct {
	Field     string `json:"field"` // amount, currency, status or sector
	Donor     string `json:"donor"`
	Recipient string `json:"recipient"`
}

// Differences lists where the recipient's confirmation differs from the
// donor's report; none before a confirmation.
func (f Flow) Differences() []Difference {
	c := f.Confirmation
	if c == nil {
		return nil
	}
	var out []Difference
	if c.Currency != f.Currency {
		out = append(out, Difference{"currency", f.Currency, c.Currency})
	}
	if c.Amount != f.Amount || c.Currency != f.Currency {
		out = append(out, Difference{"amount", f.Currency + " " + FormatMoney(f.Amount), c.Currency + " " + FormatMoney(c.Amount)})
	}
	if c.Status != f.Status {
		out = append(out, Difference{"status", f.Status, c.Status})
	}
	if c.Sector != f.Sector {
		out = append(out, Difference{"sector", f.Sector, c.Sector})
	}
	return out
}

// Mismatch reports whether donor and recipient disagree.
func (f Flow) Mismatch() bool { return len(f.Differences()) > 0 }

// GapUSD is the donor's figure less the recipient's, in US cents.
func (f Flow) GapUSD() int64 {
	if f.Confirmation == nil {
		return 0
	}
	return f.USD - f.Confirmation.USD
}

// Waiting reports whether the flow waits for the recipient to confirm
// the donor's latest report.
func (f Flow) Waiting() bool { return f.ConfirmedRev < f.Rev }

// Effective is what a flow counts for: the recipient's word once it
// confirmed (what it received), the donor's until then.
func (f Flow) Effective() (sector, status string, usd int64) {
	if c := f.Confirmation; c != nil {
		return c.Sector, c.Status, c.USD
	}
	return f.Sector, f.Status, f.USD
}

// FlowInput is a flow as a form or a client sends it: figures as typed.
type FlowInput struct {
	Donor       string `json:"donor"`     // the handle of an organisation the actor writes for
	Recipient   string `json:"recipient"` // handle@host
	EmergencyID string `json:"emergency_id"`
	AppealID    string `json:"appeal_id"`
	RefURL      string `json:"ref_url"` // the appeal's or emergency's page on the recipient's node
	RefTitle    string `json:"ref_title"`
	Sector      string `json:"sector"`
	Amount      string `json:"amount"`
	Currency    string `json:"currency"`
	Rate        string `json:"rate"`
	Status      string `json:"status"`
	Date        string `json:"date"`
	Description string `json:"description"`
	// Lang is how the figures are written: a form's reader's language;
	// English for the API.
	Lang string `json:"-"`
}

// figures checks the figures of a report or a confirmation: sector,
// amount and rate (1 for US dollars) as written in lang, currency, status
// and date. Money committed or paid has a date no later than tomorrow by
// the node's clock (a day's grace for time zones ahead of UTC): a date to
// come is a typo, or a pledge.
func figures(pr core.Problems, now time.Time, lang, sector, amount, currency, rate, status, date string) (c Confirmation) {
	c.Sector, c.Status, c.Date = sector, status, strings.TrimSpace(date)
	c.Currency = strings.ToUpper(strings.TrimSpace(currency))
	if !slices.Contains(Clusters, sector) {
		pr.Add("sector", "err.hum_fund_sector")
	}
	var why int
	if c.Amount, why = ParseMoneyIn(lang, amount); why != 0 || c.Amount == 0 {
		pr.Add("amount", moneyProblem(why))
	}
	if !validCurrency(c.Currency) {
		pr.Add("currency", "err.hum_fund_currency")
	}
	if c.Currency == "USD" && strings.TrimSpace(rate) == "" {
		rate = "1"
	}
	if c.RateE8, why = ParseRateIn(lang, rate); why != 0 {
		pr.Add("rate", rateProblem(why))
	} else if c.Currency == "USD" && c.RateE8 != rateScale {
		pr.Add("rate", "err.hum_fund_rate_usd")
	}
	if !slices.Contains(FlowStatuses, status) {
		pr.Add("status", "err.invalid")
	}
	if !validDate(c.Date) {
		pr.Add("date", "err.date")
	} else if Counted(c.Status) && c.Date > now.Add(24*time.Hour).UTC().Format(time.DateOnly) {
		pr.Add("date", "err.hum_fund_date_future")
	}
	c.USD = ToUSD(c.Amount, c.RateE8)
	if pr["amount"] == "" && pr["rate"] == "" && !validUSD(c.USD) {
		pr.Add("amount", "err.hum_fund_usd")
	}
	return c
}

// parseRef reads the link to an appeal's or emergency's page on the
// recipient's node: its host must be the recipient's and its id one that
// node made.
func parseRef(raw, host string) (emergency, appeal string, ok bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host != host {
		return "", "", false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 3 || parts[0] != "humanitarian" || !federation.HostedID(parts[2], host) {
		return "", "", false
	}
	switch parts[1] {
	case "emergencies":
		return parts[2], "", true
	case "appeals":
		return "", parts[2], true
	}
	return "", "", false
}

// getter reads one row, outside a transaction or in one.
type getter interface {
	Get(ctx context.Context, dest any, query string, args ...any) error
}

// localOrg is the id of this node's organisation handle.
func localOrg(ctx context.Context, q getter, handle string) (string, error) {
	var id string
	err := q.Get(ctx, &id, `SELECT id FROM organisations WHERE handle = ?`, handle)
	return id, err
}

// ReportFlow records a contribution of the actor's organisation in.Donor.
// To an organisation of this node, it names one of this node's
// emergencies; to one on a peer, the link to the appeal or emergency on
// that peer, and the signed report goes there.
func (s *Service) ReportFlow(ctx context.Context, in FlowInput) (Flow, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.HumWrite, access.Resource{}); err != nil {
		return Flow{}, err
	}
	pr := core.Problems{}
	o, ok := writerOrg(a, in.Donor)
	if !ok {
		pr.Add("donor", "err.org_unknown")
	}
	c := figures(pr, s.db.Clock().Now(), in.Lang, in.Sector, in.Amount, in.Currency, in.Rate, in.Status, in.Date)
	in.Description, in.RefTitle = strings.TrimSpace(in.Description), strings.TrimSpace(in.RefTitle)
	text(pr, "description", in.Description, maxText, false)
	f := Flow{Donor: o.Handle + "@" + s.node.Host(), DonorOrgID: o.ID, Recipient: strings.TrimSpace(in.Recipient), Sector: c.Sector, Amount: c.Amount,
		Currency: c.Currency, RateE8: c.RateE8, USD: c.USD, Status: c.Status, Date: c.Date, Description: in.Description, Rev: 1}
	handle, rhost, ok := federation.Address(f.Recipient)
	local := rhost == s.node.Host()
	switch {
	case !ok:
		pr.Add("recipient", "err.address")
	case f.Recipient == f.Donor:
		pr.Add("recipient", "err.hum_fund_self")
	case local:
		id, err := localOrg(ctx, s.db.R(), handle)
		if err != nil {
			pr.Add("recipient", "err.hum_fund_recipient")
		}
		f.RecipientOrgID = id
		if e, err := s.Emergency(ctx, in.EmergencyID); err != nil {
			pr.Add("emergency_id", "err.required")
		} else {
			f.EmergencyID, f.RefTitle = e.ID, e.Title
		}
		if in.AppealID != "" {
			// An appeal is the appealing organisation's: money to anyone
			// else is not counted under it, or anyone could fill it.
			if ap, err := s.Appeal(ctx, in.AppealID); err != nil || ap.EmergencyID != f.EmergencyID {
				pr.Add("appeal_id", "err.invalid")
			} else if ap.OrgID != f.RecipientOrgID {
				pr.Add("appeal_id", "err.hum_fund_appeal_recipient")
			} else {
				f.AppealID, f.RefTitle = ap.ID, ap.Title
			}
		}
	case s.fed == nil:
		pr.Add("recipient", "err.peer_not_verified")
	default:
		f.RefEmergency, f.RefAppeal, ok = parseRef(in.RefURL, rhost)
		if !ok {
			pr.Add("ref_url", "err.hum_fund_ref")
		}
		f.RefURL, f.RefTitle = strings.TrimSpace(in.RefURL), in.RefTitle
		text(pr, "ref_title", f.RefTitle, maxTitle, true)
	}
	if err := pr.Err("humanitarian: report flow"); err != nil {
		return f, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		f.ID, f.CreatedAt, f.UpdatedAt = federation.NewHostedID(tx.Now, s.node.Host()), tx.Now, tx.Now
		if !local {
			if err := s.sendClaim(ctx, tx, &f); err != nil {
				return err
			}
		}
		if err := insertFlow(ctx, tx, f); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, f.ID, "donor", f.Status, f.USD, f.Claim); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "humanitarian.flow.report", "hum_flow", f.ID, o.ID, f.Recipient); err != nil {
			return err
		}
		return s.tellReported(ctx, tx, f)
	})
	return f, err
}

// AdvanceFlow moves a flow of the actor's organisation on (pledged to
// committed to paid, never back); a recipient on a peer is sent the new
// signed report.
func (s *Service) AdvanceFlow(ctx context.Context, id, status string) (Flow, error) {
	f, err := s.Flow(ctx, id)
	if err != nil {
		return Flow{}, err
	}
	a := core.ActorFrom(ctx)
	if f.Origin != "" || f.DonorOrgID == "" || !access.HumWriter(a, f.DonorOrgID) {
		return Flow{}, core.E(core.KindForbidden, "humanitarian: advance flow", "err.forbidden")
	}
	if slices.Index(FlowStatuses, status) <= slices.Index(FlowStatuses, f.Status) {
		return f, core.Problems{"status": "err.hum_fund_backwards"}.Err("humanitarian: advance flow")
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		// Only from the rev read: two advances at once would otherwise
		// both write the next rev and send two different claims of it.
		seen := f.Rev
		f.Status, f.Rev, f.UpdatedAt = status, f.Rev+1, tx.Now
		n, err := tx.Exec(ctx, `UPDATE hum_flows SET status = ?, rev = ?, updated_at = ? WHERE id = ? AND rev = ?`, f.Status, f.Rev, f.UpdatedAt, f.ID, seen)
		if err != nil {
			return core.Wrap("humanitarian: advance flow", err)
		}
		if n != 1 {
			return core.E(core.KindConflict, "humanitarian: advance flow", "err.changed_meanwhile")
		}
		if f.RecipientOrgID == "" {
			if err := s.sendClaim(ctx, tx, &f); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE hum_flows SET claim = ? WHERE id = ?`, f.Claim, f.ID); err != nil {
				return core.Wrap("humanitarian: advance flow", err)
			}
		}
		if err := addEvent(ctx, tx, f.ID, "donor", f.Status, f.USD, f.Claim); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "humanitarian.flow.advance", "hum_flow", f.ID, f.DonorOrgID, status)
	})
	return f, err
}

// ConfirmInput is the recipient's confirmation as typed.
type ConfirmInput struct {
	Sector   string `json:"sector"`
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
	Rate     string `json:"rate"`
	Status   string `json:"status"`
	Date     string `json:"date"`
	Note     string `json:"note"`
	Lang     string `json:"-"` // as FlowInput's
}

// Confirm records what the recipient organisation, for which the actor
// writes, received of a flow reported to it; a donor on a peer is sent
// the signed confirmation.
func (s *Service) Confirm(ctx context.Context, id string, in ConfirmInput) (Flow, error) {
	f, err := s.Flow(ctx, id)
	if err != nil {
		return Flow{}, err
	}
	if f.RecipientOrgID == "" || !access.HumWriter(core.ActorFrom(ctx), f.RecipientOrgID) {
		return Flow{}, core.E(core.KindForbidden, "humanitarian: confirm flow", "err.forbidden")
	}
	pr := core.Problems{}
	c := figures(pr, s.db.Clock().Now(), in.Lang, in.Sector, in.Amount, in.Currency, in.Rate, in.Status, in.Date)
	c.Note = strings.TrimSpace(in.Note)
	text(pr, "note", c.Note, maxText, false)
	if err := pr.Err("humanitarian: confirm flow"); err != nil {
		return f, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		f.Confirmation, f.ConfirmedRev, f.UpdatedAt = &c, f.Rev, tx.Now
		if f.Origin != "" {
			if err := s.sendConfirmation(ctx, tx, &f); err != nil {
				return err
			}
		}
		if err := saveConfirmation(ctx, tx, f); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, f.ID, "recipient", c.Status, c.USD, c.Statement); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "humanitarian.flow.confirm", "hum_flow", f.ID, f.RecipientOrgID, c.Status); err != nil {
			return err
		}
		return s.tellConfirmed(ctx, tx, f)
	})
	return f, err
}

func insertFlow(ctx context.Context, tx *store.Tx, f Flow) error {
	_, err := tx.Exec(ctx, `INSERT INTO hum_flows (id, emergency_id, appeal_id, ref_emergency, ref_appeal, ref_title, ref_url, donor, donor_org_id,
		recipient, recipient_org_id, sector, amount, currency, rate_e8, usd, status, flow_date, description, rev, origin, claim, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.ID, f.EmergencyID, f.AppealID, f.RefEmergency, f.RefAppeal,
		f.RefTitle, f.RefURL, f.Donor, f.DonorOrgID, f.Recipient, f.RecipientOrgID, f.Sector, f.Amount, f.Currency, f.RateE8, f.USD, f.Status,
		f.Date, f.Description, f.Rev, f.Origin, f.Claim, f.CreatedAt, f.UpdatedAt)
	return core.Wrap("humanitarian: save flow", err)
}

func saveConfirmation(ctx context.Context, tx *store.Tx, f Flow) error {
	c := f.Confirmation
	_, err := tx.Exec(ctx, `UPDATE hum_flows SET confirmed_rev = ?, conf_sector = ?, conf_amount = ?, conf_currency = ?, conf_rate_e8 = ?, conf_usd = ?,
		conf_status = ?, conf_date = ?, conf_note = ?, confirmation = ?, updated_at = ? WHERE id = ?`, f.ConfirmedRev, c.Sector, c.Amount, c.Currency,
		c.RateE8, c.USD, c.Status, c.Date, c.Note, c.Statement, f.UpdatedAt, f.ID)
	return core.Wrap("humanitarian: save confirmation", err)
}

// addEvent appends a step to a flow's history.
func addEvent(ctx context.Context, tx *store.Tx, id, side, status string, usd int64, statement string) error {
	_, err := tx.Exec(ctx, `INSERT INTO hum_flow_events (flow_id, n, side, status, usd, at, statement)
		VALUES (?, (SELECT COALESCE(MAX(n), 0) + 1 FROM hum_flow_events WHERE flow_id = ?), ?, ?, ?, ?, ?)`, id, id, side, status, usd, tx.Now, statement)
	return core.Wrap("humanitarian: flow history", err)
}

// writers are the roles e-mailed about funding.
var writers = []core.Role{core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst}

// tellReported e-mails the recipient's writers, when it is of this node,
// that a contribution waits for their confirmation.
func (s *Service) tellReported(ctx context.Context, tx *store.Tx, f Flow) error {
	if s.notify == nil || f.RecipientOrgID == "" {
		return nil
	}
	return s.notify.NotifyOrg(ctx, tx, f.RecipientOrgID, writers, notify.HumFlowReported, "/humanitarian/flows/"+f.ID,
		notify.Args{"donor": f.Donor, "amount": f.Currency + " " + FormatMoney(f.Amount), "status": f.Status, "emergency": f.RefTitle})
}

// tellConfirmed e-mails the donor's writers, when it is of this node,
// that the recipient confirmed other figures than theirs.
func (s *Service) tellConfirmed(ctx context.Context, tx *store.Tx, f Flow) error {
	if s.notify == nil || f.DonorOrgID == "" || !f.Mismatch() {
		return nil
	}
	c := f.Confirmation
	return s.notify.NotifyOrg(ctx, tx, f.DonorOrgID, writers, notify.HumFlowDiffers, "/humanitarian/flows/"+f.ID,
		notify.Args{"recipient": f.Recipient, "reported": f.Currency + " " + FormatMoney(f.Amount) + " (" + f.Status + ")",
			"received": c.Currency + " " + FormatMoney(c.Amount) + " (" + c.Status + ")"})
}
