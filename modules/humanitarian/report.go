package humanitarian

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// Categories of report, each with a label in both languages (hum.cat.*).
var Categories = []string{"trapped", "injured", "missing", "shelter", "water", "food", "health", "damage", "access", "safety", "other"}

// Channels a report arrives by.
const (
	ChannelWeb   = "web"
	ChannelSMS   = "sms"
	ChannelEmail = "email"
	ChannelAPI   = "api"
)

// Report statuses: the verification workflow. Only verified reports are
// public.
const (
	ReportNew      = "new"
	ReportVerified = "verified"
	ReportRejected = "rejected"
)

// Report is what a person affected (or a witness) says: what, where, when,
// with the verification's outcome. Reporter is set only for the
// emergency's coordinators.
type Report struct {
	ID          string    `json:"id"`
	EmergencyID string    `json:"emergency_id"`
	Channel     string    `json:"channel"`
	Text        string    `json:"text"`
	Category    string    `json:"category"`
	Lat         *float64  `json:"lat,omitempty"`
	Lon         *float64  `json:"lon,omitempty"`
	PCode       string    `json:"pcode,omitempty"`
	Place       string    `json:"place,omitempty"` // as the reporter wrote it
	OccurredAt  time.Time `json:"occurred_at"`
	ReceivedAt  time.Time `json:"received_at"`
	Lang        string    `json:"lang,omitempty"`
	Status      string    `json:"status"`
	Decision    *Decision `json:"decision,omitempty"`
	Photos      int       `json:"photos"`
	Reporter    *Reporter `json:"reporter,omitempty"`
	// Original is the text as it arrived, when a coordinator edited what
	// is published; coordinators only.
	Original string `json:"original_text,omitempty"`
}

