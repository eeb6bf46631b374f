package incidents

import "entente.example/entente/internal/web"

func (m *Module) incidentRoutes() []web.Route { return nil }
