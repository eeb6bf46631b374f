package humanitarian

import (
	"net/http"
	"slices"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/web"
)

// flowView is a flow's page: both statements in words, their difference,
// and the forms of the recipient (confirm) and of the donor (move on).
// Both statements are opened again over their exact bytes with their
// signer's key each time the page is read.
type flowView struct {
	view
	F          Flow
	Diffs      []Difference
	CanConfirm bool
	CanAdvance bool
	Next       []string // the statuses the donor may move the flow to
	Form       web.Form
	Sectors    []string
	Statuses   []string
	// ClaimBody and ConfirmationBody are the statements as they open
	// with their signer's key; ClaimBad and ConfirmationBad say one did
	// not.
	ClaimBody, ConfirmationBody string
	ClaimBad, ConfirmationBad   bool
	AdvanceErr                  string // the donor's move refused
}

func (m *Module) flowView(r *http.Request, fl Flow, f web.Form) flowView {
	v := flowView{view: m.view(r, "hum.fund.flow_title", fl.RefTitle), F: fl, Diffs: fl.Differences(), Form: f, Sectors: Clusters, Statuses: FlowStatuses}
	for i, d := range v.Diffs {
		if d.Field == "amount" {
			// The amounts as the reader writes numbers.
			v.Diffs[i].Donor, v.Diffs[i].Recipient = v.FundAmount(fl.Currency, fl.Amount), v.FundAmount(fl.Confirmation.Currency, fl.Confirmation.Amount)
		}
	}
	a := v.Actor
	v.CanConfirm = fl.RecipientOrgID != "" && access.HumWriter(a, fl.RecipientOrgID)
	v.CanAdvance = fl.Origin == "" && fl.DonorOrgID != "" && access.HumWriter(a, fl.DonorOrgID)
	v.Next = append(v.Next, FlowStatuses[slices.Index(FlowStatuses, fl.Status)+1:]...)
	if e, err := m.svc.Emergency(r.Context(), fl.EmergencyID); err == nil {
		v.E = e
	}
	ctx := r.Context()
	if fl.Claim != "" {
		_, host, _ := federation.Address(fl.Donor)
		var err error
		v.ClaimBody, err = m.svc.CheckStatement(ctx, TypeFlow, fl.Claim, host)
		v.ClaimBad = err != nil
	}
	if c := fl.Confirmation; c != nil && c.Statement != "" {
		_, host, _ := federation.Address(fl.Recipient)
		var err error
		v.ConfirmationBody, err = m.svc.CheckStatement(ctx, TypeConfirmation, c.Statement, host)
		v.ConfirmationBad = err != nil
	}
	if f.Values == nil {
		// The confirmation form starts from the donor's figures, or from
		// the last confirmation.
		src := Confirmation{Sector: fl.Sector, Amount: fl.Amount, Currency: fl.Currency, RateE8: fl.RateE8, Status: fl.Status, Date: m.svc.Today()}
		if fl.Confirmation != nil {
			src = *fl.Confirmation
		}
		v.Form = web.Form{Values: map[string][]string{"sector": {src.Sector}, "amount": {FormatMoneyIn(v.Lang, src.Amount)}, "currency": {src.Currency},
			"rate": {FormatRateIn(v.Lang, src.RateE8)}, "status": {src.Status}, "date": {src.Date}, "note": {src.Note}}, Problems: core.Problems{}}
	}
	return v
}

func (m *Module) loadFlow(w http.ResponseWriter, r *http.Request) (Flow, bool) {
	fl, err := m.svc.Flow(r.Context(), r.PathValue("fid"))
	if err != nil {
		m.web.Error(w, r, err)
		return Flow{}, false
	}
	return fl, true
}

func (m *Module) flow(w http.ResponseWriter, r *http.Request) {
	fl, ok := m.loadFlow(w, r)
	if !ok {
		return
	}
	m.web.Render(w, r, http.StatusOK, "humanitarian/funding_flow", m.flowView(r, fl, web.Form{}))
}

func (m *Module) confirmFlow(w http.ResponseWriter, r *http.Request) {
	fl, ok := m.loadFlow(w, r)
	if !ok {
		return
	}
	f := web.NewForm(r)
	_, err := m.svc.Confirm(r.Context(), fl.ID, ConfirmInput{Sector: f.Get("sector"), Amount: f.Get("amount"), Currency: f.Get("currency"),
		Rate: f.Get("rate"), Status: f.Get("status"), Date: f.Get("date"), Note: f.Get("note"), Lang: web.Lang(r.Context())})
	if err == nil {
		m.web.Redirect(w, r, "/humanitarian/flows/"+fl.ID, "flash.hum_fund_confirmed")
		return
	}
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusUnprocessableEntity, "humanitarian/funding_flow", m.flowView(r, fl, f))
}

func (m *Module) advanceFlow(w http.ResponseWriter, r *http.Request) {
	fl, ok := m.loadFlow(w, r)
	if !ok {
		return
	}
	f := web.NewForm(r)
	_, err := m.svc.AdvanceFlow(r.Context(), fl.ID, f.Get("status"))
	if err == nil {
		m.web.Redirect(w, r, "/humanitarian/flows/"+fl.ID, "flash.hum_fund_advanced")
		return
	}
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	v := m.flowView(r, fl, web.Form{})
	v.AdvanceErr = f.Problems["status"]
	m.web.Render(w, r, http.StatusUnprocessableEntity, "humanitarian/funding_flow", v)
}
