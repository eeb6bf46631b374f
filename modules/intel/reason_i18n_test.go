package intel

import (
	"testing"

	"entente.example/entente/internal/web"
	webfiles "entente.example/entente/web"
)

// TestRefusalReasonsInIndonesian: the reasons the ingest writes, in English
// for TAXII clients, are said in Bahasa Indonesia on an Indonesian status
// page, property names and values kept; unknown lines pass unchanged.
func TestRefusalReasonsInIndonesian(t *testing.T) {
	cat, err := web.LoadCatalog(webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ in, want string }{
		{problem("type", "is required").Error(), "type: wajib ada"},
		{problem("spec_version", "is %q; this node stores STIX 2.1 only", "2.0").Error(), `spec_version: bernilai "2.0"; simpul ini hanya menyimpan STIX 2.1`},
		{problem("modified", "is before created (%s < %s)", "2026-01-01", "2026-02-01").Error(), "modified: lebih awal daripada created (2026-01-01 < 2026-02-01)"},
		{"objects[3]: type: is required", "objects[3]: type: wajib ada"},
		{"valid_from: does not follow the STIX 2.1 schema: missing property 'x'", "valid_from: tidak mengikuti skema STIX 2.1: missing property 'x'"},
		{"id: this object belongs to another organisation; only its owner can publish a new version", "id: objek ini milik organisasi lain; hanya pemiliknya yang dapat menerbitkan versi baru"},
		{"already stored", "sudah tersimpan"},
		{"pattern: unexpected token ']'", "pattern: unexpected token ']'"},
	} {
		if got := reasonIn(cat, "id", tt.in); got != tt.want {
			t.Errorf("%q in Indonesian: %q, want %q", tt.in, got, tt.want)
		}
		if got := reasonIn(cat, "en", tt.in); got != tt.in {
			t.Errorf("%q in English: %q, want it unchanged", tt.in, got)
		}
	}
}
