// Package misp converts MISP events to STIX 2.1 objects. It knows nothing of
// the store: kept apart from package intel, its fuzz target links only the
// standard library, so coverage-guided fuzzing runs at full speed instead of
// scanning the counters of the SQL drivers on every input.
package misp

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxMISP bounds an imported event: real events run to a few megabytes, and an
// unbounded read would let one upload exhaust memory.
const maxMISP = 32 << 20

// mispTimeLayout is the only timestamp layout written here. Fixed milliseconds
// keep timestamps comparable as text; time.RFC3339Nano drops trailing zeros.
const mispTimeLayout = "2006-01-02T15:04:05.000Z"

// mispMaxUnix is 9999-12-31T23:59:59Z: later times do not fit the four-digit
// year of a STIX timestamp.
const mispMaxUnix = 253402300799

// mispNamespace is the UUIDv5 namespace of the ids derived here when MISP gives
// no usable UUID: a random UUID drawn once for this importer, so that derived
// ids are stable across imports and never collide with another generator's.
const mispNamespace = "6ddd3fe7-7be7-4fea-9ef8-8c0220fd80c2"

// mispTLPs lists the labels ToSTIX returns, from most open to most restricted.
var mispTLPs = []string{"clear", "green", "amber", "amber+strict", "red"}

var errMISPUnsupported = errors.New("unsupported attribute type")

type mispTag struct {
	Name string `json:"name"`
}

// Timestamps and flags stay raw: MISP writes them as strings or as numbers,
// and a bad one is reported with its field.
type mispAttribute struct {
	Type      string          `json:"type"`
	Value     string          `json:"value"`
	ToIDs     json.RawMessage `json:"to_ids"`
	UUID      string          `json:"uuid"`
	Timestamp json.RawMessage `json:"timestamp"`
	Comment   string          `json:"comment"`
	Tag       []mispTag       `json:"Tag"`
}

type mispEvent struct {
	Info        string          `json:"info"`
	Date        string          `json:"date"`
	UUID        string          `json:"uuid"`
	Timestamp   json.RawMessage `json:"timestamp"`
	ThreatLevel json.RawMessage `json:"threat_level_id"`
	Analysis    json.RawMessage `json:"analysis"`
	Orgc        struct {
		Name string `json:"name"`
		UUID string `json:"uuid"`
	} `json:"Orgc"`
	Tag       []mispTag       `json:"Tag"`
	Attribute []mispAttribute `json:"Attribute"`
	Object    []struct {
		Attribute []mispAttribute `json:"Attribute"`
	} `json:"Object"`
}

// mispSTIX is every STIX object written here; a struct rather than a map keeps
// the property order, and so the output bytes, deterministic.
type mispSTIX struct {
	Type               string          `json:"type"`
	SpecVersion        string          `json:"spec_version"`
	ID                 string          `json:"id"`
	Created            string          `json:"created"`
	Modified           string          `json:"modified"`
	CreatedByRef       string          `json:"created_by_ref,omitempty"`
	Name               string          `json:"name"`
	Description        string          `json:"description,omitempty"`
	Labels             []string        `json:"labels,omitempty"`
	IdentityClass      string          `json:"identity_class,omitempty"`
	IndicatorTypes     []string        `json:"indicator_types,omitempty"`
	Pattern            string          `json:"pattern,omitempty"`
	PatternType        string          `json:"pattern_type,omitempty"`
	ValidFrom          string          `json:"valid_from,omitempty"`
	ReportTypes        []string        `json:"report_types,omitempty"`
	Published          string          `json:"published,omitempty"`
	ObjectRefs         []string        `json:"object_refs,omitempty"`
	ExternalReferences []mispReference `json:"external_references,omitempty"`
}

type mispReference struct {
	SourceName string `json:"source_name"`
	ExternalID string `json:"external_id"`
}

