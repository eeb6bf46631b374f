package cybercrime

import "entente.example/entente/internal/web"

func (m *Module) figureRoutes() []web.Route { return nil }
