package capacity_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/capacity"
)

// TestThemesAreComplete checks the shipped vocabulary: five themes, each
// with topics, every name in both languages (parsing refuses any other).
func TestThemesAreComplete(t *testing.T) {
	if got := len(capacity.Themes.Themes); got != 5 {
		t.Fatalf("themes = %d, want the GFCE's five", got)
	}
	for _, th := range capacity.Themes.Themes {
		if len(th.Topics) == 0 {
			t.Errorf("theme %s has no topics", th.ID)
		}
	}
	if th, ok := capacity.Themes.TopicTheme("csirt"); !ok || th != "incident-cip" {
		t.Errorf("csirt is under %q", th)
	}
	if got := capacity.Themes.ThemeName("cybercrime", "id"); got != "Kejahatan siber" {
		t.Errorf("cybercrime in Indonesian = %q", got)
	}
	if got := capacity.Themes.RegionsOf("TL"); !slices.Equal(got, []string{"southeast-asia"}) {
		t.Errorf("Timor-Leste's regions = %v", got)
	}
}

// TestProjectValidation names each bad field and its reason, and fills a
// topic's theme in.
func TestProjectValidation(t *testing.T) {
	p := capacity.Project{Title: "", Topics: []string{"csirt", "nope"}, Themes: []string{"wat"}, Countries: []string{"XX"}, Regions: []string{"mars"},
		Budget: 5, Currency: "EURO", Start: "2027-13-01", End: "2026-01-01", Status: "maybe", Visibility: "shared", SharedWith: []string{"no address"},
		Summary: "bad\x00byte"}
	got := p.Validate()
	want := core.Problems{"title": "err.required", "topics": "err.cap_topic nope", "themes": "err.cap_theme wat", "countries": "err.cap_country XX",
		"regions": "err.cap_region mars", "currency": "err.cap_currency", "start": "err.date", "status": "err.choice",
		"shared_with": "err.cap_address no address", "summary": core.ProblemNUL}
	if !maps.Equal(want, got) {
		t.Errorf("problems = %v\nwant %v", got, want)
	}
	if !strings.Contains(strings.Join(p.Themes, ","), "incident-cip") {
		t.Errorf("the topic's theme was not added: %v", p.Themes)
	}
	q := csirt(capacity.Public)
	q.Start, q.End = "2028-01-01", "2027-01-01"
	if got := q.Validate(); got["end"] != "err.cap_end_before_start" {
		t.Errorf("end before start: %v", got)
	}
}

// TestProjectsVisibility records public and shared projects and checks who
// lists and opens them: anyone the public one, the owner and the named
// organisation the shared one, nobody else — not even a node administrator.
func TestProjectsVisibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		dfat := as("dfat-au", core.RoleOfficer)
		pub := mustCreate(t, n, dfat, "dfat-au", csirt(capacity.Public))
		sharedIn := csirt(capacity.Shared, "mtci-tl@node.test", "bssn@peer.test")
		sharedIn.Title = "Shared with Timor-Leste"
		sh := mustCreate(t, n, dfat, "dfat-au", sharedIn)
		if sh.Owner != "dfat-au@node.test" || sh.Currency != "AUD" || !slices.Equal(sh.Countries, []string{"TL"}) || !slices.Equal(sh.Themes, []string{"incident-cip"}) {
			t.Errorf("normalised project = %+v", sh)
		}
		cases := []struct {
			name string
			ctx  string
			role core.Role
			want []string
		}{
			{"owner", "dfat-au", core.RoleObserver, []string{pub.ID}}, // observers read nothing shared
			{"owner analyst", "dfat-au", core.RoleAnalyst, []string{sh.ID, pub.ID}},
			{"named", "mtci-tl", core.RoleMember, []string{sh.ID, pub.ID}},
			{"other", "kemlu", core.RoleAdmin, []string{pub.ID}},
		}
		for _, c := range cases {
			list, err := n.svc.List(as(c.ctx, c.role), capacity.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, p := range list {
				ids = append(ids, p.ID)
			}
			if !slices.Equal(ids, c.want) {
				t.Errorf("%s lists %v, want %v", c.name, ids, c.want)
			}
			if _, err := n.svc.Get(as(c.ctx, c.role), sh.ID); (err == nil) != (len(c.want) == 2) {
				t.Errorf("%s opens the shared project: %v", c.name, err)
			}
		}
		anon := core.WithActor(t.Context(), core.Actor{})
		if _, err := n.svc.Get(anon, sh.ID); core.KindOf(err) != core.KindNotFound {
			t.Errorf("anonymous opens the shared project: %v", err)
		}
		admin := core.WithActor(t.Context(), core.Actor{UserID: "root", NodeAdmin: true})
		if list, _ := n.svc.List(admin, capacity.Filter{}); len(list) != 1 {
			t.Errorf("a node administrator lists %d projects, want the public one", len(list))
		}
		// Filters: by theme, country and status; values outside the
		// vocabulary match nothing.
		for f, want := range map[capacity.Filter]int{
			{Theme: "incident-cip"}: 2, {Theme: "cybercrime"}: 0, {Theme: "%"}: 0, {Country: "tl"}: 2, {Country: "ID"}: 0, {Country: "%"}: 0,
			{Status: capacity.Ongoing}: 2, {Status: capacity.Planned}: 0, {Status: "x"}: 0,
		} {
			list, err := n.svc.List(dfat, f)
			if err != nil || len(list) != want {
				t.Errorf("filter %+v: %d projects (%v), want %d", f, len(list), err, want)
			}
		}
		// Unsharing takes the project away from the named organisation.
		sh.Visibility, sh.SharedWith = capacity.Shared, []string{"bssn@peer.test"}
		if _, err := n.svc.Update(dfat, sh.ID, sh); err != nil {
			t.Fatal(err)
		}
		if _, err := n.svc.Get(as("mtci-tl", core.RoleMember), sh.ID); core.KindOf(err) != core.KindNotFound {
			t.Errorf("after unsharing, Timor-Leste still opens it: %v", err)
		}
		// Writing: only the owner's writers, for their own organisation.
		if _, err := n.svc.Update(as("mtci-tl", core.RoleAdmin), pub.ID, pub); core.KindOf(err) != core.KindForbidden {
			t.Errorf("another organisation updates the project: %v", err)
		}
		if _, err := n.svc.Create(dfat, "kemlu", csirt(capacity.Public)); fields(err)["org"] != "err.org_unknown" {
			t.Errorf("create for another organisation: %v", err)
		}
		if _, err := n.svc.Create(as("dfat-au", core.RoleMember), "dfat-au", csirt(capacity.Public)); core.KindOf(err) != core.KindForbidden {
			t.Errorf("a member creates a project: %v", err)
		}
	})
}
