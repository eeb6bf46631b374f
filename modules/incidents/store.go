package incidents

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
)

// prefixed are incidentColumns on the row aliased i.
var prefixed = func() string {
	var cols []string
	for _, c := range strings.Split(incidentColumns, ",") {
		cols = append(cols, "i."+strings.TrimSpace(c))
	}
	return strings.Join(cols, ", ")
}()

// encode writes the coded lists into their JSON columns.
func (i *Incident) encode() error {
	for _, f := range []struct {
		dst *string
		v   any
	}{{&i.TypesJSON, nonNil(i.Types)}, {&i.ReceiversJSON, i.Receivers}, {&i.InitiatorJSON, i.Initiator}, {&i.InclusionJSON, nonNil(i.Inclusion)},
		{&i.SourcesJSON, nonNil(i.Sources)}, {&i.AudienceJSON, nonNil(i.AudienceRefs)}} {
		b, err := json.Marshal(f.v)
		if err != nil {
			return fmt.Errorf("incidents: encode: %w", err)
		}
		*f.dst = string(b)
	}
	if i.Receivers == nil {
		i.ReceiversJSON = "[]"
	}
	return nil
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// decode reads the JSON columns back.
func (i *Incident) decode() error {
	for _, f := range []struct {
		src string
		dst any
	}{{i.TypesJSON, &i.Types}, {i.ReceiversJSON, &i.Receivers}, {i.InitiatorJSON, &i.Initiator}, {i.InclusionJSON, &i.Inclusion},
		{i.SourcesJSON, &i.Sources}, {i.AudienceJSON, &i.AudienceRefs}} {
		if f.src == "" {
			continue
		}
		if err := json.Unmarshal([]byte(f.src), f.dst); err != nil {
			return fmt.Errorf("incidents: decode %s: %w", i.ID, err)
		}
	}
	i.Start = i.Start.UTC()
	if i.End != nil {
		e := i.End.UTC()
		i.End = &e
	}
	return nil
}

func insertIncident(ctx context.Context, tx *store.Tx, i *Incident) error {
	if err := i.encode(); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO inc_incidents (`+incidentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		i.ID, i.OriginID, i.Node, i.OrgID, i.Owner, i.Name, i.Description, i.Start.UTC(), utcPtr(i.End), i.TypesJSON, i.ReceiversJSON, i.InitiatorJSON,
		i.InclusionJSON, i.SourcesJSON, i.Impact, i.Intensity, i.Determination, i.Investigation, i.Criticality, string(i.TLP), i.Audience, i.AudienceJSON,
		i.Version, i.CreatedAt, i.UpdatedAt, i.Exercise)
	return core.Wrap("incidents: insert", err)
}

func updateIncident(ctx context.Context, tx *store.Tx, i *Incident) error {
	if err := i.encode(); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE inc_incidents SET owner = ?, name = ?, description = ?, start_at = ?, end_at = ?, types = ?, receivers = ?, initiator = ?,
		inclusion = ?, sources = ?, impact = ?, intensity = ?, determination = ?, investigation = ?, criticality = ?, tlp = ?, audience = ?, audience_refs = ?,
		version = ?, created_at = ?, updated_at = ?, exercise = ? WHERE id = ?`,
		i.Owner, i.Name, i.Description, i.Start.UTC(), utcPtr(i.End), i.TypesJSON, i.ReceiversJSON, i.InitiatorJSON, i.InclusionJSON, i.SourcesJSON, i.Impact,
		i.Intensity, i.Determination, i.Investigation, i.Criticality, string(i.TLP), i.Audience, i.AudienceJSON, i.Version, i.CreatedAt, i.UpdatedAt, i.Exercise, i.ID)
	return core.Wrap("incidents: update", err)
}

func utcPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// getIncident reads a row without any filter: for the service's own
// checks after it decided who may see it.
func getIncident(ctx context.Context, q store.Conn, id string) (Incident, error) {
	var i Incident
	if err := q.Get(ctx, &i, `SELECT `+prefixed+` FROM inc_incidents i WHERE i.id = ?`, id); err != nil {
		return i, core.Wrap("incidents: get", err)
	}
	return i, i.decode()
}

// loadChildren reads an incident's attributions and responses, oldest
// first.
func loadChildren(ctx context.Context, q store.Conn, i *Incident) error {
	i.Attributions, i.Responses = nil, nil
	if err := q.Select(ctx, &i.Attributions, `SELECT id, incident_id, origin_id, by_name, by_category, by_country, at, basis, to_name, to_country, confidence, note, sources
		FROM inc_attributions WHERE incident_id = ? ORDER BY at, id`, i.ID); err != nil {
		return core.Wrap("incidents: attributions", err)
	}
	for k := range i.Attributions {
		i.Attributions[k].At = i.Attributions[k].At.UTC()
		if err := json.Unmarshal([]byte(i.Attributions[k].SourcesJSON), &i.Attributions[k].Sources); err != nil {
			return fmt.Errorf("incidents: attribution sources: %w", err)
		}
	}
	if err := q.Select(ctx, &i.Responses, `SELECT id, incident_id, origin_id, kind, by_name, by_country, at, description, sources
		FROM inc_responses WHERE incident_id = ? ORDER BY at, id`, i.ID); err != nil {
		return core.Wrap("incidents: responses", err)
	}
	for k := range i.Responses {
		i.Responses[k].At = i.Responses[k].At.UTC()
		if err := json.Unmarshal([]byte(i.Responses[k].SourcesJSON), &i.Responses[k].Sources); err != nil {
			return fmt.Errorf("incidents: response sources: %w", err)
		}
	}
	return nil
}

func insertAttribution(ctx context.Context, tx *store.Tx, incidentID string, a *Attribution) error {
	b, _ := json.Marshal(nonNil(a.Sources))
	a.IncidentID, a.SourcesJSON = incidentID, string(b)
	_, err := tx.Exec(ctx, `INSERT INTO inc_attributions (id, incident_id, origin_id, by_name, by_category, by_country, at, basis, to_name, to_country, confidence, note, sources)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, incidentID, a.OriginID, a.By, a.ByCategory, a.ByCountry, a.At.UTC(), a.Basis, a.To, a.ToCountry, a.Confidence, a.Note, a.SourcesJSON)
	return core.Wrap("incidents: insert attribution", err)
}

func insertResponse(ctx context.Context, tx *store.Tx, incidentID string, r *Response) error {
	b, _ := json.Marshal(nonNil(r.Sources))
	r.IncidentID, r.SourcesJSON = incidentID, string(b)
	_, err := tx.Exec(ctx, `INSERT INTO inc_responses (id, incident_id, origin_id, kind, by_name, by_country, at, description, sources) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, incidentID, r.OriginID, r.Kind, r.By, r.ByCountry, r.At.UTC(), r.Description, r.SourcesJSON)
	return core.Wrap("incidents: insert response", err)
}

// setAudience keeps inc_audience in step with the incident's references.
func setAudience(ctx context.Context, tx *store.Tx, i Incident) error {
	if _, err := tx.Exec(ctx, `DELETE FROM inc_audience WHERE incident_id = ?`, i.ID); err != nil {
		return core.Wrap("incidents: audience", err)
	}
	if i.Audience != AudienceNamed && i.Audience != AudienceNetwork {
		return nil
	}
	for _, r := range i.AudienceRefs {
		if _, err := tx.Exec(ctx, `INSERT INTO inc_audience (incident_id, ref) VALUES (?, ?)`, i.ID, r); err != nil {
			return core.Wrap("incidents: audience", err)
		}
	}
	return nil
}
