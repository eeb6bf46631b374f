package aar

import (
	"reflect"
	"testing"
)

// secondRun is the first run again, but Thailand answers every inject
// quickly: in 60, 100, 200 and 300 s.
func secondRun(t *testing.T) Run {
	t.Helper()
	run := firstRun(t)
	run.Started = at(86400)
	run.Responses = append(run.Responses,
		Response{Inject: "comm-check", Org: orgTH, Kind: KindAck, At: at(60)},
		Response{Inject: "campaign-alert", Org: orgTH, Kind: KindAck, At: at(960 + 100)},
		Response{Inject: "indicators", Org: orgTH, Kind: KindReply, At: at(3720 + 200)},
		Response{Inject: "takedown", Org: orgTH, Kind: KindReply, At: at(5700 + 300)},
	)
	return run
}

func TestCompare(t *testing.T) {
	one, two := Build(firstRun(t)), Build(secondRun(t))
	got, err := Compare(one, two)
	if err != nil {
		t.Fatal(err)
	}
	f := func(run int, answered, median, met int) Figures {
		started := t0
		if run == 2 {
			started = at(86400)
		}
		x := Figures{Started: started, Played: true, Answered: answered, Median: secs(median), Met: met, Expected: 5}
		return x.withShare()
	}
	want := []Comparison{
		// Run 1: 300 600 1200 [2400] 3600 4000 7200; 7 of 15 met.
		// Run 2 adds 60 100 200 300: the 6th of 11 is 600; 12 of 15 met.
		{Runs: []Figures{
			{Started: t0, Played: true, Answered: 7, Median: secs(2400), Met: 7, Expected: 15, Share: 7.0 / 15},
			{Started: at(86400), Played: true, Answered: 11, Median: secs(600), Met: 12, Expected: 15, Share: 0.8},
		}},
		{Org: orgID, Runs: []Figures{f(1, 4, 600, 4), f(2, 4, 600, 4)}},
		{Org: orgMY, Runs: []Figures{f(1, 3, 2400, 3), f(2, 3, 2400, 3)}},
		{Org: orgTH, Runs: []Figures{f(1, 0, 0, 0), f(2, 4, 100, 5)}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Compare =\n%+v,\nwant\n%+v", got, want)
	}
	if got[3].Runs[1].Share != 1 || got[2].Runs[0].Share != 0.6 {
		t.Errorf("shares TH run 2 %v, MY run 1 %v", got[3].Runs[1].Share, got[2].Runs[0].Share)
	}
}

func TestCompareAbsentOrg(t *testing.T) {
	one := Build(firstRun(t))
	other := firstRun(t)
	other.Sent = other.Sent[:0]
	got, err := Compare(one, Build(other))
	if err != nil {
		t.Fatal(err)
	}
	if th := got[3].Runs[1]; th.Played || th.Expected != 0 || th.Share != 0 {
		t.Errorf("TH in a run that sent nothing = %+v", th)
	}
}

func TestCompareRefusesOtherScenario(t *testing.T) {
	one := Build(firstRun(t))
	other := one
	other.ScenarioID = "hospital-ransomware"
	if _, err := Compare(one, other); err == nil {
		t.Error("Compare of two scenarios: no error")
	}
	if got, err := Compare(); err != nil || len(got) != 1 || len(got[0].Runs) != 0 {
		t.Errorf("Compare() = %+v, %v", got, err)
	}
}
