package humanitarian

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

//go:embed data/gazetteer.csv
var gazetteerCSV []byte

// Place is an administrative area of the gazetteer: its P-code (the country's
// ISO code then the national statistics office's code, as OCHA's common
// operational datasets write them: ID72 is Central Sulawesi, ID7271 the city
// of Palu), its level (0 country, 1 province, 2 regency or city, 3
// district), its parent's P-code, its name and other names people use, its
// centre and its extent.
type Place struct {
	PCode    string
	Level    int
	Parent   string
	Name     string
	Alt      []string
	Lat, Lon float64
	Extent   Box
}

// Box is the place's extent.
func (p Place) Box() Box { return p.Extent }

// Gazetteer resolves place names and P-codes to areas.
type Gazetteer struct {
	byCode  map[string]Place
	byName  map[string][]string // folded name → P-codes, deepest level first
	places  []Place
	longest int // words in the longest name, for searching free text
}

// DefaultGazetteer is the shipped gazetteer (data/gazetteer.csv).
func DefaultGazetteer() *Gazetteer {
	g, err := ParseGazetteer(bytes.NewReader(gazetteerCSV))
	if err != nil {
		panic("humanitarian: shipped gazetteer: " + err.Error())
	}
	return g
}

// ParseGazetteer reads a gazetteer: a CSV with the header pcode, level,
// parent, name, alt (other names, separated by |), lat, lon, west, south,
// east, north. Lines starting with # are notes.
func ParseGazetteer(r io.Reader) (*Gazetteer, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = 11
	head, err := cr.Read()
	if err != nil {
		return nil, err
	}
	if strings.Join(head, ",") != "pcode,level,parent,name,alt,lat,lon,west,south,east,north" {
		return nil, fmt.Errorf("gazetteer: unexpected header %q", head)
	}
	g := &Gazetteer{byCode: map[string]Place{}, byName: map[string][]string{}}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		// P-codes are compared as Get compares them: upper case, no spaces.
		code := func(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
		p := Place{PCode: code(rec[0]), Parent: code(rec[2]), Name: rec[3]}
		if p.Level, err = strconv.Atoi(rec[1]); err != nil {
			return nil, fmt.Errorf("gazetteer %s: level: %w", p.PCode, err)
		}
		if rec[4] != "" {
			p.Alt = strings.Split(rec[4], "|")
		}
		var f [6]float64
		for i := range f {
			if f[i], err = strconv.ParseFloat(rec[5+i], 64); err != nil {
				return nil, fmt.Errorf("gazetteer %s: column %d: %w", p.PCode, 6+i, err)
			}
		}
		p.Lat, p.Lon, p.Extent = f[0], f[1], Box{West: f[2], South: f[3], East: f[4], North: f[5]}
		// An empty P-code would be its own parent (an empty parent means
		// none), and Path and Within would walk up from it for ever.
		if p.PCode == "" {
			return nil, fmt.Errorf("gazetteer: a place without a P-code (%q)", p.Name)
		}
		if _, dup := g.byCode[p.PCode]; dup {
			return nil, fmt.Errorf("gazetteer: %s twice", p.PCode)
		}
		if p.Parent != "" {
			if _, ok := g.byCode[p.Parent]; !ok {
				return nil, fmt.Errorf("gazetteer: %s comes before its parent %s", p.PCode, p.Parent)
			}
		}
		g.byCode[p.PCode] = p
		g.places = append(g.places, p)
		for _, n := range append([]string{p.Name}, p.Alt...) {
			k := fold(n)
			g.byName[k] = append(g.byName[k], p.PCode)
			g.longest = max(g.longest, len(strings.Fields(k)))
		}
	}
	for k, codes := range g.byName {
		slices.SortStableFunc(codes, func(a, b string) int { return g.byCode[b].Level - g.byCode[a].Level })
		g.byName[k] = codes
	}
	return g, nil
}

// Get returns the place with the P-code.
func (g *Gazetteer) Get(pcode string) (Place, bool) {
	p, ok := g.byCode[strings.ToUpper(strings.TrimSpace(pcode))]
	return p, ok
}

// Places lists the places in the file's order (parents before children).
func (g *Gazetteer) Places() []Place { return g.places }

// Children lists the places whose parent is pcode.
func (g *Gazetteer) Children(pcode string) []Place {
	var out []Place
	for _, p := range g.places {
		if p.Parent == pcode {
			out = append(out, p)
		}
	}
	return out
}

// Within reports whether the place pcode is area or lies inside it.
func (g *Gazetteer) Within(pcode, area string) bool {
	for p, ok := g.byCode[pcode]; ok; p, ok = g.byCode[p.Parent] {
		if p.PCode == area {
			return true
		}
	}
	return false
}

// Path names the place and its parents, the place first ("Palu Barat, Kota
// Palu, Sulawesi Tengah"), leaving out the country.
func (g *Gazetteer) Path(pcode string) string {
	var parts []string
	for p, ok := g.byCode[pcode]; ok && p.Level > 0; p, ok = g.byCode[p.Parent] {
		parts = append(parts, p.Name)
	}
	return strings.Join(parts, ", ")
}

// Resolve finds the place a person named: a P-code, a name or another name
// of a place (without "Kota", "Kabupaten" and the like), or, in free text
// such as an SMS, the most specific place whose name appears in it. Names
// shared by places of different levels resolve to the most specific.
func (g *Gazetteer) Resolve(s string) (Place, bool) {
	if p, ok := g.Get(s); ok {
		return p, true
	}
	k := fold(s)
	if k == "" {
		return Place{}, false
	}
	if codes := g.byName[k]; len(codes) > 0 {
		return g.byCode[codes[0]], true
	}
	words := strings.Fields(k)
	best, found := Place{}, false
	for i := range words {
		for n := min(g.longest, len(words)-i); n >= 1; n-- {
			codes := g.byName[strings.Join(words[i:i+n], " ")]
			if len(codes) == 0 {
				continue
			}
			p := g.byCode[codes[0]]
			if !found || p.Level > best.Level {
				best, found = p, true
			}
			break
		}
	}
	return best, found
}

// Locate returns the most specific place whose extent holds the position,
// the smallest when extents overlap.
func (g *Gazetteer) Locate(lat, lon float64) (Place, bool) {
	best, found := Place{}, false
	for _, p := range g.places {
		if !p.Extent.Contains(lat, lon) {
			continue
		}
		if !found || p.Level > best.Level || p.Level == best.Level && area(p.Extent) < area(best.Extent) {
			best, found = p, true
		}
	}
	return best, found
}

func area(b Box) float64 { return (b.East - b.West) * (b.North - b.South) }

// fold makes a name comparable: lower case, letters and digits only, and
// without the words that say what kind of area it is.
func fold(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return ' '
	}, s)
	var out []string
	for _, w := range strings.Fields(s) {
		switch w {
		case "kota", "kabupaten", "kab", "kecamatan", "kec", "provinsi", "prov", "city", "regency", "district", "province", "of":
			continue
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// DistanceKm is the great-circle distance between two positions.
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}
