package publicdiplomacy_test

import (
	"context"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// TestItemShowsTheAuthorsHistory: an item's page lists what its author
// sent the account before, so an officer sees they asked twice.
func TestItemShowsTheAuthorsHistory(t *testing.T) {
	n, au := newNode(t, storetest.Engines(t)[0]), newNode(t, storetest.Engines(t)[0])
	n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
	au.Org(t, "dfat", core.OrgStateMinistry, "AU", "DFAT")
	n.Account(t, "kemlu", "kemlu")
	dfat := au.Account(t, "dfat", "dfat")
	for _, text := range []string{"first question", "second question"} {
		if _, err := au.Svc.Mention(au.As("Admin", "dfat", core.RoleAdmin), dfat.ID, publicdiplomacy.VisPublic, "@kemlu@"+n.Host+" "+text); err != nil {
			t.Fatal(err)
		}
		au.Deliver(t)
	}
	officer := n.As("Officer", "kemlu", core.RoleOfficer)
	q, err := n.Svc.Queue(officer, publicdiplomacy.QueueFilter{})
	if err != nil || len(q) != 2 {
		t.Fatalf("queue: %d (%v)", len(q), err)
	}
	second := q[0]
	if !strings.Contains(second.Text, "second question") {
		second = q[1]
	}
	h, err := n.Svc.History(officer, second)
	if err != nil || len(h) != 1 || !strings.Contains(h[0].Text, "first question") {
		t.Fatalf("history of the second: %+v (%v)", h, err)
	}
}

// TestGiveAnItemToAColleague: an item goes to a colleague who answers the
// public; not to a member who only reads, nor to someone of another
// organisation.
func TestGiveAnItemToAColleague(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n, au := newNode(t, e), newNode(t, e)
		kemlu := n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		bssn := n.Org(t, "bssn", core.OrgStateCERT, "ID", "BSSN")
		au.Org(t, "dfat", core.OrgStateMinistry, "AU", "DFAT")
		n.Account(t, "kemlu", "kemlu")
		dfat := au.Account(t, "dfat", "dfat")
		err := n.DB.WithTx(context.Background(), func(tx *store.Tx) error {
			for _, u := range []struct{ id, name, org, role string }{{"u-dewi", "Dewi", kemlu, "analyst"}, {"u-yusuf", "Yusuf", kemlu, "member"}, {"u-rina", "Rina", bssn, "analyst"}} {
				if _, err := tx.Exec(context.Background(), `INSERT INTO users (id, email, name, created_at) VALUES (?, ?, ?, ?)`, u.id, u.id+"@example.org", u.name, tx.Now); err != nil {
					return err
				}
				if _, err := tx.Exec(context.Background(), `INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, ?, ?)`, u.id, u.org, u.role, tx.Now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := au.Svc.Mention(au.As("Admin", "dfat", core.RoleAdmin), dfat.ID, publicdiplomacy.VisPublic, "@kemlu@"+n.Host+" a question"); err != nil {
			t.Fatal(err)
		}
		au.Deliver(t)
		officer := n.As("Officer", "kemlu", core.RoleOfficer)
		q, err := n.Svc.Queue(officer, publicdiplomacy.QueueFilter{})
		if err != nil || len(q) != 1 {
			t.Fatalf("queue: %d (%v)", len(q), err)
		}
		for _, who := range []string{"u-yusuf", "u-rina", "nobody"} {
			if _, err := n.Svc.AssignTo(officer, q[0].ID, who); core.KindOf(err) != core.KindInvalid {
				t.Errorf("given to %s: %v", who, err)
			}
		}
		it, err := n.Svc.AssignTo(officer, q[0].ID, "u-dewi")
		if err != nil || it.Assignee != "Dewi" || it.State != publicdiplomacy.ItemAssigned {
			t.Fatalf("given to Dewi: %+v (%v)", it, err)
		}
	})
}
