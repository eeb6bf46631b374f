package publicdiplomacy

import "entente.example/entente/internal/web"

func (m *Module) apiRoutes() []web.Route { return nil }
