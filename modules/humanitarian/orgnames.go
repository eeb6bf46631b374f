package humanitarian

import (
	"context"
	"strings"

	"entente.example/entente/internal/federation"
)

// OrgDirectory names organisations: this node's and its verified peers'.
type OrgDirectory interface {
	Host() string
	LocalOrgs(ctx context.Context) ([]federation.OrgInfo, error)
	RemoteOrgs(ctx context.Context) ([]federation.RemoteOrg, error)
}

// UseOrgNames shows organisations by their names rather than their
// addresses (handle@host), wherever the pages name one.
func (m *Module) UseOrgNames(d OrgDirectory) { m.orgs = d }

// orgNamer returns a function that names an address in lang, reading the
// directory once, on the first name a page asks for.
func (m *Module) orgNamer(ctx context.Context, lang string) func(string) string {
	if m.orgs == nil {
		return func(addr string) string { return addr }
	}
	var names map[string]federation.OrgInfo
	return func(addr string) string {
		if names == nil {
			names = map[string]federation.OrgInfo{}
			if local, err := m.orgs.LocalOrgs(ctx); err == nil {
				for _, o := range local {
					names[o.Handle+"@"+m.orgs.Host()] = o
				}
			}
			if remote, err := m.orgs.RemoteOrgs(ctx); err == nil {
				for _, o := range remote {
					names[o.Address()] = o.OrgInfo
				}
			}
		}
		o, ok := names[addr]
		if !ok {
			// A handle alone is this node's.
			if o, ok = names[addr+"@"+m.orgs.Host()]; !ok || strings.Contains(addr, "@") {
				return addr
			}
		}
		if lang == "id" && o.NameID != "" {
			return o.NameID
		}
		if o.NameEN != "" {
			return o.NameEN
		}
		return addr
	}
}
