package publicdiplomacy

import "entente.example/entente/internal/web"

func (m *Module) newsroomRoutes() []web.Route { return nil }
