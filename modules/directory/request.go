package directory

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
)

// Request states. The receiving side moves a request forward; the sender
// closes it.
const (
	RequestSent         = "sent"
	RequestDelivered    = "delivered"
	RequestAcknowledged = "acknowledged"
	RequestInProgress   = "in_progress"
	RequestAnswered     = "answered"
	RequestClosed       = "closed"
)

// RequestStates is the order of the states.
var RequestStates = []string{RequestSent, RequestDelivered, RequestAcknowledged, RequestInProgress, RequestAnswered, RequestClosed}

// Sectors is the vocabulary of affected critical-infrastructure sectors.
var Sectors = []string{"energy", "finance", "health", "telecommunications", "transport", "water", "government", "digital-infrastructure", "food", "manufacturing", "space", "other"}

// Request is a structured request between the points of contact of two
// members of a network, following the network's template.
type Request struct {
	ID          string     `db:"id" json:"id"`
	OriginID    string     `db:"origin_id" json:"-"`
	NetworkID   string     `db:"network_id" json:"network_id"`
	Direction   string     `db:"direction" json:"direction"` // out or in, seen from this node's organisation
	OrgID       string     `db:"org_id" json:"-"`            // the local organisation (sender or recipient)
	From        string     `db:"from_addr" json:"from"`
	To          string     `db:"to_addr" json:"to"`
	Author      string     `db:"author" json:"author"`
	Type        string     `db:"type" json:"type"`
	Urgency     string     `db:"urgency" json:"urgency"`
	Subject     string     `db:"subject" json:"subject"`
	Description string     `db:"description" json:"description"`
	Sector      string     `db:"sector" json:"sector"`
	Systems     string     `db:"systems" json:"systems"`
	Asked       string     `db:"asked" json:"asked"`
	Indicators  string     `db:"indicators" json:"indicators"`
	FollowUp    string     `db:"follow_up" json:"follow_up"`
	TLP         core.TLP   `db:"tlp" json:"tlp"`
	RespondBy   time.Time  `db:"respond_by" json:"respond_by"`
	State       string     `db:"state" json:"state"`
	Answer      string     `db:"answer" json:"answer,omitempty"`
	EnvelopeID  string     `db:"envelope_id" json:"-"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time  `db:"updated_at" json:"updated_at"`
	RemindedAt  *time.Time `db:"reminded_at" json:"-"`
	OverdueAt   *time.Time `db:"overdue_at" json:"-"`

	Events []RequestEvent `db:"-" json:"events,omitempty"`
	// Receipt is the recipient node's signed receipt for the request, when
	// it went to another node and arrived.
	Receipt string `db:"-" json:"receipt,omitempty"`
	// Attachments are the files sent with it and with its thread.
	Attachments []RequestAttachment `db:"-" json:"attachments,omitempty"`
}

const requestColumns = `id, origin_id, network_id, direction, org_id, from_addr, to_addr, author, type, urgency, subject, description, sector, systems, asked, indicators, follow_up, tlp, respond_by, state, answer, envelope_id, created_at, updated_at, reminded_at, overdue_at`

// Open reports whether the request still waits for an answer.
func (r Request) Open() bool { return r.State != RequestAnswered && r.State != RequestClosed }

// Overdue reports whether the deadline passed without an answer.
func (r Request) Overdue(now time.Time) bool { return r.Open() && now.After(r.RespondBy) }

// RequestEvent is a step in a request's life, or a message in its thread.
type RequestEvent struct {
	ID        string    `db:"id" json:"id"`
	RequestID string    `db:"request_id" json:"-"`
	At        time.Time `db:"at" json:"at"`
	State     string    `db:"state" json:"state,omitempty"` // empty for a note
	By        string    `db:"by_name" json:"by"`
	ByAddr    string    `db:"by_addr" json:"by_address"`
	Body      string    `db:"body" json:"body,omitempty"`
}

// RequestInput is what a point of contact submits.
type RequestInput struct {
	Network     string    `json:"network"` // network id
	From        string    `json:"from"`    // handle of the sending organisation on this node
	To          string    `json:"to"`      // a member's address, handle@host
	Type        string    `json:"type"`
	Urgency     string    `json:"urgency"`
	Subject     string    `json:"subject"`
	Description string    `json:"description"`
	Sector      string    `json:"sector"`
	Systems     string    `json:"systems"`
	Asked       string    `json:"asked"`
	Indicators  string    `json:"indicators"`
	FollowUp    string    `json:"follow_up"`
	TLP         core.TLP  `json:"tlp"`
	RespondBy   time.Time `json:"respond_by"` // zero: from the template by urgency
	// Attachments are files sent with the request (base64 in JSON).
	Attachments []RequestAttachment `json:"attachments,omitempty"`
}

// Normalize trims the fields.
func (in *RequestInput) Normalize() {
	for _, p := range []*string{&in.Network, &in.From, &in.To, &in.Type, &in.Urgency, &in.Subject, &in.Description, &in.Sector, &in.Systems, &in.Asked, &in.Indicators, &in.FollowUp} {
		*p = strings.TrimSpace(*p)
	}
	in.TLP = core.TLP(strings.ToUpper(string(in.TLP)))
}

// validate checks a request against the network's template at time now.
func (in RequestInput) validate(n Network, now time.Time) core.Problems {
	p := core.Problems{}
	if in.From == "" {
		p.Add("from", "err.required")
	}
	if in.To == "" {
		p.Add("to", "err.required")
	}
	if !slices.Contains(n.Template.Types, in.Type) {
		p.Add("type", "err.choice")
	}
	if !slices.Contains(Urgencies, in.Urgency) {
		p.Add("urgency", "err.choice")
	}
	if in.Subject == "" {
		p.Add("subject", "err.required")
	}
	if in.Description == "" {
		p.Add("description", "err.required")
	}
	if in.Asked == "" && in.Type != "notification" {
		p.Add("asked", "err.required")
	}
	if in.Sector != "" && !slices.Contains(Sectors, in.Sector) {
		p.Add("sector", "err.choice")
	}
	switch {
	case in.TLP == core.TLPRed:
		// RED names people; a request goes to an organisation's contacts.
		p.Add("tlp", "err.tlp_red_request")
	case !in.TLP.Valid():
		p.Add("tlp", "err.choice")
	}
	if !in.RespondBy.IsZero() && (!in.RespondBy.After(now) || in.RespondBy.After(now.AddDate(1, 0, 0))) {
		p.Add("respond_by", "err.respond_by")
	}
	for f, v := range map[string]string{"subject": in.Subject, "systems": in.Systems, "follow_up": in.FollowUp} {
		if utf8.RuneCountInString(v) > 300 {
			p.Add(f, "err.too_long")
		}
	}
	for f, v := range map[string]string{"description": in.Description, "asked": in.Asked, "indicators": in.Indicators} {
		if utf8.RuneCountInString(v) > 20000 {
			p.Add(f, "err.too_long")
		}
	}
	return p
}
