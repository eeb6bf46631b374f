package directory

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// networkRoutes is the route table of POC networks.
func (m *Module) networkRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /networks", Action: access.NetworkRead, Handler: m.networkList},
		{Pattern: "GET /networks/new", Action: access.NetworkCreate, Handler: m.networkNew},
		{Pattern: "POST /networks", Action: access.NetworkCreate, Handler: m.networkCreate},
		{Pattern: "GET /networks/{id}", Action: access.NetworkRead, Handler: m.networkShow},
		{Pattern: "GET /networks/{id}/settings", Action: access.NetworkManage, Handler: m.networkSettings},
		{Pattern: "POST /networks/{id}/settings", Action: access.NetworkManage, Handler: m.networkUpdate},
		{Pattern: "POST /networks/{id}/members", Action: access.NetworkManage, Handler: m.networkMemberAdd},
		{Pattern: "POST /networks/{id}/members/remove", Action: access.NetworkManage, Handler: m.networkMemberRemove},
		{Pattern: "GET /networks/{id}/directory.csv", Action: access.NetworkRead, Handler: m.directoryCSV},
		{Pattern: "GET /networks/{id}/snapshot", Action: access.NetworkRead, Handler: m.networkSnapshot},
		{Pattern: "GET /networks/{id}/nominate", Action: access.Nominate, Handler: m.nominateForm},
		{Pattern: "POST /networks/{id}/nominations", Action: access.Nominate, Handler: m.nominate},
		{Pattern: "POST /nominations/{id}/decide", Action: access.NetworkManage, Handler: m.decide},
		{Pattern: "POST /networks/{id}/pings", Action: access.NetworkManage, Handler: m.pingStart},
		{Pattern: "GET /pings/{id}", Action: access.NetworkManage, Handler: m.pingShow},
		{Pattern: "GET /pocs", Action: access.NetworkRead, Handler: m.board},
		{Pattern: "POST /pocs/pings/{id}/ack", Action: access.PingAck, Handler: m.pingAck},
		{Pattern: "GET /ping-ack", Action: access.Public, Handler: m.tokenAckForm},
		{Pattern: "POST /ping-ack", Action: access.Anonymous, Handler: m.tokenAck},
		{Pattern: "GET /transparency/{id}", Action: access.TransparencyPublic, Handler: m.transparency},
		{Pattern: "GET /transparency/{id}/figures.csv", Action: access.TransparencyPublic, Handler: m.transparencyCSV},
	}
}

type networkListView struct {
	web.Page
	Networks []NetworkSummary
}

func (m *Module) networkList(w http.ResponseWriter, r *http.Request) {
	v := networkListView{Page: m.web.Page(r, "title.networks")}
	v.Nav = "networks"
	var err error
	if v.Networks, err = m.nets.ListNetworks(r.Context()); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "directory/networks", v)
}

type networkFormView struct {
	web.Page
	Network     *Network
	Form        web.Form
	Definitions []NetworkInput
	Secretariat []core.OrgRef
	Types       []string
	Urgencies   []string
}

func (v networkFormView) Checked(field, value string) bool {
	return slices.Contains(v.Form.Values[field], value)
}

func (m *Module) networkFormView(r *http.Request, title string) networkFormView {
	v := networkFormView{Page: m.web.Page(r, title), Definitions: Definitions(), Types: RequestTypes, Urgencies: Urgencies}
	v.Nav = "networks"
	// A secretariat is run by its own admins, so only their organisations.
	for _, ms := range core.ActorFrom(r.Context()).Memberships {
		if access.Check(core.ActorFrom(r.Context()), access.NetworkCreate, access.Resource{OrgID: ms.Org.ID}) == nil {
			v.Secretariat = append(v.Secretariat, ms.Org)
		}
	}
	return v
}

// networkValues fills a form from a network definition.
func networkValues(in NetworkInput) url.Values {
	v := url.Values{
		"slug": {in.Slug}, "secretariat": {in.Secretariat}, "name_en": {in.NameEN}, "name_id": {in.NameID},
		"description_en": {in.DescriptionEN}, "description_id": {in.DescriptionID}, "member_kind": {in.MemberKind},
		"categories": {FormatCategories(in.Categories)}, "visibility": {in.Visibility},
		"ping_cadence_days": {strconv.Itoa(in.PingCadenceDays)}, "ack_hours": {strconv.Itoa(in.AckHours)},
		"ping_en": {in.Template.PingEN}, "ping_id": {in.Template.PingID}, "types": in.Template.Types,
	}
	for u, h := range in.Template.ResponseHours {
		v.Set("hours_"+u, strconv.Itoa(h))
	}
	if in.Transparency {
		v.Set("transparency", "on")
	}
	return v
}

