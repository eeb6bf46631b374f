package cybercrime

import (
	"mime"
	"net/http"

	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/web"
)

type receiptView struct {
	web.Page
	C        RequestReceipt
	File     string
	Download string
	// Other names the node's organisation that gave the receipt; Addr is
	// its address, shown small, as what identifies the node.
	Other, Addr string
}

func receiptFile(c RequestReceipt) string {
	id := c.EnvelopeID
	if len(id) > 12 {
		id = id[:12]
	}
	return "receipt-" + id + ".json"
}

// requestReceipt shows what the other node's receipt for the request, or
// for one of this side's steps (?event=), proves, in words.
func (m *Module) requestReceipt(w http.ResponseWriter, r *http.Request) {
	event := r.URL.Query().Get("event")
	c, err := m.svc.CheckReceipt(r.Context(), r.PathValue("id"), event)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	dl := "/cybercrime/requests/" + c.Request.ID + "/receipt.json"
	if event != "" {
		dl += "?event=" + event
	}
	addr := c.Request.other()
	v := receiptView{C: c, File: receiptFile(c), Download: dl, Other: addr, Addr: addr}
	v.Page = m.web.Page(r, "title.receipt")
	if o, ok := m.svc.Named(r.Context(), addr)[addr]; ok && o.Name(v.Lang) != "" {
		v.Other = o.Name(v.Lang)
	}
	v.TitleArgs = []any{v.Other}
	v.Nav = "cybercrime"
	m.web.Render(w, r, http.StatusOK, "cybercrime/request_receipt", v)
}

// requestReceiptDownload serves the receipt as a file for `entente verify`.
func (m *Module) requestReceiptDownload(w http.ResponseWriter, r *http.Request) {
	c, err := m.svc.CheckReceipt(r.Context(), r.PathValue("id"), r.URL.Query().Get("event"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": receiptFile(c)}))
	w.Write(federation.ReceiptFile(c.Raw, c.Peer.BaseURL))
}
