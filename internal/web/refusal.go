package web

import "regexp"

// refusalRE finds a peer's reason in the note federation keeps on an
// envelope the peer refused or failed to take ("peer HOST refused the
// envelope: TYPE refused by HANDLE: err.some_key", or "peer HOST:
// err.some_key"), possibly after words of this node's own.
var refusalRE = regexp.MustCompile(`peer (\S+?)(?: refused the envelope)?: (?:\S+ refused by \S+: )?(err\.[a-z0-9_.]+)$`)

// Note renders a delivery note for a person in lang: a peer's refusal whose
// reason is a message key is said in words ("Refused by HOST: reason"), and
// so is the end of retrying; any other note (a network error, in the words
// of the system that met it) is returned as it is.
func (c Catalog) Note(lang, note string) string {
	if note == "retry horizon passed" { // federation's words when it gives up
		return c.T(lang, "note.horizon_passed")
	}
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