// ToSTIX reads one MISP event (at most maxMISP bytes), either wrapped as
// {"Event": {...}} or bare, and returns STIX 2.1 objects as JSON: the author's
// identity, one indicator per attribute marked for detection, and a report
// referring to them all, in that order. It also returns the most restrictive
// TLP of the tags ("clear", "green", "amber", "amber+strict", "red", or "" if
// none); the caller applies the marking.
func ToSTIX(r io.Reader, now time.Time) (objs []json.RawMessage, tlp string, err error) {
	data, err := io.ReadAll(io.LimitReader(r, maxMISP+1))
	if err != nil {
		return nil, "", fmt.Errorf("misp: read: %w", err)
	}
	if len(data) > maxMISP {
		return nil, "", fmt.Errorf("misp: the event is larger than %d MiB", maxMISP>>20)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, "", fmt.Errorf("misp: not a JSON object: %w", err)
	}
	if raw, ok := top["Event"]; ok {
		data = raw
	}
	var ev mispEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, "", fmt.Errorf("misp: Event: %w", err)
	}
	if ev.UUID == "" && ev.Info == "" && ev.Attribute == nil && ev.Object == nil {
		return nil, "", errors.New("misp: not a MISP event: no Event, uuid, info or Attribute")
	}
	c := mispConverter{now: now.UTC().Format(mispTimeLayout), seen: map[string]string{}}
	if err := c.convert(&ev); err != nil {
		return nil, "", err
	}
	return c.objs, c.tlp, nil
}

// mispConverter carries the state of one import.
type mispConverter struct {
	now, created, event, author string
	objs                        []json.RawMessage
	refs                        []string
	seen                        map[string]string // indicator id → the field it came from
	tlp                         string
	context                     int      // attributes not marked to_ids
	unsupported                 []string // their types, quoted, first seen first
}

func (c *mispConverter) convert(ev *mispEvent) error {
	id, ok := mispParseUUID(ev.UUID)
	if !ok {
		return fmt.Errorf("misp: Event.uuid: %q is not a UUID", ev.UUID)
	}
	c.event = mispFormatUUID(id)
	var err error
	if c.created, err = mispUnixTime(ev.Timestamp, c.now); err != nil {
		return fmt.Errorf("misp: Event.timestamp: %w", err)
	}
	published := c.created
	if ev.Date != "" {
		d, err := time.Parse(time.DateOnly, ev.Date)
		if err != nil {
			return fmt.Errorf("misp: Event.date: %q is not a YYYY-MM-DD date", ev.Date)
		}
		published = d.Format(mispTimeLayout)
	}
	labels := c.labels(ev.Tag)
	// Without an Orgc name there is no author to state, and inventing one would mislead.
	if name := strings.TrimSpace(ev.Orgc.Name); name != "" {
		uid, ok := mispParseUUID(ev.Orgc.UUID)
		if !ok {
			uid = mispUUIDv5(mispNamespace, "organization\x00"+name)
		}
		c.author = "identity--" + mispFormatUUID(uid)
		org := c.object("identity", c.author, name)
		org.IdentityClass = "organization"
		c.add(org)
	}
	for i, a := range ev.Attribute {
		if err := c.attribute(a, fmt.Sprintf("Event.Attribute[%d]", i)); err != nil {
			return err
		}
	}
	for i, o := range ev.Object {
		for j, a := range o.Attribute {
			if err := c.attribute(a, fmt.Sprintf("Event.Object[%d].Attribute[%d]", i, j)); err != nil {
				return err
			}
		}
	}
	if len(c.seen) == 0 {
		msg := "misp: the event has no attribute marked for detection (to_ids)"
		if len(c.unsupported) > 0 {
			msg += " of a supported type; unsupported: " + strings.Join(c.unsupported, ", ")
		}
		return errors.New(msg)
	}
	name := strings.TrimSpace(ev.Info)
	if name == "" {
		name = "MISP event " + c.event
	}
	rep := c.object("report", "report--"+c.event, name)
	rep.CreatedByRef, rep.Labels, rep.Description = c.author, labels, c.describe(ev)
	rep.ReportTypes, rep.Published, rep.ObjectRefs = []string{"threat-report"}, published, c.refs
	rep.ExternalReferences = []mispReference{{"misp", c.event}}
	c.add(rep)
	return nil
}

