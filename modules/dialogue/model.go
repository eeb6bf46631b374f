package dialogue

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
)

// Rule is what participants may do with what they hear.
type Rule string

// The rules a dialogue runs under.
const (
	// RuleChatham: "participants are free to use the information received,
	// but neither the identity nor the affiliation of the speaker(s), nor
	// that of any other participant, may be revealed".
	RuleChatham Rule = "chatham_house"
	// RuleOnRecord: everything may be used and attributed.
	RuleOnRecord Rule = "on_record"
	// RuleOffRecord: nothing said may be used outside the room; inside it,
	// participants see who speaks.
	RuleOffRecord Rule = "off_record"
)

// Rules lists the rules in the order forms offer them.
var Rules = []Rule{RuleChatham, RuleOnRecord, RuleOffRecord}

// Valid reports whether r is a known rule.
func (r Rule) Valid() bool { return slices.Contains(Rules, r) }

// Anonymous reports whether copies, exports and digests must carry no
// identities: who wrote what stays with the moderators on the host's node.
func (r Rule) Anonymous() bool { return r == RuleChatham }

// Exportable reports whether the record may leave the room at all.
func (r Rule) Exportable() bool { return r != RuleOffRecord }

// Role is what an organisation is in a dialogue. One organisation may hold
// several roles (the host is usually a moderator too).
type Role string

// The roles.
const (
	RoleHost        Role = "host"        // runs the dialogue: parties, sessions, closing
	RoleModerator   Role = "moderator"   // holds, hides and releases contributions; sees who wrote what
	RoleRapporteur  Role = "rapporteur"  // writes the summary
	RoleParticipant Role = "participant" // reads and contributes
)

// Roles are the roles a host can give.
var Roles = []Role{RoleParticipant, RoleModerator, RoleRapporteur}

// Party is an organisation taking part.
type Party struct {
	Addr string `json:"addr"` // handle@host
	Role Role   `json:"role"`
	Name string `json:"name,omitempty"` // display name when seated
	Kind string `json:"kind,omitempty"` // core.OrgKind: official, academic, civil society, company…
}

// Session is one sitting of a dialogue, with its agenda.
type Session struct {
	ID     string    `json:"id"`
	Title  string    `json:"title"`
	Agenda string    `json:"agenda,omitempty"`
	Starts time.Time `json:"starts,omitzero"`
	Closed bool      `json:"closed,omitempty"`
}

// Summary states.
const (
	SummaryNone      = ""
	SummaryPublished = "published"
	// SummaryReturned is a summary the host's node refused (under the
	// Chatham House Rule, one that named a participant); its text is not
	// in the copies, only the reason.
	SummaryReturned = "returned"
)

// Summary is the rapporteur's record of the dialogue.
type Summary struct {
	Status string    `json:"status,omitempty"`
	Text   string    `json:"text,omitempty"`
	Lang   string    `json:"lang,omitempty"`
	Reason string    `json:"reason,omitempty"` // a message key, when returned
	Note   string    `json:"note,omitempty"`   // the moderator's words, when a moderator returned it
	At     time.Time `json:"at,omitzero"`
}

// Dialogue statuses.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Dialogue is the document the host keeps and every participating node
// holds a signed copy of. Contributions are kept apart (there may be
// thousands).
type Dialogue struct {
	ID      string `json:"id"`
	Host    string `json:"host"`
	Title   string `json:"title"`
	Purpose string `json:"purpose"`
	Rule    Rule   `json:"rule"`
	Lang    string `json:"lang"`
	Status  string `json:"status"`
	// Premoderated dialogues hold every contribution until a moderator
	// releases it.
	Premoderated bool      `json:"premoderated,omitempty"`
	Parties      []Party   `json:"parties"`
	Sessions     []Session `json:"sessions,omitempty"`
	Summary      Summary   `json:"summary,omitzero"`
	Version      int       `json:"version"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
}

// InRole lists the addresses holding role r.
func (d *Dialogue) InRole(r Role) []string {
	var out []string
	for _, p := range d.Parties {
		if p.Role == r {
			out = append(out, p.Addr)
		}
	}
	return out
}

// Has reports whether addr holds role r.
func (d *Dialogue) Has(addr string, r Role) bool {
	return slices.ContainsFunc(d.Parties, func(p Party) bool { return p.Addr == addr && p.Role == r })
}

// Name returns the display name of a party's address, or the address.
func (d *Dialogue) Name(addr string) string {
	for _, p := range d.Parties {
		if p.Addr == addr && p.Name != "" {
			return p.Name
		}
	}
	return addr
}

// Session returns the session with the given id.
func (d *Dialogue) Session(id string) (Session, bool) {
	i := slices.IndexFunc(d.Sessions, func(s Session) bool { return s.ID == id })
	if i < 0 {
		return Session{}, false
	}
	return d.Sessions[i], true
}

// Hosts lists the nodes of the parties, the host's first.
func (d *Dialogue) Hosts() []string {
	out := []string{d.Host}
	for _, p := range d.Parties {
		if _, h, ok := federation.Address(p.Addr); ok && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// Contribution states.
const (
	StateVisible = "visible"
	StateHeld    = "held"   // waits for a moderator; only its author and the moderators see it
	StateHidden  = "hidden" // hidden by a moderator, with a reason shown in its place
)

// Contribution is one message in a thread, as the reader may see it: the
// author fields are empty unless the reader may know who wrote it.
type Contribution struct {
	ID       string    `json:"id" db:"id"`
	Dialogue string    `json:"dialogue" db:"dialogue_id"`
	Session  string    `json:"session,omitempty" db:"session_id"`
	Parent   string    `json:"parent,omitempty" db:"parent_id"`
	Seq      int64     `json:"seq" db:"seq"`
	Body     string    `json:"body" db:"body"`
	Lang     string    `json:"lang,omitempty" db:"lang"`
	State    string    `json:"state" db:"state"`
	Reason   string    `json:"reason,omitempty" db:"reason"`
	Closed   bool      `json:"closed,omitempty" db:"closed"` // a thread closed to replies
	At       time.Time `json:"at" db:"created_at"`
	Rev      int64     `json:"-" db:"rev"`
	// Who wrote it: filled only when the rule and the reader allow.
	AuthorName string `json:"author_name,omitempty" db:"author_name"`
	AuthorOrg  string `json:"author_org,omitempty" db:"author_org"`
	// Mine is true for the reader's own contribution.
	Mine    bool           `json:"mine,omitempty" db:"-"`
	ActID   string         `json:"-" db:"act_id"`
	Replies []Contribution `json:"replies,omitempty" db:"-"`
}

// Limits of what people type.
const (
	maxTitle    = 200
	maxPurpose  = 4000
	maxBody     = 20000
	maxReason   = 500
	maxSummary  = 60000
	maxSessions = 100
	maxParties  = 500
)

// checkText adds a problem for field when s is missing (required), too
// long, or not clean text.
func checkText(p core.Problems, field, s string, required bool, max int) {
	switch {
	case strings.TrimSpace(s) == "" && required:
		p.Add(field, "err.required")
	case utf8.RuneCountInString(s) > max:
		p.Add(field, "err.too_long")
	default:
		if k := core.CheckText(s); k != "" {
			p.Add(field, k)
		}
	}
}
