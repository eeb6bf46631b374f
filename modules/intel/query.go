package intel

import (
	"context"
	"strconv"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/store"
)

// Query selects objects. Each field narrows; the zero Query is the latest
// version of every object the readers may see, newest first.
type Query struct {
	// Collection pages one collection in the order objects were added
	// (TAXII); without it the query searches every collection, newest first.
	Collection   string
	IDs          []string
	Types        []string
	NotTypes     []string // types left out (a search's default)
	Versions     []string // "last" (the default), "first", "all" or stored timestamps
	SpecVersions []string
	AddedAfter   string // a stored timestamp: strictly after
	After        int64  // the seq a collection page starts after
	Limit        int

	Text   string
	Label  string
	Sector string
	TLP    core.TLP
	Before string // the date_added a search page starts before
	RefTo  string // objects pointing to this id: relationships, sightings, reports
	Origin string // "local" or a peer's host
}

// Stored is one stored version of an object, with how it is shared.
type Stored struct {
	Collection  string   `db:"collection_id" json:"collection"`
	Seq         int64    `db:"seq" json:"-"`
	ID          string   `db:"stix_id" json:"id"`
	Type        string   `db:"type" json:"type"`
	SpecVersion string   `db:"spec_version" json:"spec_version"`
	Version     string   `db:"version" json:"version"`
	DateAdded   string   `db:"date_added" json:"date_added"`
	Latest      bool     `db:"latest" json:"latest"`
	TLP         core.TLP `db:"tlp" json:"tlp"`
	Audience    string   `db:"audience" json:"audience"`
	Group       string   `db:"group_id" json:"sharing_group,omitempty"`
	Owner       string   `db:"owner_org" json:"owner"`
	Origin      string   `db:"origin" json:"origin,omitempty"`
	OriginAdded string   `db:"origin_added" json:"origin_added,omitempty"`
	Name        string   `db:"name" json:"name,omitempty"`
	Labels      string   `db:"labels" json:"-"`
	Sectors     string   `db:"sectors" json:"-"`
	Raw         string   `db:"raw" json:"-"`
}

// LabelList and SectorList split the stored lists.
func (o Stored) LabelList() []string  { return strings.Fields(o.Labels) }
func (o Stored) SectorList() []string { return strings.Fields(o.Sectors) }

const storedColumns = `o.collection_id, o.seq, o.stix_id, o.type, o.spec_version, o.version, o.date_added, o.latest = 1 AS latest, o.tlp, o.audience, o.group_id, o.owner_org, o.origin, o.origin_added, o.name, o.labels, o.sectors, o.raw`

// MaxPage is the most objects one page holds, whatever the limit asked.
const MaxPage = 1000

// Objects runs q for the organisations orgs, in one SQL query that carries
// access.IntelFilter: what the readers may not see is never read. It returns
// at most q.Limit objects and whether there are more.
func (s *Service) Objects(ctx context.Context, orgs []string, q Query) ([]Stored, bool, error) {
	return objects(ctx, s.db.R(), orgs, q)
}

func objects(ctx context.Context, c store.Conn, orgs []string, q Query) ([]Stored, bool, error) {
	if q.Limit <= 0 || q.Limit > MaxPage {
		q.Limit = MaxPage
	}
	where, args := access.IntelFilter(orgs)
	conds := []string{where}
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	in := func(col string, vals []string) {
		add(col+" IN ("+placeholders(len(vals))+")", anys(vals)...)
	}
	if q.Collection != "" {
		add("o.collection_id = ?", q.Collection)
		if q.After > 0 {
			add("o.seq > ?", q.After)
		}
		if q.AddedAfter != "" {
			// date_added grows with seq, so the bound is a seq found through
			// the date index: one probe, not a scan.
			add(`o.seq > COALESCE((SELECT a.seq FROM intel_objects a WHERE a.collection_id = ? AND a.date_added <= ? ORDER BY a.date_added DESC LIMIT 1), 0)`, q.Collection, q.AddedAfter)
		}
	} else if q.AddedAfter != "" {
		add("o.date_added > ?", q.AddedAfter)
	}
	if len(q.IDs) > 0 {
		in("o.stix_id", q.IDs)
	}
	if len(q.Types) > 0 {
		in("o.type", q.Types)
	}
	if len(q.NotTypes) > 0 {
		add("o.type NOT IN ("+placeholders(len(q.NotTypes))+")", anys(q.NotTypes)...)
	}
	if len(q.SpecVersions) > 0 {
		in("o.spec_version", q.SpecVersions)
	}
	var vs []string
	var stamps []string
	for _, v := range q.Versions {
		switch v {
		case "all":
			vs = nil
			stamps = nil
			goto versionsDone
		case "last", "":
			vs = append(vs, "o.latest = 1")
		case "first":
			vs = append(vs, "NOT EXISTS (SELECT 1 FROM intel_objects p WHERE p.collection_id = o.collection_id AND p.stix_id = o.stix_id AND p.version < o.version)")
		default:
			stamps = append(stamps, v)
		}
	}
	if len(q.Versions) == 0 {
		vs = append(vs, "o.latest = 1")
	}
	if len(stamps) > 0 {
		vs = append(vs, "o.version IN ("+placeholders(len(stamps))+")")
	}
	if len(vs) > 0 {
		add("("+strings.Join(vs, " OR ")+")", anys(stamps)...)
	}
versionsDone:
	if q.Text != "" {
		l := store.Like(q.Text)
		add(`(LOWER(o.name) LIKE ? ESCAPE '\' OR LOWER(o.raw) LIKE ? ESCAPE '\')`, l, l)
	}
	if q.Label != "" {
		add("o.labels LIKE ? ESCAPE '\\'", "%\n"+strings.Trim(store.Like(q.Label), "%")+"\n%")
	}
	if q.Sector != "" {
		add("o.sectors LIKE ? ESCAPE '\\'", "%\n"+strings.Trim(store.Like(q.Sector), "%")+"\n%")
	}
	if q.TLP != "" {
		add("o.tlp = ?", string(q.TLP))
	}
	if q.RefTo != "" {
		add("(' ' || o.refs || ' ') LIKE ? ESCAPE '\\'", "% "+strings.Trim(store.Like(q.RefTo), "%")+" %")
	}
	switch q.Origin {
	case "":
	case "local":
		add("o.origin = ''")
	default:
		add("o.origin = ?", q.Origin)
	}
	order := " ORDER BY o.seq"
	if q.Collection == "" {
		if q.Before != "" {
			add("o.date_added < ?", q.Before)
		}
		order = " ORDER BY o.date_added DESC, o.seq DESC"
	}
	sql := `SELECT ` + storedColumns + ` FROM intel_objects o WHERE ` + strings.Join(conds, " AND ") + order + ` LIMIT ` + strconv.Itoa(q.Limit+1)
	var out []Stored
	if err := c.Select(ctx, &out, sql, args...); err != nil {
		return nil, false, err
	}
	more := len(out) > q.Limit
	if more {
		out = out[:q.Limit]
	}
	return out, more, nil
}
