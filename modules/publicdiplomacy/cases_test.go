package publicdiplomacy_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// problems are an error's field problems.
func caseProblems(err error) map[string]string {
	if ce := core.AsError(err); ce != nil && ce.Fields != nil {
		return ce.Fields
	}
	return map[string]string{}
}

// caseWorld is kemlu's press office and BSSN on one node: Dewi (analyst)
// writes, Bima (officer) and Sari (admin) approve, Olga only observes;
// Rina is BSSN's analyst.
type caseWorld struct {
	*node
	dewi, bima, sari, olga, rina context.Context
}

func newCaseWorld(t *testing.T, e storetest.Engine) caseWorld {
	t.Helper()
	n := newNode(t, e)
	n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs of Indonesia")
	n.Org(t, "bssn", core.OrgStateCERT, "ID", "BSSN")
	return caseWorld{node: n, dewi: n.As("Dewi", "kemlu", core.RoleAnalyst), bima: n.As("Bima", "kemlu", core.RoleOfficer),
		sari: n.As("Sari", "kemlu", core.RoleAdmin), olga: n.As("Olga", "kemlu", core.RoleObserver), rina: n.As("Rina", "bssn", core.RoleAnalyst)}
}

// day is a date some days before the test's clock.
func (w caseWorld) day(daysAgo int) string {
	return w.Clock.Now().AddDate(0, 0, -daysAgo).Format("2006-01-02")
}

// vaccineCase is a complete case, ready for review.
func (w caseWorld) vaccineCase() publicdiplomacy.CaseInput {
	return publicdiplomacy.CaseInput{Org: "kemlu", Language: "en",
		Title:    "Vaccines sent to Indonesia carry tracking chips",
		Claim:    "Vaccines donated to Indonesia contain tracking microchips",
		Summary:  "Posts claimed that vaccine doses donated to Indonesia contain microchips that let a foreign government track the people who receive them.",
		Disproof: "A vaccine dose passes through a needle of 0.25 mm; no chip that small can send a signal.\n\nThe health ministry's analysis: https://example.org/analysis",
		Verdict:  "false", FirstSeen: w.day(30),
		Appearances: []publicdiplomacy.Appearance{
			{URL: "https://news.example.net/vaccine-chips", Outlet: "News Example", Language: "id", Date: w.day(30), Archive: "https://web.archive.org/web/2026/https://news.example.net/vaccine-chips"},
			{URL: "https://blog.example.com/chips", Outlet: "A Blog", Language: "en", Date: w.day(28)},
		},
		Countries: []string{"id"}, Keywords: []string{"Vaccines", "health", "vaccines"},
	}
}

