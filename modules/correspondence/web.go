package correspondence

import (
	"cmp"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/web"
)

//go:embed openapi.json
var openapi []byte

// Module is correspondence's slice of the product.
type Module struct {
	svc   *Service
	fed   *federation.Service
	web   *web.Server
	book  AddressBook
	links *links.Service // "link to an incident" (links.go); nil: none
}

// NewModule returns the module.
func NewModule(s *Service, fed *federation.Service, w *web.Server) *Module {
	return &Module{svc: s, fed: fed, web: w}
}

// Name implements web.Module.
func (m *Module) Name() string { return "correspondence" }

// OpenAPI implements web.OpenAPISource.
func (m *Module) OpenAPI() []byte { return openapi }

// Routes implements web.Module.
func (m *Module) Routes() []web.Route {
	return []web.Route{
		{Pattern: "GET /mail", Action: access.MessageRead, Handler: m.inbox},
		{Pattern: "GET /mail/sent", Action: access.MessageRead, Handler: m.sent},
		{Pattern: "GET /mail/new", Action: access.MessageSend, Handler: m.compose},
		{Pattern: "POST /mail", Action: access.MessageSend, Handler: m.send, MaxBody: maxComposeBody},
		{Pattern: "GET /mail/{id}", Action: access.MessageRead, Handler: m.show},
		{Pattern: "GET /mail/{id}/attachments/{aid}", Action: access.MessageRead, Handler: m.attachment},
		{Pattern: "GET /mail/{id}/receipt", Action: access.MessageRead, Handler: m.receipt},
		{Pattern: "GET /mail/{id}/receipt.json", Action: access.MessageRead, Handler: m.receiptDownload},
		{Pattern: "POST /mail/{id}/ack", Action: access.MessageAck, Handler: m.ack},

		{Pattern: "GET /api/v1/messages", Action: access.MessageRead, Handler: m.apiList},
		{Pattern: "POST /api/v1/messages", Action: access.MessageSend, Handler: m.apiSend, MaxBody: maxComposeBody},
		{Pattern: "GET /api/v1/messages/{id}", Action: access.MessageRead, Handler: m.apiShow},
		{Pattern: "POST /api/v1/messages/{id}/ack", Action: access.MessageAck, Handler: m.apiAck},
	}
}

type listView struct {
	web.Page
	Q        string
	Box      string
	Messages []Message
	Next     string
}

func (m *Module) list(w http.ResponseWriter, r *http.Request, box, title string) {
	page, err := web.PageFromQuery(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := listView{Page: m.web.Page(r, title), Box: box, Q: r.URL.Query().Get("q")}
	v.Nav = "mail"
	if v.Messages, v.Next, err = m.svc.Search(r.Context(), box, v.Q, page); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "correspondence/list", v)
}

func (m *Module) inbox(w http.ResponseWriter, r *http.Request) { m.list(w, r, "in", "title.inbox") }
func (m *Module) sent(w http.ResponseWriter, r *http.Request)  { m.list(w, r, "out", "title.sent") }

type composeView struct {
	web.Page
	Form web.Form
	From []core.OrgRef
	Book []federation.RemoteOrg // the address book, for the "to" field's list
	TLPs []core.TLP
}

func (m *Module) composeView(r *http.Request, f web.Form) composeView {
	v := composeView{Page: m.web.Page(r, "title.compose"), Form: f, TLPs: []core.TLP{core.TLPClear, core.TLPGreen, core.TLPAmber, core.TLPAmberStrict, core.TLPRed}}
	v.Nav = "mail"
	a := core.ActorFrom(r.Context())
	for _, ms := range a.Memberships {
		if access.Can(a, access.MessageSend, access.Resource{OrgID: ms.Org.ID}) {
			v.From = append(v.From, ms.Org)
		}
	}
	v.Book = m.addresses(r.Context())
	return v
}

func (m *Module) compose(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := web.Form{Values: map[string][]string{"to": {q.Get("to")}, "from": {q.Get("from")}, "thread_id": {q.Get("thread")}, "subject": {q.Get("subject")}, "tlp": {cmp.Or(q.Get("tlp"), "AMBER")}}}
	m.web.Render(w, r, http.StatusOK, "correspondence/compose", m.composeView(r, f))
}

// maxComposeBody fits the attachments, base64-encoded in JSON.
const maxComposeBody = 4 << 20

