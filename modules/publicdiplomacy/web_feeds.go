package publicdiplomacy

import "entente.example/entente/internal/web"

// feedRoutes are media monitoring's pages and API.
func (m *Module) feedRoutes() []web.Route { return nil }
