package humanitarian

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

func (m *Module) infoRoutes() []web.Route {
	pub, wr := access.HumPublic, access.HumWrite
	return []web.Route{
		{Pattern: "GET /humanitarian/emergencies/{id}/info", Action: pub, Handler: m.infoPage},
		{Pattern: "GET /humanitarian/emergencies/{id}/info.txt", Action: pub, Handler: m.infoText},
		{Pattern: "GET /humanitarian/emergencies/{id}/info/edit", Action: wr, Handler: m.infoEdit},
		{Pattern: "POST /humanitarian/emergencies/{id}/shelters", Action: wr, Handler: m.saveShelter},
		{Pattern: "POST /humanitarian/emergencies/{id}/shelters/{sid}", Action: wr, Handler: m.saveShelter},
		{Pattern: "POST /humanitarian/emergencies/{id}/hotlines", Action: wr, Handler: m.saveHotline},
		{Pattern: "POST /humanitarian/emergencies/{id}/hotlines/{hid}", Action: wr, Handler: m.saveHotline},
		{Pattern: "POST /humanitarian/emergencies/{id}/advice", Action: wr, Handler: m.saveAdvice},
		{Pattern: "GET /api/v1/humanitarian/emergencies/{id}/info", Action: pub, Handler: m.apiInfo},
		{Pattern: "GET /api/v1/humanitarian/emergencies/{id}/shelters", Action: pub, Handler: m.apiShelters},
		{Pattern: "POST /api/v1/humanitarian/emergencies/{id}/shelters", Action: wr, Handler: m.apiSaveShelter},
		{Pattern: "GET /api/v1/humanitarian/emergencies/{id}/shelters/{sid}", Action: pub, Handler: m.apiShelter},
		{Pattern: "PUT /api/v1/humanitarian/emergencies/{id}/shelters/{sid}", Action: wr, Handler: m.apiSaveShelter},
		{Pattern: "DELETE /api/v1/humanitarian/emergencies/{id}/shelters/{sid}", Action: wr, Handler: m.apiDeleteShelter},
		{Pattern: "GET /api/v1/humanitarian/emergencies/{id}/hotlines", Action: pub, Handler: m.apiHotlines},
		{Pattern: "POST /api/v1/humanitarian/emergencies/{id}/hotlines", Action: wr, Handler: m.apiSaveHotline},
		{Pattern: "GET /api/v1/humanitarian/emergencies/{id}/hotlines/{hid}", Action: pub, Handler: m.apiHotline},
		{Pattern: "PUT /api/v1/humanitarian/emergencies/{id}/hotlines/{hid}", Action: wr, Handler: m.apiSaveHotline},
		{Pattern: "DELETE /api/v1/humanitarian/emergencies/{id}/hotlines/{hid}", Action: wr, Handler: m.apiDeleteHotline},
	}
}

// langsFor orders the emergency's languages for a reader: theirs first.
func langsFor(e Emergency, reader string) []string {
	out := []string{}
	if slices.Contains(e.Languages, reader) {
		out = append(out, reader)
	}
	for _, l := range e.Languages {
		if l != reader {
			out = append(out, l)
		}
	}
	return out
}

// textLang is the language of a text answer: the reader's if the
// emergency speaks it, else the emergency's first.
func textLang(e Emergency, reader string) string {
	if l := langsFor(e, reader); len(l) > 0 {
		return l[0]
	}
	return reader
}

// AdviceText is the safety advice in one language, cut in paragraphs.
type AdviceText struct {
	Lang  string
	Paras []string
}

type infoView struct {
	view
	Info   Info
	Advice []AdviceText
}

// loadInfo reads the path's emergency and its information, for the page
// and the text that both show it; on failure it has answered.
func (m *Module) loadInfo(w http.ResponseWriter, r *http.Request) (Emergency, Info, bool) {
	e, ok := m.load(w, r)
	if !ok {
		return Emergency{}, Info{}, false
	}
	in, err := m.svc.Info(r.Context(), e)
	if err != nil {
		m.web.Error(w, r, err)
		return Emergency{}, Info{}, false
	}
	return e, in, true
}

