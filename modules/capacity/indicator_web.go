package capacity

import (
	_ "embed"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/names"
	"entente.example/entente/internal/web"
)

// IndicatorsModule is the indicators' slice of capacity building: the
// index of indicators and countries with the import form, a country's
// profile, a comparison of countries, and their JSON API
// (indicator_api.go, described by openapi_indicators.json). Indicators are
// public data: reading is anyone's; importing is an organisation's writer's
// (access.CapacityWrite).
type IndicatorsModule struct {
	svc *Service
	web *web.Server
}

// NewIndicatorsModule returns the module.
func NewIndicatorsModule(svc *Service, w *web.Server) *IndicatorsModule {
	return &IndicatorsModule{svc: svc, web: w}
}

// Name implements web.Module.
func (m *IndicatorsModule) Name() string { return "capacity-indicators" }

//go:embed openapi_indicators.json
var indicatorsOpenAPI []byte

// OpenAPI implements web.OpenAPISource.
func (m *IndicatorsModule) OpenAPI() []byte { return indicatorsOpenAPI }

// importBody is what an import request may carry: the file and the
// multipart framing and fields around it.
const importBody = MaxImportBytes + 64<<10

// Routes implements web.Module.
func (m *IndicatorsModule) Routes() []web.Route {
	pub, wr := access.CapacityPublic, access.CapacityWrite
	return []web.Route{
		{Pattern: "GET /capacity/indicators", Action: pub, Handler: m.index},
		{Pattern: "POST /capacity/indicators/import", Action: wr, Handler: m.importFile, MaxBody: importBody},
		{Pattern: "GET /capacity/indicators/compare", Action: pub, Handler: m.compare},
		{Pattern: "GET /capacity/indicators/countries/{code}", Action: pub, Handler: m.profile},

		{Pattern: "GET /api/v1/capacity/indicators", Action: pub, Handler: m.apiIndicators},
		{Pattern: "GET /api/v1/capacity/indicators/countries/{code}", Action: pub, Handler: m.apiProfile},
		{Pattern: "POST /api/v1/capacity/indicators/import", Action: wr, Handler: m.apiImport, MaxBody: importBody},
	}
}

// indBase is what every indicators page has.
type indBase struct {
	web.Page
	W    Words
	Orgs []core.OrgRef // where the viewer may import
}

// IndName names an indicator in the page's language.
func (b indBase) IndName(i Indicator) string { return i.Name.In(b.Lang) }

func (m *IndicatorsModule) base(r *http.Request, title string, args ...any) indBase {
	p := m.web.Page(r, title, args...)
	p.Nav = "capacity"
	return indBase{Page: p, W: Words{lang: p.Lang, cat: m.web.Catalog()}, Orgs: Writable(core.ActorFrom(r.Context()))}
}

// ProblemLine is a refused line of an import in words.
type ProblemLine struct {
	Line   int
	Column string
	Reason string
}

type indexView struct {
	indBase
	Indicators []Indicator
	Countries  []CountryData
	Form       web.Form
	FileName   string        // the upload's name, kept when it is refused
	Problems   []ProblemLine // why it was refused
	More       int           // problems found beyond those listed
	Result     *ImportResult
	Columns    string
	MaxRows    int
	MaxMB      int
}

func (m *IndicatorsModule) indexView(r *http.Request, f web.Form) (indexView, error) {
	v := indexView{indBase: m.base(r, "title.ind"), Form: f, Columns: strings.Join(append(append([]string{}, importRequired...), importOptional...), ","),
		MaxRows: MaxImportRows, MaxMB: MaxImportBytes >> 20}
	var err error
	if v.Indicators, err = m.svc.Indicators(r.Context()); err != nil {
		return v, err
	}
	v.Countries, err = m.svc.IndicatorCountries(r.Context())
	return v, err
}

func (m *IndicatorsModule) index(w http.ResponseWriter, r *http.Request) {
	v, err := m.indexView(r, web.Form{Problems: core.Problems{}})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "capacity/indicators", v)
}

// explain says a refusal's problems in lang.
func explain(cat web.Catalog, lang string, ref *ImportRefused) []ProblemLine {
	out := make([]ProblemLine, len(ref.Problems))
	for i, p := range ref.Problems {
		args := make([]any, len(p.Args))
		for k, a := range p.Args {
			args[k] = a
		}
		out[i] = ProblemLine{Line: p.Line, Column: p.Column, Reason: cat.T(lang, p.Key, args...)}
	}
	return out
}

