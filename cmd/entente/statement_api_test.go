package main

import (
	"context"
	"regexp"
	"testing"
)

// apiStatementView is what the statements' API answers, as far as the test
// reads it.
type apiStatementView struct {
	ID         string   `json:"id"`
	State      string   `json:"state"`
	SHA256     string   `json:"sha256"`
	Actions    []string `json:"actions"`
	Signatures []struct {
		Signer   string `json:"signer"`
		State    string `json:"state"`
		Verified bool   `json:"verified"`
		InLedger bool   `json:"in_ledger"`
	} `json:"signatures"`
}

type apiError struct {
	Error struct {
		Kind    string `json:"kind"`
		Message string `json:"message"`
	} `json:"error"`
}

// TestStatementAPI: the demo's published statement through the JSON API —
// listed and read by anyone with its three verified signatures, its bundle
// downloadable; a draft only for its parties; a step taken with a token
// only when it has the write scope, and a step out of turn refused as a
// conflict, in the API's error format.
func TestStatementAPI(t *testing.T) {
	n, base, pw := demoNode(t)
	ctx := context.Background()
	if err := demoIncidents(ctx, []*node{n}); err != nil {
		t.Fatal(err)
	}
	if err := demoStatements(ctx, []*node{n}); err != nil {
		t.Fatal(err)
	}
	anon := newClient(t, base)
	r := anon.api("GET", "/api/v1/statements", "", nil)
	wantStatus(t, r, 200)
	list := decode[struct {
		Items []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
			State string `json:"state"`
		} `json:"items"`
	}](t, r)
	if len(list.Items) != 1 || list.Items[0].State != "published" {
		t.Fatalf("anyone's list: %+v", list.Items)
	}
	pub := list.Items[0].ID
	r = anon.api("GET", "/api/v1/statements/"+pub, "", nil)
	wantStatus(t, r, 200)
	st := decode[apiStatementView](t, r)
	verified := 0
	for _, s := range st.Signatures {
		if s.State == "signed" && s.Verified && s.InLedger {
			verified++
		}
	}
	if verified != 3 || len(st.Actions) != 0 || st.SHA256 == "" {
		t.Fatalf("the published statement: %+v", st)
	}
	r = anon.api("GET", "/api/v1/statements/"+pub+"/bundle", "", nil)
	wantStatus(t, r, 200)
	wantContains(t, r, `"format":"entente-attribution-statement/1"`, st.SHA256)

	// A draft through the pages; the API shows it to its parties only.
	sari := login(t, base, "sari@kemlu.demo", pw)
	r = sari.get("/statements/new")
	m := regexp.MustCompile(`value="(csa-sg@[^"]+)"`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("Singapore's agency is not offered:\n%s", r.Body)
	}
	addr := m[1]
	r = sari.post("/statements/new", map[string][]string{"from": {"kemlu"}, "title": {"An API draft"}, "actor": {"X"}, "body": {"Text."}, "language": {"en"}, "invited": {addr}, "publish_mode": {"initiator"}})
	wantStatus(t, r, 303)
	draft := r.Header.Get("Location")[len("/statements/"):]
	if r := anon.api("GET", "/api/v1/statements/"+draft, "", nil); r.StatusCode == 200 || decode[apiError](t, r).Error.Kind == "" {
		t.Fatalf("anyone reads a draft through the API: %d %s", r.StatusCode, r.Body)
	}
	if r := anon.api("GET", "/api/v1/statements/"+draft+"/bundle", "", nil); r.StatusCode == 200 {
		t.Fatal("a draft has a bundle")
	}
	write := apiToken(t, sari)
	r = sari.api("POST", "/api/v1/tokens", "", map[string]any{"name": "reader", "scopes": []string{"read"}, "expires_in_days": 30})
	wantStatus(t, r, 201)
	read := decode[struct {
		Secret string `json:"secret"`
	}](t, r).Secret
	r = anon.api("GET", "/api/v1/statements/"+draft, read, nil)
	wantStatus(t, r, 200)
	if got := decode[apiStatementView](t, r); got.State != "draft" || len(got.Actions) != 0 {
		t.Fatalf("the draft for its initiator, with a read-only token: %+v", got)
	}
	// To another organisation's token, the draft is not found, as a
	// statement that does not exist is not.
	bssn := apiToken(t, login(t, base, "agus@bssn.demo", pw))
	for _, id := range []string{draft, otherID(draft)} {
		if r := anon.api("GET", "/api/v1/statements/"+id, bssn, nil); r.StatusCode != 404 || decode[apiError](t, r).Error.Kind != "not_found" {
			t.Errorf("BSSN's token reads %s (Kemlu's draft %s): %d %s, want 404", id, draft, r.StatusCode, r.Body)
		}
	}
	r = anon.api("GET", "/api/v1/statements/"+draft, write, nil)
	wantStatus(t, r, 200)
	if got := decode[apiStatementView](t, r); len(got.Actions) != 1 || got.Actions[0] != "open" {
		t.Fatalf("the draft for its initiator, with a token that writes: %+v", got)
	}
	if r := anon.api("POST", "/api/v1/statements/"+draft+"/open", read, nil); r.StatusCode != 403 {
		t.Fatalf("a read-only token opened a draft: %d %s", r.StatusCode, r.Body)
	}
	if r := anon.api("POST", "/api/v1/statements/"+draft+"/publish", write, nil); r.StatusCode != 409 || decode[apiError](t, r).Error.Kind != "conflict" {
		t.Fatalf("a draft published before it was opened: %d %s", r.StatusCode, r.Body)
	}
	r = anon.api("POST", "/api/v1/statements/"+draft+"/open", write, nil)
	wantStatus(t, r, 200)
	if got := decode[apiStatementView](t, r); got.State != "open" || got.SHA256 == "" || len(got.Actions) != 1 || got.Actions[0] != "publish" {
		t.Fatalf("opened: %+v", got)
	}
	// Singapore's agency, on this node, is invited: its admin signs with
	// a token, naming the organisation.
	wei := login(t, base, "weiming@csa-sg.demo", pw)
	tok := apiToken(t, wei)
	r = anon.api("POST", "/api/v1/statements/"+draft+"/sign", tok, map[string]string{"signer": addr})
	wantStatus(t, r, 200)
	if got := decode[apiStatementView](t, r); len(got.Actions) != 1 || got.Actions[0] != "withdraw" {
		t.Fatalf("signed: %+v", got)
	}
	r = anon.api("POST", "/api/v1/statements/"+draft+"/publish", write, nil)
	wantStatus(t, r, 200)
	if got := decode[apiStatementView](t, r); got.State != "published" {
		t.Fatalf("published: %+v", got)
	}
	if r := anon.api("POST", "/api/v1/statements/"+draft+"/withdraw", tok, nil); r.StatusCode != 409 {
		t.Fatalf("withdrawn after publication: %d %s", r.StatusCode, r.Body)
	}
}