func (m *Module) send(w http.ResponseWriter, r *http.Request) {
	var ats []Attachment
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(maxComposeBody); err != nil {
			m.web.Error(w, r, &core.Error{Kind: core.KindTooLarge, Message: "err.too_large", Err: err})
			return
		}
		for _, fh := range r.MultipartForm.File["attachments"] {
			if fh.Size == 0 && fh.Filename == "" {
				continue // the empty file input of a form sent without a file
			}
			f, err := fh.Open()
			if err != nil {
				m.web.Error(w, r, err)
				return
			}
			data, err := io.ReadAll(io.LimitReader(f, MaxAttachment+1))
			f.Close()
			if err != nil {
				m.web.Error(w, r, err)
				return
			}
			ats = append(ats, Attachment{Name: filepath.Base(fh.Filename), ContentType: fh.Header.Get("Content-Type"), Data: data})
		}
	}
	f := web.NewForm(r)
	c := Compose{From: f.Get("from"), To: []string{f.Get("to")}, Subject: f.Get("subject"), Body: f.Get("body"), ThreadID: f.Get("thread_id"),
		TLP: core.TLP(f.Get("tlp")), Classification: f.Get("classification"), Attachments: ats, Format: "plain", Named: []string{f.Get("named")}}
	if f.Get("markdown") == "on" {
		c.Format = "markdown"
	}
	if d := f.Get("ack_by"); d != "" {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			f.Problems.Add("ack_by", "err.date")
			m.web.Render(w, r, http.StatusUnprocessableEntity, "correspondence/compose", m.composeView(r, f))
			return
		}
		end := t.Add(24*time.Hour - time.Second)
		c.AckBy = &end
	}
	msg, err := m.svc.Send(r.Context(), c)
	if err != nil {
		if f.Take(err) {
			// The service speaks of acknowledge_by, as the API does; the
			// form's field is ack_by.
			if k, ok := f.Problems["acknowledge_by"]; ok {
				delete(f.Problems, "acknowledge_by")
				f.Problems["ack_by"] = k
			}
			m.web.Render(w, r, web.FormStatus(err), "correspondence/compose", m.composeView(r, f))
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/mail/"+msg.ID, "flash.message_sent")
}

type showView struct {
	web.Page
	Links    *links.Form
	Message  Message
	CanAck   bool
	CanReply bool
	Thread   []Message // the other messages of its thread
	ReplyTo  string    // address a reply goes to
	ReplyAs  string    // the organisation that replies
}

func (m *Module) show(w http.ResponseWriter, r *http.Request) {
	// A link followed from another site shows the message but does not
	// report it read: reading is something the person does here.
	msg, err := m.svc.Read(r.Context(), r.PathValue("id"), r.Header.Get("Sec-Fetch-Site") != "cross-site")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := showView{Page: m.web.Page(r, "title.message", msg.Subject), Message: msg}
	v.Nav = "mail"
	if m.links != nil {
		ref, err := m.svc.LinkRef(r.Context(), msg)
		if err == nil {
			v.Links, err = m.links.Page(r, ref)
		}
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
	}
	a := core.ActorFrom(r.Context())
	thread, err := m.svc.Thread(r.Context(), msg.ThreadID)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	for _, t := range thread {
		if t.ID != msg.ID {
			v.Thread = append(v.Thread, t)
		}
	}
	// A reply goes back to the sender, from the recipient organisation the
	// reader may write for.
	if msg.Direction == "in" || msg.FromOrgID == "" {
		for _, rc := range msg.Recipients {
			if rc.ToOrgID != "" && access.Can(a, access.MessageSend, access.Resource{OrgID: rc.ToOrgID}) {
				v.CanReply, v.ReplyTo = true, msg.From
				v.ReplyAs, _, _ = strings.Cut(rc.To, "@")
				break
			}
		}
	}
	for _, rc := range msg.Recipients {
		if rc.ToOrgID != "" && rc.AckedAt == nil && access.Can(a, access.MessageAck, access.Resource{OrgID: rc.ToOrgID}) {
			v.CanAck = true
		}
	}
	m.web.Render(w, r, http.StatusOK, "correspondence/show", v)
}

func (m *Module) attachment(w http.ResponseWriter, r *http.Request) {
	at, err := m.svc.AttachmentData(r.Context(), r.PathValue("id"), r.PathValue("aid"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	// Always a download, never rendered: the file comes from another
	// organisation, possibly another node.
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": at.Name}))
	if sum, err := hex.DecodeString(at.SHA256); err == nil {
		w.Header().Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	}
	w.Write(at.Data)
}

func (m *Module) ack(w http.ResponseWriter, r *http.Request) {
	if err := m.svc.Acknowledge(r.Context(), r.PathValue("id")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/mail/"+r.PathValue("id"), "flash.message_acked")
}

func (m *Module) apiList(w http.ResponseWriter, r *http.Request) {
	page, err := web.PageFromQuery(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	box := r.URL.Query().Get("box")
	if box == "" {
		box = "in"
	}
	ms, next, err := m.svc.Search(r.Context(), box, r.URL.Query().Get("q"), page)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if ms == nil {
		ms = []Message{}
	}
	m.web.JSON(w, http.StatusOK, web.List[Message]{Items: ms, NextCursor: next})
}

func (m *Module) apiSend(w http.ResponseWriter, r *http.Request) {
	var c Compose
	if err := web.DecodeJSON(r, &c); err != nil {
		m.web.Error(w, r, err)
		return
	}
	msg, err := m.svc.Send(r.Context(), c)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/messages/"+msg.ID)
	m.web.JSON(w, http.StatusCreated, msg)
}

func (m *Module) apiShow(w http.ResponseWriter, r *http.Request) {
	msg, err := m.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, msg)
}

func (m *Module) apiAck(w http.ResponseWriter, r *http.Request) {
	if err := m.svc.Acknowledge(r.Context(), r.PathValue("id")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
