package capacity

import (
	"encoding/json"
	"time"

	"entente.example/entente/core"
)

// needRow and offerRow are needs and offers as their tables hold them.
type needRow struct {
	ID          string    `db:"id"`
	OrgID       string    `db:"org_id"`
	Owner       string    `db:"owner"`
	Title       string    `db:"title"`
	Description string    `db:"description"`
	Themes      string    `db:"themes"`
	Topics      string    `db:"topics"`
	Country     string    `db:"country"`
	Priority    string    `db:"priority"`
	Languages   string    `db:"languages"`
	From        string    `db:"from_on"`
	To          string    `db:"to_on"`
	Status      string    `db:"status"`
	Visibility  string    `db:"visibility"`
	SharedWith  string    `db:"shared_with"`
	ProjectID   string    `db:"project_id"`
	Origin      string    `db:"origin"`
	Rev         int64     `db:"rev"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
}

const needCols = `n.id, n.org_id, n.owner, n.title, n.description, n.themes, n.topics, n.country, n.priority, n.languages, n.from_on, n.to_on,
	n.status, n.visibility, n.shared_with, n.project_id, n.origin, n.rev, n.created_at, n.updated_at`

func (r needRow) need() (Need, error) {
	n := Need{ID: r.ID, OrgID: r.OrgID, Owner: r.Owner, Title: r.Title, Description: r.Description, Country: r.Country, Priority: Priority(r.Priority),
		From: r.From, To: r.To, Status: r.Status, Visibility: r.Visibility, ProjectID: r.ProjectID, Origin: r.Origin, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	return n, decodeLists("need "+r.ID, []string{r.Themes, r.Topics, r.Languages, r.SharedWith},
		[]*[]string{&n.Themes, &n.Topics, &n.Languages, &n.SharedWith})
}

type offerRow struct {
	ID          string    `db:"id"`
	OrgID       string    `db:"org_id"`
	Owner       string    `db:"owner"`
	Title       string    `db:"title"`
	Description string    `db:"description"`
	Themes      string    `db:"themes"`
	Topics      string    `db:"topics"`
	Regions     string    `db:"regions"`
	Countries   string    `db:"countries"`
	Languages   string    `db:"languages"`
	From        string    `db:"from_on"`
	To          string    `db:"to_on"`
	BudgetMin   int64     `db:"budget_min"`
	BudgetMax   int64     `db:"budget_max"`
	Currency    string    `db:"currency"`
	Visibility  string    `db:"visibility"`
	SharedWith  string    `db:"shared_with"`
	Origin      string    `db:"origin"`
	Rev         int64     `db:"rev"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
}

const offerCols = `o.id, o.org_id, o.owner, o.title, o.description, o.themes, o.topics, o.regions, o.countries, o.languages, o.from_on, o.to_on,
	o.budget_min, o.budget_max, o.currency, o.visibility, o.shared_with, o.origin, o.rev, o.created_at, o.updated_at`

func (r offerRow) offer() (Offer, error) {
	o := Offer{ID: r.ID, OrgID: r.OrgID, Owner: r.Owner, Title: r.Title, Description: r.Description, From: r.From, To: r.To,
		BudgetMin: r.BudgetMin, BudgetMax: r.BudgetMax, Currency: r.Currency, Visibility: r.Visibility, Origin: r.Origin, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	return o, decodeLists("offer "+r.ID, []string{r.Themes, r.Topics, r.Regions, r.Countries, r.Languages, r.SharedWith},
		[]*[]string{&o.Themes, &o.Topics, &o.Regions, &o.Countries, &o.Languages, &o.SharedWith})
}

func decodeLists(what string, src []string, dst []*[]string) error {
	for i := range src {
		if err := json.Unmarshal([]byte(src[i]), dst[i]); err != nil {
			return core.Wrap("capacity: decode "+what, err)
		}
	}
	return nil
}

// Proposal is an offer put forward for a need by the offer's organisation.
type Proposal struct {
	ID        string     `db:"id" json:"id"`
	NeedID    string     `db:"need_id" json:"need_id"`
	OfferID   string     `db:"offer_id" json:"offer_id"`
	OrgID     string     `db:"org_id" json:"-"`
	Proposer  string     `db:"proposer" json:"proposer"`
	Note      string     `db:"note" json:"note"`
	Status    string     `db:"status" json:"status"` // proposed, accepted, declined
	ProjectID string     `db:"project_id" json:"project_id,omitempty"`
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
	DecidedAt *time.Time `db:"decided_at" json:"decided_at,omitempty"`
	// Origin is the donor's node when the proposal came from a peer ("" when
	// it was made here); Reason says why it was declined (a reason key).
	Origin string `db:"origin" json:"origin,omitempty"`
	Reason string `db:"reason" json:"reason,omitempty"`
	// Statement and Decision are the signed statements that crossed
	// between nodes, as received or sent: the proposal and the answer.
	Statement string `db:"statement" json:"-"`
	Decision  string `db:"decision_statement" json:"-"`
	// OfferTitle is the offer's title, for pages.
	OfferTitle string `db:"offer_title" json:"offer_title"`
}

// The states of a proposal.
const (
	Proposed = "proposed"
	Accepted = "accepted"
	Declined = "declined"
)
