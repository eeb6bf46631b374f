package publicdiplomacy

import (
	"context"
	"net/http"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// apiRoutes are the newsroom as JSON (openapi.json describes them): the
// caller's organisations' accounts, messages by state, drafting a message
// in several languages, and its steps — the same service calls as the
// pages, under the same rules (a second person approves).
func (m *Module) apiRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /api/v1/publicdiplomacy/accounts", Action: access.PDRead, Handler: m.apiAccounts},
		{Pattern: "GET /api/v1/publicdiplomacy/posts", Action: access.PDRead, Handler: m.apiMessages},
		{Pattern: "POST /api/v1/publicdiplomacy/posts", Action: access.PDWrite, Handler: m.apiCreate},
		{Pattern: "GET /api/v1/publicdiplomacy/posts/{id}", Action: access.PDRead, Handler: m.apiMessage},
		{Pattern: "POST /api/v1/publicdiplomacy/posts/{id}/submit", Action: access.PDWrite, Handler: m.apiStep(m.svc.Submit)},
		{Pattern: "POST /api/v1/publicdiplomacy/posts/{id}/approve", Action: access.PDApprove, Handler: m.apiStep(m.svc.Approve)},
		{Pattern: "POST /api/v1/publicdiplomacy/posts/{id}/return", Action: access.PDApprove, Handler: m.apiStep(m.svc.Return)},
	}
}

// apiAccount is an account with its addresses.
type apiAccount struct {
	Account
	Handle string `json:"handle"`
	Actor  string `json:"actor"`
}

func (m *Module) apiAccounts(w http.ResponseWriter, r *http.Request) {
	accs, err := m.svc.MyAccounts(r.Context(), access.PDRead)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	out := []apiAccount{}
	for _, a := range accs {
		out = append(out, apiAccount{Account: a, Handle: m.svc.Handle(a.Username), Actor: m.svc.ActorURL(a.Username)})
	}
	m.web.JSON(w, http.StatusOK, web.List[apiAccount]{Items: out})
}

// apiMessage is a message as JSON: what its translations share, and each.
type apiMessage struct {
	GroupID      string     `json:"group_id"`
	State        PostState  `json:"state"`
	Account      string     `json:"account"` // user@host
	Visibility   string     `json:"visibility"`
	ScheduledAt  *time.Time `json:"scheduled_at,omitempty"`
	PublishedAt  *time.Time `json:"published_at,omitempty"`
	CaseID       string     `json:"case_id,omitempty"`
	Translations []Post     `json:"translations"`
}

func (m *Module) asJSON(msg Message) apiMessage {
	p := msg.Lead()
	return apiMessage{GroupID: p.GroupID, State: p.State, Account: m.svc.Handle(p.Username), Visibility: p.Visibility, ScheduledAt: p.ScheduledAt,
		PublishedAt: p.PublishedAt, CaseID: p.CaseID, Translations: msg.Posts}
}

// apiStates are the states a list may ask for, in the order listed when
// none is asked for.
var apiStates = []PostState{PostReview, PostDraft, PostScheduled, PostPublished}

func (m *Module) apiMessages(w http.ResponseWriter, r *http.Request) {
	states := apiStates
	if s := r.URL.Query().Get("state"); s != "" {
		states = nil
		for _, st := range apiStates {
			if string(st) == s {
				states = []PostState{st}
			}
		}
		if states == nil {
			m.web.Error(w, r, (core.Problems{"state": "err.pd_state_unknown"}).Err("publicdiplomacy: list"))
			return
		}
	}
	out := []apiMessage{}
	for _, st := range states {
		msgs, err := m.svc.Messages(r.Context(), st)
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
		for _, msg := range msgs {
			out = append(out, m.asJSON(msg))
		}
	}
	m.web.JSON(w, http.StatusOK, web.List[apiMessage]{Items: out})
}

// apiDraft is a message as a client drafts it.
type apiDraft struct {
	AccountID    string           `json:"account_id"`
	Visibility   string           `json:"visibility"`
	ScheduledAt  *time.Time       `json:"scheduled_at"`
	CaseID       string           `json:"case_id"`
	Translations []apiTranslation `json:"translations"`
}

type apiTranslation struct {
	Language string `json:"language"`
	Content  string `json:"content"`
	Warning  string `json:"content_warning"`
}

func (m *Module) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in apiDraft
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	d := Draft{AccountID: in.AccountID, Visibility: in.Visibility, CaseID: in.CaseID}
	for _, t := range in.Translations {
		d.Translations = append(d.Translations, Translation(t))
	}
	if in.ScheduledAt != nil {
		t := in.ScheduledAt.UTC()
		d.ScheduledAt = &t
		if t.Before(m.svc.Now().Add(-time.Minute)) {
			m.web.Error(w, r, (core.Problems{"scheduled_at": "err.pd_schedule_past"}).Err("publicdiplomacy: draft"))
			return
		}
	}
	posts, err := m.svc.CreateDraft(r.Context(), d)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/publicdiplomacy/posts/"+posts[0].GroupID)
	m.web.JSON(w, http.StatusCreated, m.asJSON(Message{Posts: posts}))
}

func (m *Module) apiMessage(w http.ResponseWriter, r *http.Request) {
	posts, err := m.svc.Group(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, m.asJSON(Message{Posts: posts}))
}

// apiStep answers a step of a message with the message as it now is.
func (m *Module) apiStep(step func(ctx context.Context, group string) ([]Post, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		posts, err := step(r.Context(), r.PathValue("id"))
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
		m.web.JSON(w, http.StatusOK, m.asJSON(Message{Posts: posts}))
	}
}
