package incidents

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// fileRoutes are the codebook's files: exports of what the reader may see,
// in CSV and JSON, and the CSV import.
func (m *Module) fileRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /incidents/export.csv", Action: access.IncidentsRead, Handler: m.exportCSV},
		{Pattern: "GET /incidents/export.json", Action: access.IncidentsRead, Handler: m.exportJSON},
		{Pattern: "GET /incidents/import", Action: access.IncidentsWrite, Handler: m.importForm},
		{Pattern: "POST /incidents/import", Action: access.IncidentsWrite, Handler: m.importFile, MaxBody: maxImportBytes + 64<<10},
	}
}

// maxExport bounds one export; a larger set is exported by filters.
const maxExport = 10000

// Records returns every incident the actor may see that f selects, with
// attributions and responses, up to maxExport.
func (s *Service) Records(ctx context.Context, f Filter) ([]Incident, error) {
	var out []Incident
	f.Page = core.Page{Limit: 200}
	for len(out) < maxExport {
		page, next, err := s.List(ctx, f)
		if err != nil {
			return nil, err
		}
		for i := range page {
			if err := loadChildren(ctx, s.db.R(), &page[i]); err != nil {
				return nil, err
			}
		}
		out = append(out, page...)
		if next == "" {
			break
		}
		f.Page.Cursor = next
	}
	return out, nil
}

// Import records each accepted row as an incident of the organisation org
// (its handle), and returns every row: recorded (with its id) or refused
// with its problems. A row is recorded on its own: one refused row does
// not refuse the others.
func (s *Service) Import(ctx context.Context, org string, rows []ImportRow) ([]ImportRow, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.IncidentsWrite, access.Resource{}); err != nil {
		return nil, err
	}
	if _, ok := writerOrg(a, org); !ok {
		return nil, core.Problems{"org": "err.org_unknown"}.Err("incidents: import")
	}
	for k := range rows {
		if len(rows[k].Problems) > 0 {
			continue
		}
		inc, err := s.Create(ctx, org, rows[k].Incident)
		if ce := core.AsError(err); ce != nil && ce.Kind == core.KindInvalid && len(ce.Fields) > 0 {
			rows[k].Problems = ce.Fields
			continue
		}
		if err != nil {
			return rows, err
		}
		rows[k].ID = inc.ID
	}
	return rows, nil
}

func (m *Module) exportCSV(w http.ResponseWriter, r *http.Request) {
	f, err := FilterFromQuery(r.URL.Query())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	all, err := m.svc.Records(r.Context(), f)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="incidents.csv"`)
	cw := csv.NewWriter(w)
	cw.Write(append(append([]string{}, codebook...), exportOnly...))
	for _, i := range all {
		cw.Write(csvSafe(csvRecord(i)))
	}
	cw.Flush()
}

func (m *Module) exportJSON(w http.ResponseWriter, r *http.Request) {
	f, err := FilterFromQuery(r.URL.Query())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	all, err := m.svc.Records(r.Context(), f)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if all == nil {
		all = []Incident{}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="incidents.json"`)
	json.NewEncoder(w).Encode(struct {
		Incidents []Incident `json:"incidents"`
	}{all})
}

type importView struct {
	web.Page
	Form     web.Form
	Orgs     []core.OrgRef
	Rows     []ImportRow
	Header   string
	Accepted int
}

// Refused counts the refused rows.
func (v importView) Refused() int { return len(v.Rows) - v.Accepted }

// Label names a codebook column for an error line.
func (v importView) Label(field string) string { return "inc.field." + field }

func (m *Module) importView(r *http.Request, f web.Form) importView {
	v := importView{Page: m.web.Page(r, "title.inc_import"), Form: f, Orgs: Writable(core.ActorFrom(r.Context())), Header: strings.Join(codebook, ",")}
	v.Nav = "incidents"
	return v
}

func (m *Module) importForm(w http.ResponseWriter, r *http.Request) {
	m.web.Render(w, r, http.StatusOK, "incidents/import", m.importView(r, web.Form{Problems: core.Problems{}}))
}

// importFile takes the file from an upload or from the text area.
func (m *Module) importFile(w http.ResponseWriter, r *http.Request) {
	f := web.Form{Problems: core.Problems{}}
	var text string
	if err := r.ParseMultipartForm(maxImportBytes); err == nil {
		if file, _, err := r.FormFile("file"); err == nil {
			defer file.Close()
			b := new(strings.Builder)
			if _, err := copyBounded(b, file); err != nil {
				f.Problems.Add("file", "err.too_long")
			}
			text = b.String()
		}
	} else {
		_ = r.ParseForm()
	}
	f.Values = r.PostForm
	if strings.TrimSpace(text) == "" {
		text = r.PostForm.Get("csv")
	}
	v := m.importView(r, f)
	rows, err := ParseCSV(strings.NewReader(text))
	if err != nil {
		f.Problems.Add("file", "err.inc_csv")
		f.Message = "err.form"
		v.Form = f
		m.web.Render(w, r, http.StatusUnprocessableEntity, "incidents/import", v)
		return
	}
	rows, err = m.svc.Import(r.Context(), r.PostForm.Get("org"), rows)
	if err != nil {
		if !v.Form.Take(err) {
			m.web.Error(w, r, err)
			return
		}
		m.web.Render(w, r, web.FormStatus(err), "incidents/import", v)
		return
	}
	v.Rows = rows
	for _, row := range rows {
		if row.ID != "" {
			v.Accepted++
		}
	}
	m.web.Render(w, r, http.StatusOK, "incidents/import", v)
}

func copyBounded(dst *strings.Builder, src interface{ Read([]byte) (int, error) }) (int64, error) {
	buf := make([]byte, 32<<10)
	var n int64
	for {
		k, err := src.Read(buf)
		dst.Write(buf[:k])
		n += int64(k)
		if n > maxImportBytes {
			return n, core.Problems{"file": "err.too_long"}.Err("incidents: import")
		}
		if err != nil {
			return n, nil
		}
	}
}
