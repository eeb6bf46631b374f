package main

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// intelBundle is a small world: who, what to detect, what it indicates,
// who saw it, and a report tying them together.
const intelBundle = `{"objects":[
{"type":"identity","spec_version":"2.1","id":"identity--b0000000-0000-4000-8000-000000000001","created":"2026-11-20T08:00:00.000Z","modified":"2026-11-20T08:00:00.000Z","name":"Grid operator CSIRT","identity_class":"organization","sectors":["energy"]},
{"type":"indicator","spec_version":"2.1","id":"indicator--b0000000-0000-4000-8000-000000000002","created":"2026-11-20T08:00:00.000Z","modified":"2026-11-20T08:00:00.000Z","name":"GridLock C2","description":"Command server of the loader.","pattern":"[ipv4-addr:value = '203.0.113.77']","pattern_type":"stix","valid_from":"2026-11-20T08:05:00Z","valid_until":"2027-01-31T00:00:00Z","indicator_types":["malicious-activity"],"kill_chain_phases":[{"kill_chain_name":"lockheed-martin-cyber-kill-chain","phase_name":"command-and-control"}],"created_by_ref":"identity--b0000000-0000-4000-8000-000000000001"},
{"type":"malware","spec_version":"2.1","id":"malware--b0000000-0000-4000-8000-000000000003","created":"2026-11-20T08:00:00.000Z","modified":"2026-11-20T08:00:00.000Z","name":"GridLock loader","is_family":true,"malware_types":["remote-access-trojan"]},
{"type":"relationship","spec_version":"2.1","id":"relationship--b0000000-0000-4000-8000-000000000004","created":"2026-11-20T08:00:00.000Z","modified":"2026-11-20T08:00:00.000Z","relationship_type":"indicates","source_ref":"indicator--b0000000-0000-4000-8000-000000000002","target_ref":"malware--b0000000-0000-4000-8000-000000000003"},
{"type":"sighting","spec_version":"2.1","id":"sighting--b0000000-0000-4000-8000-000000000005","created":"2026-11-21T09:00:00.000Z","modified":"2026-11-21T09:00:00.000Z","sighting_of_ref":"indicator--b0000000-0000-4000-8000-000000000002","where_sighted_refs":["identity--b0000000-0000-4000-8000-000000000001"],"count":3},
{"type":"report","spec_version":"2.1","id":"report--b0000000-0000-4000-8000-000000000006","created":"2026-11-22T10:00:00.000Z","modified":"2026-11-22T10:00:00.000Z","name":"GridLock campaign","published":"2026-11-22T10:00:00Z","report_types":["campaign"],"object_refs":["indicator--b0000000-0000-4000-8000-000000000002","malware--b0000000-0000-4000-8000-000000000003"]}
]}`

// mustUploadBundle uploads a STIX bundle through the upload page as the
// node's officer, into a collection, and returns the redirect to its result.
func mustUploadBundle(t *testing.T, a *fedNode, coll, bundle string) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("collection", coll)
	mw.WriteField("org", "cert@"+a.host)
	mw.WriteField("format", "stix")
	fw, _ := mw.CreateFormFile("file", "bundle.json")
	fw.Write([]byte(bundle))
	mw.Close()
	req, _ := http.NewRequest("POST", a.URL+"/intel/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r := a.officer.do(req)
	wantStatus(t, r, 303)
	return r
}

// mustIntelCollection creates a collection the node's "cert" organisation
// reads and writes, and returns its id.
func mustIntelCollection(t *testing.T, a *fedNode) string {
	t.Helper()
	r := a.admin.api("POST", "/api/v1/intel/collections", "", map[string]any{"alias": "energy", "title": "Energy sector", "default_tlp": "GREEN"})
	wantStatus(t, r, 201)
	coll := decode[struct{ ID string }](t, r).ID
	wantStatus(t, a.admin.api("PUT", "/api/v1/intel/collections/"+coll+"/rights", "", map[string]any{"org": "cert@" + a.host, "can_read": true, "can_write": true}), 200)
	return coll
}

