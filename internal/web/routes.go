package web

import (
	"net/http"

	"entente.example/entente/internal/access"
)

// platformRoutes is the route table of the platform's own pages and API. Each
// module adds its own table through Module.Routes.
func (s *Server) platformRoutes() []Route {
	return []Route{
		{Pattern: "GET /static/{file}", Action: access.Public, Handler: s.serveStatic},
		{Pattern: "GET /favicon.ico", Action: access.Public, Handler: s.serveFavicon},
		{Pattern: "GET /healthz", Action: access.Public, Handler: s.healthz},
		{Pattern: "GET /readyz", Action: access.Public, Handler: s.readyz},
		{Pattern: "GET /metrics", Action: access.Metrics, Handler: s.serveMetrics},

		{Pattern: "GET /{$}", Action: access.SignedIn, Handler: s.home},
		{Pattern: "GET /setup", Action: access.Anonymous, Handler: s.setupForm},
		{Pattern: "POST /setup", Action: access.Anonymous, Handler: s.setupSubmit},
		{Pattern: "GET /login", Action: access.Anonymous, Handler: s.loginForm},
		{Pattern: "POST /login", Action: access.Anonymous, Handler: s.loginSubmit},
		{Pattern: "GET /login/two-factor", Action: access.Anonymous, Handler: s.totpForm},
		{Pattern: "POST /login/two-factor", Action: access.Anonymous, Handler: s.totpSubmit},
		{Pattern: "POST /logout", Action: access.SignedIn, Handler: s.logout},
		{Pattern: "GET /invite", Action: access.Anonymous, Handler: s.inviteForm},
		{Pattern: "POST /invite", Action: access.Anonymous, Handler: s.inviteSubmit},
		{Pattern: "POST /lang", Action: access.Anonymous, Handler: s.setLang},

		{Pattern: "GET /account", Action: access.SignedIn, Handler: s.account},
		{Pattern: "POST /account/password", Action: access.AccountSelf, Handler: s.accountPassword},
		{Pattern: "GET /account/two-factor", Action: access.SignedIn, Handler: s.twoFactor},
		{Pattern: "POST /account/two-factor/start", Action: access.AccountSelf, Handler: s.twoFactorStart},
		{Pattern: "POST /account/two-factor/confirm", Action: access.AccountSelf, Handler: s.twoFactorConfirm},
		{Pattern: "POST /account/two-factor/disable", Action: access.AccountSelf, Handler: s.twoFactorDisable},
		{Pattern: "POST /account/tokens", Action: access.AccountSelf, Handler: s.tokenCreate},
		{Pattern: "POST /account/tokens/{id}/revoke", Action: access.AccountSelf, Handler: s.tokenRevoke},

		{Pattern: "GET /admin", Action: access.NodeAdmin, Handler: s.admin},
		{Pattern: "GET /admin/users", Action: access.NodeAdmin, Handler: s.adminUsers},
		{Pattern: "POST /admin/users/{id}/disable", Action: access.NodeAdmin, Handler: s.adminUserDisable},
		{Pattern: "POST /admin/users/{id}/enable", Action: access.NodeAdmin, Handler: s.adminUserEnable},
		{Pattern: "POST /admin/users/{id}/invite", Action: access.NodeAdmin, Handler: s.adminUserInvite},
		{Pattern: "POST /admin/users/{id}/node-admin", Action: access.NodeAdmin, Handler: s.adminUserNodeAdmin},
		{Pattern: "GET /admin/audit", Action: access.NodeAdmin, Handler: s.adminAudit},
		{Pattern: "GET /admin/audit/export", Action: access.NodeAdmin, Handler: s.adminAuditExport},
		{Pattern: "GET /admin/jobs", Action: access.NodeAdmin, Handler: s.adminJobs},

		{Pattern: "GET /api/v1/openapi.json", Action: access.Public, Handler: s.serveOpenAPI},
		{Pattern: "GET /api/v1/me", Action: access.SignedIn, Handler: s.apiMe},
		{Pattern: "GET /api/v1/tokens", Action: access.SignedIn, Handler: s.apiTokens},
		{Pattern: "POST /api/v1/tokens", Action: access.AccountSelf, Handler: s.apiTokenCreate},
		{Pattern: "DELETE /api/v1/tokens/{id}", Action: access.AccountSelf, Handler: s.apiTokenRevoke},

		// Everything else is a 404 page in the person's language.
		{Pattern: "/", Action: access.Public, Handler: func(w http.ResponseWriter, r *http.Request) { s.notFound.ServeHTTP(w, r) }},
	}
}
