package humanitarian

import (
	"testing"
)

// TestEmergencyValidation names each field's problem: every unknown area
// at once, an area of another country, a missing start, a number that is
// not one, a GLIDE number of the wrong shape.
func TestEmergencyValidation(t *testing.T) {
	g := DefaultGazetteer()
	cases := []struct {
		name  string
		edit  func(*Emergency)
		field string
		key   string
	}{
		{"unknown areas", func(e *Emergency) { e.Areas = []string{"ID72", "XX1", "Atlantis"} }, "areas", "err.hum_pcode XX1, ATLANTIS"},
		{"another country", func(e *Emergency) { e.Country = "MY" }, "areas", "err.hum_area_country ID7271, ID72"},
		{"no start", func(e *Emergency) { e.StartedOn = "" }, "started_on", "err.required"},
		{"bad start", func(e *Emergency) { e.StartedOn = "29/11/2026" }, "started_on", "err.date"},
		{"end before start", func(e *Emergency) { e.EndedOn = "2026-11-01" }, "ended_on", "err.hum_end_date"},
		{"not a number", func(e *Emergency) { e.SMSNumber = "abc" }, "sms_number", "err.hum_phone"},
		{"GLIDE", func(e *Emergency) { e.Glide = "EQ-2018-156-IDN" }, "glide", "err.hum_glide"},
		{"no language", func(e *Emergency) { e.Languages = nil }, "languages", "err.required"},
		{"a language the node lacks", func(e *Emergency) { e.Languages = []string{"fr"} }, "languages", "err.hum_language fr"},
		{"kind", func(e *Emergency) { e.Kind = "meteor" }, "kind", "err.hum_kind"},
	}
	for _, c := range cases {
		e := quake()
		c.edit(&e)
		pr := e.Validate(g)
		if pr[c.field] != c.key || len(pr) != 1 {
			t.Errorf("%s: problems %v, want %s: %s", c.name, pr, c.field, c.key)
		}
	}
	e := quake()
	if pr := e.Validate(g); len(pr) != 0 || e.Box.West >= e.Box.East {
		t.Fatalf("the test emergency: %v, box %+v", pr, e.Box)
	}
}
