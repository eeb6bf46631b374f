package dialogue

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// Hit is a contribution found by a search: where it is and what it says,
// never who wrote it (whatever the rule: a list of hits is easily copied
// out of the room).
type Hit struct {
	Dialogue string `json:"dialogue" db:"dialogue_id"`
	Title    string `json:"title" db:"title"`
	ID       string `json:"id" db:"id"`
	Body     string `json:"excerpt" db:"body"`
}

// maxHits bounds a search's answer.
const maxHits = 50

// Search finds visible contributions containing q in the dialogues the
// actor takes part in.
func (s *Service) Search(ctx context.Context, q string) ([]Hit, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	if k := core.CheckText(q); k != "" || utf8.RuneCountInString(q) > 200 {
		if k == "" {
			k = "err.too_long"
		}
		return nil, core.Problems{"q": k}.Err("dialogue: search")
	}
	a := core.ActorFrom(ctx)
	var addrs []any
	for _, m := range a.Memberships {
		if access.Check(a, access.DialogueRead, access.Resource{OrgID: m.Org.ID}) == nil {
			addrs = append(addrs, m.Org.Handle+"@"+s.fed.Host())
		}
	}
	if len(addrs) == 0 {
		return nil, nil
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q)) + "%"
	args := append([]any{like}, addrs...)
	var hits []Hit
	err := s.db.R().Select(ctx, &hits, `SELECT c.dialogue_id, d.title, c.id, c.body FROM dlg_contributions c JOIN dlg_dialogues d ON d.id = c.dialogue_id
		WHERE c.state = 'visible' AND LOWER(c.body) LIKE ? ESCAPE '\' AND c.dialogue_id IN (SELECT dialogue_id FROM dlg_parties WHERE addr IN (`+marks(len(addrs))+`))
		ORDER BY c.created_at DESC, c.id LIMIT `+itoa(maxHits), args...)
	for i := range hits {
		hits[i].Body = excerpt(hits[i].Body, 300)
	}
	return hits, core.Wrap("dialogue: search", err)
}

type searchView struct {
	web.Page
	Q    string
	Hits []Hit
	Form web.Form
}

func (m *Module) search(w http.ResponseWriter, r *http.Request) {
	v := searchView{Page: m.web.Page(r, "title.dialogue_search"), Q: r.URL.Query().Get("q")}
	v.Nav = "dialogue"
	hits, err := m.svc.Search(r.Context(), v.Q)
	if err != nil {
		f := web.Form{Values: r.URL.Query()}
		if f.Take(err) {
			v.Form = f
			m.web.Render(w, r, web.FormStatus(err), "dialogue/search", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	v.Hits = hits
	m.web.Render(w, r, http.StatusOK, "dialogue/search", v)
}