// attribute turns an attribute marked for detection into an indicator. Those
// not marked to_ids are context (comments, lure file names, victims), not
// detections: they are left out, and counted in the report's description.
func (c *mispConverter) attribute(a mispAttribute, field string) error {
	switch strings.Trim(string(a.ToIDs), `"`) {
	case "true", "1":
	case "false", "0", "", "null":
		c.context++
		return nil
	default:
		return fmt.Errorf("misp: %s.to_ids: %s is not true or false", field, a.ToIDs)
	}
	typ := strings.ToLower(strings.TrimSpace(a.Type))
	value := strings.TrimSpace(a.Value)
	pattern, err := mispPattern(typ, value)
	if errors.Is(err, errMISPUnsupported) {
		if q := strconv.Quote(typ); !slices.Contains(c.unsupported, q) && len(c.unsupported) < 20 {
			c.unsupported = append(c.unsupported, q)
		}
		return nil
	}
	if value == "" {
		return fmt.Errorf("misp: %s.value: empty", field)
	}
	if err != nil {
		return fmt.Errorf("misp: %s.value: %w", field, err)
	}
	validFrom, err := mispUnixTime(a.Timestamp, c.now)
	if err != nil {
		return fmt.Errorf("misp: %s.timestamp: %w", field, err)
	}
	uid, ok := mispParseUUID(a.UUID)
	if !ok { // derived from what the attribute says, so that a re-import finds the same id
		uid = mispUUIDv5(mispNamespace, "attribute\x00"+c.event+"\x00"+typ+"\x00"+value)
	}
	id := "indicator--" + mispFormatUUID(uid)
	if prev, dup := c.seen[id]; dup {
		return fmt.Errorf("misp: %s: same indicator id as %s", field, prev)
	}
	c.seen[id] = field
	name := []rune(typ + ": " + value)
	ind := c.object("indicator", id, string(name[:min(len(name), 200)]))
	ind.CreatedByRef, ind.Labels, ind.Description = c.author, c.labels(a.Tag), strings.TrimSpace(a.Comment)
	if ind.Description == "" {
		// STIX validators ask every indicator for a name and a
		// description; without a comment, say where it came from.
		ind.Description = fmt.Sprintf("MISP %s attribute of event %s.", typ, c.event)
	}
	ind.IndicatorTypes, ind.Pattern, ind.PatternType = []string{"malicious-activity"}, pattern, "stix"
	ind.ValidFrom = validFrom
	c.add(ind)
	return nil
}

func (c *mispConverter) object(typ, id, name string) mispSTIX {
	return mispSTIX{Type: typ, SpecVersion: "2.1", ID: id, Created: c.created, Modified: c.created, Name: name}
}

// add encodes o without HTML escaping, so that patterns holding '&' or '<'
// stay readable. Encoding cannot fail: o holds only strings.
func (c *mispConverter) add(o mispSTIX) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(o)
	c.objs = append(c.objs, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	c.refs = append(c.refs, o.ID) // the report, added last, already holds its copy
}

// labels returns the tag names that are not TLP tags, in order and without
// duplicates, and raises c.tlp to the most restrictive TLP tag. Attribute tags
// count for TLP too: keeping only the event's label could widen an audience.
func (c *mispConverter) labels(tags []mispTag) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		name := strings.TrimSpace(t.Name)
		if len(name) >= 4 && strings.EqualFold(name[:4], "tlp:") {
			l := strings.ToLower(strings.TrimSpace(name[4:]))
			if l == "white" {
				l = "clear"
			}
			if !slices.Contains(mispTLPs, l) {
				l = "red" // a label we do not know never widens the audience, as in core.TLP.Rank
			}
			if slices.Index(mispTLPs, l) > slices.Index(mispTLPs, c.tlp) {
				c.tlp = l
			}
		} else if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// describe says where the report came from and what the import left out, so
// that its reader knows it is not the whole event.
func (c *mispConverter) describe(ev *mispEvent) string {
	s := fmt.Sprintf("Imported from MISP event %s: %d indicators.", c.event, len(c.seen))
	if l := map[string]string{"1": "high", "2": "medium", "3": "low"}[strings.Trim(string(ev.ThreatLevel), `"`)]; l != "" {
		s += " Threat level: " + l + "."
	}
	if a := map[string]string{"0": "initial", "1": "ongoing", "2": "completed"}[strings.Trim(string(ev.Analysis), `"`)]; a != "" {
		s += " Analysis: " + a + "."
	}
	if c.context > 0 {
		s += fmt.Sprintf(" Left out %d attributes not marked for detection.", c.context)
	}
	if len(c.unsupported) > 0 {
		s += " Left out attributes of unsupported types: " + strings.Join(c.unsupported, ", ") + "."
	}
	return s
}

