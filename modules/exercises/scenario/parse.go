package scenario

import (
	"bytes"
	"encoding/json"
	"errors"

	"entente.example/entente/core"
)

// MaxSize is the largest scenario file Parse reads: 500 injects of a few
// paragraphs in two languages fit with room to spare.
const MaxSize = 1 << 20

// The problems Parse reports for the file as a whole, as message keys.
const (
	ProblemTooLarge = "err.ex_too_large"
	ProblemJSON     = "err.ex_json"
)

const op = "scenario: parse"

// Parse reads a scenario from JSON strictly: at most MaxSize bytes, no
// key twice, no field it does not know, nothing after the scenario, text
// that is UTF-8 without NUL, and then a valid scenario. Its errors are
// *core.Error of kind invalid: the file's problem as the message, or the
// fields' problems by path as from Validate.
func Parse(b []byte) (Scenario, error) {
	var s Scenario
	if len(b) > MaxSize {
		return s, &core.Error{Kind: core.KindTooLarge, Op: op, Message: ProblemTooLarge}
	}
	if err := core.CheckJSON(b); err != nil {
		if p := core.AsJSONProblem(err); p != nil {
			if p.Path == "" {
				return s, &core.Error{Kind: core.KindInvalid, Op: op, Message: p.Problem, Err: err}
			}
			return s, &core.Error{Kind: core.KindInvalid, Op: op, Message: "err.form", Fields: map[string]string{p.Path: p.Problem}, Err: err}
		}
		return s, &core.Error{Kind: core.KindInvalid, Op: op, Message: ProblemJSON, Err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Scenario{}, &core.Error{Kind: core.KindInvalid, Op: op, Message: ProblemJSON, Err: err}
	}
	if len(bytes.TrimSpace(b[dec.InputOffset():])) > 0 {
		return Scenario{}, &core.Error{Kind: core.KindInvalid, Op: op, Message: ProblemJSON, Err: errors.New("data after the scenario")}
	}
	s.normalize()
	if p := s.Validate(); p != nil {
		return Scenario{}, p.Err(op)
	}
	return s, nil
}

// Marshal writes s as indented JSON that is the same for the same
// scenario: fields in a fixed order, languages sorted, lists as given.
func Marshal(s Scenario) ([]byte, error) {
	s.normalize()
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, core.Wrap("scenario: marshal", err)
	}
	return append(b, '\n'), nil
}

// normalize makes empty lists and texts nil, so that "[]", "{}", null and
// a missing field all read as the same scenario and write the same bytes.
// It copies what it changes: a caller's scenario is never altered.
func (s *Scenario) normalize() {
	s.Title, s.Summary = nilText(s.Title), nilText(s.Summary)
	s.Objectives = nilTexts(s.Objectives)
	s.Questions = nilTexts(s.Questions)
	if len(s.Teams) == 0 {
		s.Teams = nil
	} else {
		s.Teams = append([]Team(nil), s.Teams...)
	}
	for i := range s.Teams {
		t := &s.Teams[i]
		t.Name = nilText(t.Name)
		if len(t.Members) == 0 {
			t.Members = nil
		}
	}
	if len(s.Injects) == 0 {
		s.Injects = nil
	} else {
		s.Injects = append([]Inject(nil), s.Injects...)
	}
	for i := range s.Injects {
		in := &s.Injects[i]
		in.Title, in.Content = nilText(in.Title), nilText(in.Content)
		if len(in.To) == 0 {
			in.To = nil
		}
		if len(in.Expectations) == 0 {
			in.Expectations = nil
		} else {
			in.Expectations = append([]Expectation(nil), in.Expectations...)
		}
		for j := range in.Expectations {
			in.Expectations[j].What = nilText(in.Expectations[j].What)
		}
	}
}

func nilText(t Text) Text {
	if len(t) == 0 {
		return nil
	}
	return t
}

func nilTexts(ts []Text) []Text {
	if len(ts) == 0 {
		return nil
	}
	out := make([]Text, len(ts))
	for i, t := range ts {
		out[i] = nilText(t)
	}
	return out
}
