package humanitarian

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/humanitarian/geo"
)

// Node is what the service needs of the node: its host name, which makes an
// organisation's address (handle@host) and tags the ids of its records.
type Node interface {
	Host() string
}

// Fed is what the module needs of federation: sending envelopes to peers,
// signing and opening statements, the verified peers' organisations and a
// handler for the module's envelopes.
type Fed interface {
	Host() string
	Send(ctx context.Context, tx *store.Tx, o federation.Outgoing) (string, error)
	SignStatement(context string, v any) ([]byte, error)
	OpenStatement(ctx context.Context, context string, b []byte, host string) (json.RawMessage, string, error)
	RemoteOrgs(ctx context.Context) ([]federation.RemoteOrg, error)
	Handle(prefix string, h federation.Handler)
}

// Notifier e-mails a local organisation's people.
type Notifier interface {
	NotifyOrg(ctx context.Context, tx *store.Tx, orgID string, roles []core.Role, k notify.Kind, path string, args notify.Args) error
}

// UseNotifier sets how people are told of what waits for them, and the
// catalogue that names categories in each recipient's language.
func (s *Service) UseNotifier(n Notifier, tr notify.Translator) { s.notify, s.tr = n, tr }

// Service is the use cases of humanitarian coordination.
type Service struct {
	db     *store.DB
	node   Node
	places *Gazetteer
	fed    Fed      // nil: this node alone
	notify Notifier // nil: nobody is e-mailed
	tr     notify.Translator

	// The countries of the map are loaded once, when the first map is
	// drawn: the 1:50m file takes a few hundred milliseconds to decode.
	countriesOnce sync.Once
	countries     []geo.Country
	countriesErr  error
}

// NewService returns the service.
func NewService(db *store.DB, node Node) *Service {
	return &Service{db: db, node: node, places: DefaultGazetteer()}
}

// Gazetteer is the service's gazetteer.
func (s *Service) Gazetteer() *Gazetteer { return s.places }

// Countries are the boundaries the maps draw (Natural Earth 1:50m).
func (s *Service) Countries() ([]geo.Country, error) {
	s.countriesOnce.Do(func() { s.countries, s.countriesErr = geo.LoadCountries(geo.Scale50m) })
	return s.countries, s.countriesErr
}

// Writable lists the organisations for which the actor writes humanitarian
// records: the choices of a form's owner.
func Writable(a core.Actor) []core.OrgRef {
	var out []core.OrgRef
	for _, m := range a.Memberships {
		if access.HumWriter(a, m.Org.ID) && !slices.Contains(out, m.Org) {
			out = append(out, m.Org)
		}
	}
	return out
}

func writerOrg(a core.Actor, handle string) (core.OrgRef, bool) {
	for _, o := range Writable(a) {
		if o.Handle == handle {
			return o, true
		}
	}
	return core.OrgRef{}, false
}

// CreateEmergency records an emergency led by the actor's organisation org
// (its handle).
func (s *Service) CreateEmergency(ctx context.Context, org string, e Emergency) (Emergency, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.HumWrite, access.Resource{}); err != nil {
		return Emergency{}, err
	}
	pr := e.Validate(s.places)
	o, ok := writerOrg(a, org)
	if !ok {
		pr.Add("org", "err.org_unknown")
	}
	if err := pr.Err("humanitarian: create emergency"); err != nil {
		return e, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		e.ID, e.OrgID, e.Lead = federation.NewHostedID(tx.Now, s.node.Host()), o.ID, o.Handle+"@"+s.node.Host()
		e.CreatedAt, e.UpdatedAt = tx.Now, tx.Now
		if err := saveEmergency(ctx, tx, e, true); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "humanitarian.emergency.create", "hum_emergency", e.ID, o.ID, e.Title)
	})
	return e, err
}

// UpdateEmergency changes an emergency; its coordinators do.
func (s *Service) UpdateEmergency(ctx context.Context, id string, e Emergency) (Emergency, error) {
	old, err := s.Emergency(ctx, id)
	if err != nil {
		return Emergency{}, err
	}
	if !access.HumCoordinator(core.ActorFrom(ctx), old.CoordinatorOrgs()) {
		return Emergency{}, core.E(core.KindForbidden, "humanitarian: update emergency", "err.forbidden")
	}
	if err := e.Validate(s.places).Err("humanitarian: update emergency"); err != nil {
		return e, err
	}
	e.ID, e.OrgID, e.Lead, e.CreatedAt = old.ID, old.OrgID, old.Lead, old.CreatedAt
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		e.UpdatedAt = tx.Now
		if err := saveEmergency(ctx, tx, e, false); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "humanitarian.emergency.update", "hum_emergency", e.ID, e.OrgID, e.Title)
	})
	return e, err
}

