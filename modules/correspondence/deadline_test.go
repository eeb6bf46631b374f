package correspondence_test

import (
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/correspondence"
)

// TestDeadlinesAndBadEntries: an acknowledgment deadline must be ahead and
// within five years (9999-12-31 is a slip, not a plan), and among several
// addresses the bad one is named in the field's problem.
func TestDeadlinesAndBadEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		now := w.clock.Now()
		for _, c := range []struct {
			by   time.Time
			want string
		}{
			{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), "err.deadline_horizon"},
			{now.AddDate(5, 0, 1), "err.deadline_horizon"},
			{now.Add(-time.Hour), "err.date_future"},
			{now.AddDate(4, 11, 0), ""},
		} {
			by := c.by
			_, err := w.svc.Send(w.kemlu, correspondence.Compose{From: "kemlu", To: []string{"bssn"}, Subject: "Please confirm", Body: "x", TLP: core.TLPGreen, AckBy: &by})
			got := ""
			if ce := core.AsError(err); ce != nil {
				got = ce.Fields["acknowledge_by"]
			} else if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("acknowledge by %s: %q (%v), want %q", by.Format(time.DateOnly), got, err, c.want)
			}
		}
		_, err := w.svc.Send(w.kemlu, correspondence.Compose{From: "kemlu", To: []string{"bssn, nosuch"}, Subject: "Two", Body: "x", TLP: core.TLPGreen})
		ce := core.AsError(err)
		if ce == nil || !strings.HasPrefix(ce.Fields["to"], "err.recipient_unknown_entry nosuch@") {
			t.Errorf("a list with one bad address: %v, want the bad one named", err)
		}
		_, err = w.svc.Send(w.kemlu, correspondence.Compose{From: "kemlu", To: []string{"bssn, x@unpeered.example"}, Subject: "Two", Body: "x", TLP: core.TLPGreen})
		if ce := core.AsError(err); ce == nil || ce.Fields["to"] != "err.peer_not_verified_entry x@unpeered.example" {
			t.Errorf("a list with an address on a node that is no peer: %v", err)
		}
	})
}
