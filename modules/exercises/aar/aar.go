package aar

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"entente.example/entente/modules/exercises/scenario"
	"entente.example/entente/modules/exercises/timeline"
)

// Run is what was recorded during one run of a scenario.
type Run struct {
	Scenario  scenario.Scenario
	Started   time.Time
	Ended     time.Time
	Sent      []Sent
	Responses []Response
	Scores    []Score
	Answers   []Answer
	Notes     []Note
}

// Sent records an inject going out to one organisation.
type Sent struct {
	Inject      string
	Org         string
	At          time.Time
	ScheduledAt time.Time
}

// ResponseKind is what an organisation did in answer to an inject.
type ResponseKind string

// The kinds of response: an acknowledgement, a reply, or a step taken
// (such as indicators shared).
const (
	KindAck   ResponseKind = "ack"
	KindReply ResponseKind = "reply"
	KindStep  ResponseKind = "step"
)

// Response records an organisation answering an inject.
type Response struct {
	Inject string
	Org    string
	Kind   ResponseKind
	At     time.Time
}

// Score is an evaluator's points for one organisation on one expectation.
type Score struct {
	Inject      string
	Expectation string
	Org         string
	Points      int
	Evaluator   string
	Note        string
}

// Answer is an organisation's answer to a question of the lessons-learned
// questionnaire, by the question's index in the scenario.
type Answer struct {
	Question int
	Org      string
	Text     string
}

// Note is an evaluator's observation during the run.
type Note struct {
	Evaluator string
	At        time.Time
	Text      string
}

// Seconds is a duration written in JSON as a number of seconds, the unit
// people read response times in.
type Seconds time.Duration

// Std returns s as a time.Duration.
func (s Seconds) Std() time.Duration { return time.Duration(s) }

// MarshalJSON writes s as seconds, with a fraction only when needed.
func (s Seconds) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, time.Duration(s).Seconds(), 'f', -1, 64), nil
}

// Report is the after-action report of one run.
type Report struct {
	ScenarioID    string            `json:"scenario_id"`
	Version       int               `json:"version"`
	Started       time.Time         `json:"started"`
	Ended         time.Time         `json:"ended"`
	Timeline      []Entry           `json:"timeline"`
	Overall       ResponseTime      `json:"overall"`
	ByOrg         []ResponseTime    `json:"by_org"`
	ByChannel     []ResponseTime    `json:"by_channel"`
	Pairs         []Pair            `json:"pairs"`
	Expectations  []ExpectationMet  `json:"expectations"`
	OrgTotals     []OrgTotal        `json:"org_totals"`
	Lateness      Lateness          `json:"lateness"`
	Questionnaire []QuestionAnswers `json:"questionnaire"`
	Notes         []NoteEntry       `json:"notes"`
}

// Entry is one line of the run's timeline: an inject sent to an
// organisation, or an organisation's response.
type Entry struct {
	At      time.Time        `json:"at"`
	Event   string           `json:"event"` // "sent" or "response"
	Inject  string           `json:"inject"`
	Channel scenario.Channel `json:"channel"`
	Org     string           `json:"org"`
	Kind    ResponseKind     `json:"kind,omitempty"`
}

// ResponseTime sums up how fast responses came, for one organisation, one
// channel, or the whole run (Key empty): Count injects answered, Missing
// never answered, and the median and 99th percentile of the answered ones
// (nearest rank, as timeline.Stats).
type ResponseTime struct {
	Key     string  `json:"key,omitempty"`
	Count   int     `json:"count"`
	Missing int     `json:"missing"`
	P50     Seconds `json:"p50_seconds"`
	P99     Seconds `json:"p99_seconds"`
}

