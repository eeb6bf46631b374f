package humanitarian

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/humanitarian/inbound"
)

// Shelter statuses.
const (
	ShelterOpen   = "open"
	ShelterFull   = "full"
	ShelterClosed = "closed"
)

// ShelterStatuses are a shelter's states, in the order forms offer them.
var ShelterStatuses = []string{ShelterOpen, ShelterFull, ShelterClosed}

// Shelter is an evacuation site or aid post (posko) the people affected
// can go to.
type Shelter struct {
	ID          string    `json:"id" db:"id"`
	EmergencyID string    `json:"emergency_id" db:"emergency_id"`
	Name        string    `json:"name" db:"name"`
	PCode       string    `json:"pcode,omitempty" db:"pcode"`
	Place       string    `json:"place,omitempty" db:"place"` // street or landmark, as people know it
	Lat         *float64  `json:"lat,omitempty" db:"lat"`
	Lon         *float64  `json:"lon,omitempty" db:"lon"`
	Capacity    int       `json:"capacity" db:"capacity"`
	Status      string    `json:"status" db:"status"`
	Facilities  string    `json:"facilities,omitempty" db:"facilities"`
	UpdatedAt   time.Time `json:"updated_at" db:"updated_at"`
}

// Hotline is a number the people affected can call.
type Hotline struct {
	ID          string    `json:"id" db:"id"`
	EmergencyID string    `json:"emergency_id" db:"emergency_id"`
	Name        string    `json:"name" db:"name"`
	Number      string    `json:"number" db:"number"`
	Hours       string    `json:"hours,omitempty" db:"hours"` // such as "24 jam" or "08.00–20.00 WITA"
	Position    int       `json:"position" db:"position"`
	UpdatedAt   time.Time `json:"updated_at" db:"updated_at"`
}

const maxFacilities = 1000

// Validate checks a shelter and places it: a P-code without a position
// takes the area's centre.
func (sh *Shelter) Validate(g *Gazetteer) core.Problems {
	sh.Name, sh.Place, sh.Facilities = strings.TrimSpace(sh.Name), strings.TrimSpace(sh.Place), strings.TrimSpace(sh.Facilities)
	sh.PCode = strings.ToUpper(strings.TrimSpace(sh.PCode))
	if sh.Status == "" {
		sh.Status = ShelterOpen
	}
	pr := core.Problems{}
	text(pr, "name", sh.Name, maxTitle, true)
	text(pr, "place", sh.Place, maxTitle, false)
	text(pr, "facilities", sh.Facilities, maxFacilities, false)
	if !slices.Contains(ShelterStatuses, sh.Status) {
		pr.Add("status", "err.hum_info_status")
	}
	if sh.Capacity < 0 || sh.Capacity > 1_000_000 {
		pr.Add("capacity", "err.hum_info_capacity")
	}
	if (sh.Lat == nil) != (sh.Lon == nil) {
		pr.Add("lat", "err.hum_position")
	} else if sh.Lat != nil {
		lat, lon := *sh.Lat, *sh.Lon
		if lat < -90 || lat > 90 || lon < -180 || lon > 180 || lat != lat || lon != lon {
			pr.Add("lat", "err.hum_position")
		}
	}
	if sh.PCode != "" {
		p, ok := g.Get(sh.PCode)
		switch {
		case !ok:
			pr.Add("pcode", "err.hum_place_unknown")
		case sh.Lat == nil:
			lat, lon := p.Lat, p.Lon
			sh.Lat, sh.Lon = &lat, &lon
		}
	} else if sh.Lat != nil && pr["lat"] == "" {
		if p, ok := g.Locate(*sh.Lat, *sh.Lon); ok && p.Level > 0 {
			sh.PCode = p.PCode
		}
	}
	return pr
}

