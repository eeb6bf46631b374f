package humanitarian

import (
	"encoding/json"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
)

// What a peer's funding envelopes may and may not say, before any
// database is asked.

const (
	donorHost = "donors.example"
	localHost = "jakarta.example"
	thirdHost = "elsewhere.example"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func goodClaim() flowClaim {
	return flowClaim{ID: federation.NewHostedID(t0, donorHost), Rev: 1, Donor: "kemlu@" + donorHost, Recipient: "bnpb@" + localHost,
		Appeal: federation.NewHostedID(t0, localHost), Title: "Flash appeal", Sector: "wash", Amount: 250_000_00, Currency: "USD",
		RateE8: rateScale, USD: 250_000_00, Status: FlowPaid, Date: "2026-12-02"}
}

func goodConfirmation() confirmationMsg {
	return confirmationMsg{Flow: federation.NewHostedID(t0, localHost), Rev: 1, Donor: "kemlu@" + localHost, Recipient: "bnpb@" + donorHost,
		Sector: "wash", Amount: 240_000_00, Currency: "USD", RateE8: rateScale, USD: 240_000_00, Status: FlowPaid, Date: "2026-12-04"}
}

func marshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCheckFlowClaim(t *testing.T) {
	change := func(f func(*flowClaim)) flowClaim { c := goodClaim(); f(&c); return c }
	cases := []struct {
		name string
		from string
		body []byte
		kind core.Kind
	}{
		{"good", "kemlu@" + donorHost, marshal(t, goodClaim()), ""},
		{"a flow made on another node", "kemlu@" + donorHost, marshal(t, change(func(c *flowClaim) { c.ID = federation.NewHostedID(t0, thirdHost) })), core.KindForbidden},
		{"a donor other than the sender", "tanoto@" + donorHost, marshal(t, goodClaim()), core.KindForbidden},
		{"a donor of another node", "pmi@" + localHost, marshal(t, change(func(c *flowClaim) { c.Donor = "pmi@" + localHost })), core.KindForbidden},
		{"a recipient elsewhere", "kemlu@" + donorHost, marshal(t, change(func(c *flowClaim) { c.Recipient = "ocha@" + thirdHost })), core.KindForbidden},
		{"usd that is not amount × rate", "kemlu@" + donorHost, marshal(t, change(func(c *flowClaim) { c.USD++ })), core.KindInvalid},
		{"a negative amount", "kemlu@" + donorHost, marshal(t, change(func(c *flowClaim) { c.Amount, c.USD = -5, -5 })), core.KindInvalid},
		{"a status unknown", "kemlu@" + donorHost, marshal(t, change(func(c *flowClaim) { c.Status = "promised" })), core.KindInvalid},
		{"a sector unknown", "kemlu@" + donorHost, marshal(t, change(func(c *flowClaim) { c.Sector = "cyber" })), core.KindInvalid},
		{"no reference", "kemlu@" + donorHost, marshal(t, change(func(c *flowClaim) { c.Appeal = "" })), core.KindInvalid},
		{"a reference of another node", "kemlu@" + donorHost, marshal(t, change(func(c *flowClaim) { c.Appeal = federation.NewHostedID(t0, thirdHost) })), core.KindInvalid},
		{"an unknown field", "kemlu@" + donorHost, []byte(`{"id":"x","bank":"y"}`), core.KindInvalid},
		{"a key twice", "kemlu@" + donorHost, []byte(`{"rev":1,"rev":2}`), core.KindInvalid},
		{"two objects", "kemlu@" + donorHost, append(marshal(t, goodClaim()), marshal(t, goodClaim())...), core.KindInvalid},
	}
	for _, c := range cases {
		_, err := checkFlowClaim(donorHost, localHost, c.from, c.body)
		if core.KindOf(err) != c.kind && !(c.kind == "" && err == nil) {
			t.Errorf("%s: %v (kind %q), want %q", c.name, err, core.KindOf(err), c.kind)
		}
	}
}

func TestCheckConfirmation(t *testing.T) {
	change := func(f func(*confirmationMsg)) confirmationMsg { c := goodConfirmation(); f(&c); return c }
	// Here the recipient is on donorHost (the sender) and the donor on
	// localHost (this node, which made the flow).
	cases := []struct {
		name string
		from string
		body []byte
		kind core.Kind
	}{
		{"good", "bnpb@" + donorHost, marshal(t, goodConfirmation()), ""},
		{"a flow this node did not make", "bnpb@" + donorHost, marshal(t, change(func(c *confirmationMsg) { c.Flow = federation.NewHostedID(t0, donorHost) })), core.KindForbidden},
		{"sent by another organisation", "pmi@" + donorHost, marshal(t, goodConfirmation()), core.KindForbidden},
		{"a recipient of a third node", "bnpb@" + donorHost, marshal(t, change(func(c *confirmationMsg) { c.Recipient = "bnpb@" + thirdHost })), core.KindForbidden},
		{"a donor elsewhere", "bnpb@" + donorHost, marshal(t, change(func(c *confirmationMsg) { c.Donor = "kemlu@" + thirdHost })), core.KindForbidden},
		{"usd wrong", "bnpb@" + donorHost, marshal(t, change(func(c *confirmationMsg) { c.USD = 0 })), core.KindInvalid},
		{"no rev", "bnpb@" + donorHost, marshal(t, change(func(c *confirmationMsg) { c.Rev = 0 })), core.KindInvalid},
		{"not JSON", "bnpb@" + donorHost, []byte("nope"), core.KindInvalid},
	}
	for _, c := range cases {
		_, err := checkConfirmation(donorHost, localHost, c.from, c.body)
		if core.KindOf(err) != c.kind && !(c.kind == "" && err == nil) {
			t.Errorf("%s: %v (kind %q), want %q", c.name, err, core.KindOf(err), c.kind)
		}
	}
}

// FuzzCheckFlowClaim: whatever a peer sends, the check answers without
// panicking, and what it lets through is the sender's own and adds up.
func FuzzCheckFlowClaim(f *testing.F) {
	f.Add(marshal(f, goodClaim()))
	f.Add([]byte(`{"id":"","rev":-1}`))
	f.Add([]byte(`{"amount":9223372036854775807,"rate_e8":9223372036854775807}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := checkFlowClaim(donorHost, localHost, "kemlu@"+donorHost, body)
		if err != nil {
			return
		}
		if m.Donor != "kemlu@"+donorHost || !federation.HostedID(m.ID, donorHost) || m.USD != ToUSD(m.Amount, m.RateE8) || m.Amount <= 0 {
			t.Fatalf("let through: %+v", m)
		}
	})
}

// FuzzCheckConfirmation is FuzzCheckFlowClaim for confirmations.
func FuzzCheckConfirmation(f *testing.F) {
	f.Add(marshal(f, goodConfirmation()))
	f.Add([]byte(`{"flow":"x","rev":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := checkConfirmation(donorHost, localHost, "bnpb@"+donorHost, body)
		if err != nil {
			return
		}
		if m.Recipient != "bnpb@"+donorHost || !federation.HostedID(m.Flow, localHost) || m.USD != ToUSD(m.Amount, m.RateE8) {
			t.Fatalf("let through: %+v", m)
		}
	})
}
