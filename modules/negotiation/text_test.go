package negotiation

import (
	"testing"
	"time"
)

func TestCompare(t *testing.T) {
	a := []Paragraph{
		{ID: "p1", Part: PartPreamble, Options: []string{"Recalling the framework,"}},
		{ID: "p2", Part: PartOperative, Options: []string{"States [should] cooperate."}},
		{ID: "p3", Part: PartOperative, Options: []string{"To be struck."}},
		{ID: "p4", Part: PartOperative, Options: []string{"Option one.", "Option two."}},
		{ID: "p6", Part: PartOperative, Options: []string{"Same words."}},
	}
	b := []Paragraph{
		{ID: "p1", Part: PartPreamble, Options: []string{"Recalling the framework,"}},
		{ID: "p5", Part: PartPreamble, Options: []string{"Noting the reports,"}},
		{ID: "p2", Part: PartOperative, Options: []string{"States should cooperate."}, Agreed: StatusAdRef},
		{ID: "p4", Part: PartOperative, Options: []string{"Option two."}},
		{ID: "p6", Part: PartOperative, Options: []string{"Same words."}},
	}
	got := Compare(a, b)
	want := []struct{ id, change, la, lb, sa, sb string }{
		{"p1", "same", "PP1", "PP1", StatusOpen, StatusOpen},
		{"p5", "added", "", "PP2", "", StatusOpen},
		{"p2", "changed", "OP1", "OP1", StatusBracketed, StatusAdRef},
		{"p3", "removed", "OP2", "", StatusOpen, ""},
		{"p4", "changed", "OP3", "OP2", StatusOptions, StatusOpen},
		{"p6", "renumbered", "OP4", "OP3", StatusOpen, StatusOpen},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d paragraphs: %+v", len(got), got)
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.id || g.Change != w.change || g.LabelA != w.la || g.LabelB != w.lb || g.StatusA != w.sa || g.StatusB != w.sb {
			t.Errorf("paragraph %d = %+v, want %+v", i, g, w)
		}
	}
	if r := render(got[2].Options[0]); r != "States {-[-}should{-]-} cooperate." {
		t.Errorf("p2 diff %s", r)
	}
	if r := render(got[4].Options[0]) + "|" + render(got[4].Options[1]); r != "Option two.|{-Option one.-}" {
		t.Errorf("p4 diff %s", r)
	}
}

func TestDated(t *testing.T) {
	issued := time.Date(2026, 12, 7, 13, 20, 0, 0, time.UTC)
	later := issued.Add(3 * time.Minute)
	for _, c := range []struct {
		name string
		tx   Text
		want time.Time
	}{
		{"no revision", Text{Updated: later}, later},
		{"a position after the revision", Text{Revisions: []Revision{{N: 2, At: issued}}, Updated: later}, issued},
		{"wording changed since", Text{Revisions: []Revision{{N: 2, At: issued}}, Updated: later, Dirty: true}, later},
	} {
		if got := c.tx.Dated(); !got.Equal(c.want) {
			t.Errorf("%s: Dated = %v, want %v", c.name, got, c.want)
		}
	}
}
