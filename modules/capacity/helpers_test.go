package capacity_test

import (
	"context"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/capacity"
)

// host is the test node's name.
type host string

func (h host) Host() string { return string(h) }

// node is a database with the capacity schema and its service.
type node struct {
	svc   *capacity.Service
	clock *storetest.Clock
}

func newNode(t testing.TB, e storetest.Engine) *node {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, e, clock, audit.Migrations(), capacity.Migrations())
	return &node{svc: capacity.NewService(db, host("node.test")), clock: clock}
}

// as is a person of the organisation handle (whose id is "org-"+handle) in
// role.
func as(handle string, role core.Role) context.Context {
	return core.WithActor(context.Background(), core.Actor{UserID: "u-" + handle + string(role), Name: handle + " " + string(role),
		Memberships: []core.Membership{{Org: core.OrgRef{ID: "org-" + handle, Handle: handle}, Kind: core.OrgStateMinistry, Role: role}}})
}

// csirt is a project as DFAT would record it.
func csirt(visibility string, shared ...string) capacity.Project {
	return capacity.Project{Title: "A national CSIRT for Timor-Leste", Summary: "Set up and train the national CSIRT.",
		Topics: []string{"csirt", "incident-response"}, Funders: []string{"dfat-au@node.test"}, Implementers: []string{"CERT Australia", "APNIC"},
		Countries: []string{"tl"}, Regions: []string{"southeast-asia"}, Budget: 1200000, Currency: "aud", Start: "2027-01-01", End: "2028-12-31",
		Status: capacity.Ongoing, Outputs: []string{"CSIRT established", "20 analysts trained"}, Contact: "cyber@dfat.example",
		Visibility: visibility, SharedWith: shared}
}

func fields(err error) map[string]string {
	if ce := core.AsError(err); ce != nil && ce.Fields != nil {
		return ce.Fields
	}
	return map[string]string{}
}

func mustCreate(t *testing.T, n *node, ctx context.Context, org string, p capacity.Project) capacity.Project {
	t.Helper()
	got, err := n.svc.Create(ctx, org, p)
	if err != nil {
		t.Fatalf("create %q: %v %v", p.Title, err, fields(err))
	}
	return got
}
