package dialogue

import (
	"net/http"

	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// apiRoutes are events as JSON: the same service calls as the pages, the
// same rules (openapi_events.json describes them).
func (m *EventsModule) apiRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /api/v1/events", Action: access.EventsRead, Handler: m.apiList},
		{Pattern: "POST /api/v1/events", Action: access.EventsWrite, Handler: m.apiCreate},
		{Pattern: "GET /api/v1/events/{id}", Action: access.EventsRead, Handler: m.apiGet},
		{Pattern: "PUT /api/v1/events/{id}", Action: access.EventsWrite, Handler: m.apiUpdate},
		{Pattern: "POST /api/v1/events/{id}/cancel", Action: access.EventsWrite, Handler: m.apiCancel},
		{Pattern: "GET /api/v1/events/{id}/registrations", Action: access.EventsWrite, Handler: m.apiRegistrations},
		{Pattern: "POST /api/v1/events/{id}/registration", Action: access.EventsRead, Handler: m.apiRegister},
		{Pattern: "DELETE /api/v1/events/{id}/registration", Action: access.EventsRead, Handler: m.apiUnregister},
	}
}

func (m *EventsModule) apiList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	items, err := m.svc.List(r.Context(), EventListFilter{Past: q.Get("when") == "past", Org: q.Get("org"), Limit: 200})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if items == nil {
		items = []Event{}
	}
	m.web.JSON(w, http.StatusOK, web.List[Event]{Items: items})
}

// eventAPIInput is an event as a client writes it, with the organisation
// that organises it (on create).
type eventAPIInput struct {
	Org string `json:"org"`
	Event
}

func (m *EventsModule) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in eventAPIInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	e, err := m.svc.Create(r.Context(), in.Org, in.Event)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/events/"+e.ID)
	m.web.JSON(w, http.StatusCreated, e)
}

func (m *EventsModule) apiGet(w http.ResponseWriter, r *http.Request) {
	e, err := m.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, e)
}

func (m *EventsModule) apiUpdate(w http.ResponseWriter, r *http.Request) {
	var in Event
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	e, err := m.svc.Update(r.Context(), r.PathValue("id"), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, e)
}

func (m *EventsModule) apiCancel(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	e, err := m.svc.Cancel(r.Context(), r.PathValue("id"), in.Reason)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, e)
}

func (m *EventsModule) apiRegistrations(w http.ResponseWriter, r *http.Request) {
	regs, err := m.svc.Registrations(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if regs == nil {
		regs = []EventRegistration{}
	}
	m.web.JSON(w, http.StatusOK, web.List[EventRegistration]{Items: regs})
}

func (m *EventsModule) apiRegister(w http.ResponseWriter, r *http.Request) {
	reg, err := m.svc.Register(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, reg)
}

func (m *EventsModule) apiUnregister(w http.ResponseWriter, r *http.Request) {
	if err := m.svc.CancelRegistration(r.Context(), r.PathValue("id")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
