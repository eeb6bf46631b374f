package web

import (
	"net/http"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/auth"
)

type apiMembership struct {
	OrgID  string       `json:"org_id"`
	Handle string       `json:"org_handle"`
	Kind   core.OrgKind `json:"org_kind"`
	Role   core.Role    `json:"role"`
}

type apiMe struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Email       string          `json:"email"`
	NodeAdmin   bool            `json:"node_admin"`
	Lang        string          `json:"lang"`
	Memberships []apiMembership `json:"memberships"`
	TokenID     string          `json:"token_id,omitempty"`
	Scopes      []string        `json:"scopes,omitempty"`
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	a := core.ActorFrom(r.Context())
	me := apiMe{ID: a.UserID, Name: a.Name, Email: a.Email, NodeAdmin: a.NodeAdmin, Lang: Lang(r.Context()), TokenID: a.TokenID, Scopes: a.Scopes, Memberships: []apiMembership{}}
	for _, m := range a.Memberships {
		me.Memberships = append(me.Memberships, apiMembership{OrgID: m.Org.ID, Handle: m.Org.Handle, Kind: m.Kind, Role: m.Role})
	}
	s.JSON(w, http.StatusOK, me)
}

type apiToken struct {
	auth.Token
	Scopes []string `json:"scopes"`
	Active bool     `json:"active"`
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request) {
	ts, err := s.Auth.ListTokens(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	now := s.DB.Clock().Now()
	out := List[apiToken]{Items: []apiToken{}}
	for _, t := range ts {
		out.Items = append(out.Items, apiToken{Token: t, Scopes: t.ScopeList(), Active: t.Active(now)})
	}
	s.JSON(w, http.StatusOK, out)
}

type apiTokenRequest struct {
	Name          string   `json:"name"`
	Scopes        []string `json:"scopes"`
	ExpiresInDays int      `json:"expires_in_days"`
}

type apiTokenCreated struct {
	Token  apiToken `json:"token"`
	Secret string   `json:"secret"`
}

func (s *Server) apiTokenCreate(w http.ResponseWriter, r *http.Request) {
	var req apiTokenRequest
	if err := DecodeJSON(r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	t, secret, err := s.Auth.CreateToken(r.Context(), auth.NewToken{Name: req.Name, Scopes: req.Scopes, TTL: time.Duration(req.ExpiresInDays) * 24 * time.Hour})
	if err != nil {
		if ce := core.AsError(err); ce != nil && ce.Fields["ttl"] != "" {
			ce.Fields["expires_in_days"] = ce.Fields["ttl"]
			delete(ce.Fields, "ttl")
		}
		s.Error(w, r, err)
		return
	}
	s.JSON(w, http.StatusCreated, apiTokenCreated{Token: apiToken{Token: t, Scopes: t.ScopeList(), Active: true}, Secret: secret})
}

func (s *Server) apiTokenRevoke(w http.ResponseWriter, r *http.Request) {
	if err := s.Auth.RevokeToken(r.Context(), r.PathValue("id")); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
