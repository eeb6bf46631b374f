package capacity_test

import (
	"fmt"
	"reflect"
	"testing"

	"entente.example/entente/modules/capacity"
)

// TestMatchRanksWithReasons ranks a table of offers against Timor-Leste's
// need for a national CSIRT and checks each ranking and every reason.
func TestMatchRanksWithReasons(t *testing.T) {
	need := capacity.Need{ID: "n1", Owner: "mtci-tl@node.test", Title: "A national CSIRT", Topics: []string{"csirt", "incident-response"},
		Country: "TL", Languages: []string{"en", "pt", "tet"}, From: "2027-01-01", To: "2027-12-31"}
	if p := need.Validate(); len(p) > 0 {
		t.Fatal(p)
	}
	offer := func(id, owner string, f func(*capacity.Offer)) capacity.Offer {
		o := capacity.Offer{ID: id, Owner: owner, Title: id}
		f(&o)
		if p := o.Validate(); len(p) > 0 {
			t.Fatalf("offer %s: %v", id, p)
		}
		return o
	}
	dfat := offer("a-dfat", "dfat-au@node.test", func(o *capacity.Offer) {
		o.Topics, o.Regions, o.Languages, o.From, o.To = []string{"csirt", "incident-response"}, []string{"southeast-asia", "pacific"}, []string{"en"}, "2026-07-01", "2028-06-30"
	})
	japan := offer("b-jp", "mofa-jp@peer.test", func(o *capacity.Offer) {
		o.Topics, o.Countries, o.Languages, o.From, o.To = []string{"csirt", "exercises"}, []string{"TL", "ID"}, []string{"ja", "en"}, "2027-04-01", "2028-03-31"
	})
	anyA := offer("d0", "itu@node.test", func(o *capacity.Offer) { o.Topics = []string{"critical-infrastructure"} })
	anyB := offer("d1", "oas@node.test", func(o *capacity.Offer) { o.Topics = []string{"critical-infrastructure"} })
	crime := offer("c-crime", "unodc@node.test", func(o *capacity.Offer) { o.Themes = []string{"cybercrime"} })
	africa := offer("e-africa", "au@node.test", func(o *capacity.Offer) { o.Topics, o.Regions = []string{"csirt"}, []string{"africa"} })
	past := offer("f-past", "gfce@node.test", func(o *capacity.Offer) { o.Topics, o.To = []string{"csirt"}, "2026-12-31" })
	history := capacity.PastWork([]capacity.Project{
		{Owner: "dfat-au@node.test", Themes: []string{"incident-cip"}, Countries: []string{"TL", "FJ"}, Status: capacity.Completed},
		{Owner: "cert-au@node.test", Funders: []string{"dfat-au@node.test"}, Themes: []string{"incident-cip", "culture-skills"}, Countries: []string{"PG"}, Status: capacity.Ongoing},
		{Owner: "mofa-jp@peer.test", Themes: []string{"incident-cip"}, Countries: []string{"TL"}, Status: capacity.Cancelled},
	})
	type want struct {
		id      string
		score   int
		reasons []capacity.Reason
	}
	cases := []struct {
		name   string
		offers []capacity.Offer
		limit  int
		want   []want
	}{
		{"the table", []capacity.Offer{anyB, crime, japan, africa, anyA, past, dfat}, 0, []want{
			{"a-dfat", 90, []capacity.Reason{{Code: "topics", Points: 40, Items: []string{"csirt", "incident-response"}, N: 2},
				{Code: "region", Points: 15, Items: []string{"southeast-asia"}}, {Code: "language", Points: 10, Items: []string{"en"}},
				{Code: "timing", Points: 10, N: 365}, {Code: "past_theme", Points: 10, Items: []string{"incident-cip"}, N: 2},
				{Code: "past_country", Points: 5, Items: []string{"TL"}, N: 1}}},
			{"b-jp", 62, []capacity.Reason{{Code: "topics", Points: 20, Items: []string{"csirt"}, N: 2},
				{Code: "country", Points: 25, Items: []string{"TL"}}, {Code: "language", Points: 10, Items: []string{"en"}},
				{Code: "timing", Points: 7, N: 275}}},
			{"d0", 30, []capacity.Reason{{Code: "theme", Points: 15, Items: []string{"incident-cip"}}, {Code: "anywhere", Points: 5}, {Code: "timing", Points: 10, N: 365}}},
			{"d1", 30, []capacity.Reason{{Code: "theme", Points: 15, Items: []string{"incident-cip"}}, {Code: "anywhere", Points: 5}, {Code: "timing", Points: 10, N: 365}}},
		}},
		{"a limit keeps the best", []capacity.Offer{anyA, japan, dfat}, 2, []want{{"a-dfat", 90, nil}, {"b-jp", 62, nil}}},
		{"nothing in common", []capacity.Offer{crime, africa, past}, 0, nil},
		{"no offers", nil, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The same input in reverse order ranks the same: the ranking
			// does not depend on the order offers arrive in.
			rev := make([]capacity.Offer, len(c.offers))
			for i, o := range c.offers {
				rev[len(rev)-1-i] = o
			}
			for _, offers := range [][]capacity.Offer{c.offers, rev} {
				got := capacity.NewMatcher(offers, history).Match(need, c.limit)
				var gotW []want
				for _, s := range got {
					w := want{s.Offer.ID, s.Score, s.Reasons}
					gotW = append(gotW, w)
				}
				for i := range c.want {
					if c.want[i].reasons == nil && i < len(gotW) {
						gotW[i].reasons = nil
					}
				}
				if !reflect.DeepEqual(gotW, c.want) {
					t.Errorf("ranking:\n got %s\nwant %s", fmt.Sprintf("%+v", gotW), fmt.Sprintf("%+v", c.want))
				}
				for _, s := range got {
					sum := 0
					for _, r := range s.Reasons {
						sum += r.Points
					}
					if sum != s.Score {
						t.Errorf("%s: reasons add up to %d, score %d", s.Offer.ID, sum, s.Score)
					}
				}
			}
		})
	}
}
