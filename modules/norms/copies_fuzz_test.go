package norms

import (
	"encoding/json"
	"os"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
)

// FuzzDecodePublication: whatever a peer signs, reading it never panics,
// and what is accepted fits the framework.
func FuzzDecodePublication(f *testing.F) {
	seed, err := os.ReadFile("testdata/publication.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"report":"x","answers":[{"part":"norms","norm":"z"}]}`))
	f.Add([]byte(`{}`))
	fw := Load()
	f.Fuzz(func(t *testing.T, b []byte) {
		pub, err := decodePublication(b, fw)
		if err != nil {
			return
		}
		// What is accepted is stored: every text must be storable on both
		// engines, and the fields the pages rely on well formed.
		texts := []string{pub.Report, pub.Series, pub.Organisation, pub.NameEN, pub.NameID, pub.Country, pub.Title, pub.Audience, pub.PublishedBy}
		for _, a := range pub.Answers {
			texts = append(texts, a.Part, a.Norm, a.Measures, a.Challenges, a.Gaps, a.Links, a.UpdatedBy)
		}
		for _, x := range texts {
			if p := core.CheckText(x); p != "" {
				t.Fatalf("accepted %q (%s) in %q", x, p, b)
			}
		}
		if len(pub.Country) != 2 || pub.Version < 1 || trimTitle(pub.Title) == "" {
			t.Fatalf("accepted a malformed publication: %+v", pub)
		}
		if _, _, ok := federation.Address(pub.Organisation); !ok {
			t.Fatalf("accepted organisation %q", pub.Organisation)
		}
		// And reads the same once written out again.
		again, err := json.Marshal(pub)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodePublication(again, fw); err != nil {
			t.Fatalf("re-encoded publication refused: %v\n%s", err, again)
		}
	})
}
