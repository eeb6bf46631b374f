package incidents

import (
	_ "embed"

	"entente.example/entente/internal/links"
	"entente.example/entente/internal/web"
)

// Module is incident records' slice of the product. Its routes are grouped
// by concern, each group in its own file: incidents (web_incidents.go),
// the JSON API (api.go), CSV and JSON files (csv.go); a file that adds a
// group (statements, the linked chain, figures) adds it to Routes' list.
type Module struct {
	svc   *Service
	web   *web.Server
	links *links.Service // the linked chain (web_chain.go); nil shows none
	stmts *Statements    // the statements that name an incident (web_statements.go); nil lists none
}

// NewModule returns the module.
func NewModule(svc *Service, w *web.Server) *Module {
	return &Module{svc: svc, web: w}
}

// Name implements web.Module.
func (m *Module) Name() string { return "incidents" }

// Routes implements web.Module. Pages of incidents are guarded by
// IncidentsRead or IncidentsWrite (the public incident page by
// IncidentsPublic); the service then filters by label and audience.
func (m *Module) Routes() []web.Route {
	var out []web.Route
	for _, group := range [][]web.Route{m.incidentRoutes(), m.apiRoutes(), m.fileRoutes(), m.stixRoutes(), m.figureRoutes()} {
		out = append(out, group...)
	}
	return out
}

//go:embed openapi.json
var openapi []byte

// OpenAPI implements web.OpenAPISource.
func (m *Module) OpenAPI() []byte { return openapi }
