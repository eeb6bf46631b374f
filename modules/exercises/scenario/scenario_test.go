package scenario

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestTextIn(t *testing.T) {
	tests := []struct {
		text Text
		lang string
		want string
	}{
		{Text{"en": "Drill", "id": "Latihan"}, "id", "Latihan"},
		{Text{"en": "Drill", "id": "Latihan"}, "en", "Drill"},
		{Text{"en": "Drill"}, "id", "Drill"},
		{Text{"en": "Drill", "id": ""}, "id", "Drill"},
		{Text{"en": "Drill"}, "fr", "Drill"},
		{nil, "id", ""},
	}
	for _, tt := range tests {
		if got := tt.text.In(tt.lang); got != tt.want {
			t.Errorf("%v.In(%q) = %q, want %q", tt.text, tt.lang, got, tt.want)
		}
	}
}

func TestDurationJSON(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"5400", 90 * time.Minute, true},
		{"-60", -time.Minute, true}, // read, then refused by Validate
		{"1.5", 0, false},
		{"1e3", 0, false},
		{`"PT1H"`, 0, false},
		{`"60"`, 0, false},
		{"99999999999999", 0, false},
		{"true", 0, false},
	}
	for _, tt := range tests {
		var d Duration
		err := json.Unmarshal([]byte(tt.in), &d)
		if (err == nil) != tt.ok {
			t.Errorf("unmarshal %s: err = %v, want ok %v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && d.Std() != tt.want {
			t.Errorf("unmarshal %s = %v, want %v", tt.in, d.Std(), tt.want)
		}
	}
	b, err := json.Marshal(Duration(90 * time.Minute))
	if err != nil || string(b) != "5400" {
		t.Errorf("marshal 90m = %s, %v; want 5400", b, err)
	}
}

func TestTimelineSortsByOffsetThenKey(t *testing.T) {
	s := Scenario{Injects: []Inject{
		{Key: "c", Offset: Duration(time.Hour)},
		{Key: "b", Offset: 0},
		{Key: "a", Offset: Duration(time.Hour)},
	}}
	var got []string
	for _, in := range s.Timeline() {
		got = append(got, in.Key)
	}
	if want := "b a c"; strings.Join(got, " ") != want {
		t.Errorf("timeline = %s, want %s", strings.Join(got, " "), want)
	}
	if s.Injects[0].Key != "c" {
		t.Error("Timeline reordered the scenario's own injects")
	}
}

func TestMemberPlaceholder(t *testing.T) {
	for org, want := range map[string]bool{
		"players.cert":      true,
		"control":           true,
		"mfa@node1.example": false,
	} {
		if got := (Member{Org: org}).Placeholder(); got != want {
			t.Errorf("Member{%q}.Placeholder() = %v, want %v", org, got, want)
		}
	}
}
