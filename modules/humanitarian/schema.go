package humanitarian

import (
	"embed"

	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the module's schema.
func Migrations() store.Migrations { return store.Embedded("humanitarian", schemaFS) }
