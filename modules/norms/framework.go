package norms

import (
	_ "embed"
	"encoding/json"
)

// Pillar is one of the framework's four pillars; the parts of a national
// report follow them.
type Pillar struct {
	Code          string `json:"code"`
	NameEN        string `json:"name_en"`
	NameID        string `json:"name_id"`
	DescriptionEN string `json:"description_en"`
	DescriptionID string `json:"description_id"`
}

// Name returns the pillar's name in lang.
func (p Pillar) Name(lang string) string { return pick(lang, p.NameEN, p.NameID) }

// Description returns the pillar's description in lang.
func (p Pillar) Description(lang string) string {
	return pick(lang, p.DescriptionEN, p.DescriptionID)
}

// Norm is a norm or a regional commitment (Set says whose: "un", "asean").
type Norm struct {
	Code          string `json:"code"`
	Set           string `json:"set"`
	TitleEN       string `json:"title_en"`
	TitleID       string `json:"title_id"`
	DescriptionEN string `json:"description_en"`
	DescriptionID string `json:"description_id"`
}

// Title returns the norm's short title in lang.
func (n Norm) Title(lang string) string { return pick(lang, n.TitleEN, n.TitleID) }

// Description returns the norm's description in lang.
func (n Norm) Description(lang string) string {
	return pick(lang, n.DescriptionEN, n.DescriptionID)
}

// Label is how a norm is cited: "(f)" for the UN norms, its code otherwise.
func (n Norm) Label() string {
	if n.Set == "un" {
		return "(" + n.Code + ")"
	}
	return n.Code
}

func pick(lang, en, id string) string {
	if lang == "id" && id != "" {
		return id
	}
	return en
}

// Framework is the whole framework.
type Framework struct {
	Pillars []Pillar `json:"pillars"`
	Norms   []Norm   `json:"norms"`
}

//go:embed framework.json
var frameworkJSON []byte

// Load returns the framework Entente ships, as editable data.
func Load() Framework {
	var f Framework
	if err := json.Unmarshal(frameworkJSON, &f); err != nil {
		panic("norms: framework.json: " + err.Error()) // embedded; a test reads it
	}
	return f
}

// Norm returns a norm by code.
func (f Framework) Norm(code string) (Norm, bool) {
	for _, n := range f.Norms {
		if n.Code == code {
			return n, true
		}
	}
	return Norm{}, false
}

// Pillar returns a pillar by code.
func (f Framework) Pillar(code string) (Pillar, bool) {
	for _, p := range f.Pillars {
		if p.Code == code {
			return p, true
		}
	}
	return Pillar{}, false
}

// Sections lists a report's sections in order: one for each pillar, and
// for the norms pillar one per norm.
func (f Framework) Sections() []Section {
	var out []Section
	for _, p := range f.Pillars {
		if p.Code != "norms" {
			out = append(out, Section{Part: p.Code})
			continue
		}
		for _, n := range f.Norms {
			out = append(out, Section{Part: p.Code, Norm: n.Code})
		}
	}
	return out
}

// Section is where an answer sits in a report: a part, and for the norms
// part a norm.
type Section struct {
	Part string `json:"part" db:"part"`
	Norm string `json:"norm,omitempty" db:"norm"`
}

// NormOf returns a norm by code, the zero Norm if none (for templates).
func (f Framework) NormOf(code string) Norm {
	n, _ := f.Norm(code)
	return n
}

// PillarOf returns a pillar by code, the zero Pillar if none (for templates).
func (f Framework) PillarOf(code string) Pillar {
	p, _ := f.Pillar(code)
	return p
}
