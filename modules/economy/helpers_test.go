package economy

import (
	"context"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

// world is a node with Indonesia's foreign ministry (kemlu), Singapore's
// agency (csa) and an organisation that represents no state (ngo).
type world struct {
	svc                                *Service
	db                                 *store.DB
	clock                              *storetest.Clock
	root, idAnalyst, idMember, sgAdmin context.Context
	ngoAdmin, stranger                 context.Context
}

func newWorld(t *testing.T, e storetest.Engine) world {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, e, clock, audit.Migrations(), Migrations())
	countries := map[string]string{"kemlu": "ID", "csa": "SG", "ngo": ""}
	svc := NewService(db, func(_ context.Context, h string) (string, error) { return countries[h], nil })
	as := func(id, org, handle string, role core.Role) context.Context {
		a := core.Actor{UserID: id, Name: id}
		if org != "" {
			a.Memberships = []core.Membership{{Org: core.OrgRef{ID: org, Handle: handle}, Role: role}}
		}
		return core.WithActor(context.Background(), a)
	}
	return world{svc: svc, db: db, clock: clock,
		root:      core.WithActor(context.Background(), core.Actor{UserID: "u-root", Name: "Root", NodeAdmin: true}),
		idAnalyst: as("u-ayu", "o-kemlu", "kemlu", core.RoleAnalyst),
		idMember:  as("u-budi", "o-kemlu", "kemlu", core.RoleMember),
		sgAdmin:   as("u-tan", "o-csa", "csa", core.RoleAdmin),
		ngoAdmin:  as("u-ngo", "o-ngo", "ngo", core.RoleAdmin),
		stranger:  as("u-x", "", "", ""),
	}
}

func mustCommit(t *testing.T, w world, ctx context.Context, in CommitmentInput) Commitment {
	t.Helper()
	c, err := w.svc.CreateCommitment(ctx, in)
	if err != nil {
		t.Fatalf("create commitment: %v", err)
	}
	return c
}

func wantKind(t *testing.T, what string, err error, k core.Kind) {
	t.Helper()
	if core.KindOf(err) != k {
		t.Fatalf("%s: %v (kind %q), want %q", what, err, core.KindOf(err), k)
	}
}

func wantFields(t *testing.T, what string, err error, fields ...string) {
	t.Helper()
	e := core.AsError(err)
	if e == nil || e.Kind != core.KindInvalid {
		t.Fatalf("%s: %v, want problems with %v", what, err, fields)
	}
	for _, f := range fields {
		if _, ok := e.Fields[f]; !ok {
			t.Errorf("%s: no problem with %s in %v", what, f, e.Fields)
		}
	}
	if len(e.Fields) != len(fields) {
		t.Errorf("%s: problems %v, want only %v", what, e.Fields, fields)
	}
}
