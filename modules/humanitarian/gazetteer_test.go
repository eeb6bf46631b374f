package humanitarian

import (
	"bytes"
	"strings"
	"testing"
)

// slack is how far, in degrees, a child's extent may reach past its
// parent's: the extents are drawn by hand to about 0.05 degree.
const slack = 0.1

func TestGazetteerShippedFileParses(t *testing.T) {
	g, err := ParseGazetteer(bytes.NewReader(gazetteerCSV))
	if err != nil {
		t.Fatal(err)
	}
	levels := map[int]int{}
	for _, p := range g.Places() {
		levels[p.Level]++
	}
	// One country, the 38 provinces of the 2022 division, the 13 regencies
	// and city of Sulawesi Tengah, and at least the 8 districts of Palu.
	if levels[0] != 1 || levels[1] != 38 || levels[2] != 13 || levels[3] < 8 {
		t.Fatalf("places by level = %v", levels)
	}
	if got := len(g.Children("ID7271")); got != 8 {
		t.Errorf("Kota Palu has %d districts in the file, want 8", got)
	}
	if got := len(g.Children("ID72")); got != 13 {
		t.Errorf("Sulawesi Tengah has %d regencies and cities, want 13", got)
	}
}

func TestGazetteerChildrenInsideParents(t *testing.T) {
	g := DefaultGazetteer()
	for _, p := range g.Places() {
		b := p.Extent
		if b.West >= b.East || b.South >= b.North {
			t.Errorf("%s %s: empty extent %+v", p.PCode, p.Name, b)
		}
		if !b.Contains(p.Lat, p.Lon) {
			t.Errorf("%s %s: centre %v,%v outside its extent %+v", p.PCode, p.Name, p.Lat, p.Lon, b)
		}
		if p.Level == 0 {
			if p.Parent != "" {
				t.Errorf("%s: the country has a parent", p.PCode)
			}
			continue
		}
		parent, ok := g.Get(p.Parent)
		if !ok {
			t.Errorf("%s %s: no parent %q", p.PCode, p.Name, p.Parent)
			continue
		}
		if parent.Level != p.Level-1 {
			t.Errorf("%s %s: level %d under level %d", p.PCode, p.Name, p.Level, parent.Level)
		}
		if !strings.HasPrefix(p.PCode, parent.PCode) || len(p.PCode) <= len(parent.PCode) {
			t.Errorf("%s %s: code does not extend its parent's %s", p.PCode, p.Name, parent.PCode)
		}
		pb := parent.Extent
		if b.West < pb.West-slack || b.East > pb.East+slack || b.South < pb.South-slack || b.North > pb.North+slack {
			t.Errorf("%s %s %+v reaches outside %s %s %+v", p.PCode, p.Name, b, parent.PCode, parent.Name, pb)
		}
	}
}

func TestGazetteerResolve(t *testing.T) {
	g := DefaultGazetteer()
	for _, c := range []struct{ in, want string }{
		{"Palu", "ID7271"},
		{"KOTA PALU", "ID7271"},
		{"ID7271", "ID7271"},
		{" id7271 ", "ID7271"},
		{"Palu Barat", "ID7271010"},           // the district, not the city
		{"Kecamatan Palu Barat", "ID7271010"}, // "kecamatan" says only the kind
		{"LAPOR rumah roboh di Palu Barat dekat masjid", "ID7271010"},
		{"Sigi", "ID7210"},
		{"Kabupaten Sigi", "ID7210"},
		{"Sigi Biromaru", "ID7210120"},
		{"Biromaru", "ID7210120"},
		{"Donggala", "ID7205"},
		{"ID7205", "ID7205"},
		{"Central Sulawesi", "ID72"},
		{"Sulawesi Tengah", "ID72"},
		{"air bersih habis di Petobo, Palu Selatan", "ID7271020"},
	} {
		p, ok := g.Resolve(c.in)
		if !ok || p.PCode != c.want {
			t.Errorf("Resolve(%q) = %s %s, %v; want %s", c.in, p.PCode, p.Name, ok, c.want)
		}
	}
	for _, in := range []string{"Atlantis", "ID9999", "", "kota kabupaten", "tolong kirim air"} {
		if p, ok := g.Resolve(in); ok {
			t.Errorf("Resolve(%q) = %s %s, want not found", in, p.PCode, p.Name)
		}
	}
}