func (m *Module) infoPage(w http.ResponseWriter, r *http.Request) {
	e, in, ok := m.loadInfo(w, r)
	if !ok {
		return
	}
	v := infoView{view: m.emergencyView(r, e, "/info", "hum.info.title", e.Title), Info: in}
	for _, l := range langsFor(e, v.Lang) {
		if a := strings.TrimSpace(in.Advice[l]); a != "" {
			at := AdviceText{Lang: l}
			for _, p := range strings.Split(strings.ReplaceAll(a, "\r\n", "\n"), "\n") {
				if p = strings.TrimSpace(p); p != "" {
					at.Paras = append(at.Paras, p)
				}
			}
			v.Advice = append(v.Advice, at)
		}
	}
	m.web.Render(w, r, http.StatusOK, "humanitarian/info", v)
}

// infoText is the information as plain text: short enough for three SMS,
// or with ?full=1 all of it, for printing.
func (m *Module) infoText(w http.ResponseWriter, r *http.Request) {
	e, in, ok := m.loadInfo(w, r)
	if !ok {
		return
	}
	lang := textLang(e, web.Lang(r.Context()))
	var text string
	if r.URL.Query().Get("full") == "1" {
		in.Report.Form = m.web.BaseURL + in.Report.Form
		text = PlainInfo(in, m.svc.places, langsFor(e, lang), Words{lang: lang, g: m.svc.places}, m.tr(lang))
	} else {
		text = SMSInfo(in, m.svc.places, m.tr(lang)) + "\n"
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Language", lang)
	_, _ = w.Write([]byte(text))
}

type infoEditView struct {
	view
	Info          Info
	Statuses      []string
	ShelterForm   web.Form
	HotlineForm   web.Form
	AdviceForm    web.Form
	EditShelter   string // the shelter the form changes; "" adds one
	EditHotline   string
	Places        []Place
	LangsOfAdvice []string
}

func (m *Module) infoEditView(r *http.Request, e Emergency) (infoEditView, error) {
	v := infoEditView{view: m.emergencyView(r, e, "/info", "hum.info.edit_title", e.Title), Statuses: ShelterStatuses, Places: m.svc.places.Places()}
	v.LangsOfAdvice = langsFor(e, v.Lang)
	if !v.Coord {
		return v, core.E(core.KindForbidden, "humanitarian: edit info", "err.forbidden")
	}
	var err error
	if v.Info, err = m.svc.Info(r.Context(), e); err != nil {
		return v, err
	}
	v.ShelterForm = web.Form{Values: map[string][]string{"status": {ShelterOpen}}, Problems: core.Problems{}}
	v.HotlineForm = web.Form{Values: map[string][]string{}, Problems: core.Problems{}}
	v.AdviceForm = web.Form{Values: map[string][]string{}, Problems: core.Problems{}}
	for l, t := range v.Info.Advice {
		v.AdviceForm.Values.Set("advice_"+l, t)
	}
	if id := r.URL.Query().Get("shelter"); id != "" {
		for _, sh := range v.Info.Shelters {
			if sh.ID == id {
				v.EditShelter, v.ShelterForm.Values = id, shelterValues(sh)
			}
		}
	}
	if id := r.URL.Query().Get("hotline"); id != "" {
		for _, h := range v.Info.Hotlines {
			if h.ID == id {
				v.EditHotline = id
				v.HotlineForm.Values = map[string][]string{"name": {h.Name}, "number": {h.Number}, "hours": {h.Hours}, "position": {strconv.Itoa(h.Position)}}
			}
		}
	}
	return v, nil
}

func shelterValues(sh Shelter) map[string][]string {
	v := map[string][]string{"name": {sh.Name}, "pcode": {sh.PCode}, "place": {sh.Place}, "status": {sh.Status},
		"capacity": {strconv.Itoa(sh.Capacity)}, "facilities": {sh.Facilities}}
	if sh.Lat != nil {
		v["lat"] = []string{strconv.FormatFloat(*sh.Lat, 'f', -1, 64)}
		v["lon"] = []string{strconv.FormatFloat(*sh.Lon, 'f', -1, 64)}
	}
	return v
}

func (m *Module) infoEdit(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	v, err := m.infoEditView(r, e)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "humanitarian/info_edit", v)
}