func networkInputFromForm(f web.Form) (NetworkInput, core.Problems) {
	p := core.Problems{}
	num := func(k string) int {
		s := strings.TrimSpace(f.Get(k))
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			p.Add(k, "err.number")
		}
		return n
	}
	in := NetworkInput{Slug: f.Get("slug"), Secretariat: f.Get("secretariat"), NameEN: f.Get("name_en"), NameID: f.Get("name_id"),
		DescriptionEN: f.Get("description_en"), DescriptionID: f.Get("description_id"), MemberKind: f.Get("member_kind"),
		Categories: ParseCategories(f.Get("categories")), Visibility: f.Get("visibility"), PingCadenceDays: num("ping_cadence_days"), AckHours: num("ack_hours"),
		Template:     Template{Types: f.Values["types"], PingEN: f.Get("ping_en"), PingID: f.Get("ping_id"), ResponseHours: map[string]int{}},
		Transparency: f.Get("transparency") != ""}
	for _, u := range Urgencies {
		if h := num("hours_" + u); h != 0 {
			in.Template.ResponseHours[u] = h
		}
	}
	return in, p
}

func (m *Module) networkNew(w http.ResponseWriter, r *http.Request) {
	v := m.networkFormView(r, "title.network_new")
	from := r.URL.Query().Get("from")
	for _, d := range v.Definitions {
		if d.Slug == from || (from == "" && d.Slug == v.Definitions[0].Slug) {
			if len(v.Secretariat) > 0 {
				d.Secretariat = v.Secretariat[0].Handle
			}
			v.Form = web.Form{Values: networkValues(d)}
		}
	}
	m.web.Render(w, r, http.StatusOK, "directory/network_form", v)
}

