package capacity

import "testing"

func TestMoneyGroupsDigitsAsTheReaderDoes(t *testing.T) {
	for lang, want := range map[string]string{"en": "AUD 1,500,000", "id": "AUD 1.500.000"} {
		if got := (Words{lang: lang}).Money(1500000, "AUD"); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}

// TestWeakNeedsAGap: a value in the lowest third is weak only when it is
// well below the median; scores bunched near the top are not weak.
func TestWeakNeedsAGap(t *testing.T) {
	gci := []float64{100, 99.86, 99.74, 99.22, 98.82, 93.49}
	for _, c := range []struct {
		rank  int
		value float64
		want  bool
	}{{5, 98.82, false}, {6, 93.49, true}, {1, 100, false}} {
		if got := weak(c.rank, len(gci), c.value, gci, true); got != c.want {
			t.Errorf("rank %d value %v: weak %v, want %v", c.rank, c.value, got, c.want)
		}
	}
	// Lower is better (a tier): 3 where the others have 1 is weak.
	if !weak(3, 3, 3, []float64{1, 1, 3}, false) {
		t.Error("tier 3 among tiers 1, 1, 3 is not weak")
	}
}
