package humanitarian

import (
	"context"
	"net/http"
	"slices"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

func (m *Module) fundingRoutes() []web.Route {
	pub, wr := access.HumPublic, access.HumWrite
	return []web.Route{
		{Pattern: "GET /humanitarian/emergencies/{id}/funding", Action: pub, Handler: m.funding},
		{Pattern: "POST /humanitarian/emergencies/{id}/appeals", Action: wr, Handler: m.createAppeal},
		{Pattern: "GET /humanitarian/appeals/{aid}", Action: pub, Handler: m.appeal},
		{Pattern: "POST /humanitarian/appeals/{aid}/status", Action: wr, Handler: m.appealStatus},
		{Pattern: "GET /humanitarian/flows", Action: pub, Handler: m.flowList},
		{Pattern: "GET /humanitarian/flows/new", Action: wr, Handler: m.newFlow},
		{Pattern: "POST /humanitarian/flows", Action: wr, Handler: m.reportFlow},
		{Pattern: "GET /humanitarian/flows/{fid}", Action: pub, Handler: m.flow},
		{Pattern: "POST /humanitarian/flows/{fid}/confirm", Action: wr, Handler: m.confirmFlow},
		{Pattern: "POST /humanitarian/flows/{fid}/status", Action: wr, Handler: m.advanceFlow},
		{Pattern: "GET /api/v1/humanitarian/emergencies/{id}/funding", Action: pub, Handler: m.apiFunding},
		{Pattern: "POST /api/v1/humanitarian/emergencies/{id}/appeals", Action: wr, Handler: m.apiCreateAppeal},
		{Pattern: "GET /api/v1/humanitarian/appeals/{aid}", Action: pub, Handler: m.apiAppeal},
		{Pattern: "POST /api/v1/humanitarian/flows", Action: wr, Handler: m.apiReportFlow},
		{Pattern: "GET /api/v1/humanitarian/flows/{fid}", Action: pub, Handler: m.apiFlow},
		{Pattern: "POST /api/v1/humanitarian/flows/{fid}/confirm", Action: wr, Handler: m.apiConfirm},
		{Pattern: "POST /api/v1/humanitarian/flows/{fid}/status", Action: wr, Handler: m.apiAdvance},
	}
}

// FundUSD writes US cents as the reader writes numbers: "USD 250,000",
// "USD 250.000".
func (v view) FundUSD(cents int64) string { return "USD " + FormatMoneyIn(v.Lang, cents) }

// FundAmount writes cents of a currency as the reader writes numbers:
// "IDR 4,800,000,000", "IDR 4.800.000.000".
func (v view) FundAmount(currency string, cents int64) string {
	return currency + " " + FormatMoneyIn(v.Lang, cents)
}

// fundingView is an emergency's funding page.
type fundingView struct {
	view
	Appeals  []AppealFunding
	Flows    []Flow
	Total    Funding
	ByDonor  []Funding
	BySector []Funding
	Orgs     []core.OrgRef // where the reader may report
	Appealer []core.OrgRef // where the reader may appeal: the emergency's coordinators
	Form     web.Form
	Sectors  []string
}

func (m *Module) fundingView(r *http.Request, e Emergency, f web.Form) (fundingView, error) {
	v := fundingView{view: m.emergencyView(r, e, "/funding", "hum.fund.title", e.Title), Form: f, Sectors: Clusters}
	ctx := r.Context()
	appeals, err := m.svc.Appeals(ctx, e.ID)
	if err != nil {
		return v, err
	}
	if v.Flows, err = m.svc.EmergencyFlows(ctx, e.ID); err != nil {
		return v, err
	}
	for _, a := range appeals {
		v.Appeals = append(v.Appeals, Tally(a, v.Flows))
	}
	v.Total = EmergencyTotal(v.Flows)
	v.ByDonor = TallyBy(v.Flows, func(f Flow) string { return f.Donor })
	v.BySector = TallyBy(v.Flows, func(f Flow) string { s, _, _ := f.Effective(); return s })
	v.Orgs = Writable(v.Actor)
	for _, o := range v.Orgs {
		if slices.Contains(e.CoordinatorOrgs(), o.ID) {
			v.Appealer = append(v.Appealer, o)
		}
	}
	return v, nil
}

func (m *Module) funding(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	v, err := m.fundingView(r, e, web.Form{})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "humanitarian/funding", v)
}

