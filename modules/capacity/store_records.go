package capacity

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
)

// The writes of needs, offers and projects, whether made here or copies of
// a peer's: one place that knows the columns, and rewrites a record's
// shares with it. A copy has no organisation here (org_id is empty), so no
// one here writes it; its origin is its node. The rev is publish's and
// receiveCopy's alone.

func saveNeed(ctx context.Context, tx *store.Tx, n Need, insert bool) error {
	q := `UPDATE cap_needs SET org_id = ?, owner = ?, title = ?, description = ?, themes = ?, topics = ?, country = ?, priority = ?, languages = ?,
		from_on = ?, to_on = ?, status = ?, visibility = ?, shared_with = ?, project_id = ?, origin = ?, created_at = ?, updated_at = ? WHERE id = ?`
	if insert {
		q = `INSERT INTO cap_needs (org_id, owner, title, description, themes, topics, country, priority, languages, from_on, to_on,
			status, visibility, shared_with, project_id, origin, created_at, updated_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	}
	if _, err := tx.Exec(ctx, q, n.OrgID, n.Owner, n.Title, n.Description, list(n.Themes), list(n.Topics), n.Country, string(n.Priority), list(n.Languages),
		n.From, n.To, n.Status, n.Visibility, list(n.SharedWith), n.ProjectID, n.Origin, n.CreatedAt, n.UpdatedAt, n.ID); err != nil {
		return core.Wrap("capacity: save need", err)
	}
	return reshare(ctx, tx, "cap_need_shares", "need_id", n.ID, n.Visibility, n.SharedWith, insert)
}

func saveOffer(ctx context.Context, tx *store.Tx, o Offer, insert bool) error {
	q := `UPDATE cap_offers SET org_id = ?, owner = ?, title = ?, description = ?, themes = ?, topics = ?, regions = ?, countries = ?, languages = ?,
		from_on = ?, to_on = ?, budget_min = ?, budget_max = ?, currency = ?, visibility = ?, shared_with = ?, origin = ?, created_at = ?, updated_at = ? WHERE id = ?`
	if insert {
		q = `INSERT INTO cap_offers (org_id, owner, title, description, themes, topics, regions, countries, languages, from_on, to_on,
			budget_min, budget_max, currency, visibility, shared_with, origin, created_at, updated_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	}
	if _, err := tx.Exec(ctx, q, o.OrgID, o.Owner, o.Title, o.Description, list(o.Themes), list(o.Topics), list(o.Regions), list(o.Countries), list(o.Languages),
		o.From, o.To, o.BudgetMin, o.BudgetMax, o.Currency, o.Visibility, list(o.SharedWith), o.Origin, o.CreatedAt, o.UpdatedAt, o.ID); err != nil {
		return core.Wrap("capacity: save offer", err)
	}
	return reshare(ctx, tx, "cap_offer_shares", "offer_id", o.ID, o.Visibility, o.SharedWith, insert)
}

func saveProject(ctx context.Context, tx *store.Tx, p Project, insert bool) error {
	q := `UPDATE cap_projects SET org_id = ?, owner = ?, title = ?, summary = ?, themes = ?, topics = ?, funders = ?, implementers = ?, countries = ?, regions = ?,
		budget = ?, currency = ?, start_on = ?, end_on = ?, status = ?, outputs = ?, contact = ?, visibility = ?, shared_with = ?, origin = ?,
		created_at = ?, updated_at = ? WHERE id = ?`
	if insert {
		q = `INSERT INTO cap_projects (org_id, owner, title, summary, themes, topics, funders, implementers, countries, regions, budget, currency,
			start_on, end_on, status, outputs, contact, visibility, shared_with, origin, created_at, updated_at, id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	}
	if _, err := tx.Exec(ctx, q, p.OrgID, p.Owner, p.Title, p.Summary, list(p.Themes), list(p.Topics), list(p.Funders), list(p.Implementers),
		list(p.Countries), list(p.Regions), p.Budget, p.Currency, p.Start, p.End, string(p.Status), list(p.Outputs), p.Contact, p.Visibility,
		list(p.SharedWith), p.Origin, p.CreatedAt, p.UpdatedAt, p.ID); err != nil {
		return core.Wrap("capacity: save project", err)
	}
	return reshare(ctx, tx, "cap_shares", "project_id", p.ID, p.Visibility, p.SharedWith, insert)
}

// reshare rewrites the addresses a shared record is shared with, the rows
// the visibility filter reads. The table and key are the callers'
// constants, never input.
func reshare(ctx context.Context, tx *store.Tx, table, key, id, vis string, addrs []string, fresh bool) error {
	if !fresh {
		if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE `+key+` = ?`, id); err != nil {
			return core.Wrap("capacity: share", err)
		}
	}
	if vis != Shared {
		return nil
	}
	seen := map[string]bool{}
	for _, a := range addrs {
		if seen[a] {
			continue
		}
		seen[a] = true
		if _, err := tx.Exec(ctx, `INSERT INTO `+table+` (`+key+`, addr) VALUES (?, ?)`, id, a); err != nil {
			return core.Wrap("capacity: share", err)
		}
	}
	return nil
}
