package intel

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// prop is one property of a STIX object as a page shows it: a person reads
// the pattern, the validity and the names of what it refers to, not JSON.
type prop struct {
	Key   string  // the STIX property name
	Label string  // message key of its label; empty: the name itself
	Text  string  // a plain value
	Long  bool    // Text is a paragraph
	Code  bool    // Text is a value people copy: a pattern, an address, a hash
	Time  string  // a timestamp, rendered with the date function
	Vocab []vocab // values of a STIX vocabulary, translated where known
	Links []link  // references, by name
	Items []string
}

// vocab is a value of a STIX open vocabulary; Key is its message key when
// the catalogue has one. Prefix qualifies it (a kill chain's name).
type vocab struct{ Key, Value, Prefix string }

// link is a reference to another object: by name and to its page when this
// node holds it and the reader may see it.
type link struct {
	Href, Text, Type string
}

// typeProps lists, per object type, the properties that say what it is, in
// the order a person reads them. Other properties follow them in name order.
var typeProps = map[string][]string{
	"indicator":          {"name", "pattern", "pattern_type", "pattern_version", "indicator_types", "valid_from", "valid_until", "kill_chain_phases", "description"},
	"malware":            {"name", "malware_types", "is_family", "aliases", "first_seen", "last_seen", "capabilities", "operating_system_refs", "implementation_languages", "architecture_execution_envs", "kill_chain_phases", "sample_refs", "description"},
	"intrusion-set":      {"name", "aliases", "first_seen", "last_seen", "goals", "resource_level", "primary_motivation", "secondary_motivations", "description"},
	"threat-actor":       {"name", "threat_actor_types", "aliases", "first_seen", "last_seen", "roles", "goals", "sophistication", "resource_level", "primary_motivation", "secondary_motivations", "personal_motivations", "description"},
	"campaign":           {"name", "aliases", "first_seen", "last_seen", "objective", "description"},
	"attack-pattern":     {"name", "aliases", "kill_chain_phases", "description"},
	"report":             {"name", "report_types", "published", "description", "object_refs"},
	"identity":           {"name", "identity_class", "sectors", "roles", "contact_information", "description"},
	"sighting":           {"sighting_of_ref", "where_sighted_refs", "first_seen", "last_seen", "count", "summary", "observed_data_refs", "description"},
	"relationship":       {"source_ref", "relationship_type", "target_ref", "start_time", "stop_time", "description"},
	"vulnerability":      {"name", "description"},
	"infrastructure":     {"name", "infrastructure_types", "aliases", "first_seen", "last_seen", "kill_chain_phases", "description"},
	"tool":               {"name", "tool_types", "tool_version", "aliases", "kill_chain_phases", "description"},
	"course-of-action":   {"name", "description"},
	"note":               {"abstract", "content", "authors", "object_refs"},
	"opinion":            {"opinion", "explanation", "authors", "object_refs"},
	"observed-data":      {"first_observed", "last_observed", "number_observed", "object_refs"},
	"location":           {"name", "region", "country", "administrative_area", "city", "street_address", "postal_code", "latitude", "longitude", "description"},
	"grouping":           {"name", "context", "description", "object_refs"},
	"malware-analysis":   {"product", "version", "result", "result_name", "analysis_started", "analysis_ended", "sample_ref"},
	"marking-definition": {"name", "definition_type", "definition"},
}

// metaProps are shown in the page's heading or facts, or not at all.
var metaProps = []string{"name", "type", "spec_version", "id", "labels", "object_marking_refs", "granular_markings", "extensions", "x_entente_sectors", "lang"}

// codeProps hold values people copy into their tools.
var codeProps = []string{"pattern", "value", "hashes", "path_enc", "name_enc", "mime_type", "number", "display_name", "body", "subject", "key", "user_id", "account_login", "contents"}

// vocabProps hold values of a STIX vocabulary (or a fixed set), which pages
// translate.
var vocabProps = []string{"indicator_types", "malware_types", "report_types", "threat_actor_types", "tool_types", "infrastructure_types",
	"identity_class", "pattern_type", "relationship_type", "resource_level", "primary_motivation", "secondary_motivations",
	"personal_motivations", "roles", "sophistication", "opinion", "capabilities", "context", "region", "sectors", "result", "implementation_languages"}

// timeProps hold timestamps.
var timeProps = []string{"created", "modified", "valid_from", "valid_until", "first_seen", "last_seen", "published", "start_time", "stop_time",
	"first_observed", "last_observed", "analysis_started", "analysis_ended", "ctime", "mtime", "atime", "date", "start", "end"}

// hasMessage reports whether the catalogue has a message; the module asks
// the web server's catalogue.
type hasMessage func(key string) bool