// appealForm reads an appeal from a form, its figures written in lang:
// one amount per sector (req_<sector>) and up to three channels to give.
func appealForm(f web.Form, lang string, pr core.Problems) Appeal {
	a := Appeal{Title: f.Get("title"), Summary: f.Get("summary"), Currency: f.Get("currency"), StartsOn: f.Get("starts_on"), EndsOn: f.Get("ends_on")}
	rate := f.Get("rate")
	if rate == "" && (a.Currency == "USD" || a.Currency == "") {
		rate = "1"
	}
	var why int
	if a.RateE8, why = ParseRateIn(lang, rate); why == numFormat {
		pr.Add("rate", rateProblem(why))
	} else if why != 0 {
		a.RateE8 = 0 // CreateAppeal names it
	}
	for _, s := range Clusters {
		raw := f.Get("req_" + s)
		if raw == "" {
			continue
		}
		n, why := ParseMoneyIn(lang, raw)
		if why != 0 {
			pr.Add("req_"+s, moneyProblem(why))
			continue
		}
		a.Needs = append(a.Needs, Requirement{Sector: s, Amount: n})
	}
	for _, i := range []string{"1", "2", "3"} {
		a.Channels = append(a.Channels, Channel{Name: f.Get("channel_name_" + i), URL: f.Get("channel_url_" + i), Details: f.Get("channel_details_" + i)})
	}
	return a
}

func (m *Module) createAppeal(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	f := web.NewForm(r)
	pr := core.Problems{}
	in := appealForm(f, web.Lang(r.Context()), pr)
	var err error
	var a Appeal
	if len(pr) > 0 {
		err = pr.Err("humanitarian: create appeal")
	} else {
		a, err = m.svc.CreateAppeal(r.Context(), e.ID, f.Get("org"), in)
	}
	if err == nil {
		m.web.Redirect(w, r, "/humanitarian/appeals/"+a.ID, "flash.hum_fund_appeal_saved")
		return
	}
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	v, verr := m.fundingView(r, e, f)
	if verr != nil {
		m.web.Error(w, r, verr)
		return
	}
	m.web.Render(w, r, http.StatusUnprocessableEntity, "humanitarian/funding", v)
}

// appealView is an appeal's public page: light and printable.
type appealView struct {
	view
	A      AppealFunding
	Owner  bool // the reader writes for the appealing organisation
	Writer bool // the reader writes for some organisation, a donor perhaps
}