// Coordinates reports whether the actor coordinates the emergency.
func (s *Service) Coordinates(ctx context.Context, e Emergency) bool {
	return access.HumCoordinator(core.ActorFrom(ctx), e.CoordinatorOrgs())
}

func saveEmergency(ctx context.Context, tx *store.Tx, e Emergency, insert bool) error {
	areas, _ := json.Marshal(e.Areas)
	langs, _ := json.Marshal(e.Languages)
	coords, _ := json.Marshal(nonNil(e.Coordinators))
	args := []any{e.Title, e.Kind, e.Glide, e.Country, string(areas), e.Box.West, e.Box.South, e.Box.East, e.Box.North,
		e.StartedOn, e.EndedOn, string(langs), e.Summary, e.Status, string(coords), e.SMSNumber, e.UpdatedAt}
	if insert {
		_, err := tx.Exec(ctx, `INSERT INTO hum_emergencies (title, kind, glide, country, areas, west, south, east, north,
			started_on, ended_on, languages, summary, status, coordinators, sms_number, updated_at, id, org_id, lead, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, e.ID, e.OrgID, e.Lead, e.CreatedAt)...)
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE hum_emergencies SET title = ?, kind = ?, glide = ?, country = ?, areas = ?, west = ?, south = ?, east = ?, north = ?,
		started_on = ?, ended_on = ?, languages = ?, summary = ?, status = ?, coordinators = ?, sms_number = ?, updated_at = ? WHERE id = ?`, append(args, e.ID)...)
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const emergencyCols = `e.id, e.org_id, e.lead, e.title, e.kind, e.glide, e.country, e.areas, e.west, e.south, e.east, e.north,
	e.started_on, e.ended_on, e.languages, e.summary, e.status, e.coordinators, e.sms_number, e.created_at, e.updated_at`

type emergencyRow struct {
	ID           string    `db:"id"`
	OrgID        string    `db:"org_id"`
	Lead         string    `db:"lead"`
	Title        string    `db:"title"`
	Kind         string    `db:"kind"`
	Glide        string    `db:"glide"`
	Country      string    `db:"country"`
	Areas        string    `db:"areas"`
	West         float64   `db:"west"`
	South        float64   `db:"south"`
	East         float64   `db:"east"`
	North        float64   `db:"north"`
	StartedOn    string    `db:"started_on"`
	EndedOn      string    `db:"ended_on"`
	Languages    string    `db:"languages"`
	Summary      string    `db:"summary"`
	Status       string    `db:"status"`
	Coordinators string    `db:"coordinators"`
	SMSNumber    string    `db:"sms_number"`
	CreatedAt    time.Time `db:"created_at"`
	UpdatedAt    time.Time `db:"updated_at"`
}

func (r emergencyRow) emergency() Emergency {
	e := Emergency{ID: r.ID, OrgID: r.OrgID, Lead: r.Lead, Title: r.Title, Kind: r.Kind, Glide: r.Glide, Country: r.Country,
		Box: Box{West: r.West, South: r.South, East: r.East, North: r.North}, StartedOn: r.StartedOn, EndedOn: r.EndedOn,
		Summary: r.Summary, Status: r.Status, SMSNumber: r.SMSNumber, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	_ = json.Unmarshal([]byte(r.Areas), &e.Areas)
	_ = json.Unmarshal([]byte(r.Languages), &e.Languages)
	_ = json.Unmarshal([]byte(r.Coordinators), &e.Coordinators)
	return e
}

// Emergency returns an emergency. Emergencies are public: their reports,
// activities and money are filtered where they are read.
func (s *Service) Emergency(ctx context.Context, id string) (Emergency, error) {
	var r emergencyRow
	if err := s.db.R().Get(ctx, &r, `SELECT `+emergencyCols+` FROM hum_emergencies e WHERE e.id = ?`, id); err != nil {
		return Emergency{}, err
	}
	return r.emergency(), nil
}

// Emergencies lists the emergencies, active ones first, newest first.
func (s *Service) Emergencies(ctx context.Context) ([]Emergency, error) {
	var rows []emergencyRow
	if err := s.db.R().Select(ctx, &rows, `SELECT `+emergencyCols+` FROM hum_emergencies e
		ORDER BY CASE WHEN e.status = 'active' THEN 0 ELSE 1 END, e.started_on DESC, e.id DESC LIMIT 200`); err != nil {
		return nil, err
	}
	out := make([]Emergency, len(rows))
	for i, r := range rows {
		out[i] = r.emergency()
	}
	return out, nil
}

// Today is the service's date, for forms' defaults.
func (s *Service) Today() string { return s.db.Clock().Now().UTC().Format(time.DateOnly) }
