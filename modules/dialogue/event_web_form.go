package dialogue

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

// eventFormView is the organiser's form, new or edit.
type eventFormView struct {
	web.Page
	Form       web.Form
	Edit       *Event
	Organisers []core.OrgRef
	Kinds      []string
	Audiences  []string
	Zones      []string
}

func (m *EventsModule) renderForm(w http.ResponseWriter, r *http.Request, status int, f web.Form, edit *Event) {
	title, args := "title.ev_new", []any{}
	if edit != nil {
		title, args = "title.ev_edit", []any{edit.Title}
	}
	v := eventFormView{Page: m.web.Page(r, title, args...), Form: f, Edit: edit, Organisers: EventOrganisers(core.ActorFrom(r.Context())),
		Kinds: EventKinds, Audiences: EventAudiences, Zones: eventZones}
	v.Nav = "events"
	m.web.Render(w, r, status, "dialogue/event_form", v)
}

func (m *EventsModule) newForm(w http.ResponseWriter, r *http.Request) {
	f := web.Form{Values: url.Values{"kind": {"briefing"}, "audience": {EventOrg}, "zone": {"Asia/Jakarta"}, "registration_open": {"on"}, "capacity": {"0"}, "languages": {"en, id"}},
		Problems: core.Problems{}}
	if d := r.URL.Query().Get("dialogue"); d != "" {
		f.Values.Set("dialogue_id", d)
	}
	m.renderForm(w, r, http.StatusOK, f, nil)
}

func (m *EventsModule) editForm(w http.ResponseWriter, r *http.Request) {
	e, err := m.svc.organised(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.renderForm(w, r, http.StatusOK, web.Form{Values: eventValues(e), Problems: core.Problems{}}, &e)
}

func (m *EventsModule) create(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	in := eventFromForm(f)
	e, err := m.svc.Create(r.Context(), f.Get("org"), in)
	if f.Take(err) {
		m.renderForm(w, r, web.FormStatus(err), f, nil)
		return
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, eventPath(e.ID), "flash.ev_created")
}

func (m *EventsModule) update(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	old, err := m.svc.organised(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	in := eventFromForm(f)
	in.Minutes, in.Outcomes = old.Minutes, old.Outcomes
	e, err := m.svc.Update(r.Context(), old.ID, in)
	if f.Take(err) {
		m.renderForm(w, r, web.FormStatus(err), f, &old)
		return
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, eventPath(e.ID), "flash.ev_saved")
}

func (m *EventsModule) cancel(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	_, err := m.svc.Cancel(r.Context(), r.PathValue("id"), f.Get("reason"))
	if f.Take(err) {
		m.renderShow(w, r, web.FormStatus(err), web.Form{}, f, web.Form{})
		return
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, eventPath(r.PathValue("id")), "flash.ev_cancelled")
}

func (m *EventsModule) minutes(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	_, err := m.svc.Record(r.Context(), r.PathValue("id"), f.Get("minutes"), f.Get("outcomes"))
	if f.Take(err) {
		m.renderShow(w, r, web.FormStatus(err), web.Form{}, web.Form{}, f)
		return
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, eventPath(r.PathValue("id"))+"#minutes", "flash.ev_saved")
}

// eventFromForm reads the organiser's form. Times are typed as a date and
// a wall-clock time in the event's zone; one that is not a time is left
// zero, which the service refuses by field.
func eventFromForm(f web.Form) Event {
	e := Event{Kind: f.Get("kind"), Title: f.Get("title"), Description: f.Get("description"), OnlineURL: f.Get("online_url"),
		VenueName: f.Get("venue_name"), VenueAddress: f.Get("venue_address"), Zone: strings.TrimSpace(f.Get("zone")),
		RegistrationOpen: f.Get("registration_open") == "on", Audience: f.Get("audience"), DialogueID: f.Get("dialogue_id")}
	e.Languages = strings.FieldsFunc(f.Get("languages"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
	if loc, err := time.LoadLocation(e.Zone); err == nil && e.Zone != "" {
		e.Start = eventLocal(f.Get("start_date"), f.Get("start_time"), loc)
		e.End = eventLocal(f.Get("end_date"), f.Get("end_time"), loc)
	}
	if c := strings.TrimSpace(f.Get("capacity")); c == "" {
		e.Capacity = 0
	} else if n, err := strconv.Atoi(c); err == nil {
		e.Capacity = n
	} else {
		e.Capacity = -1
	}
	for _, l := range EventLines(f.Get("agenda")) {
		e.Agenda = append(e.Agenda, EventAgendaItem{Time: l[0], Title: l[1], Speaker: l[2]})
	}
	for _, l := range EventLines(f.Get("speakers")) {
		e.Speakers = append(e.Speakers, EventSpeaker{Name: l[0], Affiliation: l[1], Bio: l[2]})
	}
	e.Invited = strings.Fields(strings.ReplaceAll(f.Get("invited"), ",", " "))
	e.InviteEmails = strings.Fields(strings.ReplaceAll(f.Get("invite_emails"), ",", " "))
	return e
}

func eventLocal(date, clock string, loc *time.Location) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(date)+" "+strings.TrimSpace(clock), loc)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// EventLines reads a textarea of one entry per line, its parts separated
// by "|": "09:30 | Opening | Ambassador". Every entry has three parts
// (missing ones empty, extra ones joined into the last); blank lines,
// and lines of separators only, are skipped.
func EventLines(s string) [][3]string {
	var out [][3]string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.SplitN(line, "|", 3)
		var l [3]string
		for i, p := range parts {
			l[i] = strings.TrimSpace(p)
		}
		if l == [3]string{} {
			continue // a line of separators only
		}
		out = append(out, l)
	}
	return out
}

// eventValues is an event as the form shows it.
func eventValues(e Event) url.Values {
	loc := e.Location()
	v := url.Values{"kind": {e.Kind}, "title": {e.Title}, "description": {e.Description}, "online_url": {e.OnlineURL}, "venue_name": {e.VenueName},
		"venue_address": {e.VenueAddress}, "zone": {e.Zone}, "audience": {e.Audience}, "dialogue_id": {e.DialogueID},
		"start_date": {e.Start.In(loc).Format("2006-01-02")}, "start_time": {e.Start.In(loc).Format("15:04")},
		"end_date": {e.End.In(loc).Format("2006-01-02")}, "end_time": {e.End.In(loc).Format("15:04")},
		"capacity": {strconv.Itoa(e.Capacity)}, "languages": {strings.Join(e.Languages, ", ")},
		"invited": {strings.Join(e.Invited, "\n")}, "invite_emails": {strings.Join(e.InviteEmails, "\n")}}
	if e.RegistrationOpen {
		v.Set("registration_open", "on")
	}
	var agenda, speakers []string
	for _, a := range e.Agenda {
		agenda = append(agenda, a.Time+" | "+a.Title+" | "+a.Speaker)
	}
	for _, s := range e.Speakers {
		speakers = append(speakers, s.Name+" | "+s.Affiliation+" | "+s.Bio)
	}
	v.Set("agenda", strings.Join(agenda, "\n"))
	v.Set("speakers", strings.Join(speakers, "\n"))
	return v
}
