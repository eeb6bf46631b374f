package publicdiplomacy

import "entente.example/entente/internal/web"

func (m *Module) publicRoutes() []web.Route { return nil }
