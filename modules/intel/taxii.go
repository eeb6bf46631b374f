package intel

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

// The TAXII 2.1 server: one API root, /taxii2/api/, whose collections are
// the node's. Requests authenticate with an API token (HTTP Basic with the
// token as password, or Bearer); every read goes through Objects, so
// access.IntelFilter decides what each organisation sees.

const (
	taxiiMedia = "application/taxii+json;version=2.1"
	stixMedia  = "application/stix+json;version=2.1"
	// maxPost is the API root's max_content_length: the objects stream in,
	// so the bound is on time and disk, not memory.
	maxPost = 128 << 20
	// defaultPage is a page's size when the client asks no limit.
	defaultPage = 100
)

// taxii wraps a handler with what every TAXII request needs: an Accept the
// server can answer, and a signed-in principal.
func (m *Module) taxii(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !acceptsTAXII(r.Header.Get("Accept")) {
			m.taxiiFail(w, http.StatusNotAcceptable, "Not acceptable", "This server answers with "+taxiiMedia+".")
			return
		}
		if core.ActorFrom(r.Context()).Anonymous() {
			m.taxiiError(w, r, &core.Error{Kind: core.KindUnauthenticated})
			return
		}
		h(w, r)
	}
}

// acceptsTAXII: TAXII's media type with version 2.1 or none (which means
// the latest), or a wildcard some clients send.
func acceptsTAXII(accept string) bool {
	if accept == "" {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/taxii+json":
			if v, ok := params["version"]; !ok || v == "2.1" {
				return true
			}
		case "*/*", "application/*":
			return true
		}
	}
	return false
}

// taxiiErrorBody is TAXII's error message.
type taxiiErrorBody struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	HTTPStatus  string `json:"http_status"`
	ErrorID     string `json:"error_id,omitempty"`
}

func (m *Module) taxiiFail(w http.ResponseWriter, status int, title, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Add("WWW-Authenticate", `Basic realm="entente-taxii"`)
		w.Header().Add("WWW-Authenticate", `Bearer realm="entente-taxii"`)
	}
	writeTAXII(w, status, taxiiErrorBody{Title: title, Description: desc, HTTPStatus: strconv.Itoa(status)})
}

// taxiiError writes a core error in TAXII's format, in the person's language.
func (m *Module) taxiiError(w http.ResponseWriter, r *http.Request, err error) {
	ce := core.AsError(err)
	if ce == nil || ce.Kind == "" || ce.Kind == core.KindInternal {
		m.web.Log.Error("intel: taxii", "err", err, "path", r.URL.Path)
		m.taxiiFail(w, http.StatusInternalServerError, "Internal error", "")
		return
	}
	status := web.Status(ce.Kind)
	if ce.Message == "err.intel.param" {
		status = http.StatusBadRequest // TAXII's answer to a malformed query
	}
	lang := taxiiLang(r)
	desc := ""
	// "err.form" points a person at the fields marked on a page; a TAXII
	// client has no page, so the fields' own messages say it all.
	if ce.Message != "" && ce.Message != "err.form" && m.web.Catalog().Has(ce.Message) {
		desc = m.web.Catalog().T(lang, ce.Message)
	}
	var fields []string
	for f, k := range ce.Fields {
		fields = append(fields, f+": "+m.web.Catalog().T(lang, k))
	}
	slices.Sort(fields)
	if len(fields) > 0 {
		desc = strings.TrimSpace(desc + " " + strings.Join(fields, "; "))
	}
	m.taxiiFail(w, status, http.StatusText(status), desc)
}

// taxiiMsg writes a TAXII error whose description is the message key, in
// the client's language.
func (m *Module) taxiiMsg(w http.ResponseWriter, r *http.Request, status int, key string, args ...any) {
	m.taxiiFail(w, status, http.StatusText(status), m.web.Catalog().T(taxiiLang(r), key, args...))
}

var taxiiLangs = language.NewMatcher([]language.Tag{language.English, language.Indonesian})

// taxiiLang is the language of a TAXII error's description: what the client
// asks in Accept-Language, else English. A TAXII client is a program, whose
// logs and operators expect English, not the language the token's owner
// chose for their pages.
func taxiiLang(r *http.Request) string {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return "en"
	}
	if _, i, conf := taxiiLangs.Match(tags...); conf != language.No && i == 1 {
		return "id"
	}
	return "en"
}

