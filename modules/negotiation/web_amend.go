package negotiation

// Pages of a delegation's and the chair's acts on a text: amendments and their decision, positions, co-sponsorship, objections, paragraphs, revisions and silence.

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

type amendFormView struct {
	textView
	Para  paraView
	Kinds []string
	Form  web.Form
}

func (m *Module) amendFormView(r *http.Request, para string, f web.Form) (amendFormView, error) {
	tv, err := m.textView(r, "title.amend")
	if err != nil {
		return amendFormView{}, err
	}
	m.build(&tv, false)
	i := tv.T.Para(para)
	if i < 0 {
		return amendFormView{}, errNotFound
	}
	v := amendFormView{textView: tv, Para: tv.Paras[i], Kinds: AmendKinds, Form: f}
	if v.Form.Values == nil {
		v.Form = web.Form{Values: map[string][]string{"proposed": {tv.T.Paragraphs[i].Wording()}, "amend_kind": {AmendReplace}}}
	}
	return v, nil
}

func (m *Module) amendForm(w http.ResponseWriter, r *http.Request) {
	v, err := m.amendFormView(r, r.URL.Query().Get("para"), web.Form{})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "negotiation/amend", v)
}

func (m *Module) amend(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	pid, tid := r.PathValue("pid"), r.PathValue("tid")
	opt, _ := strconv.Atoi(f.Get("option"))
	_, err := m.svc.Do(r.Context(), pid, ActInput{Kind: ActAmend, Text: tid, By: f.Get("by"),
		Amend: &Amend{Para: f.Get("para"), Kind: f.Get("amend_kind"), Option: opt, Proposed: f.Get("proposed"), Justification: f.Get("justification")}})
	if err != nil {
		v, verr := m.amendFormView(r, f.Get("para"), f)
		if verr == nil && v.Form.Take(err) {
			m.web.Render(w, r, web.FormStatus(err), "negotiation/amend", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/negotiation/"+pid+"/texts/"+tid+"#"+f.Get("para"), m.sentFlash(r, pid))
}

type amendmentView struct {
	textView
	AV        amendView
	Positions []Position
}

func (m *Module) amendmentView(r *http.Request) (amendmentView, error) {
	tv, err := m.textView(r, "title.amendment")
	if err != nil {
		return amendmentView{}, err
	}
	m.build(&tv, true)
	aid := r.PathValue("aid")
	for _, p := range tv.Paras {
		for _, a := range p.Amendments {
			if a.A.ID == aid {
				v := amendmentView{textView: tv, AV: a}
				for _, pos := range tv.T.Positions {
					if pos.Target == "a:"+aid {
						v.Positions = append(v.Positions, pos)
					}
				}
				v.TitleArgs = []any{aid}
				return v, nil
			}
		}
	}
	// An amendment to a paragraph struck since.
	a, ok := tv.T.Amendment(aid)
	if !ok {
		return amendmentView{}, errNotFound
	}
	v := amendmentView{textView: tv, AV: amendView{A: *a, Diff: DiffHTML(a.Ops(), "-", "+")}}
	v.TitleArgs = []any{aid}
	return v, nil
}

func (m *Module) amendment(w http.ResponseWriter, r *http.Request) {
	v, err := m.amendmentView(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "negotiation/amendment", v)
}

func (m *Module) decide(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	pid, tid, aid := r.PathValue("pid"), r.PathValue("tid"), r.PathValue("aid")
	err := m.svc.Decide(r.Context(), pid, tid, aid, DecisionInput{Verdict: f.Get("verdict"), Reason: f.Get("reason"), Into: f.Get("into")})
	if err != nil {
		v, verr := m.amendmentView(r)
		if verr == nil && v.Form.Take(err) {
			v.Form.Values = f.Values
			m.web.Render(w, r, web.FormStatus(err), "negotiation/amendment", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/negotiation/"+pid+"/texts/"+tid+"#"+aid, "flash.decided")
}

func (m *Module) position(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	pid, tid := r.PathValue("pid"), r.PathValue("tid")
	target := f.Get("target")
	_, err := m.svc.Do(r.Context(), pid, ActInput{Kind: ActPosition, Text: tid, By: f.Get("by"), Position: &Stance{Target: target, Stance: f.Get("stance"), Note: f.Get("note")}})
	if err != nil {
		m.textError(w, r, f, err)
		return
	}
	_, id, _ := strings.Cut(target, ":")
	m.web.Redirect(w, r, "/negotiation/"+pid+"/texts/"+tid+"#"+id, m.sentFlash(r, pid))
}

func (m *Module) cosponsor(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	pid, tid := r.PathValue("pid"), r.PathValue("tid")
	kind := ActCosponsor
	if f.Get("leave") != "" {
		kind = ActUncosponsor
	}
	if _, err := m.svc.Do(r.Context(), pid, ActInput{Kind: kind, Text: tid, By: f.Get("by")}); err != nil {
		m.textError(w, r, f, err)
		return
	}
	m.web.Redirect(w, r, "/negotiation/"+pid+"/texts/"+tid, m.sentFlash(r, pid))
}

func (m *Module) object(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	pid, tid := r.PathValue("pid"), r.PathValue("tid")
	if _, err := m.svc.Do(r.Context(), pid, ActInput{Kind: ActObject, Text: tid, By: f.Get("by"), Silence: f.Get("silence"), Reason: f.Get("reason")}); err != nil {
		m.textError(w, r, f, err)
		return
	}
	m.web.Redirect(w, r, "/negotiation/"+pid+"/texts/"+tid+"#silence", m.sentFlash(r, pid))
}

type paragraphView struct {
	textView
	Para  paraView
	After bool // inserting a new paragraph after Para
	Form  web.Form
}

func (m *Module) paragraphView(r *http.Request, f web.Form) (paragraphView, error) {
	tv, err := m.textView(r, "title.paragraph")
	if err != nil {
		return paragraphView{}, err
	}
	if !tv.Seat.Runs() {
		return paragraphView{}, errOp("paragraph", core.KindForbidden, "err.chair_only")
	}
	m.build(&tv, false)
	i := tv.T.Para(r.PathValue("para"))
	if i < 0 {
		return paragraphView{}, errNotFound
	}
	v := paragraphView{textView: tv, Para: tv.Paras[i], After: r.URL.Query().Get("insert") != "" || f.Get("insert") != "", Form: f}
	if v.Form.Values == nil {
		p := tv.T.Paragraphs[i]
		v.Form = web.Form{Values: map[string][]string{"part": {p.Part}, "agreed": {p.Agreed}, "option": p.Options}}
		if v.After {
			v.Form.Values = map[string][]string{"part": {p.Part}}
		}
	}
	return v, nil
}

// Options returns the option fields to show: those typed, and one empty
// field to add another.
func (v paragraphView) Options() []string {
	opts := v.Form.Values["option"]
	var out []string
	for _, o := range opts {
		if strings.TrimSpace(o) != "" {
			out = append(out, o)
		}
	}
	if len(out) < maxOptions {
		out = append(out, "")
	}
	return out
}

func (m *Module) paragraphForm(w http.ResponseWriter, r *http.Request) {
	v, err := m.paragraphView(r, web.Form{})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "negotiation/paragraph", v)
}

func (m *Module) editParagraph(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	pid, tid, para := r.PathValue("pid"), r.PathValue("tid"), r.PathValue("para")
	in := ParagraphInput{Part: f.Get("part"), Options: f.Values["option"], Agreed: f.Get("agreed")}
	var err error
	anchor := para
	if f.Get("insert") != "" {
		anchor, err = m.svc.InsertParagraph(r.Context(), pid, tid, para, in)
	} else {
		err = m.svc.EditParagraph(r.Context(), pid, tid, para, in)
	}
	if err != nil {
		v, verr := m.paragraphView(r, f)
		if verr == nil && v.Form.Take(err) {
			m.web.Render(w, r, web.FormStatus(err), "negotiation/paragraph", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/negotiation/"+pid+"/texts/"+tid+"#"+anchor, "flash.saved")
}

func (m *Module) revision(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	pid, tid := r.PathValue("pid"), r.PathValue("tid")
	if _, err := m.svc.IssueRevision(r.Context(), pid, tid, f.Get("note")); err != nil {
		m.textError(w, r, f, err)
		return
	}
	m.web.Redirect(w, r, "/negotiation/"+pid+"/texts/"+tid, "flash.revision_issued")
}

func (m *Module) silence(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	pid, tid := r.PathValue("pid"), r.PathValue("tid")
	d, perr := time.Parse(deadlineLayout, f.Get("deadline"))
	err := core.Problems{"deadline": "err.datetime"}.Err("negotiation: silence")
	if perr == nil {
		err = m.svc.Circulate(r.Context(), pid, tid, SilenceInput{Deadline: d, AsIs: f.Get("as_is") == "yes"})
	}
	if err != nil {
		m.textError(w, r, f, err)
		return
	}
	m.web.Redirect(w, r, "/negotiation/"+pid+"/texts/"+tid+"#silence", "flash.silence_started")
}
