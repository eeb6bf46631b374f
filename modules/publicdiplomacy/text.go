package publicdiplomacy

import (
	"html"
	"net/url"
	"regexp"
	"strings"
)

// A post is written as plain text, the way people write on the fediverse:
// blank lines between paragraphs, links as they are, #hashtags and
// @user@host mentions. It goes out as the small HTML every server keeps
// (p, br, a, span), so a press officer never writes markup and nobody can
// smuggle any in.

var (
	tokenRE = regexp.MustCompile(`https?://[^\s<>"]+|#[\p{L}\p{N}_]+|@[A-Za-z0-9_.-]+@[A-Za-z0-9.-]+\.[A-Za-z0-9:-]+|@[A-Za-z0-9_.-]+@(?:localhost|127\.0\.0\.1|\[::1\])(?::[0-9]+)?`)
)

// Mention is an @user@host in a post, resolved to the actor it names when
// the post is published.
type Mention struct {
	Acct  string // user@host
	Actor string // the actor's id; empty until resolved
	URL   string // the profile page, for the link
}

// rendered is a post's text as HTML, with what it tags.
type rendered struct {
	HTML     string
	Hashtags []string // without '#', as written
	Mentions []string // user@host, as written
}

// render turns plain text into the post's HTML. mentions maps user@host to
// the profile URL to link; unresolved mentions stay text.
func (s *Service) render(text string, mentions map[string]string) rendered {
	var out rendered
	var b strings.Builder
	paras := strings.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), "\n\n")
	for _, p := range paras {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		b.WriteString("<p>")
		lines := strings.Split(p, "\n")
		for i, line := range lines {
			if i > 0 {
				b.WriteString("<br>")
			}
			last := 0
			for _, m := range tokenRE.FindAllStringIndex(line, -1) {
				b.WriteString(html.EscapeString(line[last:m[0]]))
				tok := line[m[0]:m[1]]
				last = m[1]
				switch {
				case strings.HasPrefix(tok, "http"):
					tok = strings.TrimRight(tok, ".,;:!?)")
					last = m[0] + len(tok)
					b.WriteString(`<a href="` + html.EscapeString(tok) + `" rel="nofollow noopener" target="_blank">` + html.EscapeString(tok) + `</a>`)
				case tok[0] == '#':
					tag := tok[1:]
					out.Hashtags = append(out.Hashtags, tag)
					b.WriteString(`<a href="` + html.EscapeString(s.TagURL(tag)) + `" class="mention hashtag" rel="tag">#<span>` + html.EscapeString(tag) + `</span></a>`)
				default:
					acct := strings.TrimRight(tok[1:], ".")
					last = m[0] + 1 + len(acct)
					out.Mentions = append(out.Mentions, acct)
					if href, ok := mentions[strings.ToLower(acct)]; ok && href != "" {
						user := acct[:strings.IndexByte(acct, '@')]
						b.WriteString(`<span class="h-card"><a href="` + html.EscapeString(href) + `" class="u-url mention">@<span>` + html.EscapeString(user) + `</span></a></span>`)
					} else {
						b.WriteString(html.EscapeString("@" + acct))
					}
				}
			}
			b.WriteString(html.EscapeString(line[last:]))
		}
		b.WriteString("</p>")
	}
	out.HTML = b.String()
	return out
}

// TagURL is the page of a hashtag on this node.
func (s *Service) TagURL(tag string) string {
	return s.base() + "/social/tags/" + url.PathEscape(strings.ToLower(tag))
}

// textHTML is plain text (a profile's summary) as paragraphs.
func textHTML(text string) string {
	var b strings.Builder
	for _, p := range strings.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString("<p>" + strings.ReplaceAll(html.EscapeString(p), "\n", "<br>") + "</p>")
		}
	}
	return b.String()
}

// fieldHTML is a profile field's value: a link when it is one, marked
// rel="me" so that the linked page can verify the account, as Mastodon
// shows it.
func fieldHTML(v string) string {
	if u, err := url.Parse(v); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(v, " \t\n") {
		shown := strings.TrimPrefix(strings.TrimPrefix(v, "https://"), "http://")
		return `<a href="` + html.EscapeString(v) + `" rel="me nofollow noopener" target="_blank">` + html.EscapeString(shown) + `</a>`
	}
	return html.EscapeString(v)
}