// Validate checks a hotline.
func (h *Hotline) Validate() core.Problems {
	h.Name, h.Number, h.Hours = strings.TrimSpace(h.Name), strings.TrimSpace(h.Number), strings.TrimSpace(h.Hours)
	pr := core.Problems{}
	text(pr, "name", h.Name, maxTitle, true)
	text(pr, "number", h.Number, 40, true)
	text(pr, "hours", h.Hours, maxTitle, false)
	if h.Number != "" && strings.Trim(h.Number, "+0123456789 -().") != "" {
		pr.Add("number", "err.hum_info_number")
	}
	return pr
}

const shelterCols = `id, emergency_id, name, pcode, place, lat, lon, capacity, status, facilities, updated_at`

// Shelters lists the emergency's shelters, open ones first, by name.
// They are public.
func (s *Service) Shelters(ctx context.Context, e Emergency) ([]Shelter, error) {
	return selectInfo[Shelter](ctx, s, `SELECT `+shelterCols+` FROM hum_shelters WHERE emergency_id = ?
		ORDER BY CASE status WHEN 'open' THEN 0 WHEN 'full' THEN 1 ELSE 2 END, name, id`, e.ID)
}

// Shelter returns one of the emergency's shelters.
func (s *Service) Shelter(ctx context.Context, e Emergency, id string) (Shelter, error) {
	return getInfo[Shelter](ctx, s, `SELECT `+shelterCols+` FROM hum_shelters WHERE id = ? AND emergency_id = ?`, id, e.ID)
}

// infoItem is a shelter or a hotline, as read from storage: its time comes
// back in UTC whatever the engine's own zone, so that both engines answer alike.
type infoItem[T any] interface {
	*T
	inUTC()
}

func (sh *Shelter) inUTC() { sh.UpdatedAt = sh.UpdatedAt.UTC() }
func (h *Hotline) inUTC()  { h.UpdatedAt = h.UpdatedAt.UTC() }

// selectInfo lists shelters or hotlines; the two lists differ only in the query.
func selectInfo[T any, P infoItem[T]](ctx context.Context, s *Service, query string, args ...any) ([]T, error) {
	var out []T
	err := s.db.R().Select(ctx, &out, query, args...)
	for i := range out {
		P(&out[i]).inUTC()
	}
	return out, err
}

// getInfo reads one shelter or hotline.
func getInfo[T any, P infoItem[T]](ctx context.Context, s *Service, query string, args ...any) (T, error) {
	var x T
	err := s.db.R().Get(ctx, &x, query, args...)
	P(&x).inUTC()
	return x, err
}

// SaveShelter records a new shelter (sh.ID empty) or changes one; the
// emergency's coordinators do. Closing a shelter is setting its status.
func (s *Service) SaveShelter(ctx context.Context, e Emergency, sh Shelter) (Shelter, error) {
	const op = "humanitarian: save shelter"
	if err := s.mustCoordinate(ctx, e, op); err != nil {
		return Shelter{}, err
	}
	if err := sh.Validate(s.places).Err(op); err != nil {
		return sh, err
	}
	sh.EmergencyID = e.ID
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		sh.UpdatedAt = tx.Now
		args := []any{sh.Name, sh.PCode, sh.Place, sh.Lat, sh.Lon, sh.Capacity, sh.Status, sh.Facilities, tx.Now}
		if sh.ID == "" {
			sh.ID = core.NewID(tx.Now)
			if _, err := tx.Exec(ctx, `INSERT INTO hum_shelters (name, pcode, place, lat, lon, capacity, status, facilities, updated_at, id, emergency_id)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, sh.ID, e.ID)...); err != nil {
				return err
			}
		} else {
			n, err := tx.Exec(ctx, `UPDATE hum_shelters SET name = ?, pcode = ?, place = ?, lat = ?, lon = ?, capacity = ?, status = ?, facilities = ?, updated_at = ?
				WHERE id = ? AND emergency_id = ?`, append(args, sh.ID, e.ID)...)
			if err != nil {
				return err
			}
			if n == 0 {
				return core.E(core.KindNotFound, op, "err.not_found")
			}
		}
		return audit.Record(ctx, tx, "humanitarian.shelter.save", "hum_shelter", sh.ID, e.OrgID, sh.Name+" "+sh.Status)
	})
	return sh, err
}

// DeleteShelter removes a shelter entered by mistake; one that closed is
// better kept, closed, so people who knew it learn it closed.
func (s *Service) DeleteShelter(ctx context.Context, e Emergency, id string) error {
	return s.deleteInfo(ctx, e, "hum_shelters", "humanitarian.shelter.delete", id)
}

// DeleteHotline removes a hotline.
func (s *Service) DeleteHotline(ctx context.Context, e Emergency, id string) error {
	return s.deleteInfo(ctx, e, "hum_hotlines", "humanitarian.hotline.delete", id)
}

func (s *Service) deleteInfo(ctx context.Context, e Emergency, table, action, id string) error {
	const op = "humanitarian: delete"
	if err := s.mustCoordinate(ctx, e, op); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE id = ? AND emergency_id = ?`, id, e.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return core.E(core.KindNotFound, op, "err.not_found")
		}
		return audit.Record(ctx, tx, action, table, id, e.OrgID, "")
	})
}

