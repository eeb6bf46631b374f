package scenario

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
)

// Limits of a scenario: enough for the largest drill we know of (a few
// hundred injects to some fifty organisations) while keeping a shared
// scenario small enough to send between nodes and to show on one page.
const (
	MaxInjects      = 500
	MaxTeams        = 50
	MaxMembers      = 200 // per team
	MaxExpectations = 20  // per inject
	MaxObjectives   = 50
	MaxQuestions    = 50
	MaxOffset       = 14 * 24 * time.Hour
	MaxWithin       = 30 * 24 * time.Hour
	MaxPoints       = 100

	maxKey     = 64
	maxTitle   = 200  // runes: titles, names
	maxLine    = 1000 // runes: objectives, questions, expectations
	maxSummary = 4000
	maxContent = 20000 // runes: an inject's content
	maxSource  = 500
	maxVersion = 1000000
)

// The problems Validate reports, as message keys.
const (
	ProblemRequired  = "err.ex_required"
	ProblemKey       = "err.ex_key"
	ProblemDuplicate = "err.ex_duplicate"
	ProblemTooLong   = "err.ex_too_long"
	ProblemTooMany   = "err.ex_too_many"
	ProblemLanguage  = "err.ex_language"
	ProblemRole      = "err.ex_role"
	ProblemChannel   = "err.ex_channel"
	ProblemTeam      = "err.ex_team"
	ProblemMember    = "err.ex_member"
	ProblemOffset    = "err.ex_offset"
	ProblemWithin    = "err.ex_within"
	ProblemPoints    = "err.ex_points"
	ProblemVersion   = "err.ex_version"
)

