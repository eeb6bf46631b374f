package cybercrime

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
	"entente.example/entente/internal/names"
)

// State is where a request stands. The requesting side drafts, approves,
// sends, withdraws and closes; the requested side acknowledges, preserves,
// executes or refuses. Both sides keep a copy and see the same state.
type State string

// The states, in the order of a request's life.
const (
	StateDraft        State = "draft"
	StateApproved     State = "approved"
	StateSent         State = "sent"
	StateReceived     State = "received"
	StateAcknowledged State = "acknowledged"
	StatePreserved    State = "preserved"
	StatePartly       State = "partly_executed"
	StateExecuted     State = "executed"
	StateRefused      State = "refused"
	StateWithdrawn    State = "withdrawn"
	StateClosed       State = "closed"
)

// States lists the states in display order.
var States = []State{StateDraft, StateApproved, StateSent, StateReceived, StateAcknowledged, StatePreserved, StatePartly, StateExecuted, StateRefused, StateWithdrawn, StateClosed}

// Final reports whether nothing more happens to a request in this state but
// its closing.
func (s State) Final() bool {
	return s == StateExecuted || s == StateRefused || s == StateWithdrawn || s == StateClosed
}

// Action is a step a person takes on a request.
type Action string

// The actions. Approve, send, withdraw and close belong to the requesting
// side; acknowledge, preserve, extend, execute (partly or fully) and refuse
// to the requested side; a note to either.
const (
	ActApprove     Action = "approve"
	ActSend        Action = "send"
	ActWithdraw    Action = "withdraw"
	ActClose       Action = "close"
	ActAcknowledge Action = "acknowledge"
	ActPreserve    Action = "preserve"
	ActExtend      Action = "extend"
	ActPartly      Action = "partly"
	ActExecute     Action = "execute"
	ActRefuse      Action = "refuse"
	ActNote        Action = "note"
)

