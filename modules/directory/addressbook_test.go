package directory_test

import (
	"context"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/directory"
)

// mustPeer records a peer node and the organisations its directory lists,
// as federation does when it fetches a verified peer's directory.
func mustPeer(t *testing.T, w netWorld, host, status string, orgs ...[2]string) {
	t.Helper()
	err := w.db.WithTx(context.Background(), func(tx *store.Tx) error {
		id := core.NewID(tx.Now)
		if _, err := tx.Exec(context.Background(), `INSERT INTO peers (id, host, base_url, signing_key, hpke_key, ledger_key, descriptor, status, added_at, updated_at)
			VALUES (?, ?, ?, ?, ?, '', '{}', ?, ?, ?)`, id, host, "https://"+host, []byte{1}, []byte{2}, status, tx.Now, tx.Now); err != nil {
			return err
		}
		for _, o := range orgs {
			if _, err := tx.Exec(context.Background(), `INSERT INTO peer_orgs (peer_id, handle, kind, country, name_en) VALUES (?, ?, 'state_agency', 'SG', ?)`, id, o[0], o[1]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func addresses(t *testing.T, w netWorld, as, q string) map[string]directory.Addressee {
	t.Helper()
	book, err := w.nets.AddressBook(w.as[as], q)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]directory.Addressee{}
	for _, a := range book {
		out[a.Addr] = a
	}
	return out
}

// TestAddressBook: a person can address this node's organisations, those of
// verified peers (not of peers still pending), and the members of the POC
// networks their organisations belong to; the search narrows all of them.
func TestAddressBook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNetWorld(t, e)
		n := w.network(t)
		mustPeer(t, w, "sg.test", "verified", [2]string{"csa-sg", "Cyber Security Agency of Singapore"})
		mustPeer(t, w, "pending.test", "pending", [2]string{"ghost", "Not yet verified"})
		err := w.db.WithTx(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Exec(context.Background(), `INSERT INTO poc_members (network_id, addr, name_en, name_id, country, joined_at) VALUES (?, ?, ?, ?, ?, ?)`,
				n.ID, "mofa-jp@jp.test", "Ministry of Foreign Affairs of Japan", "Kementerian Luar Negeri Jepang", "JP", tx.Now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		bima := addresses(t, w, "bima", "")
		for addr, local := range map[string]bool{"kemlu@node.test": true, "acme@node.test": true, "csa-sg@sg.test": false, "mofa-jp@jp.test": false} {
			a, ok := bima[addr]
			if !ok {
				t.Errorf("the address book of a member of the network lacks %s: %v", addr, bima)
				continue
			}
			if a.Local != local {
				t.Errorf("%s: local %v, want %v", addr, a.Local, local)
			}
		}
		if a := bima["csa-sg@sg.test"]; a.Name("en") != "Cyber Security Agency of Singapore" || a.Host != "sg.test" {
			t.Errorf("the peer's organisation is %+v", a)
		}
		if a := bima["mofa-jp@jp.test"]; a.Name("id") != "Kementerian Luar Negeri Jepang" {
			t.Errorf("the network member's name in Indonesian is %q", a.Name("id"))
		}
		if _, ok := bima["ghost@pending.test"]; ok {
			t.Error("an organisation of a peer not yet verified is offered")
		}
		// A company outside the network sees peers but not the network's members.
		eve := addresses(t, w, "eve", "")
		if _, ok := eve["csa-sg@sg.test"]; !ok {
			t.Error("a verified peer's organisation is missing for someone outside the network")
		}
		if _, ok := eve["mofa-jp@jp.test"]; ok {
			t.Error("a network's member is offered to someone outside the network")
		}
		// The search matches names, handles and nodes, in any case.
		for q, want := range map[string]string{"SINGAPORE": "csa-sg@sg.test", "jp.test": "mofa-jp@jp.test", "Jepang": "mofa-jp@jp.test"} {
			got := addresses(t, w, "bima", q)
			if _, ok := got[want]; !ok || len(got) != 1 {
				t.Errorf("search %q: %v, want only %s", q, got, want)
			}
		}
		// The other modules' "to" fields get the same list.
		other, err := w.nets.Addresses(w.as["bima"], "singapore")
		if err != nil || len(other) != 1 || other[0].Address() != "csa-sg@sg.test" {
			t.Errorf("Addresses: %v, %v", other, err)
		}
	})
}
