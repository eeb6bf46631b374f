package publicdiplomacy

import (
	"context"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

// TestAttentionCountsNewWebcare: what the public sent and nobody has taken
// yet is counted on the home page of those who answer for the
// organisation — not of its members who only read, nor of another
// organisation — and a taken or deleted item is not counted.
func TestAttentionCountsNewWebcare(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNRWorld(t, e)
		w.org(t, "kemlu", "Ministry of Foreign Affairs")
		w.org(t, "dfat", "DFAT")
		acc := w.account(t, "kemlu", "kemlu")
		for i, st := range []struct {
			state   string
			deleted bool
		}{{"new", false}, {"new", false}, {"assigned", false}, {"new", true}} {
			err := w.svc.db.WithTx(context.Background(), func(tx *store.Tx) error {
				_, err := tx.Exec(context.Background(), `INSERT INTO pd_inbox (id, uri, account_id, actor, actor_handle, host, text, visibility, kind, queue, state, deleted, published_at, received_at)
					VALUES (?, ?, ?, 'https://social.example/users/ana', 'ana@social.example', 'social.example', 'Hello', 'public', 'mention', TRUE, ?, ?, ?, ?)`,
					core.NewID(tx.Now), "https://social.example/notes/"+string(rune('a'+i)), acc.ID, st.state, st.deleted, tx.Now, tx.Now)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		m := &Module{svc: w.svc}
		for _, c := range []struct {
			org  string
			role core.Role
			want bool
		}{{"kemlu", core.RoleOfficer, true}, {"kemlu", core.RoleAnalyst, true}, {"kemlu", core.RoleMember, false}, {"dfat", core.RoleAdmin, false}} {
			items, err := m.Attention(context.Background(), core.ActorFrom(w.as("u-"+string(c.role), "P", c.org, c.role)))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range items {
				if it.Key == "attn.pd_webcare_new" {
					got = append(got, it.Link)
					if it.Args[0] != 2 {
						t.Errorf("%s of %s: %v new items, want 2", c.role, c.org, it.Args[0])
					}
				}
			}
			if (len(got) > 0) != c.want {
				t.Errorf("%s of %s: web-care attention %v, want %v", c.role, c.org, strings.Join(got, " "), c.want)
			}
		}
	})
}
