package intel

import (
	"net/http"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

type groupsView struct {
	web.Page
	Groups []Group
	Owners []string
	Form   web.Form
}

func (m *Module) groupsView(r *http.Request) (groupsView, error) {
	a := core.ActorFrom(r.Context())
	gs, err := m.svc.Groups(r.Context(), m.svc.Readers(a))
	v := groupsView{Page: m.web.Page(r, "title.intel_groups"), Groups: gs, Owners: m.svc.GroupOwners(a), Form: web.Form{Problems: core.Problems{}}}
	v.Nav = "intel"
	return v, err
}

func (m *Module) groups(w http.ResponseWriter, r *http.Request) {
	v, err := m.groupsView(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "intel/groups", v)
}

func (m *Module) createGroup(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	_, err := m.svc.CreateGroup(r.Context(), core.ActorFrom(r.Context()), f.Get("owner"), f.Get("name"), splitList(f.Get("members")))
	if err != nil {
		v, verr := m.groupsView(r)
		if verr == nil && f.Take(err) {
			v.Form = f
			m.web.Render(w, r, web.FormStatus(err), "intel/groups", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/intel/groups", "flash.intel_group")
}

type adminView struct {
	web.Page
	Collections []Collection
	Rights      map[string][]Right
	Subs        []Subscription
	TLPs        []core.TLP
	Form        web.Form
}

func (m *Module) adminView(r *http.Request) (adminView, error) {
	a := core.ActorFrom(r.Context())
	cs, err := m.svc.AllCollections(r.Context(), a)
	if err != nil {
		return adminView{}, err
	}
	v := adminView{Page: m.web.Page(r, "title.intel_admin"), Collections: cs, Rights: map[string][]Right{}, TLPs: core.TLPs, Form: web.Form{Problems: core.Problems{}}}
	v.Nav = "admin"
	for _, c := range cs {
		if v.Rights[c.ID], err = m.svc.Rights(r.Context(), a, c.ID); err != nil {
			return v, err
		}
	}
	v.Subs, err = m.svc.Subscriptions(r.Context())
	return v, err
}

func (m *Module) admin(w http.ResponseWriter, r *http.Request) {
	v, err := m.adminView(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "intel/admin", v)
}

func (m *Module) adminDone(w http.ResponseWriter, r *http.Request, f web.Form, err error, flash string) {
	if err != nil {
		v, verr := m.adminView(r)
		if verr == nil && f.Take(err) {
			v.Form = f
			m.web.Render(w, r, web.FormStatus(err), "intel/admin", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/admin/intel", flash)
}

func (m *Module) adminCollection(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	_, err := m.svc.CreateCollection(r.Context(), core.ActorFrom(r.Context()), NewCollection{ID: f.Get("id"), Alias: f.Get("alias"), Title: f.Get("title"), Description: f.Get("description"), DefaultTLP: core.TLP(f.Get("default_tlp"))})
	m.adminDone(w, r, f, err, "flash.saved")
}

func (m *Module) adminRight(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	err := m.svc.SetRight(r.Context(), core.ActorFrom(r.Context()), f.Get("collection"), Right{Org: f.Get("org"), Read: f.Get("read") != "", Write: f.Get("write") != "", Declassify: f.Get("declassify") != ""})
	m.adminDone(w, r, f, err, "flash.saved")
}

func (m *Module) adminSubscribe(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	_, err := m.svc.Subscribe(r.Context(), core.ActorFrom(r.Context()), NewSubscription{Peer: f.Get("peer"), Remote: f.Get("remote"), Collection: f.Get("collection"), Org: f.Get("org")})
	m.adminDone(w, r, f, err, "flash.saved")
}

func (m *Module) adminSync(w http.ResponseWriter, r *http.Request) {
	_, err := m.svc.Sync(r.Context(), r.PathValue("id"))
	if err != nil && core.KindOf(err) == core.KindNotFound {
		m.web.Error(w, r, err)
		return
	}
	// A peer's failure is shown on the subscription, not as an error page.
	m.web.Redirect(w, r, "/admin/intel", "flash.intel_synced")
}

// GroupOwners are the organisations whose sharing groups the actor keeps.
func (s *Service) GroupOwners(a core.Actor) []string {
	var out []string
	for _, o := range s.Readers(a) {
		if strings.HasSuffix(o, "@"+s.Host()) {
			out = append(out, o)
		}
	}
	return filterOrgs(out, s.groupKeepers(a))
}
