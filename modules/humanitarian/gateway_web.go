package humanitarian

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/humanitarian/inbound"
)

// Bodies the hooks take: an SMS webhook is a few kilobytes; a mail carries
// up to three photos.
const (
	smsHookMaxBody  = inbound.DefaultSMSMaxBytes + 1
	mailHookMaxBody = 25 << 20
	mailMaxPhoto    = maxPhotoBytes
)

func (m *Module) channelRoutes() []web.Route {
	wr, rep := access.HumWrite, access.HumReport
	return []web.Route{
		// The gateways' doors: the secret is the gateway's proof, and
		// refusals are in the gateways' own JSON.
		{Pattern: "POST /hooks/humanitarian/sms/{gw}", Action: rep, Handler: m.smsHook, MaxBody: smsHookMaxBody, Errors: smsRefusal},
		{Pattern: "GET /hooks/humanitarian/sms/{gw}", Action: rep, Handler: m.smsTask, Errors: smsRefusal},
		{Pattern: "POST /hooks/humanitarian/mail/{gw}", Action: rep, Handler: m.mailHook, MaxBody: mailHookMaxBody, Errors: smsRefusal},
		{Pattern: "GET /humanitarian/emergencies/{id}/gateways", Action: wr, Handler: m.gatewaysPage},
		{Pattern: "POST /humanitarian/emergencies/{id}/gateways", Action: wr, Handler: m.createGateway},
		{Pattern: "POST /humanitarian/emergencies/{id}/gateways/{gw}", Action: wr, Handler: m.updateGateway},
		{Pattern: "POST /humanitarian/emergencies/{id}/reports/eml", Action: wr, Handler: m.uploadEML, MaxBody: mailHookMaxBody},
	}
}

// smsRefusal answers a gateway the node refused before the hook ran (a
// body too large or not a form) in the gateways' JSON.
func smsRefusal(w http.ResponseWriter, r *http.Request, err error) {
	switch core.KindOf(err) {
	case core.KindTooLarge:
		err = &inbound.Error{Code: "sms.too_large", Status: http.StatusRequestEntityTooLarge}
	case core.KindInvalid:
		err = &inbound.Error{Code: "sms.malformed_body", Status: http.StatusBadRequest}
	case core.KindForbidden, core.KindUnauthenticated:
		err = &inbound.Error{Code: "sms.bad_secret", Status: http.StatusForbidden}
	}
	inbound.WriteSMSReply(w, err)
}

// restoreForm gives back a form body the node already parsed, so that the
// library reads the same fields whatever the body's type.
func restoreForm(r *http.Request) {
	if r.PostForm != nil && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		r.Body = io.NopCloser(strings.NewReader(r.PostForm.Encode()))
	}
}

// tr is the catalogue in one language.
func (m *Module) tr(lang string) translate {
	return func(key string, args ...any) string { return m.web.Catalog().T(lang, key, args...) }
}

// smsMessage is one message SMSSync or FrontlineSMS is asked to send.
type smsMessage struct {
	To      string `json:"to"`
	Message string `json:"message"`
	UUID    string `json:"uuid"`
}

type smsPayload struct {
	Payload struct {
		Success  bool         `json:"success"`
		Error    *string      `json:"error"`
		Task     string       `json:"task,omitempty"`
		Secret   string       `json:"secret,omitempty"`
		Messages []smsMessage `json:"messages,omitempty"`
	} `json:"payload"`
}

func writeSMSPayload(w http.ResponseWriter, p smsPayload) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(p)
}