// importFile takes the file from the upload or, without one, from the
// text area.
func (m *IndicatorsModule) importFile(w http.ResponseWriter, r *http.Request) {
	var data []byte
	var name string
	if err := r.ParseMultipartForm(MaxImportBytes); err == nil {
		if file, h, err := r.FormFile("file"); err == nil {
			defer file.Close()
			name = h.Filename
			if data, err = io.ReadAll(io.LimitReader(file, MaxImportBytes+1)); err != nil {
				m.web.Error(w, r, core.Wrap("capacity: read upload", err))
				return
			}
		}
	} else {
		_ = r.ParseForm()
	}
	f := web.Form{Values: r.PostForm, Problems: core.Problems{}}
	if len(data) == 0 {
		data = []byte(r.PostForm.Get("csv"))
	}
	res, err := m.svc.ImportIndicators(r.Context(), r.PostForm.Get("org"), data)
	v, verr := m.indexView(r, f)
	if verr != nil {
		m.web.Error(w, r, verr)
		return
	}
	v.FileName = name
	if ref := refusal(err); ref != nil {
		v.Problems, v.More = explain(m.web.Catalog(), v.Lang, ref), ref.Count-len(ref.Problems)
		v.Form.Message = "err.ind_refused"
		m.web.Render(w, r, http.StatusUnprocessableEntity, "capacity/indicators", v)
		return
	}
	if err != nil {
		if v.Form.Take(err) {
			m.web.Render(w, r, web.FormStatus(err), "capacity/indicators", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	v.Result = &res
	m.web.Render(w, r, http.StatusOK, "capacity/indicators", v)
}

// profileItem is one indicator of a profile as the page shows it.
type profileItem struct {
	ProfileItem
	Chart   IndChart
	Suggest string // the link that suggests a need, for a weak value
}

type profileView struct {
	indBase
	Country string
	Items   []profileItem
	Compare string // a comparison with the country's neighbours
}

func (m *IndicatorsModule) profile(w http.ResponseWriter, r *http.Request) {
	code := strings.ToUpper(r.PathValue("code"))
	p, err := m.svc.Profile(r.Context(), code)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := profileView{indBase: m.base(r, "title.ind_profile", names.Country(p.Country, web.Lang(r.Context()))), Country: p.Country}
	for _, it := range p.Items {
		pi := profileItem{ProfileItem: it, Chart: ProfileChart(it.Series)}
		if it.Weak {
			pi.Suggest = SuggestNeed(m.web.Catalog(), v.Lang, p.Country, it)
		}
		v.Items = append(v.Items, pi)
	}
	m.web.Render(w, r, http.StatusOK, "capacity/indicator_profile", v)
}

// SuggestNeed is the link to the needs page's form, filled in from a weak
// indicator: the country, the indicator's topic, a title and a
// description that name the indicator and its value.
func SuggestNeed(cat web.Catalog, lang, country string, it ProfileItem) string {
	cn, in := names.Country(country, lang), it.Indicator.Name.In(lang)
	q := url.Values{}
	q.Set("country", country)
	if it.Indicator.Topic != "" {
		q.Set("topics", it.Indicator.Topic)
	}
	q.Set("title", cat.T(lang, "ind.suggest_title", in, cn))
	q.Set("description", cat.T(lang, "ind.suggest_description", cn, in, it.Latest.Text, it.Latest.Unit, it.Latest.Year, it.Rank, it.Of, it.Latest.Source))
	return "/capacity/needs?" + q.Encode() + "#post"
}

type compareView struct {
	indBase
	Indicators []Indicator
	Countries  []CountryData
	Chosen     []string
	Code       string
	C          *Comparison
	Chart      IndChart
	Years      []int
}

// Has says whether the comparison is of country.
func (v compareView) Has(country string) bool {
	return slices.Contains(v.Chosen, country)
}

// Value is a country's value in a year, as given, or "".
func (v compareView) Value(s Series, year int) string {
	for _, o := range s.Points {
		if o.Year == year {
			return o.Text
		}
	}
	return ""
}

func (m *IndicatorsModule) compare(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := compareView{indBase: m.base(r, "title.ind_compare"), Code: strings.ToLower(q.Get("indicator"))}
	for _, c := range q["countries"] {
		for _, k := range words(c) {
			v.Chosen = append(v.Chosen, strings.ToUpper(k))
		}
	}
	var err error
	if v.Indicators, err = m.svc.Indicators(r.Context()); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if v.Countries, err = m.svc.IndicatorCountries(r.Context()); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if v.Code == "" {
		// Opened without a choice: the indicator most countries have,
		// so that the page compares something at once.
		best := 0
		for _, in := range v.Indicators {
			if in.Countries > best {
				v.Code, best = in.Code, in.Countries
			}
		}
	}
	if v.Code != "" {
		c, err := m.svc.Compare(r.Context(), v.Code, v.Chosen)
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
		v.C = &c
		v.Chart = CompareChart(c.Series, func(k string) string { return names.Country(k, v.Lang) })
		for _, s := range c.Series {
			for _, o := range s.Points {
				if !slices.Contains(v.Years, o.Year) {
					v.Years = append(v.Years, o.Year)
				}
			}
		}
		slices.Sort(v.Years)
	}
	m.web.Render(w, r, http.StatusOK, "capacity/indicator_compare", v)
}

// Host is a source's host, the link text of its address.
func (b indBase) Host(source string) string {
	if u, err := url.Parse(source); err == nil && u.Host != "" {
		return strings.TrimPrefix(u.Host, "www.")
	}
	return source
}
