package negotiation_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/negotiation"
)

// notice is one e-mail the module asked for, by organisation handle.
type notice struct {
	org, kind string
	args      notify.Args
}

type fakeNotifier struct {
	mu  sync.Mutex
	got []notice
}

func (f *fakeNotifier) NotifyOrg(ctx context.Context, tx *store.Tx, orgID string, roles []core.Role, k notify.Kind, path string, args notify.Args) error {
	// What the real notifier would refuse, refused here too.
	if len(args) != len(k.Params) || path == "" {
		return fmt.Errorf("notify %s with %v at %q", k.Name, args, path)
	}
	for _, p := range k.Params {
		if args[p] == "" {
			return fmt.Errorf("notify %s without {%s}", k.Name, p)
		}
	}
	if !slices.Equal(roles, []core.Role{core.RoleAdmin, core.RoleOfficer}) {
		return fmt.Errorf("notify %s to roles %v", k.Name, roles)
	}
	var handle string
	if err := tx.Get(ctx, &handle, `SELECT handle FROM organisations WHERE id = ?`, orgID); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, notice{handle, k.Name, args})
	return nil
}

// take returns the notices so far, sorted by kind and organisation, and
// forgets them.
func (f *fakeNotifier) take() []notice {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.got
	f.got = nil
	slices.SortFunc(out, func(a, b notice) int {
		if a.kind != b.kind {
			return compare(a.kind, b.kind)
		}
		return compare(a.org, b.org)
	})
	return out
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func orgsOf(ns []notice, kind string) []string {
	var out []string
	for _, n := range ns {
		if n.kind == kind {
			out = append(out, n.org)
		}
	}
	return out
}

// TestNotifications: the chair hears of amendments and objections; the
// delegations, not the stakeholders, of a silence opening and ending; a
// broken silence sends no reminder.
func TestNotifications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		f := &fakeNotifier{}
		w.svc.UseNotifier(f)
		pid, text := w.table(t)

		_, err := w.svc.Do(w.as["bima"], pid, negotiation.ActInput{Kind: negotiation.ActAmend, Text: text.ID,
			Amend: &negotiation.Amend{Para: text.Paragraphs[1].ID, Kind: negotiation.AmendReplace, Proposed: "States should cooperate without undue delay on incidents.", Justification: "Clearer."}})
		must(t, "amend", err)
		got := f.take()
		if len(got) != 1 || got[0].org != "asean" || got[0].kind != "amendment" || got[0].args["text"] != "Joint statement" || got[0].args["by"] != "Org kemlu" {
			t.Fatalf("after an amendment: %+v", got)
		}

		tor, err := w.svc.AddText(w.as["maria"], pid, negotiation.TextInput{Title: "Terms of reference", Kind: "clean-text", Operative: "One check a year.\n\nResults to states only."})
		must(t, "add text", err)
		_, err = w.svc.IssueRevision(w.as["maria"], pid, tor.ID, "For adoption.")
		must(t, "revision", err)
		if got := f.take(); len(got) != 0 {
			t.Fatalf("a text and a revision told someone: %+v", got)
		}
		deadline := w.clock.Now().Add(72 * time.Hour)
		must(t, "silence", w.svc.Circulate(w.as["maria"], pid, tor.ID, negotiation.SilenceInput{Deadline: deadline, AsIs: true}))
		got = f.take()
		if o := orgsOf(got, "silence"); !slices.Equal(o, []string{"csa-sg", "kemlu"}) || len(got) != 2 {
			t.Fatalf("silence opened: %+v", got)
		}
		if got[0].args["deadline"] != deadline.UTC().Format(notify.DeadlineFormat) {
			t.Fatalf("silence deadline: %+v", got[0].args)
		}

		// A day before the deadline, the delegations are reminded.
		runJobs := func() {
			t.Helper()
			for range 20 {
				if ran, _ := w.q.RunOnce(context.Background()); !ran {
					return
				}
			}
		}
		w.clock.Advance(47 * time.Hour)
		runJobs()
		if got := f.take(); len(got) != 0 {
			t.Fatalf("reminded too early: %+v", got)
		}
		w.clock.Advance(2 * time.Hour)
		runJobs()
		if o := orgsOf(f.take(), "silence_ending"); !slices.Equal(o, []string{"csa-sg", "kemlu"}) {
			t.Fatalf("silence ending: %v", o)
		}

		// Indonesia objects: the chair hears why.
		_, tt, err := w.svc.Text(w.as["sari"], pid, tor.ID)
		must(t, "read text", err)
		_, err = w.svc.Do(w.as["sari"], pid, negotiation.ActInput{Kind: negotiation.ActObject, Text: tor.ID, Silence: tt.Silence().ID, Reason: "Capitals need longer."})
		must(t, "object", err)
		got = f.take()
		if len(got) != 1 || got[0].org != "asean" || got[0].kind != "objection" || got[0].args["reason"] != "Capitals need longer." {
			t.Fatalf("after an objection: %+v", got)
		}

		// A second silence, broken before its reminder: no reminder.
		must(t, "edit", w.svc.EditParagraph(w.as["maria"], pid, tor.ID, tt.Paragraphs[0].ID, negotiation.ParagraphInput{Part: "op", Options: []string{"Two checks a year."}, Agreed: negotiation.StatusAgreed}))
		_, err = w.svc.IssueRevision(w.as["maria"], pid, tor.ID, "Again.")
		must(t, "second revision", err)
		must(t, "second silence", w.svc.Circulate(w.as["maria"], pid, tor.ID, negotiation.SilenceInput{Deadline: w.clock.Now().Add(72 * time.Hour), AsIs: true}))
		_, tt, err = w.svc.Text(w.as["sari"], pid, tor.ID)
		must(t, "read text", err)
		_, err = w.svc.Do(w.as["weiming"], pid, negotiation.ActInput{Kind: negotiation.ActObject, Text: tor.ID, Silence: tt.Silence().ID, Reason: "Still too fast."})
		must(t, "second objection", err)
		f.take()
		w.clock.Advance(49 * time.Hour)
		runJobs()
		if got := f.take(); len(got) != 0 {
			t.Fatalf("a broken silence was reminded: %+v", got)
		}
	})
}
