package directory

import (
	"context"
	"net/http"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/web"
)

func (m *Module) addressRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /addresses", Action: access.DirectoryRead, Handler: m.addressSearch},
		{Pattern: "GET /api/v1/addresses", Action: access.DirectoryRead, Handler: m.apiAddressSearch},
	}
}

// Addresses is the address book for the other modules' "to" fields, which
// know federation's types and not this package's.
func (s *Networks) Addresses(ctx context.Context, q string) ([]federation.RemoteOrg, error) {
	book, err := s.AddressBook(ctx, q)
	out := make([]federation.RemoteOrg, len(book))
	for i, a := range book {
		out[i] = a.RemoteOrg
	}
	return out, err
}

type addressView struct {
	web.Page
	Q     string
	Book  []Addressee
	Limit int
}

// addressSearch is the address book without JavaScript: a search whose
// results link back to the new-message form with the address filled in.
func (m *Module) addressSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := addressView{Page: m.web.Page(r, "title.addresses"), Q: q.Get("q"), Limit: MaxAddresses}
	v.Nav = "orgs"
	var err error
	if v.Book, err = m.nets.AddressBook(r.Context(), v.Q); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "directory/addresses", v)
}

func (m *Module) apiAddressSearch(w http.ResponseWriter, r *http.Request) {
	book, err := m.nets.AddressBook(r.Context(), r.URL.Query().Get("q"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if book == nil {
		book = []Addressee{}
	}
	m.web.JSON(w, http.StatusOK, web.List[Addressee]{Items: book})
}

// peerOrgs is the part of the address book on other nodes that matches the
// filters of the organisations page.
func (m *Module) peerOrgs(ctx context.Context, q string, kind core.OrgKind, country string) ([]Addressee, error) {
	book, err := m.nets.AddressBook(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []Addressee
	for _, a := range book {
		if a.Local || (kind != "" && core.OrgKind(a.Kind) != kind) || (country != "" && !strings.EqualFold(a.Country, country)) {
			continue
		}
		out = append(out, a)
	}
	return out, nil
}
