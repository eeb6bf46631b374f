package directory

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
)

// MaxAddresses bounds what one answer of the address book holds: a datalist
// of every organisation of every peer would be too heavy for a page, and the
// search narrows it.
const MaxAddresses = 500

// Addressee is an organisation a person can write to: one of this node's
// (Local), one of a verified peer's as its directory last said, or a member
// of a POC network the person's organisations belong to.
type Addressee struct {
	federation.RemoteOrg
	Addr  string `json:"address"` // handle@host
	Local bool   `json:"local"`
}

// Name returns the organisation's name in lang, falling back to English.
func (a Addressee) Name(lang string) string {
	if lang == "id" && a.NameID != "" {
		return a.NameID
	}
	return a.NameEN
}

// KindKnown reports whether the kind a peer gave is one this node knows.
func (a Addressee) KindKnown() bool { return core.OrgKind(a.Kind).Valid() }

// CountryName returns the country's name in lang.
func (a Addressee) CountryName(lang string) string { return CountryName(a.Country, lang) }

// AddressBook returns the organisations the actor can address, matching q
// (on handle, host, names and country; empty matches all), this node's
// first, then by node and handle; at most MaxAddresses.
func (s *Networks) AddressBook(ctx context.Context, q string) ([]Addressee, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.DirectoryRead, access.Resource{}); err != nil {
		return nil, err
	}
	host := s.fed.Host()
	seen := map[string]bool{}
	var out []Addressee
	add := func(x Addressee) {
		x.Handle, x.Host = strings.ToLower(x.Handle), strings.ToLower(x.Host)
		if x.Handle == "" || seen[x.Address()] || !matches(x, q) {
			return
		}
		seen[x.Address()] = true
		x.Addr = x.Address()
		out = append(out, x)
	}
	var local []federation.OrgInfo
	if err := s.db.R().Select(ctx, &local, `SELECT handle, kind, country, name_en, name_id FROM organisations ORDER BY handle`); err != nil {
		return nil, core.Wrap("directory: address book", err)
	}
	for _, o := range local {
		add(Addressee{RemoteOrg: federation.RemoteOrg{OrgInfo: o, Host: host}, Local: true})
	}
	remote, err := s.fed.RemoteOrgs(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range remote {
		add(Addressee{RemoteOrg: o})
	}
	members, err := s.networkMembersOf(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		handle, h, ok := federation.Address(m.Addr)
		if !ok {
			continue
		}
		add(Addressee{RemoteOrg: federation.RemoteOrg{OrgInfo: federation.OrgInfo{Handle: handle, Country: m.Country, NameEN: m.NameEN, NameID: m.NameID}, Host: h}, Local: h == host})
	}
	slices.SortStableFunc(out, func(x, y Addressee) int {
		if x.Local != y.Local {
			if x.Local {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(x.Host, y.Host), strings.Compare(x.Handle, y.Handle))
	})
	if len(out) > MaxAddresses {
		out = out[:MaxAddresses]
	}
	return out, nil
}

// networkMembersOf lists the members of the networks the actor's
// organisations are members or the secretariat of.
func (s *Networks) networkMembersOf(ctx context.Context, a core.Actor) ([]NetworkMember, error) {
	if len(a.Memberships) == 0 {
		return nil, nil
	}
	var ids, addrs []any
	for _, m := range a.Memberships {
		ids, addrs = append(ids, m.Org.ID), append(addrs, s.addr(m.Org.Handle))
	}
	marks := func(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }
	var ms []NetworkMember
	err := s.db.R().Select(ctx, &ms, `SELECT m.addr, m.name_en, m.name_id, m.country FROM poc_members m JOIN poc_networks n ON n.id = m.network_id
		WHERE EXISTS (SELECT 1 FROM poc_members me WHERE me.network_id = n.id AND me.org_id IN (`+marks(len(ids))+`)) OR n.secretariat IN (`+marks(len(addrs))+`)
		ORDER BY m.addr`, append(ids, addrs...)...)
	return ms, core.Wrap("directory: network members", err)
}

func matches(x Addressee, q string) bool {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		return true
	}
	for _, f := range []string{x.Address(), x.NameEN, x.NameID, x.Country} {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

// NetworkMembers returns, for the networks with one of the slugs that the
// actor's organisations are members or the secretariat of, each member's
// address and the slug of its network: how another module finds the
// points of contact of a 24/7 network among the addresses it offers.
func (s *Networks) NetworkMembers(ctx context.Context, slugs ...string) (map[string]string, error) {
	a := core.ActorFrom(ctx)
	out := map[string]string{}
	if len(a.Memberships) == 0 || len(slugs) == 0 {
		return out, nil
	}
	var args []any
	for _, sl := range slugs {
		args = append(args, sl)
	}
	var ids, addrs []any
	for _, m := range a.Memberships {
		ids, addrs = append(ids, m.Org.ID), append(addrs, s.addr(m.Org.Handle))
	}
	marks := func(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }
	var rows []struct {
		Addr string `db:"addr"`
		Slug string `db:"slug"`
	}
	err := s.db.R().Select(ctx, &rows, `SELECT m.addr, n.slug FROM poc_members m JOIN poc_networks n ON n.id = m.network_id
		WHERE n.slug IN (`+marks(len(args))+`) AND (EXISTS (SELECT 1 FROM poc_members me WHERE me.network_id = n.id AND me.org_id IN (`+marks(len(ids))+`))
		OR n.secretariat IN (`+marks(len(addrs))+`)) ORDER BY m.addr`, append(append(args, ids...), addrs...)...)
	for _, r := range rows {
		out[r.Addr] = r.Slug
	}
	return out, core.Wrap("directory: network members", err)
}
