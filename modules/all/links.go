package all

import (
	"context"

	"entente.example/entente/internal/links"
	"entente.example/entente/internal/web"
)

// wireLinks builds the linked chain: each module resolves references to
// its own records (by its own reading rules), the incidents module names
// what a record may be linked to, norms find what implicates them, and
// every module whose pages show links or a "link to an incident" form is
// given the chain. It returns the modules with the links' own routes.
func wireLinks(d Deps, s *Services, mods []web.Module) []web.Module {
	l := links.NewService(d.DB, d.Fed.Host)
	l.Register("intel", links.ResolverFunc(s.Intel.LinkItems))
	l.Register("directory", links.ResolverFunc(s.Networks.LinkItems))
	l.Register("cybercrime", links.ResolverFunc(s.Cybercrime.LinkItems))
	l.Register("correspondence", links.ResolverFunc(s.Correspondence.LinkItems))
	l.Register("norms", links.ResolverFunc(s.Norms.LinkItems))
	// A commitment links to the capacity need or project that helps meet
	// it; the capacity module registers its own kinds. (A node wired for
	// the chain alone, in tests, has no economy.)
	if s.Economy != nil {
		l.Register("economy", links.Kinds{"commitment": links.ResolverFunc(s.Economy.LinkItems), "agreement": links.ResolverFunc(s.Economy.AgreementLinkItems)})
	}
	if s.Events != nil {
		l.Register("events", links.Kinds{"event": eventLinks(s.Events)})
	}
	if s.Capacity != nil {
		l.Register("capacity", links.Kinds{"need": links.ResolverFunc(s.Capacity.NeedLinkItems), "project": links.ResolverFunc(s.Capacity.ProjectLinkItems)})
	}
	// An emergency links to the incidents that hit its hospitals and aid
	// organisations.
	if s.Humanitarian != nil {
		l.Register("humanitarian", links.Kinds{"emergency": links.ResolverFunc(s.Humanitarian.LinkItems)})
	}
	// Incidents and joint statements are one module's two kinds, each
	// resolved by its own service.
	kinds := links.Kinds{"incident": links.ResolverFunc(s.Incidents.LinkItems)}
	l.Register("incidents", kinds)
	l.UseTargets(incidentTargets{s})
	// A link another organisation made to an incident of this node may be
	// removed by the incident's writers.
	l.Own("incidents", "incident", links.OwnerFunc(s.Incidents.Writes))
	s.Norms.UseChain(l)
	// An incident's chain travels with its copies: a link to an incident
	// raises its version, and its envelopes carry the chain.
	s.Incidents.UseLinks(l)
	l.OnChange(s.Incidents.Relinked)
	// A statement is linked to the incident it names, which it names
	// only if its author sees it. (A node wired for the chain alone, in
	// tests, has no statements.)
	if s.Statements != nil {
		kinds["statement"] = links.ResolverFunc(s.Statements.LinkItems)
		s.Statements.UseLinks(l)
		s.Statements.UseIncidents(s.Incidents)
	}
	s.Links = l
	for _, m := range mods {
		if u, ok := m.(interface{ UseLinks(*links.Service) }); ok {
			u.UseLinks(l)
		}
	}
	return append(mods, links.NewModule(l, d.Web))
}

// incidentTargets offers the incidents a person may see as what a record
// may be linked to.
type incidentTargets struct{ s *Services }

func (t incidentTargets) Targets(ctx context.Context) ([]links.Item, error) {
	return t.s.Incidents.LinkTargets(ctx)
}
