package publicdiplomacy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
)

// TestNewsroomAPI drafts a bilingual message through the API (first with
// problems, answered in the node's error format with each field named),
// lists it, submits it, is refused approval as its writer and has it
// approved by a second person; and the home page's attention follows it:
// the approver is asked, then the writer when it comes back.
func TestNewsroomAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNRWorld(t, e)
		w.org(t, "kemlu", "Ministry of Foreign Affairs")
		acc := w.account(t, "kemlu", "kemlu")
		bima := w.person(t, "bima@kemlu.example", "Bima", "kemlu", core.RoleOfficer)
		sari := w.person(t, "sari@kemlu.example", "Sari", "kemlu", core.RoleAdmin)
		yusuf := w.person(t, "yusuf@kemlu.example", "Yusuf", "kemlu", core.RoleMember)

		r := bima.api(t, "GET", "/api/v1/publicdiplomacy/accounts", "")
		nrWant(t, "accounts", r, http.StatusOK)
		var accs web.List[apiAccount]
		if err := json.Unmarshal([]byte(r.Body), &accs); err != nil || len(accs.Items) != 1 || accs.Items[0].Handle != "kemlu@"+w.fed.Host || accs.Items[0].ID != acc.ID {
			t.Fatalf("accounts: %s (%v)", r.Body, err)
		}

		past := w.clock.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		r = bima.api(t, "POST", "/api/v1/publicdiplomacy/posts", `{"account_id":"`+acc.ID+`","scheduled_at":"`+past+`","translations":[{"language":"en","content":"x"}]}`)
		nrWant(t, "a past time", r, http.StatusUnprocessableEntity)
		nrWantIn(t, "the refusal", r.Body, `"scheduled_at":"This time has passed`)
		r = bima.api(t, "POST", "/api/v1/publicdiplomacy/posts", `{"account_id":"`+acc.ID+`","visibility":"everyone","translations":[{"language":"en","content":""},{"language":"xx","content":"y"}]}`)
		nrWant(t, "a bad draft", r, http.StatusUnprocessableEntity)
		var apiErr web.APIError
		json.Unmarshal([]byte(r.Body), &apiErr)
		if apiErr.Error.Kind != core.KindInvalid || apiErr.Error.Fields["visibility"] == "" || apiErr.Error.Fields["content_en"] == "" || apiErr.Error.Fields["language"] == "" {
			t.Errorf("refusal: %s", r.Body)
		}
		nrWant(t, "a member drafts", yusuf.api(t, "POST", "/api/v1/publicdiplomacy/posts", `{"account_id":"`+acc.ID+`","translations":[{"language":"en","content":"x"}]}`), http.StatusForbidden)

		at := w.clock.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
		r = bima.api(t, "POST", "/api/v1/publicdiplomacy/posts", `{"account_id":"`+acc.ID+`","scheduled_at":"`+at.Format(time.RFC3339)+`","translations":[`+
			`{"language":"en","content":"Indonesia welcomes the UN cyber report. #UN","content_warning":""},{"language":"id","content":"Indonesia menyambut laporan siber PBB. #UN"}]}`)
		nrWant(t, "a draft", r, http.StatusCreated)
		var msg apiMessage
		if err := json.Unmarshal([]byte(r.Body), &msg); err != nil || msg.State != PostDraft || len(msg.Translations) != 2 || msg.ScheduledAt == nil || !msg.ScheduledAt.Equal(at) {
			t.Fatalf("draft: %s (%v)", r.Body, err)
		}
		if r.Header.Get("Location") != "/api/v1/publicdiplomacy/posts/"+msg.GroupID {
			t.Errorf("Location %q", r.Header.Get("Location"))
		}
		path := "/api/v1/publicdiplomacy/posts/" + msg.GroupID
		nrWant(t, "the writer submits", bima.api(t, "POST", path+"/submit", ""), http.StatusOK)

		// The approver is asked on the home page; the writer is not.
		if got := nrAttention(t, w, sari); !strings.Contains(got, "attn.pd_review:Indonesia welcomes the UN cyber report. #UN") {
			t.Errorf("Sari's attention: %s", got)
		}
		if got := nrAttention(t, w, bima); strings.Contains(got, "attn.pd_review") {
			t.Errorf("Bima is asked to approve his own message: %s", got)
		}

		r = bima.api(t, "POST", path+"/approve", "")
		nrWant(t, "the writer approves", r, http.StatusForbidden)
		nrWantIn(t, "the refusal", r.Body, "approved by a second person")
		r = bima.api(t, "GET", "/api/v1/publicdiplomacy/posts?state=review", "")
		var list web.List[apiMessage]
		if err := json.Unmarshal([]byte(r.Body), &list); err != nil || len(list.Items) != 1 || list.Items[0].GroupID != msg.GroupID {
			t.Fatalf("under review: %s (%v)", r.Body, err)
		}
		nrWant(t, "an unknown state", bima.api(t, "GET", "/api/v1/publicdiplomacy/posts?state=gone", ""), http.StatusUnprocessableEntity)

		// Returned, it waits on its writer.
		nrWant(t, "returning", sari.api(t, "POST", path+"/return", ""), http.StatusOK)
		if got := nrAttention(t, w, bima); !strings.Contains(got, "attn.pd_returned:Indonesia welcomes") {
			t.Errorf("Bima's attention: %s", got)
		}
		nrWant(t, "submitting again", bima.api(t, "POST", path+"/submit", ""), http.StatusOK)
		r = sari.api(t, "POST", path+"/approve", "")
		nrWant(t, "the second person approves", r, http.StatusOK)
		if err := json.Unmarshal([]byte(r.Body), &msg); err != nil || msg.State != PostScheduled || msg.Translations[0].ApprovedByName != "Sari" {
			t.Fatalf("approved: %s", r.Body)
		}
		if got := nrAttention(t, w, sari) + nrAttention(t, w, bima); strings.Contains(got, "attn.pd_review") || strings.Contains(got, "attn.pd_returned") {
			t.Errorf("attention after approval: %s", got)
		}
		nrWant(t, "another message", yusuf.api(t, "GET", "/api/v1/publicdiplomacy/posts/00000000000000000000000000", ""), http.StatusNotFound)
	})
}

// nrAttention lists what the home page asks of a person, as key:first
// argument lines.
func nrAttention(t testing.TB, w *nrWorld, c *nrClient) string {
	t.Helper()
	m := &Module{svc: w.svc}
	items, err := m.Attention(context.Background(), core.ActorFrom(c.ctx))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, it := range items {
		b.WriteString(it.Key)
		if len(it.Args) > 0 {
			b.WriteString(":")
			fmt.Fprint(&b, it.Args[0])
		}
		b.WriteString(" → " + it.Link + "\n")
	}
	return b.String()
}
