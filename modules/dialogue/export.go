package dialogue

import (
	"context"
	"fmt"
	"strings"
	"time"

	"entente.example/entente/core"
)

// Export is a dialogue's record as it may leave the room: under the
// Chatham House Rule without who wrote anything and without who took part
// — for everyone, moderators included, since an export travels; on the
// record with names; off the record not at all.
type Export struct {
	ID            string         `json:"id"`
	Title         string         `json:"title"`
	Purpose       string         `json:"purpose,omitempty"`
	Rule          Rule           `json:"rule"`
	Status        string         `json:"status"`
	Parties       []Party        `json:"participants,omitempty"`
	Sessions      []Session      `json:"sessions,omitempty"`
	Summary       *Summary       `json:"summary,omitempty"`
	Contributions []Contribution `json:"contributions"`
	Exported      time.Time      `json:"exported"`
}

var errOffRecord = errOp("export", core.KindForbidden, "err.dlg_off_record")

// Export returns the record of a dialogue the actor takes part in.
func (s *Service) Export(ctx context.Context, id string) (Export, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return Export{}, err
	}
	if !v.D.Rule.Exportable() {
		return Export{}, errOffRecord
	}
	// An export never carries identities the rule withholds, whoever asks.
	v.Identities = !v.D.Rule.Anonymous()
	all, err := s.All(ctx, v)
	if err != nil {
		return Export{}, err
	}
	x := Export{ID: v.D.ID, Title: v.D.Title, Purpose: v.D.Purpose, Rule: v.D.Rule, Status: v.D.Status, Sessions: v.D.Sessions, Exported: s.db.Clock().Now().UTC()}
	if !v.D.Rule.Anonymous() {
		x.Parties = v.D.Parties
	}
	if v.D.Summary.Status == SummaryPublished {
		sum := v.D.Summary
		x.Summary = &sum
	}
	x.Contributions = []Contribution{}
	for _, c := range all {
		if c.State != StateVisible {
			continue
		}
		c.Mine, c.Replies = false, nil
		x.Contributions = append(x.Contributions, c)
	}
	return x, nil
}

// Markdown writes the export as a readable document, in the reader's
// language through t (a catalogue lookup).
func (x Export) Markdown(t func(key string, args ...any) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", x.Title)
	fmt.Fprintf(&b, "**%s** — %s\n\n", t("dlg.rule_name."+string(x.Rule)), t("dlg.rule_explained."+string(x.Rule)))
	if x.Purpose != "" {
		fmt.Fprintf(&b, "%s\n\n", x.Purpose)
	}
	if len(x.Parties) > 0 {
		fmt.Fprintf(&b, "## %s\n\n", t("dlg.participants"))
		for _, p := range x.Parties {
			fmt.Fprintf(&b, "- %s (%s): %s\n", p.Name, p.Addr, t("dlg.role."+string(p.Role)))
		}
		b.WriteString("\n")
	}
	if x.Summary != nil {
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", t("dlg.summary"), x.Summary.Text)
	}
	fmt.Fprintf(&b, "## %s\n\n", t("dlg.contributions"))
	titles := map[string]string{}
	for _, ss := range x.Sessions {
		titles[ss.ID] = ss.Title
	}
	for _, c := range x.Contributions {
		head := fmt.Sprintf("%d. %s UTC", c.Seq, c.At.UTC().Format("2006-01-02 15:04"))
		if c.Parent != "" {
			head += " — " + t("dlg.reply")
		}
		if s := titles[c.Session]; s != "" {
			head += " — " + s
		}
		if c.AuthorName != "" {
			head += " — " + c.AuthorName + " (" + c.AuthorOrg + ")"
		}
		fmt.Fprintf(&b, "### %s\n\n%s\n\n", head, c.Body)
	}
	fmt.Fprintf(&b, "---\n%s %s UTC\n", t("dlg.exported"), x.Exported.Format("2006-01-02 15:04"))
	return b.String()
}

// SummaryMarkdown is the published summary alone, headed by the rule.
func (x Export) SummaryMarkdown(t func(key string, args ...any) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s — %s\n\n", x.Title, t("dlg.summary"))
	fmt.Fprintf(&b, "**%s** — %s\n\n", t("dlg.rule_name."+string(x.Rule)), t("dlg.rule_explained."+string(x.Rule)))
	if x.Summary != nil {
		fmt.Fprintf(&b, "%s\n\n---\n%s %s UTC\n", x.Summary.Text, t("dlg.published"), x.Summary.At.UTC().Format("2006-01-02 15:04"))
	}
	return b.String()
}