const hotlineCols = `id, emergency_id, name, number, hours, position, updated_at`

// Hotlines lists the emergency's hotlines in their order. They are public.
func (s *Service) Hotlines(ctx context.Context, e Emergency) ([]Hotline, error) {
	return selectInfo[Hotline](ctx, s, `SELECT `+hotlineCols+` FROM hum_hotlines WHERE emergency_id = ? ORDER BY position, name, id`, e.ID)
}

// Hotline returns one of the emergency's hotlines.
func (s *Service) Hotline(ctx context.Context, e Emergency, id string) (Hotline, error) {
	return getInfo[Hotline](ctx, s, `SELECT `+hotlineCols+` FROM hum_hotlines WHERE id = ? AND emergency_id = ?`, id, e.ID)
}

// SaveHotline records a new hotline (h.ID empty) or changes one; the
// emergency's coordinators do.
func (s *Service) SaveHotline(ctx context.Context, e Emergency, h Hotline) (Hotline, error) {
	const op = "humanitarian: save hotline"
	if err := s.mustCoordinate(ctx, e, op); err != nil {
		return Hotline{}, err
	}
	if err := h.Validate().Err(op); err != nil {
		return h, err
	}
	h.EmergencyID = e.ID
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		h.UpdatedAt = tx.Now
		args := []any{h.Name, h.Number, h.Hours, h.Position, tx.Now}
		if h.ID == "" {
			h.ID = core.NewID(tx.Now)
			if _, err := tx.Exec(ctx, `INSERT INTO hum_hotlines (name, number, hours, position, updated_at, id, emergency_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				append(args, h.ID, e.ID)...); err != nil {
				return err
			}
		} else {
			n, err := tx.Exec(ctx, `UPDATE hum_hotlines SET name = ?, number = ?, hours = ?, position = ?, updated_at = ? WHERE id = ? AND emergency_id = ?`,
				append(args, h.ID, e.ID)...)
			if err != nil {
				return err
			}
			if n == 0 {
				return core.E(core.KindNotFound, op, "err.not_found")
			}
		}
		return audit.Record(ctx, tx, "humanitarian.hotline.save", "hum_hotline", h.ID, e.OrgID, h.Name)
	})
	return h, err
}

// Advice is the emergency's safety advice, per language code.
func (s *Service) Advice(ctx context.Context, e Emergency) (map[string]string, error) {
	var rows []struct {
		Lang string `db:"lang"`
		Text string `db:"text"`
	}
	if err := s.db.R().Select(ctx, &rows, `SELECT lang, text FROM hum_advice WHERE emergency_id = ?`, e.ID); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.Lang] = r.Text
	}
	return out, nil
}

// SaveAdvice sets the safety advice in the emergency's languages; an empty
// text removes a language's.
func (s *Service) SaveAdvice(ctx context.Context, e Emergency, advice map[string]string) error {
	const op = "humanitarian: save advice"
	if err := s.mustCoordinate(ctx, e, op); err != nil {
		return err
	}
	pr := core.Problems{}
	for l, t := range advice {
		if !slices.Contains(e.Languages, l) {
			pr.Add("advice_"+l, "err.hum_language")
			continue
		}
		advice[l] = strings.TrimSpace(t)
		text(pr, "advice_"+l, advice[l], maxText, false)
	}
	if err := pr.Err(op); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		for l, t := range advice {
			if _, err := tx.Exec(ctx, `DELETE FROM hum_advice WHERE emergency_id = ? AND lang = ?`, e.ID, l); err != nil {
				return err
			}
			if t == "" {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO hum_advice (emergency_id, lang, text, updated_at) VALUES (?, ?, ?, ?)`, e.ID, l, t, tx.Now); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "humanitarian.advice.save", "hum_emergency", e.ID, e.OrgID, "")
	})
}

