package intel

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// objectRow is an object as lists and headings show it: named, with its
// value, a relationship as a sentence, a sighting by what was sighted.
type objectRow struct {
	Stored
	Value string
	Rel   *relTitle // a relationship: source, verb, target
	Of    *link     // a sighting or an opinion: what it is about
}

type relTitle struct {
	Source, Target link
	Verb           vocab
}

// Short is the row's value cut for a table cell.
func (r objectRow) Short() string {
	if len([]rune(r.Value)) > 80 {
		return string([]rune(r.Value)[:79]) + "…"
	}
	return r.Value
}

// Untitled is the fallback name: the type and the start of the identifier.
func (r objectRow) Untitled() string { return refLink(r.ID, nil).Text }

func objectHref(o Stored) string {
	return "/intel/c/" + url.PathEscape(o.Collection) + "/o/" + url.PathEscape(o.ID)
}

// names resolves identifiers to names and pages for what the readers orgs
// may see: objects, TLP markings and sharing groups. What stays unknown is
// named by refLink.
func (m *Module) names(ctx context.Context, orgs []string, ids []string) (map[string]link, error) {
	return m.namesAt(ctx, orgs, ids, 0)
}

// namesAt resolves names; at depth 0 an object named by what it links (a
// relationship, a sighting) is named through one more look-up.
func (m *Module) namesAt(ctx context.Context, orgs []string, ids []string, depth int) (map[string]link, error) {
	out := map[string]link{}
	var look []string
	for _, id := range ids {
		if t, ok := tlpMarkings[id]; ok {
			out[id] = link{Text: "TLP:" + string(t)}
			continue
		}
		if !slices.Contains(look, id) {
			look = append(look, id)
		}
	}
	if len(look) == 0 {
		return out, nil
	}
	if len(look) > MaxPage {
		look = look[:MaxPage]
	}
	rows, _, err := m.svc.Objects(ctx, orgs, Query{IDs: look, Limit: MaxPage})
	if err != nil {
		return nil, err
	}
	var linking []Stored
	for _, o := range rows {
		if _, ok := out[o.ID]; ok {
			continue // the newest is first
		}
		if o.Name == "" && slices.Contains(linkingTypes, o.Type) {
			linking = append(linking, o)
		}
		text := o.Name
		if text == "" {
			text = valueOf(o.Raw)
		}
		if text == "" {
			text = refLink(o.ID, nil).Text
		}
		out[o.ID] = link{Href: objectHref(o), Text: text, Type: o.Type}
	}
	if len(linking) > 0 && depth == 0 {
		named, err := m.rowsAt(ctx, orgs, linking, func(string) bool { return false }, depth+1)
		if err != nil {
			return nil, err
		}
		for _, r := range named {
			l := out[r.ID]
			switch {
			case r.Rel != nil:
				l.Text = r.Rel.Source.Text + " → " + r.Rel.Target.Text
			case r.Of != nil:
				l.Text = r.Of.Text
			}
			out[r.ID] = l
		}
	}
	for _, id := range look {
		if _, ok := out[id]; ok || !strings.HasPrefix(id, "marking-definition--") {
			continue
		}
		gs, err := m.groupNames(ctx, orgs)
		if err != nil {
			return nil, err
		}
		for gid, name := range gs {
			if slices.Contains(look, gid) {
				out[gid] = link{Href: "/intel/groups", Text: name, Type: "marking-definition"}
			}
		}
		break
	}
	return out, nil
}

// groupNames maps the sharing groups the organisations see to their names.
func (m *Module) groupNames(ctx context.Context, orgs []string) (map[string]string, error) {
	gs, err := m.svc.Groups(ctx, orgs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(gs))
	for _, g := range gs {
		out[g.ID] = g.Name
	}
	return out, nil
}

// rowsOf names objects for a list: one look-up for everything the rows
// refer to.
func (m *Module) rowsOf(ctx context.Context, orgs []string, objs []Stored, has hasMessage) ([]objectRow, error) {
	return m.rowsAt(ctx, orgs, objs, has, 0)
}

// linkingTypes are named by the objects they link.
var linkingTypes = []string{"relationship", "sighting", "opinion", "note"}

func (m *Module) rowsAt(ctx context.Context, orgs []string, objs []Stored, has hasMessage, depth int) ([]objectRow, error) {
	var ids []string
	refs := make([]map[string]any, len(objs))
	for i, o := range objs {
		if !slices.Contains(linkingTypes, o.Type) {
			continue
		}
		var r map[string]any
		if json.Unmarshal([]byte(o.Raw), &r) != nil {
			continue
		}
		refs[i] = r
		for _, k := range []string{"source_ref", "target_ref", "sighting_of_ref"} {
			if s, ok := r[k].(string); ok {
				ids = append(ids, s)
			}
		}
		if l, ok := r["object_refs"].([]any); ok && len(l) > 0 {
			if s, ok := l[0].(string); ok {
				ids = append(ids, s)
			}
		}
	}
	names := map[string]link{}
	if len(ids) > 0 {
		var err error
		if names, err = m.namesAt(ctx, orgs, ids, depth); err != nil {
			return nil, err
		}
	}
	out := make([]objectRow, len(objs))
	for i, o := range objs {
		out[i] = rowOf(o, refs[i], names, has)
	}
	return out, nil
}

func rowOf(o Stored, r map[string]any, names map[string]link, has hasMessage) objectRow {
	row := objectRow{Stored: o, Value: valueOf(o.Raw)}
	str := func(k string) string { s, _ := r[k].(string); return s }
	switch o.Type {
	case "relationship":
		if src, dst := str("source_ref"), str("target_ref"); src != "" && dst != "" {
			row.Rel = &relTitle{Source: refLink(src, names), Target: refLink(dst, names), Verb: vocabOf(str("relationship_type"), has)}
		}
	case "sighting":
		if s := str("sighting_of_ref"); s != "" {
			l := refLink(s, names)
			row.Of = &l
		}
	case "opinion", "note":
		if l, ok := r["object_refs"].([]any); ok && len(l) > 0 {
			if s, ok := l[0].(string); ok {
				ref := refLink(s, names)
				row.Of = &ref
			}
		}
	}
	return row
}
