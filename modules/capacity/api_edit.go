package capacity

import (
	"net/http"

	"entente.example/entente/internal/web"
)

// The API that changes and closes needs and offers, and reads one offer.

func (m *Module) apiUpdateNeed(w http.ResponseWriter, r *http.Request) {
	var in Need
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	n, err := m.svc.UpdateNeed(r.Context(), r.PathValue("id"), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, n)
}

func (m *Module) apiCloseNeed(w http.ResponseWriter, r *http.Request) {
	n, err := m.svc.CloseNeed(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, n)
}

func (m *Module) apiOffer(w http.ResponseWriter, r *http.Request) {
	o, err := m.svc.GetOffer(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, o)
}

func (m *Module) apiUpdateOffer(w http.ResponseWriter, r *http.Request) {
	var in Offer
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	o, err := m.svc.UpdateOffer(r.Context(), r.PathValue("id"), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, o)
}

func (m *Module) apiOfferNeeds(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	o, err := m.svc.GetOffer(ctx, r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	out, err := m.svc.SuggestedNeeds(ctx, o, 50)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if out == nil {
		out = []NeedMatch{}
	}
	m.web.JSON(w, http.StatusOK, out)
}