// TestCaseWorkflow takes a case from draft to publication and back:
// incomplete cases are not reviewed, a stale edit is refused, the
// approvers are told, nobody publishes what they wrote or last changed,
// a published case is withdrawn before it is changed, and its first
// publication date survives a new publication.
func TestCaseWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newCaseWorld(t, e)
		svc := w.Svc
		if _, err := svc.CreateCase(w.olga, w.vaccineCase()); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("an observer wrote a case: %v", err)
		}
		// A draft may be incomplete.
		c, err := svc.CreateCase(w.dewi, publicdiplomacy.CaseInput{Org: "kemlu", Title: "Vaccines sent to Indonesia carry tracking chips"})
		if err != nil {
			t.Fatal(err)
		}
		if c.State != publicdiplomacy.CaseDraft || c.Version != 1 || c.CreatedByName != "Dewi" || c.Org != "kemlu" || c.Language != "en" {
			t.Fatalf("created %+v", c)
		}
		_, err = svc.SubmitCase(w.dewi, c.ID, 0)
		for _, f := range []string{"claim", "summary", "disproof", "verdict", "first_seen", "appearances", "countries"} {
			if caseProblems(err)[f] != "err.required" {
				t.Errorf("submitting an incomplete case: %s is %q (%v)", f, caseProblems(err)[f], err)
			}
		}
		in := w.vaccineCase()
		in.Version = 1
		c, err = svc.EditCase(w.dewi, c.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if c.Version != 2 || len(c.Appearances) != 2 || !slices.Equal(c.Countries, []string{"ID"}) || !slices.Equal(c.Keywords, []string{"Vaccines", "health"}) ||
			!slices.Equal(c.Languages, []string{"id", "en"}) || !slices.Equal(c.Outlets, []string{"News Example", "A Blog"}) {
			t.Fatalf("edited %+v", c)
		}
		if _, err := svc.EditCase(w.dewi, c.ID, in); core.KindOf(err) != core.KindConflict {
			t.Fatalf("an edit of version 1 over version 2: %v", err)
		}
		if _, err := svc.PublishCase(w.bima, c.ID, 0); core.KindOf(err) != core.KindConflict {
			t.Fatalf("a draft was published: %v", err)
		}
		c, err = svc.SubmitCase(w.dewi, c.ID, c.Version)
		if err != nil || c.State != publicdiplomacy.CaseReview || c.SubmittedAt == nil {
			t.Fatalf("submitted %+v, %v", c, err)
		}
		if !slices.ContainsFunc(w.Told.kinds, func(k notify.Kind) bool { return k.Name == notify.PDCaseReview.Name }) {
			t.Errorf("the approvers were not told: %v", w.Told.kinds)
		}
		// Who may publish sees it waiting; the writer does not.
		if l, err := svc.CasesToReview(w.bima); err != nil || len(l) != 1 || l[0].ID != c.ID {
			t.Errorf("Bima's cases to review: %v, %v", l, err)
		}
		if l, _ := svc.CasesToReview(w.dewi); len(l) != 0 {
			t.Errorf("Dewi, who may not publish, has cases to review: %v", l)
		}
		// Sari changes it while in review: it is a draft again, and
		// hers to have published by someone else.
		in.Version = c.Version
		in.Title = "Vaccines donated to Indonesia carry tracking chips"
		if c, err = svc.EditCase(w.sari, c.ID, in); err != nil || c.State != publicdiplomacy.CaseDraft || c.EditedByName != "Sari" {
			t.Fatalf("Sari's edit: %+v, %v", c, err)
		}
		if c, err = svc.SubmitCase(w.sari, c.ID, c.Version); err != nil {
			t.Fatal(err)
		}
		if l, _ := svc.CasesToReview(w.sari); len(l) != 0 {
			t.Errorf("Sari, who last changed it, is asked to publish it: %v", l)
		}
		if _, err := svc.PublishCase(w.sari, c.ID, c.Version); core.KindOf(err) != core.KindForbidden || core.AsError(err).Message != "err.pd_case_four_eyes" {
			t.Fatalf("the last editor published: %v", err)
		}
		if _, err := svc.PublishCase(w.dewi, c.ID, c.Version); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("an analyst published: %v", err)
		}
		if _, err := svc.PublishCase(w.bima, c.ID, c.Version-1); core.KindOf(err) != core.KindConflict {
			t.Fatalf("published a version Bima did not see: %v", err)
		}
		c, err = svc.PublishCase(w.bima, c.ID, c.Version)
		if err != nil || c.State != publicdiplomacy.CasePublished || c.PublishedByName != "Bima" || c.FirstPublishedAt == nil {
			t.Fatalf("published %+v, %v", c, err)
		}
		first := *c.FirstPublishedAt
		if _, err := svc.EditCase(w.dewi, c.ID, in); core.KindOf(err) != core.KindConflict || core.AsError(err).Message != "err.pd_case_published" {
			t.Fatalf("a published case was edited: %v", err)
		}
		if _, err := svc.WithdrawCase(w.bima, c.ID, 0, " "); caseProblems(err)["reason"] != "err.required" {
			t.Fatalf("withdrawn without a reason: %v", err)
		}
		if _, err := svc.WithdrawCase(w.dewi, c.ID, 0, "wrong figure"); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("an analyst withdrew a case: %v", err)
		}
		if c, err = svc.WithdrawCase(w.bima, c.ID, 0, "The needle's size was wrong."); err != nil || c.State != publicdiplomacy.CaseWithdrawn || c.WithdrawnReason == "" {
			t.Fatalf("withdrawn %+v, %v", c, err)
		}
		if _, err := svc.PublishedCase(context.Background(), c.ID); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("a withdrawn case is public: %v", err)
		}
		// Corrected, reviewed and published again: first published stays.
		w.Clock.Advance(48 * time.Hour)
		in.Version = c.Version
		in.Disproof = "A vaccine dose passes through a needle of 0.26 mm; no chip that small can send a signal."
		if c, err = svc.EditCase(w.dewi, c.ID, in); err != nil || c.State != publicdiplomacy.CaseDraft {
			t.Fatalf("editing a withdrawn case: %+v, %v", c, err)
		}
		if c, err = svc.SubmitCase(w.dewi, c.ID, 0); err != nil {
			t.Fatal(err)
		}
		if c, err = svc.ReturnCase(w.bima, c.ID, 0); err != nil || c.State != publicdiplomacy.CaseDraft {
			t.Fatalf("returned %+v, %v", c, err)
		}
		if c, err = svc.SubmitCase(w.dewi, c.ID, 0); err != nil {
			t.Fatal(err)
		}
		if c, err = svc.PublishCase(w.sari, c.ID, 0); err != nil {
			t.Fatalf("Sari publishes Dewi's correction: %v", err)
		}
		if !c.FirstPublishedAt.Equal(first) || !c.PublishedAt.After(first) || c.WithdrawnReason != "" {
			t.Fatalf("republished: first %v (was %v), now %v, reason %q", c.FirstPublishedAt, first, c.PublishedAt, c.WithdrawnReason)
		}
	})
}

