package publicdiplomacy

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/names"
	"entente.example/entente/internal/web"
)

// newsroomRoutes are the press office's pages: the messages by state and
// the calendar of what goes out when, the form that drafts a message in
// several languages, and a message with its translations, its trail, the
// steps it may take (submit, approve by a second person, return, delete),
// and once published its delivery to each instance and its reach.
//
// A message's own actions are /newsroom/{id}/<verb>; the accounts' pages
// are /newsroom/accounts/{id}/<verb>, one segment longer, so that the two
// families never match the same path.
func (m *Module) newsroomRoutes() []web.Route {
	upload := int64(MaxImage + 1<<20) // the image, the texts and the multipart framing
	return []web.Route{
		{Pattern: "GET /newsroom", Action: access.PDRead, Handler: m.newsroom},
		{Pattern: "GET /newsroom/calendar", Action: access.PDRead, Handler: m.calendarPage},
		{Pattern: "GET /newsroom/new", Action: access.PDWrite, Handler: m.newDraft},
		{Pattern: "POST /newsroom", Action: access.PDWrite, Handler: m.createDraft, MaxBody: upload},
		{Pattern: "GET /newsroom/{id}", Action: access.PDRead, Handler: m.message},
		{Pattern: "GET /newsroom/{id}/image", Action: access.PDRead, Handler: m.draftImage},
		{Pattern: "GET /newsroom/{id}/edit", Action: access.PDWrite, Handler: m.editDraft},
		{Pattern: "POST /newsroom/{id}/edit", Action: access.PDWrite, Handler: m.saveDraft},
		{Pattern: "POST /newsroom/{id}/images", Action: access.PDWrite, Handler: m.addImage, MaxBody: upload},
		{Pattern: "POST /newsroom/{id}/unimage", Action: access.PDWrite, Handler: m.removeImage},
		{Pattern: "POST /newsroom/{id}/submit", Action: access.PDWrite, Handler: m.submit},
		{Pattern: "POST /newsroom/{id}/approve", Action: access.PDApprove, Handler: m.approve},
		{Pattern: "POST /newsroom/{id}/return", Action: access.PDApprove, Handler: m.giveBack},
		{Pattern: "POST /newsroom/{id}/delete", Action: access.PDWrite, Handler: m.deleteMessage},
		{Pattern: "POST /newsroom/{id}/correct", Action: access.PDWrite, Handler: m.correct},
		{Pattern: "POST /newsroom/{id}/correction/approve", Action: access.PDApprove, Handler: m.approveCorrection},
		{Pattern: "POST /newsroom/{id}/correction/discard", Action: access.PDWrite, Handler: m.discardCorrection},
	}
}

// langName names a language in the reader's language.
func langName(code, lang string) string { return names.Language(code, lang) }

type newsroomView struct {
	web.Page
	Drafts, Review, Scheduled, Published []Message
	Week                                 calendar
	Accounts                             int
}

// LangName names a language in the page's language.
func (v newsroomView) LangName(code string) string { return langName(code, v.Lang) }

func (m *Module) newsroom(w http.ResponseWriter, r *http.Request) {
	v := newsroomView{Page: m.web.Page(r, "title.pd_newsroom")}
	v.Nav = "newsroom"
	ctx := r.Context()
	for _, l := range []struct {
		st  PostState
		dst *[]Message
	}{{PostDraft, &v.Drafts}, {PostReview, &v.Review}, {PostScheduled, &v.Scheduled}, {PostPublished, &v.Published}} {
		var err error
		if *l.dst, err = m.svc.Messages(ctx, l.st); err != nil {
			m.web.Error(w, r, err)
			return
		}
	}
	if len(v.Published) > 10 {
		v.Published = v.Published[:10]
	}
	accs, err := m.svc.MyAccounts(ctx, access.PDRead)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.Accounts = len(accs)
	if v.Week, err = m.calendar(r, "week", mondayOf(m.svc.Now()).Format(dayLayout)); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "pd_newsroom", v)
}

// newDraft shows the form; ?case=<id> makes the message an answer to a
// disinformation case, whose public fact-check, once published, ends the
// English text.
func (m *Module) newDraft(w http.ResponseWriter, r *http.Request) {
	f := web.Form{Values: map[string][]string{"visibility": {VisPublic}}, Problems: core.Problems{}}
	if c := r.URL.Query().Get("case"); c != "" {
		f.Values.Set("case", c)
		if cs, err := m.svc.Case(r.Context(), c); err == nil && cs.State == CasePublished {
			f.Values.Set("content_en", m.svc.CaseURL(cs.ID))
		}
	}
	m.renderForm(w, r, http.StatusOK, f, nil, false)
}

