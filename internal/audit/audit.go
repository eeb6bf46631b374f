// Package audit keeps the audit trail: who did what, for which organisation, on
// what, when, from where, with which request id. Every state change records an
// event in the same transaction as the change, so the trail and the data never
// disagree.
package audit

import (
	"context"
	"embed"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the audit trail's schema.
func Migrations() store.Migrations { return store.Embedded("audit", schemaFS) }

// Event is one entry of the trail.
type Event struct {
	ID         string    `db:"id" json:"id"`
	At         time.Time `db:"at" json:"at"`
	ActorID    string    `db:"actor_id" json:"actor_id"`
	ActorName  string    `db:"actor_name" json:"actor_name"`
	OrgID      string    `db:"org_id" json:"org_id"`
	Action     string    `db:"action" json:"action"`
	TargetType string    `db:"target_type" json:"target_type"`
	TargetID   string    `db:"target_id" json:"target_id"`
	Detail     string    `db:"detail" json:"detail"`
	IP         string    `db:"ip" json:"ip"`
	RequestID  string    `db:"request_id" json:"request_id"`
}

// Record appends an event in tx, taking the actor and request from ctx. Actions
// are dotted verbs ("directory.org.create"); detail never holds secrets.
func Record(ctx context.Context, tx *store.Tx, action, targetType, targetID, orgID, detail string) error {
	a := core.ActorFrom(ctx)
	ri := core.RequestFrom(ctx)
	name := a.Name
	if a.TokenID != "" {
		name += " (token)"
	}
	_, err := tx.Exec(ctx, `INSERT INTO audit_events (id, at, actor_id, actor_name, org_id, action, target_type, target_id, detail, ip, request_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		core.NewID(tx.Now), tx.Now, a.UserID, name, orgID, action, targetType, targetID, detail, ri.IP, ri.ID)
	return core.Wrap("audit: record", err)
}

// Filter narrows a listing of the trail. Zero fields match everything.
type Filter struct {
	Actor  string // actor id or a part of the actor's name
	OrgID  string
	Action string // prefix, e.g. "auth." or "directory.org"
	Since  time.Time
	Until  time.Time
}

// List returns events newest first, at most page.Limit after page.Cursor (an
// event id: ids sort by time). The next cursor is empty at the end.
func List(ctx context.Context, db *store.DB, f Filter, page core.Page) ([]Event, string, error) {
	page = page.Normalize(50, 1000)
	var (
		where []string
		args  []any
	)
	if f.Actor != "" {
		where = append(where, "(actor_id = ? OR LOWER(actor_name) LIKE ? ESCAPE '\\')")
		args = append(args, f.Actor, store.Like(f.Actor))
	}
	if f.OrgID != "" {
		where = append(where, "org_id = ?")
		args = append(args, f.OrgID)
	}
	if f.Action != "" {
		where = append(where, "action LIKE ? ESCAPE '\\'")
		args = append(args, strings.TrimSuffix(strings.TrimPrefix(store.Like(f.Action), "%"), "%")+"%")
	}
	if !f.Since.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, f.Since.UTC())
	}
	if !f.Until.IsZero() {
		where = append(where, "at < ?")
		args = append(args, f.Until.UTC())
	}
	if page.Cursor != "" {
		where = append(where, "id < ?")
		args = append(args, page.Cursor)
	}
	q := `SELECT id, at, actor_id, actor_name, org_id, action, target_type, target_id, detail, ip, request_id FROM audit_events`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, page.Limit+1)
	var evs []Event
	if err := db.R().Select(ctx, &evs, q, args...); err != nil {
		return nil, "", core.Wrap("audit: list", err)
	}
	next := ""
	if len(evs) > page.Limit {
		evs = evs[:page.Limit]
		next = evs[len(evs)-1].ID
	}
	return evs, next, nil
}
