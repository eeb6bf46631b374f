package capacity_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/modules/capacity"
)

// FuzzValidate feeds bytes from outside (a JSON API body) to the
// validation of needs, offers and projects: it must not panic, must refuse
// bytes the store would refuse (NUL, invalid UTF-8) by field, and
// validating what it accepted again must change nothing.
func FuzzValidate(f *testing.F) {
	f.Add(`{"title":"A national CSIRT","topics":["csirt"],"country":"tl","languages":["EN"],"from":"2027-01-01","to":"2027-12-31"}`)
	f.Add(`{"title":"x","themes":["policy"],"countries":["ID","id"],"regions":["pacific"],"budget":5,"currency":"usd","status":"ongoing","visibility":"shared","shared_with":["a@b"]}`)
	f.Add(`{"title":"\u0000","topics":["csirt","nope"],"budget_min":9,"budget_max":1}`)
	f.Fuzz(func(t *testing.T, body string) {
		var n capacity.Need
		var o capacity.Offer
		var p capacity.Project
		if json.Unmarshal([]byte(body), &n) != nil || json.Unmarshal([]byte(body), &o) != nil || json.Unmarshal([]byte(body), &p) != nil {
			return
		}
		for _, c := range []struct {
			v     func() core.Problems
			texts func() []string
			copy  func() any
		}{
			{n.Validate, func() []string { return append([]string{n.Title, n.Description}, n.SharedWith...) }, func() any { return n }},
			{o.Validate, func() []string { return append([]string{o.Title, o.Description}, o.SharedWith...) }, func() any { return o }},
			{p.Validate, func() []string { return append([]string{p.Title, p.Summary, p.Contact}, p.Funders...) }, func() any { return p }},
		} {
			if len(c.v()) > 0 {
				continue
			}
			for _, s := range c.texts() {
				if core.CheckText(s) != "" {
					t.Fatalf("accepted text the store refuses: %q", s)
				}
			}
			before := c.copy()
			if pr := c.v(); len(pr) > 0 || !reflect.DeepEqual(before, c.copy()) {
				t.Fatalf("validating again changed it or refused it: %v\n%+v\n%+v", pr, before, c.copy())
			}
		}
	})
}