// smsHook takes an SMS a gateway received. SMSSync fetches the reply when
// it next polls; FrontlineSMS finds it in the answer.
func (m *Module) smsHook(w http.ResponseWriter, r *http.Request) {
	h := m.svc.OpenHook(r.Context(), r.PathValue("gw"), GatewaySMSSync, GatewayFrontlineSMS)
	if r.URL.Query().Get("task") == "sent" {
		m.smsSent(w, r, h)
		return
	}
	restoreForm(r)
	msg, err := inbound.ParseSMSWith(r, h.SMSConfig(), m.svc.db.Clock().Now())
	if err != nil {
		inbound.WriteSMSReply(w, err)
		return
	}
	out, err := m.svc.ReceiveSMS(r.Context(), h, msg)
	if err != nil {
		inbound.WriteSMSReply(w, err)
		return
	}
	var p smsPayload
	p.Payload.Success = true
	reply := SMSReply(out, m.svc.places, m.tr(out.Lang))
	switch {
	case reply == "":
	case out.Duplicate && h.Gateway.Kind == GatewaySMSSync:
		// Its reply is in the outbox already. FrontlineSMS is answered
		// again: it delivers twice when it lost the first answer.
	case h.Gateway.Kind == GatewaySMSSync:
		if err := m.svc.QueueSMS(r.Context(), h.Gateway.ID, msg.From, reply); err != nil {
			inbound.WriteSMSReply(w, err)
			return
		}
	default:
		p.Payload.Task = "send"
		p.Payload.Messages = []smsMessage{{To: msg.From, Message: reply, UUID: newUUID()}}
	}
	writeSMSPayload(w, p)
}

// presented is the secret a polling gateway gives, in its query or form.
func presented(r *http.Request) string {
	if s := r.URL.Query().Get("secret"); s != "" {
		return s
	}
	return r.PostFormValue("secret")
}

// smsTask answers SMSSync's polls: task=send hands it the queued replies,
// task=sent (also by GET) takes the uuids it sent. The secret is asked
// for: the replies carry people's numbers.
func (m *Module) smsTask(w http.ResponseWriter, r *http.Request) {
	h := m.svc.OpenHook(r.Context(), r.PathValue("gw"), GatewaySMSSync)
	secret := presented(r)
	if !h.Check(secret) {
		inbound.WriteSMSReply(w, &inbound.Error{Code: "sms.bad_secret", Field: "secret", Status: http.StatusForbidden})
		return
	}
	switch r.URL.Query().Get("task") {
	case "send":
		list, err := m.svc.TakeSMS(r.Context(), h.Gateway.ID)
		if err != nil {
			inbound.WriteSMSReply(w, err)
			return
		}
		var p smsPayload
		p.Payload.Success, p.Payload.Task, p.Payload.Secret = true, "send", secret
		p.Payload.Messages = []smsMessage{}
		for _, o := range list {
			p.Payload.Messages = append(p.Payload.Messages, smsMessage{To: o.To, Message: o.Message, UUID: o.UUID})
		}
		writeSMSPayload(w, p)
	case "sent":
		m.smsSent(w, r, h)
	default:
		inbound.WriteSMSReply(w, &inbound.Error{Code: "sms.unknown_task", Field: "task", Status: http.StatusBadRequest})
	}
}

// smsSent takes SMSSync's list of the replies it sent, queued_messages (a
// JSON body, or form or query values) and answers with the uuids it knew,
// as {"message_uuids": [...]}.
func (m *Module) smsSent(w http.ResponseWriter, r *http.Request, h Hook) {
	var body struct {
		Secret string   `json:"secret"`
		Queued []string `json:"queued_messages"`
	}
	secret := r.URL.Query().Get("secret")
	uuids := r.URL.Query()["queued_messages"]
	if r.Method == http.MethodPost {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			if err := json.NewDecoder(io.LimitReader(r.Body, smsHookMaxBody)).Decode(&body); err != nil {
				inbound.WriteSMSReply(w, &inbound.Error{Code: "sms.malformed_body", Status: http.StatusBadRequest})
				return
			}
			uuids = append(uuids, body.Queued...)
		} else {
			uuids = append(uuids, r.PostForm["queued_messages"]...)
		}
		secret = cmpOr(body.Secret, r.PostFormValue("secret"), secret)
	}
	if !h.Check(secret) {
		inbound.WriteSMSReply(w, &inbound.Error{Code: "sms.bad_secret", Field: "secret", Status: http.StatusForbidden})
		return
	}
	done, err := m.svc.SentSMS(r.Context(), h.Gateway.ID, uuids)
	if err != nil {
		inbound.WriteSMSReply(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string][]string{"message_uuids": done})
}

