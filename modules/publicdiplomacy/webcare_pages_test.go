package publicdiplomacy_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/publicdiplomacy"
)

// wcPages calls the module's web-care routes as the node would once the
// route's access check has passed.
type wcPages struct {
	t *testing.T
	m *publicdiplomacy.Module
}

func newWCPages(t *testing.T, n *node) wcPages {
	return wcPages{t: t, m: publicdiplomacy.NewModule(n.Svc, n.Web)}
}

// do runs the route of pattern on a request as ctx in lang.
func (p wcPages) do(ctx context.Context, lang, pattern, target string, body string, paths ...string) *httptest.ResponseRecorder {
	p.t.Helper()
	var h http.HandlerFunc
	for _, r := range p.m.Routes() {
		if r.Pattern == pattern {
			h = r.Handler
		}
	}
	if h == nil {
		p.t.Fatalf("no route %s", pattern)
	}
	method, _, _ := strings.Cut(pattern, " ")
	var req *http.Request
	if method == "GET" {
		req = httptest.NewRequest(method, target, nil)
	} else {
		req = httptest.NewRequest(method, target, strings.NewReader(body))
		if strings.HasPrefix(body, "{") {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	for i := 0; i+1 < len(paths); i += 2 {
		req.SetPathValue(paths[i], paths[i+1])
	}
	w := httptest.NewRecorder()
	h(w, req.WithContext(web.WithLang(ctx, lang)))
	return w
}

// wcRawKey is a message key shown instead of its words.
var wcRawKey = regexp.MustCompile(`\b(pd|err|flash|title|form|list|dur|field)\.[a-z_]+`)

// page checks a page: its status, what it must say, no raw key, no
// script, and a first load under 14 KB compressed.
func (p wcPages) page(w *httptest.ResponseRecorder, status int, what string, want ...string) string {
	p.t.Helper()
	body := w.Body.String()
	if w.Code != status {
		p.t.Fatalf("%s: status %d, want %d\n%s", what, w.Code, status, body)
	}
	for _, s := range want {
		if !strings.Contains(body, s) {
			p.t.Errorf("%s: the page lacks %q", what, s)
		}
	}
	if k := wcRawKey.FindString(body); k != "" {
		p.t.Errorf("%s: a raw key %q", what, k)
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "style=") {
		p.t.Errorf("%s: a script or a style attribute", what)
	}
	var z bytes.Buffer
	gz := gzip.NewWriter(&z)
	gz.Write(w.Body.Bytes())
	gz.Close()
	if z.Len() > 14*1024 {
		p.t.Errorf("%s: %d bytes compressed", what, z.Len())
	}
	p.t.Logf("%s: %d bytes, %d compressed", what, w.Body.Len(), z.Len())
	return body
}

// TestWebcarePages renders the queue, an item and the saved answers in
// both languages, takes an item and answers it through the form: remote
// text shown as text, never as HTML; an empty answer names its field and
// keeps what was typed; a saved answer fills the form.
func TestWebcarePages(t *testing.T) {
	n := newNode(t, storetest.Engines(t)[0])
	n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
	acc := n.Account(t, "kemlu", "kemlu")
	post := n.Publish(t, "kemlu", acc, nil, publicdiplomacy.Translation{Language: "en", Content: "Visa services reopen on Monday."})[0]
	id := wcInsert(t, n, acc, wcItem{Kind: "reply", Queue: true, ReplyTo: post.ID, Language: "en", Warning: "Long rant",
		Text: "<b>When</b> exactly? & <script>alert(1)</script>", Received: n.Clock.Now().Add(-3 * 3600e9)})
	wcInsert(t, n, acc, wcItem{Kind: "direct", Visibility: "direct", Queue: true, Text: "A private question", Received: n.Clock.Now().Add(-3600e9)})
	bima := n.As("Bima", "kemlu", core.RoleOfficer)
	saved, err := n.Svc.CreateSavedAnswer(bima, publicdiplomacy.SavedAnswerInput{Org: "kemlu", Language: "en", Title: "Opening hours", Body: "We open at nine, Monday to Friday."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Svc.CreateSavedAnswer(bima, publicdiplomacy.SavedAnswerInput{Org: "kemlu", Language: "id", Title: "Jam layanan", Body: "Kami buka pukul sembilan."}); err != nil {
		t.Fatal(err)
	}
	pg := newWCPages(t, n)

	for lang, want := range map[string][]string{
		"en": {"Read and answer", "@ana@social.example", "social.example", "Replies to your post", "Visa services reopen on Monday.", "waiting 3 h", "Direct message", "Waiting now: 2."},
		"id": {"Baca dan jawab", "Balasan", "Pesan langsung", "menunggu 3 jam", "Menunggu sekarang: 2."},
	} {
		body := pg.page(pg.do(bima, lang, "GET /webcare", "/webcare", ""), 200, lang+" queue", want...)
		if !strings.Contains(body, "&lt;b&gt;When&lt;/b&gt; exactly? &amp; &lt;script&gt;") || !strings.Contains(body, "<details><summary>") {
			t.Errorf("%s: the remote text is not shown as text under its warning:\n%s", lang, body)
		}
	}
	pg.page(pg.do(bima, "en", "GET /webcare", "/webcare?kind=direct", ""), 200, "direct only", "A private question")
	if body := pg.page(pg.do(bima, "en", "GET /webcare", "/webcare?kind=pigeon&state=lost", ""), 422, "bad filters", "Kind: Choose one of the values offered."); strings.Contains(body, "Read and answer") {
		t.Errorf("bad filters list items")
	}

	item := "/webcare/" + id
	for lang, want := range map[string][]string{
		"en": {"From Ana", "Take it", "Mark handled without an answer", "Publish the answer", "Opening hours", "Use this one", "No answer yet.", "Visa services reopen on Monday.",
			"In other languages", "Jam layanan</strong> (Bahasa Indonesia)"},
		"id": {"Dari Ana", "Ambil", "Terbitkan jawaban", "Pakai yang ini", "Belum ada jawaban."},
	} {
		pg.page(pg.do(bima, lang, "GET /webcare/{id}", item, "", "id", id), 200, lang+" item", want...)
	}
	pg.page(pg.do(bima, "en", "GET /webcare/{id}", item+"?answer="+saved.ID, "", "id", id), 200, "a saved answer used", ">We open at nine, Monday to Friday.</textarea>")
	pg.page(pg.do(n.As("Yusuf", "kemlu", core.RoleMember), "en", "GET /webcare/{id}", item, "", "id", id), 200, "a member reads")
	if body := pg.do(n.As("Yusuf", "kemlu", core.RoleMember), "en", "GET /webcare/{id}", item, "", "id", id).Body.String(); strings.Contains(body, "Publish the answer") || strings.Contains(body, "Take it") {
		t.Errorf("a member is offered to answer")
	}

	if w := pg.do(bima, "en", "POST /webcare/{id}/assign", item+"/assign", "take=1", "id", id); w.Code != http.StatusSeeOther {
		t.Fatalf("take: %d", w.Code)
	}
	pg.page(pg.do(bima, "en", "GET /webcare/{id}", item, "", "id", id), 200, "taken", "Give it back to the queue", "Bima")
	pg.page(pg.do(bima, "en", "POST /webcare/{id}/answer", item+"/answer", url.Values{"content": {"  "}, "language": {"en"}, "warning": {"kept"}}.Encode(), "id", id),
		422, "an empty answer", "Your answer: This is required.", `value="kept"`)
	long := strings.Repeat("kata ", 101)
	pg.page(pg.do(bima, "id", "POST /webcare/{id}/answer", item+"/answer", url.Values{"content": {long}, "language": {"id"}}.Encode(), "id", id),
		422, "a long answer", "Jawaban Anda: ", ">"+long+"</textarea>")
	if w := pg.do(bima, "en", "POST /webcare/{id}/answer", item+"/answer", url.Values{"content": {"Monday at nine."}, "language": {"en"}}.Encode(), "id", id); w.Code != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", w.Code, w.Body)
	}
	pg.page(pg.do(bima, "en", "GET /webcare/{id}", item, "", "id", id), 200, "answered", "@ana@social.example Monday at nine.", "Answered", "published")

	// Saved answers: the list, a refused form that names its fields, the
	// edit page.
	for lang, want := range map[string][]string{"en": {"Opening hours", "Save a new answer", "Change"}, "id": {"Simpan jawaban baru", "Ubah"}} {
		pg.page(pg.do(bima, lang, "GET /webcare/answers", "/webcare/answers", ""), 200, lang+" saved answers", want...)
	}
	pg.page(pg.do(bima, "en", "POST /webcare/answers", "/webcare/answers", url.Values{"language": {"en"}, "body": {"Some words"}}.Encode()), 422,
		"a saved answer without title", "Title: This is required.", ">Some words</textarea>")
	pg.page(pg.do(bima, "id", "GET /webcare/answers/{id}/edit", "/webcare/answers/"+saved.ID+"/edit", "", "id", saved.ID), 200, "edit", "Ubah jawaban tersimpan", "Hapus jawaban tersimpan ini")
	if w := pg.do(bima, "en", "POST /webcare/answers/{id}/delete", "/webcare/answers/"+saved.ID+"/delete", "", "id", saved.ID); w.Code != http.StatusSeeOther {
		t.Fatalf("delete: %d", w.Code)
	}
}

// TestWebcareFiguresPage renders the figures of the known fortnight in
// both languages, charts with their tables, and the same figures as CSV;
// a reversed period names its field.
func TestWebcareFiguresPage(t *testing.T) {
	n, bima, _ := wcFigWorld(t, storetest.Engines(t)[0])
	pg := newWCPages(t, n)
	q := "/webcare/figures?from=2026-01-05&to=2026-01-18"
	for lang, want := range map[string][]string{
		"en": {"Received: 8. Answered: 5. Handled without an answer: 1. Withdrawn by their authors: 1. Still waiting: 1.", "Half were answered within 2h 00m, nine in ten within 24h 00m (answered: 5).",
			`<title id="kinds-t">By kind</title>`, "Reply</th><td>5</td><td>3</td><td>2h 00m</td><td>24h 00m</td>", "week of 12 Jan 2026</th><td>5</td><td>2</td><td>10m 00s</td><td>6h 00m</td>"},
		"id": {"Diterima: 8. Dijawab: 5.", "Balasan</th><td>5</td><td>3</td><td>2 jam 00 menit</td><td>24 jam 00 menit</td>", "pekan 12 Jan 2026"},
	} {
		body := pg.page(pg.do(bima, lang, "GET /webcare/figures", q, ""), 200, lang+" figures", want...)
		if strings.Count(body, "<svg") != 3 || strings.Count(body, "<table") != 3 {
			t.Errorf("%s: %d charts and %d tables", lang, strings.Count(body, "<svg"), strings.Count(body, "<table"))
		}
	}
	pg.page(pg.do(bima, "en", "GET /webcare/figures", "/webcare/figures?from=2026-02-01&to=2026-01-01", ""), 422, "a reversed period", "Last day: The last day comes before the first.")
	pg.page(pg.do(bima, "en", "GET /webcare/figures", "/webcare/figures", ""), 200, "the default period", "Received: 0.")

	w := pg.do(bima, "en", "GET /webcare/figures.csv", "/webcare/figures.csv?from=2026-01-05&to=2026-01-18", "")
	for _, s := range []string{"figure,key,received,answered,median_seconds,p90_seconds", "outcome,received,8,,,", "outcome,withdrawn,1,,,", "all,,8,5,7200,86400",
		"kind,reply,5,3,7200,86400", "kind,mention,2,1,600,600", "week,2026-01-12,5,2,600,21600"} {
		if !strings.Contains(w.Body.String(), s+"\n") {
			t.Errorf("the CSV lacks %q:\n%s", s, w.Body)
		}
	}

	// The API gives the same figures in seconds.
	w = pg.do(bima, "en", "GET /api/v1/publicdiplomacy/webcare/figures", "/api/v1/publicdiplomacy/webcare/figures?from=2026-01-05&to=2026-01-18", "")
	var f struct {
		Period   map[string]string `json:"period"`
		Received int               `json:"received"`
		All      struct {
			MedianS *int64 `json:"median_s"`
			P90S    *int64 `json:"p90_s"`
		} `json:"all"`
		ByWeek []json.RawMessage `json:"by_week"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &f); err != nil || f.Received != 8 || f.All.MedianS == nil || *f.All.MedianS != 7200 || *f.All.P90S != 86400 || len(f.ByWeek) != 2 || f.Period["to"] != "2026-01-18" {
		t.Errorf("API figures %s (%v)", w.Body, err)
	}
}

// TestReachPage renders reach in both languages and as CSV.
func TestReachPage(t *testing.T) {
	n, acc, _, posts := reachWorld(t, storetest.Engines(t)[0])
	bima := n.As("Bima", "kemlu", core.RoleMember)
	pg := newWCPages(t, n)
	q := "/newsroom/reach?from=2026-01-01&to=2026-01-10"
	for lang, want := range map[string][]string{
		"en": {"Boosts: 2. Likes: 3. Replies, mentions and messages: 2.", "@kemlu@" + n.Host, "Followers at the start: 2; at the end: 2. New: 2. Left: 2.", "Post p1", "b.example</th><td>1</td><td>1</td><td>1</td><td>0</td>",
			`<title id="fo0-t">Followers of @kemlu@` + n.Host + `, day by day</title>`, "3 Jan 2026: 3"},
		"id": {"Dibagikan: 2. Disukai: 3.", "Pengikut di awal: 2; di akhir: 2. Baru: 2. Berhenti: 2.", "Server asal reaksi"},
	} {
		body := pg.page(pg.do(bima, lang, "GET /newsroom/reach", q, ""), 200, lang+" reach", want...)
		if strings.Count(body, "<svg") != 3 {
			t.Errorf("%s: %d charts", lang, strings.Count(body, "<svg"))
		}
	}
	pg.page(pg.do(bima, "en", "GET /newsroom/reach", q+"&account=nobody", ""), 422, "an unknown account", "Account: ")
	w := pg.do(bima, "en", "GET /newsroom/reach.csv", "/newsroom/reach.csv?from=2026-01-01&to=2026-01-10&account="+acc.ID, "")
	for _, s := range []string{"figure,key,day,n,boosts,likes,replies,followers,text", "followers,kemlu@" + n.Host + ",2026-01-03,3,,,,,", "followers,kemlu@" + n.Host + ",2026-01-10,2,,,,,",
		"post," + posts["p1"] + ",2026-01-02,4,1,2,1,,Post p1", "instance,b.example,,3,1,1,1,0,", "instance,a.example,,2,1,1,0,2,"} {
		if !strings.Contains(w.Body.String(), s+"\n") {
			t.Errorf("the CSV lacks %q:\n%s", s, w.Body)
		}
	}
	w = pg.do(bima, "en", "GET /api/v1/publicdiplomacy/reach", "/api/v1/publicdiplomacy/reach?from=2026-01-01&to=2026-01-10", "")
	var r struct {
		Accounts []struct {
			Days []struct{ N int } `json:"days"`
		} `json:"accounts"`
		Posts     []struct{ Boosts, Likes, Replies int } `json:"top_posts"`
		Instances []struct {
			Instance string `json:"instance"`
		} `json:"top_instances"`
		Boosts int `json:"boosts"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil || len(r.Accounts) != 1 || len(r.Accounts[0].Days) != 10 || len(r.Posts) != 2 || r.Posts[0].Likes != 2 ||
		len(r.Instances) != 3 || r.Instances[0].Instance != "b.example" || r.Boosts != 2 {
		t.Errorf("API reach %s (%v)", w.Body, err)
	}
}

// TestWebcareAPI lists the queue, reads an item and answers it as a
// program would.
func TestWebcareAPI(t *testing.T) {
	n := newNode(t, storetest.Engines(t)[0])
	n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
	acc := n.Account(t, "kemlu", "kemlu")
	id := wcInsert(t, n, acc, wcItem{Kind: "mention", Queue: true, Language: "id", Text: "Halo"})
	bima := n.As("Bima", "kemlu", core.RoleOfficer)
	pg := newWCPages(t, n)

	w := pg.do(bima, "en", "GET /api/v1/publicdiplomacy/webcare", "/api/v1/publicdiplomacy/webcare?kind=mention", "")
	var list struct {
		Items []publicdiplomacy.Item `json:"items"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil || len(list.Items) != 1 || list.Items[0].ID != id || list.Items[0].ActorHandle != "ana@social.example" || list.Items[0].State != "new" {
		t.Fatalf("list %s (%v)", w.Body, err)
	}
	if w := pg.do(bima, "en", "GET /api/v1/publicdiplomacy/webcare", "/api/v1/publicdiplomacy/webcare?cursor=x", ""); w.Code != 422 && w.Code != 400 {
		t.Errorf("a bad cursor: %d", w.Code)
	}
	w = pg.do(bima, "en", "POST /api/v1/publicdiplomacy/webcare/{id}/answer", "/api/v1/publicdiplomacy/webcare/"+id+"/answer", `{"content": ""}`, "id", id)
	if !strings.Contains(w.Body.String(), `"content"`) || w.Code < 400 {
		t.Errorf("an empty answer: %d %s", w.Code, w.Body)
	}
	w = pg.do(bima, "en", "POST /api/v1/publicdiplomacy/webcare/{id}/answer", "/api/v1/publicdiplomacy/webcare/"+id+"/answer", `{"content": "Halo juga!"}`, "id", id)
	var p publicdiplomacy.Post
	if err := json.Unmarshal(w.Body.Bytes(), &p); w.Code != 201 || err != nil || p.Language != "id" || p.Content != "@ana@social.example Halo juga!" || p.State != "published" {
		t.Fatalf("answer: %d %s (%v)", w.Code, w.Body, err)
	}
	w = pg.do(bima, "en", "GET /api/v1/publicdiplomacy/webcare/{id}", "/api/v1/publicdiplomacy/webcare/"+id, "", "id", id)
	var th struct {
		Item      publicdiplomacy.Item   `json:"item"`
		RepliedTo *publicdiplomacy.Post  `json:"replied_to"`
		Answers   []publicdiplomacy.Post `json:"answers"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &th); err != nil || th.Item.State != "answered" || th.RepliedTo != nil || len(th.Answers) != 1 || th.Answers[0].ID != p.ID {
		t.Fatalf("thread %s (%v)", w.Body, err)
	}
}

// TestWebcareQueuePageIsLight fills a page of the queue with long, varied
// messages from as many people: the page still loads under 14 KB
// compressed, each text cut to its start.
func TestWebcareQueuePageIsLight(t *testing.T) {
	n := newNode(t, storetest.Engines(t)[0])
	n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
	acc := n.Account(t, "kemlu", "kemlu")
	words := strings.Fields("visa consulate passport embassy roadmap norms cyberspace ASEAN Jakarta Canberra fellowship deadline webinar students question answer thanks when where how why policy incident report member states cooperation")
	for i := range publicdiplomacy.QueuePage + 5 {
		var text []string
		for k := 0; len(strings.Join(text, " ")) < 400; k++ {
			text = append(text, words[(i*7+k*k+k*3)%len(words)]+strings.Repeat("s", (i+k)%3))
		}
		name := words[i%len(words)] + " " + words[(i*5+1)%len(words)]
		host := words[(i*3)%len(words)] + ".example"
		wcInsert(t, n, acc, wcItem{Kind: publicdiplomacy.QueueKinds[i%3], Queue: true, Text: strings.Join(text, " "), Actor: "https://" + host + "/users/u" + name[:3],
			Handle: strings.ReplaceAll(name, " ", "_") + "@" + host, Host: host, Received: n.Clock.Now().Add(-time.Duration(i) * time.Minute)})
	}
	pg := newWCPages(t, n)
	pg.page(pg.do(n.As("Bima", "kemlu", core.RoleOfficer), "id", "GET /webcare", "/webcare", ""), 200, "a full page", "Halaman berikutnya")
}
