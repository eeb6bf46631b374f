package directory_test

import (
	"context"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/directory"
)

// mustNodeAdmin creates a node administrator's account and returns them as an
// actor.
func mustNodeAdmin(t *testing.T, w world, email string) context.Context {
	t.Helper()
	ctx := context.Background()
	a := auth.NewService(w.db, nil, time.Hour, 8*time.Hour)
	var u auth.User
	if err := w.db.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		u, _, err = a.CreateUser(ctx, tx, auth.NewUser{Email: email, Name: "Operator", NodeAdmin: true})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return core.WithActor(ctx, core.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, NodeAdmin: true})
}

// TestNodeAdminCannotStaffAStaffedOrg is issue 13's attack: a node
// administrator added themselves to an organisation and read its AMBER
// correspondence. Once an organisation has an admin, only its admins change
// who is in it; the admin adding the node administrator is the consent, and
// the organisation's audit trail shows who did it.
func TestNodeAdminCannotStaffAStaffedOrg(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		ctx := context.Background()
		root := mustNodeAdmin(t, w, "root@node.test")
		rootID := core.ActorFrom(root).UserID
		dewiID := core.ActorFrom(w.dewi).UserID
		wantKind := func(what string, err error, k core.Kind) {
			t.Helper()
			if core.KindOf(err) != k {
				t.Errorf("%s: %v; want %s", what, err, k)
			}
		}

		// kemlu has an admin (Sari): the node administrator is refused.
		wantKind("node admin adds self to kemlu", w.svc.AddMember(root, "kemlu", "root@node.test", core.RoleAnalyst), core.KindForbidden)
		wantKind("node admin makes self kemlu's admin", w.svc.AddMember(root, "kemlu", "root@node.test", core.RoleAdmin), core.KindForbidden)
		wantKind("node admin changes Dewi's role", w.svc.AddMember(root, "kemlu", "dewi@kemlu.test", core.RoleAdmin), core.KindForbidden)
		wantKind("node admin removes Dewi", w.svc.RemoveMember(root, "kemlu", dewiID), core.KindForbidden)
		_, err := w.svc.CreatePerson(root, directory.PersonInput{Name: "Sock", Email: "sock@node.test", OrgHandle: "kemlu", Role: core.RoleAnalyst})
		wantKind("node admin creates a person in kemlu", err, core.KindForbidden)
		if ms, _ := w.svc.Memberships(ctx, rootID); len(ms) != 0 {
			t.Fatalf("the node administrator got in: %+v", ms)
		}
		if w.svc.CanStaff(root, kemluID(t, w)) {
			t.Error("the organisation page would offer the node administrator the member form")
		}

		// With Sari's consent the node administrator joins, and kemlu's
		// audit trail says she did it.
		if err := w.svc.AddMember(w.sari, "kemlu", "root@node.test", core.RoleOfficer); err != nil {
			t.Fatalf("focal point adds the node administrator: %v", err)
		}
		ms, _ := w.svc.Memberships(ctx, rootID)
		if len(ms) != 1 || ms[0].Org.Handle != "kemlu" || ms[0].Role != core.RoleOfficer {
			t.Fatalf("memberships after consent: %+v", ms)
		}
		var by string
		if err := w.db.R().Get(ctx, &by, `SELECT actor_id FROM audit_events WHERE action = 'directory.member.set' AND target_id = ? AND org_id = ?`, rootID, kemluID(t, w)); err != nil || by != core.ActorFrom(w.sari).UserID {
			t.Fatalf("audit of the consent: %q %v", by, err)
		}

		// bssn has no admin yet: the node administrator names its first.
		if _, err := w.svc.CreatePerson(root, directory.PersonInput{Name: "Agus", Email: "agus@bssn.test", OrgHandle: "bssn", Role: core.RoleAdmin}); err != nil {
			t.Fatalf("node admin names bssn's first admin: %v", err)
		}
		_, err = w.svc.CreatePerson(root, directory.PersonInput{Name: "Rina", Email: "rina@bssn.test", OrgHandle: "bssn", Role: core.RoleAnalyst})
		wantKind("node admin adds a second person to bssn", err, core.KindForbidden)
	})
}

// When every admin's account of an organisation is disabled, nobody could
// staff it: the node administrators may again, to name a new focal point.
func TestNodeAdminStaffsAnOrgWhoseAdminsAreGone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		root := mustNodeAdmin(t, w, "root@node.test")
		if err := w.svc.AddMember(root, "kemlu", "dewi@kemlu.test", core.RoleAdmin); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("while Sari is active: %v", err)
		}
		a := auth.NewService(w.db, nil, time.Hour, 8*time.Hour)
		if err := a.SetDisabled(root, core.ActorFrom(w.sari).UserID, true); err != nil {
			t.Fatal(err)
		}
		// Disabling the admin does not open the organisation at once: that
		// would let a node administrator disable, join and re-enable.
		if err := w.svc.AddMember(root, "kemlu", "root@node.test", core.RoleAdmin); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("right after disabling Sari: %v", err)
		}
		w.clock.Advance(directory.StaffCoolingOff + time.Hour)
		if err := w.svc.AddMember(root, "kemlu", "dewi@kemlu.test", core.RoleAdmin); err != nil {
			t.Fatalf("naming a new focal point once Sari is disabled: %v", err)
		}
		if err := w.svc.AddMember(root, "kemlu", "root@node.test", core.RoleAnalyst); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("once Dewi is admin: %v", err)
		}
	})
}

func kemluID(t *testing.T, w world) string {
	t.Helper()
	o, err := w.svc.Org(w.admin, "kemlu")
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}
