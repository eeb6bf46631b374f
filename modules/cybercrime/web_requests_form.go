package cybercrime

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

// requestFormView is the form in its two steps: first who asks, what and
// of whom; then, once those are known, the legal bases the two states
// share for that kind and the fields its article asks for.
type requestFormView struct {
	web.Page
	Form    web.Form
	Senders []Sender
	Kinds   []Kind
	Groups  []counterpartGroup
	// Step2 is set once from, kind and to are chosen and known.
	Step2  bool
	Sender Sender
	To     Counterpart
	Kind   Kind
	Bases  []basisView
	// NoBasis is set when no instrument allows the kind between the two
	// states: the page shows why and the way back, not fields that could
	// never be sent.
	NoBasis       bool
	Fields        []Field
	Preservations []Request
	// Get is where step 1 goes (GET), Post where step 2 is sent; Edit is
	// the draft's id when a draft is changed.
	Get, Post, Edit string
}

// counterpartGroup is one <optgroup> of the "to" field: the 24/7
// networks' points of contact first, then each country.
type counterpartGroup struct {
	Label   string
	Network bool // the 24/7 points of contact; Label is a message key
	Items   []Counterpart
}

// formFields names the form's fields in the order a person meets them,
// for the error summary.
func (v requestFormView) Errors() []formProblem {
	names := []string{"from", "kind", "to", "basis", "language", "reference", "follows"}
	for _, f := range FormFields(v.Kind) {
		names = append(names, "f_"+f.Name)
	}
	var out []formProblem
	for _, n := range names {
		if p := v.Form.Err(n); p != "" {
			out = append(out, formProblem{Name: n, Label: fieldLabel(n), Problem: p})
		}
	}
	var rest []string
	for k := range v.Form.Problems {
		if !slices.Contains(names, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		out = append(out, formProblem{Name: k, Label: fieldLabel(k), Problem: v.Form.Problems[k]})
	}
	return out
}

type formProblem struct{ Name, Label, Problem string }

func fieldLabel(name string) string {
	if f, ok := strings.CutPrefix(name, "f_"); ok {
		return "cyb.field." + f
	}
	return "cyb.form." + name
}

// CountryOf names a country in the page's language.
func (v requestFormView) Country(code string) string { return CountryName(code, v.Lang) }

// Value returns a field of the kind as typed.
func (v requestFormView) Value(name string) string { return v.Form.Get("f_" + name) }

// ChangeLink goes back to step 1 with the choices kept.
func (v requestFormView) ChangeLink() string {
	q := url.Values{"step": {"1"}, "from": {v.Form.Get("from")}, "kind": {v.Form.Get("kind")}, "to": {v.Form.Get("to")}}
	return v.Get + "?" + q.Encode()
}

// formView builds the form for the values in f; step 2 unless step1 is
// asked for or a choice of step 1 is missing or unknown.
func (m *Module) formView(r *http.Request, f web.Form, step1 bool) (requestFormView, error) {
	ctx := r.Context()
	v := requestFormView{Page: m.web.Page(r, "title.cyb_request_new"), Form: f, Kinds: Kinds, Get: "/cybercrime/requests/new", Post: "/cybercrime/requests"}
	v.Nav = "cybercrime"
	var err error
	if v.Senders, err = m.svc.Senders(ctx); err != nil {
		return v, err
	}
	if len(v.Senders) == 1 && f.Get("from") == "" {
		v.Form.Values.Set("from", v.Senders[0].Handle)
	}
	v.Kind = Kind(f.Get("kind"))
	si := slices.IndexFunc(v.Senders, func(s Sender) bool { return s.Handle == f.Get("from") })
	// Until one is chosen, the list is for the organisation the "from"
	// field shows first.
	var from Sender
	if si >= 0 {
		from = v.Senders[si]
	} else if len(v.Senders) > 0 {
		from = v.Senders[0]
	}
	all, err := m.svc.Counterparts(ctx)
	if err != nil {
		return v, err
	}
	cps := offered(all, v.Kind, from)
	v.Groups = groupCounterparts(cps, v.Lang)
	ci := slices.IndexFunc(cps, func(c Counterpart) bool { return c.Addr == f.Get("to") })
	if !step1 && si >= 0 && ci < 0 && v.Kind.Valid() {
		// Chosen, but not where this kind may go from this organisation:
		// step 1 again, saying why.
		if ai := slices.IndexFunc(all, func(c Counterpart) bool { return c.Addr == f.Get("to") }); ai >= 0 {
			v.Form.Problems.Add("to", toProblemFor(v.Kind, all[ai], from))
			v.Form.Message = "err.form"
		}
	}
	if step1 || si < 0 || ci < 0 || !v.Kind.Valid() {
		return v, nil
	}
	v.Step2, v.Sender, v.To = true, v.Senders[si], cps[ci]
	v.Fields = FormFields(v.Kind)
	if v.Sender.Country != "" && v.To.Country != "" {
		b, err := m.svc.Bases(ctx, v.Sender.Country, v.To.Country, v.Kind)
		if err != nil && core.KindOf(err) != core.KindInvalid {
			return v, err
		}
		v.Bases = basisViews(m.web.Catalog(), v.Lang, b)
	}
	v.NoBasis = !slices.ContainsFunc(v.Bases, func(b basisView) bool { return b.Allowed })
	if v.NoBasis {
		return v, nil // nothing to fill in: the page says what to change
	}
	if v.Kind != KindPreservation {
		if v.Preservations, err = m.svc.Preservations(ctx, v.Sender.Handle, v.To.Addr); err != nil {
			return v, err
		}
	}
	return v, nil
}

// offered keeps the counterparts a request of kind k (any kind, when k is
// not chosen yet) from the organisation may go to: never itself, nor a body
// of its own state.
func offered(cps []Counterpart, k Kind, from Sender) []Counterpart {
	var out []Counterpart
	for _, c := range cps {
		if toProblemFor(k, c, from) == "" {
			out = append(out, c)
		}
	}
	return out
}

// toProblemFor is toProblem for a counterpart, with the requesting
// organisation itself refused as a body of its own state.
func toProblemFor(k Kind, c Counterpart, from Sender) string {
	if c.Local && strings.HasPrefix(c.Addr, from.Handle+"@") {
		return "err.cyb_to_same_state"
	}
	return toProblem(k, c.Kind, c.Country, from.Country)
}

// groupCounterparts puts the 24/7 networks' points of contact first, then
// the others grouped by country; within a group, by country and name, in
// the reader's language.
func groupCounterparts(cps []Counterpart, lang string) []counterpartGroup {
	cps = slices.Clone(cps)
	slices.SortStableFunc(cps, func(a, b Counterpart) int {
		if c := strings.Compare(CountryName(a.Country, lang), CountryName(b.Country, lang)); c != 0 {
			return c
		}
		return strings.Compare(strings.ToLower(a.Name(lang)), strings.ToLower(b.Name(lang)))
	})
	var net counterpartGroup
	var out []counterpartGroup
	for _, c := range cps {
		switch {
		case c.Network != "":
			net.Items = append(net.Items, c)
		case len(out) > 0 && out[len(out)-1].Label == CountryName(c.Country, lang):
			out[len(out)-1].Items = append(out[len(out)-1].Items, c)
		default:
			out = append(out, counterpartGroup{Label: CountryName(c.Country, lang), Items: []Counterpart{c}})
		}
	}
	if len(net.Items) > 0 {
		net.Label, net.Network = "cyb.form.network_contacts", true
		out = append([]counterpartGroup{net}, out...)
	}
	return out
}

// HasNetwork reports whether the list begins with 24/7 points of contact,
// for the hint that says so.
func (v requestFormView) HasNetwork() bool { return len(v.Groups) > 0 && v.Groups[0].Network }

// queryForm reads step 1's choices from the query string.
func queryForm(r *http.Request) web.Form {
	q := r.URL.Query()
	vals := url.Values{}
	for _, k := range []string{"from", "kind", "to"} {
		if s := q.Get(k); s != "" {
			vals.Set(k, s)
		}
	}
	return web.Form{Values: vals, Problems: core.Problems{}}
}

func (m *Module) requestNew(w http.ResponseWriter, r *http.Request) {
	f := queryForm(r)
	f.Values.Set("language", web.Lang(r.Context()))
	v, err := m.formView(r, f, r.URL.Query().Get("step") == "1")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "cybercrime/request_form", v)
}