// TestCaseValidation refuses bad input by field, with the appearance's
// number, and writes nothing.
func TestCaseValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newCaseWorld(t, e)
		for _, tc := range []struct {
			name  string
			edit  func(*publicdiplomacy.CaseInput)
			field string
			want  string
		}{
			{"no title", func(c *publicdiplomacy.CaseInput) { c.Title = "  " }, "title", "err.required"},
			{"long title", func(c *publicdiplomacy.CaseInput) { c.Title = strings.Repeat("a", 201) }, "title", "err.too_long"},
			{"verdict", func(c *publicdiplomacy.CaseInput) { c.Verdict = "true" }, "verdict", "err.pd_case_verdict"},
			{"date", func(c *publicdiplomacy.CaseInput) { c.FirstSeen = "2026-13-01" }, "first_seen", "err.date"},
			{"future", func(c *publicdiplomacy.CaseInput) { c.FirstSeen = w.day(-2) }, "first_seen", "err.pd_case_future"},
			{"language", func(c *publicdiplomacy.CaseInput) { c.Language = "xx" }, "language", "err.pd_language"},
			{"script url", func(c *publicdiplomacy.CaseInput) { c.Appearances[0].URL = "javascript:alert(1)" }, "appearances", "err.pd_case_appearance_url 1"},
			{"no outlet", func(c *publicdiplomacy.CaseInput) { c.Appearances[1].Outlet = "" }, "appearances", "err.pd_case_appearance_outlet 2"},
			{"ftp archive", func(c *publicdiplomacy.CaseInput) { c.Appearances[1].Archive = "ftp://archive.example/x" }, "appearances", "err.pd_case_appearance_archive 2"},
			{"credentials", func(c *publicdiplomacy.CaseInput) { c.Appearances[0].URL = "https://user:pw@news.example.net/" }, "appearances", "err.pd_case_appearance_url 1"},
			{"appearance language", func(c *publicdiplomacy.CaseInput) { c.Appearances[0].Language = "bahasa" }, "appearances", "err.pd_case_appearance_language 1"},
			{"appearance date", func(c *publicdiplomacy.CaseInput) { c.Appearances[1].Date = w.day(-1) }, "appearances", "err.pd_case_appearance_date 2"},
			{"country", func(c *publicdiplomacy.CaseInput) { c.Countries = []string{"ID", "XX"} }, "countries", "err.pd_case_item XX"},
			{"languages", func(c *publicdiplomacy.CaseInput) { c.Languages = []string{"english"} }, "languages", "err.pd_case_item english"},
			{"org", func(c *publicdiplomacy.CaseInput) { c.Org = "bssn" }, "org", "err.pd_case_org"},
			{"NUL", func(c *publicdiplomacy.CaseInput) { c.Summary = "a\x00b" }, "summary", core.ProblemNUL},
			{"claim author type", func(c *publicdiplomacy.CaseInput) { c.ClaimAuthor, c.ClaimAuthorType = "Someone", "robot" }, "claim_author_type", "err.pd_case_vocab"},
		} {
			in := w.vaccineCase()
			tc.edit(&in)
			if _, err := w.Svc.CreateCase(w.dewi, in); caseProblems(err)[tc.field] != tc.want {
				t.Errorf("%s: %s is %q, want %q (%v)", tc.name, tc.field, caseProblems(err)[tc.field], tc.want, err)
			}
		}
		var n int
		if err := w.DB.R().Get(context.Background(), &n, `SELECT COUNT(*) FROM pd_cases`); err != nil || n != 0 {
			t.Fatalf("%d cases written by refused input (%v)", n, err)
		}
	})
}

