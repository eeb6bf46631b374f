package humanitarian

import (
	"context"
	"time"

	"entente.example/entente/core"
)

// The columns of a report anyone may read, and the reporter's, which only
// the coordinators' queries select: a public query cannot leak what it
// never reads.
const (
	reportCols   = `r.id, r.emergency_id, r.channel, r.text, r.category, r.lat, r.lon, r.pcode, r.place, r.occurred_at, r.received_at, r.lang, r.status, r.decided_by, r.decided_by_name, r.decided_at, r.reason, r.photos`
	reporterCols = `, r.reporter_name, r.reporter_contact, r.original_text`
)

type reportRow struct {
	ID              string     `db:"id"`
	EmergencyID     string     `db:"emergency_id"`
	Channel         string     `db:"channel"`
	Text            string     `db:"text"`
	Category        string     `db:"category"`
	Lat             *float64   `db:"lat"`
	Lon             *float64   `db:"lon"`
	PCode           string     `db:"pcode"`
	Place           string     `db:"place"`
	OccurredAt      time.Time  `db:"occurred_at"`
	ReceivedAt      time.Time  `db:"received_at"`
	Lang            string     `db:"lang"`
	Status          string     `db:"status"`
	DecidedBy       string     `db:"decided_by"`
	DecidedByName   string     `db:"decided_by_name"`
	DecidedAt       *time.Time `db:"decided_at"`
	Reason          string     `db:"reason"`
	Photos          int        `db:"photos"`
	ReporterName    string     `db:"reporter_name"`
	ReporterContact string     `db:"reporter_contact"`
	OriginalText    string     `db:"original_text"`
}

func (r reportRow) report(withReporter bool) Report {
	out := Report{ID: r.ID, EmergencyID: r.EmergencyID, Channel: r.Channel, Text: r.Text, Category: r.Category, Lat: r.Lat, Lon: r.Lon,
		PCode: r.PCode, Place: r.Place, OccurredAt: r.OccurredAt.UTC(), ReceivedAt: r.ReceivedAt.UTC(), Lang: r.Lang, Status: r.Status, Photos: r.Photos}
	if r.DecidedAt != nil {
		out.Decision = &Decision{At: r.DecidedAt.UTC()}
	}
	// Who decided, and why, are the coordinators': a coordinator's name
	// on a public page is a person exposed in a crisis.
	if withReporter {
		out.Reporter = &Reporter{Name: r.ReporterName, Contact: r.ReporterContact}
		out.Original = r.OriginalText
		if out.Decision != nil {
			out.Decision.By, out.Decision.ByID, out.Decision.Reason = r.DecidedByName, r.DecidedBy, r.Reason
		}
	}
	return out
}

// reportFor reads a report and its emergency without asking who reads.
func (s *Service) reportFor(ctx context.Context, id string) (Report, Emergency, error) {
	var row reportRow
	if err := s.db.R().Get(ctx, &row, `SELECT `+reportCols+` FROM hum_reports r WHERE r.id = ?`, id); err != nil {
		return Report{}, Emergency{}, err
	}
	e, err := s.Emergency(ctx, row.EmergencyID)
	return row.report(false), e, err
}

// Report returns a report: a verified one to anyone, any other only to the
// emergency's coordinators, who alone see who sent it.
func (s *Service) Report(ctx context.Context, id string) (Report, error) {
	r, e, err := s.reportFor(ctx, id)
	if err != nil {
		return Report{}, err
	}
	if !s.Coordinates(ctx, e) {
		if r.Status != ReportVerified {
			return Report{}, core.E(core.KindNotFound, "humanitarian: report", "err.not_found")
		}
		return r, nil
	}
	var row reportRow
	if err := s.db.R().Get(ctx, &row, `SELECT `+reportCols+reporterCols+` FROM hum_reports r WHERE r.id = ?`, id); err != nil {
		return Report{}, err
	}
	return row.report(true), nil
}

// Photo returns a report's photo n (from 1), under the report's rule.
func (s *Service) Photo(ctx context.Context, id string, n int) (Photo, error) {
	if _, err := s.Report(ctx, id); err != nil {
		return Photo{}, err
	}
	var p struct {
		Name      string `db:"name"`
		MediaType string `db:"media_type"`
		Data      []byte `db:"data"`
	}
	if err := s.db.R().Get(ctx, &p, `SELECT name, media_type, data FROM hum_report_photos WHERE report_id = ? AND n = ?`, id, n); err != nil {
		return Photo{}, err
	}
	return Photo{Name: p.Name, MediaType: p.MediaType, Data: p.Data}, nil
}

// ReportFilter narrows a list of reports.
type ReportFilter struct {
	Category string
	Since    time.Time // occurred at or after; zero: any time
	Until    time.Time // occurred before; zero: any time
	Status   string    // coordinators only; others see verified reports alone
	Before   string    // a report id: older ones only (the next page)
	Limit    int       // 0: 50
}

