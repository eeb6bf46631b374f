package cybercrime

import (
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/web"
)

// Module is cybercrime cooperation's slice of the product. Its routes are
// grouped by concern, each group in its own file: requests (web_requests.go),
// the JSON API (api.go), instruments (web_instruments.go), evidence
// (web_evidence.go) and figures (web_figures.go).
type Module struct {
	svc   *Service
	web   *web.Server
	links *links.Service // "link to an incident" (links.go); nil: none
	// inst are the instruments and their editing, for the instruments'
	// pages and the form's legal-basis options.
	inst *Instruments
}

// NewModule returns the module.
func NewModule(svc *Service, inst *Instruments, w *web.Server) *Module {
	return &Module{svc: svc, inst: inst, web: w}
}

// Name implements web.Module.
func (m *Module) Name() string { return "cybercrime" }

// Routes implements web.Module. Routes are guarded by CybercrimeRead (or a
// write action); the service then checks the request's own organisation.
func (m *Module) Routes() []web.Route {
	var out []web.Route
	for _, group := range [][]web.Route{m.requestRoutes(), m.apiRoutes(), m.instrumentRoutes(), m.evidenceRoutes(), m.figureRoutes()} {
		out = append(out, group...)
	}
	return out
}
