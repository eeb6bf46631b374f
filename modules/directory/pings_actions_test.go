package directory_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/directory"
)

// mails returns the e-mails queued for an address, newest last.
func (w netWorld) mails(t *testing.T, to string) []string {
	t.Helper()
	var payloads []string
	if err := w.db.R().Select(context.Background(), &payloads, `SELECT payload FROM jobs WHERE kind = ? ORDER BY created_at, id`, directory.EmailJob); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range payloads {
		var m struct{ To, Subject, Body string }
		if json.Unmarshal([]byte(p), &m) == nil && m.To == to {
			out = append(out, m.Subject+"\n"+m.Body)
		}
	}
	return out
}

func (w netWorld) audited(t *testing.T, action string) int {
	t.Helper()
	var n int
	if err := w.db.R().Get(context.Background(), &n, `SELECT COUNT(*) FROM audit_events WHERE action = ?`, action); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPingWhoNoContactRemindEscalate: a received ping says whom it is for; a
// member with no contact shows in the results as such and does not count
// against the rate; the median exists only once someone answered; the
// secretariat reminds (an e-mail with a link, audited) and escalates to the
// deputy (who then holds the ping, as a deputy); nobody else may; past the
// deadline the ping is not offered for confirmation and a confirmation is
// refused.
func TestPingWhoNoContactRemindEscalate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNetWorld(t, e)
		n := w.network(t)
		w.nominate(t, n, "sari", "kemlu", "bima", "technical", false)
		w.nominate(t, n, "sari", "kemlu", "sari", "technical", true)
		p, err := w.nets.StartPing(w.as["elena"], n.ID, directory.PingInput{})
		if err != nil {
			t.Fatal(err)
		}
		v, err := w.nets.PingResult(w.as["elena"], p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Total.Targets != 1 || v.Total.NoContact != 1 || v.Total.HasMedian() {
			t.Fatalf("totals at the start: %+v", v.Total)
		}
		var noContact []string
		for _, tg := range v.Targets {
			if tg.State == directory.TargetNoContact {
				noContact = append(noContact, tg.Member)
			}
		}
		if len(noContact) != 1 || noContact[0] != "mfa-fj@node.test" {
			t.Fatalf("members without contact in the results: %v (targets %+v)", noContact, v.Targets)
		}
		if pings, _ := w.nets.Pings(w.as["elena"], n.ID); len(pings) != 1 || pings[0].Targets != 1 {
			t.Fatalf("the list counts %+v", pings)
		}

		got, err := w.nets.MyPings(w.as["bima"])
		if err != nil || len(got) != 1 {
			t.Fatalf("bima's pings: %+v %v", got, err)
		}
		if r := got[0]; r.Contact != "bima" || r.Deputy || r.Member.Addr != "kemlu@node.test" || r.Member.Name("en") != "Org kemlu" || r.Network.ID != n.ID || r.Category != "technical" || !r.CanAck {
			t.Fatalf("whom the ping is for: contact %q deputy %v member %+v network %q category %q", r.Contact, r.Deputy, r.Member, r.Network.ID, r.Category)
		}

		// Remind: only the secretariat; bima is e-mailed a link that confirms.
		_, err = w.nets.RemindPing(w.as["sari"], p.ID)
		wantKind(t, "a member reminding", err, core.KindForbidden)
		before := len(w.mails(t, "bima@x.test"))
		res, err := w.nets.RemindPing(w.as["elena"], p.ID)
		if err != nil || res.Done != 1 {
			t.Fatalf("remind: %+v %v", res, err)
		}
		ms := w.mails(t, "bima@x.test")
		if len(ms) != before+1 || !strings.Contains(ms[len(ms)-1], "mail.ping_remind.body") {
			t.Fatalf("bima's reminder: %q", ms)
		}
		// The test catalogue echoes keys, so the link's token is set here,
		// as the reminder stored it: by its hash.
		const token = "test-token"
		sum := sha256.Sum256([]byte(token))
		err = w.db.WithTx(context.Background(), func(tx *store.Tx) error {
			c, err := tx.Exec(context.Background(), `UPDATE poc_ping_targets SET token_hash = ? WHERE ping_id = ? AND name = 'bima' AND reminded_at IS NOT NULL`, hex.EncodeToString(sum[:]), p.ID)
			if err == nil && c != 1 {
				t.Errorf("%d reminded targets for bima", c)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if tt, err := w.nets.TargetByToken(context.Background(), token); err != nil || tt.Name != "bima" || tt.Over {
			t.Fatalf("the reminder's link: %+v %v", tt, err)
		}
		if w.audited(t, "directory.ping.remind") != 1 {
			t.Fatal("the reminder is not in the audit trail")
		}

		// Escalate: sari, the deputy, is asked now.
		_, err = w.nets.EscalatePing(w.as["bima"], p.ID)
		wantKind(t, "a member escalating", err, core.KindForbidden)
		sariMails := len(w.mails(t, "sari@x.test"))
		res, err = w.nets.EscalatePing(w.as["elena"], p.ID)
		if err != nil || res.Done != 1 {
			t.Fatalf("escalate: %+v %v", res, err)
		}
		if len(w.mails(t, "sari@x.test")) != sariMails+1 {
			t.Fatal("the deputy was not e-mailed")
		}
		got, _ = w.nets.MyPings(w.as["sari"])
		deputy := 0
		for _, r := range got {
			if r.Deputy && r.Contact == "sari" {
				deputy++
			}
		}
		if deputy != 1 {
			t.Fatalf("sari's pings as deputy: %+v", got)
		}
		if res, err := w.nets.EscalatePing(w.as["elena"], p.ID); err != nil || res.Done != 0 {
			t.Fatalf("escalating twice: %+v %v", res, err)
		}
		if w.audited(t, "directory.ping.escalate") != 2 {
			t.Fatal("the escalations are not in the audit trail")
		}

		// Past the deadline: not offered, and refused.
		w.clock.Advance(49 * time.Hour)
		got, _ = w.nets.MyPings(w.as["bima"])
		for _, r := range got {
			if r.CanAck {
				t.Fatalf("a ping past its deadline offered for confirmation to %s", r.Contact)
			}
		}
		i := slices.IndexFunc(got, func(r directory.ReceivedView) bool { return r.Contact == "bima" })
		if len(got) != 2 || i < 0 {
			t.Fatalf("%d pings, bima's at %d", len(got), i)
		}
		err = w.nets.AckPing(w.as["bima"], got[i].ID)
		if ce := core.AsError(err); ce == nil || ce.Kind != core.KindConflict || ce.Message != "err.ping_over" {
			t.Fatalf("a late confirmation: %v", err)
		}
		if tt, _ := w.nets.TargetByToken(context.Background(), token); !tt.Over {
			t.Fatal("the e-mailed link still offers a late confirmation")
		}
		wantKind(t, "a late confirmation by e-mail", w.nets.AckByToken(context.Background(), token), core.KindConflict)
		v, _ = w.nets.PingResult(w.as["elena"], p.ID)
		if v.Total.Acknowledged != 0 || v.Total.HasMedian() {
			t.Fatalf("after refused confirmations: %+v", v.Total)
		}
		// The deadline passes: the contact whose deputy the secretariat
		// already asked is not escalated a second time.
		if err := w.nets.Settle(context.Background(), p.ID); err != nil {
			t.Fatal(err)
		}
		v, _ = w.nets.PingResult(w.as["elena"], p.ID)
		deputies := 0
		for _, tg := range v.Targets {
			if tg.Deputy {
				deputies++
			}
		}
		if deputies != 1 {
			t.Fatalf("after the deadline, %d deputy rows; the deputy was asked again: %+v", deputies, v.Targets)
		}
	})
}

// TestPingCloseEarly: the secretariat closes a check before its deadline;
// whoever had not answered is overdue, the check is finished, confirmations
// are refused from then on, and nothing more can be done to it.
func TestPingCloseEarly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNetWorld(t, e)
		n := w.network(t)
		w.nominate(t, n, "sari", "kemlu", "bima", "technical", false)
		w.nominate(t, n, "vika", "mfa-fj", "vika", "diplomatic", false)
		p, err := w.nets.StartPing(w.as["elena"], n.ID, directory.PingInput{})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := w.nets.MyPings(w.as["vika"])
		w.clock.Advance(2 * time.Hour)
		if err := w.nets.AckPing(w.as["vika"], got[0].ID); err != nil {
			t.Fatal(err)
		}
		_, err = w.nets.ClosePing(w.as["vika"], p.ID)
		wantKind(t, "a member closing", err, core.KindForbidden)
		res, err := w.nets.ClosePing(w.as["elena"], p.ID)
		if err != nil || res.Done != 1 {
			t.Fatalf("close: %+v %v", res, err)
		}
		v, _ := w.nets.PingResult(w.as["elena"], p.ID)
		if v.State != directory.PingFinished || v.FinishedAt == nil || v.Total.Acknowledged != 1 || v.Total.Overdue != 1 || v.Total.Pending != 0 || !v.Total.HasMedian() || v.Total.Median != 2*time.Hour {
			t.Fatalf("after closing: %s %+v", v.State, v.Total)
		}
		got, _ = w.nets.MyPings(w.as["bima"])
		if got[0].CanAck || !got[0].Closed {
			t.Fatal("a closed check is still offered for confirmation")
		}
		err = w.nets.AckPing(w.as["bima"], got[0].ID)
		if ce := core.AsError(err); ce == nil || ce.Message != "err.ping_over" {
			t.Fatalf("a confirmation after the check closed: %v", err)
		}
		for name, do := range map[string]func(context.Context, string) (directory.PingAction, error){"close": w.nets.ClosePing, "remind": w.nets.RemindPing, "escalate": w.nets.EscalatePing} {
			_, err := do(w.as["elena"], p.ID)
			wantKind(t, name+" on a finished check", err, core.KindConflict)
		}
		if w.audited(t, "directory.ping.close") != 1 {
			t.Fatal("closing is not in the audit trail")
		}
	})
}