// where builds the filter's condition for an emergency, forcing verified
// reports for anyone but its coordinators.
func (f ReportFilter) where(e Emergency, coordinator bool) (string, []any) {
	q, args := ` WHERE r.emergency_id = ?`, []any{e.ID}
	status := f.Status
	if !coordinator {
		status = ReportVerified
	}
	if status != "" {
		q, args = q+` AND r.status = ?`, append(args, status)
	}
	if f.Category != "" {
		q, args = q+` AND r.category = ?`, append(args, f.Category)
	}
	if !f.Since.IsZero() {
		q, args = q+` AND r.occurred_at >= ?`, append(args, f.Since.UTC())
	}
	if !f.Until.IsZero() {
		q, args = q+` AND r.occurred_at < ?`, append(args, f.Until.UTC())
	}
	return q, args
}

// Reports lists an emergency's reports newest first, as the reader may see
// them.
func (s *Service) Reports(ctx context.Context, e Emergency, f ReportFilter) ([]Report, error) {
	coord := s.Coordinates(ctx, e)
	q, args := f.where(e, coord)
	if f.Before != "" {
		q, args = q+` AND r.id < ?`, append(args, f.Before)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	cols := reportCols
	if coord {
		cols += reporterCols
	}
	var rows []reportRow
	if err := s.db.R().Select(ctx, &rows, `SELECT `+cols+` FROM hum_reports r`+q+` ORDER BY r.id DESC LIMIT ?`, append(args, f.Limit)...); err != nil {
		return nil, err
	}
	out := make([]Report, len(rows))
	for i, r := range rows {
		out[i] = r.report(coord)
	}
	return out, nil
}

// MapPoint is a report as the map draws it.
type MapPoint struct {
	Lat      float64 `db:"lat"`
	Lon      float64 `db:"lon"`
	Category string  `db:"category"`
}

// MapPoints lists the positions of an emergency's reports the reader may
// see, for the map: positions only, so a map of a hundred thousand
// reports reads no text.
func (s *Service) MapPoints(ctx context.Context, e Emergency, f ReportFilter) ([]MapPoint, error) {
	q, args := f.where(e, s.Coordinates(ctx, e))
	var rows []MapPoint
	err := s.db.R().Select(ctx, &rows, `SELECT r.lat, r.lon, r.category FROM hum_reports r`+q+` AND r.lat IS NOT NULL AND r.lon IS NOT NULL`, args...)
	return rows, err
}

// ReportCounts counts an emergency's reports by status, for its
// coordinators' view; others get the verified count only.
func (s *Service) ReportCounts(ctx context.Context, e Emergency) (map[string]int, error) {
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := s.db.R().Select(ctx, &rows, `SELECT status, COUNT(*) AS n FROM hum_reports WHERE emergency_id = ? GROUP BY status`, e.ID); err != nil {
		return nil, err
	}
	coord := s.Coordinates(ctx, e)
	out := map[string]int{}
	for _, r := range rows {
		if coord || r.Status == ReportVerified {
			out[r.Status] = r.N
		}
	}
	return out, nil
}

// MapGroup is reports gathered at one small square of the map: their mean
// position and how many they are.
type MapGroup struct {
	Lat float64 `db:"lat"`
	Lon float64 `db:"lon"`
	N   int     `db:"n"`
}

// MapGroups gathers the reports the reader may see inside the box into
// squares of step degrees (finer than the map's clusters, which regroup
// them), and counts those outside it: a map of a hundred thousand reports
// reads a few thousand rows. The squares are computed in integer
// micro-degrees from the box's south-west corner, which both engines
// divide alike.
func (s *Service) MapGroups(ctx context.Context, e Emergency, f ReportFilter, box Box, step float64) (groups []MapGroup, outside int, err error) {
	q, args := f.where(e, s.Coordinates(ctx, e))
	q += ` AND r.lat IS NOT NULL AND r.lon IS NOT NULL`
	// One pass: the reports outside the box fall into one group of their
	// own (its key -1), counted and not drawn.
	in := `(r.lon >= ? AND r.lon <= ? AND r.lat >= ? AND r.lat <= ?)`
	inArgs := []any{box.West, box.East, box.South, box.North}
	micro := max(int64(step*1e6), 1)
	gq := `SELECT AVG(r.lat) AS lat, AVG(r.lon) AS lon, COUNT(*) AS n,
			CASE WHEN ` + in + ` THEN CAST((r.lon - ?) * 1000000 AS BIGINT) / ? ELSE -1 END AS gx,
			CASE WHEN ` + in + ` THEN CAST((r.lat - ?) * 1000000 AS BIGINT) / ? ELSE -1 END AS gy
		FROM hum_reports r` + q + ` GROUP BY gx, gy`
	gargs := append(append(append(append([]any{}, inArgs...), box.West, micro), inArgs...), box.South, micro)
	var rows []struct {
		MapGroup
		GX int64 `db:"gx"`
		GY int64 `db:"gy"`
	}
	if err = s.db.R().Select(ctx, &rows, gq, append(gargs, args...)...); err != nil {
		return nil, 0, err
	}
	for _, r := range rows {
		if r.GX < 0 || r.GY < 0 {
			outside += r.N
			continue
		}
		groups = append(groups, r.MapGroup)
	}
	return groups, outside, nil
}
