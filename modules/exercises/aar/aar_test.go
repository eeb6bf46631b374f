package aar

import (
	"reflect"
	"testing"
	"time"

	"entente.example/entente/modules/exercises/scenario"
)

const (
	orgID = "cert@id.example"
	orgMY = "cert@my.example"
	orgTH = "cert@th.example" // never answers
	judge = "eval@panel.example"
)

var t0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

func secs(n int) Seconds { return Seconds(time.Duration(n) * time.Second) }

// drill returns the shipped CERT drill cast with three national CERTs.
func drill(t *testing.T) scenario.Scenario {
	t.Helper()
	for _, s := range scenario.Templates() {
		if s.ID == "asean-cert-drill" {
			for i := range s.Teams {
				if s.Teams[i].Key == "certs" {
					s.Teams[i].Members = []scenario.Member{{Org: orgTH}, {Org: orgID}, {Org: orgMY}}
				}
			}
			return s
		}
	}
	t.Fatal("no asean-cert-drill template")
	return scenario.Scenario{}
}

// sendLate is how late each inject went out, in seconds; the scheduled
// times are the template's offsets from t0 (0, 900, 3600, 5400).
var sendLate = map[string]int{"comm-check": 0, "campaign-alert": 60, "indicators": 120, "takedown": 300}

func firstRun(t *testing.T) Run {
	t.Helper()
	s := drill(t)
	run := Run{Scenario: s, Started: t0, Ended: at(14400)}
	for _, in := range s.Injects {
		late, ok := sendLate[in.Key]
		if !ok {
			continue // the manual closing inject goes to no player
		}
		for _, org := range []string{orgTH, orgMY, orgID} {
			off := int(in.Offset.Std() / time.Second)
			run.Sent = append(run.Sent, Sent{Inject: in.Key, Org: org, At: at(off + late), ScheduledAt: at(off)})
		}
	}
	// A resend to the silent CERT does not restart its clock.
	run.Sent = append(run.Sent, Sent{Inject: "comm-check", Org: orgTH, At: at(1800), ScheduledAt: at(0)})
	// Sent at: comm-check 0, campaign-alert 960, indicators 3720, takedown 5700.
	run.Responses = []Response{
		{Inject: "takedown", Org: orgMY, Kind: KindReply, At: at(5700 + 7200)}, // exactly on time
		{Inject: "comm-check", Org: orgID, Kind: KindAck, At: at(300)},
		{Inject: "campaign-alert", Org: orgID, Kind: KindStep, At: at(960 + 5000)},
		{Inject: "campaign-alert", Org: orgID, Kind: KindAck, At: at(960 + 600)},
		{Inject: "indicators", Org: orgID, Kind: KindReply, At: at(3720 + 4000)}, // late
		{Inject: "takedown", Org: orgID, Kind: KindReply, At: at(5700 + 3600)},
		{Inject: "comm-check", Org: orgMY, Kind: KindAck, At: at(1200)},
		{Inject: "campaign-alert", Org: orgMY, Kind: KindReply, At: at(960 + 2400)},
		{Inject: "ghost", Org: orgMY, Kind: KindReply, At: at(100)}, // not in the scenario
	}
	sc := func(in, e, org string, p int) Score {
		return Score{Inject: in, Expectation: e, Org: org, Points: p, Evaluator: judge}
	}
	run.Scores = []Score{
		sc("comm-check", "ack", orgID, 10), sc("comm-check", "ack", orgMY, 10),
		sc("campaign-alert", "ack", orgID, 20), sc("campaign-alert", "ack", orgMY, 5),
		sc("campaign-alert", "share", orgID, 30), sc("campaign-alert", "share", orgMY, 25),
		sc("campaign-alert", "share", orgMY, 30), // a correction: the last stands
		sc("indicators", "sightings", orgID, 15),
		sc("takedown", "coordinate", orgID, 30),
		sc("takedown", "coordinate", orgMY, 40), // above the worth of 30
		sc("takedown", "coordinate", orgTH, -5), // below zero
	}
	run.Scores[0].Note = "quick"
	run.Answers = []Answer{
		{Question: 0, Org: orgTH, Text: "It went to a shared box nobody read."},
		{Question: 0, Org: orgID, Text: "Yes, within minutes."},
		{Question: 2, Org: orgMY, Text: "Name a deputy."},
	}
	run.Notes = []Note{
		{Evaluator: judge, At: at(7000), Text: "TH silent all along."},
		{Evaluator: "b@panel.example", At: at(400), Text: "ID acknowledged first."},
	}
	return run
}

