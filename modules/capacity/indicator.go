package capacity

import (
	"math"
	"slices"
	"time"
)

// Indicator is a measure of a country's digital development or cyber
// maturity, such as ITU's ICT Development Index or the Global
// Cybersecurity Index. Topic is the capacity-building topic a weak value
// calls for (a suggested need's topic); HigherBetter says which way the
// scale runs (a GCI tier of 1 is the best, so it is lower-is-better).
type Indicator struct {
	Code         string    `json:"code"`
	Name         Name      `json:"name"`
	Unit         string    `json:"unit"`
	HigherBetter bool      `json:"higher_is_better"`
	Topic        string    `json:"topic,omitempty"`
	Countries    int       `json:"countries"` // how many countries have a value
	UpdatedAt    time.Time `json:"updated_at"`
}

// Observation is one indicator's value for one country in one year, with
// where it comes from. Text is the value as the file wrote it, which pages
// show, so that no precision is added to a published figure.
type Observation struct {
	Indicator  string    `json:"indicator" db:"indicator"`
	Country    string    `json:"country" db:"country"`
	Year       int       `json:"year" db:"year"`
	Value      float64   `json:"value" db:"value"`
	Text       string    `json:"value_text" db:"value_text"`
	Unit       string    `json:"unit" db:"unit"`
	Source     string    `json:"source" db:"source"`
	Note       string    `json:"note,omitempty" db:"note"`
	OrgID      string    `json:"-" db:"org_id"`
	ImportedAt time.Time `json:"imported_at" db:"imported_at"`
}

// ProfileItem is one indicator on a country's profile: every year's value,
// the latest, its rank among the countries with data (1 is the best; ties
// share a rank) and whether it is weak.
type ProfileItem struct {
	Indicator Indicator     `json:"indicator"`
	Series    []Observation `json:"series"` // oldest first
	Latest    Observation   `json:"latest"`
	Rank      int           `json:"rank"`
	Of        int           `json:"of"` // countries with data
	// Weak is a latest value in the lowest third of the countries with
	// data (at least WeakMinCountries of them) and at least WeakGap worse
	// than their median: the rule a suggested need rests on, stated on the
	// page.
	Weak bool `json:"weak"`
}

// Profile is a country's indicators.
type Profile struct {
	Country string        `json:"country"`
	Items   []ProfileItem `json:"items"`
}

// WeakMinCountries is how many countries need data before a value can be
// called weak: with fewer, "the lowest third" says nothing.
const WeakMinCountries = 3

// WeakGap is how far below the median (a share of it) a value in the
// lowest third must be to be called weak: among scores bunched near the
// top (98.8 of 100 where the best have 100), the lowest third is no
// weakness worth a need.
const WeakGap = 0.05

// weak says whether rank (1 the best, ties sharing the better rank) among
// of countries is in the lowest third, and value at least WeakGap worse
// than the median of the countries' values.
func weak(rank, of int, value float64, values []float64, higher bool) bool {
	if of < WeakMinCountries || rank <= of-of/3 || len(values) == 0 {
		return false
	}
	v := slices.Clone(values)
	slices.Sort(v)
	median := v[len(v)/2]
	if len(v)%2 == 0 {
		median = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	gap := math.Abs(median) * WeakGap
	if higher {
		return value < median-gap
	}
	return value > median+gap
}

// Series is one country's values of an indicator, for a comparison.
type Series struct {
	Country string        `json:"country"`
	Points  []Observation `json:"points"`
}

// Comparison is one indicator across countries.
type Comparison struct {
	Indicator Indicator `json:"indicator"`
	Series    []Series  `json:"series"`
}

// CountryData is a country that has indicator data, and how many
// indicators.
type CountryData struct {
	Country    string `json:"country" db:"country"`
	Indicators int    `json:"indicators" db:"indicators"`
}

// ImportResult is what an accepted import did.
type ImportResult struct {
	Rows       int      `json:"rows"`
	Replaced   int      `json:"replaced"` // rows that replaced an earlier value
	Indicators []string `json:"indicators"`
	Countries  []string `json:"countries"`
}
