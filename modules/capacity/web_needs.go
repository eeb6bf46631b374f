package capacity

import (
	"net/http"

	"entente.example/entente/core"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/web"
)

type needsView struct {
	base
	List       []Need
	Next       string // the next page's link, when there is one
	Theme      string
	Country    string
	Priorities []Priority
	Form       web.Form
}

func (m *Module) needsView(r *http.Request, f web.Form) (needsView, error) {
	q := r.URL.Query()
	v := needsView{base: m.base(r, "title.capacity_needs"), Theme: q.Get("theme"), Country: q.Get("country"), Priorities: Priorities, Form: f}
	var err error
	v.List, err = m.svc.ListNeedsPage(r.Context(), v.Theme, v.Country, q.Get("before"), pageSize+1)
	if len(v.List) > pageSize {
		v.List = v.List[:pageSize]
		v.Next = nextPage(r, v.List[pageSize-1].ID)
	}
	return v, err
}

func (m *Module) needs(w http.ResponseWriter, r *http.Request) {
	v, err := m.needsView(r, prefill(r.URL.Query()))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "capacity/needs", v)
}

func (m *Module) postNeed(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	n, err := m.svc.PostNeed(r.Context(), f.Get("org"), needFrom(f))
	if err != nil {
		v, verr := m.needsView(r, f)
		if verr == nil && f.Take(err) {
			v.Form = f
			m.web.Render(w, r, web.FormStatus(err), "capacity/needs", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/capacity/needs/"+n.ID, "flash.saved")
}

type needView struct {
	base
	N           Need
	Suggestions []Suggestion
	Proposals   []Proposal
	Mine        bool    // the viewer writes for the need's organisation
	MyOffers    []Offer // the viewer's offers it may propose
	Form        web.Form
	Links       *links.Form
}

func (m *Module) needView(r *http.Request, f web.Form) (needView, error) {
	ctx := r.Context()
	n, err := m.svc.GetNeed(ctx, r.PathValue("id"))
	if err != nil {
		return needView{}, err
	}
	v := needView{base: m.base(r, "title.capacity_need", n.Title), N: n, Form: f}
	for _, o := range v.Orgs {
		if o.ID == n.OrgID {
			v.Mine = true
		}
	}
	if n.Status == NeedOpen {
		if v.Suggestions, err = m.svc.Suggestions(ctx, n, 10); err != nil {
			return v, err
		}
	}
	if v.Proposals, err = m.svc.Proposals(ctx, n); err != nil {
		return v, err
	}
	if v.Links, err = m.linksFor(r, NeedRef(n.ID), "/capacity/needs/"+n.ID); err != nil {
		return v, err
	}
	if n.Status == NeedOpen && len(v.Orgs) > 0 {
		offers, err := m.svc.ListOffers(ctx)
		if err != nil {
			return v, err
		}
		for _, o := range offers {
			for _, org := range v.Orgs {
				if o.OrgID == org.ID {
					v.MyOffers = append(v.MyOffers, o)
				}
			}
		}
	}
	return v, nil
}

func (m *Module) need(w http.ResponseWriter, r *http.Request) {
	v, err := m.needView(r, web.Form{Problems: core.Problems{}})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "capacity/need", v)
}

func (m *Module) needError(w http.ResponseWriter, r *http.Request, f web.Form, err error) {
	v, verr := m.needView(r, f)
	if verr == nil && f.Take(err) {
		v.Form = f
		m.web.Render(w, r, web.FormStatus(err), "capacity/need", v)
		return
	}
	m.web.Error(w, r, err)
}

func (m *Module) propose(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	id := r.PathValue("id")
	if _, err := m.svc.Propose(r.Context(), id, f.Get("offer"), f.Get("note")); err != nil {
		m.needError(w, r, f, err)
		return
	}
	m.web.Redirect(w, r, "/capacity/needs/"+id+"#proposals", "flash.cap_proposed")
}

func (m *Module) decide(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	id := r.PathValue("id")
	p, err := m.svc.Decide(r.Context(), id, r.PathValue("pid"), f.Get("decision") == "accept")
	if err != nil {
		m.needError(w, r, f, err)
		return
	}
	if p.ProjectID != "" {
		m.web.Redirect(w, r, "/capacity/projects/"+p.ProjectID, "flash.cap_accepted")
		return
	}
	m.web.Redirect(w, r, "/capacity/needs/"+id+"#proposals", "flash.saved")
}

type offersView struct {
	base
	List    []Offer
	Regions []Region
	Form    web.Form
}

func (m *Module) offersView(r *http.Request, f web.Form) (offersView, error) {
	v := offersView{base: m.base(r, "title.capacity_offers"), Regions: Themes.Regions, Form: f}
	var err error
	v.List, err = m.svc.ListOffers(r.Context())
	return v, err
}

func (m *Module) offers(w http.ResponseWriter, r *http.Request) {
	v, err := m.offersView(r, web.Form{Problems: core.Problems{}})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "capacity/offers", v)
}

func (m *Module) postOffer(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	pr := core.Problems{}
	o := offerFrom(f, pr)
	err := pr.Err("capacity: post offer")
	if err == nil {
		_, err = m.svc.PostOffer(r.Context(), f.Get("org"), o)
	}
	if err != nil {
		v, verr := m.offersView(r, f)
		if verr == nil && f.Take(err) {
			v.Form = f
			m.web.Render(w, r, web.FormStatus(err), "capacity/offers", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/capacity/offers", "flash.saved")
}
