package publicdiplomacy

import (
	"net/http"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// answersView is the saved answers of the reader's organisations, with the
// form to save another (or to change one: Editing).
type answersView struct {
	web.Page
	Answers   []SavedAnswer
	Orgs      []core.OrgRef // where the reader may save answers
	Languages []string
	Form      web.Form
	Editing   *SavedAnswer
	// Language narrows the list.
	Language string
}

// CanEdit reports whether the reader may change an organisation's answers.
func (v answersView) CanEdit(orgID string) bool {
	return access.Can(v.Actor, access.PDWrite, access.Resource{OrgID: orgID})
}

func (h *webcareHandlers) answersPage(r *http.Request, form web.Form, editing *SavedAnswer) (answersView, error) {
	title := "title.pd_saved_answers"
	if editing != nil {
		title = "title.pd_saved_answer_edit"
	}
	v := answersView{Page: h.web.Page(r, title), Orgs: orgsFor(core.ActorFrom(r.Context()), access.PDWrite), Languages: Languages, Form: form, Editing: editing}
	v.Nav = "webcare"
	if editing != nil {
		return v, nil
	}
	if l := r.URL.Query().Get("language"); validLanguage(l) {
		v.Language = l
	}
	var err error
	v.Answers, err = h.svc.SavedAnswers(r.Context(), "", v.Language)
	return v, err
}

func (h *webcareHandlers) savedAnswers(w http.ResponseWriter, r *http.Request) {
	form := web.Form{Values: map[string][]string{}, Problems: core.Problems{}}
	if l := r.URL.Query().Get("language"); validLanguage(l) {
		form.Values.Set("language", l)
	}
	v, err := h.answersPage(r, form, nil)
	if err != nil {
		h.web.Error(w, r, err)
		return
	}
	h.web.Render(w, r, http.StatusOK, "pd_webcare_answers", v)
}

// savedAnswerInput reads the form of a saved answer.
func savedAnswerInput(f web.Form) SavedAnswerInput {
	return SavedAnswerInput{Org: f.Get("org"), Language: f.Get("language"), Title: f.Get("title"), Body: f.Get("body")}
}

func (h *webcareHandlers) createSavedAnswer(w http.ResponseWriter, r *http.Request) {
	form := web.NewForm(r)
	_, err := h.svc.CreateSavedAnswer(r.Context(), savedAnswerInput(form))
	if err == nil {
		h.web.Redirect(w, r, "/webcare/answers", "flash.pd_saved_answer_saved")
		return
	}
	if !form.Take(err) {
		h.web.Error(w, r, err)
		return
	}
	v, verr := h.answersPage(r, form, nil)
	if verr != nil {
		h.web.Error(w, r, verr)
		return
	}
	h.web.Render(w, r, web.FormStatus(err), "pd_webcare_answers", v)
}

func (h *webcareHandlers) editSavedAnswer(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.SavedAnswer(r.Context(), r.PathValue("id"))
	if err != nil {
		h.web.Error(w, r, err)
		return
	}
	if err := may(r.Context(), access.PDWrite, a.OrgID); err != nil {
		h.web.Error(w, r, err)
		return
	}
	form := web.Form{Values: map[string][]string{"language": {a.Language}, "title": {a.Title}, "body": {a.Body}}, Problems: core.Problems{}}
	v, err := h.answersPage(r, form, &a)
	if err != nil {
		h.web.Error(w, r, err)
		return
	}
	h.web.Render(w, r, http.StatusOK, "pd_webcare_answer_edit", v)
}

func (h *webcareHandlers) updateSavedAnswer(w http.ResponseWriter, r *http.Request) {
	form := web.NewForm(r)
	a, err := h.svc.UpdateSavedAnswer(r.Context(), r.PathValue("id"), savedAnswerInput(form))
	if err == nil {
		h.web.Redirect(w, r, "/webcare/answers", "flash.pd_saved_answer_saved")
		return
	}
	if !form.Take(err) {
		h.web.Error(w, r, err)
		return
	}
	v, verr := h.answersPage(r, form, &a)
	if verr != nil {
		h.web.Error(w, r, verr)
		return
	}
	h.web.Render(w, r, web.FormStatus(err), "pd_webcare_answer_edit", v)
}

func (h *webcareHandlers) deleteSavedAnswer(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteSavedAnswer(r.Context(), r.PathValue("id")); err != nil {
		h.web.Error(w, r, err)
		return
	}
	h.web.Redirect(w, r, "/webcare/answers", "flash.pd_saved_answer_deleted")
}
