package humanitarian

import (
	"net/http/httptest"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/humanitarian/geo"
)

// TestMapDrawsVerifiedReportsOnly: the public map and its GeoJSON count
// verified reports only, grouped without losing one, and name neither the
// reporter nor anything unverified; the coordinator's map has them all.
func TestMapDrawsVerifiedReportsOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w, m := newSite(t, e)
		em := mustEmergency(t, w)
		coord := as("bnpb", core.RoleAnalyst)
		places := []string{"Palu Barat", "Palu Barat", "Tatanga", "Sigi Biromaru", "Banawa"}
		for i, p := range places {
			r, err := w.svc.Submit(anonymous("203.0.113.1"), ReportInput{EmergencyID: em.ID, Channel: ChannelWeb, Text: "Laporan " + p,
				Category: "water", Place: p, Contact: "+6281100000" + string(rune('0'+i))})
			if err != nil {
				t.Fatal(err)
			}
			if i < 4 {
				if _, err := w.svc.Decide(coord, r.ID, ReportVerified, ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		// One far away: kept (an SMS cannot be fixed), counted outside.
		if _, err := w.svc.Submit(anonymous("203.0.113.1"), ReportInput{EmergencyID: em.ID, Channel: ChannelSMS, Text: "jauh", Lat: ptr(5), Lon: ptr(95)}); err != nil {
			t.Fatal(err)
		}
		fr := frame(em.Box)
		box := Box{West: fr.West, South: fr.South, East: fr.East, North: fr.North}
		groups, outside, err := w.svc.MapGroups(anonymous("198.51.100.2"), em, ReportFilter{}, box, 0.01)
		n := 0
		for _, g := range groups {
			n += g.N
		}
		if err != nil || n != 4 || outside != 0 || len(groups) != 3 {
			t.Fatalf("public groups %+v (%d reports), outside %d, %v; want 4 verified reports in 3 places", groups, n, outside, err)
		}
		if groups, outside, _ = w.svc.MapGroups(coord, em, ReportFilter{}, box, 0.01); len(groups) != 4 || outside != 1 {
			t.Fatalf("coordinator's groups %+v, outside %d; want 4 places and 1 outside", groups, outside)
		}

		page := func(ctx, target string) string {
			res := serve(t, m.crisisMap, web.WithLang(anonymous("198.51.100.2"), ctx), httptest.NewRequest("GET", target, nil), "id", em.ID)
			if res.Code != 200 {
				t.Fatalf("%s: %d\n%s", target, res.Code, res.Body)
			}
			return res.Body.String()
		}
		body := page("en", "/humanitarian/emergencies/"+em.ID+"/map")
		for _, bad := range []string{"Banawa", "+62110", "jauh"} {
			if strings.Contains(body, bad) {
				t.Errorf("the public map shows %q", bad)
			}
		}
		if !strings.Contains(body, "Reports on the map: 4.") || !strings.Contains(body, "Laporan Tatanga") {
			t.Errorf("the public map:\n%s", body)
		}
		if body := page("en", "/humanitarian/emergencies/"+em.ID+"/map?category=food&since=24h"); !strings.Contains(body, "Reports on the map: 0.") {
			t.Errorf("filtered by food, the map still draws reports")
		} else if !strings.Contains(body, "reports.geojson?category=food&amp;since=24h") {
			t.Errorf("the GeoJSON link loses the filter:\n%s", body)
		}

		res := serve(t, m.geoJSON, anonymous("198.51.100.2"), httptest.NewRequest("GET", "/x", nil), "id", em.ID)
		doc, err := geo.ParseGeoJSON(res.Body.Bytes())
		if err != nil || res.Header().Get("Content-Type") != geo.MediaType {
			t.Fatalf("GeoJSON: %v, %s\n%s", err, res.Header().Get("Content-Type"), res.Body)
		}
		if strings.Count(res.Body.String(), `"Feature"`) != 4 || strings.Contains(res.Body.String(), "+6211") || doc == nil {
			t.Errorf("GeoJSON export:\n%s", res.Body)
		}
	})
}
