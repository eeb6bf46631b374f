package humanitarian

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/humanitarian/inbound"
)

// SubmitEmail records a report from an e-mail (a mail gateway's or an
// uploaded .eml): the subject and body are its text, the place is what the
// gazetteer finds named in them, and up to three photos are kept. The
// Message-ID makes a message delivered or uploaded twice one report.
func (s *Service) SubmitEmail(ctx context.Context, e Emergency, msg inbound.Message) (Report, error) {
	text := strings.TrimSpace(msg.Text)
	if sub := strings.TrimSpace(msg.Subject); sub != "" && !strings.HasPrefix(text, sub) {
		text = sub + "\n\n" + text
	}
	if utf8.RuneCountInString(text) > maxReportText {
		text = string([]rune(text)[:maxReportText])
	}
	lang := "id"
	if len(e.Languages) > 0 {
		lang = e.Languages[0]
	}
	in := ReportInput{EmergencyID: e.ID, Channel: ChannelEmail, Text: text, OccurredAt: msg.At, Lang: lang, Name: msg.FromName, Contact: msg.From}
	in.MsgID = msg.ID
	if in.MsgID == "" {
		// Without a Message-ID, the same sender, time and words are taken
		// as the same message delivered again.
		h := sha256.Sum256([]byte(msg.From + "\x00" + msg.At.UTC().Format(time.RFC3339) + "\x00" + msg.Subject + "\x00" + msg.Text))
		in.MsgID = "sha256:" + hex.EncodeToString(h[:16])
	}
	if p, ok := s.places.Resolve(text); ok {
		in.Place = p.PCode
	}
	for _, ph := range msg.Photos {
		if len(in.Photos) < maxPhotos {
			in.Photos = append(in.Photos, Photo{Name: ph.Filename, MediaType: ph.ContentType, Data: ph.Data})
		}
	}
	return s.Submit(ctx, in)
}

// uploadEML makes a report of an .eml file a coordinator uploads (a mail
// forwarded to them, saved from their mail program).
func (m *Module) uploadEML(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	if !m.svc.Coordinates(r.Context(), e) {
		m.web.Error(w, r, core.E(core.KindForbidden, "humanitarian: upload eml", "err.forbidden"))
		return
	}
	f := web.Form{Values: map[string][]string{}, Problems: core.Problems{}}
	file, _, err := r.FormFile("eml")
	var msg inbound.Message
	if err == nil {
		defer file.Close()
		msg, err = inbound.ParseEmail(file, inbound.EmailConfig{MaxBytes: mailHookMaxBody, MaxPhotos: maxPhotos, MaxPhotoBytes: mailMaxPhoto}, m.svc.db.Clock().Now())
		if err != nil {
			f.Problems.Add("eml", "err.hum_gw_eml")
		}
	} else {
		f.Problems.Add("eml", "err.required")
	}
	var rep Report
	if len(f.Problems) == 0 {
		rep, err = m.svc.SubmitEmail(r.Context(), e, msg)
		if err != nil && !f.Take(err) {
			m.web.Error(w, r, err)
			return
		}
		for k, v := range f.Problems {
			if k != "eml" {
				f.Problems.Add("eml", v)
			}
		}
	}
	if len(f.Problems) > 0 {
		f.Message = "err.form"
		m.renderGateways(w, r, e, http.StatusUnprocessableEntity, web.Form{Problems: core.Problems{}}, func(v *gatewaysView) {
			v.Upload = &uploadResult{Form: f}
		})
		return
	}
	m.renderGateways(w, r, e, http.StatusCreated, web.Form{Problems: core.Problems{}}, func(v *gatewaysView) {
		v.Upload = &uploadResult{Report: rep, Skipped: msg.Skipped, Form: f}
	})
}
