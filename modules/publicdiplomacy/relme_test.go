package publicdiplomacy

import (
	"strings"
	"testing"
)

func TestRelMe(t *testing.T) {
	const p = "https://node.example/social/kemlu"
	for page, want := range map[string]bool{
		`<a rel="me" href="https://node.example/social/kemlu">Fediverse</a>`:           true,
		`<link rel="me nofollow" href="https://node.example/social/kemlu/">`:           true,
		`<a REL="Me" href="https://node.example/social/kemlu">x</a>`:                   true,
		`<a href="https://node.example/social/kemlu">no rel</a>`:                       false,
		`<a rel="me" href="https://node.example/social/kemlu2">another</a>`:            false,
		`<!-- <a rel="me" href="https://node.example/social/kemlu"> -->`:               false,
		`<script>"<a rel=\"me\" href=\"https://node.example/social/kemlu\">"</script>`: false,
	} {
		if got := relMe(strings.NewReader(page), p); got != want {
			t.Errorf("%s: %v, want %v", page, got, want)
		}
	}
}

func FuzzRelMe(f *testing.F) {
	f.Add(`<a rel="me" href="https://node.example/social/kemlu">x</a>`)
	f.Add(`<link rel=me href=https://node.example/social/kemlu>`)
	f.Fuzz(func(t *testing.T, page string) {
		relMe(strings.NewReader(page), "https://node.example/social/kemlu")
	})
}