// Decision is who verified or rejected a report, when and why.
type Decision struct {
	By     string    `json:"by,omitempty"` // the person's name; coordinators only
	ByID   string    `json:"-"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// Reporter is who sent a report: the coordinators' alone, never public.
type Reporter struct {
	Name    string `json:"name,omitempty"`
	Contact string `json:"contact,omitempty"` // phone number or e-mail address
}

// Located reports whether the report has a position.
func (r Report) Located() bool { return r.Lat != nil && r.Lon != nil }

// Position writes the report's position as latitude, longitude to five
// decimals (about a metre), or "" when it has none.
func (r Report) Position() string {
	if !r.Located() {
		return ""
	}
	return strconv.FormatFloat(*r.Lat, 'f', 5, 64) + ", " + strconv.FormatFloat(*r.Lon, 'f', 5, 64)
}

// PhotoNumbers numbers the report's photos from 1, for links.
func (r Report) PhotoNumbers() []int {
	out := make([]int, r.Photos)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// Photo is an image sent with a report.
type Photo struct {
	Name      string
	MediaType string
	Data      []byte
}

// ReportInput is a report as it arrives, by any channel.
type ReportInput struct {
	EmergencyID string
	Channel     string
	MsgID       string // the gateway's message id: a message delivered twice is one report
	Text        string
	Category    string
	Lat, Lon    *float64
	Place       string
	OccurredAt  time.Time // zero: when it was received
	Lang        string
	Name        string
	Contact     string
	Photos      []Photo
}

// Limits of a report.
const (
	maxReportText = 2000
	maxPhotos     = 3
	maxPhotoBytes = 5 << 20
)

// Validate checks a report against its emergency and places it: a place
// name is resolved against the gazetteer, and a position without a place
// gets the area that holds it. A person with a basic phone cannot fix an
// SMS, so for SMS and e-mail what cannot be placed is kept as written
// rather than refused.
func (in *ReportInput) Validate(e Emergency, g *Gazetteer, now time.Time) (Report, core.Problems) {
	pr := core.Problems{}
	in.Text, in.Place, in.Name, in.Contact = strings.TrimSpace(in.Text), strings.TrimSpace(in.Place), strings.TrimSpace(in.Name), strings.TrimSpace(in.Contact)
	strict := in.Channel == ChannelWeb || in.Channel == ChannelAPI
	text(pr, "text", in.Text, maxReportText, true)
	text(pr, "place", in.Place, maxTitle, false)
	text(pr, "name", in.Name, maxTitle, false)
	text(pr, "contact", in.Contact, maxTitle, false)
	if in.Category == "" && !strict {
		in.Category = "other"
	}
	if !slices.Contains(Categories, in.Category) {
		pr.Add("category", "err.hum_category")
	}
	if !e.Open() {
		pr.Add("emergency", "err.hum_closed")
	}
	r := Report{EmergencyID: e.ID, Channel: in.Channel, Text: in.Text, Category: in.Category, Place: in.Place, Lang: in.Lang,
		ReceivedAt: now, OccurredAt: in.OccurredAt, Status: ReportNew, Photos: len(in.Photos)}
	if r.OccurredAt.IsZero() || !strict && r.OccurredAt.After(now) {
		r.OccurredAt = now
	}
	r.OccurredAt = r.OccurredAt.UTC().Truncate(time.Second)
	if r.OccurredAt.After(now.Add(5 * time.Minute)) {
		pr.Add("occurred_at", "err.hum_future")
	}
	if (in.Lat == nil) != (in.Lon == nil) {
		pr.Add("lat", "err.hum_position")
	}
	if in.Lat != nil && in.Lon != nil {
		lat, lon := *in.Lat, *in.Lon
		badLat, badLon := lat < -90 || lat > 90 || lat != lat, lon < -180 || lon > 180 || lon != lon
		switch {
		case badLat || badLon:
			if badLat {
				pr.Add("lat", "err.hum_position")
			}
			if badLon {
				pr.Add("lon", "err.hum_position")
			}
		case strict && !e.Box.Contains(lat, lon):
			pr.Add("lat", "err.hum_outside")
		default:
			r.Lat, r.Lon = &lat, &lon
			if p, ok := g.Locate(lat, lon); ok && p.Level > 0 {
				r.PCode = p.PCode
			}
		}
	}
	if in.Place != "" {
		if p, ok := g.Resolve(in.Place); ok && p.Level > 0 {
			r.PCode = p.PCode
			if r.Lat == nil {
				lat, lon := p.Lat, p.Lon
				r.Lat, r.Lon = &lat, &lon
			}
		} else if strict && r.Lat == nil {
			pr.Add("place", "err.hum_place_unknown")
		}
	}
	if len(in.Photos) > maxPhotos {
		pr.Add("photos", "err.hum_photos")
	}
	// Every photo is decoded and encoded again, dropping what the camera
	// wrote about the reporter. One that is not a photo refuses a web
	// report, which the person can fix, and is left out of an SMS or
	// e-mail, which they cannot.
	var kept []Photo
	for _, p := range in.Photos {
		c, err := cleanPhoto(p)
		switch {
		case len(p.Data) > maxPhotoBytes || err != nil:
			if strict {
				pr.Add("photos", "err.hum_photos")
			}
		default:
			kept = append(kept, c)
		}
	}
	in.Photos = kept
	r.Photos = len(kept)
	if strict && in.Contact != "" && !strings.Contains(in.Contact, "@") && strings.Trim(in.Contact, "+0123456789 -()") != "" {
		pr.Add("contact", "err.hum_contact")
	}
	return r, pr
}

// Submit records a report. Anyone may: the public form, a gateway, a
// person signed in. The channel's own door (throttle, honeypot, gateway
// secret) is the caller's; Submit checks the report itself. A message a
// gateway delivers twice is recorded once and its first report returned.
func (s *Service) Submit(ctx context.Context, in ReportInput) (Report, error) {
	e, err := s.Emergency(ctx, in.EmergencyID)
	if err != nil {
		return Report{}, err
	}
	var r Report
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		var pr core.Problems
		r, pr = in.Validate(e, s.places, tx.Now)
		if err := pr.Err("humanitarian: submit report"); err != nil {
			return err
		}
		if in.MsgID != "" {
			var id string
			err := tx.Get(ctx, &id, `SELECT id FROM hum_reports WHERE emergency_id = ? AND channel = ? AND msg_id = ?`, e.ID, in.Channel, in.MsgID)
			if err == nil {
				r.ID = id
				return nil
			}
			if core.KindOf(err) != core.KindNotFound {
				return err
			}
		}
		r.ID = core.NewID(tx.Now)
		if _, err := tx.Exec(ctx, `INSERT INTO hum_reports (id, emergency_id, channel, msg_id, text, category, lat, lon, pcode, place,
			occurred_at, received_at, lang, status, reporter_name, reporter_contact, photos)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, e.ID, r.Channel, in.MsgID, r.Text, r.Category, r.Lat, r.Lon, r.PCode, r.Place,
			r.OccurredAt, r.ReceivedAt, r.Lang, r.Status, in.Name, in.Contact, len(in.Photos)); err != nil {
			return err
		}
		for i, p := range in.Photos {
			if _, err := tx.Exec(ctx, `INSERT INTO hum_report_photos (report_id, n, name, media_type, data) VALUES (?, ?, ?, ?, ?)`,
				r.ID, i+1, p.Name, p.MediaType, p.Data); err != nil {
				return err
			}
		}
		if err := s.tellUrgent(ctx, tx, e, r); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "humanitarian.report.submit", "hum_report", r.ID, e.OrgID, r.Channel)
	})
	if err != nil {
		return r, err
	}
	return r, nil
}

