package norms

import (
	"os"
	"testing"
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
		for _, a := range pub.Answers {
			if len(a.validate(fw)) > 0 {
				t.Fatalf("accepted an answer that does not fit: %+v", a)
			}
		}
	})
}
