package dialogue

import (
	"encoding/json"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
)

// The kinds of event.
var EventKinds = []string{"meeting", "briefing", "forum", "public"}

// Who may see an event: anyone (a public page without sign-in), the
// organising organisation's people, or the invited organisations' too.
const (
	EventPublic  = "public"
	EventOrg     = "org"
	EventInvited = "invited"
)

// EventAudiences lists the audiences in the form's order.
var EventAudiences = []string{EventPublic, EventOrg, EventInvited}

// An event is scheduled until its organiser cancels it.
const (
	EventScheduled = "scheduled"
	EventCancelled = "cancelled"
)

// Limits on what an event holds.
const (
	eventMaxTitle    = 200
	eventMaxText     = 20000
	eventMaxList     = 100
	eventMaxCapacity = 100000
	eventMaxLength   = 14 * 24 * time.Hour
)

// EventAgendaItem is one line of an agenda: a wall-clock time in the
// event's zone ("09:30"), what happens, and who speaks.
type EventAgendaItem struct {
	Time    string `json:"time"`
	Title   string `json:"title"`
	Speaker string `json:"speaker,omitempty"`
}

// EventSpeaker is one speaker.
type EventSpeaker struct {
	Name        string `json:"name"`
	Affiliation string `json:"affiliation,omitempty"`
	Bio         string `json:"bio,omitempty"`
}