// TestCaseVisibility keeps drafts with their organisation: another
// organisation and the public find no such case until it is published.
func TestCaseVisibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newCaseWorld(t, e)
		anon := context.Background()
		c, err := w.Svc.CreateCase(w.dewi, w.vaccineCase())
		if err != nil {
			t.Fatal(err)
		}
		ids := func(ctx context.Context) []string {
			l, _, err := w.Svc.Cases(ctx, publicdiplomacy.CaseFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range l {
				out = append(out, c.ID)
			}
			return out
		}
		for step := range 2 {
			if step == 1 {
				if c, err = w.Svc.SubmitCase(w.dewi, c.ID, 0); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := w.Svc.Case(w.rina, c.ID); core.KindOf(err) != core.KindNotFound {
				t.Errorf("%s: another organisation sees it: %v", c.State, err)
			}
			if _, err := w.Svc.Case(anon, c.ID); core.KindOf(err) != core.KindNotFound {
				t.Errorf("%s: the public sees it: %v", c.State, err)
			}
			if _, err := w.Svc.EditCase(w.rina, c.ID, w.vaccineCase()); core.KindOf(err) != core.KindNotFound {
				t.Errorf("%s: another organisation edits it: %v", c.State, err)
			}
			if l := ids(w.rina); len(l) != 0 {
				t.Errorf("%s: another organisation lists %v", c.State, l)
			}
			if l, _, _ := w.Svc.PublishedCases(anon, publicdiplomacy.CaseFilter{}, 20, 20); len(l) != 0 {
				t.Errorf("%s: the public lists %d", c.State, len(l))
			}
			if l := ids(w.olga); len(l) != 0 {
				t.Errorf("%s: an observer, who may not read cases, lists %v", c.State, l)
			}
			if l := ids(w.dewi); !slices.Equal(l, []string{c.ID}) {
				t.Errorf("%s: its writer lists %v", c.State, l)
			}
		}
		if _, err := w.Svc.PublishCase(w.bima, c.ID, 0); err != nil {
			t.Fatal(err)
		}
		for who, ctx := range map[string]context.Context{"bssn": w.rina, "public": anon} {
			if got, err := w.Svc.Case(ctx, c.ID); err != nil || got.ID != c.ID {
				t.Errorf("%s does not see the published case: %v", who, err)
			}
		}
		if l := ids(w.rina); !slices.Equal(l, []string{c.ID}) {
			t.Errorf("another organisation lists %v", l)
		}
		if _, err := w.Svc.WithdrawCase(w.other("bssn", core.RoleOfficer), c.ID, 0, "not ours"); core.KindOf(err) != core.KindForbidden {
			t.Errorf("another organisation's officer withdrew it: %v", err)
		}
	})
}