func writeTAXII(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"title":"Internal error","http_status":"500"}`)
	}
	w.Header().Set("Content-Type", taxiiMedia)
	w.WriteHeader(status)
	w.Write(b)
}

func badParam(name, reason string) error {
	return &core.Error{Kind: core.KindInvalid, Message: "err.intel.param", Fields: map[string]string{name: reason}}
}

func (m *Module) discovery(w http.ResponseWriter, r *http.Request) {
	writeTAXII(w, http.StatusOK, map[string]any{
		"title":       "Entente TAXII 2.1 — " + m.svc.Host(),
		"description": "Threat intelligence shared under TLP 2.0 on this Entente node.",
		"default":     "/taxii2/api/",
		"api_roots":   []string{"/taxii2/api/"},
	})
}

func (m *Module) apiRoot(w http.ResponseWriter, r *http.Request) {
	writeTAXII(w, http.StatusOK, map[string]any{
		"title":              "Entente",
		"description":        "The collections of " + m.svc.Host() + ".",
		"versions":           []string{taxiiMedia},
		"max_content_length": maxPost,
	})
}

// taxiiCollection is a collection resource.
type taxiiCollection struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types"`
}

func toTAXII(c Collection) taxiiCollection {
	return taxiiCollection{ID: c.ID, Title: c.Title, Description: c.Description, Alias: c.Alias, CanRead: c.CanRead, CanWrite: c.CanWrite, MediaTypes: []string{stixMedia}}
}

// orgs are the organisations a TAXII request acts for: those the person
// reads for, and those they write for (which may only write).
func (m *Module) orgs(r *http.Request) []string {
	a := core.ActorFrom(r.Context())
	out := m.svc.Readers(a)
	for _, o := range m.svc.Writers(a) {
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

func (m *Module) collections(w http.ResponseWriter, r *http.Request) {
	cs, err := m.svc.Collections(r.Context(), m.orgs(r))
	if err != nil {
		m.taxiiError(w, r, err)
		return
	}
	if len(cs) == 0 {
		writeTAXII(w, http.StatusOK, struct{}{})
		return
	}
	out := make([]taxiiCollection, len(cs))
	for i, c := range cs {
		out[i] = toTAXII(c)
	}
	writeTAXII(w, http.StatusOK, map[string]any{"collections": out})
}

func (m *Module) collection(w http.ResponseWriter, r *http.Request) {
	c, err := m.svc.CollectionFor(r.Context(), m.orgs(r), r.PathValue("cid"))
	if err != nil {
		m.taxiiError(w, r, err)
		return
	}
	writeTAXII(w, http.StatusOK, toTAXII(c))
}

// readable returns the collection of the request if its reader may read it.
func (m *Module) readable(w http.ResponseWriter, r *http.Request) (Collection, []string, bool) {
	orgs := m.svc.Readers(core.ActorFrom(r.Context()))
	c, err := m.svc.CollectionFor(r.Context(), m.orgs(r), r.PathValue("cid"))
	if err == nil && !c.CanRead {
		err = &core.Error{Kind: core.KindForbidden, Message: "err.intel.no_read"}
	}
	if err != nil {
		m.taxiiError(w, r, err)
		return c, nil, false
	}
	return c, orgs, true
}

// parseQuery reads TAXII's filters; allowed names the match fields the
// endpoint takes.
func parseQuery(v url.Values, allowed ...string) (Query, error) {
	var q Query
	q.Limit = defaultPage
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return q, badParam("limit", "err.intel.limit")
		}
		q.Limit = min(n, MaxPage)
	}
	if s := v.Get("next"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return q, badParam("next", "err.intel.next")
		}
		q.After = n
	}
	if vs := v["added_after"]; len(vs) > 0 {
		t, err := time.Parse(time.RFC3339Nano, vs[0])
		if len(vs) > 1 || err != nil {
			return q, badParam("added_after", "err.intel.timestamp")
		}
		q.AddedAfter = stamp(t)
	}
	list := func(name string) []string {
		s := v.Get("match[" + name + "]")
		if s == "" || !slices.Contains(allowed, name) {
			return nil
		}
		return strings.Split(s, ",")
	}
	q.IDs = list("id")
	q.Types = list("type")
	q.SpecVersions = list("spec_version")
	for _, ver := range list("version") {
		switch ver {
		case "last", "first", "all":
			if ver == "all" && len(list("version")) > 1 {
				return q, badParam("match[version]", "err.intel.version")
			}
			q.Versions = append(q.Versions, ver)
		default:
			t, err := time.Parse(time.RFC3339Nano, ver)
			if err != nil {
				return q, badParam("match[version]", "err.intel.version")
			}
			q.Versions = append(q.Versions, stamp(t))
		}
	}
	return q, nil
}

