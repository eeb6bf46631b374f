package dialogue_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/dialogue"
	"entente.example/entente/modules/directory"
	webfiles "entente.example/entente/web"
)

// dnode is one node of the dialogue tests: fedtest's served node (real
// HTTP federation on loopback) with the dialogue module's pages and API
// behind the real web server (sessions, access checks, templates), its job
// queue running (copies, digests, e-mail), and its e-mail caught by a
// mailbox after the real notifier rendered it.
type dnode struct {
	*fedtest.Served
	Name  string
	Svc   *dialogue.Service
	Ev    *dialogue.Events
	Auth  *auth.Service
	Web   *web.Server
	Jobs  *jobs.Queue
	Mail  *dlgMailbox
	roles *dlgRoles
	orgs  map[string]core.Membership // by handle, role unset
}

// dlgRoles gives people their memberships, as the directory would.
type dlgRoles struct {
	mu sync.Mutex
	m  map[string][]core.Membership
}

func (r *dlgRoles) Memberships(_ context.Context, userID string) ([]core.Membership, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[userID], nil
}

// dlgMailbox keeps every e-mail the node's job queue sent.
type dlgMailbox struct {
	mu  sync.Mutex
	got []notify.Message
}

func (b *dlgMailbox) Send(_ context.Context, m notify.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.got = append(b.got, m)
	return nil
}

// All returns the e-mails sent so far.
func (b *dlgMailbox) All() []notify.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]notify.Message(nil), b.got...)
}

// dlgOrg is an organisation of a node.
type dlgOrg struct {
	Handle string
	Kind   core.OrgKind
	Name   string
}

