package capacity

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

// The pages that change and close needs and offers, and an offer's own
// page.

// prefill is the new-need form as a link may start it (a country profile
// suggests a need from a weak indicator): only the form's own fields.
func prefill(q url.Values) web.Form {
	v := url.Values{}
	for _, k := range []string{"title", "description", "country", "priority", "languages", "themes", "topics"} {
		if x, ok := q[k]; ok {
			v[k] = x
		}
	}
	return web.Form{Values: v, Problems: core.Problems{}}
}

func needForm(n Need) web.Form {
	v := url.Values{"title": {n.Title}, "description": {n.Description}, "country": {n.Country}, "priority": {string(n.Priority)},
		"languages": {strings.Join(n.Languages, ", ")}, "from": {n.From}, "to": {n.To}, "visibility": {n.Visibility}}
	v["themes"], v["topics"], v["shared_with"] = n.Themes, n.Topics, n.SharedWith
	return web.Form{Values: v, Problems: core.Problems{}}
}

func offerForm(o Offer) web.Form {
	v := url.Values{"title": {o.Title}, "description": {o.Description}, "countries": {strings.Join(o.Countries, ", ")}, "languages": {strings.Join(o.Languages, ", ")},
		"from": {o.From}, "to": {o.To}, "currency": {o.Currency}, "visibility": {o.Visibility}}
	if o.BudgetMin > 0 {
		v.Set("budget_min", strconv.FormatInt(o.BudgetMin, 10))
	}
	if o.BudgetMax > 0 {
		v.Set("budget_max", strconv.FormatInt(o.BudgetMax, 10))
	}
	v["themes"], v["topics"], v["regions"], v["shared_with"] = o.Themes, o.Topics, o.Regions, o.SharedWith
	return web.Form{Values: v, Problems: core.Problems{}}
}

func needFrom(f web.Form) Need {
	return Need{Title: f.Get("title"), Description: f.Get("description"), Themes: f.Values["themes"], Topics: f.Values["topics"], Country: f.Get("country"),
		Priority: Priority(f.Get("priority")), Languages: words(f.Get("languages")), From: f.Get("from"), To: f.Get("to"), Visibility: f.Get("visibility"),
		SharedWith: sharedWith(f)}
}

func offerFrom(f web.Form, pr core.Problems) Offer {
	return Offer{Title: f.Get("title"), Description: f.Get("description"), Themes: f.Values["themes"], Topics: f.Values["topics"], Regions: f.Values["regions"],
		Countries: words(f.Get("countries")), Languages: words(f.Get("languages")), From: f.Get("from"), To: f.Get("to"),
		BudgetMin: amount(pr, "budget_min", f.Get("budget_min")), BudgetMax: amount(pr, "budget_max", f.Get("budget_max")), Currency: f.Get("currency"),
		Visibility: f.Get("visibility"), SharedWith: sharedWith(f)}
}

type needEditView struct {
	base
	N          Need
	Priorities []Priority
	Form       web.Form
}

func (m *Module) renderNeedEdit(w http.ResponseWriter, r *http.Request, status int, n Need, f web.Form) {
	m.web.Render(w, r, status, "capacity/need_edit", needEditView{base: m.base(r, "title.capacity_need_edit", n.Title), N: n, Priorities: Priorities, Form: f})
}

func (m *Module) editNeed(w http.ResponseWriter, r *http.Request) {
	n, err := m.svc.GetNeed(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.renderNeedEdit(w, r, http.StatusOK, n, needForm(n))
}

func (m *Module) updateNeed(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	id := r.PathValue("id")
	if _, err := m.svc.UpdateNeed(r.Context(), id, needFrom(f)); err != nil {
		n, gerr := m.svc.GetNeed(r.Context(), id)
		if gerr == nil && f.Take(err) {
			m.renderNeedEdit(w, r, web.FormStatus(err), n, f)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/capacity/needs/"+id, "flash.saved")
}

func (m *Module) closeNeed(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	id := r.PathValue("id")
	if _, err := m.svc.CloseNeed(r.Context(), id); err != nil {
		m.needError(w, r, f, err)
		return
	}
	m.web.Redirect(w, r, "/capacity/needs/"+id, "flash.cap_need_closed")
}

type offerView struct {
	base
	O       Offer
	Mine    bool
	Matches []NeedMatch // the open needs it could meet, for its organisation's people
	Props   []OfferProposal
}

func (m *Module) offer(w http.ResponseWriter, r *http.Request) {
	o, err := m.svc.GetOffer(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := offerView{base: m.base(r, "title.capacity_offer", o.Title), O: o}
	for _, org := range v.Orgs {
		v.Mine = v.Mine || org.ID == o.OrgID
	}
	if v.Mine {
		if v.Matches, err = m.svc.SuggestedNeeds(r.Context(), o, 10); err == nil {
			v.Props, err = m.svc.OfferProposals(r.Context(), o)
		}
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
	}
	m.web.Render(w, r, http.StatusOK, "capacity/offer", v)
}

type offerEditView struct {
	base
	O       Offer
	Regions []Region
	Form    web.Form
}

func (m *Module) renderOfferEdit(w http.ResponseWriter, r *http.Request, status int, o Offer, f web.Form) {
	m.web.Render(w, r, status, "capacity/offer_edit", offerEditView{base: m.base(r, "title.capacity_offer_edit", o.Title), O: o, Regions: Themes.Regions, Form: f})
}

func (m *Module) editOffer(w http.ResponseWriter, r *http.Request) {
	o, err := m.svc.GetOffer(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.renderOfferEdit(w, r, http.StatusOK, o, offerForm(o))
}

func (m *Module) updateOffer(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	id := r.PathValue("id")
	pr := core.Problems{}
	o := offerFrom(f, pr)
	err := pr.Err("capacity: update offer")
	if err == nil {
		_, err = m.svc.UpdateOffer(r.Context(), id, o)
	}
	if err != nil {
		old, gerr := m.svc.GetOffer(r.Context(), id)
		if gerr == nil && f.Take(err) {
			m.renderOfferEdit(w, r, web.FormStatus(err), old, f)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/capacity/offers/"+id, "flash.saved")
}
