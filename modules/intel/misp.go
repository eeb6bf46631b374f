package intel

import (
	"encoding/json"
	"io"
	"time"

	"entente.example/entente/modules/intel/misp"
)

// FromMISP reads one MISP event and returns its STIX 2.1 objects and the
// most restrictive TLP of its tags; see misp.ToSTIX.
func FromMISP(r io.Reader, now time.Time) ([]json.RawMessage, string, error) {
	return misp.ToSTIX(r, now)
}
