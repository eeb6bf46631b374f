package capacity

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

//go:embed themes.json
var themesJSON []byte

// Name is a label in both languages.
type Name struct {
	En string `json:"en"`
	ID string `json:"id"`
}

// In returns the label in lang ("id" for Bahasa Indonesia, English otherwise).
func (n Name) In(lang string) string {
	if lang == "id" && n.ID != "" {
		return n.ID
	}
	return n.En
}

// Topic is a subject under a theme.
type Topic struct {
	ID   string `json:"id"`
	Name Name   `json:"name"`
}

// Theme is one of the GFCE's five themes. DAC is the OECD DAC 5-digit
// purpose code the IATI export reports beside it, since IATI readers
// classify by DAC sectors, not by GFCE themes.
type Theme struct {
	ID     string  `json:"id"`
	DAC    string  `json:"dac"`
	Name   Name    `json:"name"`
	Topics []Topic `json:"topics"`
}

// Region is a group of countries offers and projects may name.
type Region struct {
	ID        string   `json:"id"`
	Name      Name     `json:"name"`
	Countries []string `json:"countries"`
}

// Vocabulary is the themes, their topics and the regions.
type Vocabulary struct {
	Source  string   `json:"source"`
	Themes  []Theme  `json:"themes"`
	Regions []Region `json:"regions"`

	theme   map[string]*Theme
	topic   map[string]string // topic id → theme id
	region  map[string]*Region
	regions map[string][]string // country → region ids
	// bit numbers of topics and regions, for matching's sets
	themeBit, topicBit, regionBit map[string]uint
}

// Themes is the vocabulary shipped with the package.
var Themes = mustVocabulary(themesJSON)

func mustVocabulary(b []byte) *Vocabulary {
	v, err := parseVocabulary(b)
	if err != nil {
		panic(err) // the embedded file is part of the build; a test parses it
	}
	return v
}

func parseVocabulary(b []byte) (*Vocabulary, error) {
	var v Vocabulary
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("capacity: themes: %w", err)
	}
	v.theme, v.topic, v.region, v.regions = map[string]*Theme{}, map[string]string{}, map[string]*Region{}, map[string][]string{}
	v.themeBit, v.topicBit, v.regionBit = map[string]uint{}, map[string]uint{}, map[string]uint{}
	for i := range v.Themes {
		t := &v.Themes[i]
		if t.ID == "" || t.Name.En == "" || t.Name.ID == "" || len(t.DAC) != 5 || v.theme[t.ID] != nil {
			return nil, fmt.Errorf("capacity: themes: theme %d (%q) lacks an id, a name in both languages or a DAC code, or repeats an id", i, t.ID)
		}
		v.theme[t.ID] = t
		v.themeBit[t.ID] = uint(i)
		for _, tp := range t.Topics {
			if _, dup := v.topic[tp.ID]; dup || tp.ID == "" || tp.Name.En == "" || tp.Name.ID == "" {
				return nil, fmt.Errorf("capacity: themes: topic %q of %q", tp.ID, t.ID)
			}
			v.topic[tp.ID] = t.ID
			v.topicBit[tp.ID] = uint(len(v.topicBit))
		}
	}
	for i := range v.Regions {
		r := &v.Regions[i]
		if r.ID == "" || r.Name.En == "" || r.Name.ID == "" || v.region[r.ID] != nil {
			return nil, fmt.Errorf("capacity: themes: region %d (%q)", i, r.ID)
		}
		v.region[r.ID] = r
		v.regionBit[r.ID] = uint(len(v.regionBit))
		for _, c := range r.Countries {
			v.regions[c] = append(v.regions[c], r.ID)
		}
	}
	if len(v.themeBit) > 64 || len(v.topicBit) > 64 || len(v.regionBit) > 64 {
		return nil, fmt.Errorf("capacity: themes: matching holds at most 64 topics and 64 regions")
	}
	return &v, nil
}

// topicSet and regionSet are the bits of the known entries of ids.
func (v *Vocabulary) themeSet(ids []string) uint64  { return set(v.themeBit, ids) }
func (v *Vocabulary) topicSet(ids []string) uint64  { return set(v.topicBit, ids) }
func (v *Vocabulary) regionSet(ids []string) uint64 { return set(v.regionBit, ids) }

func set(bits map[string]uint, ids []string) uint64 {
	var s uint64
	for _, id := range ids {
		if b, ok := bits[id]; ok {
			s |= 1 << b
		}
	}
	return s
}

// Theme returns the theme with id.
func (v *Vocabulary) Theme(id string) (*Theme, bool) { t, ok := v.theme[id]; return t, ok }

// TopicTheme returns the theme a topic is under.
func (v *Vocabulary) TopicTheme(topic string) (string, bool) { t, ok := v.topic[topic]; return t, ok }

// Region returns the region with id.
func (v *Vocabulary) Region(id string) (*Region, bool) { r, ok := v.region[id]; return r, ok }

// RegionsOf returns the regions a country belongs to.
func (v *Vocabulary) RegionsOf(country string) []string { return v.regions[country] }

// TopicName returns a topic's label in lang, or the id when it is unknown.
func (v *Vocabulary) TopicName(topic, lang string) string {
	if t, ok := v.theme[v.topic[topic]]; ok {
		for _, tp := range t.Topics {
			if tp.ID == topic {
				return tp.Name.In(lang)
			}
		}
	}
	return topic
}

// ThemeName returns a theme's label in lang, or the id when it is unknown.
func (v *Vocabulary) ThemeName(id, lang string) string {
	if t, ok := v.theme[id]; ok {
		return t.Name.In(lang)
	}
	return id
}
