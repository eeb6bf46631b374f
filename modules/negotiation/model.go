package negotiation

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Roles of a process's parties.
const (
	RoleChair       = "chair"       // runs the table; the text lives on its node
	RoleSecretariat = "secretariat" // supports the chair, with the chair's rights
	RoleDelegation  = "delegation"  // a state negotiating
	RoleStakeholder = "stakeholder" // consulted separately; never sees the state text
)

// Text kinds, as texts move towards a clean text.
var TextKinds = []string{"zero-draft", "chairs-draft", "non-paper", "rolling-text", "compilation", "facilitators-text", "clean-text"}

// Text states.
const (
	TextNegotiating = "negotiating"
	TextSilence     = "silence"
	TextAdopted     = "adopted"
)

// Amendment kinds and states.
const (
	AmendReplace = "replace" // new wording for one option
	AmendInsert  = "insert"  // a new paragraph after this one
	AmendDelete  = "delete"  // strike the paragraph
	AmendOption  = "option"  // an alternative wording, stacked as an option

	AmendProposed = "proposed"
	AmendAccepted = "accepted"
	AmendRejected = "rejected"
	AmendMerged   = "merged"
)

// AmendKinds lists the kinds a delegation may propose.
var AmendKinds = []string{AmendReplace, AmendInsert, AmendDelete, AmendOption}

// Stances a delegation may take.
var Stances = []string{"support", "oppose", "reserve", "live"}

// Silence states.
const (
	SilenceRunning = "running"
	SilenceBroken  = "broken"
	SilencePassed  = "passed"
)

// Process is one negotiation with everything in it: the document the chair's
// node keeps and signs, and that participating nodes hold copies of.
type Process struct {
	ID            string         `json:"id"`
	Host          string         `json:"host"`
	Title         string         `json:"title"`
	Forum         string         `json:"forum"`
	Consultation  string         `json:"consultation,omitempty"` // what stakeholders are asked
	Parties       []Party        `json:"parties"`
	Texts         []Text         `json:"texts,omitempty"`
	Contributions []Contribution `json:"contributions,omitempty"`
	Version       int            `json:"version"`
	Created       time.Time      `json:"created"`
	Updated       time.Time      `json:"updated"`
	// Stripped marks a copy made for stakeholders: the texts were left out.
	Stripped bool `json:"stripped,omitempty"`
}

// Party is an organisation taking part, by address (handle@host).
type Party struct {
	Addr    string    `json:"addr"`
	Role    string    `json:"role"`
	Name    string    `json:"name"`
	Country string    `json:"country,omitempty"`
	Joined  time.Time `json:"joined"`
}

// Text is one negotiated text with its working paragraphs and history.
type Text struct {
	ID         string      `json:"id"`
	Title      string      `json:"title"`
	Kind       string      `json:"kind"`
	State      string      `json:"state"`
	Paragraphs []Paragraph `json:"paragraphs"`
	Amendments []Amendment `json:"amendments,omitempty"`
	Positions  []Position  `json:"positions,omitempty"`
	Cosponsors []Cosponsor `json:"cosponsors,omitempty"`
	Revisions  []Revision  `json:"revisions,omitempty"`
	Silences   []Silence   `json:"silences,omitempty"`
	Adoption   *Adoption   `json:"adoption,omitempty"`
	Dirty      bool        `json:"dirty"` // changed since the last revision
	Seq        int         `json:"seq"`   // last number given to a paragraph or amendment
	Created    time.Time   `json:"created"`
	Updated    time.Time   `json:"updated"`
}

// Amendment is a delegation's proposal against a paragraph.
type Amendment struct {
	ID            string    `json:"id"`
	Origin        string    `json:"origin"` // the proposing node's id for it
	Para          string    `json:"para"`
	Kind          string    `json:"kind"`
	Option        int       `json:"option"`
	Base          string    `json:"base"` // the wording it was written against
	Proposed      string    `json:"proposed,omitempty"`
	Justification string    `json:"justification"`
	By            string    `json:"by"`
	Person        string    `json:"person"`
	At            time.Time `json:"at"`
	State         string    `json:"state"`
	Decision      *Decision `json:"decision,omitempty"`
	SignedBy      string    `json:"signed_by,omitempty"`
}

// Decision is the chair's answer to an amendment.
type Decision struct {
	By     string    `json:"by"`
	Person string    `json:"person"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
	Into   string    `json:"into,omitempty"` // the merged wording
	Rev    int       `json:"rev,omitempty"`  // the revision that next carried it
}

// Position is a delegation's stance on a paragraph ("p") or an amendment ("a").
type Position struct {
	By     string    `json:"by"`
	Target string    `json:"target"` // p:<id> or a:<id>
	Stance string    `json:"stance"`
	Note   string    `json:"note,omitempty"`
	Person string    `json:"person"`
	At     time.Time `json:"at"`
}

// Cosponsor is a delegation that joined the draft.
type Cosponsor struct {
	By     string    `json:"by"`
	Person string    `json:"person"`
	At     time.Time `json:"at"`
}

// Revision is an issued revision's record; its paragraphs are kept apart.
type Revision struct {
	N          int       `json:"n"`
	At         time.Time `json:"at"`
	Person     string    `json:"person"`
	Note       string    `json:"note,omitempty"`
	Paragraphs int       `json:"paragraphs"`
	Digest     string    `json:"digest"`
}

// Prev is the number of the revision before this one.
func (r Revision) Prev() int { return r.N - 1 }

// Silence is one silence procedure on a revision.
type Silence struct {
	ID        string     `json:"id"`
	Rev       int        `json:"rev"`
	Started   time.Time  `json:"started"`
	Deadline  time.Time  `json:"deadline"`
	Person    string     `json:"person"`
	State     string     `json:"state"`
	Objection *Objection `json:"objection,omitempty"`
	Ended     *time.Time `json:"ended,omitempty"`
	// AsIs is set when the chair circulated it with amendments undecided
	// or paragraphs open.
	AsIs *AsIs `json:"as_is,omitempty"`
}

// Objection breaks silence. Statement is the objecting node's signed
// statement, kept so anyone can check who objected and when.
type Objection struct {
	By        string    `json:"by"`
	Person    string    `json:"person"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
	Statement string    `json:"statement"`
	SignedBy  string    `json:"signed_by"`
}

