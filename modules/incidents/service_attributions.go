package incidents

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

// Validate checks an attribution and returns its problems by field.
func (a *Attribution) Validate() core.Problems {
	p := core.Problems{}
	a.By, a.To, a.Note = strings.TrimSpace(a.By), strings.TrimSpace(a.To), strings.TrimSpace(a.Note)
	a.ByCountry, a.ToCountry = strings.ToUpper(strings.TrimSpace(a.ByCountry)), strings.ToUpper(strings.TrimSpace(a.ToCountry))
	checkName(p, "by", a.By)
	checkName(p, "to", a.To)
	checkDate(p, "at", a.At)
	if !slices.Contains(AttributorCategories, a.ByCategory) {
		p.Add("by_category", "err.inc_vocab")
	}
	if !slices.Contains(AttributionBases, a.Basis) {
		p.Add("basis", "err.inc_vocab")
	}
	if !slices.Contains(Confidences, a.Confidence) {
		p.Add("confidence", "err.inc_vocab")
	}
	if a.ByCountry != "" && !validCountry(a.ByCountry) {
		p.Add("by_country", "err.country")
	}
	if a.ToCountry != "" && !validCountry(a.ToCountry) {
		p.Add("to_country", "err.country")
	}
	if a.At.IsZero() {
		p.Add("at", "err.required")
	}
	if utf8.RuneCountInString(a.Note) > maxText {
		p.Add("note", "err.too_long")
	}
	checkSources(p, a.Sources)
	return p
}

// Validate checks a response and returns its problems by field.
func (r *Response) Validate() core.Problems {
	p := core.Problems{}
	r.By, r.Description = strings.TrimSpace(r.By), strings.TrimSpace(r.Description)
	r.ByCountry = strings.ToUpper(strings.TrimSpace(r.ByCountry))
	checkName(p, "by", r.By)
	checkDate(p, "at", r.At)
	if !slices.Contains(ResponseKinds, r.Kind) {
		p.Add("kind", "err.inc_vocab")
	}
	if r.ByCountry != "" && !validCountry(r.ByCountry) {
		p.Add("by_country", "err.country")
	}
	if r.At.IsZero() {
		p.Add("at", "err.required")
	}
	if utf8.RuneCountInString(r.Description) > maxText {
		p.Add("description", "err.too_long")
	}
	checkSources(p, r.Sources)
	return p
}

func checkName(p core.Problems, field, s string) {
	switch {
	case s == "":
		p.Add(field, "err.required")
	case utf8.RuneCountInString(s) > maxName:
		p.Add(field, "err.too_long")
	}
	checkLine(p, field, s)
}

// checkLine refuses, in a name shown on one line, a control character (a
// line break would split an e-mail's subject) and the bidi embeddings,
// overrides and isolates, which make "Hospital\u202Egnp.exe" read as
// something it is not in every list. The marks right-to-left text needs
// (U+200E, U+200F, U+061C) stay.
func checkLine(p core.Problems, field, s string) {
	for _, r := range s {
		if unicode.IsControl(r) || r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069' {
			p.Add(field, "err.control_chars")
			return
		}
	}
}

// The years an incident, an attribution or a response may be dated in.
// Far beyond them a date is a typing error or an attack: year 10000 in UTC
// (9999-12-31T23:00:00-05:00 as JSON) is stored but read back by no JSON
// encoder and no SQLite scan, so every list holding it fails, and the
// figures' months would run from the earliest date to the latest.
var (
	firstDate = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	endDates  = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// checkDate refuses a date outside [firstDate, endDates); a missing one is
// the caller's to name.
func checkDate(p core.Problems, field string, t time.Time) {
	if !t.IsZero() && (t.Before(firstDate) || !t.Before(endDates)) {
		p.Add(field, "err.inc_date_range")
	}
}

func checkSources(p core.Problems, sources []string) {
	if len(sources) > maxList {
		p.Add("sources", "err.too_long")
	}
	for _, s := range sources {
		if !validSource(s) {
			p.Add("sources", "err.inc_source")
		}
	}
}

// AddAttribution records an attribution of an incident its organisation
// owns. The incident's version goes up, and the attribution travels with
// it to the peers.
func (s *Service) AddAttribution(ctx context.Context, incidentID string, in Attribution) (Attribution, error) {
	err := s.addChild(ctx, incidentID, "incidents: add attribution", in.Validate(), func(tx *store.Tx, inc Incident) error {
		in.ID = core.NewID(tx.Now)
		in.OriginID = in.ID
		if err := insertAttribution(ctx, tx, inc.ID, &in); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "incidents.attribution", "inc_incident", inc.ID, inc.OrgID, in.By+" → "+in.To)
	})
	return in, err
}

// AddResponse records a political or legal response to an incident its
// organisation owns, as AddAttribution does.
func (s *Service) AddResponse(ctx context.Context, incidentID string, in Response) (Response, error) {
	err := s.addChild(ctx, incidentID, "incidents: add response", in.Validate(), func(tx *store.Tx, inc Incident) error {
		in.ID = core.NewID(tx.Now)
		in.OriginID = in.ID
		if err := insertResponse(ctx, tx, inc.ID, &in); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "incidents.response", "inc_incident", inc.ID, inc.OrgID, in.Kind+" "+in.By)
	})
	return in, err
}

func (s *Service) addChild(ctx context.Context, incidentID, op string, p core.Problems, insert func(*store.Tx, Incident) error) error {
	old, err := s.Get(ctx, incidentID)
	if err != nil {
		return err
	}
	if err := s.mayWrite(core.ActorFrom(ctx), old); err != nil {
		return err
	}
	if err := p.Err(op); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		inc, err := getIncident(ctx, tx.Conn, incidentID)
		if err != nil {
			return err
		}
		if err := insert(tx, inc); err != nil {
			return err
		}
		inc.Version++
		inc.UpdatedAt = tx.Now
		if _, err := tx.Exec(ctx, `UPDATE inc_incidents SET version = ?, updated_at = ? WHERE id = ?`, inc.Version, inc.UpdatedAt, inc.ID); err != nil {
			return core.Wrap(op, err)
		}
		if err := loadChildren(ctx, tx.Conn, &inc); err != nil {
			return err
		}
		return s.stored(ctx, tx, inc, &old)
	})
}

// TimeToAttribution is how long after the incident's start its first
// attribution came; false when it has none.
func (i Incident) TimeToAttribution() (time.Duration, bool) {
	if len(i.Attributions) == 0 {
		return 0, false
	}
	first := i.Attributions[0].At
	for _, a := range i.Attributions {
		if a.At.Before(first) {
			first = a.At
		}
	}
	return first.Sub(i.Start), true
}
