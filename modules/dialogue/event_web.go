package dialogue

import (
	_ "embed"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/ical"
	"entente.example/entente/internal/web"
)

// EventsModule is the events' slice of the product: pages (event_web*.go),
// the JSON API (event_api.go) and calendar files and feeds.
type EventsModule struct {
	svc *Events
	web *web.Server
}

// NewEventsModule returns the module.
func NewEventsModule(ev *Events, w *web.Server) *EventsModule {
	return &EventsModule{svc: ev, web: w}
}

// Name implements web.Module.
func (m *EventsModule) Name() string { return "events" }

// Routes implements web.Module. The event page, its calendar file, an
// organisation's feed, a person's secret feed and the cancel link of a
// registration without an account are open without signing in; the
// service shows only what the reader may see.
func (m *EventsModule) Routes() []web.Route {
	out := []web.Route{
		{Pattern: "GET /events", Action: access.EventsRead, Handler: m.list},
		{Pattern: "POST /events/feed", Action: access.EventsRead, Handler: m.resetFeed},
		{Pattern: "GET /events/new", Action: access.EventsWrite, Handler: m.newForm},
		{Pattern: "POST /events", Action: access.EventsWrite, Handler: m.create},
		{Pattern: "GET /events/{id}", Action: access.EventsPublic, Handler: m.show},
		{Pattern: "GET /events/{id}/event.ics", Action: access.EventsPublic, Handler: m.file},
		{Pattern: "GET /events/{id}/edit", Action: access.EventsWrite, Handler: m.editForm},
		{Pattern: "POST /events/{id}/edit", Action: access.EventsWrite, Handler: m.update},
		{Pattern: "POST /events/{id}/cancel", Action: access.EventsWrite, Handler: m.cancel},
		{Pattern: "POST /events/{id}/minutes", Action: access.EventsWrite, Handler: m.minutes},
		{Pattern: "POST /events/{id}/register", Action: access.EventsSignUp, Handler: m.register},
		{Pattern: "POST /events/{id}/unregister", Action: access.EventsRead, Handler: m.unregister},
		{Pattern: "GET /events/{id}/registrations", Action: access.EventsWrite, Handler: m.registrations},
		{Pattern: "POST /events/{id}/attendance", Action: access.EventsWrite, Handler: m.attendance},
		{Pattern: "GET /event-registrations/{token}", Action: access.EventsPublic, Handler: m.byToken},
		{Pattern: "POST /event-registrations/{token}/cancel", Action: access.EventsSignUp, Handler: m.cancelByToken},
		{Pattern: "GET /event-feeds/orgs/{handle}/calendar.ics", Action: access.EventsPublic, Handler: m.orgFeed},
		{Pattern: "GET /event-feeds/{token}/calendar.ics", Action: access.EventsPublic, Handler: m.personFeed},
	}
	return append(out, m.apiRoutes()...)
}

// eventListView is the events list: to come or past, and the reader's
// own calendar feed.
type eventListView struct {
	web.Page
	Events     []Event
	Past       bool
	Organisers []core.OrgRef
	FeedSince  time.Time
	HasFeed    bool
	FeedURL    string // shown once, right after a reset
	Base       string
}

// When renders a moment in an event's zone.
func (v eventListView) When(t time.Time, zone string) string { return eventHuman(v.Lang, t, zone) }

func (m *EventsModule) list(w http.ResponseWriter, r *http.Request) {
	m.renderList(w, r, "")
}

func (m *EventsModule) renderList(w http.ResponseWriter, r *http.Request, feedURL string) {
	v := eventListView{Page: m.web.Page(r, "title.ev_list"), Past: r.URL.Query().Get("when") == "past", FeedURL: feedURL, Base: m.svc.people.BaseURL()}
	v.Nav = "events"
	var err error
	if v.Events, err = m.svc.List(r.Context(), EventListFilter{Past: v.Past}); err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.Organisers = EventOrganisers(v.Actor)
	v.FeedSince, v.HasFeed = m.svc.HasFeed(r.Context())
	m.web.Render(w, r, http.StatusOK, "dialogue/event_list", v)
}

