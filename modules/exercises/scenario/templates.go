package scenario

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"

	"entente.example/entente/core"
)

//go:embed templates/*.json
var templateFS embed.FS

// Templates returns the scenarios shipped with Entente, by ID, ready to
// copy and adapt: a regional CERT communication drill, a points of contact
// directory simulation, and a ransomware attack on a hospital. It panics if
// one does not parse: they are embedded at build time and a test reads
// them, so that would be a bug in the build, not an input to handle.
func Templates() []Scenario {
	names, err := fs.Glob(templateFS, "templates/*.json")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	out := make([]Scenario, 0, len(names))
	for _, n := range names {
		b, err := templateFS.ReadFile(n)
		if err != nil {
			panic(err)
		}
		s, err := Parse(b)
		if err != nil {
			var fields map[string]string
			if ce := core.AsError(err); ce != nil {
				fields = ce.Fields
			}
			panic(fmt.Sprintf("scenario: template %s: %v %v", n, err, fields))
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
