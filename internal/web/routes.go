package web

import (
	"net/http"

	"entente.example/entente/internal/access"
)

// platformRoutes is the route table of the platform's own pages and API. Each
// module adds its own table through Module.Routes.
func (s *Server) platformRoutes() []Route {
	return []Route{
		{"GET /static/{file}", access.Public, s.serveStatic},
		{"GET /healthz", access.Public, s.healthz},
		{"GET /readyz", access.Public, s.readyz},
		{"GET /metrics", access.Metrics, s.serveMetrics},

		{"GET /{$}", access.SignedIn, s.home},
		{"GET /setup", access.Anonymous, s.setupForm},
		{"POST /setup", access.Anonymous, s.setupSubmit},
		{"GET /login", access.Anonymous, s.loginForm},
		{"POST /login", access.Anonymous, s.loginSubmit},
		{"GET /login/two-factor", access.Anonymous, s.totpForm},
		{"POST /login/two-factor", access.Anonymous, s.totpSubmit},
		{"POST /logout", access.SignedIn, s.logout},
		{"GET /invite", access.Anonymous, s.inviteForm},
		{"POST /invite", access.Anonymous, s.inviteSubmit},
		{"POST /lang", access.Anonymous, s.setLang},

		{"GET /account", access.SignedIn, s.account},
		{"POST /account/password", access.AccountSelf, s.accountPassword},
		{"GET /account/two-factor", access.SignedIn, s.twoFactor},
		{"POST /account/two-factor/start", access.AccountSelf, s.twoFactorStart},
		{"POST /account/two-factor/confirm", access.AccountSelf, s.twoFactorConfirm},
		{"POST /account/two-factor/disable", access.AccountSelf, s.twoFactorDisable},
		{"POST /account/tokens", access.AccountSelf, s.tokenCreate},
		{"POST /account/tokens/{id}/revoke", access.AccountSelf, s.tokenRevoke},

		{"GET /admin", access.NodeAdmin, s.admin},
		{"GET /admin/users", access.NodeAdmin, s.adminUsers},
		{"POST /admin/users/{id}/disable", access.NodeAdmin, s.adminUserDisable},
		{"POST /admin/users/{id}/enable", access.NodeAdmin, s.adminUserEnable},
		{"POST /admin/users/{id}/invite", access.NodeAdmin, s.adminUserInvite},
		{"GET /admin/audit", access.NodeAdmin, s.adminAudit},
		{"GET /admin/audit/export", access.NodeAdmin, s.adminAuditExport},
		{"GET /admin/jobs", access.NodeAdmin, s.adminJobs},

		{"GET /api/v1/openapi.json", access.Public, s.serveOpenAPI},
		{"GET /api/v1/me", access.SignedIn, s.apiMe},
		{"GET /api/v1/tokens", access.SignedIn, s.apiTokens},
		{"POST /api/v1/tokens", access.AccountSelf, s.apiTokenCreate},
		{"DELETE /api/v1/tokens/{id}", access.AccountSelf, s.apiTokenRevoke},

		// Everything else is a 404 page in the person's language.
		{"/", access.Public, func(w http.ResponseWriter, r *http.Request) { s.notFound.ServeHTTP(w, r) }},
	}
}
