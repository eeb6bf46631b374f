package humanitarian

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	webfiles "entente.example/entente/web"
	"github.com/prometheus/client_golang/prometheus"
)

// host is the test node's name.
type host string

func (h host) Host() string { return string(h) }

// world is one node with the humanitarian schema: BNPB leads the
// emergency (bnpb), the Red Cross writes its own records (pmi), and
// kemlu's people only read.
type world struct {
	svc   *Service
	db    *store.DB
	clock *storetest.Clock
}

// start is the clock's first reading: two days into the demo earthquake.
var start = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func newWorld(t testing.TB, e storetest.Engine) *world {
	t.Helper()
	clock := storetest.NewClock(start)
	db := storetest.Open(t, e, clock, audit.Migrations(), Migrations())
	return &world{svc: NewService(db, host("node.test")), db: db, clock: clock}
}

// as is a person of the organisation handle (whose id is "org-"+handle)
// in role.
func as(handle string, role core.Role) context.Context {
	return core.WithActor(context.Background(), core.Actor{UserID: "u-" + handle + "-" + string(role), Name: handle + " " + string(role),
		Memberships: []core.Membership{{Org: core.OrgRef{ID: "org-" + handle, Handle: handle}, Role: role}}})
}

// anonymous is a person without an account, from an address.
func anonymous(ip string) context.Context {
	return core.WithRequest(context.Background(), core.RequestInfo{ID: "req", IP: ip})
}

// quake is the emergency of the tests, as BNPB would open it.
func quake() Emergency {
	return Emergency{Title: "Central Sulawesi earthquake", Kind: "earthquake", Glide: "EQ-2018-000156-IDN", Country: "ID",
		Areas: []string{"ID7271", "ID72"}, StartedOn: "2026-11-29", Languages: []string{"id", "en"}, Summary: "M7.4 near Donggala.", SMSNumber: "+62 811 4500 112"}
}

func mustEmergency(t testing.TB, w *world) Emergency {
	t.Helper()
	e, err := w.svc.CreateEmergency(as("bnpb", core.RoleOfficer), "bnpb", quake())
	if err != nil {
		t.Fatalf("create emergency: %v %v", err, fields(err))
	}
	return e
}

func fields(err error) map[string]string {
	if ce := core.AsError(err); ce != nil && ce.Fields != nil {
		return ce.Fields
	}
	return map[string]string{}
}

func wantKind(t testing.TB, what string, err error, k core.Kind) {
	t.Helper()
	if core.KindOf(err) != k {
		t.Fatalf("%s: %v (kind %q), want %q", what, err, core.KindOf(err), k)
	}
}

func ptr(f float64) *float64 { return &f }

// newSite is a world with the module on a real web server (its templates
// and catalogues), for handler tests.
func newSite(t testing.TB, e storetest.Engine) (*world, *Module) {
	t.Helper()
	w := newWorld(t, e)
	srv, err := web.New(web.Deps{DB: w.db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()}, webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	return w, NewModule(w.svc, srv)
}

// serve runs a handler on a request in ctx (an actor, a language, a
// client address) with the path values given as name, value pairs.
func serve(t testing.TB, h http.HandlerFunc, ctx context.Context, r *http.Request, path ...string) *httptest.ResponseRecorder {
	t.Helper()
	for i := 0; i+1 < len(path); i += 2 {
		r.SetPathValue(path[i], path[i+1])
	}
	rec := httptest.NewRecorder()
	h(rec, r.WithContext(ctx))
	return rec
}
