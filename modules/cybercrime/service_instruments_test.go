package cybercrime

import (
	"context"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

func newInstruments(t *testing.T, e storetest.Engine) (*Instruments, *store.DB, context.Context, context.Context) {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, e, clock, audit.Migrations(), Migrations())
	root := core.WithActor(context.Background(), core.Actor{UserID: "u-root", Name: "Root", NodeAdmin: true})
	investigator := core.WithActor(context.Background(), core.Actor{UserID: "u-sari", Name: "Sari", Memberships: []core.Membership{{Org: core.OrgRef{ID: "o1", Handle: "polri"}, Role: core.RoleInvestigator}}})
	return NewInstruments(db), db, root, investigator
}

func wantErrKind(t *testing.T, what string, err error, k core.Kind) {
	t.Helper()
	if core.KindOf(err) != k {
		t.Fatalf("%s: %v (kind %q), want %q", what, err, core.KindOf(err), k)
	}
}

func option(t *testing.T, s *Instruments, from, to string, k Kind, on time.Time, id string) BasisOption {
	t.Helper()
	opts, _, err := s.Bases(context.Background(), from, to, k, on)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		if o.Instrument.ID == id {
			return o
		}
	}
	t.Fatalf("no option %s", id)
	return BasisOption{}
}

func TestInstrumentsEdits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		s, db, root, sari := newInstruments(t, e)
		ctx := context.Background()
		on := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)

		// Only node administrators change the facts.
		err := s.SetStatus(sari, "un2024", StatusInput{InForce: true, Since: "2027-01-01", Source: "https://treaties.un.org/"})
		wantErrKind(t, "an investigator changes a status", err, core.KindForbidden)

		// The UN Convention enters into force; Viet Nam has only signed.
		if err := s.SetStatus(root, "un2024", StatusInput{InForce: true, Since: "2027-01-01", Source: "https://treaties.un.org/"}); err != nil {
			t.Fatal(err)
		}
		if o := option(t, s, "ID", "VN", KindPreservation, on, "un2024"); o.Allowed || o.Reason.Key != ReasonNotBound || o.Reason.Country != "ID" {
			t.Fatalf("before ratification: %+v", o.Reason)
		}
		for _, c := range []string{"ID", "VN"} {
			if err := s.SetParty(root, "un2024", PartyInput{Country: c, Bound: "2027-01-01", Source: "https://treaties.un.org/"}); err != nil {
				t.Fatal(err)
			}
		}
		if o := option(t, s, "ID", "VN", KindPreservation, on, "un2024"); !o.Allowed || o.Article != "art. 42" {
			t.Fatalf("after ratification: %+v", o.Reason)
		}
		wantErrKind(t, "a bad party", s.SetParty(root, "un2024", PartyInput{Country: "XX", Bound: "2027-13-01", Source: "javascript:x"}), core.KindInvalid)
		wantErrKind(t, "an unknown instrument", s.SetParty(root, "nope", PartyInput{Country: "ID", Source: "https://e.org"}), core.KindNotFound)

		// A bilateral treaty the node adds.
		tr := TreatyInput{ID: "id_au_mla", NameEN: "Indonesia-Australia MLA Treaty", Source: "https://e.org/treaty", PartyA: "id", PartyB: "AU", Since: "1999-07-17", Article: "art. 1", Kinds: []Kind{KindStoredData}}
		if _, err := s.AddTreaty(root, tr); err != nil {
			t.Fatal(err)
		}
		if o := option(t, s, "ID", "AU", KindStoredData, on, "id_au_mla"); !o.Allowed || !o.Instrument.Local {
			t.Fatalf("bilateral treaty: %+v", o.Reason)
		}
		_, err = s.AddTreaty(root, tr)
		wantErrKind(t, "the same id twice", err, core.KindConflict)
		tr.ID = "budapest"
		_, err = s.AddTreaty(root, tr)
		wantErrKind(t, "a shipped id", err, core.KindConflict)
		tr.ID, tr.PartyB = "other", "ID"
		_, err = s.AddTreaty(root, tr)
		wantErrKind(t, "a treaty with one state", err, core.KindInvalid)

		// A reservation that removes a kind.
		if err := s.AddReservation(root, "budapest", ReservationInput{Country: "JP", Effect: EffectRemoves, Kinds: []Kind{KindTrafficDisclosure}, Text: "test", Source: "https://e.org/r"}); err != nil {
			t.Fatal(err)
		}
		if o := option(t, s, "AU", "JP", KindTrafficDisclosure, on, "budapest"); o.Allowed || o.Reason.Key != ReasonReservation {
			t.Fatalf("after the reservation: %+v", o.Reason)
		}
		if o := option(t, s, "AU", "JP", KindPreservation, on, "budapest"); !o.Allowed {
			t.Fatalf("the reservation took preservation too: %+v", o.Reason)
		}

		// A kind the node says an instrument does not carry after all.
		if err := s.SetKind(root, "asean_mlat", KindInput{Kind: KindStoredData, Allowed: false, Source: "https://e.org/k"}); err != nil {
			t.Fatal(err)
		}
		if o := option(t, s, "ID", "SG", KindStoredData, on, "asean_mlat"); o.Allowed || o.Reason.Key != ReasonKindNotAllowed {
			t.Fatalf("after removing the kind: %+v", o.Reason)
		}
		if key, ok := s.Allowed(ctx, "ID", "SG", KindStoredData, "budapest", on); ok || key != "cyb.basis_err.requesting_not_party" {
			t.Errorf("Legal.Allowed = %q, %v", key, ok)
		}
		if got := s.Grounds(KindStoredData, "reciprocity"); got[len(got)-1] != "no_reciprocity" {
			t.Errorf("Legal.Grounds = %v", got)
		}

		// Confirming an unverified shipped fact, once.
		wantErrKind(t, "an investigator confirms", s.Confirm(sari, "party:asean_mlat:SG", ""), core.KindForbidden)
		if err := s.Confirm(root, "party:asean_mlat:SG", "checked the depositary's list"); err != nil {
			t.Fatal(err)
		}
		in, err := s.Get(ctx, "asean_mlat")
		if err != nil {
			t.Fatal(err)
		}
		p, _ := in.Party("SG")
		if !p.Verified || p.ConfirmedBy != "Root" || p.Note != "checked the depositary's list" || p.ConfirmedAt.IsZero() {
			t.Errorf("confirmed party: %+v", p)
		}
		wantErrKind(t, "confirming twice", s.Confirm(root, "party:asean_mlat:SG", ""), core.KindConflict)
		wantErrKind(t, "confirming a verified fact", s.Confirm(root, "party:budapest:AU", ""), core.KindConflict)

		// Every change is in the audit trail.
		events, _, err := audit.List(ctx, db, audit.Filter{Action: "cybercrime.instrument."}, core.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 7 {
			t.Errorf("%d audit events, want 7", len(events))
		}
	})
}