// TestIntelPagesShowSubstance: an object's page shows what the object says,
// by type, outside the raw JSON; references are names and links; the list
// shows values and keeps sightings, relationships and identities for when
// they are asked for; times read as people write them, in both languages.
func TestIntelPagesShowSubstance(t *testing.T) {
	a := startFederated(t, "", "cert", "ID", "National CERT")
	coll := mustIntelCollection(t, a)

	// Uploaded from the page: the result names what was accepted, with links.
	r := mustUploadBundle(t, a, coll, intelBundle)
	r = a.officer.get(r.Header.Get("Location"))
	obj := func(id string) string { return "/intel/c/" + coll + "/o/" + id }
	const (
		ident = "identity--b0000000-0000-4000-8000-000000000001"
		ind   = "indicator--b0000000-0000-4000-8000-000000000002"
		mal   = "malware--b0000000-0000-4000-8000-000000000003"
		rel   = "relationship--b0000000-0000-4000-8000-000000000004"
		sight = "sighting--b0000000-0000-4000-8000-000000000005"
		rep   = "report--b0000000-0000-4000-8000-000000000006"
	)
	wantContains(t, r, `<a href="`+obj(ind)+`">GridLock C2</a>`, `<a href="`+obj(rep)+`">GridLock campaign</a>`, `<a href="`+obj(ident)+`">Grid operator CSIRT</a>`,
		`<a href="`+obj(rel)+`">GridLock C2 → GridLock loader</a>`, `<a href="`+obj(sight)+`">GridLock C2</a> <small>(Sighting)</small>`)

	// The indicator's page: its pattern and validity, out of the raw JSON.
	r = a.officer.get(obj(ind))
	wantStatus(t, r, 200)
	page := r.Body[:strings.Index(r.Body, "<details")] + r.Body[strings.Index(r.Body, "</details>"):]
	for _, want := range []string{
		`<pre class="value" id="v-pattern">[ipv4-addr:value = &#39;203.0.113.77&#39;]</pre>`, `data-copy="v-pattern"`,
		"Valid from", `<time datetime="2026-11-20T08:05:00Z">20 Nov 2026, 08:05 UTC</time>`, "31 Jan 2027, 00:00 UTC",
		"malicious activity", "lockheed-martin-cyber-kill-chain: command and control", "Command server of the loader.",
		`<a href="` + obj(ident) + `">Grid operator CSIRT</a>`, // created_by_ref, by name
		"GridLock C2 <em>indicates</em> GridLock loader",       // the relationship, as a sentence
		"Sightings (1)", `<a href="` + obj(sight) + `">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the indicator's page lacks %q outside the raw JSON:\n%s", want, page)
		}
	}
	// The report lists its objects by name; the sighting names where.
	r = a.officer.get(obj(rep))
	wantContains(t, r, `<a href="`+obj(ind)+`">GridLock C2</a>`, `<a href="`+obj(mal)+`">GridLock loader</a>`, "22 Nov 2026, 10:00 UTC")
	r = a.officer.get(obj(sight))
	wantContains(t, r, "Sighting of GridLock C2", "Sighted by", `<a href="`+obj(ident)+`">Grid operator CSIRT</a>`, "Times seen")
	r = a.officer.get(obj(mal))
	wantContains(t, r, "remote access trojan", "Malware family")

	// The list: values in a column; sightings, relationships and identities
	// only when asked for.
	r = a.officer.get("/intel")
	wantContains(t, r, `<code class="value">[ipv4-addr:value = &#39;203.0.113.77&#39;]</code>`, obj(ind), obj(mal), obj(rep))
	for _, hidden := range []string{rel, sight, ident} {
		if strings.Contains(r.Body, obj(hidden)) {
			t.Errorf("/intel lists %s by default", hidden)
		}
	}
	r = a.officer.get("/intel?all=1")
	wantContains(t, r, obj(rel), obj(sight), obj(ident), "GridLock C2 <em>indicates</em> GridLock loader")
	wantContains(t, a.officer.get("/intel?type=relationship"), obj(rel))
	if regexp.MustCompile(`>(relationship|sighting)--[0-9a-f-]{36}<`).MatchString(r.Body) {
		t.Error("/intel?all=1 shows an identifier where a name belongs")
	}

	// In Bahasa Indonesia: vocabularies translated, times as Indonesians
	// write them.
	wantStatus(t, a.officer.post("/lang", url.Values{"lang": {"id"}, "next": {"/"}}), 303)
	r = a.officer.get(obj(ind))
	wantContains(t, r, "Berlaku sejak", "aktivitas berbahaya", "20 Nov 2026, 08.05 UTC", "31 Jan 2027, 00.00 UTC", "GridLock C2 <em>menandakan</em> GridLock loader", "Salin")
	wantContains(t, a.officer.get(obj(rep)), "22 Nov 2026, 10.00 UTC", "kampanye")
	wantContains(t, a.officer.get(obj(ident)), "Jenis identitas", "organisasi", "energi")
	wantContains(t, a.officer.get("/intel"), `<option value="financial-services">jasa keuangan</option>`, `<option value="intrusion-set">Kelompok intrusi</option>`)
	wantContains(t, a.officer.get("/intel/new?kind=indicator"), "aktivitas berbahaya", "jasa keuangan")
}
