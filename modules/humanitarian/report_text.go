package humanitarian

import (
	"context"
	"net/http"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/web"
)

// EditText changes what is published of a report, for its coordinators:
// people write names, numbers and addresses into what they report (an
// e-mail's signature, "call me at…"), and only the coordinators may read
// those. The text as it arrived is kept beside it, once, for them.
func (s *Service) EditText(ctx context.Context, id, text string) (Report, error) {
	_, e, err := s.reportFor(ctx, id)
	if err != nil {
		return Report{}, err
	}
	if !s.Coordinates(ctx, e) {
		return Report{}, core.E(core.KindNotFound, "humanitarian: edit report", "err.not_found")
	}
	text = strings.TrimSpace(text)
	pr := core.Problems{}
	textCheck(pr, "text", text)
	if err := pr.Err("humanitarian: edit report"); err != nil {
		return Report{}, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE hum_reports SET original_text = CASE WHEN original_text = '' THEN text ELSE original_text END, text = ?
			WHERE id = ?`, text, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "humanitarian.report.edit", "hum_report", id, e.OrgID, "")
	})
	if err != nil {
		return Report{}, err
	}
	return s.Report(ctx, id)
}

// textCheck is a report's text rule, shared by the channels and the
// coordinators' edit.
func textCheck(pr core.Problems, field, s string) { text(pr, field, s, maxReportText, true) }

func (m *Module) editText(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	rep, err := m.svc.EditText(r.Context(), r.PathValue("id"), f.Get("text"))
	if err == nil {
		m.web.Redirect(w, r, "/humanitarian/reports/"+rep.ID, "flash.hum_text_saved")
		return
	}
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	m.reportPage(w, r, f, http.StatusUnprocessableEntity)
}

func (m *Module) apiEditText(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Text string `json:"text"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	rep, err := m.svc.EditText(r.Context(), r.PathValue("id"), in.Text)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, rep)
}
