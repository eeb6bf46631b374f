package humanitarian

import (
	"net/http"

	"entente.example/entente/internal/web"
)

// fundingJSON is an emergency's funding for clients: its appeals with
// what flowed for each, the flows, and the totals (US cents; pledges
// and what waits for the recipient's confirmation apart).
type fundingJSON struct {
	Appeals []appealJSON `json:"appeals"`
	Flows   []Flow       `json:"flows"`
	Total   fundsJSON    `json:"total"`
}

type appealJSON struct {
	Appeal
	Total    fundsJSON   `json:"total"`
	BySector []fundsJSON `json:"by_sector"`
}

type fundsJSON struct {
	Sector     string `json:"sector,omitempty"`
	Required   int64  `json:"required_usd"`
	Funded     int64  `json:"funded_usd"`
	Pledged    int64  `json:"pledged_usd"`
	Reported   int64  `json:"reported_usd"`
	Coverage   int    `json:"coverage_percent"`
	Mismatches int    `json:"mismatches"`
	Waiting    int    `json:"waiting"`
}

func funds(f Funding) fundsJSON {
	return fundsJSON{Sector: f.Key, Required: f.Required, Funded: f.Funded, Pledged: f.Pledged, Reported: f.Reported, Coverage: f.Coverage(), Mismatches: f.Mismatches, Waiting: f.Waiting}
}

func appealOut(a AppealFunding) appealJSON {
	out := appealJSON{Appeal: a.Appeal, Total: funds(a.Total), BySector: []fundsJSON{}}
	for _, s := range a.BySector {
		out.BySector = append(out.BySector, funds(s))
	}
	return out
}

func (m *Module) apiFunding(w http.ResponseWriter, r *http.Request) {
	e, err := m.svc.Emergency(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	appeals, err := m.svc.Appeals(r.Context(), e.ID)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	flows, err := m.svc.EmergencyFlows(r.Context(), e.ID)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	out := fundingJSON{Appeals: []appealJSON{}, Flows: append([]Flow{}, flows...), Total: funds(EmergencyTotal(flows))}
	for _, a := range appeals {
		out.Appeals = append(out.Appeals, appealOut(Tally(a, flows)))
	}
	m.web.JSON(w, http.StatusOK, out)
}

// appealInput is an appeal as a client sends it; amounts in cents.
type appealInput struct {
	Org      string        `json:"org"`
	Title    string        `json:"title"`
	Summary  string        `json:"summary"`
	Currency string        `json:"currency"`
	RateE8   int64         `json:"rate_e8"`
	StartsOn string        `json:"starts_on"`
	EndsOn   string        `json:"ends_on"`
	Needs    []Requirement `json:"requirements"`
	Channels []Channel     `json:"channels"`
}

func (m *Module) apiCreateAppeal(w http.ResponseWriter, r *http.Request) {
	var in appealInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	a, err := m.svc.CreateAppeal(r.Context(), r.PathValue("id"), in.Org, Appeal{Title: in.Title, Summary: in.Summary, Currency: in.Currency,
		RateE8: in.RateE8, StartsOn: in.StartsOn, EndsOn: in.EndsOn, Needs: in.Needs, Channels: in.Channels})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, a)
}

func (m *Module) apiAppeal(w http.ResponseWriter, r *http.Request) {
	a, err := m.svc.Appeal(r.Context(), r.PathValue("aid"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	flows, err := m.svc.EmergencyFlows(r.Context(), a.EmergencyID)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, appealOut(Tally(a, flows)))
}

func (m *Module) apiReportFlow(w http.ResponseWriter, r *http.Request) {
	var in FlowInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	f, err := m.svc.ReportFlow(r.Context(), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, f)
}

func (m *Module) apiFlow(w http.ResponseWriter, r *http.Request) {
	f, err := m.svc.Flow(r.Context(), r.PathValue("fid"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, f)
}

func (m *Module) apiConfirm(w http.ResponseWriter, r *http.Request) {
	var in ConfirmInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	f, err := m.svc.Confirm(r.Context(), r.PathValue("fid"), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, f)
}

func (m *Module) apiAdvance(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status string `json:"status"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	f, err := m.svc.AdvanceFlow(r.Context(), r.PathValue("fid"), in.Status)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, f)
}