func cmpOr(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// mailHook takes a message a mail gateway received, as message/rfc822
// with the secret in the query ("Authorization" is the node's, for API
// tokens).
func (m *Module) mailHook(w http.ResponseWriter, r *http.Request) {
	h := m.svc.OpenHook(r.Context(), r.PathValue("gw"), GatewayMail)
	msg, err := inbound.ParseEmailRequest(r, "", inbound.EmailConfig{Check: h.Check, MaxBytes: mailHookMaxBody, MaxPhotos: maxPhotos, MaxPhotoBytes: mailMaxPhoto}, m.svc.db.Clock().Now())
	if err != nil {
		inbound.WriteSMSReply(w, err)
		return
	}
	err = m.svc.Throttle(r.Context(), "mail:"+msg.From, senderPerHour)
	if err == nil {
		err = m.svc.Throttle(r.Context(), "mailgw:"+r.PathValue("gw"), gatewayPerHour)
	}
	if err != nil {
		if core.KindOf(err) == core.KindRateLimited {
			writeSMSPayload(w, okPayload())
			return
		}
		inbound.WriteSMSReply(w, err)
		return
	}
	if _, err := m.svc.SubmitEmail(r.Context(), h.Emergency, msg); err != nil && core.KindOf(err) != core.KindInvalid {
		inbound.WriteSMSReply(w, err)
		return
	}
	writeSMSPayload(w, okPayload())
}

func okPayload() smsPayload {
	var p smsPayload
	p.Payload.Success = true
	return p
}

// gatewaysView is the coordinators' page of gateways and uploads.
type gatewaysView struct {
	view
	Gateways []Gateway
	Kinds    []string
	Form     web.Form
	Created  *Gateway // just created: its secret is shown this once
	Upload   *uploadResult
	Base     string // the node's address, for the hooks' URLs
}

// uploadResult is what an uploaded .eml became.
type uploadResult struct {
	Report  Report
	Skipped []inbound.Skipped
	Form    web.Form
}

func (m *Module) gatewaysView(r *http.Request, e Emergency, f web.Form) (gatewaysView, error) {
	v := gatewaysView{view: m.emergencyView(r, e, "/gateways", "hum.gw.title", e.Title), Kinds: GatewayKinds, Form: f, Base: m.base(r)}
	var err error
	v.Gateways, err = m.svc.Gateways(r.Context(), e)
	return v, err
}

func (m *Module) renderGateways(w http.ResponseWriter, r *http.Request, e Emergency, status int, f web.Form, edit func(*gatewaysView)) {
	v, err := m.gatewaysView(r, e, f)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if edit != nil {
		edit(&v)
	}
	m.web.Render(w, r, status, "humanitarian/gateways", v)
}

func (m *Module) gatewaysPage(w http.ResponseWriter, r *http.Request) {
	if e, ok := m.load(w, r); ok {
		m.renderGateways(w, r, e, http.StatusOK, web.Form{Values: map[string][]string{"country_code": {"62"}}, Problems: core.Problems{}}, nil)
	}
}

func (m *Module) createGateway(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	f := web.NewForm(r)
	g, err := m.svc.CreateGateway(r.Context(), e, Gateway{Kind: f.Get("kind"), Name: f.Get("name"), Address: f.Get("address"), CountryCode: f.Get("country_code")})
	if err == nil {
		// Rendered, not redirected: the secret is shown on this page only.
		m.renderGateways(w, r, e, http.StatusCreated, web.Form{Problems: core.Problems{}}, func(v *gatewaysView) { v.Created = &g })
		return
	}
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	m.renderGateways(w, r, e, http.StatusUnprocessableEntity, f, nil)
}

func (m *Module) updateGateway(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	f := web.NewForm(r)
	old, err := m.svc.Gateway(r.Context(), e, r.PathValue("gw"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	old.Enabled = f.Get("enabled") == "1"
	if _, err := m.svc.UpdateGateway(r.Context(), e, old.ID, old); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/humanitarian/emergencies/"+e.ID+"/gateways", "flash.hum_gw_saved")
}

// base is the node's public address, for the absolute URLs a gateway's
// settings take: the configured one, else the address this page was asked
// at (what the server does for invitation links).
func (m *Module) base(r *http.Request) string {
	if b := strings.TrimRight(m.web.BaseURL, "/"); b != "" {
		return b
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
