package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/keys"
)

// focalPoint gives an organisation of the node an admin (its focal point),
// signed in.
func focalPoint(t *testing.T, f *fedNode, handle string) *client {
	t.Helper()
	r := f.admin.post("/people", url.Values{"name": {"Focal point of " + handle}, "email": {"focal@" + handle + ".test"}, "org_handle": {handle}, "role": {"admin"}, "lang": {"en"}})
	wantStatus(t, r, 201)
	tok := inviteRE.FindStringSubmatch(r.Body)[1]
	c := newClient(t, f.URL)
	wantStatus(t, c.post("/invite", url.Values{"token": {tok}, "password": {"focal point password 1"}, "password2": {"focal point password 1"}}), 303)
	return c
}

// personID finds a person's id in an organisation, by e-mail.
func personID(t *testing.T, c *client, handle, email string) string {
	t.Helper()
	var ms struct {
		Items []struct {
			ID    string `json:"person_id"`
			Email string `json:"email"`
		} `json:"items"`
	}
	r := c.get("/api/v1/organisations/" + handle + "/members")
	wantStatus(t, r, 200)
	json.Unmarshal([]byte(r.Body), &ms)
	for _, m := range ms.Items {
		if m.Email == email {
			return m.ID
		}
	}
	t.Fatalf("no %s in %s: %s", email, handle, r.Body)
	return ""
}

