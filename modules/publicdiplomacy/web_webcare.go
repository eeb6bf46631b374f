package publicdiplomacy

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// webcareRoutes are web-care's pages: the queue, an item with its thread
// and the answer form, the saved answers, the response-time figures, and
// reach in the newsroom; and their JSON API (api_webcare.go). The figures
// share one cache of computed figures, kept a minute.
func (m *Module) webcareRoutes() []web.Route {
	h := &webcareHandlers{Module: m, figs: newFigureMemo(m.svc)}
	return append([]web.Route{
		{Pattern: "GET /webcare", Action: access.PDRead, Handler: h.queue},
		{Pattern: "GET /webcare/{id}", Action: access.PDRead, Handler: h.item},
		{Pattern: "POST /webcare/{id}/assign", Action: access.PDWrite, Handler: h.assign},
		{Pattern: "POST /webcare/{id}/handled", Action: access.PDWrite, Handler: h.handled},
		{Pattern: "POST /webcare/{id}/answer", Action: access.PDWrite, Handler: h.answer},
		{Pattern: "GET /webcare/answers", Action: access.PDRead, Handler: h.savedAnswers},
		{Pattern: "POST /webcare/answers", Action: access.PDWrite, Handler: h.createSavedAnswer},
		{Pattern: "GET /webcare/answers/{id}/edit", Action: access.PDWrite, Handler: h.editSavedAnswer},
		{Pattern: "POST /webcare/answers/{id}/edit", Action: access.PDWrite, Handler: h.updateSavedAnswer},
		{Pattern: "POST /webcare/answers/{id}/delete", Action: access.PDWrite, Handler: h.deleteSavedAnswer},
		{Pattern: "GET /webcare/figures", Action: access.PDRead, Handler: h.figures},
		{Pattern: "GET /webcare/figures.csv", Action: access.PDRead, Handler: h.figuresCSV},
		{Pattern: "GET /newsroom/reach", Action: access.PDRead, Handler: h.reach},
		{Pattern: "GET /newsroom/reach.csv", Action: access.PDRead, Handler: h.reachCSV},
	}, h.apiRoutes()...)
}

// webcareHandlers are web-care's routes with their cache of figures.
type webcareHandlers struct {
	*Module
	figs *figureMemo
}

// queueView is the queue with its filters.
type queueView struct {
	web.Page
	List     QueueList
	Filter   WebcareFilter
	Form     web.Form // the filters' problems
	States   []string
	Kinds    []string
	Now      time.Time
	CanWrite bool
}

// PageURL is the queue with the same filters on another page.
func (v queueView) PageURL(page int) template.URL {
	q := url.Values{}
	if v.Filter.State != "" {
		q.Set("state", v.Filter.State)
	}
	if v.Filter.Kind != "" {
		q.Set("kind", v.Filter.Kind)
	}
	if v.Filter.Mine {
		q.Set("mine", "1")
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return template.URL("/webcare?" + q.Encode())
}

// Prev and Next are the pages before and after this one.
func (v queueView) Prev() int { return v.Filter.Page - 1 }
func (v queueView) Next() int { return v.Filter.Page + 1 }

// Count is how many items are in a state ("" the open ones, "all" every
// one).
func (v queueView) Count(state string) int {
	switch state {
	case "":
		return v.Open()
	case "all":
		n := 0
		for _, c := range v.List.Counts {
			n += c
		}
		return n
	}
	return v.List.Counts[state]
}

// Excerpt is the start of an item's text, as the queue shows it; the
// item's page has it all.
func (v queueView) Excerpt(s string) string {
	if r := []rune(s); len(r) > excerptLen {
		return string(r[:excerptLen-1]) + "…"
	}
	return s
}

const excerptLen = 280

// Open is how many items wait (new and assigned).
func (v queueView) Open() int { return v.List.Counts[ItemNew] + v.List.Counts[ItemAssigned] }

func (h *webcareHandlers) queue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := queueView{Page: h.web.Page(r, "title.pd_webcare"), States: QueueStates, Kinds: QueueKinds, Now: h.svc.Now(),
		Form: web.Form{Values: q, Problems: core.Problems{}}, CanWrite: len(orgsFor(core.ActorFrom(r.Context()), access.PDWrite)) > 0}
	v.Nav = "webcare"
	v.Filter = WebcareFilter{State: q.Get("state"), Kind: q.Get("kind"), Mine: q.Get("mine") == "1"}
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			n = maxQueuePage + 1 // refused by the filter, naming the field
		}
		v.Filter.Page = n
	}
	list, err := h.svc.WebcareQueue(r.Context(), v.Filter)
	status := http.StatusOK
	if err != nil {
		if !v.Form.Take(err) {
			h.web.Error(w, r, err)
			return
		}
		status = web.FormStatus(err)
	}
	v.List = list
	if v.Filter.Page < 1 {
		v.Filter.Page = 1
	}
	h.web.Render(w, r, status, "pd_webcare", v)
}

// itemView is one item with its thread and the answer form.
type itemView struct {
	web.Page
	I          Item
	Replied    *Post
	Answers    []Post
	History    []Item        // what the author sent the account before and since
	Colleagues []Colleague   // whom the item may be given to
	Saved      []SavedAnswer // in the answer's language
	Others     []SavedAnswer // in the organisation's other languages
	Form       web.Form
	Languages  []string
	Now        time.Time
	CanWrite   bool
	Mine       bool // the viewer holds it
}