// dateHeaders sets X-TAXII-Date-Added-First and -Last from a page. An
// empty page has neither: §3.2 defines them as the date_added of the first
// and last object returned, and with none there is no true value to give.
// Inventing one (now, or the collection's last date) would mislead a client
// that feeds it back as added_after.
func dateHeaders(w http.ResponseWriter, rows []Stored) {
	if len(rows) == 0 {
		return
	}
	w.Header().Set("X-TAXII-Date-Added-First", rows[0].DateAdded)
	w.Header().Set("X-TAXII-Date-Added-Last", rows[len(rows)-1].DateAdded)
}

// writeEnvelope writes the objects' exact stored bytes inside an envelope.
func writeEnvelope(w http.ResponseWriter, rows []Stored, more bool) {
	var b bytes.Buffer
	b.Grow(64 + len(rows)*1024)
	b.WriteByte('{')
	if len(rows) > 0 {
		b.WriteString(`"more":`)
		b.WriteString(strconv.FormatBool(more))
		if more {
			b.WriteString(`,"next":"`)
			b.WriteString(strconv.FormatInt(rows[len(rows)-1].Seq, 10))
			b.WriteByte('"')
		}
		b.WriteString(`,"objects":[`)
		for i, o := range rows {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(o.Raw)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	dateHeaders(w, rows)
	w.Header().Set("Content-Type", taxiiMedia)
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
}

func (m *Module) getObjects(w http.ResponseWriter, r *http.Request) {
	c, orgs, ok := m.readable(w, r)
	if !ok {
		return
	}
	q, err := parseQuery(r.URL.Query(), "id", "type", "version", "spec_version")
	if err != nil {
		m.taxiiError(w, r, err)
		return
	}
	q.Collection = c.ID
	rows, more, err := m.svc.Objects(r.Context(), orgs, q)
	if err != nil {
		m.taxiiError(w, r, err)
		return
	}
	writeEnvelope(w, rows, more)
}

func (m *Module) getObject(w http.ResponseWriter, r *http.Request) {
	c, orgs, ok := m.readable(w, r)
	if !ok {
		return
	}
	q, err := parseQuery(r.URL.Query(), "version", "spec_version")
	if err != nil {
		m.taxiiError(w, r, err)
		return
	}
	q.Collection, q.IDs = c.ID, []string{r.PathValue("oid")}
	rows, more, err := m.svc.Objects(r.Context(), orgs, q)
	if err != nil {
		m.taxiiError(w, r, err)
		return
	}
	if len(rows) == 0 && !m.visible(w, r, orgs, c.ID) {
		return
	}
	writeEnvelope(w, rows, more)
}

func (m *Module) versions(w http.ResponseWriter, r *http.Request) {
	c, orgs, ok := m.readable(w, r)
	if !ok {
		return
	}
	q, err := parseQuery(r.URL.Query(), "spec_version")
	if err != nil {
		m.taxiiError(w, r, err)
		return
	}
	q.Collection, q.IDs, q.Versions = c.ID, []string{r.PathValue("oid")}, []string{"all"}
	rows, more, err := m.svc.Objects(r.Context(), orgs, q)
	if err != nil {
		m.taxiiError(w, r, err)
		return
	}
	if len(rows) == 0 && !m.visible(w, r, orgs, c.ID) {
		return
	}
	out := map[string]any{"more": more}
	vs := make([]string, len(rows))
	for i, o := range rows {
		vs[i] = showStamp(o.Version)
	}
	if len(vs) > 0 {
		out["versions"] = vs
	}
	if more {
		out["next"] = strconv.FormatInt(rows[len(rows)-1].Seq, 10)
	}
	dateHeaders(w, rows)
	writeTAXII(w, http.StatusOK, out)
}

// visible reports whether the object of the request exists for its
// readers, and answers 404 if not. Get an Object and Get Object Versions
// are 404 only for an object the reader cannot see (§5.6, §5.8); one whose
// filters select nothing is an empty answer.
func (m *Module) visible(w http.ResponseWriter, r *http.Request, orgs []string, collection string) bool {
	rows, _, err := m.svc.Objects(r.Context(), orgs, Query{Collection: collection, IDs: []string{r.PathValue("oid")}, Versions: []string{"all"}, Limit: 1})
	if err == nil && len(rows) == 0 {
		err = &core.Error{Kind: core.KindNotFound, Message: "err.not_found"}
	}
	if err != nil {
		m.taxiiError(w, r, err)
		return false
	}
	return true
}

type manifestRecord struct {
	ID        string `json:"id"`
	DateAdded string `json:"date_added"`
	Version   string `json:"version"`
	MediaType string `json:"media_type"`
}

func (m *Module) manifest(w http.ResponseWriter, r *http.Request) {
	c, orgs, ok := m.readable(w, r)
	if !ok {
		return
	}
	q, err := parseQuery(r.URL.Query(), "id", "type", "version", "spec_version")
	if err != nil {
		m.taxiiError(w, r, err)
		return
	}
	q.Collection = c.ID
	rows, more, err := m.svc.Objects(r.Context(), orgs, q)
	if err != nil {
		m.taxiiError(w, r, err)
		return
	}
	if len(rows) == 0 {
		writeTAXII(w, http.StatusOK, struct{}{})
		return
	}
	recs := make([]manifestRecord, len(rows))
	for i, o := range rows {
		recs[i] = manifestRecord{ID: o.ID, DateAdded: o.DateAdded, Version: showStamp(o.Version), MediaType: stixMedia}
	}
	out := map[string]any{"more": more, "objects": recs}
	if more {
		out["next"] = strconv.FormatInt(rows[len(rows)-1].Seq, 10)
	}
	dateHeaders(w, rows)
	writeTAXII(w, http.StatusOK, out)
}

func (m *Module) postObjects(w http.ResponseWriter, r *http.Request) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/taxii+json" || params["version"] != "" && params["version"] != "2.1" {
		m.taxiiFail(w, http.StatusUnsupportedMediaType, "Unsupported media type", "Send "+taxiiMedia+".")
		return
	}
	a := core.ActorFrom(r.Context())
	c, err := m.svc.CollectionFor(r.Context(), m.orgs(r), r.PathValue("cid"))
	if err == nil && !c.CanWrite {
		err = &core.Error{Kind: core.KindForbidden, Message: "err.intel.no_write"}
	}
	if err != nil {
		m.taxiiError(w, r, err)
		return
	}
	st, err := m.svc.Post(r.Context(), m.svc.Writers(a), c.ID, r.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		// The objects read before the limit are stored and the status says
		// so; the client is told why the rest were not.
		m.taxiiError(w, r, &core.Error{Kind: core.KindTooLarge, Message: "err.too_large"})
		return
	}
	if err != nil {
		m.taxiiError(w, r, err)
		return
	}
	if st.TotalCount > MaxStatusLines {
		st.Successes, st.Failures = nil, nil
	} else {
		st = m.fillLines(r, st)
	}
	writeTAXII(w, http.StatusAccepted, st)
}

