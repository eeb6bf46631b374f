package web_test

import (
	"testing"
	"time"

	"entente.example/entente/internal/web"
	webfiles "entente.example/entente/web"
)

// TestDurationsInTheReadersLanguage: a deadline clock and a response time
// are in Bahasa Indonesia on an Indonesian page ("sisa 0 jam 05 menit", not
// "sisa 0h 05m"), and a peer's refusal is said in words, never as its key.
func TestDurationsInTheReadersLanguage(t *testing.T) {
	cat, err := web.LoadCatalog(webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		lang, got, want string
	}{
		{"en", cat.Until("en", now, now.Add(5*time.Minute)), "0h 05m"},
		{"id", cat.Until("id", now, now.Add(5*time.Minute)), "0 jam 05 menit"},
		{"id", cat.Until("id", now, now.Add(-90*time.Minute)), "1 jam 30 menit"},
		{"en", cat.Until("en", now, now.Add(75*time.Hour)), "3d 3h"},
		{"id", cat.Until("id", now, now.Add(75*time.Hour)), "3 hari 3 jam"},
		{"id", cat.T("id", "pocs.left", cat.Until("id", now, now)), "sisa 0 jam 00 menit"},
		{"en", cat.Duration("en", 42*time.Second), "42s"},
		{"id", cat.Duration("id", 42*time.Second), "42 detik"},
		{"id", cat.Duration("id", 2*time.Minute+3*time.Second), "2 menit 03 detik"},
		{"id", cat.Duration("id", 26*time.Hour+time.Minute), "26 jam 01 menit"},
		{"id", cat.Note("id", "peer sg.test refused the envelope: correspondence.message refused by csa-sg: err.recipient_unknown"),
			"Ditolak oleh sg.test: Tidak ada organisasi tersebut di simpul ini."},
		{"id", cat.Note("id", "peer sg.test refused the envelope: err.no_such_key_here"), "Ditolak oleh sg.test: simpul itu memberi alasan yang tidak dikenal simpul ini."},
		{"en", cat.Note("en", "peer sg.test: dial tcp: connection refused"), "peer sg.test: dial tcp: connection refused"},
		{"id", cat.Note("id", "retry horizon passed"), "Simpul penerima tidak menerimanya dalam batas waktu percobaan ulang."},
		{"id", cat.T("id", "err.recipient_unknown_peer x@sg.test"), "x@sg.test: direktori simpul tersebut tidak memuat organisasi itu. Pilih alamat dari daftar."},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.lang, tt.got, tt.want)
		}
	}
}
