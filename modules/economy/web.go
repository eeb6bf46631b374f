package economy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/names"
	"entente.example/entente/internal/web"
)

// Module is the digital economy's slice of the product.
type Module struct {
	svc   *Service
	web   *web.Server
	links *links.Service // a commitment's links; nil: none shown
}

// NewModule returns the module.
func NewModule(svc *Service, w *web.Server) *Module { return &Module{svc: svc, web: w} }

// UseLinks shows a commitment's links (the capacity need or project that
// helps meet it) and the form to make them.
func (m *Module) UseLinks(l *links.Service) { m.links = l }

// Name implements web.Module.
func (m *Module) Name() string { return "economy" }

// Routes implements web.Module. Anyone signed in reads agreements and the
// tracker; the service decides which commitments they see and whether
// they may write one.
func (m *Module) Routes() []web.Route {
	in := access.EconomyRead
	return []web.Route{
		{Pattern: "GET /economy", Action: in, Handler: m.index},
		{Pattern: "POST /economy/agreements", Action: access.EconomyAgreements, Handler: m.saveAgreement},
		{Pattern: "GET /economy/agreements/{id}", Action: in, Handler: m.agreement},
		{Pattern: "POST /economy/agreements/{id}/confirm", Action: access.EconomyAgreements, Handler: m.confirm},
		{Pattern: "GET /economy/tracker", Action: in, Handler: m.tracker},
		{Pattern: "GET /economy/countries/{code}", Action: in, Handler: m.country},
		{Pattern: "POST /economy/commitments", Action: access.EconomyCommit, Handler: m.create},
		{Pattern: "GET /economy/commitments/{id}", Action: in, Handler: m.commitment},
		{Pattern: "POST /economy/commitments/{id}", Action: access.EconomyCommit, Handler: m.update},
		{Pattern: "GET /api/v1/economy/agreements", Action: in, Handler: m.apiAgreements},
		{Pattern: "POST /api/v1/economy/agreements", Action: access.EconomyAgreements, Handler: m.apiAddAgreement},
		{Pattern: "GET /api/v1/economy/agreements/{id}", Action: in, Handler: m.apiAgreement},
		{Pattern: "PUT /api/v1/economy/agreements/{id}", Action: access.EconomyAgreements, Handler: m.apiCorrectAgreement},
		{Pattern: "POST /api/v1/economy/agreements/{id}/confirmations", Action: access.EconomyAgreements, Handler: m.apiConfirm},
		{Pattern: "GET /api/v1/economy/tracker", Action: in, Handler: m.apiTracker},
		{Pattern: "GET /api/v1/economy/commitments", Action: in, Handler: m.apiCommitments},
		{Pattern: "POST /api/v1/economy/commitments", Action: access.EconomyCommit, Handler: m.apiCreate},
		{Pattern: "GET /api/v1/economy/commitments/{id}", Action: in, Handler: m.apiCommitment},
		{Pattern: "GET /api/v1/economy/commitments/{id}/history", Action: in, Handler: m.apiHistory},
		{Pattern: "PUT /api/v1/economy/commitments/{id}", Action: access.EconomyCommit, Handler: m.apiUpdate},
	}
}

// view is what every page of the module shares.
type view struct {
	web.Page
	Today string
}

// Country names a country in the page's language.
func (v view) Country(code string) string { return names.Country(code, v.Lang) }

func (m *Module) view(r *http.Request, title string, args ...any) view {
	v := view{Page: m.web.Page(r, title, args...), Today: m.svc.Today()}
	v.Nav = "economy"
	return v
}

type indexView struct {
	view
	Agreements []Agreement
	Countries  []string
	Form       web.Form
	Orgs       []core.Membership // where the viewer adds an agreement
	NodeAdmin  bool
	Detail     string // what is wrong in a refused agreement
}