// Pair is one inject sent to one organisation and what came of it.
type Pair struct {
	Inject  string           `json:"inject"`
	Channel scenario.Channel `json:"channel"`
	Org     string           `json:"org"`
	SentAt  time.Time        `json:"sent_at"`
	// FirstResponse is nil when the organisation never answered.
	FirstResponse *time.Time `json:"first_response,omitempty"`
	ResponseTime  *Seconds   `json:"response_seconds,omitempty"`
	Met           int        `json:"expectations_met"`
	Expected      int        `json:"expectations"`
	Points        int        `json:"points"`
	Possible      int        `json:"points_possible"`
}

// ExpectationMet is one expectation of the scenario across the
// organisations it applies to.
type ExpectationMet struct {
	Inject      string     `json:"inject"`
	Expectation string     `json:"expectation"`
	Within      Seconds    `json:"within_seconds"`
	Met         int        `json:"met"`
	Points      int        `json:"points"`
	Possible    int        `json:"points_possible"`
	Orgs        []OrgScore `json:"orgs"`
}

// OrgScore is one organisation's result on one expectation. Points are
// the evaluator's, kept between zero and the expectation's worth; when
// several scores name the same organisation and expectation, the last one
// recorded stands, as a correction.
type OrgScore struct {
	Org       string `json:"org"`
	Met       bool   `json:"met"`
	Points    int    `json:"points"`
	Evaluator string `json:"evaluator,omitempty"`
	Note      string `json:"note,omitempty"`
}

// OrgTotal is one organisation's expectations met and points over the run.
type OrgTotal struct {
	Org      string `json:"org"`
	Met      int    `json:"met"`
	Expected int    `json:"expected"`
	Points   int    `json:"points"`
	Possible int    `json:"points_possible"`
}

// Lateness sums up how late injects went out against their schedule.
type Lateness struct {
	Count int     `json:"count"`
	P50   Seconds `json:"p50_seconds"`
	P99   Seconds `json:"p99_seconds"`
}

// QuestionAnswers is one question of the questionnaire with its answers,
// by organisation.
type QuestionAnswers struct {
	Index    int           `json:"index"`
	Question scenario.Text `json:"question"`
	Answers  []AnswerEntry `json:"answers"`
}

// AnswerEntry is one organisation's answer.
type AnswerEntry struct {
	Org  string `json:"org"`
	Text string `json:"text"`
}

// NoteEntry is an evaluator's note.
type NoteEntry struct {
	Evaluator string    `json:"evaluator"`
	At        time.Time `json:"at"`
	Text      string    `json:"text"`
}

type pairKey struct{ inject, org string }

