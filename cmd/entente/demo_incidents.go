package main

import (
	"context"
	"fmt"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/modules/incidents"
)

// demoIncidents gives the demo its incident records: a ransomware incident
// on an Indonesian hospital, recorded by BSSN under TLP:AMBER for
// Singapore's CSA and Indonesia's foreign ministry, with an attribution and
// a response; and a public incident anyone can read.
func demoIncidents(ctx context.Context, nodes []*node) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	id := where["bssn"]
	if id == nil {
		return nil
	}
	addr := func(handle string) string { return handle + "@" + where[handle].fed.Host() }
	rina, err := actorFor(ctx, id, "rina@bssn.demo")
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(24 * time.Hour)
	start := now.AddDate(0, 0, -40)
	end := start.Add(72 * time.Hour)
	ransom, err := id.svcs.Incidents.Create(rina, "bssn", incidents.Incident{
		Name: "Ransomware at a regional hospital in Surabaya",
		Description: "Patient records and the admission system were encrypted; the operators threatened to publish records of 1.2 million patients. " +
			"Emergency admissions ran on paper for three days.",
		Start: start, End: &end,
		Types:     []string{"ransomware", "data_theft_doxing"},
		Receivers: []incidents.Receiver{{Name: "Regional hospital, Surabaya", Country: "ID", Category: "critical_infrastructure", Sector: "healthcare"}},
		Initiator: incidents.Initiator{Name: "A ransomware-as-a-service affiliate", Category: "non_state_criminal"},
		Inclusion: []string{"ci_target"},
		Sources:   []string{"BSSN Gov-CSIRT case 2026-114"},
		Impact:    "Three days of paper admissions; records of patients offered for sale.",
		Intensity: 4, Determination: "successful-attempt", Investigation: "open", Criticality: 80,
		TLP: core.TLPAmber, Audience: incidents.AudienceNamed, AudienceRefs: []string{addr("csa-sg"), addr("kemlu")},
	})
	if err != nil {
		return fmt.Errorf("demo incidents: ransomware: %w", err)
	}
	if _, err := id.svcs.Incidents.AddAttribution(rina, ransom.ID, incidents.Attribution{By: "BSSN", ByCategory: "state", ByCountry: "ID", At: start.AddDate(0, 0, 12),
		Basis: "technical", To: "A ransomware-as-a-service affiliate", Confidence: "moderate", Note: "Infrastructure and ransom note shared with two earlier cases."}); err != nil {
		return fmt.Errorf("demo incidents: attribution: %w", err)
	}
	if _, err := id.svcs.Incidents.AddResponse(rina, ransom.ID, incidents.Response{Kind: "statement", By: "BSSN", ByCountry: "ID", At: start.AddDate(0, 0, 14),
		Description: "Advisory to hospitals on the ransomware's entry points."}); err != nil {
		return fmt.Errorf("demo incidents: response: %w", err)
	}
	pstart := now.AddDate(0, -5, 0)
	if _, err := id.svcs.Incidents.Create(rina, "bssn", incidents.Incident{
		Name:        "Defacement of provincial government websites",
		Description: "Forty provincial and district websites showed a political message for about six hours.",
		Start:       pstart,
		Types:       []string{"disruption"},
		Receivers:   []incidents.Receiver{{Name: "Provincial governments", Country: "ID", Category: "state_institutions", Sector: "government-local"}},
		Initiator:   incidents.Initiator{Name: "A hacktivist group", Category: "non_state_political"},
		Inclusion:   []string{"political_target"},
		Sources:     []string{"https://bssn.go.id/"},
		Impact:      "Websites defaced for six hours; no data taken.",
		Intensity:   1, Determination: "successful-attempt", Investigation: "closed", Criticality: 20,
		TLP: core.TLPClear, Audience: incidents.AudiencePublic,
	}); err != nil {
		return fmt.Errorf("demo incidents: public: %w", err)
	}
	return nil
}
