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
	var rows []struct {
		ID    string `db:"id"`
		Doc   string `db:"doc"`
		OrgID string `db:"org_id"`
		Local bool   `db:"local"`
	}
	if err := s.db.R().Select(ctx, &rows, `SELECT id, doc, org_id, local FROM eco_agreements ORDER BY id`); err != nil {
		return nil, core.Wrap("economy: agreements", err)
	}
	out := slices.Clone(s.shipped)
	for _, r := range rows {
		var a Agreement
		if err := json.Unmarshal([]byte(r.Doc), &a); err != nil {
			return nil, core.Wrap("economy: agreement "+r.ID, err)
		}
		a.OrgID, a.Local = r.OrgID, r.Local
		if i := slices.IndexFunc(out, func(x Agreement) bool { return x.ID == r.ID }); i >= 0 && !r.Local {
			a.Corrected = true
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
// the node when org is "") or replaces one, correcting its facts. A
// shipped agreement is corrected only by a node administrator; an added
// one by them and its organisation's admins. Every save is in the audit
// trail with what it replaced.
func (s *Service) SaveAgreement(ctx context.Context, org string, a Agreement) (Agreement, error) {
	actor := core.ActorFrom(ctx)
	if err := access.Check(actor, access.EconomyAgreements, access.Resource{OrgID: org}); err != nil {
		return a, err
	}
	if org == "" && !actor.NodeAdmin {
		return a, core.E(core.KindForbidden, "economy", "err.forbidden")
	}
	if err := checkAgreementText(a); err != nil {
		return a, err
	}
	if err := a.Validate(); err != nil {
		return a, agreementProblem(err)
	}
	old, err := s.Agreement(ctx, a.ID)
	shipped := slices.ContainsFunc(s.shipped, func(x Agreement) bool { return x.ID == a.ID })
	switch {
	case err == nil && (shipped || old.OrgID == "") && !actor.NodeAdmin:
		return a, core.E(core.KindForbidden, "economy", "err.forbidden")
	case err == nil && !shipped && old.OrgID != "" && !actor.NodeAdmin && access.Check(actor, access.EconomyAgreements, access.Resource{OrgID: old.OrgID}) != nil:
		return a, core.E(core.KindForbidden, "economy", "err.forbidden")
	case err != nil && core.KindOf(err) != core.KindNotFound:
		return a, err
	}
	if err == nil && !shipped {
		org = old.OrgID // a correction keeps the agreement its organisation's
	}
	a.Local, a.OrgID, a.Corrected = !shipped, org, shipped
	doc, err := json.Marshal(a)
	if err != nil {
		return a, core.Wrap("economy: save agreement", err)
	}
	before := ""
	if old.ID != "" {
		b, _ := json.Marshal(old)
		before = string(b)
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM eco_agreements WHERE id = ?`, a.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO eco_agreements (id, doc, org_id, local, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			a.ID, string(doc), org, !shipped, actor.UserID, tx.Now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "economy.agreement.save", "agreement", a.ID, org, "before: "+before)
	})
	return a, core.Wrap("economy: save agreement", err)
}

// agreementProblem turns a validation error into the field problem forms
// and the API show.
func agreementProblem(err error) error {
	fe, ok := err.(*FieldError)
	if !ok {
		return err
	}
	p := core.Problems{}
	p.Add(fe.Field, "err.eco_agreement_invalid")
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
		check("modules", m.ID, m.Title)
	}
	for _, pr := range a.Provisions {
		check("provisions", pr.ID, pr.Title, pr.Summary, pr.Note, pr.Source)
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
