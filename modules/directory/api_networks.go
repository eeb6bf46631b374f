package directory

import (
	"net/http"

	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

func (m *Module) apiNetworkRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /api/v1/networks", Action: access.NetworkRead, Handler: m.apiNetworks},
		{Pattern: "POST /api/v1/networks", Action: access.NetworkCreate, Handler: m.apiNetworkCreate},
		{Pattern: "GET /api/v1/networks/{id}", Action: access.NetworkRead, Handler: m.apiNetwork},
		{Pattern: "POST /api/v1/networks/{id}/members", Action: access.NetworkManage, Handler: m.apiNetworkMemberAdd},
		{Pattern: "GET /api/v1/networks/{id}/entries", Action: access.NetworkRead, Handler: m.apiEntries},
		{Pattern: "GET /api/v1/networks/{id}/nominations", Action: access.NetworkRead, Handler: m.apiNominations},
		{Pattern: "POST /api/v1/networks/{id}/nominations", Action: access.Nominate, Handler: m.apiNominate},
		{Pattern: "POST /api/v1/nominations/{id}/decision", Action: access.NetworkManage, Handler: m.apiDecide},
		{Pattern: "GET /api/v1/networks/{id}/pings", Action: access.NetworkManage, Handler: m.apiPings},
		{Pattern: "POST /api/v1/networks/{id}/pings", Action: access.NetworkManage, Handler: m.apiPingStart},
		{Pattern: "GET /api/v1/pings/{id}", Action: access.NetworkManage, Handler: m.apiPing},
		{Pattern: "GET /api/v1/pocs/pings", Action: access.NetworkRead, Handler: m.apiMyPings},
		{Pattern: "POST /api/v1/pocs/pings/{id}/ack", Action: access.PingAck, Handler: m.apiPingAck},
		{Pattern: "GET /api/v1/requests", Action: access.PocRequestRead, Handler: m.apiRequests},
		{Pattern: "POST /api/v1/requests", Action: access.PocRequestAct, Handler: m.apiRequestCreate},
		{Pattern: "GET /api/v1/requests/{id}", Action: access.PocRequestRead, Handler: m.apiRequest},
		{Pattern: "POST /api/v1/requests/{id}/events", Action: access.PocRequestAct, Handler: m.apiRequestUpdate},
	}
}

// apiNetwork is a network as the API shows it.
type apiNetwork struct {
	Network
	Hosted    bool            `json:"hosted"`
	Directory bool            `json:"directory_visible"`
	Members   []NetworkMember `json:"members"`
}

func (m *Module) apiNetworks(w http.ResponseWriter, r *http.Request) {
	ns, err := m.nets.ListNetworks(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if ns == nil {
		ns = []NetworkSummary{}
	}
	m.web.JSON(w, http.StatusOK, web.List[NetworkSummary]{Items: ns})
}

func (m *Module) apiNetworkCreate(w http.ResponseWriter, r *http.Request) {
	var in NetworkInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	n, err := m.nets.CreateNetwork(r.Context(), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/networks/"+n.ID)
	m.web.JSON(w, http.StatusCreated, n)
}

func (m *Module) apiNetwork(w http.ResponseWriter, r *http.Request) {
	v, err := m.nets.Network(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, apiNetwork{Network: v.Network, Hosted: v.Hosted, Directory: v.CanSee, Members: v.Members})
}

func (m *Module) apiNetworkMemberAdd(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Member string `json:"member"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := m.nets.AddMember(r.Context(), r.PathValue("id"), in.Member); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (m *Module) apiEntries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := web.PageFromQuery(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	es, next, err := m.nets.EntryPage(r.Context(), r.PathValue("id"), EntryFilter{Q: q.Get("q"), Category: q.Get("category"), Member: q.Get("member")}, page)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if es == nil {
		es = []Entry{}
	}
	m.web.JSON(w, http.StatusOK, web.List[Entry]{Items: es, NextCursor: next})
}

func (m *Module) apiNominations(w http.ResponseWriter, r *http.Request) {
	ns, err := m.nets.Nominations(r.Context(), r.PathValue("id"), r.URL.Query().Get("status"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if ns == nil {
		ns = []Nomination{}
	}
	m.web.JSON(w, http.StatusOK, web.List[Nomination]{Items: ns})
}

func (m *Module) apiNominate(w http.ResponseWriter, r *http.Request) {
	var in NominationInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	n, err := m.nets.Nominate(r.Context(), r.PathValue("id"), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, n)
}

func (m *Module) apiDecide(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Accept bool   `json:"accept"`
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := m.nets.Decide(r.Context(), r.PathValue("id"), in.Accept, in.Reason); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (m *Module) apiPings(w http.ResponseWriter, r *http.Request) {
	ps, err := m.nets.Pings(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if ps == nil {
		ps = []Ping{}
	}
	m.web.JSON(w, http.StatusOK, web.List[Ping]{Items: ps})
}

func (m *Module) apiPingStart(w http.ResponseWriter, r *http.Request) {
	var in PingInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	p, err := m.nets.StartPing(r.Context(), r.PathValue("id"), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/pings/"+p.ID)
	m.web.JSON(w, http.StatusCreated, p)
}

// apiPingResult is a ping with its targets and figures.
type apiPingResult struct {
	Ping
	Targets    []Target `json:"points_of_contact"`
	ByMember   []Tally  `json:"by_member"`
	ByCategory []Tally  `json:"by_category"`
	Total      Tally    `json:"total"`
}

func (m *Module) apiPing(w http.ResponseWriter, r *http.Request) {
	p, err := m.nets.PingResult(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, apiPingResult{Ping: p.Ping, Targets: p.Targets, ByMember: p.ByMember, ByCategory: p.ByCategory, Total: p.Total})
}

func (m *Module) apiMyPings(w http.ResponseWriter, r *http.Request) {
	ps, err := m.nets.MyPings(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	out := make([]Received, len(ps))
	for i, p := range ps {
		out[i] = p.Received
	}
	m.web.JSON(w, http.StatusOK, web.List[Received]{Items: out})
}

func (m *Module) apiPingAck(w http.ResponseWriter, r *http.Request) {
	if err := m.nets.AckPing(r.Context(), r.PathValue("id")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (m *Module) apiRequests(w http.ResponseWriter, r *http.Request) {
	page, err := web.PageFromQuery(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	rs, next, err := m.nets.Requests(r.Context(), r.URL.Query().Get("box"), page)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if rs == nil {
		rs = []Request{}
	}
	m.web.JSON(w, http.StatusOK, web.List[Request]{Items: rs, NextCursor: next})
}

func (m *Module) apiRequestCreate(w http.ResponseWriter, r *http.Request) {
	var in RequestInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	req, err := m.nets.SendRequest(r.Context(), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/requests/"+req.ID)
	m.web.JSON(w, http.StatusCreated, req)
}

func (m *Module) apiRequest(w http.ResponseWriter, r *http.Request) {
	req, err := m.nets.Request(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, req)
}

func (m *Module) apiRequestUpdate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Action string `json:"action"`
		Body   string `json:"body"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	req, err := m.nets.UpdateRequest(r.Context(), r.PathValue("id"), in.Action, in.Body)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, req)
}
