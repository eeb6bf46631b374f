package publicdiplomacy

import "entente.example/entente/internal/web"

func (m *Module) accountRoutes() []web.Route { return nil }
