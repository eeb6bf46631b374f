package incidents

import (
	"context"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/store"
)

// Statements in the linked chain: a statement is a record others link to
// (the incident it names above all), resolved here by the statements' own
// reading rule, so that an incident's chain shows a statement to its
// parties and, once it is published, to anyone who sees the incident; a
// statement that names an incident is linked to it on every node that
// holds both.

// StatementLinker is what statements need of the linked chain: joining a
// statement to the incident it names, in the statement's transaction.
type StatementLinker interface {
	Join(ctx context.Context, tx *store.Tx, a, b core.Ref) error
}

// UseLinks makes the statements that name an incident linked to it.
func (s *Statements) UseLinks(l StatementLinker) { s.links = l }

// UseIncidents gives the statements the incident records, so that a draft
// names only an incident its author may see, chosen from a list. Without
// them (a node without incident records) a reference is checked for its
// form only.
func (s *Statements) UseIncidents(svc *Service) { s.incidents = svc }

// StatementRef is the reference to a statement: its id and node on the
// initiator's node, the same on every node that holds it.
func (s *Statements) StatementRef(st Statement) core.Ref {
	return core.Ref{Module: "incidents", Kind: "statement", ID: st.OriginID, Node: links.NodeOf(st.Initiator, s.fed.Host())}
}

// incidentRef reads a statement's incident as a reference that names its
// node: one a statement's text gives without a node names an incident of
// the initiator's node.
func (s *Statements) incidentRef(st Statement) (core.Ref, bool) {
	if st.Incident == "" {
		return core.Ref{}, false
	}
	r, err := core.ParseRef(st.Incident)
	if err != nil || r.Module != "incidents" || r.Kind != "incident" {
		return core.Ref{}, false
	}
	if r.Node == "" {
		_, r.Node, _ = federation.Address(st.Initiator)
	}
	return r, true
}

// linkIncident links st to the incident it names, when this node holds
// that incident (its own or a copy): a reference that does not resolve
// here links nothing. A peer's invitation speaks for the organisation it
// invites here (by), so it links only an incident that organisation may
// see, by the rule every reading of incidents goes through: a peer does
// not write into the chain of an incident kept from its invitee, nor
// raise that incident's version. A local draft passes no by: its author
// chose the incident among those they see.
func (s *Statements) linkIncident(ctx context.Context, tx *store.Tx, st Statement, by ...localOrg) error {
	ref, ok := s.incidentRef(st)
	if s.links == nil || !ok {
		return nil
	}
	cond, args := `TRUE`, []any(nil)
	if len(by) > 0 {
		var ids, addrs []string
		for _, o := range by {
			ids, addrs = append(ids, o.ID), append(addrs, o.Handle+"@"+s.fed.Host())
		}
		cond, args = access.IncidentFilter(ids, addrs)
	}
	var n int
	if err := tx.Get(ctx, &n, `SELECT COUNT(*) FROM inc_incidents i WHERE i.origin_id = ? AND i.node = ? AND (`+cond+`)`,
		append([]any{ref.ID, ref.Node}, args...)...); err != nil {
		return core.Wrap("statements: link incident", err)
	}
	if n == 0 {
		return nil
	}
	return s.links.Join(ctx, tx, s.StatementRef(st), ref)
}

// visibleTo is the condition on the inc_statements row aliased s that lets
// the actor see it: anyone a published statement, the people of its
// parties on this node the rest (Statement's rule, in SQL).
func visibleTo(a core.Actor) (string, []any) {
	orgs := access.Orgs(a, access.StatementRead)
	if len(orgs) == 0 {
		return `s.state = 'published'`, nil
	}
	args := make([]any, len(orgs))
	for i, o := range orgs {
		args[i] = o
	}
	return `(s.state = 'published' OR EXISTS (SELECT 1 FROM inc_statement_signers g WHERE g.statement_id = s.id AND g.org_id IN (` + marks(len(orgs)) + `)))`, args
}

