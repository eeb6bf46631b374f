package correspondence

import (
	"mime"
	"net/http"

	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/web"
)

type receiptView struct {
	web.Page
	C    ReceiptCheck
	File string // the name the download is saved under
}

// receipt shows what a recipient's signed receipt proves, checked now.
func (m *Module) receipt(w http.ResponseWriter, r *http.Request) {
	c, err := m.svc.CheckReceipt(r.Context(), r.PathValue("id"), r.URL.Query().Get("to"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := receiptView{Page: m.web.Page(r, "title.receipt", c.Recipient.To), C: c, File: receiptFileName(c)}
	v.Nav = "mail"
	m.web.Render(w, r, http.StatusOK, "correspondence/receipt", v)
}

// receiptDownload serves the receipt as a file for `entente verify`.
func (m *Module) receiptDownload(w http.ResponseWriter, r *http.Request) {
	c, err := m.svc.CheckReceipt(r.Context(), r.PathValue("id"), r.URL.Query().Get("to"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": receiptFileName(c)}))
	w.Write(federation.ReceiptFile(c.Raw, c.Peer.BaseURL))
}

func receiptFileName(c ReceiptCheck) string {
	id := c.Recipient.EnvelopeID
	if len(id) > 12 {
		id = id[:12]
	}
	return "receipt-" + id + ".json"
}
