package cybercrime

import "entente.example/entente/internal/web"

func (m *Module) evidenceRoutes() []web.Route { return nil }
