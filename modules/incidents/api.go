package incidents

import "entente.example/entente/internal/web"

func (m *Module) apiRoutes() []web.Route { return nil }