// Build computes the report of a run.
func Build(run Run) Report {
	s := run.Scenario
	order := map[string]int{} // inject key → place in the timeline
	injects := map[string]scenario.Inject{}
	for i, in := range s.Timeline() {
		order[in.Key] = i
		injects[in.Key] = in
	}
	r := Report{
		ScenarioID: s.ID, Version: s.Version,
		Started: run.Started.UTC(), Ended: run.Ended.UTC(),
		Timeline: []Entry{}, ByOrg: []ResponseTime{}, ByChannel: []ResponseTime{},
		Pairs: []Pair{}, Expectations: []ExpectationMet{}, OrgTotals: []OrgTotal{},
		Questionnaire: []QuestionAnswers{}, Notes: []NoteEntry{},
	}

	// The first send of each inject to each organisation counts; a resend
	// does not restart the clock of the expectations.
	sent := map[pairKey]Sent{}
	var lates []time.Duration
	for _, x := range run.Sent {
		in, ok := injects[x.Inject]
		if !ok {
			continue
		}
		r.Timeline = append(r.Timeline, Entry{At: x.At.UTC(), Event: "sent", Inject: x.Inject, Channel: in.Channel, Org: x.Org})
		k := pairKey{x.Inject, x.Org}
		if prev, ok := sent[k]; ok && !x.At.Before(prev.At) {
			continue
		}
		sent[k] = x
	}
	for _, x := range sent {
		lates = append(lates, timeline.Lateness(x.ScheduledAt, x.At))
	}
	p50, p99 := timeline.Stats(lates)
	r.Lateness = Lateness{Count: len(lates), P50: Seconds(p50), P99: Seconds(p99)}

	first := map[pairKey]time.Time{}
	for _, x := range run.Responses {
		in, ok := injects[x.Inject]
		if !ok {
			continue
		}
		r.Timeline = append(r.Timeline, Entry{At: x.At.UTC(), Event: "response", Inject: x.Inject, Channel: in.Channel, Org: x.Org, Kind: x.Kind})
		k := pairKey{x.Inject, x.Org}
		snt, ok := sent[k]
		if !ok || x.At.Before(snt.At) {
			continue // an answer to something never sent to it
		}
		if f, ok := first[k]; !ok || x.At.Before(f) {
			first[k] = x.At
		}
	}
	slices.SortFunc(r.Timeline, func(a, b Entry) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(b.Event, a.Event), // sent before response
			cmp.Compare(order[a.Inject], order[b.Inject]), cmp.Compare(a.Org, b.Org), cmp.Compare(a.Kind, b.Kind))
	})

	keys := make([]pairKey, 0, len(sent))
	for k := range sent {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b pairKey) int {
		return cmp.Or(cmp.Compare(a.org, b.org), cmp.Compare(order[a.inject], order[b.inject]))
	})
	responseTimes(&r, keys, sent, first, injects)
	expectations(&r, run, keys, sent, first, injects)
	questionnaire(&r, run)
	for _, n := range run.Notes {
		r.Notes = append(r.Notes, NoteEntry{Evaluator: n.Evaluator, At: n.At.UTC(), Text: n.Text})
	}
	slices.SortStableFunc(r.Notes, func(a, b NoteEntry) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Evaluator, b.Evaluator), cmp.Compare(a.Text, b.Text))
	})
	return r
}

func responseTimes(r *Report, keys []pairKey, sent map[pairKey]Sent, first map[pairKey]time.Time, injects map[string]scenario.Inject) {
	byOrg, byChannel := map[string][]time.Duration{}, map[string][]time.Duration{}
	missOrg, missChannel := map[string]int{}, map[string]int{}
	var all []time.Duration
	missing := 0
	for _, k := range keys {
		ch := string(injects[k.inject].Channel)
		listed(byOrg, k.org) // even with no answer
		listed(byChannel, ch)
		f, ok := first[k]
		if !ok {
			missOrg[k.org]++
			missChannel[ch]++
			missing++
			continue
		}
		d := f.Sub(sent[k].At)
		byOrg[k.org] = append(byOrg[k.org], d)
		byChannel[ch] = append(byChannel[ch], d)
		all = append(all, d)
	}
	r.Overall = summary("", all, missing)
	for _, org := range sortedKeys(byOrg) {
		r.ByOrg = append(r.ByOrg, summary(org, byOrg[org], missOrg[org]))
	}
	for _, ch := range sortedKeys(byChannel) {
		r.ByChannel = append(r.ByChannel, summary(ch, byChannel[ch], missChannel[ch]))
	}
}

func listed(m map[string][]time.Duration, key string) {
	if _, ok := m[key]; !ok {
		m[key] = nil
	}
}

func summary(key string, ds []time.Duration, missing int) ResponseTime {
	p50, p99 := timeline.Stats(ds)
	return ResponseTime{Key: key, Count: len(ds), Missing: missing, P50: Seconds(p50), P99: Seconds(p99)}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func questionnaire(r *Report, run Run) {
	for i, q := range run.Scenario.Questions {
		qa := QuestionAnswers{Index: i, Question: q, Answers: []AnswerEntry{}}
		for _, a := range run.Answers {
			if a.Question == i {
				qa.Answers = append(qa.Answers, AnswerEntry{Org: a.Org, Text: a.Text})
			}
		}
		slices.SortStableFunc(qa.Answers, func(a, b AnswerEntry) int {
			return cmp.Or(cmp.Compare(a.Org, b.Org), cmp.Compare(a.Text, b.Text))
		})
		r.Questionnaire = append(r.Questionnaire, qa)
	}
}
