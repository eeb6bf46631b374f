package correspondence

import (
	"embed"

	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the correspondence schema.
func Migrations() store.Migrations { return store.Embedded("correspondence", schemaFS) }
