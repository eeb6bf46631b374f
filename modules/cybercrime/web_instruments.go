package cybercrime

import (
	"net/http"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// instrumentRoutes are the pages of the legal instruments: the list with
// the legal-basis check, one instrument with its facts and sources, and the
// node administrator's forms. The facts are about states, so anyone signed
// in reads them; only node administrators change them.
func (m *Module) instrumentRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /cybercrime/instruments", Action: access.SignedIn, Handler: m.instList},
		{Pattern: "POST /cybercrime/instruments", Action: access.CybercrimeInstruments, Handler: m.instAddTreaty},
		{Pattern: "GET /cybercrime/instruments/{id}", Action: access.SignedIn, Handler: m.instShow},
		{Pattern: "POST /cybercrime/instruments/{id}/status", Action: access.CybercrimeInstruments, Handler: m.instStatus},
		{Pattern: "POST /cybercrime/instruments/{id}/kinds", Action: access.CybercrimeInstruments, Handler: m.instKind},
		{Pattern: "POST /cybercrime/instruments/{id}/parties", Action: access.CybercrimeInstruments, Handler: m.instParty},
		{Pattern: "POST /cybercrime/instruments/{id}/reservations", Action: access.CybercrimeInstruments, Handler: m.instReservation},
		{Pattern: "POST /cybercrime/instruments/{id}/confirm", Action: access.CybercrimeInstruments, Handler: m.instConfirm},
	}
}

type instrumentsView struct {
	web.Page
	Instruments []Instrument
	Kinds       []Kind
	// The legal-basis check: the question asked and its answer.
	From, To, Kind, On string
	Options            []BasisOption
	Form               web.Form
	Edit               bool // the viewer may change the facts
}

// Country names a country in the page's language.
func (v instrumentsView) Country(code string) string { return CountryName(code, v.Lang) }

// Why is a refusal's or a condition's message arguments.
func (v instrumentsView) Why(r Reason, kindLabel string) []any {
	return r.Args(v.Lang, v.Instruments, kindLabel)
}

// Day is a day in the reader's language ("1 July 2004"); form inputs keep
// ISO days.
func (v instrumentsView) Day(d Date) string { return longDay(v.Lang, d) }

// Instead names the bases to use instead.
func (v instrumentsView) Instead(r Reason) []string { return r.AlternativeNames(v.Lang, v.Instruments) }

func (m *Module) instListView(r *http.Request, f web.Form) (instrumentsView, error) {
	q := r.URL.Query()
	v := instrumentsView{Page: m.web.Page(r, "cyb.title.instruments"), Kinds: Kinds, Form: f,
		From: normCountry(q.Get("from")), To: normCountry(q.Get("to")), Kind: q.Get("kind"), On: q.Get("on")}
	v.Nav = "cybercrime"
	v.Edit = access.Can(v.Actor, access.CybercrimeInstruments, access.Resource{})
	var err error
	if v.Instruments, err = m.inst.List(r.Context()); err != nil {
		return v, err
	}
	if v.From == "" && v.To == "" {
		return v, nil
	}
	p := core.Problems{}
	checkCountry(p, "from", v.From)
	checkCountry(p, "to", v.To)
	if !Kind(v.Kind).Valid() {
		p.Add("kind", "err.choice")
	}
	on := m.inst.db.Clock().Now()
	if v.On != "" {
		d, err := ParseDate(v.On)
		if err != nil {
			p.Add("on", "err.date")
		}
		on = d.Time
	}
	if err := p.Err("cybercrime: legal basis"); err != nil {
		v.Form.Take(err)
		return v, nil
	}
	v.Options = Bases(v.Instruments, v.From, v.To, Kind(v.Kind), on.Add(12*time.Hour))
	return v, nil
}

func (m *Module) instList(w http.ResponseWriter, r *http.Request) {
	v, err := m.instListView(r, web.Form{})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if len(v.Form.Problems) > 0 {
		status = http.StatusBadRequest
	}
	m.web.Render(w, r, status, "cybercrime/instruments", v)
}

