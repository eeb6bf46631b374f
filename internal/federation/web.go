package federation

import (
	"context"
	_ "embed"
	"net/http"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

//go:embed openapi.json
var openapi []byte

// OpenAPI implements web.OpenAPISource.
func (m *Module) OpenAPI() []byte { return openapi }

// Module is federation's HTTP surface: the descriptor, the endpoints peers
// call, and the administrators' pages and API for peers.
type Module struct {
	svc *Service
	web *web.Server
}

// NewModule returns the module.
func NewModule(s *Service, w *web.Server) *Module { return &Module{svc: s, web: w} }

// Name implements web.Module.
func (m *Module) Name() string { return "federation" }

// Routes implements web.Module.
func (m *Module) Routes() []web.Route {
	return []web.Route{
		{Pattern: "GET /.well-known/entente", Action: access.Public, Handler: m.descriptor},
		{Pattern: "POST /federation/v1/inbox", Action: access.PeerRequest, Handler: m.inbox, MaxBody: MaxBatch},
		{Pattern: "GET /federation/v1/directory", Action: access.PeerRequest, Handler: m.directory},
		{Pattern: "GET /federation/v1/witness", Action: access.PeerRequest, Handler: m.witness},

		{Pattern: "GET /admin/peers", Action: access.PeerManage, Handler: m.peersPage},
		{Pattern: "POST /admin/peers", Action: access.PeerManage, Handler: m.peerAdd},
		{Pattern: "POST /admin/peers/{id}/status", Action: access.PeerManage, Handler: m.peerStatus},
		{Pattern: "POST /admin/peers/{id}/retry", Action: access.PeerManage, Handler: m.peerRetry},
		{Pattern: "POST /admin/peers/{id}/remove", Action: access.PeerManage, Handler: m.peerRemove},

		{Pattern: "GET /api/v1/peers", Action: access.PeerManage, Handler: m.apiPeers},
		{Pattern: "POST /api/v1/peers", Action: access.PeerManage, Handler: m.apiPeerAdd},
		{Pattern: "PATCH /api/v1/peers/{id}", Action: access.PeerManage, Handler: m.apiPeerStatus},
	}
}

func (m *Module) descriptor(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(m.svc.Descriptor())
}

// peerError answers a peer with the status of the error and the reason, so
// the sending node can log why its envelope was refused.
func (m *Module) peerError(w http.ResponseWriter, r *http.Request, err error) {
	PeerError(m.web, w, r, err)
}

// PeerError answers a peer's refused request: a refusal by the federation
// layer (bad signature, unknown peer) as JSON with its reason, whatever the
// request accepts, so a peer is never sent to a sign-in page.
func PeerError(s *web.Server, w http.ResponseWriter, r *http.Request, err error) {
	// A refused request's body is mostly unread (it is read only once the
	// signature is good): closing the connection keeps net/http from
	// reading up to 256 KiB of it, at the sender's pace, before answering.
	w.Header().Set("Connection", "close")
	reason := Refusal(err)
	if reason == "" {
		s.Error(w, r, err)
		return
	}
	kind := core.KindOf(err)
	s.JSON(w, web.Status(kind), web.APIError{Error: web.APIErrorBody{Kind: kind, Message: reason, RequestID: core.RequestFrom(r.Context()).ID}})
}

func (m *Module) inbox(w http.ResponseWriter, r *http.Request) {
	receipt, err := m.svc.Receive(r.Context(), w, r)
	if err != nil {
		m.peerError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(receipt)
}

func (m *Module) directory(w http.ResponseWriter, r *http.Request) {
	b, err := m.svc.DirectoryFor(r.Context(), r)
	if err != nil {
		m.peerError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func (m *Module) witness(w http.ResponseWriter, r *http.Request) {
	b, err := m.svc.WitnessFor(r.Context(), r)
	if err != nil {
		m.peerError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(b)
}

// Attention implements web.AttentionSource: forks in peers' ledgers, for node
// administrators.
func (m *Module) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	if !a.NodeAdmin {
		return nil, nil
	}
	as, err := m.svc.Alarms(ctx)
	if err != nil || len(as) == 0 {
		return nil, err
	}
	return []web.Attention{{Key: "attn.ledger_fork", Args: []any{len(as)}, Link: "/admin/peers#alarms"}}, nil
}

type peersView struct {
	Alarms []Alarm
	web.Page
	Peers       []Peer
	Queues      map[string]QueueStats
	Fingerprint string
	Host        string
	Form        web.Form
}

func (m *Module) peersView(r *http.Request) (peersView, error) {
	v := peersView{Page: m.web.Page(r, "title.peers"), Fingerprint: m.svc.Fingerprint(), Host: m.svc.Host()}
	v.Nav = "admin"
	var err error
	if v.Peers, err = m.svc.Peers(r.Context()); err != nil {
		return v, err
	}
	if v.Queues, err = m.svc.Queues(r.Context()); err != nil {
		return v, err
	}
	v.Alarms, err = m.svc.Alarms(r.Context())
	return v, err
}

func (m *Module) peersPage(w http.ResponseWriter, r *http.Request) {
	v, err := m.peersView(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "federation/peers", v)
}

func (m *Module) peerAdd(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	p, err := m.svc.AddPeer(r.Context(), f.Get("url"))
	if err != nil {
		v, verr := m.peersView(r)
		if verr == nil && f.Take(err) {
			v.Form = f
			m.web.Render(w, r, web.FormStatus(err), "federation/peers", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/admin/peers#peer-"+p.ID, "flash.peer_added")
}

func (m *Module) peerStatus(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	if err := m.svc.SetPeerStatus(r.Context(), r.PathValue("id"), f.Get("status")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	flash := "flash.peer_suspended"
	if f.Get("status") == PeerVerified {
		flash = "flash.peer_verified"
	}
	m.web.Redirect(w, r, "/admin/peers", flash)
}

func (m *Module) peerRetry(w http.ResponseWriter, r *http.Request) {
	if _, err := m.svc.Retry(r.Context(), r.PathValue("id")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/admin/peers", "flash.peer_retry")
}

func (m *Module) peerRemove(w http.ResponseWriter, r *http.Request) {
	if err := m.svc.RemovePeer(r.Context(), r.PathValue("id")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/admin/peers", "flash.peer_removed")
}

type apiPeer struct {
	Peer
	Fingerprint string `json:"fingerprint"`
}

func (m *Module) apiPeers(w http.ResponseWriter, r *http.Request) {
	ps, err := m.svc.Peers(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	out := web.List[apiPeer]{Items: []apiPeer{}}
	for _, p := range ps {
		out.Items = append(out.Items, apiPeer{Peer: p, Fingerprint: p.Fingerprint()})
	}
	m.web.JSON(w, http.StatusOK, out)
}

func (m *Module) apiPeerAdd(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URL string `json:"url"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	p, err := m.svc.AddPeer(r.Context(), in.URL)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, apiPeer{Peer: p, Fingerprint: p.Fingerprint()})
}

func (m *Module) apiPeerStatus(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status string `json:"status"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := m.svc.SetPeerStatus(r.Context(), r.PathValue("id"), in.Status); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
