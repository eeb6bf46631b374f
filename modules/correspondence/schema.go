package correspondence

import (
	"embed"
	"io/fs"

	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the correspondence schema.
func Migrations() store.Migrations {
	sub, _ := fs.Sub(schemaFS, "schema")
	return store.Migrations{Component: "correspondence", FS: sub}
}