// inputFromForm reads step 2: the kind's fields are named f_NAME, as the
// service names their problems.
func inputFromForm(f web.Form) Input {
	in := Input{From: f.Get("from"), To: f.Get("to"), Kind: Kind(f.Get("kind")), Basis: f.Get("basis"), Language: f.Get("language"),
		Reference: f.Get("reference"), Follows: f.Get("follows"), Fields: map[string]string{}}
	for _, fl := range FormFields(in.Kind) {
		in.Fields[fl.Name] = f.Get("f_" + fl.Name)
	}
	return in
}

func (m *Module) requestCreate(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	req, err := m.svc.Create(r.Context(), inputFromForm(f))
	if err != nil {
		m.formAgain(w, r, f, err, "")
		return
	}
	m.web.Redirect(w, r, "/cybercrime/requests/"+req.ID, "flash.cyb_drafted")
}

// formAgain shows the form with its problems and what was typed.
func (m *Module) formAgain(w http.ResponseWriter, r *http.Request, f web.Form, err error, edit string) {
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	v, verr := m.formView(r, f, false)
	if verr != nil {
		m.web.Error(w, r, verr)
		return
	}
	if edit != "" {
		v.editing(edit)
	}
	m.web.Render(w, r, web.FormStatus(err), "cybercrime/request_form", v)
}