// Request is one request for cooperation, as one side keeps it. OriginID is
// shared by both sides' copies; ID is this node's row.
type Request struct {
	ID        string `db:"id" json:"id"`
	OriginID  string `db:"origin_id" json:"origin_id"`
	Direction string `db:"direction" json:"direction"` // out: we ask; in: we are asked
	OrgID     string `db:"org_id" json:"-"`
	From      string `db:"from_addr" json:"from"`
	To        string `db:"to_addr" json:"to"`
	// FromCountry and ToCountry are the states the legal basis binds: for a
	// request to a provider, ToCountry is the provider's country.
	FromCountry string `db:"from_country" json:"from_country"`
	ToCountry   string `db:"to_country" json:"to_country"`
	Kind        Kind   `db:"kind" json:"kind"`
	Basis       string `db:"basis" json:"basis"` // an instrument's id
	Language    string `db:"lang" json:"language"`
	// Reference is the requesting authority's own file number.
	Reference string `db:"reference" json:"reference"`
	// FieldsJSON holds Fields as stored; Fields is what the kind's form
	// asked for (see Specs).
	FieldsJSON string            `db:"fields" json:"-"`
	Fields     map[string]string `db:"-" json:"fields"`
	State      State             `db:"state" json:"state"`
	Ground     string            `db:"ground" json:"ground,omitempty"` // the refusal ground
	// RespondBy is when the requested side should have acknowledged;
	// ExecuteBy when it should have executed, once acknowledged.
	RespondBy *time.Time `db:"respond_by" json:"respond_by,omitempty"`
	ExecuteBy *time.Time `db:"execute_by" json:"execute_by,omitempty"`
	// PreservedUntil is the preservation clock both sides see.
	PreservedUntil *time.Time `db:"preserved_until" json:"preserved_until,omitempty"`
	// Follows is the origin id of the preservation this request follows (an
	// MLA request after a preservation), so the chain is one thread.
	Follows    string     `db:"follows" json:"follows,omitempty"`
	Author     string     `db:"author" json:"author"`
	ApprovedBy string     `db:"approved_by" json:"approved_by,omitempty"`
	EnvelopeID string     `db:"envelope_id" json:"-"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	SentAt     *time.Time `db:"sent_at" json:"sent_at,omitempty"`
	AckAt      *time.Time `db:"acknowledged_at" json:"acknowledged_at,omitempty"`
	PreservAt  *time.Time `db:"preserved_at" json:"preserved_at,omitempty"`
	ExecutedAt *time.Time `db:"executed_at" json:"executed_at,omitempty"`
	ClosedAt   *time.Time `db:"closed_at" json:"closed_at,omitempty"`
	UpdatedAt  time.Time  `db:"updated_at" json:"updated_at"`
	// PurgeAfter is when the content is deleted once closed: only the
	// ledger's hashes remain.
	PurgeAfter *time.Time `db:"purge_after" json:"purge_after,omitempty"`
	Purged     bool       `db:"purged" json:"purged"`
	RemindedAt *time.Time `db:"reminded_at" json:"-"`
	// Exercise marks a request sent in an exercise: never counted in the
	// figures.
	Exercise bool `db:"exercise" json:"exercise"`

	Events []Event `db:"-" json:"events,omitempty"`
	// Receipt is the requested node's signed receipt for the request.
	Receipt string `db:"-" json:"receipt,omitempty"`
}

const requestColumns = `id, origin_id, direction, org_id, from_addr, to_addr, from_country, to_country, kind, basis, lang, reference, fields, state, ground,
	respond_by, execute_by, preserved_until, follows, author, approved_by, envelope_id, created_at, sent_at, acknowledged_at, preserved_at, executed_at, closed_at,
	updated_at, purge_after, purged, reminded_at, exercise`

// Field returns one field of the request.
func (r Request) Field(name string) string { return r.Fields[name] }

// Open reports whether the request still waits on someone.
func (r Request) Open() bool {
	return !r.State.Final() && r.State != StateDraft && r.State != StateApproved
}

// Overdue reports whether the requested side let a deadline pass.
func (r Request) Overdue(now time.Time) bool {
	switch {
	case r.State == StateSent || r.State == StateReceived:
		return r.RespondBy != nil && now.After(*r.RespondBy)
	case r.State == StateAcknowledged || r.State == StatePartly:
		return r.ExecuteBy != nil && now.After(*r.ExecuteBy)
	}
	return false
}

// PreservationLeft is how long the preserved data is still kept; negative
// once the clock has run out.
func (r Request) PreservationLeft(now time.Time) time.Duration {
	if r.PreservedUntil == nil {
		return 0
	}
	return r.PreservedUntil.Sub(now)
}

// Event is a step in a request's life or a note in its thread. OriginID is
// shared by both sides' copies of the event.
type Event struct {
	ID         string     `db:"id" json:"id"`
	RequestID  string     `db:"request_id" json:"-"`
	OriginID   string     `db:"origin_id" json:"origin_id"`
	At         time.Time  `db:"at" json:"at"`
	Action     Action     `db:"action" json:"action"`
	State      State      `db:"state" json:"state"`
	By         string     `db:"by_name" json:"by"`
	ByAddr     string     `db:"by_addr" json:"by_addr"`
	Note       string     `db:"note" json:"note,omitempty"`
	Ground     string     `db:"ground" json:"ground,omitempty"`
	Until      *time.Time `db:"until_at" json:"until,omitempty"`
	EnvelopeID string     `db:"envelope_id" json:"-"`
	// Receipt is the other node's signed receipt for this step, when this
	// node sent it and it arrived.
	Receipt string `db:"-" json:"receipt,omitempty"`
}

const eventColumns = `id, request_id, origin_id, at, action, state, by_name, by_addr, note, ground, until_at, envelope_id`

// Input is a request as its author writes it.
type Input struct {
	From      string            `json:"from"` // the requesting organisation's handle
	To        string            `json:"to"`   // handle@host of the requested authority or provider
	Kind      Kind              `json:"kind"`
	Basis     string            `json:"basis"`
	Language  string            `json:"language"`
	Reference string            `json:"reference"`
	Follows   string            `json:"follows"` // id of a preservation request on this node
	Fields    map[string]string `json:"fields"`
}

// Limits on what a request holds.
const (
	maxField     = 20000
	maxReference = 120
)

// normalize trims the input and drops fields the kind does not have.
func (in *Input) normalize() {
	in.From = strings.ToLower(strings.TrimSpace(in.From))
	in.To = strings.ToLower(strings.TrimSpace(in.To))
	in.Basis = strings.TrimSpace(in.Basis)
	in.Language = strings.ToLower(strings.TrimSpace(in.Language))
	in.Reference = strings.TrimSpace(in.Reference)
	in.Follows = strings.TrimSpace(in.Follows)
	spec := Specs[in.Kind]
	out := map[string]string{}
	for _, f := range append(spec.Fields, extraFields...) {
		if v := strings.TrimSpace(in.Fields[f.Name]); v != "" {
			out[f.Name] = v
		}
	}
	in.Fields = out
}

// extraFields belong to every kind: a translation sent along with the
// request (CETS 224 art. 4) and the language it is in.
var extraFields = []Field{line("translation_lang", false), f("translation", false)}

// FormFields lists the fields of a kind's form: its article's, then the
// translation.
func FormFields(k Kind) []Field { return append(slices.Clone(Specs[k].Fields), extraFields...) }

// validate checks what can be checked without the database: the kind, its
// required fields, lengths, the language. The legal basis is checked by the
// service, which knows both states.
func (in Input) validate() core.Problems {
	p := core.Problems{}
	if !in.Kind.Valid() {
		p.Add("kind", "err.required")
		return p
	}
	if in.From == "" {
		p.Add("from", "err.required")
	}
	if in.To == "" {
		p.Add("to", "err.required")
	}
	if in.Basis == "" {
		p.Add("basis", "err.required")
	}
	if !validLang(in.Language) {
		p.Add("language", "err.cyb_language")
	}
	if utf8.RuneCountInString(in.Reference) > maxReference {
		p.Add("reference", "err.too_long")
	}
	for _, f := range FormFields(in.Kind) {
		v := in.Fields[f.Name]
		switch {
		case f.Required && v == "":
			p.Add("f_"+f.Name, "err.required")
		case utf8.RuneCountInString(v) > maxField:
			p.Add("f_"+f.Name, "err.too_long")
		}
	}
	if v := in.Fields["translation_lang"]; v != "" && !validLang(v) {
		p.Add("f_translation_lang", "err.cyb_language")
	}
	if in.Fields["translation"] != "" && in.Fields["translation_lang"] == "" {
		p.Add("f_translation_lang", "err.required")
	}
	if in.Kind == KindPreservation && in.Fields["mla_follows"] != "" && in.Fields["mla_follows"] != "yes" {
		p.Add("f_mla_follows", "err.cyb_mla_follows")
	}
	return p
}

// validLang accepts a two- or three-letter language code (ISO 639), the
// language a request is written in.
func validLang(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for _, c := range s {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// languageName names a language code in lang.
func languageName(code, lang string) string { return names.Language(code, lang) }

func (r *Request) decode() error {
	r.Fields = map[string]string{}
	if r.FieldsJSON == "" {
		return nil
	}
	return json.Unmarshal([]byte(r.FieldsJSON), &r.Fields)
}

// Clock starts a request's deadlines from the moment it was sent.
func clock(k Kind, sent time.Time) *time.Time {
	t := sent.Add(Specs[k].Respond).UTC().Truncate(time.Second)
	return &t
}
