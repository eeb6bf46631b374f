package web

import "regexp"

// refusalRE finds a peer's reason in the note federation keeps on an
// envelope the peer refused or failed to take ("peer HOST refused the
// envelope: TYPE refused by HANDLE: err.some_key", or "peer HOST:
// err.some_key"), possibly after words of this node's own.
var refusalRE = regexp.MustCompile(`peer (\S+?)(?: refused the envelope)?: (?:\S+ refused by \S+: )?(err\.[a-z0-9_.]+)$`)

// Note renders a delivery note for a person in lang: a peer's refusal whose
// reason is a message key is said in words ("Refused by HOST: reason");
// any other note is returned as it is.
func (c Catalog) Note(lang, note string) string {
	m := refusalRE.FindStringSubmatch(note)
	if m == nil {
		return note
	}
	reason := c.T(lang, "err.peer_refused_other")
	if c.Has(m[2]) {
		reason = c.T(lang, m[2])
	}
	return c.T(lang, "mail.refused", m[1], reason)
}
