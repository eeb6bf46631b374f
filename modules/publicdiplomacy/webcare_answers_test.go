package publicdiplomacy_test

import (
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// TestSavedAnswers saves, lists, changes and deletes an organisation's
// saved answers: bad input names each field, a member only reads, and
// another organisation neither sees nor changes them.
func TestSavedAnswers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
		n.Org(t, "dfat", core.OrgStateMinistry, "AU", "DFAT")
		sari, yusuf, penny := n.As("Sari", "kemlu", core.RoleAnalyst), n.As("Yusuf", "kemlu", core.RoleMember), n.As("Penny", "dfat", core.RoleOfficer)

		for _, c := range []struct {
			in   publicdiplomacy.SavedAnswerInput
			want map[string]string
		}{
			{publicdiplomacy.SavedAnswerInput{Org: "kemlu", Language: "en"}, map[string]string{"title": "err.required", "body": "err.required"}},
			{publicdiplomacy.SavedAnswerInput{Org: "kemlu", Language: "xx", Title: "Visa", Body: "See the consulate."}, map[string]string{"language": "err.pd_language"}},
			{publicdiplomacy.SavedAnswerInput{Org: "dfat", Language: "en", Title: "Visa", Body: "See the consulate."}, map[string]string{"org": "err.org_unknown"}},
			{publicdiplomacy.SavedAnswerInput{Org: "kemlu", Language: "en", Title: strings.Repeat("t", 101), Body: strings.Repeat("b", 401)},
				map[string]string{"title": "err.too_long", "body": "err.pd_answer_too_long"}},
			{publicdiplomacy.SavedAnswerInput{Org: "kemlu", Language: "en", Title: "Visa", Body: "bad\x00byte"}, map[string]string{"body": core.ProblemNUL}},
		} {
			_, err := n.Svc.CreateSavedAnswer(sari, c.in)
			got := wcProblems(err)
			for f, k := range c.want {
				if got[f] != k {
					t.Errorf("%+v: field %s: %q, want %q (%v)", c.in, f, got[f], k, err)
				}
			}
			if len(got) != len(c.want) {
				t.Errorf("%+v: problems %v, want %v", c.in, got, c.want)
			}
		}
		if _, err := n.Svc.CreateSavedAnswer(yusuf, publicdiplomacy.SavedAnswerInput{Org: "kemlu", Language: "en", Title: "Visa", Body: "See the consulate."}); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("a member saved an answer: %v", err)
		}

		visa, err := n.Svc.CreateSavedAnswer(sari, publicdiplomacy.SavedAnswerInput{Org: "kemlu", Language: "en", Title: "  Visa  ", Body: " Visa questions go to the consulate. "})
		if err != nil {
			t.Fatal(err)
		}
		if visa.Title != "Visa" || visa.Body != "Visa questions go to the consulate." || visa.Org != "kemlu" || visa.Language != "en" {
			t.Fatalf("saved %+v", visa)
		}
		jam, err := n.Svc.CreateSavedAnswer(sari, publicdiplomacy.SavedAnswerInput{Language: "id", Title: "Jam layanan", Body: "Layanan buka pukul 09.00–15.00 WIB."})
		if err != nil {
			t.Fatalf("the one organisation is the default: %v", err)
		}
		if _, err := n.Svc.CreateSavedAnswer(penny, publicdiplomacy.SavedAnswerInput{Org: "dfat", Language: "en", Title: "Hours", Body: "Nine to five."}); err != nil {
			t.Fatal(err)
		}

		titles := func(l []publicdiplomacy.SavedAnswer, err error) string {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, a := range l {
				s = append(s, a.Title)
			}
			return strings.Join(s, ", ")
		}
		if got := titles(n.Svc.SavedAnswers(yusuf, "", "")); got != "Visa, Jam layanan" {
			t.Errorf("kemlu's answers: %s", got)
		}
		if got := titles(n.Svc.SavedAnswers(yusuf, visa.OrgID, "id")); got != "Jam layanan" {
			t.Errorf("kemlu's answers in Indonesian: %s", got)
		}
		if got := titles(n.Svc.SavedAnswers(penny, visa.OrgID, "")); got != "" {
			t.Errorf("dfat reads kemlu's answers: %s", got)
		}
		if _, err := n.Svc.SavedAnswer(penny, visa.ID); core.KindOf(err) != core.KindNotFound {
			t.Errorf("dfat opened kemlu's answer: %v", err)
		}

		if _, err := n.Svc.UpdateSavedAnswer(sari, visa.ID, publicdiplomacy.SavedAnswerInput{Language: "en", Title: "", Body: "x"}); wcProblems(err)["title"] != "err.required" {
			t.Errorf("an empty title: %v", err)
		}
		if _, err := n.Svc.UpdateSavedAnswer(penny, visa.ID, publicdiplomacy.SavedAnswerInput{Language: "en", Title: "Mine", Body: "x"}); core.KindOf(err) != core.KindNotFound {
			t.Errorf("dfat changed kemlu's answer: %v", err)
		}
		up, err := n.Svc.UpdateSavedAnswer(sari, visa.ID, publicdiplomacy.SavedAnswerInput{Language: "id", Title: "Visa", Body: "Pertanyaan visa ke konsulat."})
		if err != nil || up.Language != "id" || up.Body != "Pertanyaan visa ke konsulat." || up.Org != "kemlu" {
			t.Fatalf("changed %+v (%v)", up, err)
		}
		if got := titles(n.Svc.SavedAnswers(sari, visa.OrgID, "id")); got != "Jam layanan, Visa" {
			t.Errorf("after the change: %s", got)
		}
		if err := n.Svc.DeleteSavedAnswer(yusuf, jam.ID); core.KindOf(err) != core.KindForbidden {
			t.Errorf("a member deleted an answer: %v", err)
		}
		if err := n.Svc.DeleteSavedAnswer(sari, jam.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := n.Svc.SavedAnswer(sari, jam.ID); core.KindOf(err) != core.KindNotFound {
			t.Errorf("a deleted answer is still there: %v", err)
		}
	})
}
