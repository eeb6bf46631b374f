package scenario

import (
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
)

// valid returns a small valid scenario for tests to break one field at a time.
func valid() Scenario {
	return Scenario{
		ID:      "drill",
		Title:   Text{"en": "Drill", "id": "Latihan"},
		Summary: Text{"en": "A drill."},
		Teams: []Team{
			{Key: "control", Name: Text{"en": "Control"}, Role: RoleController, Members: []Member{{Org: "control.lead"}}},
			{Key: "certs", Name: Text{"en": "CERTs"}, Role: RolePlayer, Members: []Member{{Org: "cert-a@node1.example"}, {Org: "players.cert"}}},
		},
		Injects: []Inject{{
			Key: "ping", Offset: Duration(time.Minute), Channel: ChannelPing, From: "control", To: []string{"certs"},
			Title: Text{"en": "Ping"}, Content: Text{"en": "Please acknowledge."},
			Expectations: []Expectation{{Key: "ack", What: Text{"en": "Acknowledge"}, Within: Duration(30 * time.Minute), Points: 10, Team: "certs"}},
		}},
		Version: 1,
	}
}

func TestValidateAcceptsValid(t *testing.T) {
	if p := valid().Validate(); p != nil {
		t.Fatalf("Validate() = %v, want nil", p)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *Scenario)
		path   string
		key    string
	}{
		{"id missing", func(s *Scenario) { s.ID = "" }, "id", ProblemRequired},
		{"id malformed", func(s *Scenario) { s.ID = "Drill One" }, "id", ProblemKey},
		{"id nul", func(s *Scenario) { s.ID = "a\x00" }, "id", core.ProblemNUL},
		{"title missing", func(s *Scenario) { s.Title = nil }, "title.en", ProblemRequired},
		{"title only indonesian", func(s *Scenario) { s.Title = Text{"id": "Latihan"} }, "title.en", ProblemRequired},
		{"title unknown language", func(s *Scenario) { s.Title["fr"] = "Exercice" }, "title", ProblemLanguage},
		{"title too long", func(s *Scenario) { s.Title["id"] = strings.Repeat("é", maxTitle+1) }, "title.id", ProblemTooLong},
		{"title bad utf-8", func(s *Scenario) { s.Title["en"] = "\xff" }, "title.en", core.ProblemUTF8},
		{"summary missing", func(s *Scenario) { s.Summary = Text{"en": "  "} }, "summary.en", ProblemRequired},
		{"objective empty", func(s *Scenario) { s.Objectives = []Text{{}} }, "objectives[0].en", ProblemRequired},
		{"too many questions", func(s *Scenario) { s.Questions = make([]Text, MaxQuestions+1) }, "questions", ProblemTooMany},
		{"source nul", func(s *Scenario) { s.Source = "x\x00" }, "source", core.ProblemNUL},
		{"version zero", func(s *Scenario) { s.Version = 0 }, "version", ProblemVersion},
		{"no teams", func(s *Scenario) { s.Teams = nil; s.Injects = nil }, "teams", ProblemRequired},
		{"too many teams", func(s *Scenario) { s.Teams = make([]Team, MaxTeams+1) }, "teams", ProblemTooMany},
		{"team key twice", func(s *Scenario) { s.Teams[1].Key = "control" }, "teams[1].key", ProblemDuplicate},
		{"team role unknown", func(s *Scenario) { s.Teams[0].Role = "umpire" }, "teams[0].role", ProblemRole},
		{"team name missing", func(s *Scenario) { s.Teams[1].Name = nil }, "teams[1].name.en", ProblemRequired},
		{"member malformed", func(s *Scenario) { s.Teams[1].Members[0].Org = "CERT A@node1" }, "teams[1].members[0].org", ProblemMember},
		{"member empty", func(s *Scenario) { s.Teams[1].Members[1].Org = "" }, "teams[1].members[1].org", ProblemRequired},
		{"member twice", func(s *Scenario) { s.Teams[1].Members[1].Org = "cert-a@node1.example" }, "teams[1].members[1].org", ProblemDuplicate},
		{"too many injects", func(s *Scenario) { s.Injects = make([]Inject, MaxInjects+1) }, "injects", ProblemTooMany},
		{"inject key missing", func(s *Scenario) { s.Injects[0].Key = "" }, "injects[0].key", ProblemRequired},
		{"inject key twice", func(s *Scenario) { s.Injects = append(s.Injects, s.Injects[0]) }, "injects[1].key", ProblemDuplicate},
		{"offset negative", func(s *Scenario) { s.Injects[0].Offset = Duration(-time.Second) }, "injects[0].offset", ProblemOffset},
		{"offset past 14 days", func(s *Scenario) { s.Injects[0].Offset = Duration(MaxOffset + time.Second) }, "injects[0].offset", ProblemOffset},
		{"offset not whole seconds", func(s *Scenario) { s.Injects[0].Offset = Duration(time.Millisecond) }, "injects[0].offset", ProblemOffset},
		{"channel unknown", func(s *Scenario) { s.Injects[0].Channel = "fax" }, "injects[0].channel", ProblemChannel},
		{"from missing", func(s *Scenario) { s.Injects[0].From = "" }, "injects[0].from", ProblemRequired},
		{"from unknown team", func(s *Scenario) { s.Injects[0].From = "press" }, "injects[0].from", ProblemTeam},
		{"to empty", func(s *Scenario) { s.Injects[0].To = nil }, "injects[0].to", ProblemRequired},
		{"to unknown team", func(s *Scenario) { s.Injects[0].To = []string{"certs", "press"} }, "injects[0].to[1]", ProblemTeam},
		{"to twice", func(s *Scenario) { s.Injects[0].To = []string{"certs", "certs"} }, "injects[0].to[1]", ProblemDuplicate},
		{"content missing", func(s *Scenario) { s.Injects[0].Content = Text{"id": "Mohon"} }, "injects[0].content.en", ProblemRequired},
		{"content too long", func(s *Scenario) { s.Injects[0].Content["en"] = strings.Repeat("a", maxContent+1) }, "injects[0].content.en", ProblemTooLong},
		{"too many expectations", func(s *Scenario) {
			s.Injects[0].Expectations = make([]Expectation, MaxExpectations+1)
		}, "injects[0].expectations", ProblemTooMany},
		{"expectation key twice", func(s *Scenario) {
			s.Injects[0].Expectations = append(s.Injects[0].Expectations, s.Injects[0].Expectations[0])
		}, "injects[0].expectations[1].key", ProblemDuplicate},
		{"within zero", func(s *Scenario) { s.Injects[0].Expectations[0].Within = 0 }, "injects[0].expectations[0].within", ProblemWithin},
		{"within past 30 days", func(s *Scenario) {
			s.Injects[0].Expectations[0].Within = Duration(MaxWithin + time.Second)
		}, "injects[0].expectations[0].within", ProblemWithin},
		{"points negative", func(s *Scenario) { s.Injects[0].Expectations[0].Points = -1 }, "injects[0].expectations[0].points", ProblemPoints},
		{"points over 100", func(s *Scenario) { s.Injects[0].Expectations[0].Points = 101 }, "injects[0].expectations[0].points", ProblemPoints},
		{"expectation team unknown", func(s *Scenario) { s.Injects[0].Expectations[0].Team = "press" }, "injects[0].expectations[0].team", ProblemTeam},
		{"expectation what missing", func(s *Scenario) { s.Injects[0].Expectations[0].What = nil }, "injects[0].expectations[0].what.en", ProblemRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := valid()
			tt.change(&s)
			p := s.Validate()
			if got := p[tt.path]; got != tt.key {
				t.Errorf("problem at %q = %q, want %q (all: %v)", tt.path, got, tt.key, p)
			}
		})
	}
}

func TestValidateLimitsAreInclusive(t *testing.T) {
	s := valid()
	s.Injects[0].Offset = Duration(MaxOffset)
	s.Injects[0].Expectations[0].Within = Duration(MaxWithin)
	s.Injects[0].Expectations[0].Points = MaxPoints
	s.Injects[0].Channel = ChannelManual
	s.Teams[0].Role = RoleEvaluator
	if p := s.Validate(); p != nil {
		t.Fatalf("Validate() = %v, want nil at the limits", p)
	}
	s.Injects[0].Offset = 0
	s.Injects[0].Expectations[0].Points = 0
	if p := s.Validate(); p != nil {
		t.Fatalf("Validate() = %v, want nil at zero", p)
	}
}
