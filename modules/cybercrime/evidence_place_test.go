package cybercrime

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"entente.example/entente/core"
)

// TestEvidencePlaceIsChecked: a place with a NUL or invalid UTF-8 cannot go
// into a signed custody statement. The upload is refused on the place
// field, in the reader's language, its input kept, before the file is
// stored; a hand-over's fields likewise.
func TestEvidencePlaceIsChecked(t *testing.T) {
	w := newEvWorld(t)
	content := "203.0.113.7 GET /export\n"
	res := w.uploadAt(t, "AFP lab\x00Canberra", "logs.txt", strings.NewReader(content))
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page := string(b)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="place-err">contains a NUL character`) ||
		!strings.Contains(page, `href="#place">`) || !strings.Contains(page, `Canberra" aria-describedby="place-err" aria-invalid="true">`) {
		t.Errorf("a place with a NUL: %d\n%s", res.StatusCode, page)
	}
	if has, err := w.m.svc.ev.Blobs.Has(context.Background(), StatementHash([]byte(content))); err != nil || has {
		t.Errorf("the file was stored: %v %v", has, err)
	}
	if files, err := w.m.svc.EvidenceOf(w.inv, w.r); err != nil || len(files) != 0 {
		t.Errorf("files: %v %v", files, err)
	}
	_, err := w.m.svc.AddEvidence(w.inv, w.r.ID, Upload{Name: "logs.txt", Place: "Lab \xff", Body: strings.NewReader(content)})
	if ce := core.AsError(err); ce == nil || ce.Fields["place"] != core.ProblemUTF8 {
		t.Errorf("a place of invalid UTF-8: %v", err)
	}

	// A good file, then a hand-over whose recipient holds a NUL.
	res = w.upload(t, "logs.txt", strings.NewReader(content))
	res.Body.Close()
	files, err := w.m.svc.EvidenceOf(w.inv, w.r)
	if err != nil || len(files) != 1 {
		t.Fatal(files, err)
	}
	err = w.m.svc.RecordHandOver(w.inv, w.r.ID, files[0].ID, HandOver{To: "Tokyo\x00Court", Place: "Canberra", Note: "ok"})
	if ce := core.AsError(err); ce == nil || ce.Fields["to"] != core.ProblemNUL {
		t.Errorf("a hand-over to a name with a NUL: %v", err)
	}
	form := url.Values{"to": {"Tokyo District Court"}, "place": {"Canberra"}, "note": {"Sealed \xff"}}
	res, err = http.PostForm(w.url+"/"+files[0].ID+"/handover", form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), `value="Tokyo District Court"`) || !strings.Contains(string(b), `href="#note-`+files[0].ID+`">`) {
		t.Errorf("a hand-over note of invalid UTF-8: %d\n%s", res.StatusCode, b)
	}
}