func (m *Module) appeal(w http.ResponseWriter, r *http.Request) {
	a, err := m.svc.Appeal(r.Context(), r.PathValue("aid"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	e, err := m.svc.Emergency(r.Context(), a.EmergencyID)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	flows, err := m.svc.EmergencyFlows(r.Context(), e.ID)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := appealView{view: m.view(r, "hum.fund.appeal_title", a.Title), A: Tally(a, flows)}
	v.E, v.Owner, v.Writer = e, access.HumWriter(v.Actor, a.OrgID), len(Writable(v.Actor)) > 0
	m.web.Render(w, r, http.StatusOK, "humanitarian/appeal", v)
}

func (m *Module) appealStatus(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	a, err := m.svc.SetAppealStatus(r.Context(), r.PathValue("aid"), f.Get("status"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/humanitarian/appeals/"+a.ID, "flash.hum_fund_appeal_status")
}

// flowListView lists the flows this node holds.
type flowListView struct {
	view
	Flows []Flow
	Orgs  []core.OrgRef
}

func (m *Module) flowList(w http.ResponseWriter, r *http.Request) {
	v := flowListView{view: m.view(r, "hum.fund.flows_title")}
	var err error
	if v.Flows, err = m.svc.RecentFlows(r.Context()); err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.Orgs = Writable(v.Actor)
	m.web.Render(w, r, http.StatusOK, "humanitarian/funding_flows", v)
}

// flowFormView is the form to report a contribution.
type flowFormView struct {
	view
	Form        web.Form
	Orgs        []core.OrgRef
	Emergencies []Emergency
	Appeals     []Appeal
	Addresses   []string // chosen, not typed: the address book's and this node's
	Sectors     []string
	Statuses    []string
}

func (m *Module) flowFormView(r *http.Request, f web.Form) (flowFormView, error) {
	v := flowFormView{view: m.view(r, "hum.fund.report_title"), Form: f, Sectors: Clusters, Statuses: FlowStatuses}
	ctx := r.Context()
	v.Orgs = Writable(v.Actor)
	var err error
	if v.Emergencies, err = m.svc.Emergencies(ctx); err != nil {
		return v, err
	}
	if id := f.Get("emergency_id"); id != "" {
		if v.Appeals, err = m.svc.Appeals(ctx, id); err != nil {
			return v, err
		}
	}
	v.Addresses, err = m.addresses(ctx)
	return v, err
}

// addresses are the organisations a contribution may go to: this node's
// and those of the address book (verified peers, the reader's networks).
func (m *Module) addresses(ctx context.Context) ([]string, error) {
	out, err := m.svc.LocalAddresses(ctx)
	if err != nil {
		return nil, err
	}
	if m.book != nil {
		orgs, err := m.book.Addresses(ctx, "")
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			if a := o.Address(); !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// LocalAddresses are this node's organisations, as addresses.
func (s *Service) LocalAddresses(ctx context.Context) ([]string, error) {
	var handles []string
	if err := s.db.R().Select(ctx, &handles, `SELECT handle FROM organisations ORDER BY handle LIMIT 500`); err != nil {
		return nil, core.Wrap("humanitarian: addresses", err)
	}
	for i, h := range handles {
		handles[i] = h + "@" + s.node.Host()
	}
	return handles, nil
}

func (m *Module) newFlow(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := web.Form{Values: map[string][]string{"emergency_id": {q.Get("emergency")}, "appeal_id": {q.Get("appeal")}, "currency": {"USD"},
		"status": {FlowCommitted}, "date": {m.svc.Today()}, "recipient": {q.Get("to")}}, Problems: core.Problems{}}
	if orgs := Writable(core.ActorFrom(r.Context())); len(orgs) > 0 {
		f.Values["donor"] = []string{orgs[0].Handle}
	}
	v, err := m.flowFormView(r, f)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "humanitarian/funding_form", v)
}

func flowInput(f web.Form, lang string) FlowInput {
	return FlowInput{Donor: f.Get("donor"), Recipient: f.Get("recipient"), EmergencyID: f.Get("emergency_id"), AppealID: f.Get("appeal_id"),
		RefURL: f.Get("ref_url"), RefTitle: f.Get("ref_title"), Sector: f.Get("sector"), Amount: f.Get("amount"), Currency: f.Get("currency"),
		Rate: f.Get("rate"), Status: f.Get("status"), Date: f.Get("date"), Description: f.Get("description"), Lang: lang}
}

func (m *Module) reportFlow(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	fl, err := m.svc.ReportFlow(r.Context(), flowInput(f, web.Lang(r.Context())))
	if err == nil {
		m.web.Redirect(w, r, "/humanitarian/flows/"+fl.ID, "flash.hum_fund_flow_saved")
		return
	}
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	v, verr := m.flowFormView(r, f)
	if verr != nil {
		m.web.Error(w, r, verr)
		return
	}
	m.web.Render(w, r, http.StatusUnprocessableEntity, "humanitarian/funding_form", v)
}

// FundRate writes a rate to US dollars as the reader writes numbers.
func (v view) FundRate(e8 int64) string { return FormatRateIn(v.Lang, e8) }
