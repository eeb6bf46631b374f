package cybercrime

import "entente.example/entente/internal/web"

// PENDING (lead, 14:40): placeholders so the package compiles while the
// instruments' service and pages are written. Whoever writes
// service_instruments.go and web_instruments.go deletes this file: the real
// Instruments type (with DB overrides) and instrumentRoutes replace these.
type Instruments struct{}

func (m *Module) instrumentRoutes() []web.Route { return nil }