func (m *Module) renderForm(w http.ResponseWriter, r *http.Request, status int, f web.Form, edit *Message, imageLost bool) {
	title := "title.pd_new"
	if edit != nil {
		title = "title.pd_edit"
	}
	v := draftFormView{Page: m.web.Page(r, title), Form: f, Edit: edit, ImageLost: imageLost, Third: ThirdLanguages(), Host: m.svc.Host(), Zones: zoneChoices(m.svc.Now())}
	v.Nav = "newsroom"
	v.Case = m.caseOf(r, f.Get("case"))
	var err error
	if v.Accounts, err = m.svc.MyAccounts(r.Context(), access.PDWrite); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if f.Get("account") == "" && len(v.Accounts) > 0 && f.Values != nil {
		f.Values.Set("account", mainAccount(v.Accounts).ID)
	}
	// The zone offered first is that of the account's organisation.
	if f.Get("time_zone") == "" && f.Values != nil {
		zone := "UTC"
		for _, a := range v.Accounts {
			if a.ID == f.Get("account") {
				zone = m.svc.OrgZone(r.Context(), a.OrgID)
			}
		}
		f.Values.Set("time_zone", zone)
	}
	m.web.Render(w, r, status, "pd_newsroom_form", v)
}

func (m *Module) createDraft(w http.ResponseWriter, r *http.Request) {
	img, err := readImage(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	f := web.NewForm(r)
	d, p := parseDraft(f.Values, m.svc.Now())
	if len(p) > 0 {
		// The form's own problems come with the service's, all at once.
		m.formBack(w, r, f, d.problemsWith(p, img), nil, img != nil)
		return
	}
	msg, err := m.svc.CreateDraftWith(r.Context(), d, img)
	if err != nil {
		m.formBack(w, r, f, err, nil, img != nil)
		return
	}
	m.web.Redirect(w, r, "/newsroom/"+msg[0].GroupID, "flash.pd_drafted")
}

// formBack shows the form again with what was typed and its problems.
func (m *Module) formBack(w http.ResponseWriter, r *http.Request, f web.Form, err error, edit *Message, imageLost bool) {
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	f.Problems = onForm(f.Problems, f.Values)
	m.renderForm(w, r, web.FormStatus(err), f, edit, imageLost)
}

func (m *Module) editDraft(w http.ResponseWriter, r *http.Request) {
	cur, err := m.svc.Group(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	msg := Message{Posts: cur}
	m.renderForm(w, r, http.StatusOK, web.Form{Values: draftValues(msg), Problems: core.Problems{}}, &msg, false)
}

func (m *Module) saveDraft(w http.ResponseWriter, r *http.Request) {
	cur, err := m.svc.Group(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	msg := Message{Posts: cur}
	f := web.NewForm(r)
	d, p := parseDraft(f.Values, m.svc.Now())
	version, _ := strconv.Atoi(f.Get("version"))
	if len(p) > 0 {
		m.formBack(w, r, f, d.problemsWith(p, nil), &msg, false)
		return
	}
	if _, err := m.svc.EditDraft(r.Context(), msg.Lead().GroupID, version, d); err != nil {
		m.formBack(w, r, f, err, &msg, false)
		return
	}
	m.web.Redirect(w, r, "/newsroom/"+msg.Lead().GroupID, "flash.pd_saved")
}

// msgView is one message as the newsroom shows it.
type msgView struct {
	web.Page
	Msg     Message
	Account Account
	// Author is whether the viewer wrote it: the second pair of eyes is
	// someone else's, so approving is not offered.
	Author bool
	// Delivery is each published translation's delivery, by post id.
	Delivery map[string]Delivery
	// StepError is the message key of a step that was refused.
	StepError string
	// ImageForm and CorrectForm are the page's forms, with their
	// problems when one came back; CorrectPost is the translation the
	// correction was for.
	ImageForm, CorrectForm web.Form
	// ReturnForm is the form that returns the message, with why.
	ReturnForm  web.Form
	CorrectPost string
	Handle      string
	Case        *answeredCase // the case it answers, if any
	svc         *Service
}

// LangName names a language in the page's language.
func (v msgView) LangName(code string) string { return langName(code, v.Lang) }

// PublicURL is a published translation's address on the fediverse.
func (v msgView) PublicURL(p Post) string { return v.svc.PostURL(p.Username, p.ID) }

// Editable reports whether the message's text may still change.
func (v msgView) Editable() bool {
	st := v.Msg.Lead().State
	return st == PostDraft || st == PostReview
}

// CanDelete reports whether the viewer may delete the message: a draft
// its writers, once approved only approvers.
func (v msgView) CanDelete() bool {
	p := v.Msg.Lead()
	switch p.State {
	case PostDraft, PostReview:
		return v.CanOrg(string(access.PDWrite), p.OrgID)
	case PostScheduled, PostPublished:
		return v.CanOrg(string(access.PDApprove), p.OrgID)
	}
	return false
}

// Correcting is the correction form's values for a translation: what came
// back, else its text as published.
func (v msgView) Correcting(p Post) web.Form {
	if v.CorrectPost == p.ID {
		return v.CorrectForm
	}
	return web.Form{Values: map[string][]string{"content": {p.Content}, "warning": {p.Warning}}, Problems: core.Problems{}}
}

// Zoned is a moment of the message in the zone it was planned in.
func (v msgView) Zoned(t *time.Time) Zoned {
	return zonedIn(v.Lang, *t, v.Msg.Lead().TimeZone)
}

// ImageAlt is the image form's alt text field for a language.
func (v msgView) ImageAlt(lang string) string { return "alt_" + lang }

func (m *Module) message(w http.ResponseWriter, r *http.Request) {
	m.renderMessage(w, r, http.StatusOK, msgView{})
}

func (m *Module) renderMessage(w http.ResponseWriter, r *http.Request, status int, v msgView) {
	cur, err := m.svc.Group(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.Msg = Message{Posts: cur}
	lead := v.Msg.Lead()
	v.Page = m.web.Page(r, "title.pd_message", "@"+m.svc.Handle(lead.Username))
	v.Nav, v.svc, v.Handle = "newsroom", m.svc, m.svc.Handle(lead.Username)
	v.Case = m.caseOf(r, lead.CaseID)
	v.Author = lead.CreatedBy == v.Actor.UserID || slices.Contains(strings.Fields(lead.Authors), v.Actor.UserID)
	if v.Account, err = m.svc.Account(r.Context(), lead.AccountID); err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.Delivery = map[string]Delivery{}
	for _, p := range cur {
		if p.State != PostPublished {
			continue
		}
		if v.Delivery[p.ID], err = m.svc.DeliveryOf(r.Context(), p); err != nil {
			m.web.Error(w, r, err)
			return
		}
	}
	if v.ImageForm.Values == nil {
		v.ImageForm = web.Form{Values: map[string][]string{}, Problems: core.Problems{}}
	}
	if v.ReturnForm.Values == nil {
		v.ReturnForm = web.Form{Values: map[string][]string{}, Problems: core.Problems{}}
	}
	m.web.Render(w, r, status, "pd_post", v)
}

// stepBack shows the message again with why a step was refused; an
// error without a message for people is the error page's.
func (m *Module) stepBack(w http.ResponseWriter, r *http.Request, err error) {
	ce := core.AsError(err)
	if ce == nil || ce.Message == "" || ce.Kind == core.KindNotFound || ce.Kind == core.KindInternal {
		m.web.Error(w, r, err)
		return
	}
	m.renderMessage(w, r, web.FormStatus(err), msgView{StepError: ce.Message})
}

func (m *Module) submit(w http.ResponseWriter, r *http.Request) {
	if _, err := m.svc.Submit(r.Context(), r.PathValue("id")); err != nil {
		m.stepBack(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/newsroom/"+r.PathValue("id"), "flash.pd_submitted")
}

func (m *Module) approve(w http.ResponseWriter, r *http.Request) {
	version, _ := strconv.Atoi(r.FormValue("version"))
	if _, err := m.svc.ApproveVersion(r.Context(), r.PathValue("id"), version); err != nil {
		m.stepBack(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/newsroom/"+r.PathValue("id"), "flash.pd_approved")
}

// giveBack returns the message to its writer with why; without a reason
// the form comes back open, naming its field.
func (m *Module) giveBack(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	if _, err := m.svc.ReturnWithNote(r.Context(), r.PathValue("id"), f.Get("note")); err != nil {
		if core.KindOf(err) == core.KindInvalid && f.Take(err) {
			m.renderMessage(w, r, web.FormStatus(err), msgView{ReturnForm: f})
			return
		}
		m.stepBack(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/newsroom/"+r.PathValue("id"), "flash.pd_returned")
}

func (m *Module) deleteMessage(w http.ResponseWriter, r *http.Request) {
	if err := m.svc.DeleteMessage(r.Context(), r.PathValue("id")); err != nil {
		m.stepBack(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/newsroom", "flash.pd_deleted")
}

// correct changes a published translation's text: the fediverse receives
// an Update.
func (m *Module) correct(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	postID := f.Get("post")
	cur, err := m.svc.Group(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	var post *Post
	for i := range cur {
		if cur[i].ID == postID {
			post = &cur[i]
		}
	}
	if post == nil {
		m.web.Error(w, r, errNotFound)
		return
	}
	version, _ := strconv.Atoi(f.Get("version"))
	_, err = m.svc.EditPublished(r.Context(), post.ID, version, Translation{Language: post.Language, Content: f.Get("content"), Warning: f.Get("warning")})
	if err != nil {
		if !f.Take(err) {
			m.web.Error(w, r, err)
			return
		}
		// The service names the text by its language; the form has one.
		for k, v := range f.Problems {
			if strings.HasPrefix(k, "content_") {
				delete(f.Problems, k)
				f.Problems.Add("content", v)
			}
		}
		m.renderMessage(w, r, web.FormStatus(err), msgView{CorrectForm: f, CorrectPost: post.ID})
		return
	}
	m.web.Redirect(w, r, "/newsroom/"+r.PathValue("id"), "flash.pd_correction_proposed")
}

// approveCorrection applies a correction someone else proposed.
func (m *Module) approveCorrection(w http.ResponseWriter, r *http.Request) {
	version, _ := strconv.Atoi(r.FormValue("version"))
	if _, err := m.svc.ApproveCorrection(r.Context(), r.FormValue("post"), version); err != nil {
		m.stepBack(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/newsroom/"+r.PathValue("id"), "flash.pd_corrected")
}

// discardCorrection drops a correction waiting for approval.
func (m *Module) discardCorrection(w http.ResponseWriter, r *http.Request) {
	if _, err := m.svc.DiscardCorrection(r.Context(), r.FormValue("post")); err != nil {
		m.stepBack(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/newsroom/"+r.PathValue("id"), "flash.pd_correction_discarded")
}

func (m *Module) addImage(w http.ResponseWriter, r *http.Request) {
	img, err := readImage(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	f := web.NewForm(r)
	if img == nil {
		img = &Image{Alt: map[string]string{}}
	}
	// The message's languages name the alt texts here: alt_<language>.
	cur, err := m.svc.Group(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	for _, p := range cur {
		img.Alt[p.Language] = f.Get("alt_" + p.Language)
	}
	if _, err := m.svc.AddImage(r.Context(), r.PathValue("id"), *img); err != nil {
		if !f.Take(err) {
			m.stepBack(w, r, err)
			return
		}
		// A third language's alt text is named by its language.
		f.Labels = map[string]string{}
		for _, p := range cur {
			if p.Language != "en" && p.Language != "id" {
				f.Labels["alt_"+p.Language] = "pd.field.alt_3"
			}
		}
		m.renderMessage(w, r, web.FormStatus(err), msgView{ImageForm: f})
		return
	}
	m.web.Redirect(w, r, "/newsroom/"+r.PathValue("id"), "flash.pd_image_added")
}

func (m *Module) removeImage(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PostFormValue("n"))
	if err != nil {
		m.web.Error(w, r, errNotFound)
		return
	}
	if _, err := m.svc.RemoveImage(r.Context(), r.PathValue("id"), n); err != nil {
		m.stepBack(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/newsroom/"+r.PathValue("id"), "flash.pd_image_removed")
}

// draftImage serves an image of a message to its organisation's people:
// ?m=<media id>. It is served as the type read from its bytes when it was
// stored, never sniffed again by the browser.
func (m *Module) draftImage(w http.ResponseWriter, r *http.Request) {
	f, err := m.svc.DraftMedia(r.Context(), r.URL.Query().Get("m"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	serveImage(w, f, "")
}

func serveImage(w http.ResponseWriter, f MediaFile, cache string) {
	w.Header().Set("Content-Type", f.MediaType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if cache != "" {
		w.Header().Set("Cache-Control", cache)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	w.Write(f.Data)
}
