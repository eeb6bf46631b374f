package directory

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"entente.example/entente/internal/web"
)

// requestFields is the request form's fields in the order the form shows
// them, each with the message key that names it, so the error summary lists
// problems in the order a person meets the fields.
var requestFields = []FieldProblem{
	{Name: "from", Label: "field.from"}, {Name: "to", Label: "field.to"}, {Name: "type", Label: "field.type"},
	{Name: "urgency", Label: "field.urgency"}, {Name: "subject", Label: "field.subject"}, {Name: "description", Label: "field.incident"},
	{Name: "sector", Label: "field.sector"}, {Name: "systems", Label: "field.systems"}, {Name: "asked", Label: "field.asked"},
	{Name: "indicators", Label: "field.indicators"}, {Name: "attachments", Label: "field.attachments"},
	{Name: "respond_by", Label: "field.respond_by"}, {Name: "tlp", Label: "field.tlp"}, {Name: "follow_up", Label: "field.follow_up"},
}

// FieldProblem is one field's problem, for an error summary.
type FieldProblem struct {
	Name    string // the field's id, for the summary's link
	Label   string // message key naming the field
	Problem string // message key of the problem
}

// Errors lists the form's problems in form order; a problem with a field
// the form does not show comes last, by name.
func (v requestFormView) Errors() []FieldProblem {
	return inFormOrder(v.Form.Problems, requestFields)
}

func inFormOrder(problems map[string]string, fields []FieldProblem) []FieldProblem {
	var out, rest []FieldProblem
	for _, f := range fields {
		if p := problems[f.Name]; p != "" {
			f.Problem = p
			out = append(out, f)
		}
	}
	for k, p := range problems {
		if !slices.ContainsFunc(fields, func(f FieldProblem) bool { return f.Name == k }) {
			rest = append(rest, FieldProblem{Name: k, Label: "field." + k, Problem: p})
		}
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].Name < rest[j].Name })
	return append(out, rest...)
}

// stixID is a STIX object's id: its type, two dashes and a UUID.
var stixID = regexp.MustCompile(`^[a-z][a-z0-9-]*--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IndicatorsHTML renders the indicators a request names with their links:
// a web address (http or https only) links to itself, leaving this node; a
// STIX object's id links to this node's threat-intelligence search, which
// shows it only to whoever may see it. Everything else is text. All of it is
// escaped; nothing the sender wrote becomes markup.
func (r Request) IndicatorsHTML() template.HTML {
	var b strings.Builder
	for i, line := range strings.Split(r.Indicators, "\n") {
		if i > 0 {
			b.WriteString("\n")
		}
		for j, word := range strings.Fields(line) {
			if j > 0 {
				b.WriteString(" ")
			}
			b.WriteString(linkWord(word))
		}
	}
	return template.HTML(b.String())
}

func linkWord(w string) string {
	esc := template.HTMLEscapeString
	trimmed := strings.TrimRight(w, ".,;:)")
	tail := w[len(trimmed):]
	switch {
	case stixID.MatchString(trimmed):
		return `<a href="/intel?q=` + esc(trimmed) + `">` + esc(trimmed) + `</a>` + esc(tail)
	case strings.HasPrefix(trimmed, "https://") || strings.HasPrefix(trimmed, "http://"):
		if u := safeURL(trimmed); u != "" {
			return `<a href="` + esc(u) + `" rel="noopener noreferrer nofollow" class="external">` + esc(trimmed) + `</a>` + esc(tail)
		}
	}
	return esc(w)
}

// safeURL returns an absolute http(s) address with a host, as a string
// fit for an href, or "" for anything else.
func safeURL(s string) string {
	// Characters an address never needs unescaped make it text, not a link.
	if strings.ContainsAny(s, "\"'<>`{}|\\^") {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	return u.String()
}

// requestCloseConfirm asks before closing a request, without script: the
// Close button leads here, and only this page's button closes.
func (m *Module) requestCloseConfirm(w http.ResponseWriter, r *http.Request, f web.Form) {
	v, err := m.requestPage(r, "title.request")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.Form = f
	m.web.Render(w, r, http.StatusOK, "directory/request_close", v)
}