// Event is an event as its organiser writes it and its readers see it.
type Event struct {
	ID               string            `db:"id" json:"id"`
	OrgID            string            `db:"org_id" json:"-"`
	Org              string            `db:"org_handle" json:"org"`
	OrgName          string            `db:"org_name" json:"org_name"`
	Kind             string            `db:"kind" json:"kind"`
	Title            string            `db:"title" json:"title"`
	Description      string            `db:"description" json:"description"`
	Languages        []string          `db:"-" json:"languages"`
	OnlineURL        string            `db:"online_url" json:"online_url,omitempty"`
	VenueName        string            `db:"venue_name" json:"venue_name,omitempty"`
	VenueAddress     string            `db:"venue_address" json:"venue_address,omitempty"`
	Zone             string            `db:"zone" json:"zone"`
	Start            time.Time         `db:"start_at" json:"start"`
	End              time.Time         `db:"end_at" json:"end"`
	Agenda           []EventAgendaItem `db:"-" json:"agenda"`
	Speakers         []EventSpeaker    `db:"-" json:"speakers"`
	Capacity         int               `db:"capacity" json:"capacity"`
	RegistrationOpen bool              `db:"registration_open" json:"registration_open"`
	Audience         string            `db:"audience" json:"audience"`
	Invited          []string          `db:"-" json:"invited"`
	// InviteEmails are the addresses the organiser typed; only the
	// organiser reads them back.
	InviteEmails []string `db:"-" json:"invite_emails,omitempty"`
	Status       string   `db:"status" json:"status"`
	CancelReason string   `db:"cancel_reason" json:"cancel_reason,omitempty"`
	DialogueID   string   `db:"dialogue_id" json:"dialogue_id,omitempty"`
	Minutes      string   `db:"minutes" json:"minutes,omitempty"`
	Outcomes     string   `db:"outcomes" json:"outcomes,omitempty"`
	Sequence     int      `db:"sequence" json:"sequence"`
	// Host is the organiser's node for a copy of a peer's event (its
	// organiser's address is Org@Host); empty for events organised here.
	Host string `db:"-" json:"host,omitempty"`
	// OrganiserEmail is who organised it, for the copy's calendar files.
	OrganiserEmail string    `db:"-" json:"organiser_email,omitempty"`
	Taken          int       `db:"places_taken" json:"places_taken"`
	Waiting        int       `db:"waiting" json:"waiting"`
	CreatedAt      time.Time `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time `db:"updated_at" json:"updated_at"`

	// The lists as the store keeps them (JSON text).
	LanguagesJSON string `db:"languages" json:"-"`
	AgendaJSON    string `db:"agenda" json:"-"`
	SpeakersJSON  string `db:"speakers" json:"-"`
}

// eventColumns selects an event (aliased e, its organisation o) into Event.
const eventColumns = `e.id, e.org_id, o.handle AS org_handle, o.name_en AS org_name, e.kind, e.title, e.description, e.languages, e.online_url,
	e.venue_name, e.venue_address, e.zone, e.start_at, e.end_at, e.agenda, e.speakers, e.capacity, e.registration_open, e.audience,
	e.status, e.cancel_reason, e.dialogue_id, e.minutes, e.outcomes, e.sequence, e.places_taken,
	(SELECT COUNT(*) FROM ev_registrations w WHERE w.event_id = e.id AND w.state = 'waitlisted') AS waiting, e.created_at, e.updated_at`

// Location is the event's zone, UTC when it names none this build knows.
func (e Event) Location() *time.Location { return eventLocation(e.Zone) }

// eventZoneCache keeps the zones loaded: time.LoadLocation reads the
// zone database each time, which a feed of thousands of events would do
// thousands of times.
var eventZoneCache sync.Map // name → *time.Location

func eventLocation(name string) *time.Location {
	if l, ok := eventZoneCache.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil || name == "" {
		return time.UTC
	}
	eventZoneCache.Store(name, l)
	return l
}

// Cancelled reports whether the organiser cancelled the event.
func (e Event) Cancelled() bool { return e.Status == EventCancelled }

// Full reports whether every place is taken (a new registration waits).
func (e Event) Full() bool { return e.Capacity > 0 && e.Taken >= e.Capacity }

// Left is how many places are free; -1 when there is no limit.
func (e Event) Left() int {
	if e.Capacity == 0 {
		return -1
	}
	return max(e.Capacity-e.Taken, 0)
}

// Place is where the event happens, for a calendar's LOCATION: the venue
// and its address, or the link.
func (e Event) Place() string {
	var parts []string
	for _, s := range []string{e.VenueName, e.VenueAddress} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return e.OnlineURL
	}
	return strings.Join(parts, ", ")
}

func (e *Event) decode() error {
	for _, f := range []struct {
		raw string
		v   any
	}{{e.LanguagesJSON, &e.Languages}, {e.AgendaJSON, &e.Agenda}, {e.SpeakersJSON, &e.Speakers}} {
		if f.raw == "" {
			continue
		}
		if err := json.Unmarshal([]byte(f.raw), f.v); err != nil {
			return core.Wrap("events: decode", err)
		}
	}
	e.Start, e.End = e.Start.UTC(), e.End.UTC()
	return nil
}

func eventJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

var (
	eventLangCode = regexp.MustCompile(`^[a-z]{2,3}$`)
	eventClock    = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

// Validate checks an event as written, by field, and tidies its lists.
func (e *Event) Validate() core.Problems {
	p := core.Problems{}
	text := func(field string, v *string, limit int, required bool) {
		*v = strings.TrimSpace(*v)
		switch {
		case required && *v == "":
			p.Add(field, "err.required")
		case len(*v) > limit:
			p.Add(field, "err.too_long")
		case core.CheckText(*v) != "":
			p.Add(field, core.CheckText(*v))
		}
	}
	if !slices.Contains(EventKinds, e.Kind) {
		p.Add("kind", "err.ev_kind")
	}
	text("title", &e.Title, eventMaxTitle, true)
	text("description", &e.Description, eventMaxText, false)
	text("venue_name", &e.VenueName, eventMaxTitle, false)
	text("venue_address", &e.VenueAddress, 1000, false)
	text("online_url", &e.OnlineURL, 2000, false)
	text("minutes", &e.Minutes, eventMaxText, false)
	text("outcomes", &e.Outcomes, eventMaxText, false)
	if e.OnlineURL != "" {
		if u, err := url.Parse(e.OnlineURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p.Add("online_url", "err.ev_url")
		}
	}
	if e.OnlineURL == "" && e.VenueName == "" {
		p.Add("venue_name", "err.ev_place")
	}
	var langs []string
	for _, l := range e.Languages {
		if l = strings.ToLower(strings.TrimSpace(l)); l != "" && !slices.Contains(langs, l) {
			if !eventLangCode.MatchString(l) {
				p.Add("languages", "err.ev_language")
				continue
			}
			langs = append(langs, l)
		}
	}
	e.Languages = langs
	if len(langs) > 10 {
		p.Add("languages", "err.too_long")
	}
	if _, err := time.LoadLocation(e.Zone); e.Zone == "" || e.Zone == "Local" || err != nil {
		p.Add("zone", "err.ev_zone")
	}
	switch {
	case e.Start.IsZero():
		p.Add("start", "err.ev_time")
	case e.End.IsZero():
		p.Add("end", "err.ev_time")
	case !e.End.After(e.Start):
		p.Add("end", "err.ev_end_before")
	case e.End.Sub(e.Start) > eventMaxLength:
		p.Add("end", "err.ev_too_long")
	case e.Start.Year() < 2000 || e.Start.Year() > 2200:
		p.Add("start", "err.ev_time")
	}
	if e.Capacity < 0 || e.Capacity > eventMaxCapacity {
		p.Add("capacity", "err.ev_capacity")
	}
	if !slices.Contains(EventAudiences, e.Audience) {
		p.Add("audience", "err.ev_audience")
	}
	for i := range e.Agenda {
		a := &e.Agenda[i]
		a.Time, a.Title, a.Speaker = strings.TrimSpace(a.Time), strings.TrimSpace(a.Title), strings.TrimSpace(a.Speaker)
		if a.Time != "" && !eventClock.MatchString(a.Time) {
			p.Add("agenda", "err.ev_agenda_time")
		}
		if a.Title == "" || len(a.Title) > eventMaxTitle || len(a.Speaker) > eventMaxTitle || core.CheckText(a.Title+a.Speaker) != "" {
			p.Add("agenda", "err.ev_agenda")
		}
	}
	for i := range e.Speakers {
		s := &e.Speakers[i]
		s.Name, s.Affiliation, s.Bio = strings.TrimSpace(s.Name), strings.TrimSpace(s.Affiliation), strings.TrimSpace(s.Bio)
		if s.Name == "" || len(s.Name) > eventMaxTitle || len(s.Affiliation) > eventMaxTitle || len(s.Bio) > 2000 || core.CheckText(s.Name+s.Affiliation+s.Bio) != "" {
			p.Add("speakers", "err.ev_speaker")
		}
	}
	if len(e.Agenda) > eventMaxList {
		p.Add("agenda", "err.too_long")
	}
	if len(e.Speakers) > eventMaxList {
		p.Add("speakers", "err.too_long")
	}
	var invited []string
	for _, a := range e.Invited {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "" || slices.Contains(invited, a) {
			continue
		}
		if _, _, ok := federation.Address(a); !ok || len(a) > 300 {
			p.AddEntry("invited", "err.ev_address", a)
			continue
		}
		invited = append(invited, a)
	}
	e.Invited = invited
	var emails []string
	for _, m := range e.InviteEmails {
		m = strings.ToLower(strings.TrimSpace(m))
		if m == "" || slices.Contains(emails, m) {
			continue
		}
		if !eventEmail(m) {
			p.AddEntry("invite_emails", "err.ev_email", m)
			continue
		}
		emails = append(emails, m)
	}
	e.InviteEmails = emails
	if len(invited) > eventMaxList {
		p.Add("invited", "err.too_long")
	}
	if len(emails) > 500 {
		p.Add("invite_emails", "err.too_long")
	}
	if e.Audience == EventInvited && len(invited) == 0 && len(emails) == 0 {
		p.Add("invited", "err.ev_invite_none")
	}
	if e.Audience != EventInvited {
		e.Invited = nil
	}
	e.DialogueID = strings.TrimSpace(e.DialogueID)
	if len(e.DialogueID) > 64 || core.CheckText(e.DialogueID) != "" {
		p.Add("dialogue_id", "err.too_long")
	}
	return p
}

// eventEmail reports whether s is one bare e-mail address.
func eventEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254 && !strings.ContainsAny(s, "\r\n\"<>")
}

// timeOrPlaceChanged reports whether an edit changes what a calendar
// holds about when and where: the reason to raise SEQUENCE and tell
// the people invited.
func timeOrPlaceChanged(old, new Event) bool {
	return !old.Start.Equal(new.Start) || !old.End.Equal(new.End) || old.Zone != new.Zone ||
		old.OnlineURL != new.OnlineURL || old.VenueName != new.VenueName || old.VenueAddress != new.VenueAddress || old.Status != new.Status
}
