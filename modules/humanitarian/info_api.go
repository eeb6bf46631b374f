package humanitarian

import (
	"net/http"

	"entente.example/entente/internal/web"
)

// loadAPI reads the emergency of an API path.
func (m *Module) loadAPI(w http.ResponseWriter, r *http.Request) (Emergency, bool) {
	e, err := m.svc.Emergency(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return Emergency{}, false
	}
	return e, true
}

func (m *Module) apiInfo(w http.ResponseWriter, r *http.Request) {
	e, ok := m.loadAPI(w, r)
	if !ok {
		return
	}
	in, err := m.svc.Info(r.Context(), e)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, in)
}

func (m *Module) apiShelters(w http.ResponseWriter, r *http.Request) {
	e, ok := m.loadAPI(w, r)
	if !ok {
		return
	}
	list, err := m.svc.Shelters(r.Context(), e)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, nonNilList(list))
}

func (m *Module) apiShelter(w http.ResponseWriter, r *http.Request) {
	e, ok := m.loadAPI(w, r)
	if !ok {
		return
	}
	sh, err := m.svc.Shelter(r.Context(), e, r.PathValue("sid"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, sh)
}

// shelterJSON is a shelter as a client sends it.
type shelterJSON struct {
	Name       string   `json:"name"`
	PCode      string   `json:"pcode"`
	Place      string   `json:"place"`
	Lat        *float64 `json:"lat"`
	Lon        *float64 `json:"lon"`
	Capacity   int      `json:"capacity"`
	Status     string   `json:"status"`
	Facilities string   `json:"facilities"`
}

// apiSaveShelter creates a shelter (POST) or replaces one (PUT).
func (m *Module) apiSaveShelter(w http.ResponseWriter, r *http.Request) {
	e, ok := m.loadAPI(w, r)
	if !ok {
		return
	}
	var in shelterJSON
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	sh, err := m.svc.SaveShelter(r.Context(), e, Shelter{ID: r.PathValue("sid"), Name: in.Name, PCode: in.PCode, Place: in.Place, Lat: in.Lat, Lon: in.Lon,
		Capacity: in.Capacity, Status: in.Status, Facilities: in.Facilities})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusCreated
	}
	m.web.JSON(w, status, sh)
}

func (m *Module) apiDeleteShelter(w http.ResponseWriter, r *http.Request) {
	e, ok := m.loadAPI(w, r)
	if !ok {
		return
	}
	if err := m.svc.DeleteShelter(r.Context(), e, r.PathValue("sid")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (m *Module) apiHotlines(w http.ResponseWriter, r *http.Request) {
	e, ok := m.loadAPI(w, r)
	if !ok {
		return
	}
	list, err := m.svc.Hotlines(r.Context(), e)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, nonNilList(list))
}

func (m *Module) apiHotline(w http.ResponseWriter, r *http.Request) {
	e, ok := m.loadAPI(w, r)
	if !ok {
		return
	}
	h, err := m.svc.Hotline(r.Context(), e, r.PathValue("hid"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, h)
}

// apiSaveHotline creates a hotline (POST) or replaces one (PUT).
func (m *Module) apiSaveHotline(w http.ResponseWriter, r *http.Request) {
	e, ok := m.loadAPI(w, r)
	if !ok {
		return
	}
	var in struct {
		Name     string `json:"name"`
		Number   string `json:"number"`
		Hours    string `json:"hours"`
		Position int    `json:"position"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	h, err := m.svc.SaveHotline(r.Context(), e, Hotline{ID: r.PathValue("hid"), Name: in.Name, Number: in.Number, Hours: in.Hours, Position: in.Position})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusCreated
	}
	m.web.JSON(w, status, h)
}

func (m *Module) apiDeleteHotline(w http.ResponseWriter, r *http.Request) {
	e, ok := m.loadAPI(w, r)
	if !ok {
		return
	}
	if err := m.svc.DeleteHotline(r.Context(), e, r.PathValue("hid")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func nonNilList[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
