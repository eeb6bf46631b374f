package cybercrime

import "entente.example/entente/internal/web"

func (m *Module) requestRoutes() []web.Route { return nil }
