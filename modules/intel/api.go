package intel

import (
	_ "embed"
	"encoding/json"
	"net/http"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

//go:embed openapi.json
var openapi []byte

// OpenAPI implements web.OpenAPISource.
func (m *Module) OpenAPI() []byte { return openapi }

// apiObject is a stored object with how it is shared, for the JSON API.
type apiObject struct {
	Stored
	Object json.RawMessage `json:"object"`
}

func (m *Module) apiObjects(w http.ResponseWriter, r *http.Request) {
	q := filterOf(r.URL.Query())
	rows, more, err := m.svc.Objects(r.Context(), m.svc.Readers(core.ActorFrom(r.Context())), q)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	out := make([]apiObject, len(rows))
	for i, o := range rows {
		out[i] = apiObject{Stored: o, Object: json.RawMessage(o.Raw)}
	}
	next := ""
	if more {
		next = rows[len(rows)-1].DateAdded
	}
	m.web.JSON(w, http.StatusOK, map[string]any{"objects": out, "more": more, "next_before": next})
}

func (m *Module) apiCollections(w http.ResponseWriter, r *http.Request) {
	cs, err := m.svc.Collections(r.Context(), m.svc.Readers(core.ActorFrom(r.Context())))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if cs == nil {
		cs = []Collection{}
	}
	m.web.JSON(w, http.StatusOK, map[string]any{"collections": cs})
}

func (m *Module) apiCreateCollection(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID          string   `json:"id"`
		Alias       string   `json:"alias"`
		Title       string   `json:"title"`
		Description string   `json:"description"`
		DefaultTLP  core.TLP `json:"default_tlp"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	c, err := m.svc.CreateCollection(r.Context(), core.ActorFrom(r.Context()), NewCollection{ID: in.ID, Alias: in.Alias, Title: in.Title, Description: in.Description, DefaultTLP: in.DefaultTLP})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, c)
}

func (m *Module) apiSetRight(w http.ResponseWriter, r *http.Request) {
	var in Right
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := m.svc.SetRight(r.Context(), core.ActorFrom(r.Context()), r.PathValue("cid"), in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, in)
}

func (m *Module) apiCreateGroup(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Owner   string   `json:"owner"`
		Name    string   `json:"name"`
		Members []string `json:"members"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	g, err := m.svc.CreateGroup(r.Context(), core.ActorFrom(r.Context()), in.Owner, in.Name, in.Members)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, g)
}

func (m *Module) apiSubscriptions(w http.ResponseWriter, r *http.Request) {
	subs, err := m.svc.Subscriptions(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if subs == nil {
		subs = []Subscription{}
	}
	m.web.JSON(w, http.StatusOK, map[string]any{"subscriptions": subs})
}

func (m *Module) apiSubscribe(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Peer       string `json:"peer"`
		Remote     string `json:"remote_collection"`
		Collection string `json:"collection"`
		Org        string `json:"org"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	sub, err := m.svc.Subscribe(r.Context(), core.ActorFrom(r.Context()), NewSubscription{Peer: in.Peer, Remote: in.Remote, Collection: in.Collection, Org: in.Org})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, sub)
}

func (m *Module) apiSync(w http.ResponseWriter, r *http.Request) {
	n, err := m.svc.Sync(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, map[string]any{"stored": n})
}

// groupKeepers are the organisations whose groups the actor may keep.
func (s *Service) groupKeepers(a core.Actor) []string {
	return access.IntelOrgs(a, access.IntelGroups, s.Host())
}

func filterOrgs(a, keep []string) []string { return intersect(a, keep) }
