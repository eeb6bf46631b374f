package aar

import (
	"time"

	"entente.example/entente/modules/exercises/scenario"
)

type scoreKey struct{ inject, expectation, org string }

// expectations fills the expectations, the per-pair figures and the
// organisations' totals.
func expectations(r *Report, run Run, keys []pairKey, sent map[pairKey]Sent, first map[pairKey]time.Time, injects map[string]scenario.Inject) {
	members := map[string]map[string]bool{} // team → orgs
	for _, t := range run.Scenario.Teams {
		members[t.Key] = map[string]bool{}
		for _, m := range t.Members {
			members[t.Key][m.Org] = true
		}
	}
	scores := map[scoreKey]Score{}
	for _, s := range run.Scores {
		scores[scoreKey{s.Inject, s.Expectation, s.Org}] = s // the last one stands
	}
	met := func(k pairKey, e scenario.Expectation) bool {
		f, ok := first[k]
		return ok && f.Sub(sent[k].At) <= e.Within.Std()
	}

	totals := map[string]*OrgTotal{}
	for _, k := range keys {
		in := injects[k.inject]
		p := Pair{Inject: k.inject, Channel: in.Channel, Org: k.org, SentAt: sent[k].At.UTC()}
		if f, ok := first[k]; ok {
			f = f.UTC()
			d := Seconds(f.Sub(sent[k].At))
			p.FirstResponse, p.ResponseTime = &f, &d
		}
		t := totals[k.org]
		if t == nil {
			t = &OrgTotal{Org: k.org}
			totals[k.org] = t
		}
		for _, e := range in.Expectations {
			if !members[e.Team][k.org] {
				continue
			}
			p.Expected++
			p.Possible += e.Points
			if met(k, e) {
				p.Met++
			}
			p.Points += scores[scoreKey{k.inject, e.Key, k.org}].clamp(e.Points)
		}
		t.Expected += p.Expected
		t.Met += p.Met
		t.Points += p.Points
		t.Possible += p.Possible
		r.Pairs = append(r.Pairs, p)
	}
	for _, org := range sortedKeys(totals) {
		r.OrgTotals = append(r.OrgTotals, *totals[org])
	}

	// Expectations in timeline order, organisations by address.
	byInject := map[string][]pairKey{}
	for _, k := range keys {
		byInject[k.inject] = append(byInject[k.inject], k)
	}
	for _, in := range run.Scenario.Timeline() {
		for _, e := range in.Expectations {
			em := ExpectationMet{Inject: in.Key, Expectation: e.Key, Within: Seconds(e.Within), Orgs: []OrgScore{}}
			for _, k := range byInject[in.Key] {
				if !members[e.Team][k.org] {
					continue
				}
				sc := scores[scoreKey{in.Key, e.Key, k.org}]
				os := OrgScore{Org: k.org, Met: met(k, e), Points: sc.clamp(e.Points), Evaluator: sc.Evaluator, Note: sc.Note}
				if os.Met {
					em.Met++
				}
				em.Points += os.Points
				em.Possible += e.Points
				em.Orgs = append(em.Orgs, os)
			}
			r.Expectations = append(r.Expectations, em)
		}
	}
}

// clamp keeps an evaluator's points between zero and what the expectation
// is worth, so a slip of the keyboard cannot outweigh the rest of the run.
func (s Score) clamp(worth int) int {
	return min(max(s.Points, 0), worth)
}