func (m *Module) networkCreate(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	in, p := networkInputFromForm(f)
	var n Network
	err := p.Err("directory: create network")
	if err == nil {
		n, err = m.nets.CreateNetwork(r.Context(), in)
	}
	if err != nil {
		v := m.networkFormView(r, "title.network_new")
		v.Form = f
		if v.Form.Take(err) {
			m.web.Render(w, r, web.FormStatus(err), "directory/network_form", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/networks/"+n.ID, "flash.network_created")
}

func (m *Module) networkSettings(w http.ResponseWriter, r *http.Request) {
	nv, err := m.nets.Network(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if !nv.CanManage {
		m.web.Error(w, r, errOp("network settings", core.KindForbidden, "err.forbidden"))
		return
	}
	v := m.networkFormView(r, "title.network_settings")
	v.Network = &nv.Network
	v.Form = web.Form{Values: networkValues(nv.Input())}
	m.web.Render(w, r, http.StatusOK, "directory/network_form", v)
}

func (m *Module) networkUpdate(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	in, p := networkInputFromForm(f)
	err := p.Err("directory: update network")
	var n Network
	if err == nil {
		n, err = m.nets.UpdateNetwork(r.Context(), r.PathValue("id"), in)
	}
	if err != nil {
		nv, gerr := m.nets.Network(r.Context(), r.PathValue("id"))
		v := m.networkFormView(r, "title.network_settings")
		v.Network, v.Form = &nv.Network, f
		if gerr == nil && v.Form.Take(err) {
			m.web.Render(w, r, web.FormStatus(err), "directory/network_form", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/networks/"+n.ID, "flash.network_updated")
}

type networkView struct {
	web.Page
	N           NetworkView
	Entries     []Entry
	Q           string
	Category    string
	Pending     []Nomination
	Mine        []Nomination
	Pings       []Ping
	ByMember    []Tally
	MemberForm  web.Form
	PingForm    web.Form
	DecideForm  web.Form
	Candidates  []Addressee // organisations that could join: the address book
	Now         time.Time
	Next        string          // cursor of the directory's next page
	Members     []NetworkMember // this page of the members
	MembersNext int             // offset of the members' next page, 0 for none
}

// Ours reports whether the viewer is a focal point of the member, who may
// change or withdraw its entries.
func (v networkView) Ours(addr string) bool {
	return slices.Contains(v.N.NominateAddrs, addr)
}

func (v networkView) MemberName(addr string) string {
	for _, mb := range v.N.Members {
		if mb.Addr == addr {
			return mb.Name(v.Lang)
		}
	}
	return addr
}

func (m *Module) networkPage(r *http.Request) (networkView, error) {
	ctx := r.Context()
	nv, err := m.nets.Network(ctx, r.PathValue("id"))
	if err != nil {
		return networkView{}, err
	}
	q := r.URL.Query()
	v := networkView{Page: m.web.Page(r, "title.network", nv.Name(web.Lang(ctx))), N: nv, Q: q.Get("q"), Category: q.Get("category"), Now: time.Now()}
	v.Nav = "networks"
	// Members a page of 50 at a time: a network can hold every state.
	from, _ := strconv.Atoi(q.Get("members_from"))
	from = min(max(from, 0), len(nv.Members))
	to := min(from+50, len(nv.Members))
	v.Members = nv.Members[from:to]
	if to < len(nv.Members) {
		v.MembersNext = to
	}
	if nv.CanSee {
		page, err := web.PageFromQuery(r)
		if err != nil {
			return v, err
		}
		if v.Entries, v.Next, err = m.nets.EntryPage(ctx, nv.ID, EntryFilter{Q: v.Q, Category: v.Category}, page); err != nil {
			return v, err
		}
	}
	if nv.CanManage {
		if v.Pending, err = m.nets.Nominations(ctx, nv.ID, NominationPending); err != nil {
			return v, err
		}
		if v.Pings, err = m.nets.Pings(ctx, nv.ID); err != nil {
			return v, err
		}
		if v.ByMember, _, err = m.nets.MemberResults(ctx, nv.ID, 10); err != nil {
			return v, err
		}
		v.Candidates, _ = m.nets.AddressBook(ctx, "")
	} else if len(nv.NominateFor) > 0 {
		if v.Mine, err = m.nets.Nominations(ctx, nv.ID, ""); err != nil {
			return v, err
		}
	}
	return v, nil
}

func (m *Module) networkShow(w http.ResponseWriter, r *http.Request) {
	v, err := m.networkPage(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "directory/network", v)
}

// networkForm re-renders the network page with a form's problems.
func (m *Module) networkForm(w http.ResponseWriter, r *http.Request, f web.Form, err error, set func(*networkView, web.Form)) {
	v, verr := m.networkPage(r)
	if verr == nil && f.Take(err) {
		set(&v, f)
		m.web.Render(w, r, web.FormStatus(err), "directory/network", v)
		return
	}
	m.web.Error(w, r, err)
}

func (m *Module) networkMemberAdd(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	if err := m.nets.AddMember(r.Context(), r.PathValue("id"), f.Get("member")); err != nil {
		m.networkForm(w, r, f, err, func(v *networkView, f web.Form) { v.MemberForm = f })
		return
	}
	m.web.Redirect(w, r, "/networks/"+r.PathValue("id"), "flash.network_member_added")
}

func (m *Module) networkMemberRemove(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	if err := m.nets.RemoveMember(r.Context(), r.PathValue("id"), f.Get("member")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/networks/"+r.PathValue("id"), "flash.network_member_removed")
}

// directoryCSV exports the directory, for its audience only.
func (m *Module) directoryCSV(w http.ResponseWriter, r *http.Request) {
	nv, err := m.nets.Network(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	es, err := m.nets.Entries(r.Context(), nv.ID, EntryFilter{Q: r.URL.Query().Get("q"), Category: r.URL.Query().Get("category")})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+nv.Slug+`-directory.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"member", "category", "deputy", "name", "position", "institution", "email", "phone", "secure_address", "languages", "hours", "confirmed_at"})
	for _, e := range es {
		_ = cw.Write(csvSafe(e.Member, e.Category, strconv.FormatBool(e.Deputy), e.Name, e.Position, e.Institution, e.Email, e.Phone, e.SecureAddr, e.Languages, e.Hours, e.ConfirmedAt.Format(time.RFC3339)))
	}
	cw.Flush()
}

// csvSafe defuses cells a spreadsheet would run as formulas.
func csvSafe(cells ...string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}

func (m *Module) networkSnapshot(w http.ResponseWriter, r *http.Request) {
	b, err := m.nets.Snapshot(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="network-`+r.PathValue("id")+`.signed.json"`)
	_, _ = w.Write(b)
}

type nominateView struct {
	web.Page
	N       NetworkView
	Form    web.Form
	People  map[string][]Member // by organisation handle
	Entry   *Entry
	Entries []Entry
}

func (m *Module) nominateView(r *http.Request, f web.Form) (nominateView, error) {
	nv, err := m.nets.Network(r.Context(), r.PathValue("id"))
	if err != nil {
		return nominateView{}, err
	}
	v := nominateView{Page: m.web.Page(r, "title.nominate", nv.Name(web.Lang(r.Context()))), N: nv, Form: f, People: map[string][]Member{}}
	v.Nav = "networks"
	if len(nv.NominateFor) == 0 {
		return v, errOp("nominate", core.KindForbidden, "err.forbidden")
	}
	for _, o := range nv.NominateFor {
		ms, err := m.svc.Members(r.Context(), o.ID)
		if err != nil {
			return v, err
		}
		v.People[o.Handle] = ms
		es, err := m.nets.Entries(r.Context(), nv.ID, EntryFilter{Member: m.nets.addr(o.Handle)})
		if err == nil {
			v.Entries = append(v.Entries, es...)
		}
	}
	if id := f.Get("entry_id"); id != "" {
		for i := range v.Entries {
			if v.Entries[i].ID == id {
				v.Entry = &v.Entries[i]
			}
		}
	}
	return v, nil
}

func (m *Module) nominateForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := web.Form{Values: url.Values{"entry_id": {q.Get("entry")}, "action": {NominateAdd}}}
	v, err := m.nominateView(r, f)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if len(v.N.NominateFor) > 0 {
		v.Form.Values.Set("member", v.N.NominateFor[0].Handle)
	}
	if e := v.Entry; e != nil {
		v.Form.Values = url.Values{"entry_id": {e.ID}, "action": {NominateChange}, "member": {strings.Split(e.Member, "@")[0]}, "category": {e.Category},
			"person_id": {e.PersonRef}, "name": {e.Name}, "position": {e.Position}, "institution": {e.Institution}, "email": {e.Email}, "phone": {e.Phone},
			"secure_address": {e.SecureAddr}, "languages": {e.Languages}, "hours": {e.Hours}}
		if e.Deputy {
			v.Form.Values.Set("deputy", "on")
		}
	}
	m.web.Render(w, r, http.StatusOK, "directory/nominate", v)
}

func nominationFromForm(f web.Form) NominationInput {
	return NominationInput{Member: f.Get("member"), Action: f.Get("action"), EntryID: f.Get("entry_id"), Category: f.Get("category"), Deputy: f.Get("deputy") != "",
		PersonID: f.Get("person_id"), Contact: Contact{Name: f.Get("name"), Position: f.Get("position"), Institution: f.Get("institution"), Email: f.Get("email"),
			Phone: f.Get("phone"), SecureAddr: f.Get("secure_address"), Languages: f.Get("languages"), Hours: f.Get("hours")}}
}

func (m *Module) nominate(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	if _, err := m.nets.Nominate(r.Context(), r.PathValue("id"), nominationFromForm(f)); err != nil {
		v, verr := m.nominateView(r, f)
		if verr == nil && v.Form.Take(err) {
			m.web.Render(w, r, web.FormStatus(err), "directory/nominate", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/networks/"+r.PathValue("id"), "flash.nomination_sent")
}

func (m *Module) decide(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	networkID := f.Get("network") // where the form was; the service decides from the nomination
	if err := m.nets.Decide(r.Context(), r.PathValue("id"), f.Get("decision") == "accept", f.Get("reason")); err != nil {
		if networkID != "" {
			r.SetPathValue("id", networkID)
			m.networkForm(w, r, f, err, func(v *networkView, f web.Form) { v.DecideForm = f })
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/networks/"+networkID+"#pending", "flash.nomination_decided")
}