// newDNode starts a node with the organisations.
func newDNode(t testing.TB, e storetest.Engine, name string, orgs ...dlgOrg) *dnode {
	t.Helper()
	db := storetest.Open(t, e, nil, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(),
		directory.Migrations(), dialogue.Migrations())
	s := fedtest.Serve(t, db)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	n := &dnode{Served: s, Name: name, Mail: &dlgMailbox{}, roles: &dlgRoles{m: map[string][]core.Membership{}}, orgs: map[string]core.Membership{}}
	n.Auth = auth.NewService(db, n.roles, 24*time.Hour, 30*24*time.Hour)
	w, err := web.New(web.Deps{DB: db, Auth: n.Auth, Log: log, Registry: prometheus.NewRegistry(), BaseURL: s.URL, NodeName: name}, webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	n.Web = w
	n.Jobs = jobs.New(db, log, nil)
	n.Jobs.Poll = 50 * time.Millisecond
	n.Jobs.Register(notify.EmailKind(n.Mail))
	n.Svc = dialogue.NewService(db, s.Fed, n.Jobs)
	people := notify.People{Jobs: n.Jobs, Tr: w.Catalog(), BaseURL: func() string { return s.URL }}
	n.Svc.UseNotifier(people, w.Catalog())
	n.Ev = dialogue.NewEvents(db, s.Fed, people)
	n.Ev.UseDialogues(n.Svc)
	n.Ev.ScheduleEvents(n.Jobs)
	if err := w.Mount([]web.Module{dialogue.NewModule(n.Svc, w), dialogue.NewEventsModule(n.Ev, w)}); err != nil {
		t.Fatal(err)
	}
	s.Mux.Handle("/", w)
	for _, o := range orgs {
		id := s.Org(t, o.Handle, o.Kind, "", o.Name)
		n.orgs[o.Handle] = core.Membership{Org: core.OrgRef{ID: id, Handle: o.Handle}, Kind: o.Kind}
	}
	s.Start(t)
	t.Cleanup(func() { n.explain(t) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.Jobs.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return n
}

// explain logs, when the test failed, what the node could not deliver or
// run: a timeout then says why.
func (n *dnode) explain(t testing.TB) {
	if !t.Failed() {
		return
	}
	var out []struct {
		Type  string `db:"type"`
		State string `db:"state"`
		Err   string `db:"last_error"`
	}
	_ = n.DB.R().Select(context.Background(), &out, `SELECT type, state, last_error FROM outbox WHERE last_error <> '' ORDER BY created_at`)
	for _, o := range out {
		t.Logf("%s outbox: %s %s: %s", n.Name, o.Type, o.State, o.Err)
	}
	_ = n.DB.R().Select(context.Background(), &out, `SELECT kind AS type, state, last_error FROM jobs WHERE last_error <> '' ORDER BY created_at`)
	for _, o := range out {
		t.Logf("%s job: %s %s: %s", n.Name, o.Type, o.State, o.Err)
	}
}

// dlgPerson is someone with an account on a node, signed in through the
// web (for pages and the API) and with a context for service calls.
type dlgPerson struct {
	Name, Email, ID, Org string
	Ctx                  context.Context
	node                 *dnode
	http                 *http.Client
}

// Person creates someone holding role in the organisation handle (none
// for "": a node administrator when admin), and signs them in.
func (n *dnode) Person(t testing.TB, name, handle string, role core.Role, admin bool) *dlgPerson {
	t.Helper()
	ctx := context.Background()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@" + n.Name + ".test"
	const pw = "correct horse battery staple"
	var u auth.User
	err := n.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if u, _, err = n.Auth.CreateUser(ctx, tx, auth.NewUser{Email: email, Name: name, Lang: "en", NodeAdmin: admin}); err != nil {
			return err
		}
		if handle != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, ?, ?)`, u.ID, n.orgs[handle].Org.ID, string(role), tx.Now); err != nil {
				return err
			}
		}
		return n.Auth.SetPasswordDirect(ctx, tx, u.ID, pw)
	})
	if err != nil {
		t.Fatal(err)
	}
	var ms []core.Membership
	if handle != "" {
		m := n.orgs[handle]
		m.Role = role
		ms = []core.Membership{m}
	}
	n.roles.mu.Lock()
	n.roles.m[u.ID] = ms
	n.roles.mu.Unlock()
	res, err := n.Auth.Login(ctx, email, pw, auth.SessionMeta{IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	base, _ := url.Parse(n.URL)
	jar.SetCookies(base, []*http.Cookie{{Name: "entente_session", Value: res.Session, Path: "/"}})
	a := core.Actor{UserID: u.ID, Name: name, Email: email, Memberships: ms, NodeAdmin: admin}
	return &dlgPerson{Name: name, Email: email, ID: u.ID, Org: handle, node: n,
		Ctx:  core.WithRequest(core.WithActor(ctx, a), core.RequestInfo{ID: "test"}),
		http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// dlgResponse is an HTTP answer.
type dlgResponse struct {
	Status int
	Body   string
}

// Get fetches a path of the person's node as a browser (accept "") or a
// program (accept "application/json") would.
func (p *dlgPerson) Get(t testing.TB, path, accept string) dlgResponse {
	t.Helper()
	req, _ := http.NewRequest("GET", p.node.URL+path, nil)
	if accept == "" {
		accept = "text/html,application/xhtml+xml"
	}
	req.Header.Set("Accept", accept)
	res, err := p.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return dlgResponse{Status: res.StatusCode, Body: string(b)}
}

// Post sends a form to a path of the person's node.
func (p *dlgPerson) Post(t testing.TB, path string, v url.Values) dlgResponse {
	t.Helper()
	req, _ := http.NewRequest("POST", p.node.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	res, err := p.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return dlgResponse{Status: res.StatusCode, Body: string(b)}
}

// dlgWorld is three peered nodes: the ASEAN Secretariat's (the host), one
// in Indonesia and one in Australia, with their people.
type dlgWorld struct {
	Host, ID, AU *dnode
	P            map[string]*dlgPerson
}

// The people of dlgWorld, by key.
const (
	pHostAdmin  = "host-admin"     // node administrator of the host's node, in no organisation
	pModerator  = "moderator"      // asean officer: runs and moderates
	pHostMember = "host-member"    // asean member: a participant on the host's node
	pHostOut    = "host-outsider"  // of itu, on the host's node, not invited
	pAuthor     = "author"         // kemlu officer on id: contributes
	pColleague  = "colleague"      // kemlu member on id
	pIDOut      = "id-outsider"    // of bssn, on id, not invited
	pIDAdmin    = "id-admin"       // node administrator of id
	pAU         = "au-participant" // dfat officer on au
	pRapporteur = "rapporteur"     // anu analyst on au
	pAUAdmin    = "au-admin"       // node administrator of au
)

// Names that must not leave where the rule keeps them.
const (
	authorName  = "Ratna Kusumawardani"
	kemluName   = "Kementerian Luar Negeri Republik Indonesia"
	dfatName    = "Department of Foreign Affairs and Trade"
	anuName     = "Australian National University"
	aseanName   = "ASEAN Secretariat"
	hostMember  = "Nguyen Thi Lan"
	auPartName  = "Olivia Brennan"
	rapportName = "Siobhan McAllister"
)

// newDlgWorld starts and peers the three nodes.
func newDlgWorld(t testing.TB, e storetest.Engine) *dlgWorld {
	t.Helper()
	w := &dlgWorld{
		Host: newDNode(t, e, "asean", dlgOrg{"asean", core.OrgInternational, aseanName}, dlgOrg{"itu", core.OrgInternational, "International Telecommunication Union"}),
		ID:   newDNode(t, e, "id", dlgOrg{"kemlu", core.OrgStateMinistry, kemluName}, dlgOrg{"bssn", core.OrgStateAgency, "Badan Siber dan Sandi Negara"}),
		AU:   newDNode(t, e, "au", dlgOrg{"dfat", core.OrgStateMinistry, dfatName}, dlgOrg{"anu", core.OrgAcademia, anuName}),
	}
	fedtest.Peer(t, w.Host.Served, w.ID.Served, w.AU.Served)
	w.P = map[string]*dlgPerson{
		pHostAdmin:  w.Host.Person(t, "Hosting Admin", "", "", true),
		pModerator:  w.Host.Person(t, "Maria Santos", "asean", core.RoleOfficer, false),
		pHostMember: w.Host.Person(t, hostMember, "asean", core.RoleMember, false),
		pHostOut:    w.Host.Person(t, "Outside Host", "itu", core.RoleAdmin, false),
		pAuthor:     w.ID.Person(t, authorName, "kemlu", core.RoleOfficer, false),
		pColleague:  w.ID.Person(t, "Bima Pratama", "kemlu", core.RoleMember, false),
		pIDOut:      w.ID.Person(t, "Outside Bssn", "bssn", core.RoleAdmin, false),
		pIDAdmin:    w.ID.Person(t, "Indonesia Admin", "", "", true),
		pAU:         w.AU.Person(t, auPartName, "dfat", core.RoleOfficer, false),
		pRapporteur: w.AU.Person(t, rapportName, "anu", core.RoleAnalyst, false),
		pAUAdmin:    w.AU.Person(t, "Australia Admin", "", "", true),
	}
	return w
}

// Nodes lists the three nodes, the host's first.
func (w *dlgWorld) Nodes() []*dnode { return []*dnode{w.Host, w.ID, w.AU} }

// Open has the moderator open a dialogue under rule with kemlu and dfat
// as participants and anu as the rapporteur, and waits for both peers'
// copies.
func (w *dlgWorld) Open(t testing.TB, rule dialogue.Rule) *dialogue.Dialogue {
	t.Helper()
	mod := w.P[pModerator].Ctx
	d, err := w.Host.Svc.Create(mod, dialogue.Input{Host: "asean", Title: "ASEAN–Australia Track 1.5 on ransomware", Purpose: "Responses to ransomware against hospitals.", Rule: rule})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		addr string
		role dialogue.Role
	}{{w.ID.Addr("kemlu"), dialogue.RoleParticipant}, {w.AU.Addr("dfat"), dialogue.RoleParticipant}, {w.AU.Addr("anu"), dialogue.RoleRapporteur}} {
		if err := w.Host.Svc.AddParty(mod, d.ID, p.addr, p.role); err != nil {
			t.Fatalf("invite %s: %v", p.addr, err)
		}
	}
	w.WaitDoc(t, d.ID, func(d *dialogue.Dialogue) bool { return len(d.Parties) == 5 }, w.ID, w.AU)
	v, err := w.Host.Svc.Get(mod, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return v.D
}

// WaitDoc waits until the dialogue as each node holds it (read by one of
// its participants) satisfies ok.
func (w *dlgWorld) WaitDoc(t testing.TB, id string, ok func(*dialogue.Dialogue) bool, nodes ...*dnode) {
	t.Helper()
	for _, n := range nodes {
		p := w.reader(n)
		fedtest.Eventually(t, "the dialogue's copy on "+n.Name, func() bool {
			v, err := n.Svc.Get(p.Ctx, id)
			return err == nil && ok(v.D)
		})
	}
}

// WaitGone waits until the node no longer holds the dialogue.
func (w *dlgWorld) WaitGone(t testing.TB, id string, n *dnode) {
	t.Helper()
	fedtest.Eventually(t, "the copy dropped on "+n.Name, func() bool {
		var c int
		if err := n.DB.R().Get(context.Background(), &c, `SELECT COUNT(*) FROM dlg_dialogues WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
		return c == 0
	})
}