// propsOf turns an object's JSON into the properties a page shows, in
// order, with references resolved through names.
func propsOf(raw string, has hasMessage, names map[string]link) []prop {
	var o map[string]any
	if json.Unmarshal([]byte(raw), &o) != nil {
		return nil
	}
	typ, _ := o["type"].(string)
	var out []prop
	seen := map[string]bool{}
	for _, k := range metaProps {
		seen[k] = true
	}
	add := func(k string) {
		v, ok := o[k]
		if !ok || seen[k] {
			return
		}
		seen[k] = true
		if p, ok := propOf(k, v, has, names); ok {
			out = append(out, p)
		}
	}
	for _, k := range typeProps[typ] {
		add(k)
	}
	// Observables and unknown types: every property, the copyable ones first.
	for _, k := range codeProps {
		add(k)
	}
	rest := make([]string, 0, len(o))
	for k := range o {
		if !seen[k] && k != "created" && k != "modified" && k != "created_by_ref" {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		add(k)
	}
	for _, k := range []string{"created_by_ref", "created", "modified"} {
		add(k)
	}
	return out
}

// propOf shows one property; a property with nothing to show is left out.
func propOf(k string, v any, has hasMessage, names map[string]link) (prop, bool) {
	p := prop{Key: k}
	if key := "stix." + k; has(key) {
		p.Label = key
	}
	switch {
	case k == "kill_chain_phases":
		for _, ph := range asList(v) {
			m, _ := ph.(map[string]any)
			chain, _ := m["kill_chain_name"].(string)
			phase, _ := m["phase_name"].(string)
			if phase != "" {
				v := vocabOf(phase, has)
				if chain != "" {
					v.Prefix = chain + ": "
				}
				p.Vocab = append(p.Vocab, v)
			}
		}
		return p, len(p.Vocab) > 0
	case k == "external_references":
		for _, e := range asList(v) {
			m, _ := e.(map[string]any)
			src, _ := m["source_name"].(string)
			id, _ := m["external_id"].(string)
			u, _ := m["url"].(string)
			text := strings.TrimSpace(src + " " + id)
			if d, _ := m["description"].(string); text == "" {
				text = d
			}
			if pu, err := url.Parse(u); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") {
				u = ""
			}
			p.Links = append(p.Links, link{Href: u, Text: text})
		}
		return p, len(p.Links) > 0
	case k == "hashes":
		m, _ := v.(map[string]any)
		keys := make([]string, 0, len(m))
		for h := range m {
			keys = append(keys, h)
		}
		sort.Strings(keys)
		var lines []string
		for _, h := range keys {
			lines = append(lines, fmt.Sprintf("%s %v", h, m[h]))
		}
		p.Text, p.Code = strings.Join(lines, "\n"), true
		return p, p.Text != ""
	case strings.HasSuffix(k, "_ref") || strings.HasSuffix(k, "_refs"):
		for _, id := range asList(v) {
			if s, ok := id.(string); ok {
				p.Links = append(p.Links, refLink(s, names))
			}
		}
		return p, len(p.Links) > 0
	case slices.Contains(timeProps, k):
		s, _ := v.(string)
		p.Time = s
		return p, s != ""
	case slices.Contains(vocabProps, k):
		for _, x := range asList(v) {
			if s, ok := x.(string); ok && s != "" {
				v := vocabOf(s, has)
				if key := "stixs." + s; k == "sectors" && has(key) {
					v.Key = key
				}
				p.Vocab = append(p.Vocab, v)
			}
		}
		return p, len(p.Vocab) > 0
	}
	switch x := v.(type) {
	case string:
		p.Text = x
		p.Code = slices.Contains(codeProps, k)
		p.Long = !p.Code && (k == "description" || k == "content" || k == "explanation" || k == "summary" || len(x) > 120)
		return p, x != ""
	case bool:
		p.Vocab = []vocab{vocabOf(fmt.Sprint(x), has)}
		return p, true
	case float64:
		p.Text = fmt.Sprint(x)
		p.Code = slices.Contains(codeProps, k)
		return p, true
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				p.Items = append(p.Items, s)
			} else {
				b, _ := json.Marshal(e)
				p.Items = append(p.Items, string(b))
			}
		}
		return p, len(p.Items) > 0
	}
	b, _ := json.Marshal(v)
	p.Text, p.Code = string(b), true
	return p, true
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func vocabOf(s string, has hasMessage) vocab {
	if key := "stixv." + s; has(key) {
		return vocab{Key: key, Value: s}
	}
	return vocab{Value: s}
}

// refLink names a reference: the object's name and page when known, else its
// type and the start of its identifier (never a bare UUID alone).
func refLink(id string, names map[string]link) link {
	if l, ok := names[id]; ok {
		return l
	}
	typ, uuid, _ := strings.Cut(id, "--")
	if len(uuid) > 8 {
		uuid = uuid[:8] + "…"
	}
	return link{Text: typ + " " + uuid, Type: ""}
}

// refsOf collects the identifiers an object's JSON refers to.
func refsOf(raw string) []string {
	var o map[string]any
	if json.Unmarshal([]byte(raw), &o) != nil {
		return nil
	}
	var out []string
	for k, v := range o {
		if k == "object_marking_refs" || !(strings.HasSuffix(k, "_ref") || strings.HasSuffix(k, "_refs")) {
			continue
		}
		for _, x := range asList(v) {
			if s, ok := x.(string); ok && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// valueOf is what an object's list row shows as its value: the pattern of an
// indicator, the value of an observable, the hashes of a file.
func valueOf(raw string) string {
	var o struct {
		Pattern string            `json:"pattern"`
		Value   any               `json:"value"`
		Hashes  map[string]string `json:"hashes"`
		Aliases []string          `json:"aliases"`
	}
	if json.Unmarshal([]byte(raw), &o) != nil {
		return ""
	}
	switch {
	case o.Pattern != "":
		return o.Pattern
	case o.Value != nil:
		return fmt.Sprint(o.Value)
	case len(o.Hashes) > 0:
		keys := make([]string, 0, len(o.Hashes))
		for h := range o.Hashes {
			keys = append(keys, h)
		}
		sort.Strings(keys)
		return keys[0] + " " + o.Hashes[keys[0]]
	case len(o.Aliases) > 0:
		return strings.Join(o.Aliases, ", ")
	}
	return ""
}
