package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCapacityAPI runs the Clearing House through /api/v1/capacity: a
// need, an offer, its suggestion with reasons as codes, a proposal, the
// acceptance and the project; a bad need names its fields; bytes the
// store refuses (NUL) and duplicate keys are refused before anything is
// written.
func TestCapacityAPI(t *testing.T) {
	_, base, pw := demoNode(t)
	anon := newClient(t, base)
	themes := decode[struct {
		Themes []struct {
			ID     string
			Topics []struct{ ID string }
		}
	}](t, anon.get("/api/v1/capacity/themes"))
	if len(themes.Themes) != 5 || themes.Themes[1].ID != "incident-cip" || len(themes.Themes[1].Topics) == 0 {
		t.Fatalf("themes = %+v", themes)
	}
	ana := login(t, base, "ana@mnec-tl.demo", pw)
	olivia := login(t, base, "olivia@dfat-au.demo", pw)

	r := ana.api("POST", "/api/v1/capacity/needs", "", map[string]any{"org": "mnec-tl", "title": "", "country": "ZZ", "topics": []string{"csirt"}})
	wantStatus(t, r, 422)
	var bad struct {
		Error struct{ Fields map[string]string }
	}
	if err := json.Unmarshal([]byte(r.Body), &bad); err != nil || bad.Error.Fields["title"] == "" || bad.Error.Fields["country"] == "" {
		t.Errorf("a bad need: %s", r.Body)
	}
	wantStatus(t, ana.api("POST", "/api/v1/capacity/needs", "", map[string]any{"org": "mnec-tl", "title": "CSIRT\x00", "country": "TL", "topics": []string{"csirt"}}), 422)
	req, _ := newJSONRequest(base+"/api/v1/capacity/needs", "", []byte(`{"org":"mnec-tl","title":"a","title":"b","country":"TL","topics":["csirt"]}`))
	req.Header.Del("Authorization")
	if r := ana.do(req); r.StatusCode < 400 {
		t.Errorf("duplicate keys: %d %s", r.StatusCode, r.Body)
	}
	if list := decode[[]json.RawMessage](t, anon.get("/api/v1/capacity/needs")); len(list) != 0 {
		t.Errorf("something was written: %d needs", len(list))
	}

	r = ana.api("POST", "/api/v1/capacity/needs", "", map[string]any{"org": "mnec-tl", "title": "A national CSIRT", "country": "TL", "topics": []string{"csirt"},
		"languages": []string{"en"}, "from": "2027-01-01", "to": "2027-12-31"})
	wantStatus(t, r, 201)
	need := decode[struct{ ID string }](t, r)
	r = olivia.api("POST", "/api/v1/capacity/offers", "", map[string]any{"org": "dfat-au", "title": "CSIRT development", "topics": []string{"csirt"},
		"regions": []string{"southeast-asia"}, "languages": []string{"en"}})
	wantStatus(t, r, 201)
	offer := decode[struct{ ID string }](t, r)
	got := decode[struct {
		Suggestions []struct {
			Offer   struct{ ID string }
			Score   int
			Reasons []struct{ Code string }
		}
	}](t, anon.get("/api/v1/capacity/needs/"+need.ID))
	if len(got.Suggestions) != 1 || got.Suggestions[0].Offer.ID != offer.ID || len(got.Suggestions[0].Reasons) < 4 || got.Suggestions[0].Reasons[1].Code != "region" {
		t.Fatalf("suggestions = %+v", got)
	}
	r = olivia.api("POST", "/api/v1/capacity/needs/"+need.ID+"/proposals", "", map[string]any{"offer": offer.ID})
	wantStatus(t, r, 201)
	prop := decode[struct{ ID string }](t, r)
	wantStatus(t, olivia.api("POST", "/api/v1/capacity/needs/"+need.ID+"/proposals/"+prop.ID, "", map[string]any{"accept": true}), 403)
	r = ana.api("POST", "/api/v1/capacity/needs/"+need.ID+"/proposals/"+prop.ID, "", map[string]any{"accept": true})
	wantStatus(t, r, 200)
	acc := decode[struct {
		Status    string
		ProjectID string `json:"project_id"`
	}](t, r)
	if acc.Status != "accepted" || acc.ProjectID == "" {
		t.Fatalf("decision = %+v", acc)
	}
	p := decode[struct {
		Owner   string
		Funders []string
	}](t, olivia.get("/api/v1/capacity/projects/"+acc.ProjectID))
	if !strings.HasPrefix(p.Owner, "mnec-tl@") || len(p.Funders) != 1 || !strings.HasPrefix(p.Funders[0], "dfat-au@") {
		t.Errorf("project = %+v", p)
	}

	// A project through the API, and the list's filters.
	wantStatus(t, olivia.api("POST", "/api/v1/capacity/projects", "", map[string]any{"org": "dfat-au", "title": "Cyber Bootcamp", "topics": []string{"awareness"},
		"countries": []string{"FJ"}, "status": "ongoing", "budget": 10000, "currency": "AUD"}), 201)
	for q, want := range map[string]int{"": 2, "theme=culture-skills": 1, "country=TL": 1, "status=planned": 1, "status=nope": 0} {
		if list := decode[[]json.RawMessage](t, anon.get("/api/v1/capacity/projects?"+q)); len(list) != want {
			t.Errorf("projects?%s: %d, want %d", q, len(list), want)
		}
	}
}
