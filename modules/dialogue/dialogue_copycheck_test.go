package dialogue

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestCopyRefusesAnotherHostsIDs: a host may name only contributions it
// made. A copy carrying the id of a contribution of another host's
// dialogue (learnt from this node's copy of that one) would push it out of
// this node's copy; it is refused whole, as is a parent of another host.
func TestCopyRefusesAnotherHostsIDs(t *testing.T) {
	var b copyBatch
	if err := json.Unmarshal(seedCopy(), &b); err != nil {
		t.Fatal(err)
	}
	if _, err := decodeCopy(seedCopy(), fuzzHost); err != nil {
		t.Fatalf("the seed copy is refused: %v", err)
	}
	other := newHostedID(time.Now(), "au.example")
	for name, change := range map[string]func(c *contribCopy){
		"id of another host":     func(c *contribCopy) { c.ID = other },
		"parent of another host": func(c *contribCopy) { c.Parent = other },
		"an untagged id":         func(c *contribCopy) { c.ID = c.ID[:26] },
	} {
		x := b
		x.Contributions = append([]contribCopy(nil), b.Contributions...)
		change(&x.Contributions[1])
		body, _ := json.Marshal(x)
		if _, err := decodeCopy(body, fuzzHost); err == nil || !strings.Contains(err.Error(), "an id") {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
}

// TestBatchesStayUnderTheEnvelopeLimit: contributions at their longest,
// in the characters JSON escapes most, fill batches that stay under the
// size a federation envelope may be once signed, sealed and encoded.
func TestBatchesStayUnderTheEnvelopeLimit(t *testing.T) {
	c := contribCopy{ID: newHostedID(time.Now(), fuzzHost), Seq: 1, Rev: 1, State: StateVisible, Body: strings.Repeat("<", maxBody), At: time.Now()}
	one := copySize(c)
	n := maxBatchBytes/one + 1 // the most a batch takes before it is cut
	// The statement escapes the batch again (\ and " doubled at worst) and
	// the sealed envelope is base64: 2 × 4/3 of the batch, bounded.
	if worst := n * one * 2 * 4 / 3; worst >= 4<<20 {
		t.Fatalf("a batch of %d contributions of %d bytes may reach %d bytes, over the 4 MiB envelope", n, one, worst)
	}
}
