package negotiation

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"entente.example/entente/internal/web"
)

// export writes the working text, as the clean view shows it, as .docx or
// .odt, in the reader's language.
func (m *Module) export(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, t, err := m.svc.Text(r.Context(), r.PathValue("pid"), r.PathValue("tid"))
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
		lang := web.Lang(r.Context())
		tr := func(key string, args ...any) string { return m.web.Catalog().T(lang, key, args...) }
		d := NewDocument(t, v.P.Forum+" · "+exportMeta(t, tr, lang), exportAdoption(t, tr, lang), func(i int) string { return tr("neg.option", OptionLabel(i)) })
		var buf bytes.Buffer
		write, ctype := WriteDOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		if format == "odt" {
			write, ctype = WriteODT, odtMime
		}
		if err := write(&buf, d); err != nil {
			m.web.Error(w, r, fmt.Errorf("negotiation: export %s: %w", format, err))
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", `attachment; filename="`+exportName(t)+`.`+format+`"`)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(buf.Bytes())
	}
}

func exportMeta(t *Text, tr func(string, ...any) string, lang string) string {
	rev := tr("neg.no_revision")
	if t.Rev() > 0 {
		rev = fmt.Sprintf("Rev.%d", t.Rev())
		if t.Dirty {
			rev += " + " + tr("neg.working_text")
		}
	}
	return rev + " · " + web.HumanTime(lang, t.Dated())
}

func exportAdoption(t *Text, tr func(string, ...any) string, lang string) string {
	if t.Adoption == nil {
		return ""
	}
	return tr("neg.adopted_on", web.HumanTime(lang, t.Adoption.At), t.Adoption.Rev)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// exportName is a file name from the text's title and revision, in plain
// ASCII so every mail client and file system keeps it.
func exportName(t *Text) string {
	name := strings.Trim(unsafeName.ReplaceAllString(t.Title, "-"), "-.")
	if len(name) > 80 {
		name = strings.TrimRight(name[:80], "-.")
	}
	if name == "" {
		name = "text"
	}
	if t.Rev() > 0 {
		name += fmt.Sprintf("-Rev%d", t.Rev())
	}
	return name
}
