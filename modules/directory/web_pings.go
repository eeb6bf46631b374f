package directory

import (
	"context"
	"net/http"

	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// pingActionRoutes is the secretariat's actions on a running check.
func (m *Module) pingActionRoutes() []web.Route {
	return []web.Route{
		{Pattern: "POST /pings/{id}/remind", Action: access.NetworkManage, Handler: m.pingAction(m.nets.RemindPing, "flash.ping_reminded")},
		{Pattern: "POST /pings/{id}/escalate", Action: access.NetworkManage, Handler: m.pingAction(m.nets.EscalatePing, "flash.ping_escalated")},
		{Pattern: "POST /pings/{id}/close", Action: access.NetworkManage, Handler: m.pingAction(m.nets.ClosePing, "flash.ping_closed")},
	}
}

// pingAction runs one of the secretariat's actions and goes back to the
// check, saying what happened (or that there was nobody to act on).
func (m *Module) pingAction(do func(context.Context, string) (PingAction, error), flash string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		res, err := do(r.Context(), id)
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
		if res.Done == 0 && flash != "flash.ping_closed" {
			flash = "flash.ping_nobody"
		}
		m.web.Redirect(w, r, "/pings/"+id, flash)
	}
}
