package humanitarian

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// The module's API is described in one OpenAPI file per part
// (openapi*.json), merged here.
//
//go:embed openapi*.json
var openapiFS embed.FS

// OpenAPI implements web.OpenAPISource: the parts' paths and schemas in one
// document.
func (m *Module) OpenAPI() []byte { return mergedOpenAPI }

var mergedOpenAPI = mergeOpenAPI(openapiFS)

func mergeOpenAPI(fsys fs.FS) []byte {
	out := map[string]map[string]json.RawMessage{"paths": {}, "components": {}}
	schemas := map[string]json.RawMessage{}
	files, _ := fs.Glob(fsys, "openapi*.json")
	slices.Sort(files)
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			panic(err)
		}
		var doc struct {
			Paths      map[string]json.RawMessage `json:"paths"`
			Components struct {
				Schemas map[string]json.RawMessage `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			panic("humanitarian: " + name + ": " + err.Error())
		}
		for k, v := range doc.Paths {
			if _, dup := out["paths"][k]; dup {
				panic("humanitarian: " + name + " describes " + k + " again")
			}
			out["paths"][k] = v
		}
		for k, v := range doc.Components.Schemas {
			schemas[k] = v
		}
	}
	sb, _ := json.Marshal(schemas)
	out["components"]["schemas"] = sb
	b, _ := json.Marshal(out)
	return b
}

func (m *Module) apiRoutes() []web.Route {
	pub, wr := access.HumPublic, access.HumWrite
	return []web.Route{
		{Pattern: "GET /api/v1/humanitarian/emergencies", Action: pub, Handler: m.apiEmergencies},
		{Pattern: "POST /api/v1/humanitarian/emergencies", Action: wr, Handler: m.apiCreateEmergency},
		{Pattern: "GET /api/v1/humanitarian/emergencies/{id}", Action: pub, Handler: m.apiEmergency},
		{Pattern: "PUT /api/v1/humanitarian/emergencies/{id}", Action: wr, Handler: m.apiUpdateEmergency},
		{Pattern: "GET /api/v1/humanitarian/emergencies/{id}/reports", Action: pub, Handler: m.apiReports},
		{Pattern: "POST /api/v1/humanitarian/emergencies/{id}/reports", Action: access.HumReport, Handler: m.apiSubmit},
		{Pattern: "GET /api/v1/humanitarian/reports/{id}", Action: pub, Handler: m.apiReport},
		{Pattern: "POST /api/v1/humanitarian/reports/{id}/decision", Action: wr, Handler: m.apiDecide},
		{Pattern: "PUT /api/v1/humanitarian/reports/{id}/text", Action: wr, Handler: m.apiEditText},
	}
}

func (m *Module) apiEmergencies(w http.ResponseWriter, r *http.Request) {
	list, err := m.svc.Emergencies(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, list)
}

func (m *Module) apiEmergency(w http.ResponseWriter, r *http.Request) {
	e, err := m.svc.Emergency(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, e)
}

// emergencyJSON is an emergency as a client sends it.
type emergencyJSON struct {
	Org       string   `json:"org"` // the lead organisation's handle, on creation
	Title     string   `json:"title"`
	Kind      string   `json:"kind"`
	Glide     string   `json:"glide"`
	Country   string   `json:"country"`
	Areas     []string `json:"areas"`
	Box       *Box     `json:"box"`
	StartedOn string   `json:"started_on"`
	EndedOn   string   `json:"ended_on"`
	Languages []string `json:"languages"`
	Summary   string   `json:"summary"`
	Status    string   `json:"status"`
	SMSNumber string   `json:"sms_number"`
}

func (in emergencyJSON) emergency() Emergency {
	e := Emergency{Title: in.Title, Kind: in.Kind, Glide: in.Glide, Country: in.Country, Areas: in.Areas, StartedOn: in.StartedOn,
		EndedOn: in.EndedOn, Languages: in.Languages, Summary: in.Summary, Status: in.Status, SMSNumber: in.SMSNumber}
	if in.Box != nil {
		e.Box = *in.Box
	}
	return e
}

func (m *Module) apiCreateEmergency(w http.ResponseWriter, r *http.Request) {
	var in emergencyJSON
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	e, err := m.svc.CreateEmergency(r.Context(), in.Org, in.emergency())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, e)
}

func (m *Module) apiUpdateEmergency(w http.ResponseWriter, r *http.Request) {
	var in emergencyJSON
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	old, err := m.svc.Emergency(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	e := in.emergency()
	e.Coordinators = old.Coordinators
	if e, err = m.svc.UpdateEmergency(r.Context(), old.ID, e); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, e)
}

func (m *Module) apiReports(w http.ResponseWriter, r *http.Request) {
	e, err := m.svc.Emergency(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	f := filterFrom(r, m.svc.db.Clock().Now())
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil {
		f.Limit = n
	}
	list, err := m.svc.Reports(r.Context(), e, f)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, list)
}

func (m *Module) apiReport(w http.ResponseWriter, r *http.Request) {
	rep, err := m.svc.Report(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, rep)
}

// reportJSON is a report as a client sends it.
type reportJSON struct {
	Text       string     `json:"text"`
	Category   string     `json:"category"`
	Lat        *float64   `json:"lat"`
	Lon        *float64   `json:"lon"`
	Place      string     `json:"place"`
	OccurredAt *time.Time `json:"occurred_at"`
	Lang       string     `json:"lang"`
	Name       string     `json:"name"`
	Contact    string     `json:"contact"`
}

// apiSubmit takes a report from a client, signed in or not; anonymous
// clients are throttled by address like the public form.
func (m *Module) apiSubmit(w http.ResponseWriter, r *http.Request) {
	var in reportJSON
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	ri := ReportInput{EmergencyID: r.PathValue("id"), Channel: ChannelAPI, Text: in.Text, Category: in.Category, Lat: in.Lat, Lon: in.Lon,
		Place: in.Place, Lang: in.Lang, Name: in.Name, Contact: in.Contact}
	if in.OccurredAt != nil {
		ri.OccurredAt = *in.OccurredAt
	}
	if core.ActorFrom(r.Context()).Anonymous() {
		if err := m.svc.Throttle(r.Context(), clientKey(core.RequestFrom(r.Context()).IP), formPerHour); err != nil {
			m.web.Error(w, r, err)
			return
		}
	}
	rep, err := m.svc.Submit(r.Context(), ri)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, rep)
}

func (m *Module) apiDecide(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Verdict string `json:"verdict"`
		Reason  string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	rep, err := m.svc.Decide(r.Context(), r.PathValue("id"), in.Verdict, in.Reason)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, rep)
}
