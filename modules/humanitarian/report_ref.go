package humanitarian

import "strings"

// refLen is how many characters of a report's id make its reference.
const refLen = 6

// Ref is the report's short reference, which an SMS receipt quotes and the
// report's page shows: the last six characters of its id, in capitals
// (01M99JK59M98Y6DKSMKAXWETZE is XWETZE). Nobody can read 26 characters
// out on a phone; the last sixteen of an id are random, so six of them
// (30 bits) are enough to tell one emergency's reports apart.
func (r Report) Ref() string {
	if len(r.ID) <= refLen {
		return strings.ToUpper(r.ID)
	}
	return strings.ToUpper(r.ID[len(r.ID)-refLen:])
}
