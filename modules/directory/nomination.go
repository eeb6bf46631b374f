package directory

import (
	"time"

	"entente.example/entente/core"
)

// Nomination actions: a focal point adds a point of contact, changes one, or
// withdraws one.
const (
	NominateAdd    = "nominate"
	NominateChange = "change"
	NominateRemove = "remove"
)

// Nomination states, on the member's node and the secretariat's.
const (
	NominationPending  = "pending"
	NominationAccepted = "accepted"
	NominationRejected = "rejected"
)

// NominationInput is what a focal point submits.
type NominationInput struct {
	Member   string `json:"member"` // handle of the nominating organisation on this node
	Action   string `json:"action"` // nominate (default), change or remove
	EntryID  string `json:"entry_id,omitempty"`
	Category string `json:"category"`
	Deputy   bool   `json:"deputy"`
	// PersonID is the nominee's account on this node: the person who receives
	// and acknowledges pings. Contact details default to theirs.
	PersonID string `json:"person_id"`
	Contact
}

// Statement is a nomination as the member's node signs it: the digital form
// of a note verbale. It is what the secretariat verifies, keeps and
// publishes in the directory.
type Statement struct {
	Network     string    `json:"network"`      // network id
	NetworkHost string    `json:"network_host"` // the secretariat's node
	Member      string    `json:"member"`       // handle@host of the nominating organisation
	Action      string    `json:"action"`
	EntryID     string    `json:"entry_id,omitempty"`
	Category    string    `json:"category,omitempty"`
	Deputy      bool      `json:"deputy,omitempty"`
	PersonRef   string    `json:"person_ref,omitempty"`
	Contact     *Contact  `json:"contact,omitempty"`
	FocalPoint  string    `json:"focal_point"` // the official who nominated
	At          time.Time `json:"at"`
	ID          string    `json:"id"` // the nomination's id on the member's node
}

// Nomination is a submitted change to a network's directory and its fate.
type Nomination struct {
	ID          string     `db:"id" json:"id"`
	NetworkID   string     `db:"network_id" json:"network_id"`
	OriginID    string     `db:"origin_id" json:"-"`
	Member      string     `db:"member_addr" json:"member"`
	Action      string     `db:"action" json:"action"`
	EntryID     string     `db:"entry_id" json:"entry_id,omitempty"`
	Category    string     `db:"category" json:"category"`
	Name        string     `db:"name" json:"name"`
	FocalPoint  string     `db:"focal_point" json:"focal_point"`
	Statement   string     `db:"statement" json:"statement"` // signed, as the member's node made it
	SignedBy    string     `db:"signed_by" json:"signed_by"`
	Status      string     `db:"status" json:"status"`
	SubmittedAt time.Time  `db:"submitted_at" json:"submitted_at"`
	DecidedAt   *time.Time `db:"decided_at" json:"decided_at,omitempty"`
	DecidedBy   string     `db:"decided_by" json:"decided_by,omitempty"`
	Reason      string     `db:"reason" json:"reason,omitempty"`
}

const nominationColumns = `id, network_id, origin_id, member_addr, action, entry_id, category, name, focal_point, statement, signed_by, status, submitted_at, decided_at, decided_by, reason`

// validate checks the parts of a nomination that do not need the database.
func (in NominationInput) validate(n Network) core.Problems {
	p := core.Problems{}
	if in.Member == "" {
		p.Add("member", "err.required")
	}
	switch in.Action {
	case NominateAdd:
	case NominateChange, NominateRemove:
		if in.EntryID == "" {
			p.Add("entry_id", "err.required")
		}
	default:
		p.Add("action", "err.choice")
	}
	if in.Action == NominateRemove {
		return p
	}
	if !n.HasCategory(in.Category) {
		p.Add("category", "err.choice")
	}
	for k, v := range in.Contact.Validate() {
		p.Add(k, v)
	}
	return p
}
