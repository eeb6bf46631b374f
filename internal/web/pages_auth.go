package web

import (
	"net/http"
	"net/url"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/auth"
)

type authView struct {
	Page
	Form         Form
	Token        string
	Next         string
	SetupNeeded  bool
	LinkInvalid  bool
	InviteeEmail string
}

// safeNext keeps redirects after sign-in on this node: a path, never a
// scheme-relative or absolute URL.
func safeNext(next string) string {
	for i := 0; i < len(next); i++ {
		// Browsers drop tabs and newlines from URLs and read \ as /, which
		// would turn "/\t/evil.example" into "//evil.example".
		if c := next[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}

func (s *Server) meta(r *http.Request) auth.SessionMeta {
	return auth.SessionMeta{IP: core.RequestFrom(r.Context()).IP, UserAgent: r.UserAgent()}
}

func (s *Server) setSession(w http.ResponseWriter, tok string) {
	http.SetCookie(w, &http.Cookie{Name: s.SessionCookie(), Value: tok, Path: "/", HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.SessionCookie(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
}

func (s *Server) setupForm(w http.ResponseWriter, r *http.Request) {
	v := authView{Page: s.Page(r, "title.setup"), Token: r.URL.Query().Get("token")}
	need, err := s.Auth.SetupNeeded(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if !need {
		s.Redirect(w, r, "/login", "flash.setup_done_already")
		return
	}
	if s.Auth.CheckLink(r.Context(), v.Token, auth.PurposeSetup) != nil {
		v.LinkInvalid = true
		s.Render(w, r, http.StatusNotFound, "setup", v)
		return
	}
	s.Render(w, r, http.StatusOK, "setup", v)
}

func (s *Server) setupSubmit(w http.ResponseWriter, r *http.Request) {
	f := NewForm(r)
	v := authView{Page: s.Page(r, "title.setup"), Form: f, Token: f.Get("token")}
	n := auth.NewUser{Email: f.Get("email"), Name: f.Get("name"), Lang: Lang(r.Context())}
	_, sess, err := s.Auth.Setup(r.Context(), f.Get("token"), n, f.Get("password"), s.meta(r))
	if err != nil {
		if core.KindOf(err) == core.KindNotFound {
			v.LinkInvalid = true
			s.Render(w, r, http.StatusNotFound, "setup", v)
			return
		}
		if v.Form.Take(err) {
			s.Render(w, r, FormStatus(err), "setup", v)
			return
		}
		s.Error(w, r, err)
		return
	}
	s.setSession(w, sess)
	s.Redirect(w, r, "/", "flash.setup_done")
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if !core.ActorFrom(r.Context()).Anonymous() {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	need, err := s.Auth.SetupNeeded(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := authView{Page: s.Page(r, "title.login"), Next: safeNext(r.URL.Query().Get("next")), SetupNeeded: need}
	s.Render(w, r, http.StatusOK, "login", v)
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	f := NewForm(r)
	v := authView{Page: s.Page(r, "title.login"), Form: f, Next: safeNext(f.Get("next"))}
	res, err := s.Auth.Login(r.Context(), f.Get("email"), f.Get("password"), s.meta(r))
	if err != nil {
		if v.Form.Take(err) {
			v.Form.Values.Del("password")
			s.Render(w, r, FormStatus(err), "login", v)
			return
		}
		s.Error(w, r, err)
		return
	}
	s.setSession(w, res.Session)
	if res.MFAPending {
		http.Redirect(w, r, "/login/two-factor?next="+url.QueryEscape(v.Next), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

func (s *Server) pendingCookie(r *http.Request) string {
	if c, err := r.Cookie(s.SessionCookie()); err == nil {
		return c.Value
	}
	return ""
}

func (s *Server) totpForm(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Auth.PendingUser(r.Context(), s.pendingCookie(r)); err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	v := authView{Page: s.Page(r, "title.two_factor"), Next: safeNext(r.URL.Query().Get("next"))}
	s.Render(w, r, http.StatusOK, "login_totp", v)
}

func (s *Server) totpSubmit(w http.ResponseWriter, r *http.Request) {
	f := NewForm(r)
	v := authView{Page: s.Page(r, "title.two_factor"), Form: f, Next: safeNext(f.Get("next"))}
	sess, err := s.Auth.LoginTOTP(r.Context(), s.pendingCookie(r), strings.TrimSpace(f.Get("code")), s.meta(r))
	if err != nil {
		if core.KindOf(err) == core.KindUnauthenticated {
			s.Redirect(w, r, "/login", "flash.login_again")
			return
		}
		if v.Form.Take(err) {
			s.Render(w, r, FormStatus(err), "login_totp", v)
			return
		}
		s.Error(w, r, err)
		return
	}
	s.setSession(w, sess)
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.Auth.Logout(r.Context(), s.pendingCookie(r)); err != nil {
		s.Error(w, r, err)
		return
	}
	s.clearSession(w)
	s.Redirect(w, r, "/login", "flash.logged_out")
}

func (s *Server) inviteForm(w http.ResponseWriter, r *http.Request) {
	v := authView{Page: s.Page(r, "title.invite"), Token: r.URL.Query().Get("token")}
	if s.Auth.CheckLink(r.Context(), v.Token, auth.PurposeInvite) != nil {
		v.LinkInvalid = true
		s.Render(w, r, http.StatusNotFound, "invite", v)
		return
	}
	s.Render(w, r, http.StatusOK, "invite", v)
}

func (s *Server) inviteSubmit(w http.ResponseWriter, r *http.Request) {
	f := NewForm(r)
	v := authView{Page: s.Page(r, "title.invite"), Form: f, Token: f.Get("token")}
	if f.Get("password") != f.Get("password2") {
		v.Form.Problems.Add("password2", "err.password_mismatch")
		s.Render(w, r, http.StatusUnprocessableEntity, "invite", v)
		return
	}
	_, sess, err := s.Auth.AcceptInvite(r.Context(), f.Get("token"), f.Get("password"), s.meta(r))
	if err != nil {
		if core.KindOf(err) == core.KindNotFound {
			v.LinkInvalid = true
			s.Render(w, r, http.StatusNotFound, "invite", v)
			return
		}
		if v.Form.Take(err) {
			s.Render(w, r, FormStatus(err), "invite", v)
			return
		}
		s.Error(w, r, err)
		return
	}
	s.setSession(w, sess)
	s.Redirect(w, r, "/", "flash.welcome")
}

// setLang switches the language: for a signed-in person it is remembered on
// their account; for everyone a cookie keeps it until they sign in.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	f := NewForm(r)
	lang := f.Get("lang")
	if lang != "en" && lang != "id" {
		s.Error(w, r, &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{"lang": "err.lang"}})
		return
	}
	if a := core.ActorFrom(r.Context()); !a.Anonymous() {
		if err := s.Auth.SetLang(r.Context(), lang); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, safeNext(f.Get("next")), http.StatusSeeOther)
}
