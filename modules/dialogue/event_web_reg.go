package dialogue

import (
	"net/http"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

// register takes a place for the signed-in reader, or, at a public event,
// for someone without an account who gives a name and an e-mail address.
func (m *EventsModule) register(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	if !core.ActorFrom(ctx).Anonymous() {
		reg, err := m.svc.Register(ctx, id)
		f := web.Form{}
		if f.Take(err) {
			m.renderShow(w, r, web.FormStatus(err), f, web.Form{}, web.Form{})
			return
		}
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
		m.web.Redirect(w, r, eventPath(id), eventFlash(reg))
		return
	}
	f := web.NewForm(r)
	reg, tok, err := m.svc.RegisterPublic(ctx, id, f.Get("name"), f.Get("email"), web.Lang(ctx))
	if f.Take(err) {
		m.renderShow(w, r, web.FormStatus(err), f, web.Form{}, web.Form{})
		return
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/event-registrations/"+tok, eventFlash(reg))
}

// eventFlash is the notice after registering: a place, or the waiting list.
func eventFlash(r EventRegistration) string {
	switch r.State {
	case EventWaitlisted:
		return "flash.ev_waitlisted"
	case eventPending:
		return "flash.ev_pending"
	}
	return "flash.ev_registered"
}

func (m *EventsModule) unregister(w http.ResponseWriter, r *http.Request) {
	if err := m.svc.CancelRegistration(r.Context(), r.PathValue("id")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, eventPath(r.PathValue("id")), "flash.ev_unregistered")
}

// eventTokenView is the page a registration's link opens: the event, the
// registration's state, and the button that cancels it.
type eventTokenView struct {
	web.Page
	E     Event
	R     EventRegistration
	Token string
}

// When renders a moment in the event's zone.
func (v eventTokenView) When(t time.Time) string { return eventHuman(v.Lang, t, v.E.Zone) }

func (m *EventsModule) byToken(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	reg, e, err := m.svc.RegistrationByToken(r.Context(), tok)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := eventTokenView{Page: m.web.Page(r, "title.ev_registration", e.Title), E: e, R: reg, Token: tok}
	// The address is a secret: no referrer carries it elsewhere.
	w.Header().Set("Referrer-Policy", "no-referrer")
	m.web.Render(w, r, http.StatusOK, "dialogue/event_registration", v)
}

func (m *EventsModule) cancelByToken(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	if err := m.svc.CancelByToken(r.Context(), tok); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/event-registrations/"+tok, "flash.ev_unregistered")
}

// eventRegistrationsView is the organiser's list of who registered, with
// the attendance form.
type eventRegistrationsView struct {
	web.Page
	E    Event
	Regs []EventRegistration
}

// Count counts the registrations in a state.
func (v eventRegistrationsView) Count(state string) int {
	n := 0
	for _, r := range v.Regs {
		if r.State == state {
			n++
		}
	}
	return n
}

// Attended counts who came.
func (v eventRegistrationsView) Attended() int {
	n := 0
	for _, r := range v.Regs {
		if r.Attended {
			n++
		}
	}
	return n
}

func (m *EventsModule) registrations(w http.ResponseWriter, r *http.Request) {
	e, err := m.svc.organised(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := eventRegistrationsView{Page: m.web.Page(r, "title.ev_registrations", e.Title), E: e}
	v.Nav = "events"
	if v.Regs, err = m.svc.Registrations(r.Context(), e.ID); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "dialogue/event_registrations", v)
}

func (m *EventsModule) attendance(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	id := r.PathValue("id")
	if err := m.svc.MarkAttendance(r.Context(), id, f.Values["attended"]); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, eventPath(id)+"/registrations", "flash.ev_saved")
}
