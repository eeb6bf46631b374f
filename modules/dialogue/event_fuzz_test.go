package dialogue_test

import (
	"strings"
	"testing"

	"entente.example/entente/modules/dialogue"
)

// FuzzEventLines reads what an organiser types into the agenda and
// speakers boxes: every entry has three trimmed parts, none holds a line
// break, and no part holds a separator but the last.
func FuzzEventLines(f *testing.F) {
	for _, s := range []string{"09:00 | Opening | Ambassador\n10:00 | Panel", "a|b|c|d", "\r\n\r\n|", "  \n x \n", "Dewi | Kemendag | Trade negotiator; « bio »"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range dialogue.EventLines(s) {
			for i, p := range l {
				if strings.ContainsAny(p, "\n") || p != strings.TrimSpace(p) {
					t.Fatalf("part %q of %q", p, s)
				}
				if i < 2 && strings.Contains(p, "|") {
					t.Fatalf("separator kept in %q", p)
				}
			}
			if l == [3]string{} {
				t.Fatalf("an empty entry from %q", s)
			}
		}
	})
}