// LangName names a language in the page's language, as it reads after
// "in": English, Inggris ("dalam bahasa Inggris").
func (v itemView) LangName(code string) string { return langName(code, v.Lang) }

// Open reports whether the item still waits.
func (v itemView) Open() bool { return v.I.State == ItemNew || v.I.State == ItemAssigned }

// Use is the page's address with a saved answer put in the form.
func (v itemView) Use(id string) string { return "/webcare/" + v.I.ID + "?answer=" + id + "#answer" }

// itemPage builds the page of an item; form is the answer form as it was
// sent, or nil for the form's first showing.
func (h *webcareHandlers) itemPage(r *http.Request, id string, form *web.Form) (itemView, error) {
	ctx := r.Context()
	it, err := h.svc.Item(ctx, id)
	if err != nil {
		return itemView{}, err
	}
	// Named by their name when they gave one: a handle does not wrap, and
	// a long one would run off a phone's screen in the heading.
	who := it.ActorName
	if who == "" {
		who = "@" + it.ActorHandle
	}
	v := itemView{Page: h.web.Page(r, "title.pd_webcare_item", who), I: it, Languages: Languages, Now: h.svc.Now(),
		CanWrite: may(ctx, access.PDWrite, it.OrgID) == nil, Mine: it.AssigneeID != "" && it.AssigneeID == core.ActorFrom(ctx).UserID}
	v.Nav = "webcare"
	if v.Replied, v.Answers, err = h.svc.Thread(ctx, it); err != nil {
		return v, err
	}
	if v.History, err = h.svc.History(ctx, it); err != nil {
		return v, err
	}
	if v.Colleagues, err = h.svc.Colleagues(ctx, it.OrgID); err != nil {
		return v, err
	}
	if form != nil {
		v.Form = *form
	} else {
		v.Form = web.Form{Values: map[string][]string{"language": {h.answerLanguage(r, it)}}, Problems: core.Problems{}}
		// A saved answer chosen from the list fills the form.
		if sid := r.URL.Query().Get("answer"); sid != "" {
			if a, err := h.svc.SavedAnswer(ctx, sid); err == nil && a.OrgID == it.OrgID {
				v.Form.Values.Set("content", a.Body)
				v.Form.Values.Set("language", a.Language)
			}
		}
	}
	if v.CanWrite {
		all, err := h.svc.SavedAnswers(ctx, it.OrgID, "")
		if err != nil {
			return v, err
		}
		for _, a := range all {
			if a.Language == v.Form.Get("language") {
				v.Saved = append(v.Saved, a)
			} else {
				v.Others = append(v.Others, a)
			}
		}
	}
	return v, nil
}

// answerLanguage is the language an answer starts in: the item's, when it
// is one the node writes, else the account's.
func (h *webcareHandlers) answerLanguage(r *http.Request, it Item) string {
	if validLanguage(it.Language) {
		return it.Language
	}
	if acc, err := h.svc.Account(r.Context(), it.AccountID); err == nil && validLanguage(acc.Language) {
		return acc.Language
	}
	return "en"
}

func (h *webcareHandlers) item(w http.ResponseWriter, r *http.Request) {
	v, err := h.itemPage(r, r.PathValue("id"), nil)
	if err != nil {
		h.web.Error(w, r, err)
		return
	}
	h.web.Render(w, r, http.StatusOK, "pd_webcare_item", v)
}

func (h *webcareHandlers) assign(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if to := r.PostFormValue("to"); to != "" {
		if _, err := h.svc.AssignTo(r.Context(), id, to); err != nil {
			h.web.Error(w, r, err)
			return
		}
		h.web.Redirect(w, r, "/webcare/"+id, "flash.pd_item_given")
		return
	}
	take := r.PostFormValue("take") == "1"
	if _, err := h.svc.Assign(r.Context(), id, take); err != nil {
		h.web.Error(w, r, err)
		return
	}
	flash := "flash.pd_item_taken"
	if !take {
		flash = "flash.pd_item_released"
	}
	h.web.Redirect(w, r, "/webcare/"+id, flash)
}

func (h *webcareHandlers) handled(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	done := r.PostFormValue("done") == "1"
	if _, err := h.svc.MarkHandled(r.Context(), id, done); err != nil {
		h.web.Error(w, r, err)
		return
	}
	flash := "flash.pd_item_handled"
	if !done {
		flash = "flash.pd_item_reopened"
	}
	h.web.Redirect(w, r, "/webcare/"+id, flash)
}

func (h *webcareHandlers) answer(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	form := web.NewForm(r)
	t := Translation{Language: form.Get("language"), Content: form.Get("content"), Warning: form.Get("warning")}
	_, err := h.svc.Answer(r.Context(), id, t)
	if err == nil {
		h.web.Redirect(w, r, "/webcare/"+id, "flash.pd_answer_sent")
		return
	}
	if !form.Take(err) {
		h.web.Error(w, r, err)
		return
	}
	answerFields(form.Problems)
	v, verr := h.itemPage(r, id, &form)
	if verr != nil {
		h.web.Error(w, r, verr)
		return
	}
	h.web.Render(w, r, web.FormStatus(err), "pd_webcare_item", v)
}

// answerFields names the service's problems of a post by the answer form's
// fields: the form has one text, whatever its language.
func answerFields(p core.Problems) {
	for k, msg := range p {
		if strings.HasPrefix(k, "content_") {
			delete(p, k)
			p["content"] = msg
		}
	}
}
