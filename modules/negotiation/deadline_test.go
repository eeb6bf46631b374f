package negotiation_test

import (
	"testing"
	"time"

	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/negotiation"
)

// TestSilenceDeadlineHorizon: a silence procedure cannot be set to end
// further than five years ahead (9999-12-31 is refused with a field problem).
func TestSilenceDeadlineHorizon(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		pid, text := w.table(t)
		p2 := text.Paragraphs[1].ID
		must(t, "clean p2", w.svc.EditParagraph(w.as["maria"], pid, text.ID, p2, negotiation.ParagraphInput{Part: "op", Options: []string{"States should cooperate on incidents."}}))
		_, err := w.svc.IssueRevision(w.as["maria"], pid, text.ID, "")
		must(t, "Rev.1", err)
		for _, d := range []time.Time{time.Date(9999, 12, 31, 12, 0, 0, 0, time.UTC), w.clock.Now().AddDate(5, 1, 0)} {
			err := w.svc.Circulate(w.as["maria"], pid, text.ID, negotiation.SilenceInput{Deadline: d, AsIs: true})
			if field(err, "deadline") != "err.deadline_horizon" {
				t.Errorf("silence until %s: %v, want err.deadline_horizon", d.Format(time.DateOnly), err)
			}
		}
		must(t, "silence within the horizon", w.svc.Circulate(w.as["maria"], pid, text.ID, negotiation.SilenceInput{Deadline: w.clock.Now().AddDate(0, 1, 0), AsIs: true}))
	})
}
