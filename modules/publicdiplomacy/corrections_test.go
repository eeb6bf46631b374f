package publicdiplomacy_test

import (
	"context"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// TestCorrectionWaitsOnTheApproversHomePage: a proposed correction is on
// the home page of the organisation's other approvers, not of its author,
// until it is approved.
func TestCorrectionWaitsOnTheApproversHomePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		acc := n.Account(t, "kemlu", "kemlu")
		posts := n.Publish(t, "kemlu", acc, nil, hello)
		sari, bima := n.As("Sari", "kemlu", core.RoleAdmin), n.As("Bima", "kemlu", core.RoleOfficer)
		if _, err := n.Svc.EditPublished(sari, posts[0].ID, 0, publicdiplomacy.Translation{Content: "Hello again from the Ministry."}); err != nil {
			t.Fatal(err)
		}
		m := publicdiplomacy.NewModule(n.Svc, n.Web)
		keys := func(ctx context.Context) string {
			t.Helper()
			items, err := m.Attention(ctx, core.ActorFrom(ctx))
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, it := range items {
				out = append(out, it.Key)
			}
			return strings.Join(out, " ")
		}
		if got := keys(bima); !strings.Contains(got, "attn.pd_correction") {
			t.Fatalf("the other approver's home page: %q", got)
		}
		if got := keys(sari); strings.Contains(got, "attn.pd_correction") {
			t.Fatalf("the correction's author is asked to approve it: %q", got)
		}
		if _, err := n.Svc.ApproveCorrection(bima, posts[0].ID, 0); err != nil {
			t.Fatal(err)
		}
		if got := keys(bima); strings.Contains(got, "attn.pd_correction") {
			t.Fatalf("an approved correction still waits: %q", got)
		}
	})
}
