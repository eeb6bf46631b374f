package publicdiplomacy

import "entente.example/entente/internal/web"

func (m *Module) webcareRoutes() []web.Route { return nil }
