package publicdiplomacy

import "entente.example/entente/internal/web"

// caseRoutes are the disinformation cases' pages and API.
func (m *Module) caseRoutes() []web.Route { return nil }