func (m *Module) indexView(r *http.Request, f web.Form) (indexView, error) {
	v := indexView{view: m.view(r, "eco.title"), Form: f}
	var err error
	if v.Agreements, err = m.svc.Agreements(r.Context()); err != nil {
		return v, err
	}
	seen := map[string]bool{}
	for _, a := range v.Agreements {
		for _, p := range a.Parties {
			if !seen[p.Country] {
				seen[p.Country] = true
				v.Countries = append(v.Countries, p.Country)
			}
		}
	}
	slices.Sort(v.Countries)
	for _, ms := range v.Actor.Memberships {
		if access.Can(v.Actor, access.EconomyAgreements, access.Resource{OrgID: ms.Org.ID}) {
			v.Orgs = append(v.Orgs, ms)
		}
	}
	v.NodeAdmin = v.Actor.NodeAdmin
	return v, nil
}

func (m *Module) index(w http.ResponseWriter, r *http.Request) {
	v, err := m.indexView(r, web.Form{})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "economy/index", v)
}

// saveAgreement adds or corrects an agreement sent as JSON in a form
// field: the whole agreement, so a correction is reviewed as one text.
func (m *Module) saveAgreement(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	a, err := decodeAgreement([]byte(f.Get("doc")))
	if err == nil {
		a, err = m.svc.SaveAgreement(r.Context(), f.Get("org"), a)
	}
	var fe *FieldError
	e := core.AsError(err)
	switch {
	case err == nil:
		m.web.Redirect(w, r, "/economy/agreements/"+a.ID, "flash.eco_agreement_saved")
		return
	case errors.As(err, &fe) || e != nil && e.Kind == core.KindInvalid:
		// The form has one field, the document: its problem is named
		// there, with the validator's words on what in it is wrong.
		v, verr := m.indexView(r, f)
		if verr != nil {
			m.web.Error(w, r, verr)
			return
		}
		v.Form.Problems, v.Form.Message = core.Problems{"doc": "err.eco_agreement_invalid"}, "err.form"
		if errors.As(err, &fe) {
			v.Detail = fe.Msg
		}
		m.web.Render(w, r, http.StatusUnprocessableEntity, "economy/index", v)
	default:
		m.web.Error(w, r, err)
	}
}

type trackerView struct {
	view
	T Tracker
	// All are the agreements one may choose to compare; ids those chosen
	// (none: all of them).
	All []Agreement
	ids []string
}

// Chosen reports whether the agreement is among those compared.
func (v trackerView) Chosen(id string) bool { return len(v.ids) == 0 || slices.Contains(v.ids, id) }

func (m *Module) tracker(w http.ResponseWriter, r *http.Request) {
	ids := r.URL.Query()["a"]
	t, err := m.svc.Tracker(r.Context(), ids...)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	all, err := m.svc.Agreements(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "economy/tracker", trackerView{view: m.view(r, "eco.title.tracker"), T: t, All: all, ids: ids})
}

// Attention implements web.AttentionSource: a state's overdue commitments
// for the people who write them.
func (m *Module) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	od, err := m.svc.Overdue(core.WithActor(ctx, a))
	if err != nil {
		return nil, err
	}
	var out []web.Attention
	for _, c := range od {
		due := deadlineTime(c)
		out = append(out, web.Attention{Key: "attn.eco_overdue", Args: []any{c.What}, Link: "/economy/commitments/" + c.ID, Due: &due})
	}
	return out, nil
}

var months = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"id": {"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"},
}

// Day writes a day (or a month, or a year: Day) for people in the page's
// language, as precisely as it is known: "23 October 2026", "September
// 2023", "2019". A deadline is a day, not a moment, so it has no time.
func (v view) Day(d any) string {
	s := fmt.Sprint(d)
	names, ok := months[v.Lang]
	if !ok {
		names = months["en"]
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return fmt.Sprintf("%d %s %d", t.Day(), names[t.Month()-1], t.Year())
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		return names[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return s
}

// Date writes the day of a moment (a fact's confirmation) readably in
// the page's language: the day is what a reader weighs a fact by.
func (v view) Date(t *time.Time) string {
	if t == nil {
		return ""
	}
	return v.Day(t.UTC().Format("2006-01-02"))
}