func (m *EventsModule) resetFeed(w http.ResponseWriter, r *http.Request) {
	tok, err := m.svc.ResetFeed(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.renderList(w, r, m.svc.people.BaseURL()+"/event-feeds/"+tok+"/calendar.ics")
}

// eventZones are the zones a reader may choose to read an event's times
// in, besides the venue's and UTC: the region's capitals and a few
// others that delegations travel from.
var eventZones = []string{"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Asia/Singapore", "Asia/Kuala_Lumpur", "Asia/Bangkok",
	"Asia/Ho_Chi_Minh", "Asia/Manila", "Asia/Tokyo", "Australia/Perth", "Australia/Sydney", "Pacific/Auckland", "Europe/Brussels",
	"Europe/London", "America/New_York", "UTC"}

// eventShowView is an event as its reader sees it.
type eventShowView struct {
	web.Page
	E             Event
	Organiser     bool
	Mine          *EventRegistration
	ShowsLink     bool
	Form          web.Form // the registration form (without an account)
	CancelForm    web.Form
	MinutesForm   web.Form
	DialogueTitle string
	Reader        string // the zone the reader chose
	Zones         []string
	Past          bool
}

// When renders a moment in a zone for people: "10 Dec 2026, 09:00 AEDT".
func (v eventShowView) When(t time.Time, zone string) string { return eventHuman(v.Lang, t, zone) }

// GoogleURL adds the event to a Google Calendar in one click (the
// calendar file does the same for every other program).
func (v eventShowView) GoogleURL() string {
	e := v.E
	q := url.Values{"action": {"TEMPLATE"}, "text": {e.Title}, "dates": {e.Start.UTC().Format("20060102T150405Z") + "/" + e.End.UTC().Format("20060102T150405Z")},
		"ctz": {e.Zone}, "location": {e.Place()}, "details": {e.Description}}
	return "https://calendar.google.com/calendar/render?" + q.Encode()
}

func eventHuman(lang string, t time.Time, zone string) string {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	t = t.In(loc)
	month := t.Format("Jan")
	clock := t.Format("15:04")
	if lang == "id" {
		month = [12]string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"}[t.Month()-1]
		clock = t.Format("15.04")
	}
	name, _ := t.Zone()
	return fmt.Sprintf("%d %s %d, %s %s", t.Day(), month, t.Year(), clock, name)
}

func (m *EventsModule) show(w http.ResponseWriter, r *http.Request) {
	m.renderShow(w, r, http.StatusOK, web.Form{}, web.Form{}, web.Form{})
}

func (m *EventsModule) renderShow(w http.ResponseWriter, r *http.Request, status int, reg, cancel, minutes web.Form) {
	ctx := r.Context()
	e, err := m.svc.Get(ctx, r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := eventShowView{Page: m.web.Page(r, "title.ev_show", e.Title), E: e, Organiser: m.svc.CanOrganise(ctx, e), Form: reg, CancelForm: cancel,
		MinutesForm: minutes, Zones: eventZones, Past: e.End.Before(m.svc.Now())}
	v.Nav = "events"
	v.Reader = r.URL.Query().Get("tz")
	if !slices.Contains(eventZones, v.Reader) {
		v.Reader = "UTC"
	}
	if v.Mine, err = m.svc.MyRegistration(ctx, e.ID); err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.DialogueTitle, _ = m.svc.DialogueTitle(ctx, e)
	v.ShowsLink = m.svc.ShowsLink(ctx, e)
	if v.MinutesForm.Values == nil {
		v.MinutesForm = web.Form{Values: map[string][]string{"minutes": {e.Minutes}, "outcomes": {e.Outcomes}}}
	}
	m.web.Render(w, r, status, "dialogue/event", v)
}

// serveCalendar answers with a calendar as text/calendar.
func (m *EventsModule) serveCalendar(w http.ResponseWriter, r *http.Request, c ical.Calendar, name string, err error) {
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	c.WriteTo(w)
}

func (m *EventsModule) file(w http.ResponseWriter, r *http.Request) {
	c, err := m.svc.EventFile(r.Context(), r.PathValue("id"))
	m.serveCalendar(w, r, c, "event.ics", err)
}

func (m *EventsModule) orgFeed(w http.ResponseWriter, r *http.Request) {
	c, err := m.svc.OrgFeed(r.Context(), r.PathValue("handle"))
	m.serveCalendar(w, r, c, "calendar.ics", err)
}

func (m *EventsModule) personFeed(w http.ResponseWriter, r *http.Request) {
	c, err := m.svc.PersonFeed(r.Context(), r.PathValue("token"))
	m.serveCalendar(w, r, c, "calendar.ics", err)
}

//go:embed openapi_events.json
var eventsOpenAPI []byte

// OpenAPI implements web.OpenAPISource.
func (m *EventsModule) OpenAPI() []byte { return eventsOpenAPI }