// mispPaths maps the attribute types whose whole value is compared as it is.
var mispPaths = map[string]string{
	"domain": "domain-name:value", "hostname": "domain-name:value", "url": "url:value",
	"email-src": "email-addr:value", "email-dst": "email-addr:value",
	"email-subject": "email-message:subject", "mutex": "mutex:name", "regkey": "windows-registry-key:key",
}

// mispPattern returns the STIX pattern that detects an attribute's value.
func mispPattern(typ, value string) (string, error) {
	if path, ok := mispPaths[typ]; ok {
		return "[" + mispCompare(path, value) + "]", nil
	}
	switch typ {
	case "ip-src", "ip-dst", "ip-src|port", "ip-dst|port":
		ip, _, _ := strings.Cut(value, "|")
		a, err := netip.ParseAddr(ip)
		if p, perr := netip.ParsePrefix(ip); err != nil && perr == nil {
			a, err = p.Addr(), nil // a CIDR block, which STIX address values allow
		}
		if err != nil {
			return "", fmt.Errorf("%q is not an IP address", ip)
		}
		if a.Is4() {
			return "[" + mispCompare("ipv4-addr:value", ip) + "]", nil
		}
		return "[" + mispCompare("ipv6-addr:value", ip) + "]", nil
	case "md5", "sha1", "sha256", "sha512":
		h, err := mispHash(typ, value)
		return "[" + h + "]", err
	case "filename|md5", "filename|sha1", "filename|sha256", "filename|sha512":
		i := strings.LastIndexByte(value, '|') // a hash holds no '|'; a file name might
		if i <= 0 {
			return "", errors.New("want filename|hash")
		}
		h, err := mispHash(typ[len("filename|"):], value[i+1:])
		return "[" + mispCompare("file:name", value[:i]) + " AND " + h + "]", err
	}
	return "", errMISPUnsupported
}

func mispHash(typ, value string) (string, error) {
	name, digits := map[string]string{"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256", "sha512": "SHA-512"}[typ],
		map[string]int{"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}[typ]
	if _, err := hex.DecodeString(value); err != nil || len(value) != digits {
		return "", fmt.Errorf("%q is not a %s hash (want %d hex digits)", value, typ, digits)
	}
	return mispCompare("file:hashes.'"+name+"'", strings.ToLower(value)), nil
}

// mispCompare writes path = 'value', escaping the two characters the STIX
// patterning grammar reserves in string literals: ' and \.
func mispCompare(path, value string) string {
	return path + " = '" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(value) + "'"
}

// mispUnixTime formats a MISP timestamp (unix seconds, as a string or a
// number), or returns now when there is none.
func mispUnixTime(raw json.RawMessage, now string) (string, error) {
	s := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
	}
	if s == "" || s == "null" {
		return now, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > mispMaxUnix {
		return "", fmt.Errorf("%q is not unix seconds", s)
	}
	return time.Unix(n, 0).UTC().Format(mispTimeLayout), nil
}

// mispParseUUID accepts the 8-4-4-4-12 hex form of an RFC 9562 UUID. Others
// (the nil UUID, unknown versions or variants) are refused because the store
// refuses STIX ids made of them.
func mispParseUUID(s string) ([16]byte, bool) {
	var b [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return b, false
	}
	n, err := hex.Decode(b[:], []byte(s[:8]+s[9:13]+s[14:18]+s[19:23]+s[24:]))
	return b, err == nil && n == 16 && b[6]>>4 >= 1 && b[6]>>4 <= 8 && b[8]&0xc0 == 0x80
}

func mispFormatUUID(b [16]byte) string {
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// mispUUIDv5 returns the name-based UUID of RFC 9562 §5.5 (SHA-1).
func mispUUIDv5(namespace, name string) [16]byte {
	ns, _ := mispParseUUID(namespace)
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return u
}

// NameUUID returns the name-based UUID (version 5) of name in this
// importer's namespace, in its 8-4-4-4-12 form: stable ids for things that
// have only a name.
func NameUUID(name string) string { return mispFormatUUID(mispUUIDv5(mispNamespace, name)) }
