package hxl

import (
	"slices"
	"strings"
)

// Column is one column of an HXL file: its hashtag and attributes (both
// lower case) and the text header above the hashtag row. A column with no
// valid hashtag has an empty Tag; it is kept so that positions stay those of
// the file, but no pattern matches it.
type Column struct {
	// Tag is the hashtag with its "#", lower case ("#org"), or "".
	Tag string
	// Attributes are lower case without "+", in the file's order, each once.
	Attributes []string
	// Header is the text header from the row above the hashtag row.
	Header string
}

// ParseColumn reads a hashtag spec such as "#org+impl+name" or
// "#Targeted +F". Case is folded and spaces around "+" are allowed, as
// libhxl allows them. ok is false when s is not a valid spec.
func ParseColumn(s string) (c Column, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '#' {
		return Column{}, false
	}
	tag, rest, ok := token(s[1:])
	if !ok {
		return Column{}, false
	}
	c.Tag = "#" + tag
	for {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			return c, true
		}
		if rest[0] != '+' {
			return Column{}, false
		}
		var attr string
		attr, rest, ok = token(strings.TrimLeft(rest[1:], " \t"))
		if !ok {
			return Column{}, false
		}
		if !slices.Contains(c.Attributes, attr) {
			c.Attributes = append(c.Attributes, attr)
		}
	}
}

// token reads [A-Za-z][A-Za-z0-9_]* at the start of s, lower-cased.
func token(s string) (tok, rest string, ok bool) {
	i := 0
	for i < len(s) {
		b := s[i]
		letter := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
		if !letter && (i == 0 || !(b >= '0' && b <= '9' || b == '_')) {
			break
		}
		i++
	}
	if i == 0 {
		return "", s, false
	}
	return strings.ToLower(s[:i]), s[i:], true
}

// Spec is the column's hashtag spec as written in a hashtag row
// ("#org+impl+name"), or "" for an untagged column.
func (c Column) Spec() string {
	if c.Tag == "" {
		return ""
	}
	return c.Tag + joinAttrs(c.Attributes)
}

func joinAttrs(attrs []string) string {
	if len(attrs) == 0 {
		return ""
	}
	return "+" + strings.Join(attrs, "+")
}

// Has says whether the column carries the attribute (without "+", any case).
func (c Column) Has(attr string) bool {
	return slices.Contains(c.Attributes, strings.ToLower(attr))
}

// Pattern selects columns by hashtag: "#org+impl" matches every #org column
// that has +impl whatever else it has; "-attr" excludes columns with that
// attribute ("#targeted-f-m" is the total, not a disaggregation); a final
// "!" admits no other attribute ("#adm1!" is #adm1 alone). This is libhxl's
// tag-pattern language without its wildcard.
type Pattern struct {
	tag      string
	include  []string
	exclude  []string
	absolute bool
}

// ParsePattern reads a tag pattern; the error is a *Problem with
// CodeBadPattern.
func ParsePattern(s string) (Pattern, error) {
	bad := func() (Pattern, error) {
		return Pattern{}, &Problem{Code: CodeBadPattern, Value: clip(s)}
	}
	t := strings.TrimSpace(s)
	var p Pattern
	if strings.HasSuffix(t, "!") {
		p.absolute = true
		t = strings.TrimSpace(t[:len(t)-1])
	}
	if len(t) < 2 || t[0] != '#' {
		return bad()
	}
	tag, rest, ok := token(t[1:])
	if !ok {
		return bad()
	}
	p.tag = "#" + tag
	for {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			break
		}
		sign := rest[0]
		if sign != '+' && sign != '-' {
			return bad()
		}
		var attr string
		attr, rest, ok = token(strings.TrimLeft(rest[1:], " \t"))
		if !ok {
			return bad()
		}
		if sign == '+' {
			p.include = append(p.include, attr)
		} else {
			p.exclude = append(p.exclude, attr)
		}
	}
	if p.absolute && len(p.exclude) > 0 {
		// "#a-x!" is either redundant or a mistake; libhxl refuses it too.
		return bad()
	}
	return p, nil
}

// MustPattern is ParsePattern for patterns written in the program; it
// panics on a malformed one, which is a programming error.
func MustPattern(s string) Pattern {
	p, err := ParsePattern(s)
	if err != nil {
		panic(err)
	}
	return p
}

// Match says whether the column is one the pattern selects.
func (p Pattern) Match(c Column) bool {
	if c.Tag == "" || c.Tag != p.tag {
		return false
	}
	for _, a := range p.include {
		if !slices.Contains(c.Attributes, a) {
			return false
		}
	}
	for _, a := range p.exclude {
		if slices.Contains(c.Attributes, a) {
			return false
		}
	}
	if p.absolute {
		for _, a := range c.Attributes {
			if !slices.Contains(p.include, a) {
				return false
			}
		}
	}
	return true
}

// String writes the pattern back in its canonical (lower-case) form.
func (p Pattern) String() string {
	var b strings.Builder
	b.WriteString(p.tag)
	for _, a := range p.include {
		b.WriteString("+" + a)
	}
	for _, a := range p.exclude {
		b.WriteString("-" + a)
	}
	if p.absolute {
		b.WriteString("!")
	}
	return b.String()
}
