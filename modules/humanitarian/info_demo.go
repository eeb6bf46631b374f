package humanitarian

import (
	"context"
	"fmt"
)

// DemoInfo gives a demo emergency what the people affected would read:
// shelters around Palu Bay (one full, one closed), the hotlines, safety
// advice in Bahasa Indonesia and English, and an SMSSync gateway on the
// emergency's SMS number and a mail gateway. A coordinator of the
// emergency calls it; the gateways' secrets are thrown away (a coordinator
// makes new gateways to connect a phone).
func (s *Service) DemoInfo(ctx context.Context, e Emergency) error {
	shelters := []Shelter{
		{Name: "Posko Lapangan Vatulemo", PCode: "ID7271030", Place: "Jl. Moh. Yamin", Capacity: 800, Facilities: "Air bersih, dapur umum, MCK, pos kesehatan"},
		{Name: "Masjid Agung Palu Barat", PCode: "ID7271010", Capacity: 300, Facilities: "Tenda, air bersih"},
		{Name: "Stadion Gawalise", PCode: "ID7271040", Status: ShelterFull, Capacity: 1500, Facilities: "Tenda BNPB, dapur umum"},
		{Name: "Posko Petobo", PCode: "ID7271020", Capacity: 400, Facilities: "Air bersih dari tangki PMI"},
		{Name: "Posko Sigi Biromaru", PCode: "ID7210120", Capacity: 500, Facilities: "Pos kesehatan, ruang ramah anak"},
		{Name: "Posko Dolo", PCode: "ID7210110", Capacity: 250},
		{Name: "Posko Banawa", PCode: "ID7205080", Capacity: 350, Facilities: "Genset, air bersih"},
		{Name: "SD Inpres Tatanga", PCode: "ID7271011", Status: ShelterClosed, Capacity: 120},
	}
	for _, sh := range shelters {
		if _, err := s.SaveShelter(ctx, e, sh); err != nil {
			return fmt.Errorf("demo info: shelter %s: %w", sh.Name, err)
		}
	}
	hotlines := []Hotline{
		{Name: "BNPB", Number: "117", Hours: "24 jam"},
		{Name: "Basarnas (SAR)", Number: "115", Hours: "24 jam"},
		{Name: "Ambulans", Number: "119", Hours: "24 jam"},
		{Name: "PMI Kota Palu", Number: "+62 451 421 000", Hours: "07.00–22.00 WITA"},
	}
	for i, h := range hotlines {
		h.Position = i
		if _, err := s.SaveHotline(ctx, e, h); err != nil {
			return fmt.Errorf("demo info: hotline %s: %w", h.Name, err)
		}
	}
	if err := s.SaveAdvice(ctx, e, map[string]string{
		"id": "Jauhi bangunan yang retak dan tiang listrik. Waspada gempa susulan.\n" +
			"Jangan kembali ke pantai Teluk Palu sampai ada pemberitahuan resmi: ancaman tsunami.\n" +
			"Minum hanya air yang dimasak atau air kemasan.\n" +
			"Anak terpisah dari keluarga? Laporkan ke posko terdekat atau kirim SMS LAPOR.",
		"en": "Keep away from cracked buildings and power poles. Expect aftershocks.\n" +
			"Do not go back to the shore of Palu Bay until officials say so: tsunami risk.\n" +
			"Drink only boiled or bottled water.\n" +
			"Child separated from their family? Tell the nearest aid post or text REPORT.",
	}); err != nil {
		return fmt.Errorf("demo info: advice: %w", err)
	}
	if e.SMSNumber != "" {
		if _, err := s.CreateGateway(ctx, e, Gateway{Kind: GatewaySMSSync, Name: "Posko BNPB, Palu", Address: e.SMSNumber}); err != nil {
			return fmt.Errorf("demo info: gateway: %w", err)
		}
	}
	if _, err := s.CreateGateway(ctx, e, Gateway{Kind: GatewayMail, Address: "lapor.sulteng@bnpb.demo"}); err != nil {
		return fmt.Errorf("demo info: mail gateway: %w", err)
	}
	return nil
}
