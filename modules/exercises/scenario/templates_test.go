package scenario

import (
	"bytes"
	"reflect"
	"strconv"
	"testing"
)

func TestTemplates(t *testing.T) {
	ts := Templates()
	var ids []string
	for _, s := range ts {
		ids = append(ids, s.ID)
	}
	if want := []string{"asean-cert-drill", "hospital-ransomware", "un-poc-simulation"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("templates = %v, want %v", ids, want)
	}
	for _, s := range ts {
		t.Run(s.ID, func(t *testing.T) {
			if p := s.Validate(); p != nil {
				t.Fatalf("Validate() = %v", p)
			}
			if len(s.Injects) == 0 || s.Source == "" {
				t.Errorf("template has no injects or no source")
			}
			for path, text := range allTexts(s) {
				for _, lang := range Languages {
					if text[lang] == "" {
						t.Errorf("%s has no %q text", path, lang)
					}
				}
				if text["en"] == text["id"] {
					t.Errorf("%s: Indonesian is the English text %q", path, text["en"])
				}
			}
			for _, in := range s.Injects {
				for _, e := range in.Expectations {
					if e.Points == 0 {
						t.Errorf("%s/%s scores nothing", in.Key, e.Key)
					}
				}
			}
			b, err := Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Parse(b)
			if err != nil || !reflect.DeepEqual(again, s) {
				t.Errorf("round trip: %v", err)
			}
			if b2, _ := Marshal(again); !bytes.Equal(b, b2) {
				t.Error("Marshal is not deterministic")
			}
		})
	}
}

// TestTemplateChannels: each template uses the channels its exercise is
// about, so a change that drops one is noticed.
func TestTemplateChannels(t *testing.T) {
	want := map[string][]Channel{
		"asean-cert-drill":    {ChannelPing, ChannelMessage, ChannelIntel, ChannelManual},
		"un-poc-simulation":   {ChannelPing, ChannelPOCRequest, ChannelManual},
		"hospital-ransomware": {ChannelIntel, ChannelMedia, ChannelCybercrime, ChannelMessage},
	}
	for _, s := range Templates() {
		used := map[Channel]bool{}
		for _, in := range s.Injects {
			used[in.Channel] = true
		}
		for _, c := range want[s.ID] {
			if !used[c] {
				t.Errorf("%s does not use channel %s", s.ID, c)
			}
		}
	}
}

func TestTemplatesAreCopies(t *testing.T) {
	a := Templates()
	a[0].Title["en"] = "changed"
	if Templates()[0].Title["en"] == "changed" {
		t.Error("a caller's change reached the shipped templates")
	}
}

// allTexts returns every Text of s by path.
func allTexts(s Scenario) map[string]Text {
	out := map[string]Text{"title": s.Title, "summary": s.Summary}
	add := func(prefix string, ts []Text) {
		for i, t := range ts {
			out[prefix+"["+itoa(i)+"]"] = t
		}
	}
	add("objectives", s.Objectives)
	add("questions", s.Questions)
	for i, tm := range s.Teams {
		out["teams["+itoa(i)+"].name"] = tm.Name
	}
	for i, in := range s.Injects {
		p := "injects[" + itoa(i) + "]"
		out[p+".title"], out[p+".content"] = in.Title, in.Content
		for j, e := range in.Expectations {
			out[p+".expectations["+itoa(j)+"].what"] = e.What
		}
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }
