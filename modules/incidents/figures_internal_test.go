package incidents

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestJSONStrings reads the values the figures count straight from the
// columns' JSON, as json.Unmarshal would, escaped characters included.
func TestJSONStrings(t *testing.T) {
	recv, _ := json.Marshal([]Receiver{{Name: `A "quoted" \ name`, Category: "corporate", Sector: "energy"}, {Name: "b", Category: "media"},
		{Name: "c", Category: "corporate", Sector: `odd "sector" \ from a peer`}})
	ini, _ := json.Marshal(Initiator{Name: `"category":"state"`, Category: "non_state_criminal"})
	for _, c := range []struct {
		s, prefix string
		want      []string
	}{
		{`["ransomware","espionage"]`, `"`, []string{"ransomware", "espionage"}},
		{`[]`, `"`, nil},
		{`["a\"b","c"]`, `"`, []string{`a"b`, "c"}},
		{string(recv), `"sector":"`, []string{"energy", `odd "sector" \ from a peer`}},
		{string(ini), `"category":"`, []string{"non_state_criminal"}},
	} {
		got, ok := jsonStrings(c.s, c.prefix)
		if !ok || !slices.Equal(got, c.want) {
			t.Errorf("jsonStrings(%s, %s) = %q %v, want %q", c.s, c.prefix, got, ok, c.want)
		}
	}
	if _, ok := jsonStrings(`["unterminated`, `"`); ok {
		t.Error("an unterminated string was read")
	}
}