func TestGazetteerLocate(t *testing.T) {
	g := DefaultGazetteer()
	p, ok := g.Locate(-0.895, 119.86)
	if !ok || !g.Within(p.PCode, "ID7271") {
		t.Fatalf("Locate(-0.895, 119.86) = %s %s, %v; want Kota Palu or one of its districts", p.PCode, p.Name, ok)
	}
	if p.Level != 3 {
		t.Errorf("Locate(-0.895, 119.86) = %s %s, want a district", p.PCode, p.Name)
	}
	// Jono Oge, in Sigi Biromaru, where the ground flowed in 2018.
	if p, ok := g.Locate(-1.01, 119.95); !ok || !g.Within(p.PCode, "ID7210") {
		t.Errorf("Locate(-1.01, 119.95) = %s %s, %v; want in Sigi", p.PCode, p.Name, ok)
	}
	// Jakarta is in Indonesia, in DKI Jakarta, and in no district here.
	if p, ok := g.Locate(-6.2, 106.83); !ok || p.PCode != "ID31" {
		t.Errorf("Locate(-6.2, 106.83) = %s %s, %v; want ID31", p.PCode, p.Name, ok)
	}
	if p, ok := g.Locate(51.5, -0.12); ok {
		t.Errorf("Locate(London) = %s %s, want not found", p.PCode, p.Name)
	}
}

func TestGazetteerPath(t *testing.T) {
	g := DefaultGazetteer()
	for code, want := range map[string]string{
		"ID7271010": "Palu Barat, Kota Palu, Sulawesi Tengah",
		"ID7210120": "Sigi Biromaru, Sigi, Sulawesi Tengah",
		"ID72":      "Sulawesi Tengah",
		"ID":        "",
		"ID9999":    "",
	} {
		if got := g.Path(code); got != want {
			t.Errorf("Path(%s) = %q, want %q", code, got, want)
		}
	}
	if !g.Within("ID7271010", "ID72") || g.Within("ID7271010", "ID7210") {
		t.Error("Within does not follow the parents")
	}
}

func TestGazetteerRejectsBadFiles(t *testing.T) {
	const head = "pcode,level,parent,name,alt,lat,lon,west,south,east,north\n"
	for name, in := range map[string]string{
		"header":       "code,level\n",
		"orphan":       head + "ID72,1,ID,Sulawesi Tengah,,-1.4,121.4,119.4,-3.6,124.2,1.4\n",
		"twice":        head + "ID,0,,Indonesia,,-2.5,118,95,-11,141,6\nID,0,,Indonesia,,-2.5,118,95,-11,141,6\n",
		"level":        head + "ID,x,,Indonesia,,-2.5,118,95,-11,141,6\n",
		"number":       head + "ID,0,,Indonesia,,south,118,95,-11,141,6\n",
		"short record": head + "ID,0,,Indonesia\n",
		// Found by FuzzParseGazetteer: with no P-code a place was its own
		// parent and Path never returned.
		"no pcode": head + ",1,,Somewhere,,0,0,-1,-1,1,1\n",
	} {
		if _, err := ParseGazetteer(strings.NewReader(in)); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
	// Found by FuzzParseGazetteer too: a file may write its P-codes in lower
	// case; they are found as Get finds them, in any case.
	g, err := ParseGazetteer(strings.NewReader(head + "id,0,,Indonesia,,-2.5,118,95,-11,141,6\nid72,1, id ,Sulawesi Tengah,,-1.4,121.4,119.4,-3.6,124.2,1.4\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := g.Resolve("ID72"); !ok || p.Parent != "ID" || g.Path("ID72") != "Sulawesi Tengah" {
		t.Errorf("lower-case P-codes: Resolve(ID72) = %+v, %v", p, ok)
	}
}

// FuzzParseGazetteer feeds ParseGazetteer what an operator might upload in
// place of the shipped file: it must fail or give a gazetteer that answers.
func FuzzParseGazetteer(f *testing.F) {
	f.Add(gazetteerCSV)
	f.Add([]byte("pcode,level,parent,name,alt,lat,lon,west,south,east,north\nID,0,,Indonesia,a||b,-2.5,118,95,-11,141,6\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		g, err := ParseGazetteer(bytes.NewReader(in))
		if err != nil {
			return
		}
		for _, p := range g.Places() {
			if _, ok := g.Resolve(p.PCode); !ok {
				t.Fatalf("%q does not resolve", p.PCode)
			}
			// Searching free text costs words × longest name²; names of
			// hundreds of words (which no gazetteer has) would only make
			// the fuzzer slow, not find a fault.
			if g.longest <= 16 {
				g.Resolve(p.Name + " " + strings.Join(p.Alt, " "))
			}
			g.Locate(p.Lat, p.Lon)
			g.Path(p.PCode)
		}
	})
}
