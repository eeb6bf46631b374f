package directory

import (
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"

	"entente.example/entente/core"
)

// maxRequestBody fits a request form with its files.
const maxRequestBody = MaxRequestAttachmentTotal + 1<<20

// readAttachments reads the files of a multipart form; a form sent without
// files (or without multipart) has none.
func readAttachments(r *http.Request) ([]RequestAttachment, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil, nil
	}
	if err := r.ParseMultipartForm(maxRequestBody); err != nil {
		return nil, &core.Error{Kind: core.KindTooLarge, Message: "err.too_large", Err: err}
	}
	var ats []RequestAttachment
	for _, fh := range r.MultipartForm.File["attachments"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue // the empty file input of a form sent without a file
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		// One byte more than allowed, so the service can say it is too large.
		data, err := io.ReadAll(io.LimitReader(f, MaxRequestAttachment+1))
		f.Close()
		if err != nil {
			return nil, err
		}
		ats = append(ats, RequestAttachment{Name: filepath.Base(fh.Filename), Data: data})
	}
	return ats, nil
}

// requestAttachment downloads a file: always as a download, never shown in
// the page, with the type read from its bytes and no sniffing by the browser.
func (m *Module) requestAttachment(w http.ResponseWriter, r *http.Request) {
	at, err := m.nets.RequestAttachmentData(r.Context(), r.PathValue("id"), r.PathValue("aid"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", at.ContentType)
	cd := mime.FormatMediaType("attachment", map[string]string{"filename": at.Name})
	if cd == "" {
		cd = "attachment" // a name the header cannot carry: still a download
	}
	w.Header().Set("Content-Disposition", cd)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	_, _ = w.Write(at.Data)
}
