package directory

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/web"
)

func (m *Module) requestRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /requests", Action: access.PocRequestRead, Handler: m.requestList},
		{Pattern: "GET /requests/new", Action: access.PocRequestAct, Handler: m.requestNew},
		{Pattern: "POST /requests", Action: access.PocRequestAct, Handler: m.requestCreate, MaxBody: maxRequestBody},
		{Pattern: "GET /requests/{id}", Action: access.PocRequestRead, Handler: m.requestShow},
		{Pattern: "GET /requests/{id}/print", Action: access.PocRequestRead, Handler: m.requestPrint},
		{Pattern: "POST /requests/{id}/update", Action: access.PocRequestAct, Handler: m.requestUpdate, MaxBody: maxRequestBody},
		{Pattern: "GET /requests/{id}/attachments/{aid}", Action: access.PocRequestRead, Handler: m.requestAttachment},
		{Pattern: "GET /requests/{id}/receipt", Action: access.PocRequestRead, Handler: m.requestReceipt},
		{Pattern: "GET /requests/{id}/receipt.json", Action: access.PocRequestRead, Handler: m.requestReceiptDownload},
	}
}

type requestListView struct {
	web.Page
	Requests []Request
	Next     string
	Box      string
	Now      time.Time
}

func (m *Module) requestList(w http.ResponseWriter, r *http.Request) {
	v := requestListView{Page: m.web.Page(r, "title.requests"), Box: r.URL.Query().Get("box"), Now: time.Now()}
	v.Nav = "requests"
	page, err := web.PageFromQuery(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if v.Requests, v.Next, err = m.nets.Requests(r.Context(), v.Box, page); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "directory/requests", v)
}

type requestFormView struct {
	web.Page
	Form      web.Form
	Networks  []NetworkSummary
	Members   []NetworkMember
	From      []Organisation
	Network   *NetworkView
	Urgencies []string
	Sectors   []string
	TLPs      []core.TLP
}

// requestFormView offers, for the chosen network, the actor's member
// organisations as senders and the other members as recipients.
func (m *Module) requestFormView(r *http.Request, f web.Form) requestFormView {
	v := requestFormView{Page: m.web.Page(r, "title.request_new"), Form: f, Urgencies: Urgencies, Sectors: Sectors,
		TLPs: []core.TLP{core.TLPClear, core.TLPGreen, core.TLPAmber, core.TLPAmberStrict}}
	v.Nav = "requests"
	ns, _ := m.nets.ListNetworks(r.Context())
	for _, n := range ns {
		if n.Mine {
			v.Networks = append(v.Networks, n)
		}
	}
	id := f.Get("network")
	if id == "" && len(v.Networks) > 0 {
		id = v.Networks[0].ID
		v.Form.Values.Set("network", id)
	}
	if nv, err := m.nets.Network(r.Context(), id); err == nil {
		v.Network = &nv
		a := core.ActorFrom(r.Context())
		for _, mb := range nv.Members {
			if mb.OrgID != "" && access.Check(a, access.PocRequestAct, access.Resource{OrgID: mb.OrgID}) == nil {
				if o, err := m.nets.orgByAddr(r.Context(), m.nets.db.R(), mb.Addr); err == nil {
					v.From = append(v.From, o)
				}
			}
		}
		for _, mb := range nv.Members {
			if !slices.ContainsFunc(v.From, func(o Organisation) bool { return o.ID == mb.OrgID }) {
				v.Members = append(v.Members, mb)
			}
		}
	}
	return v
}

func (m *Module) requestNew(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := web.Form{Values: url.Values{"network": {q.Get("network")}, "to": {q.Get("to")}, "urgency": {"high"}, "tlp": {"AMBER"}, "type": {"assistance"}}}
	m.web.Render(w, r, http.StatusOK, "directory/request_form", m.requestFormView(r, f))
}

func requestFromForm(f web.Form) (RequestInput, core.Problems) {
	p := core.Problems{}
	in := RequestInput{Network: f.Get("network"), From: f.Get("from"), To: f.Get("to"), Type: f.Get("type"), Urgency: f.Get("urgency"), Subject: f.Get("subject"),
		Description: f.Get("description"), Sector: f.Get("sector"), Systems: f.Get("systems"), Asked: f.Get("asked"), Indicators: f.Get("indicators"),
		FollowUp: f.Get("follow_up"), TLP: core.TLP(f.Get("tlp"))}
	if s := strings.TrimSpace(f.Get("respond_by")); s != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", s, time.UTC)
		if err != nil {
			p.Add("respond_by", "err.date")
		}
		in.RespondBy = t
	}
	return in, p
}

func (m *Module) requestCreate(w http.ResponseWriter, r *http.Request) {
	ats, aerr := readAttachments(r)
	if aerr != nil {
		m.web.Error(w, r, aerr)
		return
	}
	f := web.NewForm(r)
	in, p := requestFromForm(f)
	in.Attachments = ats
	err := p.Err("directory: send request")
	var req Request
	if err == nil {
		req, err = m.nets.SendRequest(r.Context(), in)
	}
	if err != nil {
		v := m.requestFormView(r, f)
		if v.Form.Take(err) {
			m.web.Render(w, r, web.FormStatus(err), "directory/request_form", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/requests/"+req.ID, "flash.request_sent")
}

type requestView struct {
	web.Page
	Links   *links.Form
	R       Request
	Network string
	Form    web.Form
	Now     time.Time
	Actions []string
}

func (m *Module) requestPage(r *http.Request, title string) (requestView, error) {
	req, err := m.nets.Request(r.Context(), r.PathValue("id"))
	if err != nil {
		return requestView{}, err
	}
	v := requestView{Page: m.web.Page(r, title, req.Subject), R: req, Now: time.Now()}
	v.Nav = "requests"
	if n, err := m.nets.network(r.Context(), m.nets.db.R(), req.NetworkID); err == nil {
		v.Network = n.Name(v.Lang)
	}
	if access.Check(v.Actor, access.PocRequestAct, access.Resource{OrgID: req.OrgID}) == nil {
		// The answer (or, for the sender, a note) is the main action and
		// comes first; closing comes last, behind a confirmation.
		for _, act := range []string{ActAnswer, ActAcknowledge, ActProgress, ActNote, ActClose} {
			if next(req.Direction, req.State, act) != "" {
				v.Actions = append(v.Actions, act)
			}
		}
	}
	return v, nil
}

func (m *Module) requestShow(w http.ResponseWriter, r *http.Request) {
	v, err := m.requestPage(r, "title.request")
	if err == nil {
		v.Links, err = m.links.Page(r, m.nets.LinkRef(v.R))
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "directory/request", v)
}

func (m *Module) requestPrint(w http.ResponseWriter, r *http.Request) {
	v, err := m.requestPage(r, "title.request")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "directory/request_print", v)
}

func (m *Module) requestUpdate(w http.ResponseWriter, r *http.Request) {
	ats, aerr := readAttachments(r)
	if aerr != nil {
		m.web.Error(w, r, aerr)
		return
	}
	f := web.NewForm(r)
	if f.Get("action") == ActClose && f.Get("confirm") != "yes" {
		m.requestCloseConfirm(w, r, f)
		return
	}
	if _, err := m.nets.UpdateRequestWith(r.Context(), r.PathValue("id"), f.Get("action"), f.Get("body"), ats); err != nil {
		v, verr := m.requestPage(r, "title.request")
		if verr == nil && f.Take(err) {
			v.Form = f
			m.web.Render(w, r, web.FormStatus(err), "directory/request", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/requests/"+r.PathValue("id"), "flash.request_updated")
}