// fillLines reads the status lines back, so the POST answers like the
// status endpoint.
func (m *Module) fillLines(r *http.Request, st Status) Status {
	full, err := m.svc.Status(r.Context(), []string{st.Org}, st.ID)
	if err != nil {
		return st
	}
	return full
}

func (m *Module) status(w http.ResponseWriter, r *http.Request) {
	st, err := m.svc.Status(r.Context(), m.orgs(r), r.PathValue("id"))
	if err != nil {
		m.taxiiError(w, r, err)
		return
	}
	writeTAXII(w, http.StatusOK, st)
}

func (m *Module) deleteObject(w http.ResponseWriter, r *http.Request) {
	a := core.ActorFrom(r.Context())
	c, err := m.svc.CollectionFor(r.Context(), m.orgs(r), r.PathValue("cid"))
	if err == nil && (!c.CanRead || !c.CanWrite) {
		err = &core.Error{Kind: core.KindForbidden, Message: "err.intel.no_write"}
	}
	if err != nil {
		m.taxiiError(w, r, err)
		return
	}
	q, err := parseQuery(r.URL.Query(), "version", "spec_version")
	if err != nil {
		m.taxiiError(w, r, err)
		return
	}
	if len(q.Versions) == 0 {
		q.Versions = []string{"all"}
	}
	if err := m.svc.Delete(r.Context(), m.svc.Readers(a), m.svc.Writers(a), c.ID, r.PathValue("oid"), q); err != nil {
		m.taxiiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", taxiiMedia)
	w.WriteHeader(http.StatusOK)
}
