package intel

import (
	"regexp"
	"strings"
)

// The reasons an object was refused are written once, in English, for the
// TAXII status resource that clients read. The status page says them in the
// reader's language: reasonFrames recognise each sentence the ingest writes
// and give its message key; property names, values and the schema
// validator's own words stay as they are.
var reasonFrames = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^is larger than (\d+) bytes$`), "stixerr.too_large"},
	{regexp.MustCompile(`^is not a JSON object: (.+)$`), "stixerr.not_object"},
	{regexp.MustCompile(`^is required$`), "stixerr.required"},
	{regexp.MustCompile(`^must be the type, two hyphens and a UUID \((.+)\)$`), "stixerr.id_form"},
	{regexp.MustCompile(`^starts with (.+) but the type is (.+)$`), "stixerr.id_type"},
	{regexp.MustCompile(`^a bundle cannot be stored inside a collection; send its objects$`), "stixerr.bundle"},
	{regexp.MustCompile(`^is required and must be "2\.1"$`), "stixerr.spec_required"},
	{regexp.MustCompile(`^is (.+); this node stores STIX 2\.1 only$`), "stixerr.spec_version"},
	{regexp.MustCompile(`^is before created \((.+)\)$`), "stixerr.modified_before"},
	{regexp.MustCompile(`^must point to a domain object, not a (.+)$`), "stixerr.sighting_ref"},
	{regexp.MustCompile(`^is not valid UTF-8 \(byte (\d+)\)$`), "stixerr.utf8"},
	{regexp.MustCompile(`^is not valid JSON: (.+)$`), "stixerr.json"},
	{regexp.MustCompile(`^does not follow the STIX 2\.1 schema: (.+)$`), "stixerr.schema"},
	{regexp.MustCompile(`^names two sharing groups; an object goes to one group$`), "stixerr.two_groups"},
	{regexp.MustCompile(`^this object belongs to another organisation; only its owner can publish a new version$`), "stixerr.not_owner"},
	{regexp.MustCompile(`^would lower (TLP:\S+) \(or widen its sharing group\) to (TLP:\S+); your organisation may not declassify in this collection$`), "stixerr.declassify"},
}

// wholeReasons are status lines that name no property.
var wholeReasons = map[string]string{
	"not stored: the server could not store this batch; send it again": "stixerr.not_stored",
	"already stored": "stixerr.already_stored",
}

// translator is what the status page needs of the web catalogue.
type translator interface {
	T(lang, key string, args ...any) string
}

// reasonIn says a status line in lang: "property: reason", with the reason
// translated when it is one the ingest writes; any other line as it is.
func reasonIn(tr translator, lang, msg string) string {
	if key, ok := wholeReasons[msg]; ok {
		return tr.T(lang, key)
	}
	field, rest, ok := strings.Cut(msg, ": ")
	if !ok {
		return msg
	}
	for _, f := range reasonFrames {
		if m := f.re.FindStringSubmatch(rest); m != nil {
			args := make([]any, 0, len(m)-1)
			for _, a := range m[1:] {
				args = append(args, a)
			}
			return tr.T(lang, "stixerr.frame", field, tr.T(lang, f.key, args...))
		}
	}
	// A frame inside another: "objects[3]: type: is required".
	if inner := reasonIn(tr, lang, rest); inner != rest {
		return tr.T(lang, "stixerr.frame", field, inner)
	}
	return msg
}
