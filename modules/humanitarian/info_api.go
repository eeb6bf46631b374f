package humanitarian

import (
	"context"
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
	apiRead(m, w, r, m.svc.Info)
}

func (m *Module) apiShelters(w http.ResponseWriter, r *http.Request) {
	apiRead(m, w, r, listOrEmpty(m.svc.Shelters))
}

func (m *Module) apiShelter(w http.ResponseWriter, r *http.Request) {
	apiRead(m, w, r, withID(m.svc.Shelter, r.PathValue("sid")))
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
	apiSave(m, w, r, func(ctx context.Context, e Emergency, in shelterJSON) (Shelter, error) {
		return m.svc.SaveShelter(ctx, e, Shelter{ID: r.PathValue("sid"), Name: in.Name, PCode: in.PCode, Place: in.Place, Lat: in.Lat, Lon: in.Lon,
			Capacity: in.Capacity, Status: in.Status, Facilities: in.Facilities})
	})
}

func (m *Module) apiDeleteShelter(w http.ResponseWriter, r *http.Request) {
	apiDelete(m, w, r, m.svc.DeleteShelter, r.PathValue("sid"))
}

func (m *Module) apiHotlines(w http.ResponseWriter, r *http.Request) {
	apiRead(m, w, r, listOrEmpty(m.svc.Hotlines))
}

func (m *Module) apiHotline(w http.ResponseWriter, r *http.Request) {
	apiRead(m, w, r, withID(m.svc.Hotline, r.PathValue("hid")))
}

// hotlineJSON is a hotline as a client sends it.
type hotlineJSON struct {
	Name     string `json:"name"`
	Number   string `json:"number"`
	Hours    string `json:"hours"`
	Position int    `json:"position"`
}

// apiSaveHotline creates a hotline (POST) or replaces one (PUT).
func (m *Module) apiSaveHotline(w http.ResponseWriter, r *http.Request) {
	apiSave(m, w, r, func(ctx context.Context, e Emergency, in hotlineJSON) (Hotline, error) {
		return m.svc.SaveHotline(ctx, e, Hotline{ID: r.PathValue("hid"), Name: in.Name, Number: in.Number, Hours: in.Hours, Position: in.Position})
	})
}

func (m *Module) apiDeleteHotline(w http.ResponseWriter, r *http.Request) {
	apiDelete(m, w, r, m.svc.DeleteHotline, r.PathValue("hid"))
}

// The handlers above differ only in the service call; the helpers below
// hold the one shape they share: the path's emergency, the call, the answer.

// apiRead answers a GET with what read gives for the path's emergency.
func apiRead[T any](m *Module, w http.ResponseWriter, r *http.Request, read func(context.Context, Emergency) (T, error)) {
	e, ok := m.loadAPI(w, r)
	if !ok {
		return
	}
	v, err := read(r.Context(), e)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, v)
}

// listOrEmpty makes a list read answer [] rather than null when there is none.
func listOrEmpty[T any](list func(context.Context, Emergency) ([]T, error)) func(context.Context, Emergency) ([]T, error) {
	return func(ctx context.Context, e Emergency) ([]T, error) {
		out, err := list(ctx, e)
		return nonNilList(out), err
	}
}

// withID binds the path's item id to a read of one item.
func withID[T any](get func(context.Context, Emergency, string) (T, error), id string) func(context.Context, Emergency) (T, error) {
	return func(ctx context.Context, e Emergency) (T, error) { return get(ctx, e, id) }
}

// apiSave decodes the body as In, saves it and answers the saved item:
// 201 for a POST, which creates, and 200 for a PUT, which replaces.
func apiSave[In, T any](m *Module, w http.ResponseWriter, r *http.Request, save func(context.Context, Emergency, In) (T, error)) {
	e, ok := m.loadAPI(w, r)
	if !ok {
		return
	}
	var in In
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	v, err := save(r.Context(), e, in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusCreated
	}
	m.web.JSON(w, status, v)
}

// apiDelete removes the item id of the path's emergency and answers 204.
func apiDelete(m *Module, w http.ResponseWriter, r *http.Request, del func(context.Context, Emergency, string) error, id string) {
	e, ok := m.loadAPI(w, r)
	if !ok {
		return
	}
	if err := del(r.Context(), e, id); err != nil {
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
