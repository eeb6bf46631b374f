package scenario

import (
	"errors"
	"sort"
	"strconv"
	"time"
)

// Scenario is an exercise as written before it is run: who plays, what
// happens when, and what a good answer looks like.
type Scenario struct {
	ID         string   `json:"id"`
	Title      Text     `json:"title"`
	Summary    Text     `json:"summary"`
	Objectives []Text   `json:"objectives,omitempty"`
	Teams      []Team   `json:"teams"`
	Injects    []Inject `json:"injects"`
	// Questions is the lessons-learned questionnaire put to participants
	// after the run.
	Questions []Text `json:"questions,omitempty"`
	// Source says where a template comes from (a shipped template's name,
	// a node, a file), for the person who imports it.
	Source string `json:"source,omitempty"`
	// Version is the scenario's revision, a positive integer raised on each
	// change, so runs can be compared with the version they followed.
	Version int `json:"version"`
}

// Role is a team's part in an exercise. An evaluator is a role of its own,
// not an observer: evaluators score expectations and write notes, while
// observers only watch, and players must never see either's view.
type Role string

// The roles.
const (
	RoleController Role = "controller"
	RolePlayer     Role = "player"
	RoleObserver   Role = "observer"
	RoleEvaluator  Role = "evaluator"
)

// Roles lists every role.
var Roles = []Role{RoleController, RolePlayer, RoleObserver, RoleEvaluator}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Channel is how an inject reaches its audience: through the real module
// that carries such records, marked as an exercise.
type Channel string

// The channels.
const (
	ChannelMessage    Channel = "message"            // a correspondence message
	ChannelPing       Channel = "ping"               // a POC communication check
	ChannelPOCRequest Channel = "poc_request"        // a request for assistance in a POC network
	ChannelCybercrime Channel = "cybercrime_request" // a cybercrime cooperation request
	ChannelIntel      Channel = "intel"              // an indicator or report in threat intel
	ChannelMedia      Channel = "media"              // a news article or social post on the exercise media page
	ChannelManual     Channel = "manual"             // an action for the controller to take by hand
)

// Channels lists every channel.
var Channels = []Channel{ChannelMessage, ChannelPing, ChannelPOCRequest, ChannelCybercrime, ChannelIntel, ChannelMedia, ChannelManual}

// Valid reports whether c is one of Channels.
func (c Channel) Valid() bool {
	for _, x := range Channels {
		if c == x {
			return true
		}
	}
	return false
}

// Team is a group that plays one role. Its members are organisations, or
// placeholders cast when the exercise is set up.
type Team struct {
	Key     string   `json:"key"`
	Name    Text     `json:"name"`
	Role    Role     `json:"role"`
	Members []Member `json:"members,omitempty"`
}

// Member is one seat in a team: Org is an organisation's address
// (handle@host) or a placeholder key such as "players.cert", which a
// template uses because it cannot know who will play.
type Member struct {
	Org string `json:"org"`
}

// Placeholder reports whether the member is still to be cast.
func (m Member) Placeholder() bool { return validPlaceholder(m.Org) }

// Inject is one event of the timeline, sent at Offset after the start from
// team From to the teams To.
type Inject struct {
	Key          string        `json:"key"`
	Offset       Duration      `json:"offset"`
	Channel      Channel       `json:"channel"`
	From         string        `json:"from"`
	To           []string      `json:"to"`
	Title        Text          `json:"title"`
	Content      Text          `json:"content"`
	Expectations []Expectation `json:"expectations,omitempty"`
}

// Expectation is what a good response to an inject is: what Team should
// do, Within how long of the inject, and the Points it is worth.
type Expectation struct {
	Key    string   `json:"key"`
	What   Text     `json:"what"`
	Within Duration `json:"within"`
	Points int      `json:"points"`
	Team   string   `json:"team"`
}

// Timeline returns the injects in the order they go out: by offset, then
// key. Scenarios need not list them in order (an author adds an inject
// where it reads best), so whoever schedules them sorts.
func (s Scenario) Timeline() []Inject {
	out := append([]Inject(nil), s.Injects...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Offset != out[j].Offset {
			return out[i].Offset < out[j].Offset
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// Text is a text in several languages, by language code ("en", "id").
type Text map[string]string

// Languages are the codes a Text may hold. English is the fallback.
var Languages = []string{"en", "id"}

// In returns the text in lang, or in English when it has none in lang.
func (t Text) In(lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	return t["en"]
}

// Duration is a time span written in JSON as a whole number of seconds
// (5400 for an hour and a half): one unambiguous form that every language
// reads, where ISO 8601 durations have months and years of no fixed
// length. It holds whole seconds only, so it round-trips exactly.
type Duration time.Duration

// maxDurationSeconds bounds what JSON may hold before validation, so that
// the conversion to nanoseconds cannot overflow.
const maxDurationSeconds = 100 * 366 * 24 * 3600

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// MarshalJSON writes d as whole seconds.
func (d Duration) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, int64(time.Duration(d)/time.Second), 10), nil
}

var errDuration = errors.New("scenario: a duration is a whole number of seconds, at most 100 years")

// UnmarshalJSON reads whole seconds; fractions and exponents are refused.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || s > maxDurationSeconds || s < -maxDurationSeconds {
		return errDuration
	}
	*d = Duration(time.Duration(s) * time.Second)
	return nil
}