// other is a person of another role in an organisation.
func (w caseWorld) other(org string, role core.Role) context.Context {
	return w.As("Other", org, role)
}

// TestCaseSearch filters the public database by words (any case, any
// script), country, language, keyword, verdict and organisation, and
// pages through it newest first without losing or repeating a case.
func TestCaseSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newCaseWorld(t, e)
		publish := func(in publicdiplomacy.CaseInput) string {
			c, err := w.Svc.CreateCase(w.dewi, in)
			if err == nil {
				c, err = w.Svc.SubmitCase(w.dewi, c.ID, 0)
			}
			if err == nil {
				c, err = w.Svc.PublishCase(w.bima, c.ID, 0)
			}
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		vax := publish(w.vaccineCase())
		dam := w.vaccineCase()
		dam.Title, dam.Claim, dam.Verdict = "Bendungan Jatiluhur akan jebol", "Bendungan Jatiluhur retak dan akan JEBOL minggu ini", "misleading"
		dam.Countries, dam.Keywords, dam.Language = []string{"ID", "MY"}, []string{"Infrastruktur"}, "id"
		dam.Appearances = []publicdiplomacy.Appearance{{URL: "https://video.example.org/v/1", Outlet: "Video Site", Language: "ms"}}
		damID := publish(dam)
		au := w.vaccineCase()
		au.Title, au.Claim, au.Verdict, au.Countries = "Canberra closed its embassy", "Australia closed its embassy in Jakarta", "unproven", []string{"AU", "ID"}
		au.Keywords = []string{"embassy"}
		auID := publish(au)
		draft := w.vaccineCase()
		draft.Title = "An unpublished dam claim"
		if _, err := w.Svc.CreateCase(w.dewi, draft); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			f    publicdiplomacy.CaseFilter
			want []string
		}{
			{publicdiplomacy.CaseFilter{}, []string{auID, damID, vax}},
			{publicdiplomacy.CaseFilter{Words: "JATILUHUR jebol"}, []string{damID}},
			{publicdiplomacy.CaseFilter{Words: "dam"}, nil},
			{publicdiplomacy.CaseFilter{Words: "tracking"}, []string{vax}},
			{publicdiplomacy.CaseFilter{Words: "video site"}, []string{damID}},
			{publicdiplomacy.CaseFilter{Words: "100%_"}, nil},
			{publicdiplomacy.CaseFilter{Country: "MY"}, []string{damID}},
			{publicdiplomacy.CaseFilter{Country: "ID"}, []string{auID, damID, vax}},
			{publicdiplomacy.CaseFilter{Language: "ms"}, []string{damID}},
			{publicdiplomacy.CaseFilter{Language: "en"}, []string{auID, vax}},
			{publicdiplomacy.CaseFilter{Keyword: "VACCINES"}, []string{vax}},
			{publicdiplomacy.CaseFilter{Keyword: "vacc"}, nil},
			{publicdiplomacy.CaseFilter{Verdict: "unproven"}, []string{auID}},
			{publicdiplomacy.CaseFilter{Org: "kemlu", Country: "AU"}, []string{auID}},
			{publicdiplomacy.CaseFilter{Org: "bssn"}, nil},
		} {
			l, _, err := w.Svc.PublishedCases(context.Background(), tc.f, 20, 20)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range l {
				got = append(got, c.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%+v: got %v, want %v", tc.f, got, tc.want)
			}
		}
		// Pages of one: the three published at one tick, in order.
		var got []string
		f := publicdiplomacy.CaseFilter{}
		for range 5 {
			f.Page.Limit = 1
			l, next, err := w.Svc.PublishedCases(context.Background(), f, 20, 20)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range l {
				got = append(got, c.ID)
			}
			if next == "" {
				break
			}
			f.Page.Cursor = next
		}
		if !slices.Equal(got, []string{auID, damID, vax}) {
			t.Errorf("paged: %v", got)
		}
	})
}
