package negotiation

import (
	"context"
	"fmt"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/store"
)

// SilenceInput circulates a text under silence procedure.
type SilenceInput struct {
	Deadline time.Time `json:"deadline"`
	// AsIs is the chair's explicit decision that the amendments nobody
	// decided and the paragraphs nobody declared agreed go as they stand.
	// Without it a text with either is refused, so a silence never passes
	// over them without a word.
	AsIs bool `json:"as_is"`
}

// Undecided counts what a silence on the text would pass over: amendments
// still proposed (neither accepted, rejected nor merged) and paragraphs
// still open (neither agreed nor agreed ad ref).
func (t *Text) Undecided() (amendments, open int) {
	for _, a := range t.Amendments {
		if a.State == AmendProposed {
			amendments++
		}
	}
	for _, p := range t.Paragraphs {
		if p.Status() == StatusOpen {
			open++
		}
	}
	return amendments, open
}

// StartSilence circulates the latest revision under silence with no
// decision on undecided amendments or open paragraphs: a text with either
// is refused. Circulate takes the chair's decision.
func (s *Service) StartSilence(ctx context.Context, pid, tid string, deadline time.Time) error {
	return s.Circulate(ctx, pid, tid, SilenceInput{Deadline: deadline})
}

// Circulate puts the latest revision under silence procedure until the
// deadline. Only a clean text goes under silence: every paragraph free of
// brackets and options, and no change since the revision. Amendments still
// pending and paragraphs still open go only when the chair says so (AsIs),
// and the silence keeps how many there were.
func (s *Service) Circulate(ctx context.Context, pid, tid string, in SilenceInput) error {
	_, err := s.update(ctx, pid, func(tx *store.Tx, p *Process) error {
		person, err := s.runs(ctx, p)
		if err != nil {
			return err
		}
		t, err := textFor(p, tid)
		if err != nil {
			return err
		}
		pr := core.Problems{}
		if !in.Deadline.After(tx.Now) {
			pr.Add("deadline", "err.deadline_past")
		} else if core.CheckDeadline(in.Deadline, tx.Now) != "" {
			pr.Add("deadline", "err.deadline_horizon")
		}
		if t.Dirty || t.Rev() == 0 {
			pr.Add("deadline", "err.silence_needs_revision")
		}
		for _, para := range t.Paragraphs {
			if !para.Settled() {
				pr.Add("deadline", "err.silence_not_clean")
				break
			}
		}
		pending, open := t.Undecided()
		if (pending > 0 || open > 0) && !in.AsIs {
			pr.Add("as_is", "err.silence_undecided")
		}
		if len(pr) > 0 {
			err := pr.Err("negotiation: silence")
			if ce := core.AsError(err); ce != nil && pr["as_is"] != "" {
				ce.Err = fmt.Errorf("%d amendments pending, %d paragraphs open", pending, open)
			}
			return err
		}
		sil := Silence{ID: core.NewID(tx.Now), Rev: t.Rev(), Started: tx.Now, Deadline: in.Deadline.UTC(), Person: person, State: SilenceRunning}
		if pending > 0 || open > 0 {
			sil.AsIs = &AsIs{Amendments: pending, Open: open}
		}
		t.Silences = append(t.Silences, sil)
		t.State, t.Updated = TextSilence, tx.Now
		return s.jobs.Enqueue(ctx, tx, jobSilence, silenceJob{Process: p.ID, Text: t.ID, Silence: sil.ID}, jobs.Options{RunAt: sil.Deadline, UniqueKey: "negotiation.silence:" + sil.ID})
	})
	return err
}

// AsIs records the chair's decision to circulate a text with undecided
// amendments or open paragraphs, and how many there were.
type AsIs struct {
	Amendments int `json:"amendments"`
	Open       int `json:"open"`
}

// settleAdoption sets the paragraph statuses an adoption makes true: a
// paragraph agreed ad referendum is agreed once silence passed (capitals
// had the procedure to object); an open paragraph was never agreed on its
// own and stays open, adopted only as part of the text. It returns the ids
// of those open paragraphs and of the amendments left undecided.
func settleAdoption(t *Text) (open, pending []string) {
	for i, p := range t.Paragraphs {
		switch p.Status() {
		case StatusAdRef:
			t.Paragraphs[i].Agreed = StatusAgreed
		case StatusOpen:
			open = append(open, p.ID)
		}
	}
	for _, a := range t.Amendments {
		if a.State == AmendProposed {
			pending = append(pending, a.ID)
		}
	}
	return open, pending
}