func (m *Module) instAddTreaty(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	var kinds []Kind
	for _, k := range f.Values["kinds"] {
		kinds = append(kinds, Kind(k))
	}
	in, err := m.inst.AddTreaty(r.Context(), TreatyInput{ID: f.Get("id"), NameEN: f.Get("name_en"), NameID: f.Get("name_id"), Short: f.Get("short"),
		Source: f.Get("source"), PartyA: f.Get("party_a"), PartyB: f.Get("party_b"), Since: f.Get("since"), Article: f.Get("article"), Kinds: kinds})
	if err != nil {
		v, verr := m.instListView(r, f)
		if verr == nil && v.Form.Take(err) {
			m.web.Render(w, r, web.FormStatus(err), "cybercrime/instruments", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/cybercrime/instruments/"+in.ID, "flash.cyb_instrument_saved")
}

type instrumentView struct {
	web.Page
	I     Instrument
	Kinds []Kind
	Form  web.Form
	Which string // the form the problems belong to
	Edit  bool
}

// Country names a country in the page's language.
func (v instrumentView) Country(code string) string { return CountryName(code, v.Lang) }

// Day is a day in the reader's language ("1 July 2004"); form inputs keep
// ISO days.
func (v instrumentView) Day(d Date) string { return longDay(v.Lang, d) }

// GroundsOf are the refusal grounds of a kind under this instrument.
func (v instrumentView) GroundsOf(k Kind) []string { return Grounds(k, v.I) }

func (m *Module) instShowView(r *http.Request, which string, f web.Form) (instrumentView, error) {
	in, err := m.inst.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return instrumentView{}, err
	}
	v := instrumentView{Page: m.web.Page(r, "cyb.title.instrument", in.Name(web.Lang(r.Context()))), I: in, Kinds: Kinds, Form: f, Which: which}
	v.Nav = "cybercrime"
	v.Edit = access.Can(v.Actor, access.CybercrimeInstruments, access.Resource{})
	return v, nil
}

func (m *Module) instShow(w http.ResponseWriter, r *http.Request) {
	v, err := m.instShowView(r, "", web.Form{})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "cybercrime/instrument", v)
}

// saved answers an edit of one instrument: back to it with a notice, or the
// page again with the form's problems.
func (m *Module) instSaved(w http.ResponseWriter, r *http.Request, which string, f web.Form, err error) {
	if err == nil {
		m.web.Redirect(w, r, "/cybercrime/instruments/"+r.PathValue("id")+"#"+which, "flash.cyb_instrument_saved")
		return
	}
	v, verr := m.instShowView(r, which, f)
	if verr == nil && v.Form.Take(err) {
		m.web.Render(w, r, web.FormStatus(err), "cybercrime/instrument", v)
		return
	}
	m.web.Error(w, r, err)
}

func (m *Module) instStatus(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	err := m.inst.SetStatus(r.Context(), r.PathValue("id"), StatusInput{InForce: f.Get("in_force") == "yes", Since: f.Get("since"), Source: f.Get("source"), Note: f.Get("note")})
	m.instSaved(w, r, "status", f, err)
}

func (m *Module) instKind(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	err := m.inst.SetKind(r.Context(), r.PathValue("id"), KindInput{Kind: Kind(f.Get("kind")), Allowed: f.Get("allowed") == "yes", Article: f.Get("article"), Source: f.Get("source"), Note: f.Get("note")})
	m.instSaved(w, r, "kinds", f, err)
}

func (m *Module) instParty(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	err := m.inst.SetParty(r.Context(), r.PathValue("id"), PartyInput{Country: f.Get("country"), Signed: f.Get("signed"), Ratified: f.Get("ratified"), Bound: f.Get("bound"), Source: f.Get("source"), Note: f.Get("note")})
	m.instSaved(w, r, "parties", f, err)
}

func (m *Module) instReservation(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	var kinds []Kind
	for _, k := range f.Values["kinds"] {
		kinds = append(kinds, Kind(k))
	}
	err := m.inst.AddReservation(r.Context(), r.PathValue("id"), ReservationInput{Country: f.Get("country"), Effect: f.Get("effect"), Text: f.Get("text"),
		From: f.Get("from"), Until: f.Get("until"), Source: f.Get("source"), Kinds: kinds})
	m.instSaved(w, r, "reservations", f, err)
}

func (m *Module) instConfirm(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	if err := m.inst.Confirm(r.Context(), f.Get("fact"), f.Get("note")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/cybercrime/instruments/"+r.PathValue("id"), "flash.cyb_fact_confirmed")
}