// formFloat reads an optional number; a bad one is a problem of field.
func formFloat(f web.Form, field string) *float64 {
	s := strings.TrimSpace(strings.ReplaceAll(f.Get(field), ",", "."))
	if s == "" {
		return nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		f.Problems.Add(field, "err.number")
		return nil
	}
	return &x
}

func formInt(f web.Form, field string) int {
	s := strings.TrimSpace(f.Get(field))
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.Problems.Add(field, "err.number")
	}
	return n
}

// saveIfValid saves unless the form already has problems of its own (a
// number that is not one), which are then answered as an invalid form.
func saveIfValid(f web.Form, op string, save func() error) error {
	if len(f.Problems) > 0 {
		return core.E(core.KindInvalid, op, "err.form")
	}
	return save()
}

// infoAnswer ends the edit page's forms alike: back to the page when err
// is nil, the page again with the form's problems when the save was
// refused, an error page otherwise. f is the handler's own form, so that
// set sees the problems Take moved into it.
func (m *Module) infoAnswer(w http.ResponseWriter, r *http.Request, e Emergency, f *web.Form, err error, set func(*infoEditView)) {
	if err == nil {
		m.infoSaved(w, r, e)
		return
	}
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	m.infoRefused(w, r, e, set)
}

// infoSaved goes back to the edit page, saying it was saved.
func (m *Module) infoSaved(w http.ResponseWriter, r *http.Request, e Emergency) {
	m.web.Redirect(w, r, "/humanitarian/emergencies/"+e.ID+"/info/edit", "flash.hum_info_saved")
}

// infoRefused shows the edit page again with a form's problems.
func (m *Module) infoRefused(w http.ResponseWriter, r *http.Request, e Emergency, set func(*infoEditView)) {
	v, err := m.infoEditView(r, e)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	set(&v)
	m.web.Render(w, r, http.StatusUnprocessableEntity, "humanitarian/info_edit", v)
}

func (m *Module) saveShelter(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	f := web.NewForm(r)
	sh := Shelter{ID: r.PathValue("sid"), Name: f.Get("name"), PCode: f.Get("pcode"), Place: f.Get("place"), Status: f.Get("status"),
		Facilities: f.Get("facilities"), Lat: formFloat(f, "lat"), Lon: formFloat(f, "lon"), Capacity: formInt(f, "capacity")}
	if sh.ID != "" && f.Get("status_only") == "1" {
		// The list's quick form changes the status alone.
		old, err := m.svc.Shelter(r.Context(), e, sh.ID)
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
		old.Status, sh = sh.Status, old
	}
	err := saveIfValid(f, "humanitarian: save shelter", func() error {
		_, err := m.svc.SaveShelter(r.Context(), e, sh)
		return err
	})
	m.infoAnswer(w, r, e, &f, err, func(v *infoEditView) { v.ShelterForm, v.EditShelter = f, sh.ID })
}

func (m *Module) saveHotline(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	f := web.NewForm(r)
	id := r.PathValue("hid")
	if id != "" && f.Get("delete") == "1" {
		if err := m.svc.DeleteHotline(r.Context(), e, id); err != nil {
			m.web.Error(w, r, err)
			return
		}
		m.infoSaved(w, r, e)
		return
	}
	h := Hotline{ID: id, Name: f.Get("name"), Number: f.Get("number"), Hours: f.Get("hours"), Position: formInt(f, "position")}
	err := saveIfValid(f, "humanitarian: save hotline", func() error {
		_, err := m.svc.SaveHotline(r.Context(), e, h)
		return err
	})
	m.infoAnswer(w, r, e, &f, err, func(v *infoEditView) { v.HotlineForm, v.EditHotline = f, id })
}

func (m *Module) saveAdvice(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	f := web.NewForm(r)
	advice := map[string]string{}
	for _, l := range e.Languages {
		advice[l] = f.Get("advice_" + l)
	}
	err := m.svc.SaveAdvice(r.Context(), e, advice)
	m.infoAnswer(w, r, e, &f, err, func(v *infoEditView) { v.AdviceForm = f })
}