// urgent are the categories whose reports the coordinators hear of at
// once by e-mail: someone may be waiting for rescue.
var urgent = []string{"trapped", "injured", "missing"}

// tellUrgent e-mails the emergency's coordinators of an urgent report, in
// each one's language; the e-mail names what and where, never who sent it.
func (s *Service) tellUrgent(ctx context.Context, tx *store.Tx, e Emergency, r Report) error {
	if s.notify == nil || !slices.Contains(urgent, r.Category) {
		return nil
	}
	// Past the hour's limit the report still waits under "Needs your
	// attention"; only the e-mail is held back.
	if ok, err := throttleTx(ctx, tx, "urgent:"+e.ID, urgentPerHour); err != nil || !ok {
		return err
	}
	args := notify.Args{"emergency": e.Title, "category": r.Category, "place": r.Place}
	for _, lang := range []string{"en", "id"} {
		args["category@"+lang] = s.tr.T(lang, "hum.cat."+r.Category)
		place := r.Place
		if r.PCode != "" {
			place = s.places.Path(r.PCode)
		}
		if place == "" {
			place = s.tr.T(lang, "hum.place_unknown")
		}
		args["place@"+lang] = place
	}
	for _, org := range e.CoordinatorOrgs() {
		if err := s.notify.NotifyOrg(ctx, tx, org, []core.Role{core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst}, notify.HumUrgentReport, "/humanitarian/reports/"+r.ID, args); err != nil {
			return err
		}
	}
	return nil
}

// Decide verifies or rejects a report (verdict ReportVerified or
// ReportRejected), or takes back a decision (ReportNew); only the
// emergency's coordinators may. A rejection needs its reason; so does
// taking back a verification, which withdraws a report already public.
func (s *Service) Decide(ctx context.Context, id, verdict, reason string) (Report, error) {
	a := core.ActorFrom(ctx)
	r, e, err := s.reportFor(ctx, id)
	if err != nil {
		return Report{}, err
	}
	if !s.Coordinates(ctx, e) {
		return Report{}, core.E(core.KindNotFound, "humanitarian: decide", "err.not_found")
	}
	reason = strings.TrimSpace(reason)
	pr := core.Problems{}
	text(pr, "reason", reason, maxTitle*5, verdict == ReportRejected || verdict == ReportNew && r.Status == ReportVerified)
	if !slices.Contains([]string{ReportNew, ReportVerified, ReportRejected}, verdict) {
		pr.Add("verdict", "err.hum_verdict")
	} else if verdict == r.Status {
		pr.Add("verdict", "err.hum_verdict_same")
	}
	if err := pr.Err("humanitarian: decide"); err != nil {
		return r, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		var at *time.Time
		by, byName := "", ""
		if verdict != ReportNew {
			at, by, byName = &tx.Now, a.UserID, a.Name
		}
		n, err := tx.Exec(ctx, `UPDATE hum_reports SET status = ?, decided_by = ?, decided_by_name = ?, decided_at = ?, reason = ?
			WHERE id = ? AND status = ?`, verdict, by, byName, at, reason, id, r.Status)
		if err != nil {
			return err
		}
		if n == 0 {
			return core.E(core.KindConflict, "humanitarian: decide", "err.changed_meanwhile")
		}
		return audit.Record(ctx, tx, "humanitarian.report."+verdict, "hum_report", id, e.OrgID, reason)
	})
	if err != nil {
		return r, err
	}
	return s.Report(ctx, id)
}
