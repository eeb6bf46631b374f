package publicdiplomacy

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
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
	"entente.example/entente/internal/netguard"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/directory"
	webfiles "entente.example/entente/web"
)

// nrWorld is one node serving the module's pages through the real web
// server (sessions, access checks, templates, both languages) on loopback,
// with the node's federation answering /.well-known/entente, so that the
// signed list of accounts can be checked against the node's key. People
// sign in with a password, as in a browser.
type nrWorld struct {
	svc   *Service
	fed   *fedtest.Served
	auth  *auth.Service
	clock *storetest.Clock
	url   string
	roles nrRoles
	orgs  map[string]core.OrgRef
}

// nrRoles gives people their memberships, as the directory would.
type nrRoles map[string][]core.Membership

func (r nrRoles) Memberships(ctx context.Context, userID string) ([]core.Membership, error) {
	return r[userID], nil
}

func newNRWorld(t testing.TB, e storetest.Engine) *nrWorld {
	t.Helper()
	clock := storetest.NewClock(time.Now())
	db := storetest.Open(t, e, clock, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(),
		directory.Migrations(), Migrations())
	fed := fedtest.Serve(t, db)
	w := &nrWorld{fed: fed, clock: clock, url: fed.URL, roles: nrRoles{}, orgs: map[string]core.OrgRef{}}
	w.auth = auth.NewService(db, w.roles, 24*time.Hour, 30*24*time.Hour)
	w.svc = NewService(db, Options{BaseURL: func() string { return fed.URL }, HTTP: netguard.Client(true), Insecure: true, Signer: fed.Fed})
	srv, err := web.New(web.Deps{DB: db, Auth: w.auth, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry(),
		BaseURL: fed.URL, NodeName: "Kemlu's node"}, webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Mount([]web.Module{NewModule(w.svc, srv)}); err != nil {
		t.Fatal(err)
	}
	fed.Mux.Handle("/", srv)
	return w
}

// org adds an organisation.
func (w *nrWorld) org(t testing.TB, handle, name string) core.OrgRef {
	t.Helper()
	id := w.fed.Org(t, handle, core.OrgStateMinistry, "ID", name)
	w.orgs[handle] = core.OrgRef{ID: id, Handle: handle}
	return w.orgs[handle]
}

// as is the context of a person (not signed in through the web).
func (w *nrWorld) as(userID, name, org string, role core.Role) context.Context {
	a := core.Actor{UserID: userID, Name: name, Memberships: []core.Membership{{Org: w.orgs[org], Kind: core.OrgStateMinistry, Role: role}}}
	return core.WithRequest(core.WithActor(context.Background(), a), core.RequestInfo{ID: "test"})
}

// person creates someone with a role in an organisation and signs them in.
func (w *nrWorld) person(t testing.TB, email, name, org string, role core.Role) *nrClient {
	t.Helper()
	ctx := w.as("setup", "setup", org, core.RoleAdmin)
	var u auth.User
	err := w.svc.db.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if u, _, err = w.auth.CreateUser(ctx, tx, auth.NewUser{Email: email, Name: name, Lang: "en"}); err != nil {
			return err
		}
		return w.auth.SetPasswordDirect(ctx, tx, u.ID, "correct horse battery staple")
	})
	if err != nil {
		t.Fatal(err)
	}
	w.roles[u.ID] = []core.Membership{{Org: w.orgs[org], Kind: core.OrgStateMinistry, Role: role}}
	res, err := w.auth.Login(context.Background(), email, "correct horse battery staple", auth.SessionMeta{IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	c := w.anonymous()
	base, _ := url.Parse(w.url)
	c.http.Jar.SetCookies(base, []*http.Cookie{{Name: "entente_session", Value: res.Session, Path: "/"}})
	c.id = u.ID
	c.ctx = core.WithRequest(core.WithActor(context.Background(), core.Actor{UserID: u.ID, Name: name, Memberships: w.roles[u.ID]}), core.RequestInfo{ID: "test"})
	return c
}

// anonymous is a browser with nobody signed in.
func (w *nrWorld) anonymous() *nrClient {
	jar, _ := cookiejar.New(nil)
	return &nrClient{base: w.url, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// account creates an account for an organisation as its admin.
func (w *nrWorld) account(t testing.TB, org, username string, fields ...Field) Account {
	t.Helper()
	acc, err := w.svc.CreateAccount(w.as("admin-"+org, "Admin", org, core.RoleAdmin), AccountInput{Org: org, Username: username, DisplayName: "The " + username,
		Summary: "Official account.\n\nAkun resmi.", Language: "en", Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

// publish drafts, submits, approves (as a second person) and publishes a
// message of the account, and returns its posts.
func (w *nrWorld) publish(t testing.TB, acc Account, org string, ts ...Translation) []Post {
	t.Helper()
	writer, approver := w.as("writer", "Bima", org, core.RoleOfficer), w.as("approver", "Sari", org, core.RoleAdmin)
	posts, err := w.svc.CreateDraft(writer, Draft{AccountID: acc.ID, Translations: ts})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Submit(writer, posts[0].GroupID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Approve(approver, posts[0].GroupID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.PublishDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	out, err := w.svc.Group(approver, posts[0].GroupID)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// nrClient is a browser (or a program) talking to the node.
type nrClient struct {
	base string
	http *http.Client
	id   string
	ctx  context.Context // the person's context, for service calls
}

type nrResponse struct {
	Status int
	Header http.Header
	Body   string
}

func (c *nrClient) do(t testing.TB, req *http.Request) nrResponse {
	t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return nrResponse{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// get fetches a path with an Accept header ("" for a browser's).
func (c *nrClient) get(t testing.TB, path, accept string) nrResponse {
	t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	if accept == "" {
		accept = "text/html,application/xhtml+xml"
	}
	req.Header.Set("Accept", accept)
	return c.do(t, req)
}

// post sends a form.
func (c *nrClient) post(t testing.TB, path string, v url.Values) nrResponse {
	t.Helper()
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	return c.do(t, req)
}

// multipart sends a form with a file (none when file is nil).
func (c *nrClient) multipart(t testing.TB, path string, v url.Values, file []byte) nrResponse {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range v {
		for _, x := range vs {
			mw.WriteField(k, x)
		}
	}
	if file != nil {
		part, _ := mw.CreateFormFile("image", "picture.png")
		part.Write(file)
	} else {
		mw.CreateFormFile("image", "")
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	return c.do(t, req)
}

// api sends JSON to the API.
func (c *nrClient) api(t testing.TB, method, path, body string) nrResponse {
	t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return c.do(t, req)
}

// nrPNG is a valid 1×1 PNG.
var nrPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func nrWant(t testing.TB, what string, r nrResponse, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d\n%.3000s", what, r.Status, status, r.Body)
	}
}

func nrWantIn(t testing.TB, what, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("%s lacks %q", what, p)
		}
	}
}