// keyRE is a key: short, lower case, safe in a URL, a path and a file name.
var keyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// placeholderRE is a seat to cast: keys joined by dots ("players.cert").
var placeholderRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$`)

// addressRE is an organisation's address, handle@host (the handle as the
// directory writes it; the host a DNS name, with a port in development).
var addressRE = regexp.MustCompile(`^[a-z][a-z0-9-]{1,31}@[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$`)

func validKey(k string) bool { return len(k) <= maxKey && keyRE.MatchString(k) }

func validPlaceholder(s string) bool { return len(s) <= maxKey && placeholderRE.MatchString(s) }

func validAddress(s string) bool { return len(s) <= 255 && addressRE.MatchString(s) }

// Validate returns the scenario's problems, by path ("injects[3].offset",
// title.en), or nil when it has none. Each field gets its first problem.
// Injects need not be in order of offset, and two may share an offset.
func (s Scenario) Validate() core.Problems {
	v := validator{p: core.Problems{}}
	v.key("id", s.ID)
	v.text("title", s.Title, true, maxTitle)
	v.text("summary", s.Summary, true, maxSummary)
	v.texts("objectives", s.Objectives, MaxObjectives)
	v.texts("questions", s.Questions, MaxQuestions)
	v.str("source", s.Source, maxSource)
	if s.Version < 1 || s.Version > maxVersion {
		v.p.Add("version", ProblemVersion)
	}

	teams := map[string]bool{}
	switch {
	case len(s.Teams) == 0:
		v.p.Add("teams", ProblemRequired)
	case len(s.Teams) > MaxTeams:
		v.p.Add("teams", ProblemTooMany)
	}
	for i, t := range s.Teams {
		path := fmt.Sprintf("teams[%d]", i)
		if v.key(path+".key", t.Key) {
			if teams[t.Key] {
				v.p.Add(path+".key", ProblemDuplicate)
			}
			teams[t.Key] = true
		}
		v.text(path+".name", t.Name, true, maxTitle)
		if !t.Role.Valid() {
			v.p.Add(path+".role", ProblemRole)
		}
		if len(t.Members) > MaxMembers {
			v.p.Add(path+".members", ProblemTooMany)
		}
		seen := map[string]bool{}
		for j, m := range t.Members {
			mp := fmt.Sprintf("%s.members[%d].org", path, j)
			switch {
			case v.str(mp, m.Org, 255) != "":
			case m.Org == "":
				v.p.Add(mp, ProblemRequired)
			case !validAddress(m.Org) && !validPlaceholder(m.Org):
				v.p.Add(mp, ProblemMember)
			case seen[m.Org]:
				v.p.Add(mp, ProblemDuplicate)
			}
			seen[m.Org] = true
		}
	}

	if len(s.Injects) > MaxInjects {
		v.p.Add("injects", ProblemTooMany)
	}
	injects := map[string]bool{}
	for i, in := range s.Injects {
		path := fmt.Sprintf("injects[%d]", i)
		if v.key(path+".key", in.Key) {
			if injects[in.Key] {
				v.p.Add(path+".key", ProblemDuplicate)
			}
			injects[in.Key] = true
		}
		if d := in.Offset.Std(); d < 0 || d > MaxOffset || d%time.Second != 0 {
			v.p.Add(path+".offset", ProblemOffset)
		}
		if !in.Channel.Valid() {
			v.p.Add(path+".channel", ProblemChannel)
		}
		v.team(path+".from", in.From, teams)
		if len(in.To) == 0 {
			v.p.Add(path+".to", ProblemRequired)
		}
		if len(in.To) > MaxTeams {
			v.p.Add(path+".to", ProblemTooMany)
		}
		to := map[string]bool{}
		for j, k := range in.To {
			tp := fmt.Sprintf("%s.to[%d]", path, j)
			if v.team(tp, k, teams) && to[k] {
				v.p.Add(tp, ProblemDuplicate)
			}
			to[k] = true
		}
		v.text(path+".title", in.Title, true, maxTitle)
		v.text(path+".content", in.Content, true, maxContent)
		if len(in.Expectations) > MaxExpectations {
			v.p.Add(path+".expectations", ProblemTooMany)
		}
		exps := map[string]bool{}
		for j, e := range in.Expectations {
			ep := fmt.Sprintf("%s.expectations[%d]", path, j)
			if v.key(ep+".key", e.Key) {
				if exps[e.Key] {
					v.p.Add(ep+".key", ProblemDuplicate)
				}
				exps[e.Key] = true
			}
			v.text(ep+".what", e.What, true, maxLine)
			if d := e.Within.Std(); d <= 0 || d > MaxWithin || d%time.Second != 0 {
				v.p.Add(ep+".within", ProblemWithin)
			}
			if e.Points < 0 || e.Points > MaxPoints {
				v.p.Add(ep+".points", ProblemPoints)
			}
			v.team(ep+".team", e.Team, teams)
		}
	}
	if len(v.p) == 0 {
		return nil
	}
	return v.p
}

type validator struct{ p core.Problems }

// str checks that s is clean text of at most max runes and returns the
// problem it recorded, if any.
func (v validator) str(path, s string, max int) string {
	if p := core.CheckText(s); p != "" {
		v.p.Add(path, p)
		return p
	}
	if utf8.RuneCountInString(s) > max {
		v.p.Add(path, ProblemTooLong)
		return ProblemTooLong
	}
	return ""
}

// key checks a required key and reports whether it is well formed.
func (v validator) key(path, k string) bool {
	switch {
	case v.str(path, k, maxKey) != "":
		return false
	case k == "":
		v.p.Add(path, ProblemRequired)
		return false
	case !validKey(k):
		v.p.Add(path, ProblemKey)
		return false
	}
	return true
}

// team checks a required reference to a team and reports whether it names one.
func (v validator) team(path, k string, teams map[string]bool) bool {
	switch {
	case v.str(path, k, maxKey) != "":
		return false
	case k == "":
		v.p.Add(path, ProblemRequired)
		return false
	case !teams[k]:
		v.p.Add(path, ProblemTeam)
		return false
	}
	return true
}

// text checks a text in several languages: known languages only, and
// English, the fallback, present when the text is required.
func (v validator) text(path string, t Text, required bool, max int) {
	for lang, s := range t {
		if core.CheckText(lang) != "" || !isLanguage(lang) {
			v.p.Add(path, ProblemLanguage)
			continue
		}
		v.str(path+"."+lang, s, max)
	}
	if required && strings.TrimSpace(t["en"]) == "" {
		v.p.Add(path+".en", ProblemRequired)
	}
}

func (v validator) texts(path string, ts []Text, max int) {
	if len(ts) > max {
		v.p.Add(path, ProblemTooMany)
	}
	for i, t := range ts {
		v.text(fmt.Sprintf("%s[%d]", path, i), t, true, maxLine)
	}
}

func isLanguage(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}