// LinkItems resolves references to statements for the actor in ctx, in one
// query that carries the statements' reading rule: a draft or an open
// statement is shown only to its parties, and one this node does not
// hold is left out.
func (s *Statements) LinkItems(ctx context.Context, refs []core.Ref) ([]links.Item, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	f, fargs := visibleTo(core.ActorFrom(ctx))
	var rows []struct {
		ID          string     `db:"id"`
		OriginID    string     `db:"origin_id"`
		Initiator   string     `db:"initiator"`
		Title       string     `db:"title"`
		CreatedAt   time.Time  `db:"created_at"`
		OpenedAt    *time.Time `db:"opened_at"`
		PublishedAt *time.Time `db:"published_at"`
	}
	if err := s.db.R().Select(ctx, &rows, `SELECT s.id, s.origin_id, s.initiator, s.title, s.created_at, s.opened_at, s.published_at FROM inc_statements s
		WHERE s.origin_id IN (`+links.Marks(len(refs))+`) AND `+f+` ORDER BY s.id`, append(links.IDs(refs), fargs...)...); err != nil {
		return nil, core.Wrap("statements: link items", err)
	}
	want := map[core.Ref]bool{}
	for _, r := range refs {
		want[r] = true
	}
	var out []links.Item
	for _, row := range rows {
		ref := s.StatementRef(Statement{OriginID: row.OriginID, Initiator: row.Initiator})
		if !want[ref] {
			continue
		}
		want[ref] = false
		// On the timeline, a statement stands where it became public, or
		// else where it was opened for signature, or drafted.
		at := row.CreatedAt
		for _, t := range []*time.Time{row.PublishedAt, row.OpenedAt} {
			if t != nil {
				at = *t
				break
			}
		}
		out = append(out, links.Item{Ref: ref, Title: row.Title, Kind: "links.kind.statement", At: at, URL: "/statements/" + row.ID})
	}
	return out, nil
}

// IncidentChoices lists the incidents the actor in ctx may name in a
// draft: those they may see (the "link to an incident" form's list).
func (s *Statements) IncidentChoices(ctx context.Context) ([]links.Item, error) {
	if s.incidents == nil {
		return nil, nil
	}
	return s.incidents.LinkTargets(ctx)
}

// checkIncident reports whether the actor in ctx may name the incident
// ref in a draft: one they see, when the node has incident records.
func (s *Statements) checkIncident(ctx context.Context, ref core.Ref) (bool, error) {
	if s.incidents == nil {
		return true, nil
	}
	if ref.Node == s.fed.Host() {
		ref.Node = ""
	}
	items, err := s.incidents.LinkItems(ctx, []core.Ref{ref})
	return len(items) == 1, err
}

// IncidentStatement is a statement that names an incident, as the
// incident's page lists it.
type IncidentStatement struct {
	ID      string `db:"id"`
	Title   string `db:"title"`
	State   string `db:"state"`
	Signed  int    `db:"signed"`
	Invited int    `db:"invited"`
}

// ForIncident lists the statements this node holds that name inc and
// that the actor in ctx may see, newest first.
func (s *Statements) ForIncident(ctx context.Context, inc Incident) ([]IncidentStatement, error) {
	// The reference as a text names it: with its node, and without it
	// when the incident is the initiator's own (an older draft's form).
	names := []any{core.Ref{Module: "incidents", Kind: "incident", ID: inc.OriginID, Node: inc.Node}.String()}
	if inc.Node == s.fed.Host() {
		names = append(names, core.Ref{Module: "incidents", Kind: "incident", ID: inc.OriginID}.String())
	}
	f, fargs := visibleTo(core.ActorFrom(ctx))
	var out []IncidentStatement
	err := s.db.R().Select(ctx, &out, `SELECT s.id, s.title, s.state,
		(SELECT COUNT(*) FROM inc_statement_signers c WHERE c.statement_id = s.id AND c.state = 'signed') AS signed,
		(SELECT COUNT(*) FROM inc_statement_signers c WHERE c.statement_id = s.id) AS invited
		FROM inc_statements s WHERE s.incident IN (`+marks(len(names))+`) AND `+f+` ORDER BY s.id DESC LIMIT 50`, append(names, fargs...)...)
	return out, core.Wrap("statements: for incident", err)
}

// IncidentOf returns the incident a statement names, when the reader may
// see it on this node: the page names and links it instead of showing its
// reference.
func (s *Statements) IncidentOf(ctx context.Context, st Statement) (Incident, bool) {
	if s.incidents == nil || st.Incident == "" {
		return Incident{}, false
	}
	ref, err := core.ParseRef(st.Incident)
	if err != nil || ref.Module != "incidents" || ref.Kind != "incident" {
		return Incident{}, false
	}
	inc, err := s.incidents.GetByOrigin(ctx, ref.Node, ref.ID)
	return inc, err == nil
}