func (v *requestFormView) editing(id string) {
	v.Edit = id
	v.Title = "title.cyb_request_edit"
	v.Get = "/cybercrime/requests/" + id + "/edit"
	v.Post = v.Get
}

// requestEdit shows a draft in the form; step 1's choices in the query
// (after "change") replace the draft's.
func (m *Module) requestEdit(w http.ResponseWriter, r *http.Request) {
	req, err := m.svc.Request(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if req.State != StateDraft || req.Direction != "out" {
		m.web.Error(w, r, errOp("edit", core.KindConflict, "err.cyb_not_draft"))
		return
	}
	handle, _, _ := strings.Cut(req.From, "@")
	vals := url.Values{"from": {handle}, "kind": {string(req.Kind)}, "to": {req.To}, "basis": {req.Basis}, "language": {req.Language},
		"reference": {req.Reference}}
	if req.Follows != "" {
		vals.Set("follows", req.Follows)
	}
	for k, s := range req.Fields {
		vals.Set("f_"+k, s)
	}
	if q := queryForm(r); q.Get("kind") != "" {
		for _, k := range []string{"kind", "to"} {
			vals.Set(k, q.Get(k))
		}
	}
	v, err := m.formView(r, web.Form{Values: vals, Problems: core.Problems{}}, r.URL.Query().Get("step") == "1")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.editing(req.ID)
	// The draft's organisation is fixed: it drafted it.
	v.Senders = slices.DeleteFunc(v.Senders, func(s Sender) bool { return s.Handle != handle })
	m.web.Render(w, r, http.StatusOK, "cybercrime/request_form", v)
}

func (m *Module) requestUpdate(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	id := r.PathValue("id")
	if _, err := m.svc.UpdateDraft(r.Context(), id, inputFromForm(f)); err != nil {
		m.formAgain(w, r, f, err, id)
		return
	}
	m.web.Redirect(w, r, "/cybercrime/requests/"+id, "flash.cyb_saved")
}
