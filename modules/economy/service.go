package economy

import (
	"context"
	"embed"
	"encoding/json"
	"slices"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the module's schema.
func Migrations() store.Migrations { return store.Embedded("economy", schemaFS) }

// OrgCountry names the country an organisation of this node represents,
// by its handle ("" when it represents none). modules/all answers it from
// the directory.
type OrgCountry func(ctx context.Context, handle string) (string, error)

// Service keeps agreements and commitments.
type Service struct {
	db      *store.DB
	shipped []Agreement
	country OrgCountry
}

// NewService returns the service. The shipped agreements are embedded, so
// a bad file stops the node at start-up.
func NewService(db *store.DB, country OrgCountry) *Service {
	ags, err := Shipped()
	if err != nil {
		panic(err)
	}
	return &Service{db: db, shipped: ags, country: country}
}

// Agreements lists every agreement: the shipped ones as this node
// corrected them, then those it added.
func (s *Service) Agreements(ctx context.Context) ([]Agreement, error) {
	if err := access.Check(core.ActorFrom(ctx), access.EconomyRead, access.Resource{}); err != nil {
		return nil, err
	}
	var rows []agreementRow
	if err := s.db.R().Select(ctx, &rows, `SELECT id, doc, org_id, local FROM eco_agreements ORDER BY id`); err != nil {
		return nil, core.Wrap("economy: agreements", err)
	}
	out := make([]Agreement, len(s.shipped))
	for i, a := range s.shipped {
		out[i] = a.clone()
	}
	for _, r := range rows {
		a, err := r.agreement(s.isShipped(r.ID))
		if err != nil {
			return nil, err
		}
		if i := slices.IndexFunc(out, func(x Agreement) bool { return x.ID == r.ID }); i >= 0 && !r.Local {
			out[i] = a
			continue
		}
		out = append(out, a)
	}
	return out, nil
}

var errNoAgreement = core.E(core.KindNotFound, "economy", "err.not_found")

// Agreement returns one agreement.
func (s *Service) Agreement(ctx context.Context, id string) (Agreement, error) {
	all, err := s.Agreements(ctx)
	if err != nil {
		return Agreement{}, err
	}
	for _, a := range all {
		if a.ID == id {
			return a, nil
		}
	}
	return Agreement{}, errNoAgreement
}

// SaveAgreement adds an agreement (local, for the organisation org, or for
// the node when org is "") or replaces one, correcting its facts: the
// page's one form does both. A shipped agreement is corrected only by a
// node administrator; an added one by them and its organisation's
// admins. Every save is in the audit trail with what it replaced.
func (s *Service) SaveAgreement(ctx context.Context, org string, a Agreement) (Agreement, error) {
	return s.save(ctx, org, a, saveAny)
}

// AddAgreement adds an agreement whose id is new on this node (the API's
// POST): one that exists is a conflict, not a silent correction.
func (s *Service) AddAgreement(ctx context.Context, org string, a Agreement) (Agreement, error) {
	return s.save(ctx, org, a, saveNew)
}

// CorrectAgreement replaces the agreement id (the API's PUT), which stays
// with the organisation that added it.
func (s *Service) CorrectAgreement(ctx context.Context, id string, a Agreement) (Agreement, error) {
	if a.ID != id {
		p := core.Problems{}
		p.Add("id", "err.eco_id_mismatch")
		return a, p.Err("economy: correct agreement")
	}
	return s.save(ctx, "", a, saveExisting)
}

type saveMode int

const (
	saveAny saveMode = iota
	saveNew
	saveExisting
)

// CanCorrect reports whether the actor corrects the agreement's facts: a
// shipped one (or one added for the node) is the node administrator's, an
// added one also its organisation's admins'.
func CanCorrect(actor core.Actor, a Agreement) bool {
	if actor.NodeAdmin {
		return true
	}
	return a.Local && a.OrgID != "" && access.Can(actor, access.EconomyAgreements, access.Resource{OrgID: a.OrgID})
}

func (s *Service) isShipped(id string) bool {
	return slices.ContainsFunc(s.shipped, func(x Agreement) bool { return x.ID == id })
}

func (s *Service) save(ctx context.Context, org string, a Agreement, mode saveMode) (Agreement, error) {
	actor := core.ActorFrom(ctx)
	if err := access.Check(actor, access.EconomyAgreements, access.Resource{OrgID: org}); err != nil {
		return a, err
	}
	if err := checkAgreementText(a); err != nil {
		return a, err
	}
	if err := a.Validate(); err != nil {
		return a, agreementProblem(err)
	}
	if mode == saveNew && org == "" && !actor.NodeAdmin {
		return a, core.E(core.KindForbidden, "economy", "err.forbidden")
	}
	shipped := s.isShipped(a.ID)
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		old, found, err := s.lockAgreement(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		switch {
		case mode == saveNew && found:
			return core.E(core.KindConflict, "economy", "err.eco_agreement_exists")
		case mode == saveExisting && !found:
			return errNoAgreement
		case found && !CanCorrect(actor, old):
			return core.E(core.KindForbidden, "economy", "err.forbidden")
		case !found && org == "" && !actor.NodeAdmin:
			return core.E(core.KindForbidden, "economy", "err.forbidden")
		}
		if found && !shipped {
			org = old.OrgID // a correction keeps the agreement its organisation's
		}
		a.Local, a.OrgID, a.Corrected = !shipped, org, shipped
		keepConfirmations(&a, old)
		before := ""
		if found {
			b, _ := json.Marshal(old)
			before = string(b)
		}
		return s.write(ctx, tx, a, "economy.agreement.save", "before: "+before)
	})
	return a, core.Wrap("economy: save agreement", err)
}