func TestBuildFigures(t *testing.T) {
	r := Build(firstRun(t))

	if r.ScenarioID != "asean-cert-drill" || r.Version != 1 || !r.Started.Equal(t0) || !r.Ended.Equal(at(14400)) {
		t.Errorf("header = %q v%d %v–%v", r.ScenarioID, r.Version, r.Started, r.Ended)
	}
	// Twelve first sends late by 0, 60, 120 and 300 s, three of each: the
	// median is the 6th (60 s), the 99th percentile the 12th (300 s).
	if want := (Lateness{Count: 12, P50: secs(60), P99: secs(300)}); r.Lateness != want {
		t.Errorf("Lateness = %+v, want %+v", r.Lateness, want)
	}
	// ID answered in 300, 600, 4000, 3600 s; MY in 1200, 2400, 7200 s and
	// not at all to the indicators; TH never.
	wantOrg := []ResponseTime{
		{Key: orgID, Count: 4, P50: secs(600), P99: secs(4000)},
		{Key: orgMY, Count: 3, Missing: 1, P50: secs(2400), P99: secs(7200)},
		{Key: orgTH, Missing: 4},
	}
	if !reflect.DeepEqual(r.ByOrg, wantOrg) {
		t.Errorf("ByOrg = %+v,\nwant %+v", r.ByOrg, wantOrg)
	}
	wantChannel := []ResponseTime{
		{Key: "intel", Count: 1, Missing: 2, P50: secs(4000), P99: secs(4000)},
		{Key: "message", Count: 4, Missing: 2, P50: secs(2400), P99: secs(7200)},
		{Key: "ping", Count: 2, Missing: 1, P50: secs(300), P99: secs(1200)},
	}
	if !reflect.DeepEqual(r.ByChannel, wantChannel) {
		t.Errorf("ByChannel = %+v,\nwant %+v", r.ByChannel, wantChannel)
	}
	// 300 600 1200 2400 3600 4000 7200: the 4th is the median.
	if want := (ResponseTime{Count: 7, Missing: 5, P50: secs(2400), P99: secs(7200)}); r.Overall != want {
		t.Errorf("Overall = %+v, want %+v", r.Overall, want)
	}

	type exp struct {
		key                   string
		met, points, possible int
		orgs                  []OrgScore
	}
	os := func(org string, met bool, p int) OrgScore {
		return OrgScore{Org: org, Met: met, Points: p, Evaluator: judge}
	}
	wantExp := []exp{
		{"comm-check/ack", 2, 20, 30, []OrgScore{{Org: orgID, Met: true, Points: 10, Evaluator: judge, Note: "quick"}, os(orgMY, true, 10), {Org: orgTH}}},
		{"campaign-alert/ack", 1, 25, 60, []OrgScore{os(orgID, true, 20), os(orgMY, false, 5), {Org: orgTH}}},
		// ID's first response (the acknowledgement) counts for sharing too.
		{"campaign-alert/share", 2, 60, 90, []OrgScore{os(orgID, true, 30), os(orgMY, true, 30), {Org: orgTH}}},
		{"indicators/sightings", 0, 15, 60, []OrgScore{os(orgID, false, 15), {Org: orgMY}, {Org: orgTH}}},
		{"takedown/coordinate", 2, 60, 90, []OrgScore{os(orgID, true, 30), os(orgMY, true, 30), os(orgTH, false, 0)}},
	}
	if len(r.Expectations) != len(wantExp) {
		t.Fatalf("%d expectations, want %d", len(r.Expectations), len(wantExp))
	}
	for i, w := range wantExp {
		g := r.Expectations[i]
		if got := g.Inject + "/" + g.Expectation; got != w.key || g.Met != w.met || g.Points != w.points || g.Possible != w.possible || !reflect.DeepEqual(g.Orgs, w.orgs) {
			t.Errorf("expectation %d = %s met %d points %d/%d %+v,\nwant %s met %d points %d/%d %+v",
				i, got, g.Met, g.Points, g.Possible, g.Orgs, w.key, w.met, w.points, w.possible, w.orgs)
		}
	}
	wantTotals := []OrgTotal{
		{Org: orgID, Met: 4, Expected: 5, Points: 105, Possible: 110},
		{Org: orgMY, Met: 3, Expected: 5, Points: 75, Possible: 110},
		{Org: orgTH, Met: 0, Expected: 5, Points: 0, Possible: 110},
	}
	if !reflect.DeepEqual(r.OrgTotals, wantTotals) {
		t.Errorf("OrgTotals = %+v,\nwant %+v", r.OrgTotals, wantTotals)
	}

	if len(r.Pairs) != 12 {
		t.Fatalf("%d pairs, want 12", len(r.Pairs))
	}
	p := r.Pairs[2] // ID, indicators
	if p.Org != orgID || p.Inject != "indicators" || !p.SentAt.Equal(at(3720)) || !p.FirstResponse.Equal(at(7720)) ||
		*p.ResponseTime != secs(4000) || p.Met != 0 || p.Expected != 1 || p.Points != 15 || p.Possible != 20 {
		t.Errorf("pair 2 = %+v", p)
	}
	if p := r.Pairs[8]; p.Org != orgTH || p.Inject != "comm-check" || !p.SentAt.Equal(at(0)) || p.FirstResponse != nil || p.ResponseTime != nil {
		t.Errorf("pair 8 = %+v, want TH's first comm-check with no response", p)
	}

	// 13 sends (one a resend) and 8 responses; the ghost inject is left out.
	if len(r.Timeline) != 21 {
		t.Fatalf("timeline has %d entries, want 21", len(r.Timeline))
	}
	first := r.Timeline[:4]
	wantFirst := []Entry{
		{At: at(0), Event: "sent", Inject: "comm-check", Channel: "ping", Org: orgID},
		{At: at(0), Event: "sent", Inject: "comm-check", Channel: "ping", Org: orgMY},
		{At: at(0), Event: "sent", Inject: "comm-check", Channel: "ping", Org: orgTH},
		{At: at(300), Event: "response", Inject: "comm-check", Channel: "ping", Org: orgID, Kind: KindAck},
	}
	if !reflect.DeepEqual(first, wantFirst) {
		t.Errorf("timeline starts %+v,\nwant %+v", first, wantFirst)
	}
	for i := 1; i < len(r.Timeline); i++ {
		if r.Timeline[i].At.Before(r.Timeline[i-1].At) {
			t.Errorf("timeline out of order at %d", i)
		}
	}

	if len(r.Questionnaire) != 3 || len(r.Questionnaire[0].Answers) != 2 || r.Questionnaire[0].Answers[0].Org != orgID ||
		len(r.Questionnaire[1].Answers) != 0 || r.Questionnaire[2].Answers[0].Text != "Name a deputy." {
		t.Errorf("Questionnaire = %+v", r.Questionnaire)
	}
	if len(r.Notes) != 2 || r.Notes[0].Evaluator != "b@panel.example" || !r.Notes[1].At.Equal(at(7000)) {
		t.Errorf("Notes = %+v", r.Notes)
	}
}

// TestBuildDeterministic: the order records arrive in changes nothing.
func TestBuildDeterministic(t *testing.T) {
	run := firstRun(t)
	want := Build(run)
	rev := run
	rev.Sent = reversed(run.Sent)
	rev.Responses = reversed(run.Responses)
	rev.Answers = reversed(run.Answers)
	rev.Notes = reversed(run.Notes)
	if got := Build(rev); !reflect.DeepEqual(got, want) {
		t.Errorf("Build differs when the records come in reverse")
	}
}

func reversed[T any](s []T) []T {
	out := make([]T, len(s))
	for i, x := range s {
		out[len(s)-1-i] = x
	}
	return out
}

func TestBuildEmpty(t *testing.T) {
	r := Build(Run{Scenario: drill(t)})
	if len(r.Pairs) != 0 || len(r.Expectations) != 5 || r.Overall != (ResponseTime{}) || r.Lateness != (Lateness{}) {
		t.Errorf("empty run = %+v", r)
	}
	for _, e := range r.Expectations {
		if len(e.Orgs) != 0 || e.Possible != 0 {
			t.Errorf("expectation %s of an empty run = %+v", e.Inject+"/"+e.Expectation, e)
		}
	}
}
