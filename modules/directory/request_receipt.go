package directory

import (
	"context"
	"mime"
	"net/http"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/web"
)

// RequestReceipt is what the recipient node's signed receipt for a request
// proves, checked now (see federation.ReceiptCheck).
type RequestReceipt struct {
	federation.ReceiptCheck
	Request Request
}

// CheckRequestReceipt checks the receipt the recipient's node gave for a
// request this node sent. Whoever may read the request may see it.
func (s *Networks) CheckRequestReceipt(ctx context.Context, id string) (RequestReceipt, error) {
	r, err := s.Request(ctx, id)
	if err != nil {
		return RequestReceipt{}, err
	}
	if r.Receipt == "" {
		return RequestReceipt{}, &core.Error{Kind: core.KindNotFound, Op: "directory: request receipt", Message: "err.not_found"}
	}
	_, host, _ := federation.Address(r.To)
	return RequestReceipt{ReceiptCheck: s.fed.CheckReceipt(ctx, r.Receipt, r.EnvelopeID, host), Request: r}, nil
}

type requestReceiptView struct {
	web.Page
	C    RequestReceipt
	File string
}

func requestReceiptFile(c RequestReceipt) string {
	id := c.Request.EnvelopeID
	if len(id) > 12 {
		id = id[:12]
	}
	return "receipt-" + id + ".json"
}

// requestReceipt shows what the receipt for a request proves, in words.
func (m *Module) requestReceipt(w http.ResponseWriter, r *http.Request) {
	c, err := m.nets.CheckRequestReceipt(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := requestReceiptView{Page: m.web.Page(r, "title.receipt", c.Request.To), C: c, File: requestReceiptFile(c)}
	v.Nav = "requests"
	m.web.Render(w, r, http.StatusOK, "directory/request_receipt", v)
}

// requestReceiptDownload serves the receipt as a file for `entente verify`.
func (m *Module) requestReceiptDownload(w http.ResponseWriter, r *http.Request) {
	c, err := m.nets.CheckRequestReceipt(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": requestReceiptFile(c)}))
	w.Write(federation.ReceiptFile(c.Raw, c.Peer.BaseURL))
}