// reader is a participant of a node's, to read its copy with.
func (w *dlgWorld) reader(n *dnode) *dlgPerson {
	switch n {
	case w.ID:
		return w.P[pAuthor]
	case w.AU:
		return w.P[pAU]
	}
	return w.P[pModerator]
}

// All returns every contribution as the person sees it.
func (w *dlgWorld) All(t testing.TB, who, id string) []dialogue.Contribution {
	t.Helper()
	p := w.P[who]
	v, err := p.node.Svc.Get(p.Ctx, id)
	if err != nil {
		t.Fatalf("%s reads %s: %v", who, id, err)
	}
	all, err := p.node.Svc.All(p.Ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// WaitFor waits until the person sees the contribution with body (any,
// when body is "") that satisfies ok, and returns it.
func (w *dlgWorld) WaitFor(t testing.TB, who, id, body string, ok func(dialogue.Contribution) bool) dialogue.Contribution {
	t.Helper()
	var got dialogue.Contribution
	fedtest.Eventually(t, who+" seeing "+body, func() bool {
		for _, c := range w.All(t, who, id) {
			if (body != "" && c.Body == body) || (body == "" && ok(c)) {
				got = c
				return ok(c)
			}
		}
		return false
	})
	return got
}

// Drain waits until the node has sent every e-mail it queued.
func (n *dnode) Drain(t testing.TB) {
	t.Helper()
	fedtest.Eventually(t, "e-mail sent on "+n.Name, func() bool {
		var c int
		if err := n.DB.R().Get(context.Background(), &c, `SELECT COUNT(*) FROM jobs WHERE kind = 'notify.email' AND state <> ?`, jobs.StateDone); err != nil {
			t.Fatal(err)
		}
		return c == 0
	})
}

// RunJob runs a job kind now on the node (the digest, say), waits for it
// and the e-mail it queued, and returns that e-mail.
func (n *dnode) RunJob(t testing.TB, kind string) []notify.Message {
	t.Helper()
	ctx := context.Background()
	n.Drain(t)
	before := len(n.Mail.All())
	var id string
	err := n.DB.WithTx(ctx, func(tx *store.Tx) error {
		if err := n.Jobs.Enqueue(ctx, tx, kind, struct{}{}, jobs.Options{}); err != nil {
			return err
		}
		return tx.Get(ctx, &id, `SELECT id FROM jobs WHERE kind = ? ORDER BY created_at DESC, id DESC LIMIT 1`, kind)
	})
	if err != nil {
		t.Fatal(err)
	}
	fedtest.Eventually(t, kind+" on "+n.Name, func() bool {
		var st string
		if err := n.DB.R().Get(ctx, &st, `SELECT state FROM jobs WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
		if st == jobs.StateDead {
			t.Fatalf("%s on %s died", kind, n.Name)
		}
		return st == jobs.StateDone
	})
	n.Drain(t)
	return n.Mail.All()[before:]
}

func dlgMust(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func dlgWantKind(t testing.TB, what string, err error, k core.Kind) {
	t.Helper()
	if core.KindOf(err) != k {
		t.Fatalf("%s: %v (kind %q), want %q", what, err, core.KindOf(err), k)
	}
}

func dlgField(err error, name string) string {
	if ce := core.AsError(err); ce != nil {
		return ce.Fields[name]
	}
	return ""
}
