package publicdiplomacy_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// TestReachCountsAMessageOnce: a message's translations are one message
// in reach, their boosts added up.
func TestReachCountsAMessageOnce(t *testing.T) {
	n := newNode(t, storetest.Engines(t)[0])
	n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
	acc := n.Account(t, "kemlu", "kemlu")
	posts := n.Publish(t, "kemlu", acc, nil, hello, publicdiplomacy.Translation{Language: "id", Content: "Salam dari Kementerian."})
	err := n.DB.WithTx(context.Background(), func(tx *store.Tx) error {
		for i, p := range posts {
			if _, err := tx.Exec(context.Background(), `INSERT INTO pd_reactions (id, type, post_id, actor, host, created_at) VALUES (?, 'Announce', ?, ?, 'social.example', ?)`,
				"b"+p.ID, p.ID, "https://social.example/users/u"+string(rune('a'+i)), tx.Now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	day := n.Clock.Now().UTC().Format("2006-01-02")
	period, err := publicdiplomacy.ParsePeriod(day, day, n.Clock.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	r, err := n.Svc.Reach(n.As("Officer", "kemlu", core.RoleOfficer), period, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Posts) != 1 || r.Posts[0].Boosts != 2 || !slices.Equal(r.Posts[0].Languages, []string{"en", "id"}) {
		t.Fatalf("reach's messages: %+v", r.Posts)
	}
}
