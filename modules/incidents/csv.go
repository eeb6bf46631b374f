package incidents

import "entente.example/entente/internal/web"

func (m *Module) fileRoutes() []web.Route { return nil }