// Adoption is the signed record of an adopted text.
type Adoption struct {
	Rev       int       `json:"rev"`
	At        time.Time `json:"at"`
	Statement string    `json:"statement"`
	SignedBy  string    `json:"signed_by"`
	Digest    string    `json:"digest"`
	// Open lists the paragraphs adopted with the text without ever being
	// agreed on their own; Pending the amendments nobody decided.
	Open    []string `json:"open,omitempty"`
	Pending []string `json:"pending,omitempty"`
}

// Contribution is a stakeholder's input to the consultation.
type Contribution struct {
	ID     string    `json:"id"`
	Origin string    `json:"origin"`
	By     string    `json:"by"`
	Name   string    `json:"name"`
	Person string    `json:"person"`
	Title  string    `json:"title"`
	Body   string    `json:"body"`
	At     time.Time `json:"at"`
}

// Party returns the process's party with the address in the role.
func (p *Process) Party(addr, role string) (Party, bool) {
	i := slices.IndexFunc(p.Parties, func(x Party) bool { return x.Addr == addr && x.Role == role })
	if i < 0 {
		return Party{}, false
	}
	return p.Parties[i], true
}

// Chair returns the chair's address.
func (p *Process) Chair() string {
	for _, x := range p.Parties {
		if x.Role == RoleChair {
			return x.Addr
		}
	}
	return ""
}

// InRole lists the parties in a role.
func (p *Process) InRole(role string) []Party {
	var out []Party
	for _, x := range p.Parties {
		if x.Role == role {
			out = append(out, x)
		}
	}
	return out
}

// Name returns a party's name, or its address.
func (p *Process) Name(addr string) string {
	for _, x := range p.Parties {
		if x.Addr == addr {
			return x.Name
		}
	}
	return addr
}

// Text returns the text with the id.
func (p *Process) Text(id string) (*Text, bool) {
	for i := range p.Texts {
		if p.Texts[i].ID == id {
			return &p.Texts[i], true
		}
	}
	return nil, false
}

func (t *Text) next(prefix string) string {
	t.Seq++
	return prefix + strconv.Itoa(t.Seq)
}

// Para returns the index of the working paragraph with the id, or -1.
func (t *Text) Para(id string) int {
	return slices.IndexFunc(t.Paragraphs, func(p Paragraph) bool { return p.ID == id })
}

// Amendment returns the amendment with the id.
func (t *Text) Amendment(id string) (*Amendment, bool) {
	for i := range t.Amendments {
		if t.Amendments[i].ID == id {
			return &t.Amendments[i], true
		}
	}
	return nil, false
}

// Outdated reports whether the paragraph changed since the amendment was
// written against it, so it can only be merged, not accepted.
func (a Amendment) Outdated(p Paragraph) bool {
	if a.Kind == AmendReplace {
		return a.Option < 0 || a.Option >= len(p.Options) || p.Options[a.Option] != a.Base
	}
	return strings.Join(p.Options, " / ") != a.Base
}

// Silence returns the running silence procedure, if any.
func (t *Text) Silence() *Silence {
	if n := len(t.Silences); n > 0 && t.Silences[n-1].State == SilenceRunning {
		return &t.Silences[n-1]
	}
	return nil
}

// LastSilence returns the latest silence procedure, if any.
func (t *Text) LastSilence() *Silence {
	if n := len(t.Silences); n > 0 {
		return &t.Silences[n-1]
	}
	return nil
}

// Rev is the number of the latest issued revision (0: none yet).
func (t *Text) Rev() int {
	if n := len(t.Revisions); n > 0 {
		return t.Revisions[n-1].N
	}
	return 0
}

// Dated is when the wording shown was set: the last revision's issue,
// unless the wording changed since (Dirty). Updated moves with positions
// and amendments too, which change no word of the text.
func (t *Text) Dated() time.Time {
	if n := len(t.Revisions); n > 0 && !t.Dirty {
		return t.Revisions[n-1].At
	}
	return t.Updated
}

// Labels numbers the paragraphs as the text is read: PP1…, OP1…
func Labels(ps []Paragraph) map[string]string {
	out := make(map[string]string, len(ps))
	pp, op := 0, 0
	for _, p := range ps {
		if p.Part == PartPreamble {
			pp++
			out[p.ID] = "PP" + strconv.Itoa(pp)
		} else {
			op++
			out[p.ID] = "OP" + strconv.Itoa(op)
		}
	}
	return out
}

// Counts tallies the paragraphs by status.
func Counts(ps []Paragraph) map[string]int {
	out := map[string]int{}
	for _, p := range ps {
		out[p.Status()]++
	}
	return out
}

// Position returns a delegation's position on a target.
func (t *Text) Position(by, target string) (Position, bool) {
	i := slices.IndexFunc(t.Positions, func(p Position) bool { return p.By == by && p.Target == target })
	if i < 0 {
		return Position{}, false
	}
	return t.Positions[i], true
}

// IsCosponsor reports whether the delegation co-sponsors the text.
func (t *Text) IsCosponsor(by string) bool {
	return slices.ContainsFunc(t.Cosponsors, func(c Cosponsor) bool { return c.By == by })
}
