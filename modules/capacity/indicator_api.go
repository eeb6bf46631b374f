package capacity

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

// refusal returns the import's refusal in err, if it is one.
func refusal(err error) *ImportRefused {
	var ref *ImportRefused
	if errors.As(err, &ref) {
		return ref
	}
	return nil
}

func (m *IndicatorsModule) apiIndicators(w http.ResponseWriter, r *http.Request) {
	inds, err := m.svc.Indicators(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	countries, err := m.svc.IndicatorCountries(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if inds == nil {
		inds = []Indicator{}
	}
	if countries == nil {
		countries = []CountryData{}
	}
	m.web.JSON(w, http.StatusOK, struct {
		Indicators []Indicator   `json:"indicators"`
		Countries  []CountryData `json:"countries"`
	}{inds, countries})
}

// apiItem is a profile's indicator with the link that suggests a need
// when its value is weak.
type apiItem struct {
	ProfileItem
	SuggestNeed string `json:"suggest_need,omitempty"`
}

func (m *IndicatorsModule) apiProfile(w http.ResponseWriter, r *http.Request) {
	p, err := m.svc.Profile(r.Context(), r.PathValue("code"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	out := struct {
		Country string    `json:"country"`
		Items   []apiItem `json:"items"`
	}{p.Country, []apiItem{}}
	for _, it := range p.Items {
		a := apiItem{ProfileItem: it}
		if it.Weak {
			a.SuggestNeed = SuggestNeed(m.web.Catalog(), web.Lang(r.Context()), p.Country, it)
		}
		out.Items = append(out.Items, a)
	}
	m.web.JSON(w, http.StatusOK, out)
}

// apiProblem is a refused line as the API says it.
type apiProblem struct {
	Line    int    `json:"line"`
	Column  string `json:"column,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// apiImport takes a text/csv body; the organisation is the org query
// parameter (which may be left out by someone who writes for one).
func (m *IndicatorsModule) apiImport(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "text/csv" {
		m.web.Error(w, r, core.Problems{"Content-Type": "err.ind_content_type"}.Err("capacity: import indicators"))
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxImportBytes+1))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	res, err := m.svc.ImportIndicators(r.Context(), r.URL.Query().Get("org"), data)
	if ref := refusal(err); ref != nil {
		lang := web.Lang(r.Context())
		out := struct {
			Error    web.APIErrorBody `json:"error"`
			Problems []apiProblem     `json:"problems"`
			Count    int              `json:"count"`
		}{Error: web.APIErrorBody{Kind: core.KindInvalid, Message: m.web.Catalog().T(lang, "err.ind_refused"), RequestID: core.RequestFrom(r.Context()).ID},
			Problems: []apiProblem{}, Count: ref.Count}
		for i, p := range explain(m.web.Catalog(), lang, ref) {
			out.Problems = append(out.Problems, apiProblem{Line: p.Line, Column: p.Column, Code: ref.Problems[i].Key, Message: p.Reason})
		}
		m.web.JSON(w, http.StatusUnprocessableEntity, out)
		return
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, res)
}
