package norms

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
)

// Report states. A draft is edited; submitted, it waits for the focal
// point's approval (or goes back to draft); approved, it can be published;
// published, it never changes, and a newer publication supersedes it.
const (
	StatusDraft      = "draft"
	StatusInReview   = "in_review"
	StatusApproved   = "approved"
	StatusPublished  = "published"
	StatusSuperseded = "superseded"
	StatusWithdrawn  = "withdrawn"
)

// Audiences of a published report: everyone (sent to every verified peer),
// people signed in to this node (kept here), or, as "network:" and its id,
// the people of a points-of-contact network's members (sent to their nodes).
var Audiences = []string{"public", "signed-in"}

// AudienceNetwork prefixes a network's id in an audience.
const AudienceNetwork = "network:"

// Report is a state's national implementation report, one version of it.
type Report struct {
	ID          string     `db:"id" json:"id"`
	OrgID       string     `db:"org_id" json:"-"`
	OrgHandle   string     `db:"org_handle" json:"organisation"`
	OrgName     string     `db:"org_name" json:"organisation_name"`
	OrgNameID   string     `db:"org_name_id" json:"-"`
	Country     string     `db:"country" json:"country"`
	Title       string     `db:"title" json:"title"`
	Version     int        `db:"version" json:"version"`
	Status      string     `db:"status" json:"status"`
	Audience    string     `db:"audience" json:"audience"`
	CreatedBy   string     `db:"created_by" json:"created_by"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time  `db:"updated_at" json:"updated_at"`
	ApprovedBy  string     `db:"approved_by" json:"approved_by,omitempty"`
	ApprovedAt  *time.Time `db:"approved_at" json:"approved_at,omitempty"`
	PublishedBy string     `db:"published_by" json:"published_by,omitempty"`
	PublishedAt *time.Time `db:"published_at" json:"published_at,omitempty"`
	Statement   string     `db:"statement" json:"statement,omitempty"` // the signed publication
	SignedBy    string     `db:"signed_by" json:"signed_by,omitempty"`
	SeriesID    string     `db:"series_id" json:"series"`      // the first version's id on the publishing node
	Host        string     `db:"host" json:"origin,omitempty"` // the publishing node of a received copy; empty here
	ReceivedAt  *time.Time `db:"received_at" json:"received_at,omitempty"`
	WithdrawnBy string     `db:"withdrawn_by" json:"withdrawn_by,omitempty"`
	WithdrawnAt *time.Time `db:"withdrawn_at" json:"withdrawn_at,omitempty"`

	Answers     []Answer  `db:"-" json:"answers,omitempty"`
	networkName [2]string // the audience network's name (en, id), when known here
}

// NetworkNameIn returns the audience network's name in lang, or its id.
func (r Report) NetworkNameIn(lang string) string {
	if r.networkName[0] == "" {
		return r.Network()
	}
	return pick(lang, r.networkName[0], r.networkName[1])
}

const reportColumns = `r.id, r.org_id, o.handle AS org_handle, o.name_en AS org_name, o.name_id AS org_name_id, r.country, r.title, r.version, r.status, r.audience,
	r.created_by, r.created_at, r.updated_at, r.approved_by, r.approved_at, r.published_by, r.published_at, r.statement, r.signed_by,
	r.series_id, '' AS host, CAST(NULL AS TIMESTAMP) AS received_at, r.withdrawn_by, r.withdrawn_at`

// copyColumns are a received copy's (norm_copies r), in the order of
// reportColumns.
const copyColumns = `r.id, '' AS org_id, r.org_handle, r.org_name_en AS org_name, r.org_name_id, r.country, r.title, r.version, r.status, r.audience,
	'' AS created_by, r.published_at AS created_at, r.received_at AS updated_at, '' AS approved_by, CAST(NULL AS TIMESTAMP) AS approved_at, r.published_by, r.published_at, r.statement, r.signed_by,
	r.series_id, r.host, r.received_at, '' AS withdrawn_by, r.withdrawn_at`

// Received reports whether the report is a copy from another node.
func (r Report) Received() bool { return r.Host != "" }

// Network returns the id of the network the report is published to, or "".
func (r Report) Network() string {
	id, _ := strings.CutPrefix(r.Audience, AudienceNetwork)
	if id == r.Audience {
		return ""
	}
	return id
}

// Origin is the reporting organisation's address, handle@host, for a copy.
func (r Report) Origin() string {
	if r.Host == "" {
		return r.OrgHandle
	}
	return r.OrgHandle + "@" + r.Host
}

// OrgNameIn returns the reporting organisation's name in lang.
func (r Report) OrgNameIn(lang string) string { return pick(lang, r.OrgName, r.OrgNameID) }

// Answer returns the answer for a section, empty if none.
func (r Report) Answer(part, norm string) Answer {
	for _, a := range r.Answers {
		if a.Part == part && a.Norm == norm {
			return a
		}
	}
	return Answer{Section: Section{Part: part, Norm: norm}}
}

// Answer is what a state says in one section, in the four fields of the
// national survey.
type Answer struct {
	Section
	Measures   string    `db:"measures" json:"measures"`
	Challenges string    `db:"challenges" json:"challenges"`
	Gaps       string    `db:"gaps" json:"capacity_gaps"`
	Links      string    `db:"links" json:"links"`
	UpdatedAt  time.Time `db:"updated_at" json:"updated_at"`
	UpdatedBy  string    `db:"updated_by" json:"updated_by"`
}

// Empty reports whether nothing was said.
func (a Answer) Empty() bool {
	return strings.TrimSpace(a.Measures+a.Challenges+a.Gaps+a.Links) == ""
}

// LinkList splits the links field, one per line.
func (a Answer) LinkList() []string {
	var out []string
	for l := range strings.Lines(a.Links) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Change is one edit of a section, for the history.
type Change struct {
	Section
	At   time.Time `db:"at" json:"at"`
	By   string    `db:"by_name" json:"by"`
	What string    `db:"what" json:"what"` // which fields changed
}

// ReportInput starts a report.
type ReportInput struct {
	Org      string `json:"organisation"` // handle
	Title    string `json:"title"`
	Audience string `json:"audience"`
}

func (in ReportInput) validate() core.Problems {
	p := core.Problems{}
	if in.Org == "" {
		p.Add("organisation", "err.required")
	}
	if strings.TrimSpace(in.Title) == "" {
		p.Add("title", "err.required")
	} else if utf8.RuneCountInString(in.Title) > 200 {
		p.Add("title", "err.too_long")
	}
	if !slices.Contains(Audiences, in.Audience) && (!strings.HasPrefix(in.Audience, AudienceNetwork) || len(in.Audience) == len(AudienceNetwork)) {
		p.Add("audience", "err.choice")
	}
	return p
}

// validate checks an answer's fields and its section against the framework.
func (a Answer) validate(f Framework) core.Problems {
	p := core.Problems{}
	valid := slices.ContainsFunc(f.Sections(), func(s Section) bool { return s == a.Section })
	if !valid {
		p.Add("section", "err.choice")
	}
	for k, v := range map[string]string{"measures": a.Measures, "challenges": a.Challenges, "capacity_gaps": a.Gaps, "links": a.Links} {
		if utf8.RuneCountInString(v) > 20000 || strings.ContainsRune(v, 0) {
			p.Add(k, "err.too_long")
		}
	}
	for _, l := range a.LinkList() {
		if !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "http://") || len(l) > 500 || strings.ContainsAny(l, " <>\"") {
			p.Add("links", "err.links")
		}
	}
	return p
}

// Link is a typed reference from another record to a norm: an incident
// that implicates it, a POC request, an attribution statement. Other
// modules fill them in; the norm's page lists those its reader may see.
type Link struct {
	ID        string    `db:"id" json:"id"`
	Norm      string    `db:"norm" json:"norm"`
	Kind      string    `db:"kind" json:"kind"`
	Ref       string    `db:"ref" json:"ref"`
	Title     string    `db:"title" json:"title"`
	URL       string    `db:"url" json:"url,omitempty"`
	TLP       core.TLP  `db:"tlp" json:"tlp"`
	OrgID     string    `db:"org_id" json:"-"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}
