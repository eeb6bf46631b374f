package cybercrime_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/cybercrime"
)

// FuzzReceive feeds a node's cybercrime handler envelopes a hostile peer
// could send: whatever the bytes, it must refuse or store a request that
// passes every check a person's draft passes, and never panic.
func FuzzReceive(f *testing.F) {
	now := time.Now().UTC()
	// Ids are NewID's and times the envelope's, or the request is refused
	// before the deeper checks.
	good, _ := json.Marshal(map[string]any{"origin_id": core.NewID(now), "from_country": "AU", "to_country": "JP", "kind": "preservation", "basis": "budapest", "language": "en",
		"fields": preservation("x").Fields, "author": "Ines", "approved_by": "Carl", "created": now, "sent": now, "respond_by": now.Add(24 * time.Hour), "event_id": core.NewID(now)})
	f.Add("cybercrime.request", good)
	f.Add("cybercrime.request", []byte(`{"origin_id":"o1","kind":"preservation","fields":{"a":"\u0000"},"kind":"stored_data"}`))
	f.Add("cybercrime.update", []byte(`{"origin_id":"o1","request_from":"afp@127.0.0.1","event_id":"e2","action":"preserve","state":"preserved","until":"2030-01-01T00:00:00Z"}`))
	f.Add("cybercrime.update", []byte(`{"action":"approve"}`))
	f.Add("cybercrime.other", []byte(`{}`))
	e := storetest.Engines(f)[0]
	n := newNode(f, e)
	n.Org(f, "npa", core.OrgStateLawEnforcement, "JP", "National Police Agency")
	// The requester is on the same node (a hosted node), so a payload that
	// passes the checks is stored and the fuzzer reaches every check.
	n.Org(f, "afp", core.OrgStateLawEnforcement, "AU", "Australian Federal Police")
	f.Fuzz(func(t *testing.T, typ string, payload []byte) {
		env := federation.Envelope{ID: core.NewID(time.Now()), Type: typ, From: n.Addr("afp"), To: n.Addr("npa"), Created: now, TLP: core.TLPAmberStrict}
		err := n.DB.WithTx(context.Background(), func(tx *store.Tx) error {
			err := n.svc.Receive(context.Background(), tx, env, payload)
			if err == nil {
				// Whatever was stored must read back as a valid request.
				var rs []struct {
					Kind string `db:"kind"`
				}
				if err := tx.Select(context.Background(), &rs, `SELECT kind FROM cyb_requests`); err != nil {
					return err
				}
				for _, r := range rs {
					if !cybercrime.Kind(r.Kind).Valid() {
						t.Fatalf("stored an invalid kind %q", r.Kind)
					}
				}
			}
			return err
		})
		_ = err
	})
}
