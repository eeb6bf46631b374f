package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/auth"
)

type accountView struct {
	Page
	User        auth.User
	Tokens      []auth.Token
	Now         time.Time
	PassForm    Form
	TokenForm   Form
	NewToken    string // shown once, right after creation
	NewTokenFor string
}

func (s *Server) accountView(r *http.Request) (accountView, error) {
	v := accountView{Page: s.Page(r, "title.account"), Now: s.DB.Clock().Now()}
	v.Nav = "account"
	var err error
	if v.User, err = s.Auth.UserByID(r.Context(), v.Actor.UserID); err != nil {
		return v, err
	}
	if v.Tokens, err = s.Auth.ListTokens(r.Context()); err != nil {
		return v, err
	}
	return v, nil
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	v, err := s.accountView(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "account", v)
}

func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request) {
	f := NewForm(r)
	if f.Get("password") != f.Get("password2") {
		v, err := s.accountView(r)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		v.PassForm = f
		v.PassForm.Problems.Add("password2", "err.password_mismatch")
		s.Render(w, r, http.StatusUnprocessableEntity, "account", v)
		return
	}
	err := s.Auth.ChangePassword(r.Context(), f.Get("current"), f.Get("password"), s.pendingCookie(r))
	if err != nil {
		v, verr := s.accountView(r)
		if verr == nil && f.Take(err) {
			v.PassForm = f
			s.Render(w, r, FormStatus(err), "account", v)
			return
		}
		s.Error(w, r, err)
		return
	}
	s.Redirect(w, r, "/account", "flash.password_changed")
}

func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) {
	f := NewForm(r)
	days, _ := strconv.Atoi(f.Get("days"))
	scopes := f.Values["scopes"]
	t, secret, err := s.Auth.CreateToken(r.Context(), auth.NewToken{Name: f.Get("name"), Scopes: scopes, TTL: time.Duration(days) * 24 * time.Hour})
	v, verr := s.accountView(r)
	if verr != nil {
		s.Error(w, r, verr)
		return
	}
	if err != nil {
		if f.Take(err) {
			if _, ok := f.Problems["ttl"]; ok {
				f.Problems["days"] = f.Problems["ttl"]
			}
			v.TokenForm = f
			s.Render(w, r, FormStatus(err), "account", v)
			return
		}
		s.Error(w, r, err)
		return
	}
	v.NewToken, v.NewTokenFor = secret, t.Name
	v.Flash = "flash.token_created"
	s.Render(w, r, http.StatusCreated, "account", v)
}

func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	if err := s.Auth.RevokeToken(r.Context(), r.PathValue("id")); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Redirect(w, r, "/account", "flash.token_revoked")
}

type twoFactorView struct {
	Page
	Enabled   bool
	Enrolment *auth.TOTPEnrolment
	Form      Form
}

func (s *Server) twoFactorView(r *http.Request) (twoFactorView, error) {
	v := twoFactorView{Page: s.Page(r, "title.two_factor")}
	v.Nav = "account"
	u, err := s.Auth.UserByID(r.Context(), v.Actor.UserID)
	if err != nil {
		return v, err
	}
	v.Enabled = u.TOTPEnabled
	if !v.Enabled {
		e, ok, err := s.Auth.PendingTOTP(r.Context(), s.issuer())
		if err != nil {
			return v, err
		}
		if ok {
			v.Enrolment = &e
		}
	}
	return v, nil
}

func (s *Server) issuer() string {
	if s.NodeName != "" {
		return "Entente " + s.NodeName
	}
	return "Entente"
}

func (s *Server) twoFactor(w http.ResponseWriter, r *http.Request) {
	v, err := s.twoFactorView(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "two_factor", v)
}

func (s *Server) twoFactorStart(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Auth.BeginTOTP(r.Context(), s.issuer()); err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/account/two-factor", http.StatusSeeOther)
}

func (s *Server) twoFactorConfirm(w http.ResponseWriter, r *http.Request) {
	f := NewForm(r)
	if err := s.Auth.ConfirmTOTP(r.Context(), f.Get("code")); err != nil {
		v, verr := s.twoFactorView(r)
		if verr == nil && f.Take(err) {
			v.Form = f
			s.Render(w, r, FormStatus(err), "two_factor", v)
			return
		}
		s.Error(w, r, err)
		return
	}
	s.Redirect(w, r, "/account/two-factor", "flash.totp_enabled")
}

func (s *Server) twoFactorDisable(w http.ResponseWriter, r *http.Request) {
	f := NewForm(r)
	if err := s.Auth.DisableTOTP(r.Context(), f.Get("current")); err != nil {
		v, verr := s.twoFactorView(r)
		if verr == nil && f.Take(err) {
			v.Form = f
			s.Render(w, r, FormStatus(err), "two_factor", v)
			return
		}
		s.Error(w, r, err)
		return
	}
	s.Redirect(w, r, "/account/two-factor", "flash.totp_disabled")
}

type homeView struct {
	Page
	Items []Attention
}

// home shows what needs the person's attention, gathered from every module.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	v := homeView{Page: s.Page(r, "title.home")}
	v.Nav = "home"
	a := core.ActorFrom(r.Context())
	u, err := s.Auth.UserByID(r.Context(), a.UserID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if !u.TOTPEnabled && a.TokenID == "" {
		v.Items = append(v.Items, Attention{Key: "attn.enable_2fa", Link: "/account/two-factor"})
	}
	if a.NodeAdmin {
		counts, err := s.Jobs.Counts(r.Context())
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if n := counts["dead"]; n > 0 {
			v.Items = append(v.Items, Attention{Key: "attn.dead_jobs", Args: []any{n}, Link: "/admin/jobs?state=dead"})
		}
	}
	for _, m := range s.modules {
		src, ok := m.(AttentionSource)
		if !ok {
			continue
		}
		items, err := src.Attention(r.Context(), a)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		v.Items = append(v.Items, items...)
	}
	// What falls due first comes first; the rest keeps the modules' order.
	slices.SortStableFunc(v.Items, func(x, y Attention) int {
		switch {
		case x.Due != nil && y.Due != nil:
			return x.Due.Compare(*y.Due)
		case x.Due != nil:
			return -1
		case y.Due != nil:
			return 1
		}
		return 0
	})
	s.Render(w, r, http.StatusOK, "home", v)
}
