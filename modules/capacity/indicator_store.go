package capacity

import (
	"context"
	"slices"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/names"
	"entente.example/entente/internal/store"
)

// Indicators are public data: anyone may read them, signed in or not, so
// the reads check only the public action.

func selectIndicators(ctx context.Context, c store.Conn, where string, args ...any) ([]Indicator, error) {
	var rows []indicatorRow
	if err := c.Select(ctx, &rows, `SELECT i.code, i.name_en, i.name_id, i.unit, i.higher_better, i.topic, i.updated_at,
		(SELECT COUNT(*) FROM cap_indicator_latest l WHERE l.indicator = i.code) AS countries
		FROM cap_indicators i `+where+` ORDER BY i.code`, args...); err != nil {
		return nil, core.Wrap("capacity: indicators", err)
	}
	out := make([]Indicator, len(rows))
	for k, r := range rows {
		out[k] = Indicator{Code: r.Code, Name: Name{En: r.NameEn, ID: r.NameID}, Unit: r.Unit, HigherBetter: r.HigherBetter, Topic: r.Topic,
			Countries: r.Countries, UpdatedAt: r.UpdatedAt}
	}
	return out, nil
}

// Indicators returns every indicator, by code.
func (s *Service) Indicators(ctx context.Context) ([]Indicator, error) {
	if err := access.Check(core.ActorFrom(ctx), access.CapacityPublic, access.Resource{}); err != nil {
		return nil, err
	}
	return selectIndicators(ctx, s.db.R(), "")
}

// Indicator returns one indicator.
func (s *Service) Indicator(ctx context.Context, code string) (Indicator, error) {
	if err := access.Check(core.ActorFrom(ctx), access.CapacityPublic, access.Resource{}); err != nil {
		return Indicator{}, err
	}
	list, err := selectIndicators(ctx, s.db.R(), `WHERE i.code = ?`, strings.ToLower(code))
	if err != nil {
		return Indicator{}, err
	}
	if len(list) == 0 {
		return Indicator{}, core.E(core.KindNotFound, "capacity: indicator", "err.not_found")
	}
	return list[0], nil
}

// IndicatorCountries returns the countries with data, by code.
func (s *Service) IndicatorCountries(ctx context.Context) ([]CountryData, error) {
	if err := access.Check(core.ActorFrom(ctx), access.CapacityPublic, access.Resource{}); err != nil {
		return nil, err
	}
	var out []CountryData
	if err := s.db.R().Select(ctx, &out, `SELECT country, COUNT(*) AS indicators FROM cap_indicator_latest GROUP BY country ORDER BY country`); err != nil {
		return nil, core.Wrap("capacity: indicator countries", err)
	}
	return out, nil
}

const obsCols = `indicator, country, year, value, value_text, unit, source, note, org_id, imported_at`

// Profile returns a country's indicators: each one's values over the
// years, its latest, its rank among the countries with data and whether it
// is weak. A country without data has an empty profile; a code that is no
// country is not found.
func (s *Service) Profile(ctx context.Context, country string) (Profile, error) {
	if err := access.Check(core.ActorFrom(ctx), access.CapacityPublic, access.Resource{}); err != nil {
		return Profile{}, err
	}
	country = strings.ToUpper(country)
	if !names.ValidCountry(country) {
		return Profile{}, core.E(core.KindNotFound, "capacity: profile", "err.not_found")
	}
	p := Profile{Country: country, Items: []ProfileItem{}}
	var obs []Observation
	if err := s.db.R().Select(ctx, &obs, `SELECT `+obsCols+` FROM cap_observations WHERE country = ? ORDER BY indicator, year`, country); err != nil {
		return p, core.Wrap("capacity: profile", err)
	}
	if len(obs) == 0 {
		return p, nil
	}
	var codes []string
	for _, o := range obs {
		if !slices.Contains(codes, o.Indicator) {
			codes = append(codes, o.Indicator)
		}
	}
	inds, err := indicatorsIn(ctx, s.db.R(), codes)
	if err != nil {
		return p, err
	}
	in, args := placeholders(codes)
	var latest []struct {
		Indicator string  `db:"indicator"`
		Country   string  `db:"country"`
		Value     float64 `db:"value"`
	}
	if err := s.db.R().Select(ctx, &latest, `SELECT indicator, country, value FROM cap_indicator_latest WHERE indicator IN (`+in+`)`, args...); err != nil {
		return p, core.Wrap("capacity: profile: ranks", err)
	}
	for _, code := range codes {
		item := ProfileItem{Indicator: inds[code]}
		for _, o := range obs {
			if o.Indicator == code {
				item.Series = append(item.Series, o)
			}
		}
		item.Latest = item.Series[len(item.Series)-1]
		item.Rank = 1
		var values []float64
		for _, l := range latest {
			if l.Indicator != code {
				continue
			}
			item.Of++
			values = append(values, l.Value)
			if better(l.Value, item.Latest.Value, item.Indicator.HigherBetter) {
				item.Rank++
			}
		}
		item.Weak = weak(item.Rank, item.Of, item.Latest.Value, values, item.Indicator.HigherBetter)
		p.Items = append(p.Items, item)
	}
	return p, nil
}

func better(a, b float64, higher bool) bool {
	if higher {
		return a > b
	}
	return a < b
}

// MaxCompare is how many countries one comparison shows.
const MaxCompare = 8

// Compare returns an indicator's values for countries (at most
// MaxCompare; codes that are no country are dropped).
func (s *Service) Compare(ctx context.Context, code string, countries []string) (Comparison, error) {
	ind, err := s.Indicator(ctx, code)
	if err != nil {
		return Comparison{}, err
	}
	c := Comparison{Indicator: ind, Series: []Series{}}
	var list []string
	for _, k := range countries {
		k = strings.ToUpper(strings.TrimSpace(k))
		if names.ValidCountry(k) && !slices.Contains(list, k) && len(list) < MaxCompare {
			list = append(list, k)
		}
	}
	if len(list) == 0 {
		return c, nil
	}
	in, args := placeholders(list)
	var obs []Observation
	if err := s.db.R().Select(ctx, &obs, `SELECT `+obsCols+` FROM cap_observations WHERE indicator = ? AND country IN (`+in+`) ORDER BY country, year`,
		append([]any{ind.Code}, args...)...); err != nil {
		return c, core.Wrap("capacity: compare", err)
	}
	for _, k := range list {
		sr := Series{Country: k, Points: []Observation{}}
		for _, o := range obs {
			if o.Country == k {
				sr.Points = append(sr.Points, o)
			}
		}
		c.Series = append(c.Series, sr)
	}
	return c, nil
}