// lockAgreement reads the agreement as it stands in tx, holding it until
// the transaction ends so that two corrections (or a correction and a
// confirmation) cannot both start from the same text and lose one:
// SQLite's one writer does that already; PostgreSQL takes a lock on the
// id, since a shipped agreement not yet corrected has no row to lock.
func (s *Service) lockAgreement(ctx context.Context, tx *store.Tx, id string) (Agreement, bool, error) {
	if tx.Engine() == store.Postgres {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 18))`, "economy:agreement:"+id); err != nil {
			return Agreement{}, false, err
		}
	}
	var rows []agreementRow
	if err := tx.Select(ctx, &rows, `SELECT id, doc, org_id, local FROM eco_agreements WHERE id = ?`, id); err != nil {
		return Agreement{}, false, err
	}
	if len(rows) == 1 {
		a, err := rows[0].agreement(s.isShipped(id))
		return a, err == nil, err
	}
	for _, a := range s.shipped {
		if a.ID == id {
			return a.clone(), true, nil
		}
	}
	return Agreement{}, false, nil
}

// write stores the whole agreement and its audit record in tx.
func (s *Service) write(ctx context.Context, tx *store.Tx, a Agreement, action, detail string) error {
	doc, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM eco_agreements WHERE id = ?`, a.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO eco_agreements (id, doc, org_id, local, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		a.ID, string(doc), a.OrgID, a.Local, core.ActorFrom(ctx).UserID, tx.Now); err != nil {
		return err
	}
	return audit.Record(ctx, tx, action, "agreement", a.ID, a.OrgID, detail)
}

type agreementRow struct {
	ID    string `db:"id"`
	Doc   string `db:"doc"`
	OrgID string `db:"org_id"`
	Local bool   `db:"local"`
}

func (r agreementRow) agreement(shipped bool) (Agreement, error) {
	var a Agreement
	if err := json.Unmarshal([]byte(r.Doc), &a); err != nil {
		return a, core.Wrap("economy: agreement "+r.ID, err)
	}
	a.OrgID, a.Local, a.Corrected = r.OrgID, r.Local, shipped && !r.Local
	return a, nil
}

// agreementProblem turns a validation error into the field problem forms
// and the API show.
func agreementProblem(err error) error {
	fe, ok := err.(*FieldError)
	if !ok {
		return err
	}
	p := core.Problems{}
	key := fe.Key
	if key == "" {
		key = "err.eco_agreement_invalid"
	}
	p.Add(fe.Field, key)
	e := p.Err("economy: agreement").(*core.Error)
	e.Err = err
	return e
}

// checkAgreementText refuses NUL bytes and invalid UTF-8 in any of the
// agreement's texts, the same on both engines.
func checkAgreementText(a Agreement) error {
	p := core.Problems{}
	check := func(field string, ss ...string) {
		for _, s := range ss {
			if k := core.CheckText(s); k != "" {
				p.Add(field, k)
			}
		}
	}
	check("name_en", a.NameEN)
	check("name_id", a.NameID)
	check("short", a.Short)
	check("note", a.Note)
	check("id", a.ID)
	for _, m := range a.Modules {
		check("modules", m.ID, m.Title, m.TitleID)
	}
	for _, pr := range a.Provisions {
		check("provisions", pr.ID, pr.Title, pr.TitleID, pr.Summary, pr.SummaryID, pr.Note, pr.Source)
	}
	for _, pa := range a.Parties {
		for _, st := range pa.History {
			check("parties", st.Note, st.Source, string(st.On))
		}
	}
	return p.Err("economy: agreement")
}

// countryOf names the country the actor's organisation represents, for a
// commitment it keeps.
func (s *Service) countryOf(ctx context.Context, orgID string) (string, error) {
	for _, m := range core.ActorFrom(ctx).Memberships {
		if m.Org.ID == orgID {
			c, err := s.country(ctx, m.Org.Handle)
			return strings.ToUpper(c), err
		}
	}
	return "", nil
}