// TestPOCNetworkAcrossNodes runs a network end to end on three nodes (one on
// PostgreSQL when configured): the secretariat on a sets it up with members
// on b, c and a itself; only focal points nominate; the signed directory
// reaches the members' nodes; nobody outside it sees a contact; a ping with
// c down shows c unreachable and escalates to its deputy; a request's
// deadline passes and both sides see it, then it is answered and closed.
func TestPOCNetworkAcrossNodes(t *testing.T) {
	dbs := engines(t)
	pg := ""
	if f, ok := dbs["postgres"]; ok {
		pg = f(t)
	}
	a := startFederated(t, "", "unoda", "CH", "UN Office for Disarmament Affairs")
	b := startFederated(t, pg, "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia")
	c := startFederated(t, "", "mofa-jp", "JP", "Ministry of Foreign Affairs of Japan")
	peer(t, a, b)
	peer(t, a, c)
	// A small state hosted on the secretariat's node.
	wantStatus(t, a.admin.post("/orgs", url.Values{"handle": {"mfa-fj"}, "kind": {"state_ministry"}, "country": {"FJ"}, "name_en": {"Ministry of Foreign Affairs of Fiji"}}), 303)
	sec := focalPoint(t, a, "unoda")
	fj := focalPoint(t, a, "mfa-fj")
	fpB := focalPoint(t, b, "kemlu")
	fpC := focalPoint(t, c, "mofa-jp")

	// The secretariat sets up the UN network from the shipped definition.
	def := map[string]any{"slug": "un-poc", "secretariat": "unoda", "name_en": "UN Global POC Directory", "name_id": "Direktori Titik Kontak PBB",
		"categories": []map[string]string{{"code": "diplomatic", "name_en": "Diplomatic"}, {"code": "technical", "name_en": "Technical"}},
		"ack_hours":  48, "transparency": true}
	r := sec.api("POST", "/api/v1/networks", "", def)
	wantStatus(t, r, 201)
	id := decode[struct{ ID string }](t, r).ID
	// A bad definition is refused field by field.
	r = sec.api("POST", "/api/v1/networks", "", map[string]any{"slug": "X", "secretariat": "unoda", "name_en": "", "categories": []any{}, "ack_hours": 0})
	wantStatus(t, r, 422)
	wantContains(t, r, `"slug"`, `"name_en"`, `"categories"`, `"ack_hours"`)

	waitFor(t, "the peers' directories on a", func() bool {
		r := a.admin.get("/api/v1/networks/" + id)
		return r.StatusCode == 200
	})
	for _, m := range []string{"kemlu@" + b.host, "mofa-jp@" + c.host, "mfa-fj"} {
		waitFor(t, "adding "+m, func() bool {
			return sec.api("POST", "/api/v1/networks/"+id+"/members", "", map[string]string{"member": m}).StatusCode == 204
		})
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(a.Stderr.String())
			t.Log(b.Stderr.String())
		}
	})
	// The members' nodes receive the network, signed by a.
	desc, err := federation.OpenDescriptor([]byte(a.admin.get("/.well-known/entente").Body))
	if err != nil {
		t.Fatal(err)
	}
	aKey := keys.Fingerprint(desc.SigningKey)
	for _, n := range []struct {
		f  *fedNode
		fp *client
	}{{b, fpB}, {c, fpC}} {
		waitFor(t, "the network on "+n.f.host, func() bool {
			r := n.fp.get("/api/v1/networks/" + id)
			return r.StatusCode == 200 && strings.Contains(r.Body, `"signed_by":"`+aKey+`"`) && strings.Count(r.Body, `"address":`) == 3
		})
	}

	// Only a state's focal point nominates: not its officer, not the node's
	// administrator, not another state's focal point.
	officerB := personID(t, b.admin, "kemlu", "officer@kemlu.test")
	nom := map[string]any{"member": "kemlu", "category": "technical", "person_id": officerB, "phone": "+62 21 344 1508", "languages": "id, en", "hours": "24/7"}
	wantStatus(t, b.officer.api("POST", "/api/v1/networks/"+id+"/nominations", "", nom), 403)
	wantStatus(t, b.admin.api("POST", "/api/v1/networks/"+id+"/nominations", "", nom), 403)
	wantStatus(t, fj.api("POST", "/api/v1/networks/"+id+"/nominations", "", map[string]any{"member": "unoda", "category": "technical", "person_id": officerB}), 403)
	r = fpB.api("POST", "/api/v1/networks/"+id+"/nominations", "", map[string]any{"member": "kemlu", "category": "nonsense", "person_id": officerB, "phone": "call me"})
	wantStatus(t, r, 422)
	wantContains(t, r, `"category"`, `"phone"`)
	wantStatus(t, fpB.api("POST", "/api/v1/networks/"+id+"/nominations", "", nom), 201)
	wantStatus(t, fpB.api("POST", "/api/v1/networks/"+id+"/nominations", "", map[string]any{"member": "kemlu", "category": "diplomatic",
		"person_id": personID(t, b.admin, "kemlu", "focal@kemlu.test")}), 201)
	officerC := personID(t, c.admin, "mofa-jp", "officer@mofa-jp.test")
	wantStatus(t, fpC.api("POST", "/api/v1/networks/"+id+"/nominations", "", map[string]any{"member": "mofa-jp", "category": "technical", "person_id": officerC}), 201)
	wantStatus(t, fpC.api("POST", "/api/v1/networks/"+id+"/nominations", "", map[string]any{"member": "mofa-jp", "category": "technical", "deputy": true,
		"person_id": personID(t, c.admin, "mofa-jp", "focal@mofa-jp.test")}), 201)
	wantStatus(t, fj.api("POST", "/api/v1/networks/"+id+"/nominations", "", map[string]any{"member": "mfa-fj", "category": "technical",
		"person_id": personID(t, a.admin, "mfa-fj", "focal@mfa-fj.test")}), 201)

	// The secretariat sees them pending, signed by each member's node, and
	// accepts them.
	type nomination struct {
		ID       string `json:"id"`
		Member   string `json:"member"`
		SignedBy string `json:"signed_by"`
	}
	var pending []nomination
	waitFor(t, "five pending nominations on a", func() bool {
		pending = decode[struct{ Items []nomination }](t, sec.get("/api/v1/networks/"+id+"/nominations?status=pending")).Items
		return len(pending) == 5
	})
	bDesc, _ := federation.OpenDescriptor([]byte(b.admin.get("/.well-known/entente").Body))
	for _, p := range pending {
		if strings.HasPrefix(p.Member, "kemlu@") && p.SignedBy != keys.Fingerprint(bDesc.SigningKey) {
			t.Fatalf("nomination from b signed by %q", p.SignedBy)
		}
		wantStatus(t, sec.api("POST", "/api/v1/nominations/"+p.ID+"/decision", "", map[string]any{"accept": true}), 204)
	}
	wantContains(t, fpB.get("/api/v1/networks/"+id+"/nominations"), `"status"`)
	waitFor(t, "the decisions on b", func() bool {
		return strings.Count(fpB.get("/api/v1/networks/"+id+"/nominations").Body, `"status":"accepted"`) == 2
	})

	// Every member node shows the whole directory, each entry with its
	// nomination signature; b sees c's contact.
	waitFor(t, "the directory on b", func() bool {
		r := fpB.get("/api/v1/networks/" + id + "/entries")
		return strings.Count(r.Body, `"signed_by"`) == 5 && strings.Contains(r.Body, "officer@mofa-jp.test")
	})
	r = fpB.get("/networks/" + id)
	wantContains(t, r, "officer@mofa-jp.test", "Signed by", aKey, "21 344 1508")

	// Nobody outside the network sees a contact: not b's administrator (no
	// member organisation), not someone of another organisation, not an
	// anonymous visitor; through the page, the API, the export or search.
	wantStatus(t, b.admin.post("/orgs", url.Values{"handle": {"outsider"}, "kind": {"company"}, "name_en": {"Outsider Ltd"}}), 303)
	out := focalPoint(t, b, "outsider")
	for _, c := range []*client{b.admin, out} {
		for _, p := range []string{"/networks/" + id, "/networks/" + id + "?q=officer", "/api/v1/networks/" + id + "/entries", "/api/v1/networks/" + id + "/entries?q=mofa",
			"/networks/" + id + "/directory.csv", "/networks/" + id + "/snapshot", "/api/v1/networks/" + id + "/nominations"} {
			r := c.get(p)
			if strings.Contains(r.Body, "officer@") || strings.Contains(r.Body, "+62 21") || strings.Contains(r.Body, "Officer of") {
				t.Fatalf("%s leaks the directory to a non-member:\n%s", p, r.Body)
			}
		}
	}
	anon := newClient(t, a.URL)
	wantStatus(t, anon.get("/api/v1/networks/"+id+"/entries"), 401)
	r = anon.get("/transparency/" + id)
	wantStatus(t, r, 200)
	wantContains(t, r, "UN Global POC Directory")
	if strings.Contains(r.Body, "officer@") || strings.Contains(r.Body, "Officer of") {
		t.Fatal("the transparency page shows contacts")
	}

	// A ping with c's node down: b and Fiji acknowledge; c is unreachable
	// and the check escalates to c's deputy.
	c.stop()
	r = sec.api("POST", "/api/v1/networks/"+id+"/pings", "", map[string]any{"deadline": time.Now().Add(6 * time.Second).UTC()})
	wantStatus(t, r, 201)
	ping := decode[struct{ ID string }](t, r).ID
	type received struct {
		ID       string `json:"id"`
		Category string `json:"category"`
	}
	var got []received
	var reqB string
	t.Cleanup(func() {
		if t.Failed() && reqB != "" {
			b.officer.get("/requests/" + reqB)
			t.Log(b.Stderr.String())
		}
	})
	waitFor(t, "the ping on b", func() bool {
		got = decode[struct{ Items []received }](t, b.officer.get("/api/v1/pocs/pings")).Items
		return len(got) == 2
	})
	// The officer is the technical contact; the diplomatic one is not theirs.
	if got[0].Category != "technical" {
		got[0], got[1] = got[1], got[0]
	}
	wantStatus(t, b.officer.api("POST", "/api/v1/pocs/pings/"+got[1].ID+"/ack", "", nil), 403)
	// Only the nominee (or a deputy) acknowledges.
	wantStatus(t, out.api("POST", "/api/v1/pocs/pings/"+got[0].ID+"/ack", "", nil), 404)
	wantStatus(t, b.officer.api("POST", "/api/v1/pocs/pings/"+got[0].ID+"/ack", "", nil), 204)
	fjPings := decode[struct{ Items []received }](t, fj.get("/api/v1/pocs/pings")).Items
	if len(fjPings) != 1 {
		t.Fatalf("Fiji got %d pings", len(fjPings))
	}
	wantStatus(t, fj.api("POST", "/api/v1/pocs/pings/"+fjPings[0].ID+"/ack", "", nil), 204)
	type target struct {
		Member        string `json:"member"`
		Category      string `json:"category"`
		State         string `json:"state"`
		EscalatedFrom string `json:"escalated_from"`
		Deputy        bool   `json:"deputy"`
	}
	var res struct {
		State   string   `json:"state"`
		Targets []target `json:"points_of_contact"`
		Total   struct {
			Acknowledged int `json:"acknowledged"`
			Unreachable  int `json:"unreachable"`
			Targets      int `json:"targets"`
		} `json:"total"`
	}
	waitFor(t, "c unreachable and escalated", func() bool {
		res = decode[struct {
			State   string   `json:"state"`
			Targets []target `json:"points_of_contact"`
			Total   struct {
				Acknowledged int `json:"acknowledged"`
				Unreachable  int `json:"unreachable"`
				Targets      int `json:"targets"`
			} `json:"total"`
		}](t, sec.get("/api/v1/pings/"+ping))
		escalated := false
		for _, tg := range res.Targets {
			escalated = escalated || (tg.EscalatedFrom != "" && strings.HasPrefix(tg.Member, "mofa-jp@") && tg.Deputy)
		}
		return res.Total.Unreachable == 1 && escalated
	})
	if res.Total.Acknowledged != 2 || res.Total.Targets != 4 {
		t.Fatalf("ping figures: %+v", res.Total)
	}
	for _, tg := range res.Targets {
		want := "acknowledged"
		switch {
		case strings.HasPrefix(tg.Member, "mofa-jp@"):
			want = "unreachable"
			if tg.EscalatedFrom != "" {
				want = "pending"
			}
		case strings.HasPrefix(tg.Member, "kemlu@") && tg.Category == "diplomatic":
			want = "overdue"
		}
		if tg.State != want {
			t.Errorf("%s %s: %s, want %s", tg.Member, tg.Category, tg.State, want)
		}
	}
	wantContains(t, sec.get("/pings/"+ping), "unreachable", "escalated to deputy")

	// A request from Indonesia to Fiji with a short deadline: both sides
	// see it pass, then Fiji answers and Indonesia closes.
	r = b.officer.api("POST", "/api/v1/requests", "", map[string]any{"network": id, "from": "kemlu", "to": "mfa-fj@" + a.host, "type": "assistance", "urgency": "critical",
		"subject": "Ransomware at a port operator", "description": "Encrypted systems at the container terminal since 02:00 UTC.", "sector": "transport",
		"asked": "Block the listed addresses and share any sightings.", "tlp": "AMBER", "respond_by": time.Now().Add(4 * time.Second).UTC(),
		"attachments": []map[string]any{{"name": "addresses.txt", "data": []byte("203.0.113.7\n198.51.100.23\n")}}})
	wantStatus(t, r, 201)
	reqB = decode[struct{ ID string }](t, r).ID
	var reqA string
	waitFor(t, "the request on a", func() bool {
		items := decode[struct {
			Items []struct{ ID, Subject string }
		}](t, fj.get("/api/v1/requests?box=in")).Items
		if len(items) == 1 {
			reqA = items[0].ID
		}
		return reqA != ""
	})
	// The file crossed with the request, its digest checked on arrival.
	wantContains(t, fj.get("/api/v1/requests/"+reqA), `"name":"addresses.txt"`, `"content_type":"text/plain; charset=utf-8"`, `"by":"kemlu@`+b.host+`"`)
	wantStatus(t, fj.api("POST", "/api/v1/requests/"+reqA+"/events", "", map[string]any{"action": "acknowledge"}), 200)
	waitFor(t, "the acknowledgment on b", func() bool {
		return strings.Contains(b.officer.get("/api/v1/requests/"+reqB).Body, `"state":"acknowledged"`)
	})
	waitFor(t, "the deadline passing on both sides", func() bool {
		return strings.Contains(b.officer.get("/requests/"+reqB).Body, "overdue by") && strings.Contains(fj.get("/requests/"+reqA).Body, "overdue by")
	})
	// The sender cannot answer its own request; the recipient cannot close it.
	wantStatus(t, b.officer.api("POST", "/api/v1/requests/"+reqB+"/events", "", map[string]any{"action": "answer", "body": "x"}), 422)
	wantStatus(t, fj.api("POST", "/api/v1/requests/"+reqA+"/events", "", map[string]any{"action": "close"}), 422)
	wantStatus(t, fj.api("POST", "/api/v1/requests/"+reqA+"/events", "", map[string]any{"action": "answer", "body": "Addresses blocked at 04:10 UTC; no sightings."}), 200)
	waitFor(t, "the answer on b", func() bool {
		return strings.Contains(b.officer.get("/api/v1/requests/"+reqB).Body, "Addresses blocked at 04:10 UTC")
	})
	wantStatus(t, b.officer.api("POST", "/api/v1/requests/"+reqB+"/events", "", map[string]any{"action": "close"}), 200)
	waitFor(t, "the closing on a", func() bool { return strings.Contains(fj.get("/api/v1/requests/"+reqA).Body, `"state":"closed"`) })
	// Nobody else on either node sees it.
	wantStatus(t, out.get("/api/v1/requests/"+reqB), 404)
	wantStatus(t, sec.get("/api/v1/requests/"+reqA), 404)
	r = b.officer.get("/requests/" + reqB + "/print")
	wantContains(t, r, "Ransomware at a port operator", "Addresses blocked", "mfa-fj@"+a.host)
	// The receipt a's node gave reads in words, is checked, and downloads
	// for `entente verify`; only the request's readers see it.
	wantContains(t, b.officer.get("/requests/"+reqB), `href="/requests/`+reqB+`/receipt"`)
	r = b.officer.get("/requests/" + reqB + "/receipt")
	wantStatus(t, r, 200)
	wantContains(t, r, "Verified.", a.host, "entente verify")
	r = b.officer.get("/requests/" + reqB + "/receipt.json")
	wantStatus(t, r, 200)
	wantContains(t, r, `"node_url"`)
	if r := out.get("/requests/" + reqB + "/receipt"); r.StatusCode != 404 && r.StatusCode != 403 {
		t.Fatalf("an outsider reads the request's receipt: %d", r.StatusCode)
	}
}