// Info is what the people affected need: where to go, whom to call, how to
// stay safe and how to report.
type Info struct {
	Emergency Emergency         `json:"emergency"`
	Shelters  []Shelter         `json:"shelters"`
	Hotlines  []Hotline         `json:"hotlines"`
	Advice    map[string]string `json:"advice"`
	Report    HowToReport       `json:"report"`
}

// HowToReport is how a person reports: the web form, and the numbers and
// addresses of the enabled gateways.
type HowToReport struct {
	Form    string   `json:"form"` // path of the public form
	SMS     []string `json:"sms,omitempty"`
	Keyword string   `json:"keyword"`
	Email   []string `json:"email,omitempty"`
}

// Info gathers the emergency's information for the people affected. It is
// public.
func (s *Service) Info(ctx context.Context, e Emergency) (Info, error) {
	in := Info{Emergency: e, Report: HowToReport{Form: "/humanitarian/emergencies/" + e.ID + "/report", Keyword: "LAPOR"}}
	var err error
	if in.Shelters, err = s.Shelters(ctx, e); err != nil {
		return in, err
	}
	if in.Hotlines, err = s.Hotlines(ctx, e); err != nil {
		return in, err
	}
	if in.Advice, err = s.Advice(ctx, e); err != nil {
		return in, err
	}
	in.Shelters, in.Hotlines = nonNilList(in.Shelters), nonNilList(in.Hotlines)
	if e.SMSNumber != "" {
		in.Report.SMS = append(in.Report.SMS, e.SMSNumber)
	}
	gws, err := s.gateways(ctx, e.ID)
	if err != nil {
		return in, err
	}
	for _, g := range gws {
		switch {
		case !g.Enabled:
		case g.SMS() && !slices.ContainsFunc(in.Report.SMS, func(n string) bool { return samePhone(n, g.Address, g.CountryCode) }):
			in.Report.SMS = append(in.Report.SMS, g.Address)
		case g.Kind == GatewayMail && !slices.Contains(in.Report.Email, g.Address):
			in.Report.Email = append(in.Report.Email, g.Address)
		}
	}
	return in, nil
}

// NearShelter is a shelter and how far it is from where the person is.
type NearShelter struct {
	Shelter
	Km float64
}

// Nearest returns up to n open shelters with a position, nearest to the
// position first.
func Nearest(shelters []Shelter, lat, lon float64, n int) []NearShelter {
	var out []NearShelter
	for _, sh := range shelters {
		if sh.Status != ShelterOpen || sh.Lat == nil || sh.Lon == nil {
			continue
		}
		out = append(out, NearShelter{Shelter: sh, Km: DistanceKm(lat, lon, *sh.Lat, *sh.Lon)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Km < out[j].Km })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// Centre is the middle of the emergency's map: where shelters are sought
// when a person names no place.
func (e Emergency) Centre() (lat, lon float64) {
	return (e.Box.South + e.Box.North) / 2, (e.Box.West + e.Box.East) / 2
}

// samePhone reports whether two ways of writing a number ("0811 4500 112",
// "+62 811-4500-112") are one number, so that it is offered once.
func samePhone(a, b, cc string) bool {
	na, okA := inbound.NormalizePhone(a, cc)
	nb, okB := inbound.NormalizePhone(b, cc)
	if okA && okB {
		return na == nb
	}
	return strings.TrimSpace(a) == strings.TrimSpace(b)
}
